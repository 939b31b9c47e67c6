"""Render the documents after the award (reports with charts, requests, summary) into build/, then PDF.

The order rules (bidkit.core.lifecycle) run inside the context builders, so a refused request writes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bidkit.adapters import libreoffice
from bidkit.adapters.render import charts
from bidkit.adapters.render.docx import render_bytes
from bidkit.adapters.sealed import SealedCache
from bidkit.core import context as ctx_mod
from bidkit.core.errors import InputError
from bidkit.core.lifecycle import Period, ReviewCounts, check_acceptance_order, construction_figures
from bidkit.core.models import AcceptanceKind
from bidkit.core.templates import Image
from bidkit.store import audit, keys
from bidkit.store.files import atomic_path, atomic_write
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace

CHART_WIDTH_CM = 16.0
POST_AWARD = (
    "construction_plan",
    "construction_report",
    "construction_log",
    "supply_plan",
    "supply_report",
    "performance_bond_letter",
    "payment_request",
    "bid_bond_refund_request",
    "bond_refund_request",
    "project_summary",
)
INTERNAL = {"supply_report"}  # 内部资料: supplier costs; never part of a bid package


@dataclass(frozen=True)
class Output:
    name: str
    title: str
    docx: Path
    pdf: Path | None
    seconds: float


def review_counts(ws: Workspace, at: dt.date | None = None) -> ReviewCounts:
    """QA review decisions recorded in the audit log (verified) on or before ``at``: plain counts for the core."""
    counts = {"review.request": 0, "review.approve": 0, "review.reject": 0}
    for entry in audit.read(ws.root):
        day = dt.date.fromisoformat(str(entry["time"])[:10])
        if entry["action"] in counts and (at is None or day <= at):
            counts[entry["action"]] += 1
    return ReviewCounts(counts["review.request"], counts["review.approve"], counts["review.reject"])


def context_for(ws: Workspace, name: str, *, at: dt.date | None = None, period: Period = "month",
                instalment: str | None = None, record: str | None = None) -> dict[str, Any]:
    """The document's context with its ``--at``/``--period`` (``instalment`` for a payment request, ``record``
    for an acceptance form); charts as images for the construction report."""
    d = ws.data
    try:
        if name == "construction_report":
            values = ctx_mod.construction_report(d, at=at, period=period, reviews=review_counts(ws, at))
        elif name == "supply_report":
            values = ctx_mod.supply_report(d, at=at, period=period)
        elif name == "project_summary":
            values = ctx_mod.project_summary(d, at=at, reviews=review_counts(ws, at))
        elif name == "payment_request":
            values = ctx_mod.payment_request(d, at=at, instalment=instalment)
        elif name in ("construction_log", "bid_bond_refund_request", "bond_refund_request"):
            values = getattr(ctx_mod, name)(d, at=at)
        elif name in ("internal_acceptance", "rectification_notice") and record is not None:
            values = getattr(ctx_mod, name)(d, record_id=record)
        else:
            values = ctx_mod.DOCUMENTS[name].build(d)
    except LookupError as exc:
        raise InputError(f"{name}: {exc.args[0]}") from None
    if name == "construction_report":
        figures = construction_figures(d, ctx_mod._report_date(d, at), period)
        values["charts"] = {
            "gantt": Image(charts.gantt(figures, CHART_WIDTH_CM), CHART_WIDTH_CM),
            "curve": Image(charts.progress_curve(figures, CHART_WIDTH_CM), CHART_WIDTH_CM),
        }
    return ctx_mod.node("", values)


def render(ws: Workspace, name: str, *, at: dt.date | None = None, period: Period = "month",
           instalment: str | None = None, record: str | None = None) -> bytes:
    return render_bytes(find_template(ws, name),
                        context_for(ws, name, at=at, period=period, instalment=instalment, record=record))


def check_acceptance(ws: Workspace, at: dt.date | None = None) -> None:
    """Refuse acceptance records out of order (formal before an internal pass, failure without rectification)."""
    check_acceptance_order(ws.data, at)


ACCEPTANCE_TITLES = {"internal_acceptance": "内部验收单", "rectification_notice": "整改意见书"}


def render_acceptance(ws: Workspace) -> tuple[dict[str, bytes], dict[str, str]]:
    """Every acceptance form in its order: each internal acceptance (a failed one with its findings) as
    ``internal_acceptance_N``, the rectification notice it led to as ``rectification_notice_N`` (as issued), and the
    formal acceptance. Returns the .docx by output name, and their titles."""
    check_acceptance(ws)
    blobs: dict[str, bytes] = {}
    titles: dict[str, str] = {}
    records = sorted(ws.data.acceptance.records if ws.data.acceptance else [], key=lambda r: r.date)
    internal = [r for r in records if r.kind == AcceptanceKind.internal]
    for n, rec in enumerate(internal, 1):
        round_ = f"（第 {n} 次，{rec.result.label}）"
        blobs[f"internal_acceptance_{n}"] = render(ws, "internal_acceptance", record=rec.id)
        titles[f"internal_acceptance_{n}"] = f"内部验收单 {rec.id}{round_}"
        if rec.rectification is not None:
            blobs[f"rectification_notice_{n}"] = render(ws, "rectification_notice", record=rec.id)
            titles[f"rectification_notice_{n}"] = f"整改意见书 {rec.rectification.number}（签发时）"
    if any(r.kind == AcceptanceKind.formal for r in records):
        blobs["formal_acceptance"] = render(ws, "formal_acceptance")
        titles["formal_acceptance"] = "正式验收单"
    return blobs, titles


def write(
    ws: Workspace, blobs: dict[str, bytes], *, pdf: bool, seconds: dict[str, float] | None = None,
    titles: dict[str, str] | None = None,
) -> list[Output]:
    """Write each .docx atomically into build/docx/ (named by its key); with ``pdf``, convert with LibreOffice into
    build/pdf/. A key that is not a document's name takes its title from ``titles``."""
    pdfs: dict[str, Path] = {}
    if pdf:
        jobs = [libreoffice.Job(name, blob) for name, blob in blobs.items()]
        with libreoffice.LibreOffice(SealedCache(ws.build_dir / "cache" / "pdf", keys.cache_secret())) as office:
            for name, conv in office.convert(jobs).items():
                target = ws.build_dir / "pdf" / f"{name}.pdf"
                with atomic_path(target) as tmp:
                    tmp.write_bytes(conv.pdf.read_bytes())
                pdfs[name] = target
    out = []
    for name, blob in blobs.items():
        target = ws.build_dir / "docx" / f"{name}.docx"
        atomic_write(target, blob)
        title = (titles or {}).get(name) or ctx_mod.DOCUMENTS[name].title
        out.append(Output(name, title, target, pdfs.get(name), (seconds or {}).get(name, 0.0)))
    return out


def render_all(ws: Workspace, names: list[str], *, at: dt.date | None = None, period: Period = "month",
               pdf: bool = False, instalment: str | None = None) -> list[Output]:
    """Render ``names`` in memory first (a refusal writes nothing), then write them."""
    blobs: dict[str, bytes] = {}
    seconds: dict[str, float] = {}
    for name in names:
        start = time.perf_counter()
        blobs[name] = render(ws, name, at=at, period=period, instalment=instalment)
        seconds[name] = time.perf_counter() - start
    return write(ws, blobs, pdf=pdf, seconds=seconds)
