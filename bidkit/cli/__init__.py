"""The ``bidkit`` command line (typer). Errors become messages and exit codes in :func:`main` only."""

import sys

try:
    from .app import app, main  # typer, rich, pydantic: most of a run's start-up time
except KeyboardInterrupt:  # Ctrl-C right after Enter: one line and 130, as main() does, not a traceback
    sys.stderr.write("error: interrupted\n")
    raise SystemExit(130) from None

__all__ = ["app", "main"]
