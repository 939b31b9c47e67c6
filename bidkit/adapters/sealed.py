"""Cache files a workspace writer cannot forge.

The conversion cache (``build/cache``) lives in the workspace, which everyone on the team can write; what it holds
goes into the sealed package. So every entry carries a tag: an HMAC, under this user's cache key (a secret kept
outside the workspace, see :func:`bidkit.store.keys.cache_secret`), of the entry's name and content. An entry
whose tag is missing or wrong — swapped, edited, or made by a colleague's bidkit under their own key — is not
read: it is made again. A verified entry is read once, into memory, and used from there (or from a private copy),
never from the workspace file again.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

TAG_SUFFIX = ".tag"


@dataclass(frozen=True)
class SealedCache:
    dir: Path
    secret: bytes  # this user's cache key

    def tag(self, name: str, data: bytes) -> str:
        digest = hashlib.sha256(data).digest()
        return hmac.new(self.secret, name.encode() + b"\0" + digest, hashlib.sha256).hexdigest()

    def read(self, path: Path) -> bytes | None:
        """The content of the entry at ``path`` when its tag is this user's for it; None otherwise."""
        try:
            tag = path.with_name(path.name + TAG_SUFFIX).read_text(encoding="ascii").strip()
            data = path.read_bytes()
        except (OSError, UnicodeDecodeError):
            return None
        return data if hmac.compare_digest(tag, self.tag(path.name, data)) else None

    def write(self, path: Path, data: bytes) -> None:
        """Write the entry and its tag (each atomically: a reader sees a whole file or none); a cache that cannot
        be written only costs time next run."""
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            for target, content in ((path.with_name(path.name + TAG_SUFFIX), self.tag(path.name, data).encode()),
                                    (path, data)):
                fd, tmp = tempfile.mkstemp(prefix=".part-", dir=path.parent)
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(content)
                    os.chmod(tmp, 0o600)
                    os.replace(tmp, target)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise

    def remembered(self, stem: str, key: str, suffix: str, make: Callable[[], T], dump: Callable[[T], bytes],
                   load: Callable[[bytes], T]) -> T:
        """``make()``, kept as ``{stem}-{key}{suffix}``: read back when there (a kept value that does not load is
        made again), else made and written, and the stem's older entry dropped."""
        entry = self.dir / f"{stem}-{key}{suffix}"
        known = self.read(entry)
        if known is not None:
            with contextlib.suppress(ValueError, TypeError):
                return load(known)
        value = make()
        self.write(entry, dump(value))
        self.drop_others(entry, stem, suffix)
        return value

    def remove(self, path: Path) -> None:
        for p in (path, path.with_name(path.name + TAG_SUFFIX)):
            p.unlink(missing_ok=True)

    def drop_others(self, entry: Path, stem: str, suffix: str) -> None:
        """Remove the entries ``{stem}-<SHA-256 hex>{suffix}`` other than ``entry``: an item's older versions,
        never another item's whose name merely starts the same (``commercial`` and ``commercial-cover``)."""
        own = re.compile(rf"{re.escape(stem)}-[0-9a-f]{{64}}{re.escape(suffix)}")
        for old in self.dir.glob(f"{glob.escape(stem)}-*{glob.escape(suffix)}"):
            if old.name != entry.name and own.fullmatch(old.name):
                self.remove(old)
