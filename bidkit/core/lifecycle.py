"""The project path (pure): stage and lead on the whole path, report figures, the site diary, 考评 figures, and the
order rules of acceptance, each contract instalment and both bonds' refunds.

Everything is computed "as of" a date: records dated after it are ignored, so one workspace that holds a whole
project can show it at any point (``--at 2027-03-15`` shows the construction half done).
Progress is weighted by each task's planned duration in days; planned progress grows linearly over a task.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from bidkit.core.errors import InputError, StateError
from bidkit.core.models import (
    AcceptanceKind,
    AcceptanceRecord,
    Award,
    BidData,
    BomItem,
    Condition,
    DailyLog,
    Instalment,
    PaymentRequest,
    ProgressRecord,
    PurchaseOrder,
    Result,
    Role,
    Task,
)
from bidkit.core.money import line_total, to_fen

Period = Literal["month", "week", "day"]
PERIODS: tuple[Period, ...] = ("month", "week", "day")
PERIOD_LABELS = {"month": "月", "week": "周", "day": "日"}
ONE_DAY = dt.timedelta(days=1)
HUNDRED = Decimal(100)


def pct(value: Decimal) -> Decimal:
    """A percentage to one decimal."""
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    d = start
    while d <= end:
        yield d
        d += ONE_DAY


# --- periods ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date
    label: str


def span_of(d: dt.date, period: Period) -> Span:
    """The month, ISO week (Monday to Sunday) or day that holds ``d``."""
    if period == "month":
        start = d.replace(day=1)
        nxt = (start + dt.timedelta(days=32)).replace(day=1)
        return Span(start, nxt - ONE_DAY, f"{d.year}年{d.month}月")
    if period == "week":
        start = d - dt.timedelta(days=d.weekday())
        end = start + dt.timedelta(days=6)
        year, week, _ = d.isocalendar()
        return Span(start, end, f"{year}年第{week}周（{start.month}月{start.day}日—{end.month}月{end.day}日）")
    return Span(d, d, f"{d.year}年{d.month}月{d.day}日")


def spans(start: dt.date, end: dt.date, period: Period) -> list[Span]:
    out = []
    d = start
    while d <= end:
        s = span_of(d, period)
        out.append(s)
        d = s.end + ONE_DAY
    return out


# --- construction -----------------------------------------------------------------------------------------


def task_days(task: Task) -> int:
    return (task.end - task.start).days + 1


def planned_percent(task: Task, d: dt.date) -> Decimal:
    """Linear plan: 0 before the start, 100 from the last planned day on."""
    if d < task.start:
        return Decimal(0)
    if d >= task.end:
        return HUNDRED
    return Decimal((d - task.start).days + 1) * HUNDRED / task_days(task)


def _records(data: BidData, task_id: str, d: dt.date) -> list[ProgressRecord]:
    recs = data.progress.records if data.progress else []
    return sorted((r for r in recs if r.task == task_id and r.date <= d), key=lambda r: r.date)


def actual_percent(data: BidData, task_id: str, d: dt.date) -> int:
    recs = _records(data, task_id, d)
    return recs[-1].percent if recs else 0


def actual_start(data: BidData, task_id: str, d: dt.date) -> dt.date | None:
    recs = _records(data, task_id, d)
    explicit = [r.started for r in recs if r.started is not None and r.started <= d]
    if explicit:
        return min(explicit)
    return next((r.date for r in recs if r.percent > 0), None)


def actual_end(data: BidData, task_id: str, d: dt.date) -> dt.date | None:
    return next((r.date for r in _records(data, task_id, d) if r.percent == 100), None)


def slippage(task: Task, start: dt.date | None, end: dt.date | None, at: dt.date) -> int:
    """Days late (negative: early) of the latest milestone known on ``at``.

    Finished: actual end − planned end. Open past its planned end: ``at`` − planned end. Started: actual start −
    planned start. Not started past its planned start: ``at`` − planned start. Otherwise 0.
    """
    if end is not None:
        return (end - task.end).days
    if at > task.end:
        return (at - task.end).days
    if start is not None:
        return (start - task.start).days
    if at > task.start:
        return (at - task.start).days
    return 0


@dataclass(frozen=True)
class TaskStatus:
    task: Task
    planned: Decimal  # planned percent on ``at``
    actual: int  # actual percent on ``at``
    before_period: int  # actual percent on the day before the current period
    start: dt.date | None
    end: dt.date | None
    slippage: int

    @property
    def state(self) -> str:
        if self.end is not None:
            return "已完成"
        if self.actual > 0 or self.start is not None:
            return "进行中"
        return "未开始"


def overall_planned(tasks: list[Task], d: dt.date) -> Decimal:
    total = sum(task_days(t) for t in tasks)
    return sum((planned_percent(t, d) * task_days(t) for t in tasks), Decimal(0)) / total if total else Decimal(0)


def overall_actual(data: BidData, tasks: list[Task], d: dt.date) -> Decimal:
    total = sum(task_days(t) for t in tasks)
    done = sum((Decimal(actual_percent(data, t.id, d)) * task_days(t) for t in tasks), Decimal(0))
    return done / total if total else Decimal(0)


@dataclass(frozen=True)
class CurveRow:
    span: Span
    planned: Decimal  # cumulative, at the end of the period (or ``at`` in the current one): comparable to actual
    actual: Decimal | None  # cumulative, at the end of the period or ``at``; None for periods after ``at``


@dataclass(frozen=True)
class StaffRow:
    role: str
    planned_now: int
    actual_now: int
    planned_days: int  # planned person-days in the current period up to ``at``: comparable to actual_days
    actual_days: int  # person-days in the current period up to ``at``
    planned_period_days: int  # planned person-days in the whole current period


def planned_staff(data: BidData, role: str, d: dt.date) -> int:
    return sum(s.count for s in data.solution.construction.staffing if s.role == role and s.start <= d <= s.end)


def actual_staff(data: BidData, role: str, d: dt.date) -> int:
    recs = [r for r in (data.progress.staffing if data.progress else []) if r.role == role and r.date <= d]
    return max(recs, key=lambda r: r.date).count if recs else 0


@dataclass(frozen=True)
class ConstructionFigures:
    at: dt.date
    period: Period
    current: Span
    tasks: list[TaskStatus]
    curve: list[CurveRow]
    daily: list[tuple[dt.date, Decimal, Decimal | None]]  # for the chart: day, planned, actual (None after at)
    planned: Decimal
    actual: Decimal
    staffing: list[StaffRow]
    plan_start: dt.date
    plan_end: dt.date

    @property
    def late(self) -> list[TaskStatus]:
        return [t for t in self.tasks if t.slippage > 0]


def construction_figures(data: BidData, at: dt.date, period: Period = "month") -> ConstructionFigures:
    tasks = list(data.solution.construction.tasks)
    if not tasks:
        raise StateError("construction report refused: solution.yaml construction.tasks is empty (施工方案 first)")
    plan_start = min(t.start for t in tasks)
    plan_end = max(t.end for t in tasks)
    current = span_of(at, period)
    statuses = []
    for t in tasks:
        start, end = actual_start(data, t.id, at), actual_end(data, t.id, at)
        statuses.append(
            TaskStatus(
                task=t,
                planned=pct(planned_percent(t, at)),
                actual=actual_percent(data, t.id, at),
                before_period=actual_percent(data, t.id, current.start - ONE_DAY),
                start=start,
                end=end,
                slippage=slippage(t, start, end, at),
            )
        )
    last = max(plan_end, at)
    curve = [
        CurveRow(
            s,
            pct(overall_planned(tasks, min(s.end, at) if s.start <= at else s.end)),
            pct(overall_actual(data, tasks, min(s.end, at))) if s.start <= at else None,
        )
        for s in spans(plan_start, last, period)
    ]
    daily = [
        (d, overall_planned(tasks, d), overall_actual(data, tasks, d) if d <= at else None)
        for d in days(plan_start, last)
    ]
    roles: list[str] = []
    for s in data.solution.construction.staffing:
        if s.role not in roles:
            roles.append(s.role)
    for r in data.progress.staffing if data.progress else []:
        if r.role not in roles:
            roles.append(r.role)
    staffing = []
    for role in roles:
        staffing.append(
            StaffRow(
                role=role,
                planned_now=planned_staff(data, role, at),
                actual_now=actual_staff(data, role, at),
                planned_days=sum(planned_staff(data, role, d) for d in days(current.start, min(current.end, at))),
                actual_days=sum(actual_staff(data, role, d) for d in days(current.start, min(current.end, at))),
                planned_period_days=sum(planned_staff(data, role, d) for d in days(current.start, current.end)),
            )
        )
    return ConstructionFigures(
        at=at,
        period=period,
        current=current,
        tasks=statuses,
        curve=curve,
        daily=daily,
        planned=pct(overall_planned(tasks, at)),
        actual=pct(overall_actual(data, tasks, at)),
        staffing=staffing,
        plan_start=plan_start,
        plan_end=plan_end,
    )


# --- supply -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderStatus:
    order: PurchaseOrder
    bom: BomItem
    qty: Decimal
    arrived: dt.date | None  # only if on or before ``at``
    late_days: int  # > 0: late (arrived late, or still missing after the promised date)
    budget: Decimal | None  # internal cost sheet: unit cost × qty

    @property
    def due(self) -> bool:
        return self.arrived is not None or self.late_days > 0

    @property
    def on_time(self) -> bool:
        return self.arrived is not None and self.arrived <= self.order.promised

    @property
    def state(self) -> str:
        if self.arrived is not None:
            return "延迟到货" if self.late_days > 0 else "按时到货"
        return "逾期未到" if self.late_days > 0 else "未到期"


@dataclass(frozen=True)
class SupplierRating:
    supplier: str
    orders: int
    due: int
    on_time: int
    defects: int
    late_days: int

    @property
    def rate(self) -> Decimal | None:
        return pct(Decimal(self.on_time) * HUNDRED / self.due) if self.due else None

    @property
    def grade(self) -> str:
        rate = self.rate
        if rate is None:
            return "—"
        if rate >= 95 and self.defects == 0:
            return "A"
        if rate >= 80:
            return "B"
        return "C"


@dataclass(frozen=True)
class SupplyRow:
    span: Span
    promised: int  # orders promised in the period
    arrived: int  # orders arrived in the period (up to ``at``)
    late: int  # of those arrived, late
    cost: Decimal  # cost of orders arrived in the period (internal)


@dataclass(frozen=True)
class SupplyFigures:
    at: dt.date
    period: Period
    current: Span
    orders: list[OrderStatus]
    suppliers: list[SupplierRating]
    rows: list[SupplyRow]
    budget: Decimal | None
    cost: Decimal

    @property
    def late(self) -> list[OrderStatus]:
        return [o for o in self.orders if o.late_days > 0]

    @property
    def on_time_rate(self) -> Decimal | None:
        due = [o for o in self.orders if o.due]
        return pct(Decimal(sum(o.on_time for o in due)) * HUNDRED / len(due)) if due else None


def supply_figures(data: BidData, at: dt.date, period: Period = "month") -> SupplyFigures:
    orders_in = data.supply.orders if data.supply else []
    if not orders_in:
        raise StateError("supply report refused: supply.yaml has no purchase orders yet")
    unit_cost = {c.item: c.unit_cost for c in data.internal_cost.lines} if data.internal_cost else {}
    statuses = []
    for o in sorted(orders_in, key=lambda o: (o.promised, o.number)):
        bom = data.solution.bom_item(o.item)
        if bom is None:
            raise StateError(f"purchase order {o.number}: unknown BOM line '{o.item}'")
        qty = o.qty if o.qty is not None else bom.qty
        arrived = o.arrived if o.arrived is not None and o.arrived <= at else None
        if arrived is not None:
            late = max(0, (arrived - o.promised).days)
        else:
            late = max(0, (at - o.promised).days)
        cost = unit_cost.get(o.item)
        statuses.append(OrderStatus(o, bom, qty, arrived, late, line_total(qty, cost) if cost is not None else None))
    suppliers: dict[str, list[OrderStatus]] = {}
    for s in statuses:
        suppliers.setdefault(s.order.supplier, []).append(s)
    ratings = [
        SupplierRating(
            supplier=name,
            orders=len(group),
            due=sum(1 for o in group if o.due),
            on_time=sum(1 for o in group if o.on_time),
            defects=sum(o.order.defects for o in group if o.arrived is not None),
            late_days=sum(o.late_days for o in group),
        )
        for name, group in suppliers.items()
    ]
    first = min(o.order.ordered for o in statuses)
    last = max(max(o.order.promised for o in statuses), at)
    rows = []
    for sp in spans(first, last, period):
        arrived_here = [o for o in statuses if o.arrived is not None and sp.start <= o.arrived <= sp.end]
        rows.append(
            SupplyRow(
                span=sp,
                promised=sum(1 for o in statuses if sp.start <= o.order.promised <= sp.end),
                arrived=len(arrived_here),
                late=sum(1 for o in arrived_here if o.late_days > 0),
                cost=to_fen(sum((o.order.cost for o in arrived_here), Decimal(0))),
            )
        )
    budgets = [o.budget for o in statuses]
    budget = to_fen(sum((b for b in budgets if b is not None), Decimal(0))) if unit_cost else None
    return SupplyFigures(
        at=at,
        period=period,
        current=span_of(at, period),
        orders=statuses,
        suppliers=ratings,
        rows=rows,
        budget=budget,
        cost=to_fen(sum((o.order.cost for o in statuses), Decimal(0))),
    )


# --- acceptance, payment and bond refund: the order rules -------------------------------------------------


def acceptance_records(data: BidData, at: dt.date | None = None) -> list[AcceptanceRecord]:
    recs = data.acceptance.records if data.acceptance else []
    return sorted((r for r in recs if at is None or r.date <= at), key=lambda r: r.date)


def check_acceptance_order(data: BidData, at: dt.date | None = None) -> None:
    """Formal acceptance only after an internal pass; a failed internal one needs a rectification notice and a
    second internal acceptance that passes once every rectification item is done."""
    last_internal: AcceptanceRecord | None = None
    for rec in acceptance_records(data, at):
        if rec.kind == AcceptanceKind.internal:
            if rec.result == Result.failed and rec.rectification is None:
                raise StateError(
                    f"internal acceptance {rec.id} failed but has no rectification notice (整改意见书): "
                    "add rectification to acceptance.yaml"
                )
            if rec.result == Result.passed and last_internal is not None and last_internal.rectification:
                notice = last_internal.rectification
                for i, item in enumerate(notice.items, 1):
                    if item.done is None or item.done > rec.date:
                        raise StateError(
                            f"internal acceptance {rec.id} refused: item {i} of rectification notice "
                            f"{notice.number} was not done by {rec.date}"
                        )
            last_internal = rec
        else:
            if last_internal is None:
                raise StateError(
                    f"formal acceptance {rec.id} refused: no internal acceptance before {rec.date} "
                    "(正式验收 only after an internal acceptance has passed)"
                )
            if last_internal.result != Result.passed:
                raise StateError(
                    f"formal acceptance {rec.id} refused: internal acceptance {last_internal.id} "
                    f"({last_internal.date}) failed; a second internal acceptance must pass first"
                )


def formal_pass(data: BidData, at: dt.date | None = None) -> AcceptanceRecord | None:
    return next(
        (r for r in acceptance_records(data, at) if r.kind == AcceptanceKind.formal and r.result == Result.passed),
        None,
    )


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def warranty_years(data: BidData) -> int:
    return data.award.warranty_years if data.award else data.responses.bid.warranty_years


def warranty_end(data: BidData, at: dt.date | None = None) -> dt.date | None:
    """The last day of the warranty period, which starts on the day of the passed formal acceptance."""
    formal = formal_pass(data, at)
    return add_years(formal.date, warranty_years(data)) - ONE_DAY if formal else None


# --- payments: the contract's instalments, each refused only while its own condition is unmet ---------------


def _pct_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _award(data: BidData, what: str) -> Award:
    if data.award is None:
        raise StateError(f"{what} refused: award.yaml is missing (record the award and the contract first: bidkit "
                         "award)")
    return data.award


@dataclass(frozen=True)
class Basis:
    """Why an instalment is due on a date: its condition and when it was met."""

    condition: Condition
    met: dt.date  # the day the condition was met
    ref: str  # the contract number, the task, the acceptance record, or the warranty's last day


def instalment_basis(data: BidData, inst: Instalment, on: dt.date) -> Basis:
    """The basis of ``inst`` on ``on``; :class:`StateError` with the exact reason while its condition is unmet."""
    award = _award(data, "payment request")
    head = f"payment request refused: {inst.name} ({_pct_text(inst.percent)}%) is due"
    if inst.condition == Condition.contract_signed:
        if award.contract_date > on:
            raise StateError(f"{head} after the contract is signed; contract {award.contract_number} is dated "
                             f"{award.contract_date}, after {on}")
        return Basis(inst.condition, award.contract_date, award.contract_number)
    if inst.condition == Condition.installation_done:
        tasks = data.solution.construction.tasks
        chosen = [t for t in tasks if t.id == inst.task] if inst.task else list(tasks)
        if not chosen:
            raise StateError(f"{head} when the installation is done, but solution.yaml has no construction tasks")
        ends = [(t, actual_end(data, t.id, on)) for t in chosen]
        open_ = [t for t, e in ends if e is None]
        if open_ and inst.task:
            t = open_[0]
            raise StateError(f"{head} when the installation is done (安装调试完成); task {t.id} {t.name} is "
                             f"{actual_percent(data, t.id, on)}% done on {on}")
        if open_:
            raise StateError(f"{head} when the installation is done (安装调试完成); {len(open_)} of {len(chosen)} "
                             f"construction tasks are not finished on {on}")
        last = max((e for _, e in ends if e is not None))
        ref = f"{chosen[0].id} {chosen[0].name}" if inst.task else "全部施工任务"
        return Basis(inst.condition, last, ref)
    check_acceptance_order(data, on)
    formal = formal_pass(data, on)
    if inst.condition == Condition.acceptance_passed:
        if formal is None:
            raise StateError(f"{head} after the formal acceptance (正式验收); none has passed by {on}")
        return Basis(inst.condition, formal.date, formal.id)
    if formal is None:
        raise StateError(f"{head} after the warranty period; no formal acceptance (正式验收) has passed by {on}, "
                         "so the warranty period has not begun")
    end = add_years(formal.date, warranty_years(data)) - ONE_DAY
    if on <= end:
        remain = (end - on).days + 1
        raise StateError(f"{head} after the warranty period, which runs until {end}; "
                         f"{remain} {'days remain' if remain != 1 else 'day remains'} as of {on}")
    return Basis(inst.condition, end + ONE_DAY, str(end))


def _requests(data: BidData) -> list[PaymentRequest]:
    return sorted(data.payments.requests if data.payments else [], key=lambda r: (r.date, r.number))


def request_amount(award: Award, req: PaymentRequest) -> Decimal:
    inst = award.instalment(req.instalment)
    if req.amount is not None or inst is None:
        return req.amount if req.amount is not None else Decimal(0)
    return award.instalment_amount(inst)


@dataclass(frozen=True)
class PaymentFigures:
    instalment: Instalment
    request: PaymentRequest | None  # None: a new request, not in payments.yaml yet
    date: dt.date
    basis: Basis
    amount: Decimal  # this instalment
    contract: Decimal
    received_before: Decimal  # received on or before the request's date
    received_count: int
    outstanding: Decimal  # requested earlier, not received by the request's date
    remaining: Decimal  # what the contract still owes after this instalment


def payment_request(data: BidData, at: dt.date | None = None, instalment: str | None = None) -> PaymentFigures:
    """回款申请: the recorded request of ``instalment`` (or a new one dated ``at``), or without ``instalment`` the
    latest recorded request on or before ``at``; refused only while the instalment's own condition is unmet."""
    award = _award(data, "payment request")
    reqs = _requests(data)
    if instalment is not None:
        inst = award.instalment(instalment)
        if inst is None:
            names = ", ".join(i.name for i in award.payment_plan())
            raise InputError(f"--instalment: unknown instalment '{instalment}' (one of {names} in award.yaml)")
        req = next((r for r in reqs if award.instalment(r.instalment) == inst and (at is None or r.date <= at)),
                   None)
        if req is None and at is None:
            raise StateError(f"payment request refused: {inst.name} is not requested in payments.yaml yet "
                             "(give --at for a new request)")
    else:
        earlier = [r for r in reqs if at is None or r.date <= at]
        if not earlier:
            when = f" on or before {at}" if at else ""
            raise StateError(f"payment request refused: payments.yaml has no payment request{when} (name an "
                             "instalment with --instalment to draft a new one)")
        req = earlier[-1]
        found = award.instalment(req.instalment)
        assert found is not None  # validation: every request names an instalment of the plan
        inst = found
    on = req.date if req is not None else at
    assert on is not None
    basis = instalment_basis(data, inst, on)
    amount = request_amount(award, req) if req is not None else award.instalment_amount(inst)
    others = [r for r in reqs if r is not req and r.date <= on]
    received = [r for r in others if r.received is not None and r.received <= on]
    outstanding = [r for r in others if r.received is None or r.received > on]
    received_sum = sum((request_amount(award, r) for r in received), Decimal(0))
    outstanding_sum = sum((request_amount(award, r) for r in outstanding), Decimal(0))
    return PaymentFigures(
        instalment=inst, request=req, date=on, basis=basis, amount=amount, contract=award.contract_amount,
        received_before=received_sum, received_count=len(received), outstanding=outstanding_sum,
        remaining=award.contract_amount - received_sum - outstanding_sum - amount,
    )


@dataclass(frozen=True)
class InstalmentState:
    instalment: Instalment
    amount: Decimal
    request: PaymentRequest | None  # requested on or before ``at``
    received: dt.date | None  # on or before ``at``
    due: bool  # its condition is met on ``at``

    @property
    def state(self) -> str:
        if self.received is not None:
            return "received"
        if self.request is not None:
            return "requested"
        return "due" if self.due else "not due"


def instalments(data: BidData, at: dt.date) -> list[InstalmentState]:
    """Every instalment of the contract as of ``at`` (empty before the award)."""
    award = data.award
    if award is None or award.notice_date > at:
        return []
    out = []
    for inst in award.payment_plan():
        req = next((r for r in _requests(data) if award.instalment(r.instalment) == inst and r.date <= at), None)
        try:
            instalment_basis(data, inst, at)
            due = True
        except StateError:
            due = False
        amount = request_amount(award, req) if req is not None else award.instalment_amount(inst)
        received = req.received if req is not None and req.received is not None and req.received <= at else None
        out.append(InstalmentState(inst, amount, req, received, due))
    return out


# --- bonds ------------------------------------------------------------------------------------------------


def check_bid_bond_refund(data: BidData, on: dt.date) -> str:
    """Refuse a bid bond refund request dated ``on`` before the result allows it; return why it is due
    (``"won"``: the contract is signed, ``"lost"``: another bidder won)."""
    reg = data.registration
    bond = reg.bid_bond if reg else None
    if bond is None or bond.paid is None or bond.paid > on:
        raise StateError(f"bid bond refund refused: registration.yaml records no bid bond paid by {on}")
    if reg is not None and reg.lost is not None:
        if reg.lost.notice_date > on:
            raise StateError(f"bid bond refund refused: the bid is lost on {reg.lost.notice_date}, after {on}")
        return "lost"
    award = data.award
    if award is None or award.notice_date > on:
        raise StateError(f"bid bond refund refused: no award notice (中标通知书) and no losing notice by {on}")
    if award.contract_date > on:
        raise StateError(f"bid bond refund refused: the winner's bid bond is refunded after the contract is signed; "
                         f"contract {award.contract_number} is dated {award.contract_date}, after {on}")
    return "won"


def bid_bond_refund_date(data: BidData, at: dt.date) -> dt.date:
    """The refund request's date: the recorded one, else ``at`` (a new request)."""
    bond = data.registration.bid_bond if data.registration else None
    return bond.refund_requested if bond is not None and bond.refund_requested is not None else at


def check_bond_refund(data: BidData, on: dt.date) -> dt.date:
    """Refuse a bond refund request dated ``on`` before the warranty period has ended; return the warranty end."""
    check_acceptance_order(data, on)
    end = warranty_end(data, on)
    if end is None:
        raise StateError(
            f"bond refund refused: no formal acceptance (正式验收) has passed by {on}, so the warranty period "
            "has not begun"
        )
    if on <= end:
        remain = (end - on).days + 1
        raise StateError(
            f"bond refund refused: the warranty period runs until {end}; "
            f"{remain} {'days remain' if remain != 1 else 'day remains'} as of {on}"
        )
    return end


def bond_refund_date(data: BidData, at: dt.date) -> dt.date:
    """The refund request's date: the recorded one, else ``at`` (a new request)."""
    rec = data.payments.bond_refund if data.payments else None
    return rec.date if rec is not None else at


# --- stage, lead, what is due ------------------------------------------------------------------------------

@dataclass(frozen=True)
class StageInfo:
    label: str
    steps: str  # the rows of the project path (design §2) this stage covers
    lead: Role


STAGE_INFO: dict[str, StageInfo] = {
    "opportunity": StageInfo("项目机会与可行性分析", "1", Role.sales_rep),
    "initiation": StageInfo("立项", "2", Role.presales_engineer),
    "solution": StageInfo("方案、成本与标底", "3–6", Role.presales_engineer),
    "tender": StageInfo("报名与投标", "7–8", Role.presales_engineer),
    "evaluation": StageInfo("评标，等待结果", "8", Role.presales_engineer),
    "lost": StageInfo("未中标", "8", Role.sales_rep),
    "contract": StageInfo("中标签约", "9", Role.project_manager),
    "construction": StageInfo("施工与供货", "10–11", Role.project_manager),
    "acceptance": StageInfo("验收", "12", Role.project_manager),
    "warranty": StageInfo("回款与质保期", "13", Role.project_manager),
    "bond_refund": StageInfo("履约保证金退回", "14", Role.sales_rep),
    "closed": StageInfo("已结束", "14", Role.sales_rep),
}
STAGES = {key: info.label for key, info in STAGE_INFO.items()}
PATH_STEPS = 14


@dataclass(frozen=True)
class BondState:
    kind: Literal["bid_bond", "performance_bond"]
    amount: Decimal
    paid: dt.date | None  # on or before ``at``
    refund_requested: dt.date | None
    refund_received: dt.date | None
    refund_from: dt.date | None  # the first day a refund may be requested, when known

    @property
    def label(self) -> str:
        return "投标保证金" if self.kind == "bid_bond" else "履约保证金"

    @property
    def outstanding(self) -> bool:
        return self.paid is not None and self.refund_received is None


@dataclass(frozen=True)
class Status:
    at: dt.date
    stage: str
    lead_role: Role
    lead_name: str
    due: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    contract: Decimal | None = None
    instalments: list[InstalmentState] = field(default_factory=list)
    bonds: list[BondState] = field(default_factory=list)

    @property
    def stage_label(self) -> str:
        return STAGES[self.stage]

    @property
    def steps(self) -> str:
        return STAGE_INFO[self.stage].steps

    @property
    def received(self) -> Decimal:
        return sum((i.amount for i in self.instalments if i.received is not None), Decimal(0))

    @property
    def requested(self) -> Decimal:
        """Requested and not received yet."""
        return sum((i.amount for i in self.instalments if i.state == "requested"), Decimal(0))


def lead_name(data: BidData, role: Role) -> str:
    return next((m.name for m in data.project.team if m.role == role), "（未指定）")


def _on(value: dt.date | None, at: dt.date) -> dt.date | None:
    """``value`` if it happened on or before ``at``."""
    return value if value is not None and value <= at else None


def _deadline(data: BidData) -> dt.date:
    d = data.tender.deadline
    return d.date() if isinstance(d, dt.datetime) else d


def _stage(data: BidData, at: dt.date) -> str:
    pay = data.payments
    if pay and pay.bond_refund and _on(pay.bond_refund.received, at):
        return "closed"
    reg = data.registration
    if reg is not None and reg.lost is not None and reg.lost.notice_date <= at:
        bond = reg.bid_bond
        refunded = bond is None or _on(bond.paid, at) is None or _on(bond.refund_received, at) is not None
        return "closed" if refunded else "lost"
    end = warranty_end(data, at)
    if end is not None:
        return "bond_refund" if at > end else "warranty"
    award = data.award
    if award is None or award.notice_date > at:
        p = data.project
        if p.initiation is not None and _on(p.initiation.approval.date, at):
            published = data.tender.published
            if published is not None and at < published:
                return "solution"
            return "tender" if at <= _deadline(data) else "evaluation"
        if p.feasibility is not None and _on(p.feasibility.approval.date, at):
            return "initiation"
        return "opportunity"
    tasks = data.solution.construction.tasks
    if acceptance_records(data, at) or (tasks and all(actual_end(data, t.id, at) for t in tasks)):
        return "acceptance"
    started = any(actual_start(data, t.id, at) for t in tasks)
    if started or (tasks and at >= min(t.start for t in tasks)):
        return "construction"
    return "contract"


def bonds(data: BidData, at: dt.date) -> list[BondState]:
    """The bid bond and the performance bond as of ``at`` (only those paid by then)."""
    out = []
    bid = data.registration.bid_bond if data.registration else None
    if bid is not None and _on(bid.paid, at):
        allowed: dt.date | None = None  # the winner's after the contract is signed, a loser's after the notice
        if data.award is not None:
            allowed = data.award.contract_date
        elif data.registration is not None and data.registration.lost is not None:
            allowed = data.registration.lost.notice_date
        out.append(BondState("bid_bond", bid.amount, bid.paid, _on(bid.refund_requested, at),
                             _on(bid.refund_received, at), allowed))
    perf = data.award.performance_bond if data.award and data.award.notice_date <= at else None
    if perf is not None and _on(perf.paid, at):
        refund = data.payments.bond_refund if data.payments else None
        end = warranty_end(data, at)
        out.append(BondState("performance_bond", perf.amount, perf.paid,
                             _on(refund.date, at) if refund else None,
                             _on(refund.received, at) if refund else None,
                             end + ONE_DAY if end else None))
    return out


def status(data: BidData, at: dt.date) -> Status:
    stage = _stage(data, at)
    role = STAGE_INFO[stage].lead
    award = data.award if data.award is not None and data.award.notice_date <= at else None
    return Status(at, stage, role, lead_name(data, role), _due(data, stage, at), overdue_items(data, at),
                  contract=award.contract_amount if award else None, instalments=instalments(data, at),
                  bonds=bonds(data, at))


def _due(data: BidData, stage: str, at: dt.date) -> list[str]:
    due: list[str] = []
    if stage == "opportunity":
        due += ["项目可行性分析报告", "立项申请"]
    elif stage == "initiation":
        due += ["立项申请（项目小组、立项评审）"]
    elif stage == "solution":
        due += ["方案与设备清单", "供应商报价与成本与报价分析" if data.internal_cost is None else "成本与报价分析",
                "标底方案（与客户确认）"]
    elif stage == "tender":
        reg = data.registration
        if reg is None or reg.date > at:
            due.append("报名")
        bond = reg.bid_bond if reg else None
        if data.tender.bid_bond is not None and (bond is None or _on(bond.paid, at) is None):
            due.append(f"缴纳投标保证金（投标截止 {_deadline(data)} 前）")
        due += ["技术标", "商务标", "质量管理部审核", "报价（质量管理部审核通过后）", "封标"]
    elif stage == "evaluation":
        due.append("中标通知书（评标结果）")
    elif stage == "contract":
        perf = data.award.performance_bond if data.award else None
        if perf is not None and _on(perf.paid, at) is None:
            due.append("缴纳履约保证金")
        due += ["施工方案", "设备供货方案"]
    elif stage == "construction":
        due += ["项目施工报告书", "项目设备供货报告"] if data.supply and data.supply.orders else ["项目施工报告书"]
    elif stage == "acceptance":
        recs = acceptance_records(data, at)
        last_internal = next((r for r in reversed(recs) if r.kind == AcceptanceKind.internal), None)
        if last_internal is None:
            due.append("内部验收单")
        elif last_internal.result == Result.failed:
            due += [f"整改意见书 {last_internal.rectification.number} 的整改" if last_internal.rectification
                    else "整改意见书", "第二次内部验收单"]
        else:
            due.append("正式验收单")
    elif stage == "warranty":
        end = warranty_end(data, at)
        if end is not None:
            due.append(f"履约保证金退回申请（质保期至 {end}，还有 {(end - at).days + 1} 天）")
    elif stage == "bond_refund":
        rec = data.payments.bond_refund if data.payments else None
        due.append("履约保证金退回申请" if rec is None or rec.date > at else "履约保证金到账")
    for inst in instalments(data, at):
        if inst.state == "due":
            due.append(f"回款申请（{inst.instalment.name} {_pct_text(inst.instalment.percent)}%）")
    for bond_state in bonds(data, at):
        if bond_state.kind != "bid_bond" or not bond_state.outstanding or bond_state.refund_from is None:
            continue
        if bond_state.refund_from <= at:
            due.append("投标保证金到账" if bond_state.refund_requested else "投标保证金退回申请")
    if stage not in ("opportunity", "initiation", "solution", "tender", "evaluation", "lost", "closed"):
        due.append("项目总结")
    if stage == "lost":
        due.append("项目总结（未中标原因）")
    return due


def overdue_items(data: BidData, at: dt.date) -> list[str]:
    """A bid bond not paid by the deadline, tasks past their planned end and not finished, orders past their
    promised arrival, open rectifications."""
    items: list[str] = []
    deadline = _deadline(data)
    if data.tender.bid_bond is not None and deadline < at:
        bond = data.registration.bid_bond if data.registration else None
        paid = bond.paid if bond is not None else None
        if paid is None or paid > deadline:
            when = f"paid {paid}, after" if paid is not None and paid <= at else "not paid by"
            items.append(f"bid bond: {when} the deadline {deadline} (the bid is invalid without it)")
    if data.award is not None and data.award.notice_date <= at:
        for t in data.solution.construction.tasks:
            if t.end < at and actual_end(data, t.id, at) is None:
                items.append(
                    f"{t.id} {t.name}: planned to finish {t.end}, {actual_percent(data, t.id, at)}% done, "
                    f"{(at - t.end).days} days late"
                )
            elif t.start < at and actual_start(data, t.id, at) is None:
                late = (at - t.start).days
                items.append(f"{t.id} {t.name}: planned to start {t.start}, not started, {late} days late")
    for o in data.supply.orders if data.supply else []:
        if o.promised < at and (o.arrived is None or o.arrived > at):
            late = (at - o.promised).days
            items.append(f"{o.number} {o.item}: promised for {o.promised}, not arrived, {late} days late")
    for rec in acceptance_records(data, at):
        if rec.rectification is None:
            continue
        for i, it in enumerate(rec.rectification.items, 1):
            if it.deadline < at and (it.done is None or it.done > at):
                items.append(
                    f"{rec.rectification.number} item {i} ({it.responsible}): deadline {it.deadline}, "
                    f"{(at - it.deadline).days} days late"
                )
    return items


# --- project summary --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageDates:
    name: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None

    @property
    def deviation(self) -> int | None:
        if self.planned_end is None or self.actual_end is None:
            return None
        return (self.actual_end - self.planned_end).days


@dataclass(frozen=True)
class Rate:
    name: str
    on_time: int
    total: int

    @property
    def rate(self) -> Decimal | None:
        return pct(Decimal(self.on_time) * HUNDRED / self.total) if self.total else None


@dataclass(frozen=True)
class Summary:
    at: dt.date
    stages: list[StageDates]
    acceptance_rounds: list[AcceptanceRecord]
    rates: list[Rate]


def _min(values: Iterable[dt.date | None]) -> dt.date | None:
    vals = [v for v in values if v is not None]
    return min(vals) if vals else None


def _max_all(values: Iterable[dt.date | None]) -> dt.date | None:
    vals = list(values)
    return max(v for v in vals if v is not None) if vals and all(v is not None for v in vals) else None


def summary(data: BidData, at: dt.date) -> Summary:
    """Planned vs actual dates per stage, acceptance rounds with rectifications, and on-time rates."""
    p = data.project
    stages: list[StageDates] = []
    if p.feasibility is not None:
        stages.append(StageDates("项目机会与可行性分析", None, None, p.feasibility.date, p.feasibility.approval.date))
    if p.initiation is not None:
        stages.append(StageDates("立项", None, None, p.initiation.date, p.initiation.approval.date))
    stages.append(StageDates("投标", data.tender.published, data.tender.deadline.date()
                             if isinstance(data.tender.deadline, dt.datetime) else data.tender.deadline,
                             data.tender.published, data.responses.bid.date))
    award = data.award if data.award is not None and data.award.notice_date <= at else None
    tasks = data.solution.construction.tasks
    if award is not None:
        stages.append(StageDates("中标与签约", None, None, award.notice_date,
                                 award.contract_date if award.contract_date <= at else None))
    if tasks:
        stages.append(StageDates(
            "施工",
            min(t.start for t in tasks),
            max(t.end for t in tasks),
            _min(actual_start(data, t.id, at) for t in tasks),
            _max_all(actual_end(data, t.id, at) for t in tasks),
        ))
    orders = data.supply.orders if data.supply else []
    if orders:
        arrivals = [o.arrived if o.arrived is not None and o.arrived <= at else None for o in orders]
        supply_end = award.contract_date + dt.timedelta(days=award.supply_days) if award else None
        first_order = min(o.ordered for o in orders)
        planned_supply_end = supply_end or max(o.promised for o in orders)
        stages.append(StageDates("设备供货", first_order, planned_supply_end, first_order, _max_all(arrivals)))
    recs = acceptance_records(data, at)
    internal_pass = next((r for r in recs if r.kind == AcceptanceKind.internal and r.result == Result.passed), None)
    first_internal = next((r for r in recs if r.kind == AcceptanceKind.internal), None)
    formal = formal_pass(data, at)
    plan_end = max(t.end for t in tasks) if tasks else None
    promised_end = award.contract_date + dt.timedelta(days=award.construction_days) if award else None
    if recs or award is not None:
        stages.append(StageDates("内部验收", None, plan_end + ONE_DAY if plan_end else None,
                                 first_internal.date if first_internal else None,
                                 internal_pass.date if internal_pass else None))
        stages.append(StageDates("正式验收", None, promised_end, None, formal.date if formal else None))
    reqs = [r for r in (data.payments.requests if data.payments else []) if r.date <= at]
    if formal is not None:
        stages.append(StageDates("回款", None, None, reqs[-1].date if reqs else None,
                                 reqs[-1].received if reqs and reqs[-1].received and reqs[-1].received <= at
                                 else None))
        end = warranty_end(data, at)
        refund = data.payments.bond_refund if data.payments else None
        stages.append(StageDates("质保期与履约保证金退回", formal.date, end,
                                 formal.date, refund.received if refund and refund.received and
                                 refund.received <= at else None))
    ends = [(t, actual_end(data, t.id, at)) for t in tasks]
    finished = [(t, e) for t, e in ends if e is not None]
    task_rate = Rate("施工任务按期完成率", sum(1 for t, e in finished if e <= t.end), len(finished))
    arrived = [(o, o.arrived) for o in orders if o.arrived is not None and o.arrived <= at]
    supply_rate = Rate("设备按期到货率", sum(1 for o, a in arrived if a <= o.promised), len(arrived))
    rect_items = [(it, it.done) for r in recs if r.rectification for it in r.rectification.items
                  if it.done is not None and it.done <= at]
    rect_rate = Rate("整改按期完成率", sum(1 for it, d in rect_items if d <= it.deadline), len(rect_items))
    return Summary(at, stages, recs, [task_rate, supply_rate, rect_rate])


# --- the site diary (施工日志): one day ----------------------------------------------------------------------


@dataclass(frozen=True)
class DayWork:
    task: Task
    before: int  # percent the day before
    after: int  # percent at the end of the day
    note: str
    recorded: bool  # a progress record is dated that day


@dataclass(frozen=True)
class DayStaff:
    role: str
    planned: int
    actual: int


@dataclass(frozen=True)
class Arrival:
    order: PurchaseOrder
    bom: BomItem
    qty: Decimal


@dataclass(frozen=True)
class DayFigures:
    date: dt.date
    log: DailyLog | None
    work: list[DayWork]  # tasks with a record that day, then the others in progress
    staff: list[DayStaff]
    arrivals: list[Arrival]
    late_tasks: list[tuple[Task, int]]  # open past their planned end: days late
    late_orders: list[tuple[PurchaseOrder, BomItem, int]]  # not arrived past the promised date
    planned: Decimal
    actual: Decimal


def day_figures(data: BidData, d: dt.date) -> DayFigures:
    """That day's work, people, materials and issues (the 施工日志), from the records."""
    tasks = list(data.solution.construction.tasks)
    if not tasks:
        raise StateError("construction report refused: solution.yaml construction.tasks is empty (施工方案 first)")
    progress = data.progress
    recs = [r for r in (progress.records if progress else []) if r.date == d]
    by_task = {t.id: t for t in tasks}
    work = [DayWork(by_task[r.task], actual_percent(data, r.task, d - ONE_DAY), r.percent, r.note, True)
            for r in recs if r.task in by_task]
    recorded = {w.task.id for w in work}
    for t in tasks:
        if t.id in recorded:
            continue
        start, end = actual_start(data, t.id, d), actual_end(data, t.id, d)
        if start is not None and end is None:
            pct_now = actual_percent(data, t.id, d)
            work.append(DayWork(t, pct_now, pct_now, "", False))
    roles: list[str] = []
    for s in data.solution.construction.staffing:
        if s.role not in roles:
            roles.append(s.role)
    staff = [DayStaff(role, planned_staff(data, role, d), actual_staff(data, role, d)) for role in roles]
    staff = [s for s in staff if s.planned or s.actual]
    orders = data.supply.orders if data.supply else []
    arrivals = []
    late_orders = []
    for o in orders:
        bom = data.solution.bom_item(o.item)
        if bom is None:
            continue
        if o.arrived == d:
            arrivals.append(Arrival(o, bom, o.qty if o.qty is not None else bom.qty))
        if o.promised < d and (o.arrived is None or o.arrived > d):
            late_orders.append((o, bom, (d - o.promised).days))
    late_tasks = [(t, (d - t.end).days) for t in tasks if t.end < d and actual_end(data, t.id, d) is None]
    log = next((entry for entry in (progress.daily_log if progress else []) if entry.date == d), None)
    return DayFigures(d, log, work, staff, arrivals, late_tasks, late_orders,
                      pct(overall_planned(tasks, d)), pct(overall_actual(data, tasks, d)))


# --- 考评: the figures the records hold about everyone's time and quality --------------------------------


@dataclass(frozen=True)
class ReviewCounts:
    """QA review decisions up to a date, read from the audit log by the pipeline (plain counts here)."""

    requests: int = 0
    approvals: int = 0
    rejections: int = 0


@dataclass(frozen=True)
class OwnerScore:
    owner: str  # a task's owner (role or team) in the construction plan
    due: int  # tasks planned to end by ``at`` or already finished
    on_time: int
    late: int
    max_late: int  # days


@dataclass(frozen=True)
class PersonScore:
    name: str  # the responsible person of rectification items
    items: int
    on_time: int
    open: int  # not done by ``at``


@dataclass(frozen=True)
class Assessment:
    at: dt.date
    plan_end: dt.date | None
    promised_end: dt.date | None  # the contract's construction deadline
    actual_end: dt.date | None
    owners: list[OwnerScore]
    rectifications: list[PersonScore]
    internal_rounds: int
    first_pass: bool | None
    reviews: ReviewCounts | None


def assessment(data: BidData, at: dt.date, reviews: ReviewCounts | None = None) -> Assessment:
    tasks = data.solution.construction.tasks
    owners: dict[str, list[Task]] = {}
    for t in tasks:
        owners.setdefault(t.owner or "（未指定）", []).append(t)
    scores = []
    for owner, group in owners.items():
        due = on_time = late = max_late = 0
        for t in group:
            end = actual_end(data, t.id, at)
            if end is None and t.end >= at:
                continue
            due += 1
            slip = slippage(t, actual_start(data, t.id, at), end, at)
            if end is not None and end <= t.end:
                on_time += 1
            else:
                late += 1
            max_late = max(max_late, slip)
        scores.append(OwnerScore(owner, due, on_time, late, max_late))
    people: dict[str, list[tuple[dt.date, dt.date | None]]] = {}
    recs = acceptance_records(data, at)
    for r in recs:
        for it in r.rectification.items if r.rectification else []:
            people.setdefault(it.responsible, []).append((it.deadline, _on(it.done, at)))
    persons = [PersonScore(name, len(items), sum(1 for dl, done in items if done is not None and done <= dl),
                           sum(1 for _, done in items if done is None))
               for name, items in people.items()]
    internal = [r for r in recs if r.kind == AcceptanceKind.internal]
    award = data.award if data.award is not None and data.award.notice_date <= at else None
    return Assessment(
        at=at,
        plan_end=max(t.end for t in tasks) if tasks else None,
        promised_end=award.contract_date + dt.timedelta(days=award.construction_days) if award else None,
        actual_end=_max_all(actual_end(data, t.id, at) for t in tasks) if tasks else None,
        owners=scores,
        rectifications=persons,
        internal_rounds=len(internal),
        first_pass=internal[0].result == Result.passed if internal else None,
        reviews=reviews,
    )
