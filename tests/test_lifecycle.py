"""After the award: report figures on a small hand-computed case, stage and lead, and the order rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from bidkit.core import lifecycle
from bidkit.core.errors import StateError
from bidkit.core.models import BidData, ConstructionPlan, Progress, Supply
from bidkit.store import workspace
from tests.helpers import SAMPLE, Result, snapshot

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def sample() -> BidData:
    return workspace.load(SAMPLE).data


def small_case(sample: BidData) -> BidData:
    """Two 10-day tasks, one role, four purchase orders: figures small enough to compute by hand."""
    plan = ConstructionPlan.model_validate(
        {
            "tasks": [
                {"id": "A", "name": "甲", "start": "2027-03-01", "end": "2027-03-10"},
                {"id": "B", "name": "乙", "start": "2027-03-06", "end": "2027-03-15"},
            ],
            "staffing": [{"role": "X", "count": 2, "start": "2027-03-01", "end": "2027-03-10"}],
        }
    )
    solution = sample.solution.model_copy(update={"construction": plan})
    progress = Progress.model_validate(
        {
            "records": [
                {"task": "A", "date": "2027-03-05", "percent": 50, "started": "2027-03-02"},
                {"task": "A", "date": "2027-03-12", "percent": 100},
                {"task": "B", "date": "2027-03-08", "percent": 20},
                {"task": "B", "date": "2027-03-14", "percent": 60},
            ],
            "staffing": [
                {"role": "X", "date": "2027-03-03", "count": 1},
                {"role": "X", "date": "2027-03-06", "count": 3},
            ],
        }
    )
    order = {"ordered": "2027-02-01", "cost": "100.00"}
    supply = Supply.model_validate(
        {
            "orders": [
                {**order, "number": "O1", "item": "B01", "supplier": "S1", "promised": "2027-03-05",
                 "arrived": "2027-03-04", "defects": 1},
                {**order, "number": "O2", "item": "B02", "supplier": "S1", "promised": "2027-03-06",
                 "arrived": "2027-03-09"},
                {**order, "number": "O3", "item": "B03", "supplier": "S2", "promised": "2027-03-10"},
                {**order, "number": "O4", "item": "B04", "supplier": "S2", "promised": "2027-03-20"},
            ]
        }
    )
    return sample.model_copy(update={"solution": solution, "progress": progress, "supply": supply})


def test_task_figures_and_slippage(sample: BidData) -> None:
    f = lifecycle.construction_figures(small_case(sample), D("2027-03-12"), "week")
    a, b = f.tasks
    assert (a.planned, a.actual, a.start, a.end, a.slippage) == (Decimal(100), 100, D("2027-03-02"), D("2027-03-12"), 2)
    # B: 7 of 10 planned days gone; 20% done (the 60% record is later); started 2 days late
    assert (b.planned, b.actual, b.start, b.end, b.slippage) == (Decimal(70), 20, D("2027-03-08"), None, 2)
    assert b.before_period == 0 and a.before_period == 50  # the week starts on Monday 8 March
    assert (f.planned, f.actual) == (Decimal("85.0"), Decimal("60.0"))
    assert [t.task.id for t in f.late] == ["A", "B"]


def test_cumulative_progress_per_week(sample: BidData) -> None:
    f = lifecycle.construction_figures(small_case(sample), D("2027-03-12"), "week")
    rows = [(c.span.start, c.planned, c.actual) for c in f.curve]
    assert rows == [
        (D("2027-03-01"), Decimal("45.0"), Decimal("25.0")),  # A 70%, B 20% planned; A 50% done
        (D("2027-03-08"), Decimal("85.0"), Decimal("60.0")),  # the current week: both as of the 12th
        (D("2027-03-15"), Decimal("100.0"), None),
    ]
    assert f.curve[1].span.label == "2027年第10周（3月8日—3月14日）"


def test_cumulative_progress_per_month_and_day(sample: BidData) -> None:
    data = small_case(sample)
    month = lifecycle.construction_figures(data, D("2027-03-12"), "month")
    assert [(c.span.label, c.planned, c.actual) for c in month.curve] == [
        ("2027年3月", Decimal("85.0"), Decimal("60.0"))
    ]
    day = lifecycle.construction_figures(data, D("2027-03-12"), "day")
    assert len(day.curve) == 15
    assert (day.curve[4].planned, day.curve[4].actual) == (Decimal("25.0"), Decimal("25.0"))  # 5 March: A 50%


def test_staffing_plan_vs_actual(sample: BidData) -> None:
    f = lifecycle.construction_figures(small_case(sample), D("2027-03-12"), "week")
    (x,) = f.staffing
    # plan: 2 people 8–10 March = 6 person-days; actual: 3 people 8–12 March = 15 person-days
    assert (x.role, x.planned_now, x.actual_now, x.planned_days, x.actual_days) == ("X", 0, 3, 6, 15)


def test_supply_on_time_rate_and_supplier_rating(sample: BidData) -> None:
    f = lifecycle.supply_figures(small_case(sample), D("2027-03-12"), "month")
    assert [(o.order.number, o.late_days, o.state) for o in f.orders] == [
        ("O1", 0, "按时到货"), ("O2", 3, "延迟到货"), ("O3", 2, "逾期未到"), ("O4", 0, "未到期"),
    ]
    assert f.on_time_rate == Decimal("33.3")  # 1 of 3 due orders
    ratings = {r.supplier: (r.due, r.on_time, r.rate, r.defects, r.grade) for r in f.suppliers}
    assert ratings == {"S1": (2, 1, Decimal("50.0"), 1, "C"), "S2": (1, 0, Decimal("0.0"), 0, "C")}
    assert f.cost == Decimal("400.00")


def test_sample_half_way_is_late(sample: BidData) -> None:
    st = lifecycle.status(sample, D("2027-03-15"))
    assert (st.stage, st.lead_role.value, st.lead_name) == ("construction", "project_manager", "周启航")
    assert st.overdue[0] == "T4 立杆基础及管道土建施工: planned to finish 2027-03-10, 90% done, 5 days late"
    f = lifecycle.construction_figures(sample, D("2027-03-15"))
    assert f.actual < f.planned and len(f.late) >= 3


@pytest.mark.parametrize(
    ("at", "stage", "lead"),
    [
        ("2026-10-01", "opportunity", "方振宇"),
        ("2026-12-01", "bid", "沈立群"),
        ("2027-01-05", "contract", "周启航"),
        ("2027-05-20", "acceptance", "周启航"),
        ("2027-06-20", "warranty", "周启航"),
        ("2030-06-10", "bond_refund", "周启航"),
    ],
)
def test_stage_and_lead(sample: BidData, at: str, stage: str, lead: str) -> None:
    st = lifecycle.status(sample, D(at))
    assert (st.stage, st.lead_name) == (stage, lead)


def test_warranty_and_bond_refund_rule(sample: BidData) -> None:
    assert lifecycle.warranty_end(sample) == D("2030-06-09")
    with pytest.raises(StateError) as exc:
        lifecycle.check_bond_refund(sample, D("2030-06-09"))
    assert exc.value.message == (
        "bond refund refused: the warranty period runs until 2030-06-09; 1 day remains as of 2030-06-09"
    )
    assert lifecycle.check_bond_refund(sample, D("2030-06-10")) == D("2030-06-09")


def test_progress_may_not_go_backwards() -> None:
    with pytest.raises(ValueError, match="task 'A' goes back from 50%"):
        Progress.model_validate({"records": [{"task": "A", "date": "2027-03-05", "percent": 50},
                                             {"task": "A", "date": "2027-03-06", "percent": 40}]})


# --- the order rules through the CLI: exact message, exit code 9, nothing written ----------------------------


def edit_acceptance(ws: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    path = ws / "acceptance.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["records"] = change(data["records"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def refused(cli: Callable[..., Result], ws: Path, *args: str) -> str:
    before = snapshot(ws)
    res = cli(*args)
    assert res.code == 9, res.err
    assert snapshot(ws) == before
    assert res.out == ""
    (line,) = res.err_lines
    return line


def test_formal_acceptance_needs_a_second_internal_pass(cli: Callable[..., Result], sample_ws: Path) -> None:
    edit_acceptance(sample_ws, lambda recs: [recs[0], recs[2]])  # drop the passed re-inspection
    assert refused(cli, sample_ws, "acceptance", sample_ws, "--no-pdf") == (
        "error: formal acceptance ZS-2027-031 refused: internal acceptance NY-2027-031-01 (2027-05-18) failed; "
        "a second internal acceptance must pass first"
    )


def test_formal_acceptance_needs_an_internal_one(cli: Callable[..., Result], sample_ws: Path) -> None:
    edit_acceptance(sample_ws, lambda recs: [recs[2]])
    assert refused(cli, sample_ws, "acceptance", sample_ws, "--no-pdf") == (
        "error: formal acceptance ZS-2027-031 refused: no internal acceptance before 2027-06-10 "
        "(正式验收 only after an internal acceptance has passed)"
    )


def test_failed_internal_acceptance_needs_a_rectification_notice(cli: Callable[..., Result],
                                                                 sample_ws: Path) -> None:
    def drop_notice(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        del recs[0]["rectification"]
        return recs

    edit_acceptance(sample_ws, drop_notice)
    assert refused(cli, sample_ws, "acceptance", sample_ws, "--no-pdf") == (
        "error: internal acceptance NY-2027-031-01 failed but has no rectification notice (整改意见书): "
        "add rectification to acceptance.yaml"
    )


def test_re_inspection_needs_the_rectification_done(cli: Callable[..., Result], sample_ws: Path) -> None:
    def undo(recs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        recs[0]["rectification"]["items"][1]["done"] = None
        return recs

    edit_acceptance(sample_ws, undo)
    assert refused(cli, sample_ws, "acceptance", sample_ws, "--no-pdf") == (
        "error: internal acceptance NY-2027-031-02 refused: item 2 of rectification notice ZG-2027-031-01 "
        "was not done by 2027-05-28"
    )


def test_payment_request_only_after_formal_acceptance(cli: Callable[..., Result], sample_ws: Path) -> None:
    edit_acceptance(sample_ws, lambda recs: recs[:2])
    assert refused(cli, sample_ws, "request", "payment", sample_ws, "--no-pdf") == (
        "error: payment request refused: no formal acceptance (正式验收) has passed by 2027-06-15; "
        "回款申请 comes after it"
    )


def test_bond_refund_only_after_the_warranty_period(cli: Callable[..., Result], sample_ws: Path) -> None:
    assert refused(cli, sample_ws, "request", "bond-refund", sample_ws, "--at", "2028-01-01", "--no-pdf") == (
        "error: bond refund refused: the warranty period runs until 2030-06-09; 891 days remain as of 2028-01-01"
    )
    assert refused(cli, sample_ws, "request", "bond-refund", sample_ws, "--at", "2027-03-15", "--no-pdf") == (
        "error: bond refund refused: no formal acceptance (正式验收) has passed by 2027-03-15, so the warranty "
        "period has not begun"
    )
    res = cli("request", "bond-refund", sample_ws, "--at", "2030-06-10", "--no-pdf")
    assert res.code == 0, res.err
    assert (sample_ws / "build" / "docx" / "bond_refund_request.docx").is_file()


def test_status_command(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("status", sample_ws, "--at", "2027-03-15")
    assert res.code == 0, res.err
    assert res.out.splitlines()[:4] == [
        "as of 2027-03-15",
        "stage: 施工 (construction)",
        "lead: 项目经理 周启航",
        "next due: 项目施工报告书、项目设备供货报告、项目总结",
    ]
    assert "  CG-2027-030 B30: promised for 2027-03-10, not arrived, 5 days late" in res.out.splitlines()


def test_unknown_task_in_progress_is_a_validation_error(cli: Callable[..., Result], sample_ws: Path) -> None:
    path = sample_ws / "progress.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{task: T1, date: 2027-01-11",
                                                              "{task: T99, date: 2027-01-11"), encoding="utf-8")
    res = cli("status", sample_ws, "--at", "2027-03-15")
    assert res.code == 3
    assert res.err_lines == ["progress.yaml:6 records.0.task: unknown task 'T99'", "error: 1 problem found"]
