"""A small bounded, thread-safe cache for a process that does the same work again (the warm bidkit), and the
chunked file digest bidkit takes of workspace files. No I/O besides reading the file it is given."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Hashable
from pathlib import Path
from typing import Any


class Bounded:
    """Keeps the last ``keep`` values by key, oldest dropped first; safe to use from several threads."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._values: dict[Hashable, Any] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            return self._values.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            while len(self._values) >= self.keep:
                del self._values[next(iter(self._values))]
            self._values[key] = value


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file read in chunks: a scan may be hundreds of MB."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
