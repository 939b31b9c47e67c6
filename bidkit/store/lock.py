"""The price lock on disk: the review chain, the encrypted prices and the audit trail.

Everything that reads or writes those is here; the rules are in :mod:`bidkit.core.review` (pure). The one gate
is :func:`require_open`: anything that shows or changes prices goes through it.

The review lives in the workspace's ``audit.log``, in order: a request (unsigned, logged under the operating-system
login) and QA's decisions, each signed by the reviewer's key over the inputs' digests, the request it answers and
the log's head at its place — so a decision cannot be moved, replayed or kept after a later request or rejection,
and rewriting the log before it breaks its signature. Which reviewer keys count comes from the company trust files
installed on this machine (:mod:`bidkit.store.trust`), never from the workspace. ``pricing.enc`` holds the prices,
encrypted; a plaintext ``pricing.yaml`` is never read as live prices: it is only a source for
``bidkit price import``, and next to ``pricing.enc`` it is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from bidkit.core import review
from bidkit.core import trust as trust_mod
from bidkit.core.errors import InputError, IntegrityError, LockedError, OutputError, StateError
from bidkit.core.models import PriceLine, Pricing
from bidkit.store import audit, crypto, keys, trust, witness, yamlio
from bidkit.store.files import atomic_path, file_sha256
from bidkit.store.templates import find_form
from bidkit.store.workspace import Workspace

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
    # every file under templates/, used or not yet: one dropped in after the approval closes the lock at once
    folder = ws.root / "templates"
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if (path.is_file() or path.is_symlink()) and not path.name.startswith("."):
                rel = path.relative_to(ws.root).as_posix()
                digests[review.file_input(rel)] = file_sha256(ws.path(rel, what="template"))
    return digests


# --- the review chain: requests and signed decisions, in order, in the audit log ---------------------------


@dataclass(frozen=True)
class Chain:
    """The review as the audit log records it: the latest request, the latest decision (signature, place and
    request checked) and which of the two came last."""

    request: review.Request | None = None
    request_hash: str = ""
    decision: review.Statement | None = None
    decision_seq: int = 0
    last: str = ""  # "request", "decision" or "" (nothing yet)


def _request_of(entry: dict[str, Any], code: str) -> review.Request:
    digests = entry["details"].get("digests")
    if not isinstance(digests, dict):
        raise IntegrityError(f"{audit.LOG_NAME}:{entry['seq']}: review request without its digests")
    return review.Request(project=code, requested_by=entry["actor"], time=entry["time"], digests=digests)


def other_review(home: Path) -> str:
    """What resets a review of another project: a log copied with another bid (``bidkit init`` copies the
    sample's), or project.yaml's code changed."""
    return (f"if project.yaml code was changed, change it back; if the log came with a copy of another bid (bidkit "
            f"init copies the sample's), delete {audit.LOG_NAME} and ask QA for a new review (bidkit review request "
            f"{home}), or start the bid with bidkit new")


def _statement_of(entry: dict[str, Any], request_hash: str, code: str, home: Path) -> review.Statement:
    where = f"{audit.LOG_NAME}:{entry['seq']}"
    st = review.parse_statement(entry["details"].get("statement"))
    if isinstance(st, str):
        raise IntegrityError(f"{where}: not a signed QA decision ({st})")
    expected = "approved" if entry["action"] == "review.approve" else "rejected"
    if st.decision != expected:
        raise IntegrityError(f"{where}: holds a '{st.decision}' decision under '{entry['action']}'")
    if st.project != code:
        raise IntegrityError(f"{where}: QA decision signed for project {st.project}, not {code}: {other_review(home)}")
    if not keys.verify(st.public_key, st.payload(), st.signature):
        raise IntegrityError(f"{where}: QA decision's signature does not match its content (edited by hand?)")
    if st.log_head != entry["prev"]:
        raise IntegrityError(f"{where}: QA decision is not where it was signed (log entries before it were "
                             "removed, added or rewritten)")
    if st.request != request_hash:
        raise IntegrityError(f"{where}: QA decision answers another request than the one before it")
    return st


def chain(ws: Workspace, entries: list[dict[str, Any]] | None = None) -> Chain:
    """Read the review out of the audit log; :class:`IntegrityError` naming the entry when it was tampered with."""
    code = ws.data.project.code
    out = Chain()
    for entry in audit.read(ws.root) if entries is None else entries:
        if entry["action"] == "review.request":
            out = Chain(_request_of(entry, code), entry["hash"], out.decision, out.decision_seq, "request")
        elif entry["action"] in ("review.approve", "review.reject"):
            st = _statement_of(entry, out.request_hash, code, ws.home)
            out = Chain(out.request, out.request_hash, st, entry["seq"], "decision")
    return out


def voucher_of(ws: Workspace, st: review.Statement) -> trust_mod.Voucher:
    """The installed trust file that vouches for the decision's key; :class:`IntegrityError` when none does."""
    code = ws.data.project.code
    found = trust_mod.vouching(trust.installed(), code, st.public_key)
    if found is None:
        raise IntegrityError(
            f"{audit.LOG_NAME}: the QA decision of {st.time} is signed by a key that no installed trust file "
            f"vouches for (project {code}): bidkit trust show lists what this machine trusts")
    name, tf = found
    if name != st.reviewer:
        raise IntegrityError(f"{audit.LOG_NAME}: the QA decision of {st.time} names reviewer '{st.reviewer}' but "
                             f"is signed with the key of '{name}'")
    return trust_mod.voucher(tf)


@dataclass(frozen=True)
class Status:
    state: review.ReviewState
    digests: dict[str, str]
    prices: str  # one line about the price file
    voucher: trust_mod.Voucher | None = None  # who vouches for the latest decision's key
    decision: review.Statement | None = None


def price_file_state(ws: Workspace) -> str:
    enc, plain = (ws.root / PRICES).exists(), (ws.root / PLAINTEXT).exists()
    if enc and plain:
        raise InputError(
            f"{PLAINTEXT}: plaintext prices beside {PRICES}: delete it (the live prices are in {PRICES})"
        )
    if plain:
        return f"prices not encrypted: run bidkit price import {ws.home} {PLAINTEXT}, then delete {PLAINTEXT}"
    if enc:
        return f"prices: {PRICES} (encrypted)"
    return f"prices: none yet (bidkit price template {ws.home} prices.xlsx, then bidkit price import)"


def status(ws: Workspace) -> Status:
    prices = price_file_state(ws)
    digests = current_digests(ws)
    ch = chain(ws)
    voucher = voucher_of(ws, ch.decision) if ch.decision is not None and ch.last == "decision" else None
    decision = ch.decision if ch.last == "decision" else None
    st = review.state(ch.request if ch.last == "request" else None, decision, digests)
    return Status(st, digests, prices, voucher, decision)


def require_open(ws: Workspace) -> review.ReviewState:
    """The gate: return the approved state, or raise :class:`LockedError` saying what is missing or changed."""
    return open_status(ws).state


def open_status(ws: Workspace, found: Status | None = None) -> Status:
    """:func:`status` through the gate (:class:`LockedError` unless the lock is open); ``found``: the status
    already read for this ``ws`` when it cannot have changed since (an assembly's private snapshot)."""
    found = found or status(ws)
    if not found.state.open:
        raise LockedError(review.lock_message(found.state))
    return found


# --- review actions ------------------------------------------------------------------------------------------


def request(ws: Workspace) -> review.Request:
    """Ask QA to review the inputs as they are now (logged under the operating-system login); any earlier
    approval no longer opens the lock."""
    digests = current_digests(ws)
    entry = audit.append(ws.root, "review.request", {"inputs": review.combined(digests), "count": len(digests),
                                                     "digests": digests})
    return _request_of(entry, ws.data.project.code)


def make_statement(
    ws: Workspace, decision: review.Decision, reviewer: str, comment: str, key: Ed25519PrivateKey,
    digests: dict[str, str], *, log_head: str, request_hash: str, time: str | None = None,
) -> review.Statement:
    st = review.Statement(
        project=ws.data.project.code, decision=decision, reviewer=reviewer, time=time or audit.now(),
        comment=comment, digests=digests, public_key=keys.public_line(key.public_key()), log_head=log_head,
        request=request_hash,
    )
    return st.model_copy(update={"signature": keys.sign(key, st.payload())})


def decide(
    ws: Workspace, decision: review.Decision, reviewer: str, comment: str, key: Ed25519PrivateKey
) -> review.Statement:
    """Sign and record QA's decision on the current inputs (they must be what the latest request asked about);
    the signature covers the log's head, so the decision cannot be moved, and QA's own witness file keeps it."""
    code = ws.data.project.code
    public = keys.public_line(key.public_key())
    found = trust_mod.vouching(trust.installed(), code, public)
    if found is None or found[0] != reviewer:
        raise IntegrityError(
            f"reviewer '{reviewer}' with this key is not trusted on this machine for project {code} (the company "
            f"admin adds the key to the company trust file: bidkit trust add FILE --name '{reviewer}' "
            f"--public-key {public}; then bidkit trust install FILE --fingerprint …)"
        )
    digests = current_digests(ws)
    made: list[review.Statement] = []

    def details(head: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        ch = chain(ws, entries)
        if ch.request is None:
            raise StateError(f"no QA review requested: run bidkit review request {ws.home} first")
        if ch.last == "decision":
            assert ch.decision is not None
            raise StateError(f"the latest request was answered already ({ch.decision.decision} by "
                             f"{ch.decision.reviewer} at {ch.decision.time}): ask for a new request")
        changed = review.changed_inputs(ch.request.digests, digests)
        if changed:
            raise StateError(f"inputs changed since the review was requested: {', '.join(changed)} "
                             f"(ask for a new request: bidkit review request {ws.home})")
        st = make_statement(ws, decision, reviewer, comment, key, digests, log_head=head,
                            request_hash=ch.request_hash)
        made.append(st)
        return {"statement": st.model_dump(mode="json"), "inputs": review.combined(digests)}

    audit.append(ws.root, f"review.{'approve' if decision == 'approved' else 'reject'}", details, reviewer)
    witness.record(ws.root, made[0])
    return made[0]


# --- prices --------------------------------------------------------------------------------------------------


def pricing_yaml(pricing: Pricing) -> bytes:
    return yamlio.dump(pricing.model_dump(mode="json")).encode("utf-8")


def decrypt_prices(ws: Workspace, passphrase: str, ahead: crypto.KeyAhead | None = None) -> Pricing:
    """Read ``pricing.enc`` (no lock check: callers go through :func:`require_open` first; ``ahead``: its key
    derived ahead, see :class:`bidkit.store.crypto.KeyAhead`)."""
    price_file_state(ws)
    path = ws.root / PRICES
    if not path.exists():
        if (ws.root / PLAINTEXT).exists():
            raise InputError(f"prices not encrypted: run bidkit price import {ws.home} {PLAINTEXT}")
        raise InputError(f"{PRICES}: no prices yet (bidkit price import {ws.home} FILE)")
    plain = crypto.decrypt(path.read_bytes(), passphrase, ws.data.project.code, PRICES, ahead)
    try:
        return Pricing.model_validate(yamlio.parse(plain, PRICES))
    except (ValidationError, InputError):
        raise IntegrityError(f"{PRICES}: decrypted content is not a valid price list") from None


def open_prices(ws: Workspace, passphrase: str) -> Pricing:
    require_open(ws)
    return decrypt_prices(ws, passphrase)


def with_prices(ws: Workspace, passphrase: str, opened: Status | None = None,
                ahead: crypto.KeyAhead | None = None) -> Workspace:
    """The workspace with its prices decrypted into ``data.pricing`` (only through the open lock). ``opened``:
    the status read for this ``ws`` when it cannot have changed since (see :func:`open_status`), not read again;
    ``ahead``: the price file's key derived ahead (:class:`crypto.KeyAhead`)."""
    open_status(ws, opened)
    pricing = decrypt_prices(ws, passphrase, ahead)
    return Workspace(root=ws.root, data=ws.data.model_copy(update={"pricing": pricing}), raw=ws.raw,
                     origin=ws.origin)


@contextlib.contextmanager
def changing_prices(ws: Workspace) -> Iterator[None]:
    """Serialise price changes: one read-modify-write at a time per workspace (two ``price set`` at once both
    land, in turn, instead of one overwriting the other). The lock is taken on the workspace folder itself, so
    it leaves no file behind."""
    try:
        fd = os.open(ws.root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"{ws.home}: cannot lock the workspace for a price change ({exc.strerror or exc})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock, also on Ctrl-C


def save_prices(ws: Workspace, pricing: Pricing, passphrase: str, action: str, details: dict[str, Any]) -> str:
    """Encrypt and write ``pricing`` (lock must be open; an existing file must open with the same passphrase).

    The new file is written beside the old one, the change logged, and only then put in place: when the log
    cannot be written, the prices stay as they were."""
    require_open(ws)
    if (ws.root / PRICES).exists():
        decrypt_prices(ws, passphrase)  # proves it is the same passphrase before anything is replaced
    elif (ws.root / PLAINTEXT).exists() and action != "price.import":
        raise InputError(f"prices not encrypted: run bidkit price import {ws.home} {PLAINTEXT}")
    blob = crypto.encrypt(pricing_yaml(pricing), passphrase, ws.data.project.code)
    digest = review.sha256(blob)
    with atomic_path(ws.root / PRICES) as tmp:
        tmp.write_bytes(blob)
        audit.append(ws.root, action, {**details, "pricing_enc": digest, "lines": len(pricing.lines)})
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


def record_price_view(ws: Workspace, blobs: dict[str, bytes]) -> None:
    """One log entry for the price chapters ``render --only price`` showed (their names and digests, never a
    price); logged before they are shown."""
    audit.append(ws.root, "render.price", {"files": sorted(blobs),
                                           "sha256": [review.sha256(blobs[n]) for n in sorted(blobs)]})
