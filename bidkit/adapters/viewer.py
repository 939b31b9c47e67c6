"""Show confidential documents without leaving them on disk: a private folder, a viewer, then nothing.

The folder is made under ``$XDG_RUNTIME_DIR`` when there is one (a per-user tmpfs that never reaches a disk), else
the temporary folder; it is 0700, each file 0600, and it is wiped and removed however the viewing ends (also on
SIGTERM and SIGHUP, which the command line turns into exceptions). The viewer is ``$BIDKIT_VIEWER`` (a command that
gets the folder and returns when the user is done), else — on a terminal — the user opens the files and presses
Enter.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bidkit.adapters.wipe import wipe
from bidkit.core.errors import SecretError, ToolError

ENV = "BIDKIT_VIEWER"


def available() -> bool:
    return bool(os.environ.get(ENV)) or sys.stdin.isatty()


def require() -> None:
    """Refuse (before any slow work) when there is no way to show the files."""
    if not available():
        raise SecretError(f"price chapters are shown only on a terminal or through ${ENV} (they are never written "
                          "to build/): run it on a terminal, or assemble the package")


def _base() -> str | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    return runtime if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK) else None


def show(files: dict[str, bytes], say: Callable[[str], None]) -> None:
    """Put ``files`` (name → content) in a private folder, let the user look, then wipe them."""
    require()
    folder = Path(tempfile.mkdtemp(prefix="bidkit-view-", dir=_base()))
    paths = []
    try:
        for name, content in files.items():
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            paths.append(path)
        command = os.environ.get(ENV)
        if command:
            argv = shlex.split(command)
            try:
                rc = subprocess.run([*argv, str(folder)], check=False).returncode
            except OSError as exc:
                raise ToolError(f"${ENV} ({argv[0]}): cannot start ({exc.strerror or exc})") from None
            if rc != 0:
                raise ToolError(f"${ENV} ({argv[0]}) exited with {rc}")
        else:
            for path in paths:
                say(f"{path}")
            say("open them now; they are wiped when you press Enter (or close this terminal)")
            sys.stdin.readline()
    finally:
        for path in paths:
            wipe(path)
        shutil.rmtree(folder, ignore_errors=True)
