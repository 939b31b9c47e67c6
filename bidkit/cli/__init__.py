"""The ``bidkit`` command line (typer). Errors become messages and exit codes in :func:`main` only.

The entry point :func:`run` imports the typer app itself (most of a run's start-up time), so that for
``bidkit assemble`` LibreOffice can be started first (:func:`bidkit.pdf.session.prelaunch`).
"""

from __future__ import annotations

import signal
import sys
from typing import Any

from ..pdf import session as _session


def run() -> None:
    """Process entry point. Once :func:`main` has returned, its outcome is written and final: a Ctrl-C that
    arrives while the interpreter shuts down (joining threads) must not turn a finished run into a signal death."""
    try:
        try:
            from . import warm

            code = warm.try_remote(sys.argv)  # `bidkit assemble --warm` runs in the warm bidkit, if one runs
            if code is None:
                _session.prelaunch(sys.argv)  # LibreOffice starts now, for `bidkit assemble`, while the rest imports
                main = _load("main")
        except KeyboardInterrupt:  # Ctrl-C right after Enter: one line and 130, as main() does, not a traceback
            sys.stderr.write("error: interrupted\n")
            raise SystemExit(130) from None
        if code is None:
            code = main()
    finally:
        _session.discard()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def _load(name: str) -> Any:
    import importlib

    module = importlib.import_module(".app", __name__)
    # importing the submodule bound the package's `app` to it: bind the typer app and main() instead
    globals().update(app=module.app, main=module.main)
    return globals()[name]


def __getattr__(name: str) -> Any:  # `from bidkit.cli import app, main` imports the typer app on first use
    if name in ("app", "main"):
        return _load(name)
    raise AttributeError(name)


__all__ = ["app", "main", "run"]
