"""QA's witness: the reviewer's own record of every decision they signed, kept on their machine.

The workspace's log proves that nothing *before* a signed entry was removed or rewritten; it cannot prove that its
newest entries were not cut off (a rejection removed together with everything after it). The witness can:
``bidkit review approve/reject`` appends each signed decision to ``<config>/witness/<project>.jsonl`` on the
reviewer's machine, and ``bidkit review audit DIR`` compares that record with the workspace's log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bidkit.core import review
from bidkit.core.errors import IntegrityError, OutputError
from bidkit.store import audit, keys


def witness_file(project: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in project)
    return keys.config_dir() / "witness" / f"{safe}.jsonl"


def record(root: Path, st: review.Statement) -> Path:
    """Append the signed decision to the reviewer's witness file (0600, in a 0700 folder)."""
    path = witness_file(st.project)
    line = (json.dumps({"workspace": str(root), "statement": st.model_dump(mode="json")}, ensure_ascii=False,
                       sort_keys=True) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if os.write(fd, line) != len(line):
                raise OSError(28, "short write")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write QA's witness record ({exc.strerror or exc}); the decision is in "
                          "the workspace's log: run bidkit review audit to record it again") from None
    return path


def read(project: str) -> list[review.Statement]:
    path = witness_file(project)
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_bytes().splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise IntegrityError(f"{path}:{n}: not a witness record") from None
        st = review.parse_statement(obj.get("statement") if isinstance(obj, dict) else None)
        if isinstance(st, str) or not keys.verify(st.public_key, st.payload(), st.signature):
            raise IntegrityError(f"{path}:{n}: not a signed QA decision")
        out.append(st)
    return out


@dataclass(frozen=True)
class Finding:
    ok: bool
    line: str


def compare(root: Path, project: str) -> list[Finding]:
    """Each decision the witness holds, found in the workspace's log (at its signed place) or not; and each
    decision in the log that this witness does not hold (signed on another machine, or a record lost here)."""
    witnessed = read(project)
    entries = audit.read(root)
    logged: dict[str, tuple[int, dict[str, Any]]] = {}
    for e in entries:
        if e["action"] in ("review.approve", "review.reject"):
            sig = (e["details"].get("statement") or {}).get("signature")
            if isinstance(sig, str):
                logged[sig] = (e["seq"], e)
    out = []
    for st in witnessed:
        what = f"{st.decision} by {st.reviewer} at {st.time}"
        hit = logged.pop(st.signature, None)
        if hit is None:
            out.append(Finding(False, f"MISSING  {what}: signed by QA, not in {audit.LOG_NAME} (removed)"))
        elif hit[1]["prev"] != st.log_head:
            out.append(Finding(False, f"MOVED    {what}: in {audit.LOG_NAME}:{hit[0]}, not at its signed place"))
        else:
            out.append(Finding(True, f"ok       {what}: {audit.LOG_NAME}:{hit[0]}"))
    for seq, e in sorted(logged.values(), key=lambda x: x[0]):
        st_obj = e["details"].get("statement") or {}
        out.append(Finding(True, f"other    {st_obj.get('decision')} by {st_obj.get('reviewer')} at "
                                 f"{st_obj.get('time')}: {audit.LOG_NAME}:{seq}, not in this witness record"))
    return out
