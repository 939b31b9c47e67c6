"""Overwrite a private file with zeros, flush it to disk and remove it (price edits, price chapters shown)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def wipe(path: Path) -> None:
    with contextlib.suppress(OSError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            fh.write(b"\0" * size)
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
