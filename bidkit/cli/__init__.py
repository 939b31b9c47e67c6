"""The ``bidkit`` command line (typer). Errors become messages and exit codes in :func:`main` only."""

from .app import app, main

__all__ = ["app", "main"]
