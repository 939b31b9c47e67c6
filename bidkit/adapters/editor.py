"""The user's ``$EDITOR`` on a private temporary copy of a confidential text, wiped afterwards."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from bidkit.adapters.wipe import wipe
from bidkit.core.errors import ToolError


def edit(content: bytes, name: str) -> bytes:
    """``content`` after the user edited it as ``name`` in ``$EDITOR`` (default vi). The copy lives in a private
    folder (0700, file 0600) that is wiped and removed however the editing ends (also on SIGTERM/SIGHUP, which the
    command line turns into exceptions)."""
    editor = shlex.split(os.environ.get("EDITOR") or "vi")
    tmpdir = Path(tempfile.mkdtemp(prefix="bidkit-edit-"))
    path = tmpdir / name
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        try:
            rc = subprocess.run([*editor, str(path)], check=False).returncode
        except OSError as exc:
            raise ToolError(f"$EDITOR ({editor[0]}): cannot start ({exc.strerror or exc})") from None
        if rc != 0:
            raise ToolError(f"$EDITOR ({editor[0]}) exited with {rc}; nothing was changed")
        return path.read_bytes()
    finally:
        wipe(path)
        shutil.rmtree(tmpdir, ignore_errors=True)
