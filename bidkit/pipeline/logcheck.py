"""``bidkit log verify``: the audit log's chain, every signed QA decision at its signed place, and every sealed
package's checkpoint (the log head its signed manifest carries must be an entry of this log)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bidkit.core.errors import InputError, IntegrityError, ValidationFailed
from bidkit.core.manifest import parse_manifest
from bidkit.store import audit, lock
from bidkit.store.files import file_sha256
from bidkit.store.workspace import load


@dataclass
class LogReport:
    entries: int = 0
    head: str = "-"
    decisions: int = 0
    checkpoints: int = 0
    notes: list[str] = field(default_factory=list)


def _package_head(path: Path) -> str | None:
    from bidkit.adapters.pdf.embed import manifest_of

    blob = manifest_of(path)
    if blob is None:
        return None
    approval = parse_manifest(blob, str(path)).get("approval")
    head = approval.get("log_head") if isinstance(approval, dict) else None
    return head if isinstance(head, str) else None


def verify_log(root: Path) -> LogReport:
    """Check everything the log can prove; :class:`IntegrityError` naming the first entry that does not hold. The
    chain first; then, in a workspace whose data loads, the signed decisions and the sealed packages."""
    entries = audit.read(root)
    report = LogReport(len(entries), entries[-1]["hash"][:16] if entries else "-")
    if not (root / "bidkit.yaml").exists():
        return report
    try:
        ws = load(root)
    except (InputError, ValidationFailed):
        report.notes.append("the workspace's data does not load (bidkit validate): signed decisions not checked")
        return report
    lock.chain(ws, entries)  # every QA decision: signature, place, the request it answers
    report.decisions = sum(e["action"] in ("review.approve", "review.reject") for e in entries)
    seqs = {e["hash"]: e["seq"] for e in entries}
    for e in entries:
        d = e["details"]
        if e["action"] != "assemble" or d.get("draft"):
            continue
        rel = d.get("file")
        path = ws.root / rel if isinstance(rel, str) else None
        if path is None or not path.is_file():
            report.notes.append(f"{audit.LOG_NAME}:{e['seq']}: package {rel} not here: its checkpoint not checked")
            continue
        if file_sha256(path) != d.get("sha256"):
            raise IntegrityError(f"{audit.LOG_NAME}:{e['seq']}: {rel} is not the package this entry sealed")
        head = _package_head(path)
        if head is None:
            report.notes.append(f"{audit.LOG_NAME}:{e['seq']}: {rel} carries no log head (sealed by an older bidkit)")
            continue
        if seqs.get(head, e["seq"]) >= e["seq"]:
            raise IntegrityError(f"{audit.LOG_NAME}: the log before {rel} was rewritten or cut (the package's "
                                 "signed manifest names a log head that is not an earlier entry)")
        report.checkpoints += 1
    return report
