"""The ``bidkit`` command line (typer). Errors become messages and exit codes in :func:`bidkit.cli.app.main` only."""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading
import warnings
from types import FrameType
from typing import NoReturn


class Terminated(KeyboardInterrupt):
    """SIGTERM (kill) or SIGHUP (terminal closed): bidkit ends as on Ctrl-C, so every ``finally`` runs (LibreOffice
    is killed, private folders such as a price part's conversion are removed) before the process ends."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


RECEIVED: list[int] = []  # the termination signals that arrived (click and typer turn the exception into 130)


INTERRUPTED: list[int] = []  # a Ctrl-C came (what the run leaves behind as it unwinds is no crash)


def _terminate(signum: int, frame: FrameType | None) -> None:
    RECEIVED.append(signum)
    _quiet()
    raise Terminated(signum)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: Python's KeyboardInterrupt, noted first."""
    INTERRUPTED.append(signum)
    _quiet()
    raise KeyboardInterrupt


def _quiet() -> None:
    """An interrupted run prints its one line ("error: interrupted") and no library's complaint about the work it
    was stopped in (pyHanko's coroutines never awaited when a Ctrl-C came while it signed)."""
    warnings.simplefilter("ignore")


def run() -> None:
    """Process entry point. Once :func:`main` has returned, its outcome is written and final: a Ctrl-C that
    arrives while the interpreter shuts down (joining threads) must not turn a finished run into a signal death."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _terminate)
    signal.signal(signal.SIGINT, _interrupt)
    sys.unraisablehook = _unraisable
    # what importing makes lives as long as the process: made without collections (0.04-0.07 s of them), then
    # frozen, so no later collection looks through it again (a big bid's rebuild: 0.07-0.13 s in collections,
    # 0.04 s now); the collector still runs as often as before, so a scan's PDF objects go as soon as before
    gc.disable()
    try:
        from bidkit.cli.app import main
    except KeyboardInterrupt:  # Ctrl-C right after Enter: one line and 130, as main() does, not a traceback
        sys.stderr.write("error: interrupted\n")
        _exit(130)
    finally:
        gc.freeze()
        gc.enable()
    code: int | None = None
    try:
        code = main()
        _ignore_signals()
    except KeyboardInterrupt:  # the signal came just as main() returned: its outcome stands
        _ignore_signals()
        if code is None:
            sys.stderr.write("error: interrupted\n")
            code = 130
    if code in (130, 128 + signal.SIGTERM, 128 + signal.SIGHUP):
        _exit(code)
    _finish(code or 0)


def _finish(code: int) -> NoReturn:
    """End a finished run without the interpreter's teardown: freeing every module and object (pikepdf's,
    matplotlib's, weasyprint's) took 0.5 s after an assemble had written its package. What the teardown would
    do that matters is done first: threads that are still running are waited for and exit handlers (a temporary
    folder's finalizer, logging) run."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()  # what sys.exit would run before the teardown
    _exit(code)


def _exit(code: int) -> NoReturn:
    """End an interrupted run with ``code`` at once (every ``finally`` has run): a Ctrl-C bidkit caught could
    still end the process by SIGINT during the interpreter's shutdown (seen once under load: exit -2 after
    "error: interrupted"), which a caller would read as a crash rather than bidkit's interrupted exit."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def _unraisable(info: sys.UnraisableHookArgs) -> None:
    """A Ctrl-C (or SIGTERM) that Python delivered inside a callback it cannot raise from (a module lock's
    clean-up during an import) is lost, not a crash: one note instead of "Exception ignored … Traceback"."""
    if isinstance(info.exc_value, KeyboardInterrupt):
        sys.stderr.write("note: an interrupt came at a moment Python could not stop at; interrupt again to stop\n")
        return
    if INTERRUPTED or RECEIVED:  # a finalizer of what the signal broke off (an asyncio loop it stopped half-made,
        return  # seen as a traceback when a Ctrl-C came while pyHanko signed): the run's own line says enough
    sys.__unraisablehook__(info)


def _ignore_signals() -> None:
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def main(argv: list[str] | None = None) -> int:
    from bidkit.cli.app import main as app_main

    return app_main(argv)


__all__ = ["RECEIVED", "Terminated", "main", "run"]
