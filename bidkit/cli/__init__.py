"""The ``bidkit`` command line (typer). Errors become messages and exit codes in :func:`main` only."""

import signal
import sys

try:
    from .app import app, main  # typer, rich, pydantic: most of a run's start-up time
except KeyboardInterrupt:  # Ctrl-C right after Enter: one line and 130, as main() does, not a traceback
    sys.stderr.write("error: interrupted\n")
    raise SystemExit(130) from None



def run() -> None:
    """Process entry point. Once :func:`main` has returned, its outcome is written and final: a Ctrl-C that
    arrives while the interpreter shuts down (joining threads) must not turn a finished run into a signal death."""
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


__all__ = ["app", "main", "run"]
