"""The project path: ``bidkit status``, ``bidkit report …``, ``bidkit acceptance``, ``bidkit request …``.

Each command renders into DIR/build/docx/ (and DIR/build/pdf/ with LibreOffice unless ``--no-pdf``); a refused
order (StateError) writes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core import lifecycle
from bidkit.core.money import format_amount
from bidkit.pipeline import reports
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
request_app = typer.Typer(help="Payment requests (per instalment) and the bond refund requests.",
                          no_args_is_help=True)


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


def _money(value: Decimal) -> str:
    return f"¥{format_amount(value)}"


def status(directory: Dir, at: At = None) -> None:
    """Show the whole path: the stage, who leads, the documents due next, money expected and received, the bonds
    outstanding, and what is overdue."""
    ws = _load(directory)
    st = lifecycle.status(ws.data, _date(at))
    out(f"as of {st.at}")
    out(f"stage: {st.stage_label} ({st.stage}), step {st.steps} of {lifecycle.PATH_STEPS} of the project path")
    out(f"lead: {st.lead_role.label} {st.lead_name}")
    out("next due: " + ("、".join(st.due) if st.due else "—"))
    if st.contract is None:
        out("money: no contract yet")
    else:
        share = st.received * 100 / st.contract if st.contract else Decimal(0)
        out(f"money: contract {_money(st.contract)}; received {_money(st.received)} ({share:.0f}%); "
            f"requested, not received {_money(st.requested)}; expected {_money(st.contract - st.received)}")
        for i in st.instalments:
            pct = f"{i.instalment.percent.normalize():f}%"
            if i.state == "received":
                state = f"received {i.received}"
            elif i.state == "requested":
                assert i.request is not None
                state = f"requested {i.request.date} ({i.request.number}), not received"
            elif i.state == "due":
                state = "due: request it (bidkit request payment --instalment " + i.instalment.name + ")"
            else:
                state = f"not due ({i.instalment.condition.label})"
            out(f"  {i.instalment.name} {pct} {_money(i.amount)}: {state}")
    held = [b for b in st.bonds if b.outstanding]
    if not held:
        out("bonds outstanding: none")
    else:
        out(f"bonds outstanding ({len(held)}):")
        for b in held:
            if b.refund_requested is not None:
                refund = f"refund requested {b.refund_requested}"
            elif b.refund_from is not None:
                refund = f"refund from {b.refund_from}" if b.refund_from > st.at else "refund due now (销售代表)"
            elif b.kind == "bid_bond":
                refund = "refund after the result (contract signed, or the losing notice)"
            else:
                refund = "refund after the warranty period"
            out(f"  {b.label} {_money(b.amount)}: paid {b.paid}, {refund}")
    if st.overdue:
        out(f"overdue ({len(st.overdue)}):")
        for item in st.overdue:
            out(f"  {item}")
    else:
        out("overdue: none")


@report_app.command("construction")
def report_construction(directory: Dir, period: PeriodOpt = PeriodChoice.month, at: At = None,
                        pdf: Pdf = True) -> None:
    """项目施工报告书 by month or week: plan vs actual per task and period, slippage, staffing to date, 考评, Gantt
    chart and progress curve; by day: the 施工日志 (that day's work, people, materials, issues, weather)."""
    ws = _load(directory)
    name = "construction_log" if period == PeriodChoice.day else "construction_report"
    _show(reports.render_all(ws, [name], at=_date(at), period=period.value, pdf=pdf))


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
    """Check the order of the acceptance records, then render every 内部验收单 (a failed one with its findings),
    the 整改意见书 as issued, and the 正式验收单."""
    ws = _load(directory)
    blobs, titles = reports.render_acceptance(ws)
    if not blobs:
        out("no acceptance records in acceptance.yaml")
        return
    _show(reports.write(ws, blobs, pdf=pdf, titles=titles))


@request_app.command("payment")
def request_payment(
    directory: Dir,
    instalment: Annotated[
        str | None,
        typer.Option("--instalment", help="The contract instalment (award.yaml instalments, e.g. 预付款): its "
                                          "recorded request, or a new one dated --at.", show_default=False),
    ] = None,
    at: At = None,
    pdf: Pdf = True,
) -> None:
    """回款申请 for one contract instalment, refused only while that instalment's own condition is unmet (contract
    signed, installation done, acceptance passed, warranty ended). Without --instalment: the latest request in
    payments.yaml on or before --at."""
    ws = _load(directory)
    when = at.date() if at else (dt.date.today() if instalment else None)
    recorded = instalment is not None and at is None and _recorded(ws, instalment)
    _show(reports.render_all(ws, ["payment_request"], at=None if recorded else when, pdf=pdf,
                             instalment=instalment))


def _recorded(ws: Workspace, instalment: str) -> bool:
    award = ws.data.award
    reqs = ws.data.payments.requests if ws.data.payments else []
    inst = award.instalment(instalment) if award else None
    return inst is not None and award is not None and any(award.instalment(r.instalment) == inst for r in reqs)


@request_app.command("bond-refund")
def request_bond_refund(directory: Dir, at: At = None, pdf: Pdf = True) -> None:
    """履约保证金退回申请 (from the sales rep): refused until the warranty period has ended (says how many days
    remain)."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["bond_refund_request"], at=_date(at), pdf=pdf))


@request_app.command("bid-bond-refund")
def request_bid_bond_refund(directory: Dir, at: At = None, pdf: Pdf = True) -> None:
    """投标保证金退回申请 (from the sales rep): after the contract is signed, or after the losing notice."""
    ws = _load(directory)
    _show(reports.render_all(ws, ["bid_bond_refund_request"], at=_date(at), pdf=pdf))
