"""After the award: ``bidkit status``, ``bidkit report …``, ``bidkit acceptance``, ``bidkit request …``.

Each command renders into DIR/build/docx/ (and DIR/build/pdf/ with LibreOffice unless ``--no-pdf``); a refused
order (StateError) writes nothing.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core import lifecycle
from bidkit.pipeline import reports
from bidkit.pipeline.documents import available
from bidkit.store.workspace import Workspace

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]
At = Annotated[
    dt.datetime | None,
    typer.Option("--at", formats=["%Y-%m-%d"], help="As of this date, YYYY-MM-DD (default: today).",
                 show_default=False),
]
Pdf = Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also convert to PDF with LibreOffice.")]


class PeriodChoice(str, Enum):
    month = "month"
    week = "week"
    day = "day"


PeriodOpt = Annotated[PeriodChoice, typer.Option("--period", help="Report period.")]

report_app = typer.Typer(help="Construction and supply reports, plans and the project summary.", no_args_is_help=True)
request_app = typer.Typer(help="Payment request and performance bond refund request.", no_args_is_help=True)


def _date(at: dt.datetime | None) -> dt.date:
    return at.date() if at is not None else dt.date.today()


def _load(directory: Path) -> Workspace:
    return common.load(directory)


def _show(outputs: list[reports.Output]) -> None:
    for o in outputs:
        internal = "  （内部资料）" if o.name in reports.INTERNAL else ""
        out(f"{o.docx}  {o.title}{internal}")
        if o.pdf is not None:
            out(f"{o.pdf}  {o.title} PDF")


def status(directory: Dir, at: At = None) -> None:
    """Show the project's stage, who leads, the documents due next and what is overdue."""
    ws = _load(directory)
    st = lifecycle.status(ws.data, _date(at))
    out(f"as of {st.at}")
    out(f"stage: {st.stage_label} ({st.stage})")
    out(f"lead: {st.lead_role.label} {st.lead_name}")
    out("next due: " + ("、".join(st.due) if st.due else "—"))
    if st.overdue:
        out(f"overdue ({len(st.overdue)}):")
        for item in st.overdue:
            out(f"  {item}")
    else:
        out("overdue: none")


@report_app.command("construction")
def report_construction(directory: Dir, period: PeriodOpt = PeriodChoice.month, at: At = None,
                        pdf: Pdf = True) -> None:
    """项目施工报告书: plan vs actual per task and period, slippage, staffing, Gantt chart and progress curve."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["construction_report"], at=_date(at), period=period.value, pdf=pdf))


@report_app.command("supply")
def report_supply(directory: Dir, period: PeriodOpt = PeriodChoice.month, at: At = None, pdf: Pdf = True) -> None:
    """项目设备供货报告 (internal): late deliveries, cost vs budget, supplier rating."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["supply_report"], at=_date(at), period=period.value, pdf=pdf))


@report_app.command("plan")
def report_plan(directory: Dir, pdf: Pdf = True) -> None:
    """施工方案 and 设备供货方案."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["construction_plan", "supply_plan"], pdf=pdf))


@report_app.command("summary")
def report_summary(directory: Dir, at: At = None, pdf: Pdf = True) -> None:
    """项目总结: planned vs actual dates per stage, acceptance rounds and rectifications, on-time rates."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["project_summary"], at=_date(at), pdf=pdf))


def acceptance(directory: Dir, pdf: Pdf = True) -> None:
    """Check the order of the acceptance records, then render 内部验收单, 整改意见书 and 正式验收单."""
    ws = _load(directory)
    reports.check_acceptance(ws)
    names = [n for n in available(ws) if n in ("internal_acceptance", "rectification_notice", "formal_acceptance")]
    if not names:
        out("no acceptance records in acceptance.yaml")
        return
    _show(reports.write(ws, {n: reports.render(ws, n) for n in names}, pdf=pdf))


@request_app.command("payment")
def request_payment(directory: Dir, at: At = None, pdf: Pdf = True) -> None:
    """回款申请: the latest payment request in payments.yaml (on or before --at); refused before the formal
    acceptance has passed."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["payment_request"], at=at.date() if at else None, pdf=pdf))


@request_app.command("bond-refund")
def request_bond_refund(directory: Dir, at: At = None, pdf: Pdf = True) -> None:
    """履约保证金退回申请: refused until the warranty period has ended (says how many days remain)."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["bond_refund_request"], at=_date(at), pdf=pdf))
