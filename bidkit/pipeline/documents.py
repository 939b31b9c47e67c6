"""Render workspace documents: a document's context (core) through its template (store) with docxtpl
(adapter), and ``bidkit render``'s writing into build/ (atomically, all or nothing)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from bidkit.adapters.render.docx import missing_variables, render_bytes
from bidkit.core import context as ctx_mod
from bidkit.core import review
from bidkit.core.errors import InputError
from bidkit.store import crypto, lock
from bidkit.store.files import atomic_write
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace


@dataclass(frozen=True)
class Rendered:
    name: str
    title: str
    path: Path
    seconds: float


def render_document(ws: Workspace, name: str) -> bytes:
    """The .docx of document ``name`` rendered from the workspace's data (nothing written)."""
    if name not in ctx_mod.DOCUMENTS:
        raise InputError(f"{name}: unknown document (one of {', '.join(ctx_mod.DOCUMENTS)})")
    try:
        context = ctx_mod.build(name, ws.data)
    except LookupError as exc:
        raise InputError(f"{name}: {exc.args[0]}") from None
    return render_bytes(find_template(ws, name), context)


def available(ws: Workspace) -> list[str]:
    """Documents the workspace has data for, in a stable order."""
    d = ws.data
    names = ["feasibility_report"] if d.project.feasibility else []
    if d.project.initiation:
        names.append("initiation_request")
    names += ["technical_part", "commercial_part"]
    if d.pricing is not None:
        names.append("price_part")
    records = d.acceptance.records if d.acceptance else []
    if any(r.kind.value == "internal" for r in records):
        names.append("internal_acceptance")
    if any(r.rectification is not None for r in records):
        names.append("rectification_notice")
    if any(r.kind.value == "formal" for r in records):
        names.append("formal_acceptance")
    return names


def output_path(ws: Workspace, name: str) -> Path:
    return ws.build_dir / "docx" / f"{name}.docx"


def with_prices_for_render(ws: Workspace, only: list[str] | None) -> tuple[Workspace, str | None]:
    """Prepare ``bidkit render``: with ``--only price_part`` go through the gate (and ask for the passphrase);
    without ``--only`` include the price part only when the lock is open and ``$BIDKIT_PRICE_PASSPHRASE`` is set
    (never a prompt), else return a note saying why it was skipped."""
    if only:
        if "price_part" in only:
            lock.require_open(ws)
            return lock.with_prices(ws, crypto.passphrase()), None
        return ws, None
    try:
        st = lock.status(ws)
    except InputError as exc:
        return ws, f"price part skipped: {exc.message}"
    if not st.state.open:
        return ws, f"price part skipped: {review.lock_message(st.state)}"
    if not (ws.root / lock.PRICES).exists():
        return ws, f"price part skipped: {st.prices}"
    if not os.environ.get(crypto.ENV):
        return ws, f"price part skipped: set {crypto.ENV} to include it, or render it with --only price_part"
    return lock.with_prices(ws, crypto.passphrase()), None


def render(ws: Workspace, only: list[str] | None = None) -> list[Rendered]:
    """Render ``only`` (or every available document); all are rendered in memory before any is written."""
    names = only or available(ws)
    for name in names:
        if name not in ctx_mod.DOCUMENTS:
            raise InputError(f"{name}: unknown document (one of {', '.join(ctx_mod.DOCUMENTS)})")
    if "price_part" in names:
        lock.require_open(ws)  # the price lock: raises LockedError while no approval matches
        if ws.data.pricing is None:
            raise InputError("price_part: prices not loaded (bidkit.store.lock.with_prices decrypts them)")
    blobs = []
    for name in names:
        start = time.perf_counter()
        blobs.append((name, render_document(ws, name), time.perf_counter() - start))
    out = []
    for name, blob, seconds in blobs:
        path = output_path(ws, name)
        atomic_write(path, blob)
        out.append(Rendered(name, ctx_mod.DOCUMENTS[name].title, path, seconds))
        if name == "price_part":
            lock.record_price_render(ws, path)
    return out


def unknown_variables(ws: Workspace, name: str) -> tuple[str, list[str]]:
    """Where document ``name``'s template is, and the dotted names it uses that its context does not provide."""
    source = find_template(ws, name)
    return source.display, missing_variables(source, ctx_mod.build(name, ws.data))
