"""Files of the workspace: paths that must stay inside it, atomic writes, chunked digests."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bidkit.core.errors import InputError, OutputError


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file read in chunks: a scan may be hundreds of MB."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def resolve_inside(root: Path, rel: str, *, what: str = "file", must_exist: bool = True) -> Path:
    """``root/rel`` after resolving symlinks; refuse anything that ends up outside ``root``."""
    if "\\" in rel:
        raise InputError(f"{rel}: use '/' in paths, not '\\'")
    candidate = Path(rel)
    if candidate.is_absolute():
        raise InputError(f"{rel}: {what} path must be relative to the workspace")
    real_root = root.resolve()
    target = (root / candidate).resolve()
    if target != real_root and real_root not in target.parents:
        raise InputError(f"{rel}: {what} path leads outside the workspace")
    if must_exist and not target.exists():
        raise InputError(f"{rel}: {what} not found in the workspace")
    return target


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(target: Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it becomes ``target`` in one step.

    With ``overwrite=False`` an existing ``target`` is never replaced (:class:`OutputError`). On any failure the
    temporary file is removed and ``target`` is untouched.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if not overwrite and target.exists():
            raise OutputError(f"{target}: exists already and is never overwritten")
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if target appeared meanwhile
            except FileExistsError:
                raise OutputError(f"{target}: exists already and is never overwritten") from None
            tmp.unlink()
        _fsync_dir(target.parent)
    except OSError as exc:
        raise OutputError(f"{target}: cannot write ({exc.strerror or exc})") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def atomic_write(target: Path, content: bytes | str, *, overwrite: bool = True) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
