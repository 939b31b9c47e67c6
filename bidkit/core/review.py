"""The QA review and the price lock (pure): what was reviewed, signed statements, and the lock's state.

An approval is bound to a digest map ``{input name: sha256}`` over everything that produces the technical and
commercial parts: each top-level field of the data files (canonical JSON, so comments and layout do not count),
the templates' bytes and the attached files' bytes. Reading those bytes and checking signatures happen in
:mod:`bidkit.store.lock`; here are only the values and the rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from bidkit.core.book import attachment_index, plan
from bidkit.core.models import BidData
from bidkit.core.models.base import Model, Text

FORMAT: Literal["bidkit-review/1"] = "bidkit-review/1"
PUBLIC_KEY_PREFIX = "ed25519:"

# BidData field → file name, for the data that feeds the technical and commercial parts. Prices, internal cost
# and acceptance records are not reviewed.
REVIEWED_DATA = {
    "config": "bidkit.yaml",
    "company": "company.yaml",
    "project": "project.yaml",
    "tender": "tender.yaml",
    "solution": "solution.yaml",
    "responses": "responses.yaml",
}
# fields of reviewed files that no bid chapter shows: internal figures that must not close the price lock
UNREVIEWED = {"project": frozenset({"target_margin"})}

Decision = Literal["approved", "rejected"]
StateName = Literal["not requested", "pending", "approved", "stale", "rejected"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(value: Any) -> bytes:
    """The one JSON form that is hashed and signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def data_digests(data: BidData) -> dict[str, str]:
    """``{"responses.yaml: technical": sha256, ...}``: one digest per top-level field of each reviewed file."""
    out: dict[str, str] = {}
    for key, file_name in REVIEWED_DATA.items():
        # defaults left out: a field bidkit adds later (at its default) does not make every approval stale
        dumped = getattr(data, key).model_dump(mode="json", exclude_defaults=True)
        for name, value in dumped.items():
            if name not in UNREVIEWED.get(key, ()):
                out[f"{file_name}: {name}"] = sha256(canonical(value))
    return out


def template_input(part: str) -> str:
    return f"template: {part}"


def file_input(rel: str) -> str:
    return f"file: {rel}"


def embedded_files(data: BidData) -> list[str]:
    """Workspace files the book is made of besides its templates: chapter files (.docx, .pdf), the attachments
    its chapters hold, ID card copies, seal and signature images, and every qualification scan."""
    book = plan(data)
    index = attachment_index(data)
    files = [q.scan for q in data.company.qualifications]
    files += [pc.file for pc in book.chapters() if pc.file]
    files += [index[a].path for pc in book.chapters() for a in pc.attachments if a in index]
    c = data.company
    agent = data.responses.authorisation.agent
    files += [p for p in (c.company_seal, c.legal_rep_seal, c.legal_rep_signature, c.legal_rep.id_card_front,
                          c.legal_rep.id_card_back, agent.id_card_front, agent.id_card_back) if p]
    return sorted(set(files))


def templates_used(data: BidData) -> list[str]:
    """The bid forms the book renders (their templates are bound into the approval like the data)."""
    return sorted({pc.form for pc in plan(data).chapters() if pc.form is not None})


def combined(digests: dict[str, str]) -> str:
    """One digest for the whole map (for the audit log and messages)."""
    return sha256(canonical(digests))


def changed_inputs(approved: dict[str, str], current: dict[str, str]) -> list[str]:
    """Names whose digest differs, appeared or disappeared, in a stable order."""
    names = sorted(set(approved) | set(current))
    return [n for n in names if approved.get(n) != current.get(n)]


# --- request and signed statements ---------------------------------------------------------------------------


class Request(Model):
    """A review request (unsigned: it records what the pre-sales engineer asked QA to review)."""

    format: Literal["bidkit-review/1"] = FORMAT
    kind: Literal["request"] = "request"
    project: Text
    requested_by: Text
    time: Text  # ISO 8601 UTC
    digests: dict[str, str]


class Statement(Model):
    """A QA decision, signed by the reviewer's Ed25519 key over :meth:`payload` (everything but the signature:
    the inputs' digests, the request answered and the log's head at the decision's place)."""

    format: Literal["bidkit-review/1"] = FORMAT
    kind: Literal["decision"] = "decision"
    project: Text
    decision: Decision
    reviewer: Text
    time: Text  # ISO 8601 UTC
    comment: str = ""
    digests: dict[str, str]
    public_key: Text
    log_head: str = ""  # the audit log's head hash the decision follows: its place, signed
    request: str = ""  # the hash of the log entry of the request it answers
    signature: str = ""

    def payload(self) -> bytes:
        return canonical(self.model_dump(mode="json", exclude={"signature"}))


def parse_statement(obj: Any) -> Statement | str:
    """A :class:`Statement` from parsed JSON, or the first problem as text."""
    try:
        return Statement.model_validate(obj)
    except ValidationError as exc:
        e = exc.errors()[0]
        where = ".".join(str(p) for p in e["loc"]) or "(top)"
        return f"{where}: {str(e['msg']).removeprefix('Value error, ')}"


# --- the state of the lock -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewState:
    name: StateName
    reviewer: str = ""
    time: str = ""
    comment: str = ""
    requested_by: str = ""
    changed: list[str] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.name == "approved"

    def describe(self) -> str:
        """The state for ``review status`` (the changed inputs of a stale approval are listed apart)."""
        if self.name == "pending":
            return f"pending (requested by {self.requested_by} at {self.time})"
        if self.name == "approved":
            return f"approved by {self.reviewer} at {self.time}"
        if self.name == "rejected":
            return f"rejected by {self.reviewer} at {self.time}: {self.comment}"
        if self.name == "stale":
            return f"stale (approved by {self.reviewer} at {self.time}, inputs changed since)"
        return "not requested"


def state(request: Request | None, decision: Statement | None, current: dict[str, str]) -> ReviewState:
    """The lock's state from the latest request and the latest verified decision."""
    if decision is not None and (request is None or decision.time >= request.time):
        if decision.decision == "rejected":
            return ReviewState("rejected", decision.reviewer, decision.time, decision.comment)
        changed = changed_inputs(decision.digests, current)
        if changed:
            return ReviewState("stale", decision.reviewer, decision.time, decision.comment, changed=changed)
        return ReviewState("approved", decision.reviewer, decision.time, decision.comment)
    if request is not None:
        return ReviewState("pending", time=request.time, requested_by=request.requested_by)
    return ReviewState("not requested")


def lock_message(st: ReviewState) -> str:
    """Why the price lock is closed, in one line."""
    if st.name == "not requested":
        return "price lock closed: no QA review requested yet (bidkit review request DIR, then QA approves)"
    if st.name == "pending":
        return f"price lock closed: QA review pending (requested by {st.requested_by} at {st.time})"
    if st.name == "rejected":
        return f"price lock closed: QA rejected the review ({st.reviewer} at {st.time}: {st.comment})"
    if st.name == "stale":
        return (f"price lock closed: changed since the QA approval by {st.reviewer}: {', '.join(st.changed)} "
                "(request a new review)")
    return "price lock open"
