"""Render workspace documents into build/ (atomically, one file per document)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .. import context as ctx_mod
from ..errors import InputError
from ..workspace import Workspace, atomic_write
from .docx import render_document


@dataclass(frozen=True)
class Rendered:
    name: str
    title: str
    path: Path
    seconds: float


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


def render(ws: Workspace, only: list[str] | None = None) -> list[Rendered]:
    """Render ``only`` (or every available document); all are rendered in memory before any is written."""
    names = only or available(ws)
    for name in names:
        if name not in ctx_mod.DOCUMENTS:
            raise InputError(f"{name}: unknown document (one of {', '.join(ctx_mod.DOCUMENTS)})")
    if "price_part" in names:
        from ..lock import require_open

        require_open(ws)  # the price lock: raises LockedError while no approval matches
        if ws.data.pricing is None:
            raise InputError("price_part: prices not loaded (bidkit.lock.with_prices decrypts them)")
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
            from ..lock import record_price_render

            record_price_render(ws, path)
    return out
