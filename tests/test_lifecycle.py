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
        ("2026-10-25", "initiation", "沈立群"),
        ("2026-12-01", "solution", "沈立群"),
        ("2026-12-10", "tender", "沈立群"),
        ("2026-12-30", "evaluation", "沈立群"),
        ("2027-01-05", "contract", "周启航"),
        ("2027-03-15", "construction", "周启航"),
        ("2027-05-20", "acceptance", "周启航"),
        ("2027-06-20", "warranty", "周启航"),
        ("2030-06-10", "bond_refund", "方振宇"),  # the sales rep requests the bond back
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


def test_acceptance_payment_only_after_formal_acceptance(cli: Callable[..., Result], sample_ws: Path) -> None:
    edit_acceptance(sample_ws, lambda recs: recs[:2])
    assert refused(cli, sample_ws, "request", "payment", sample_ws, "--no-pdf") == (
        "error: payment request refused: 验收款 (35%) is due after the formal acceptance (正式验收); none has "
        "passed by 2027-06-15"
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
    assert res.out.splitlines()[:11] == [
        "as of 2027-03-15",
        "stage: 施工与供货 (construction), step 10–11 of 14 of the project path",
        "lead: 项目经理 周启航",
        "next due: 项目施工报告书、项目设备供货报告、项目总结",
        "money: contract ¥4,307,050.60; received ¥1,292,115.18 (30%); requested, not received ¥0.00; "
        "expected ¥3,014,935.42",
        "  预付款 30% ¥1,292,115.18: received 2027-01-22",
        "  进度款 30% ¥1,292,115.18: not due (安装调试完成后)",
        "  验收款 35% ¥1,507,467.71: not due (验收合格后)",
        "  尾款 5% ¥215,352.53: not due (质保期满后)",
        "bonds outstanding (1):",
        "  履约保证金 ¥215,352.53: paid 2027-01-06, refund after the warranty period",
    ]
    assert "  CG-2027-030 B30: promised for 2027-03-10, not arrived, 5 days late" in res.out.splitlines()


def test_unknown_task_in_progress_is_a_validation_error(cli: Callable[..., Result], sample_ws: Path) -> None:
    path = sample_ws / "progress.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("{task: T1, date: 2027-01-11",
                                                              "{task: T99, date: 2027-01-11"), encoding="utf-8")
    res = cli("status", sample_ws, "--at", "2027-03-15")
    assert res.code == 3
    assert res.err_lines == ["progress.yaml:6 records.0.task: unknown task 'T99'", "error: 1 problem found"]


# --- the contract's instalments: each refused only while its own condition is unmet -------------------------


@pytest.mark.parametrize(
    ("instalment", "on", "message"),
    [
        ("预付款", "2027-01-06", "payment request refused: 预付款 (30%) is due after the contract is signed; contract "
                               "JLGA-HT-2027-006 is dated 2027-01-07, after 2027-01-06"),
        ("进度款", "2027-05-05", "payment request refused: 进度款 (30%) is due when the installation is done "
                               "(安装调试完成); task T11 单点调试与片区联调 is 40% done on 2027-05-05"),
        ("验收款", "2027-06-09", "payment request refused: 验收款 (35%) is due after the formal acceptance (正式验收); "
                               "none has passed by 2027-06-09"),
        ("尾款", "2027-06-09", "payment request refused: 尾款 (5%) is due after the warranty period; no formal "
                             "acceptance (正式验收) has passed by 2027-06-09, so the warranty period has not begun"),
        ("尾款", "2030-06-09", "payment request refused: 尾款 (5%) is due after the warranty period, which runs until "
                             "2030-06-09; 1 day remains as of 2030-06-09"),
    ],
)
def test_instalment_refused_while_its_condition_is_unmet(sample: BidData, instalment: str, on: str,
                                                         message: str) -> None:
    award = sample.award
    assert award is not None
    inst = award.instalment(instalment)
    assert inst is not None
    with pytest.raises(StateError) as exc:
        lifecycle.instalment_basis(sample, inst, D(on))
    assert exc.value.message == message


@pytest.mark.parametrize(
    ("instalment", "on", "met", "ref"),
    [
        ("预付款", "2027-01-07", "2027-01-07", "JLGA-HT-2027-006"),  # the day the contract is signed
        ("进度款", "2027-05-06", "2027-05-06", "T11 单点调试与片区联调"),  # before the formal acceptance
        ("验收款", "2027-06-10", "2027-06-10", "ZS-2027-031"),
        ("尾款", "2030-06-10", "2030-06-10", "2030-06-09"),
    ],
)
def test_instalment_allowed_once_its_condition_is_met(sample: BidData, instalment: str, on: str, met: str,
                                                      ref: str) -> None:
    award = sample.award
    assert award is not None
    inst = award.instalment(instalment)
    assert inst is not None
    basis = lifecycle.instalment_basis(sample, inst, D(on))
    assert (basis.met, basis.ref) == (D(met), ref)


def test_installation_done_without_a_task_needs_every_task(sample: BidData) -> None:
    from bidkit.core.models import Condition, Instalment

    inst = Instalment(name="进度款", percent=Decimal(30), condition=Condition.installation_done)
    with pytest.raises(StateError) as exc:
        lifecycle.instalment_basis(sample, inst, D("2027-05-10"))
    assert exc.value.message == ("payment request refused: 进度款 (30%) is due when the installation is done "
                                 "(安装调试完成); 2 of 14 construction tasks are not finished on 2027-05-10")
    assert lifecycle.instalment_basis(sample, inst, D("2027-05-17")).met == D("2027-05-17")


def test_request_figures_received_before_this_and_what_remains(sample: BidData) -> None:
    f = lifecycle.payment_request(sample)  # the latest recorded: 验收款 of 2027-06-15
    assert (f.instalment.name, f.amount, f.received_before, f.received_count, f.outstanding, f.remaining) == (
        "验收款", Decimal("1507467.71"), Decimal("2584230.36"), 2, Decimal(0), Decimal("215352.53"))
    early = lifecycle.payment_request(sample, D("2027-05-20"))  # 进度款 requested, not received yet
    assert (early.instalment.name, early.received_before, early.remaining) == (
        "进度款", Decimal("1292115.18"), Decimal("1722820.24"))
    tail = lifecycle.payment_request(sample, D("2030-06-15"), "尾款")  # a new request for the retention
    assert (tail.request, tail.amount, tail.received_before, tail.remaining) == (
        None, Decimal("215352.53"), Decimal("4091698.07"), Decimal(0))


def test_instalments_share_the_contract_amount_to_the_fen(sample: BidData) -> None:
    award = sample.award
    assert award is not None
    amounts = [award.instalment_amount(i) for i in award.payment_plan()]
    assert amounts == [Decimal("1292115.18"), Decimal("1292115.18"), Decimal("1507467.71"), Decimal("215352.53")]
    assert sum(amounts) == award.contract_amount


def test_payment_refusals_through_the_cli(cli: Callable[..., Result], sample_ws: Path) -> None:
    assert refused(cli, sample_ws, "request", "payment", sample_ws, "--instalment", "尾款", "--at", "2028-01-01",
                   "--no-pdf") == (
        "error: payment request refused: 尾款 (5%) is due after the warranty period, which runs until 2030-06-09; "
        "891 days remain as of 2028-01-01"
    )
    before = snapshot(sample_ws)
    res = cli("request", "payment", sample_ws, "--instalment", "预付款", "--no-pdf")  # recorded: HK-2027-031-01
    assert res.code == 0, res.err
    assert snapshot(sample_ws) != before
    res = cli("request", "payment", sample_ws, "--instalment", "质保金", "--no-pdf")
    assert (res.code, res.err_lines) == (3, ["error: --instalment: unknown instalment '质保金' (one of 预付款, 进度款, "
                                             "验收款, 尾款 in award.yaml)"])


def test_requests_must_name_an_instalment_of_the_contract(cli: Callable[..., Result], sample_ws: Path) -> None:
    path = sample_ws / "payments.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("instalment: 进度款", "instalment: 预付款"),
                    encoding="utf-8")
    res = cli("validate", sample_ws)
    assert res.code == 3
    assert res.err_lines == [
        "payments.yaml:12 requests.1.instalment: instalment '预付款' is already requested by HK-2027-031-01",
        "error: 1 problem found",
    ]


def test_an_older_award_without_instalments_is_paid_after_the_acceptance(sample: BidData) -> None:
    award = sample.award
    assert award is not None
    old = sample.model_copy(update={"award": award.model_copy(update={"instalments": []})})
    (only,) = old.award.payment_plan() if old.award else []
    assert (only.name, only.percent, only.condition.value) == ("合同款", Decimal(100), "acceptance_passed")


# --- bonds, status, progress figures ------------------------------------------------------------------------


def test_bid_bond_refund_after_the_contract_or_the_losing_notice(sample: BidData) -> None:
    with pytest.raises(StateError) as exc:
        lifecycle.check_bid_bond_refund(sample, D("2027-01-05"))
    assert exc.value.message == ("bid bond refund refused: the winner's bid bond is refunded after the contract is "
                                 "signed; contract JLGA-HT-2027-006 is dated 2027-01-07, after 2027-01-05")
    assert lifecycle.check_bid_bond_refund(sample, D("2027-01-07")) == "won"
    reg = sample.registration
    assert reg is not None
    from bidkit.core.models import LostBid

    lost = sample.model_copy(update={"award": None, "registration": reg.model_copy(
        update={"lost": LostBid(notice_date=D("2027-01-04"), winner="滨海数智科技股份有限公司")})})
    with pytest.raises(StateError) as exc:
        lifecycle.check_bid_bond_refund(lost, D("2027-01-03"))
    assert exc.value.message == "bid bond refund refused: the bid is lost on 2027-01-04, after 2027-01-03"
    assert lifecycle.check_bid_bond_refund(lost, D("2027-01-04")) == "lost"
    assert lifecycle.status(lost, D("2027-01-05")).stage == "lost"
    assert lifecycle.status(lost, D("2027-01-20")).stage == "closed"  # refund received 2027-01-13


def test_status_money_and_bonds_outstanding(sample: BidData) -> None:
    st = lifecycle.status(sample, D("2027-01-10"))
    assert [(b.kind, b.outstanding, b.refund_from) for b in st.bonds] == [
        ("bid_bond", True, D("2027-01-07")), ("performance_bond", True, None)]
    # the bid bond's refund was requested on 2027-01-08; the 预付款 is due (it is requested on 2027-01-11)
    assert st.due == ["项目施工报告书", "项目设备供货报告", "回款申请（预付款 30%）", "投标保证金到账", "项目总结"]
    st = lifecycle.status(sample, D("2030-06-20"))
    assert (st.received, st.requested, st.contract) == (
        Decimal("4091698.07"), Decimal(0), Decimal("4307050.60"))
    assert [i.state for i in st.instalments] == ["received", "received", "received", "due"]
    assert st.due[:2] == ["履约保证金退回申请", "回款申请（尾款 5%）"]


def test_staffing_compares_to_date(sample: BidData) -> None:
    """The project manager, on site every day, shows no difference; the plan to date is what it is compared with."""
    for period in ("week", "month"):
        f = lifecycle.construction_figures(sample, D("2027-03-15"), period)  # type: ignore[arg-type]
        pm = next(s for s in f.staffing if s.role == "项目经理")
        assert pm.actual_days - pm.planned_days == 0, period
    month = lifecycle.construction_figures(sample, D("2027-03-15"), "month")
    pm = next(s for s in month.staffing if s.role == "项目经理")
    assert (pm.planned_days, pm.actual_days, pm.planned_period_days) == (15, 15, 31)


def test_day_figures_are_the_site_diary(sample: BidData) -> None:
    f = lifecycle.day_figures(sample, D("2027-03-15"))
    assert f.log is not None and f.log.weather == "多云"
    assert [(w.task.id, w.before, w.after) for w in f.work if w.recorded] == [
        ("T4", 80, 90), ("T6", 15, 60), ("T7", 10, 45), ("T8", 0, 5)]
    assert [a.order.number for a in f.arrivals] == ["CG-2027-033", "CG-2027-034", "CG-2027-035"]
    assert [(t.id, days) for t, days in f.late_tasks] == [("T4", 5)]
    assert sum(s.actual for s in f.staff) == 36


def test_assessment_counts_reviews_and_rectifications(sample: BidData) -> None:
    a = lifecycle.assessment(sample, D("2030-07-01"), lifecycle.ReviewCounts(requests=2, approvals=1, rejections=1))
    assert (a.internal_rounds, a.first_pass, a.plan_end, a.actual_end) == (
        2, False, D("2027-05-17"), D("2027-05-17"))
    assert [(p.name, p.items, p.on_time) for p in a.rectifications] == [("何文博", 1, 1), ("周启航", 1, 1),
                                                                         ("陆一帆", 1, 1)]
    civil = next(o for o in a.owners if o.owner == "土建施工队")
    assert (civil.due, civil.on_time, civil.late, civil.max_late) == (1, 0, 1, 8)


def test_a_bid_bond_paid_after_the_deadline_is_overdue(sample: BidData) -> None:
    reg = sample.registration
    assert reg is not None and reg.bid_bond is not None
    late = sample.model_copy(update={"registration": reg.model_copy(
        update={"bid_bond": reg.bid_bond.model_copy(update={"paid": D("2026-12-29")})})})
    assert lifecycle.overdue_items(late, D("2026-12-30"))[0] == (
        "bid bond: paid 2026-12-29, after the deadline 2026-12-28 (the bid is invalid without it)")
    assert not [i for i in lifecycle.overdue_items(sample, D("2026-12-30")) if i.startswith("bid bond")]
