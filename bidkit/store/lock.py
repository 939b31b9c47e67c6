"""The price lock on disk: review files, trusted reviewers, the encrypted prices and the audit trail.

Everything that reads or writes those files is here; the rules are in :mod:`bidkit.core.review` (pure). The one gate
is :func:`require_open`: anything that shows or changes prices goes through it.

Workspace files: ``reviewers.yaml`` (trusted QA keys, kept by the admin), ``review/request.json``,
``review/approval.json`` or ``review/rejection.json`` (signed), ``pricing.enc`` (the prices, encrypted),
``audit.log``. A plaintext ``pricing.yaml`` is never read as live prices: it is only a source for
``bidkit price import``, and next to ``pricing.enc`` it is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from bidkit.core import review
from bidkit.core.errors import InputError, IntegrityError, LockedError, StateError, ValidationFailed
from bidkit.core.models import PriceLine, Pricing
from bidkit.core.validation import model_problems
from bidkit.store import audit, crypto, keys, yamlio
from bidkit.store.files import atomic_write, file_sha256
from bidkit.store.templates import find_form
from bidkit.store.workspace import Workspace

REVIEWERS = "reviewers.yaml"
REQUEST = "review/request.json"
APPROVAL = "review/approval.json"
REJECTION = "review/rejection.json"
PRICES = "pricing.enc"
PLAINTEXT = "pricing.yaml"


# --- what was reviewed ---------------------------------------------------------------------------------------


def current_digests(ws: Workspace) -> dict[str, str]:
    """The digest map of everything the book is made of (data, forms, chapter files, attachments, seals), now."""
    digests = review.data_digests(ws.data)
    for form in review.templates_used(ws.data):
        digests[review.template_input(form)] = review.sha256(find_form(ws, form).path.read_bytes())
    for rel in review.embedded_files(ws.data):
        digests[review.file_input(rel)] = file_sha256(ws.path(rel, what="attachment"))
    return digests


def reviewers(ws: Workspace) -> review.Reviewers:
    path = ws.root / REVIEWERS
    if not path.exists():
        return review.Reviewers()
    raw = yamlio.parse(path.read_bytes(), REVIEWERS)
    if raw is None:
        return review.Reviewers()
    try:
        return review.Reviewers.model_validate(raw)
    except ValidationError as exc:
        raise ValidationFailed([str(p) for p in model_problems(exc, REVIEWERS, raw)]) from None


def _read_json(ws: Workspace, rel: str) -> Any:
    path = ws.root / rel
    if not path.exists():
        return None
    try:
        return json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise IntegrityError(f"{rel}: not a bidkit review file (unreadable JSON)") from None


def read_request(ws: Workspace) -> review.Request | None:
    obj = _read_json(ws, REQUEST)
    if obj is None:
        return None
    try:
        return review.Request.model_validate(obj)
    except ValidationError:
        raise IntegrityError(f"{REQUEST}: not a bidkit review request") from None


def verify_statement(ws: Workspace, rel: str, obj: Any, trusted: review.Reviewers) -> review.Statement:
    """Check one signed decision; :class:`IntegrityError` naming ``rel`` if it cannot be trusted."""
    st = review.parse_statement(obj)
    if isinstance(st, str):
        raise IntegrityError(f"{rel}: not a signed review statement ({st})")
    expected = "approved" if rel == APPROVAL else "rejected"
    if st.decision != expected:
        raise IntegrityError(f"{rel}: holds a '{st.decision}' decision, expected '{expected}'")
    code = ws.data.project.code
    if st.project != code:
        raise IntegrityError(f"{rel}: signed for project {st.project}, not {code}")
    signer = trusted.name_of(st.public_key)
    if signer is None:
        raise IntegrityError(f"{rel}: signed by a key that is not in {REVIEWERS} (not a trusted reviewer)")
    if signer != st.reviewer:
        raise IntegrityError(f"{rel}: names reviewer '{st.reviewer}' but is signed with the key of '{signer}'")
    if not keys.verify(st.public_key, st.payload(), st.signature):
        raise IntegrityError(f"{rel}: signature does not match its content (edited by hand?)")
    return st


def read_decision(ws: Workspace) -> review.Statement | None:
    """The latest verified decision (approval or rejection), or ``None``."""
    trusted: review.Reviewers | None = None
    found = []
    for rel in (APPROVAL, REJECTION):
        obj = _read_json(ws, rel)
        if obj is None:
            continue
        trusted = trusted or reviewers(ws)
        found.append(verify_statement(ws, rel, obj, trusted))
    return max(found, key=lambda s: s.time) if found else None


@dataclass(frozen=True)
class Status:
    state: review.ReviewState
    digests: dict[str, str]
    prices: str  # one line about the price file


def price_file_state(ws: Workspace) -> str:
    enc, plain = (ws.root / PRICES).exists(), (ws.root / PLAINTEXT).exists()
    if enc and plain:
        raise InputError(
            f"{PLAINTEXT}: plaintext prices beside {PRICES}: delete it (the live prices are in {PRICES})"
        )
    if plain:
        return f"prices not encrypted: run bidkit price import {ws.root} {PLAINTEXT}, then delete {PLAINTEXT}"
    if enc:
        return f"prices: {PRICES} (encrypted)"
    return f"prices: none yet (bidkit price template {ws.root} prices.xlsx, then bidkit price import)"


def status(ws: Workspace) -> Status:
    prices = price_file_state(ws)
    digests = current_digests(ws)
    st = review.state(read_request(ws), read_decision(ws), digests)
    return Status(st, digests, prices)


def require_open(ws: Workspace) -> review.ReviewState:
    """The gate: return the approved state, or raise :class:`LockedError` saying what is missing or changed."""
    st = status(ws).state
    if not st.open:
        raise LockedError(review.lock_message(st))
    return st


# --- review actions ------------------------------------------------------------------------------------------


def request(ws: Workspace, actor: str | None = None) -> review.Request:
    digests = current_digests(ws)
    who = audit.default_actor(actor)
    req = review.Request(project=ws.data.project.code, requested_by=who, time=audit.now(), digests=digests)
    atomic_write(ws.root / REQUEST, json.dumps(req.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    audit.append(ws.root, "review.request", {"inputs": review.combined(digests), "count": len(digests)}, who)
    return req


def make_statement(
    ws: Workspace, decision: review.Decision, reviewer: str, comment: str, key: Ed25519PrivateKey,
    digests: dict[str, str], time: str | None = None,
) -> review.Statement:
    st = review.Statement(
        project=ws.data.project.code, decision=decision, reviewer=reviewer, time=time or audit.now(),
        comment=comment, digests=digests, public_key=keys.public_line(key.public_key()),
    )
    return st.model_copy(update={"signature": keys.sign(key, st.payload())})


def write_statement(ws: Workspace, st: review.Statement) -> str:
    rel, other = (APPROVAL, REJECTION) if st.decision == "approved" else (REJECTION, APPROVAL)
    atomic_write(ws.root / rel, json.dumps(st.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
    (ws.root / other).unlink(missing_ok=True)  # the newer file wins by time if this step is lost
    return rel


def decide(
    ws: Workspace, decision: review.Decision, reviewer: str, comment: str, key: Ed25519PrivateKey
) -> review.Statement:
    """Sign and record QA's decision on the current inputs (they must be what was requested)."""
    trusted = reviewers(ws)
    public = keys.public_line(key.public_key())
    if public not in trusted.keys_of(reviewer):
        raise IntegrityError(
            f"{REVIEWERS}: reviewer '{reviewer}' with this key is not trusted "
            f"(the admin adds it: bidkit keys trust {ws.root} --name '{reviewer}' --public-key {public})"
        )
    req = read_request(ws)
    if req is None:
        raise StateError(f"no QA review requested: run bidkit review request {ws.root} first")
    digests = current_digests(ws)
    changed = review.changed_inputs(req.digests, digests)
    if changed:
        raise StateError(
            f"inputs changed since the review was requested: {', '.join(changed)} "
            f"(ask for a new request: bidkit review request {ws.root})"
        )
    st = make_statement(ws, decision, reviewer, comment, key, digests)
    rel = write_statement(ws, st)
    audit.append(ws.root, f"review.{'approve' if decision == 'approved' else 'reject'}",
                 {"file": rel, "inputs": review.combined(digests), "comment": comment}, reviewer)
    return st


# --- prices --------------------------------------------------------------------------------------------------


def pricing_yaml(pricing: Pricing) -> bytes:
    return yamlio.dump(pricing.model_dump(mode="json")).encode("utf-8")


def decrypt_prices(ws: Workspace, passphrase: str) -> Pricing:
    """Read ``pricing.enc`` (no lock check: callers go through :func:`require_open` first)."""
    price_file_state(ws)
    path = ws.root / PRICES
    if not path.exists():
        if (ws.root / PLAINTEXT).exists():
            raise InputError(f"prices not encrypted: run bidkit price import {ws.root} {PLAINTEXT}")
        raise InputError(f"{PRICES}: no prices yet (bidkit price import {ws.root} FILE)")
    plain = crypto.decrypt(path.read_bytes(), passphrase, ws.data.project.code, PRICES)
    try:
        return Pricing.model_validate(yamlio.parse(plain, PRICES))
    except (ValidationError, InputError):
        raise IntegrityError(f"{PRICES}: decrypted content is not a valid price list") from None


def open_prices(ws: Workspace, passphrase: str) -> Pricing:
    require_open(ws)
    return decrypt_prices(ws, passphrase)


def with_prices(ws: Workspace, passphrase: str) -> Workspace:
    """The workspace with its prices decrypted into ``data.pricing`` (only through the open lock)."""
    pricing = open_prices(ws, passphrase)
    return Workspace(root=ws.root, data=ws.data.model_copy(update={"pricing": pricing}), raw=ws.raw)


def save_prices(
    ws: Workspace, pricing: Pricing, passphrase: str, action: str, details: dict[str, Any], actor: str | None = None
) -> str:
    """Encrypt and write ``pricing`` (lock must be open; an existing file must open with the same passphrase)."""
    require_open(ws)
    if (ws.root / PRICES).exists():
        decrypt_prices(ws, passphrase)  # proves it is the same passphrase before anything is replaced
    elif (ws.root / PLAINTEXT).exists() and action != "price.import":
        raise InputError(f"prices not encrypted: run bidkit price import {ws.root} {PLAINTEXT}")
    blob = crypto.encrypt(pricing_yaml(pricing), passphrase, ws.data.project.code)
    atomic_write(ws.root / PRICES, blob)
    digest = review.sha256(blob)
    audit.append(ws.root, action, {**details, "pricing_enc": digest, "lines": len(pricing.lines)}, actor)
    return digest


def set_price(pricing: Pricing, item: str, unit_price: Decimal, bom_ids: list[str]) -> Pricing:
    if item not in bom_ids:
        raise InputError(f"{item}: unknown BOM line (one of {', '.join(bom_ids)})")
    lines = list(pricing.lines)
    for i, ln in enumerate(lines):
        if ln.item == item:
            lines[i] = ln.model_copy(update={"unit_price": unit_price})
            break
    else:
        lines.append(PriceLine(item=item, unit_price=unit_price))
        order = {b: i for i, b in enumerate(bom_ids)}
        lines.sort(key=lambda p: order[p.item])
    return pricing.model_copy(update={"lines": lines})


def record_price_render(ws: Workspace, paths: list[Path], actor: str | None = None) -> None:
    """One log entry for the price chapters one render wrote (their names and digests, never a price)."""
    rels = [str(p.relative_to(ws.root) if p.is_relative_to(ws.root) else p) for p in paths]
    digests = [review.sha256(p.read_bytes()) for p in paths]
    audit.append(ws.root, "render.price_part", {"files": rels, "sha256": digests}, actor)
