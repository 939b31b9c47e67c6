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
from bidkit.core import context as ctx_mod
from bidkit.core.errors import InputError
from bidkit.core.lifecycle import Period, check_acceptance_order, construction_figures
from bidkit.core.templates import Image
from bidkit.store.files import atomic_path, atomic_write
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace

CHART_WIDTH_CM = 16.0
POST_AWARD = (
    "construction_plan",
    "construction_report",
    "supply_plan",
    "supply_report",
    "payment_request",
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


def context_for(ws: Workspace, name: str, *, at: dt.date | None = None, period: Period = "month") -> dict[str, Any]:
    """The document's context with its ``--at``/``--period``; charts as images for the construction report."""
    d = ws.data
    try:
        if name in ("construction_report", "supply_report"):
            build = ctx_mod.construction_report if name == "construction_report" else ctx_mod.supply_report
            values = build(d, at=at, period=period)
        elif name in ("payment_request", "bond_refund_request", "project_summary"):
            values = getattr(ctx_mod, name)(d, at=at)
        else:
            values = ctx_mod.DOCUMENTS[name].build(d)
    except LookupError as exc:
        raise InputError(f"{name}: {exc.args[0]}") from None
    if name == "construction_report":
        figures = construction_figures(d, ctx_mod._report_date(d, at), period)
        values["charts"] = {
            "gantt": Image(charts.gantt(figures), CHART_WIDTH_CM),
            "curve": Image(charts.progress_curve(figures), CHART_WIDTH_CM),
        }
    return ctx_mod.node("", values)


def render(ws: Workspace, name: str, *, at: dt.date | None = None, period: Period = "month") -> bytes:
    return render_bytes(find_template(ws, name), context_for(ws, name, at=at, period=period))


def check_acceptance(ws: Workspace, at: dt.date | None = None) -> None:
    """Refuse acceptance records out of order (formal before an internal pass, failure without rectification)."""
    check_acceptance_order(ws.data, at)


def write(
    ws: Workspace, blobs: dict[str, bytes], *, pdf: bool, seconds: dict[str, float] | None = None
) -> list[Output]:
    """Write each .docx atomically into build/docx/; with ``pdf``, convert with LibreOffice into build/pdf/."""
    pdfs: dict[str, Path] = {}
    if pdf:
        jobs = [libreoffice.Job(name, blob) for name, blob in blobs.items()]
        converted = libreoffice.convert(jobs, ws.build_dir / "cache" / "pdf")
        for name, conv in converted.items():
            target = ws.build_dir / "pdf" / f"{name}.pdf"
            with atomic_path(target) as tmp:
                tmp.write_bytes(conv.pdf.read_bytes())
            pdfs[name] = target
    out = []
    for name, blob in blobs.items():
        target = ws.build_dir / "docx" / f"{name}.docx"
        atomic_write(target, blob)
        out.append(Output(name, ctx_mod.DOCUMENTS[name].title, target, pdfs.get(name), (seconds or {}).get(name, 0.0)))
    return out


def render_all(ws: Workspace, names: list[str], *, at: dt.date | None = None, period: Period = "month",
               pdf: bool = False) -> list[Output]:
    """Render ``names`` in memory first (a refusal writes nothing), then write them."""
    blobs: dict[str, bytes] = {}
    seconds: dict[str, float] = {}
    for name in names:
        start = time.perf_counter()
        blobs[name] = render(ws, name, at=at, period=period)
        seconds[name] = time.perf_counter() - start
    return write(ws, blobs, pdf=pdf, seconds=seconds)
