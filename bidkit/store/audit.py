"""The workspace's append-only, hash-chained audit log (``audit.log``, one JSON object per line).

Each entry holds ``seq``, UTC ``time``, ``actor``, ``action``, ``details`` (digests, never prices), ``prev`` (the
previous entry's hash) and ``hash`` (SHA-256 of the entry's canonical JSON without ``hash``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import pwd
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bidkit.core.errors import IntegrityError, OutputError
from bidkit.core.review import canonical, sha256

LOG_NAME = "audit.log"
GENESIS = "0" * 64
FIELDS = ("seq", "time", "actor", "action", "details", "prev", "hash")


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def default_actor(explicit: str | None = None) -> str:
    """Who did it: a reviewer's name when their key signs the entry (``explicit``), else the operating-system
    login — never an environment variable, which anyone can set."""
    if explicit:
        return explicit
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return f"uid {os.getuid()}"


def entry_hash(entry: dict[str, Any]) -> str:
    return sha256(canonical({k: v for k, v in entry.items() if k != "hash"}))


def _parse_line(line: bytes, n: int) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise IntegrityError(f"{LOG_NAME}:{n}: not a log entry (unreadable JSON)") from None
    if not isinstance(entry, dict) or tuple(sorted(entry)) != tuple(sorted(FIELDS)):
        raise IntegrityError(f"{LOG_NAME}:{n}: not a log entry (wrong fields)")
    return entry


def verify_lines(lines: list[bytes]) -> list[dict[str, Any]]:
    """Check the chain; raise :class:`IntegrityError` naming the first bad line."""
    entries = []
    prev = GENESIS
    for n, line in enumerate(lines, 1):
        entry = _parse_line(line, n)
        if entry["hash"] != entry_hash(entry):
            raise IntegrityError(f"{LOG_NAME}:{n}: entry altered (its hash does not match its content)")
        if entry["seq"] != n:
            raise IntegrityError(
                f"{LOG_NAME}:{n}: entry out of sequence (seq {entry['seq']}, expected {n}): removed or reordered"
            )
        if entry["prev"] != prev:
            raise IntegrityError(f"{LOG_NAME}:{n}: chain broken (an entry before it was removed, reordered or altered)")
        prev = entry["hash"]
        entries.append(entry)
    return entries


def _lines(blob: bytes) -> list[bytes]:
    return [ln for ln in blob.split(b"\n") if ln.strip()]


def read(root: Path) -> list[dict[str, Any]]:
    """Every entry of the workspace's log, verified (an absent log is empty)."""
    try:
        blob = (root / LOG_NAME).read_bytes()
    except FileNotFoundError:
        return []
    return verify_lines(_lines(blob))


def head(root: Path) -> str:
    """The hash of the log's newest entry (the chain's head), verified."""
    entries = read(root)
    return entries[-1]["hash"] if entries else GENESIS


Details = dict[str, Any] | Callable[[str, list[dict[str, Any]]], dict[str, Any]]


def append(root: Path, action: str, details: Details, actor: str | None = None) -> dict[str, Any]:
    """Append one entry (O_APPEND, under an exclusive lock, fsynced); the chain is verified first.

    ``details`` may be a function of the chain's head hash and the entries so far, called under the lock: a signed
    entry binds itself to its place (a QA decision signs the head it follows). The entry is written whole or not
    at all: a short write (disk or quota full) is cut back off and raises :class:`OutputError`, so a command that
    logs before it acts fails before its change takes effect."""
    path = root / LOG_NAME
    existed = path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{LOG_NAME}: cannot write the audit log ({exc.strerror or exc}); nothing was changed") \
            from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        chunks = []
        os.lseek(fd, 0, os.SEEK_SET)
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        blob = b"".join(chunks)
        entries = verify_lines(_lines(blob))
        head = entries[-1]["hash"] if entries else GENESIS
        entry: dict[str, Any] = {
            "seq": len(entries) + 1,
            "time": now(),
            "actor": default_actor(actor),
            "action": action,
            "details": details(head, entries) if callable(details) else details,
            "prev": head,
        }
        entry["hash"] = entry_hash(entry)
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
        if blob and not blob.endswith(b"\n"):
            line = b"\n" + line
        try:
            written = os.write(fd, line)
            if written != len(line):
                raise OSError(28, "short write (disk or quota full?)")
            os.fsync(fd)
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, len(blob))  # the log stays as it was: whole entries only
            raise
    except OSError as exc:
        raise OutputError(f"{LOG_NAME}: cannot write the audit log ({exc.strerror or exc}); "
                          "nothing was changed") from None
    except BaseException:
        if not existed:  # a refused entry leaves no empty log behind
            with contextlib.suppress(OSError):
                if os.fstat(fd).st_size == 0:
                    path.unlink()
        raise
    finally:
        os.close(fd)  # releases the lock
    return entry


def format_entry(entry: dict[str, Any]) -> str:
    details = " ".join(f"{k}={_short(v)}" for k, v in sorted(entry["details"].items()))
    return f"{entry['seq']:>4}  {entry['time']}  {entry['actor']}  {entry['action']}  {details}".rstrip()


def _short(value: Any) -> str:
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12]
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)
