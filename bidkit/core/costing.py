"""Costs and margin before the price (pure): supplier quotes compared, cost by category, margin against the
target, the baseline (标底) beside the customer's budget and the control price, and the findings.

The bid price enters only as a :class:`~bidkit.core.models.Pricing` the caller decrypted through the open price
lock; without it every figure here is cost, budget or control price. Margins are on the basis the prices are
quoted on (tax included when the tender says so, as the suppliers' quotes are): margin = price − cost, margin rate
= margin ÷ price.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bidkit.core.models import BidData, BomItem, CostCategory, CostLine, FeedbackRound, Pricing, Quote
from bidkit.core.money import line_total, to_fen
from bidkit.core.pricing import summarise

HUNDRED = Decimal(100)


def rate_pct(value: Decimal) -> Decimal:
    """A fraction as a percentage to two decimals (0.18123 → 18.12)."""
    return (value * HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class QuoteRow:
    quote: Quote
    total: Decimal  # unit cost × the BOM quantity
    chosen: bool


@dataclass(frozen=True)
class CostRow:
    no: int
    bom: BomItem
    line: CostLine | None  # None: not costed on its own (in labour or overhead)
    cost: Decimal | None  # the chosen quote × quantity
    quotes: list[QuoteRow]  # cheapest first
    unit_price: Decimal | None  # only with the prices
    price: Decimal | None
    margin: Decimal | None
    margin_rate: Decimal | None  # a fraction

    @property
    def cheapest(self) -> bool:
        return not self.quotes or self.quotes[0].chosen or self.quotes[0].total == self.cost


@dataclass(frozen=True)
class CategoryTotal:
    category: CostCategory
    amount: Decimal
    share: Decimal  # a fraction of the total cost


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str  # 严重 / 警告 / 提示
    message: str


@dataclass(frozen=True)
class Baseline:
    """标底: the price the target margin asks for, beside the customer's budget and the control price."""

    cost: Decimal
    target_margin: Decimal | None
    target_price: Decimal | None  # cost ÷ (1 − target margin)
    budget: Decimal
    control_price: Decimal | None
    max_margin: Decimal | None  # the margin rate the control price allows


@dataclass(frozen=True)
class CostAnalysis:
    rows: list[CostRow]
    categories: list[CategoryTotal]
    lines_cost: Decimal
    labour: Decimal
    others: Decimal  # other_costs
    direct: Decimal  # lines + labour + other costs
    overhead_rate: Decimal
    overhead: Decimal
    total_cost: Decimal
    with_prices: bool
    bid_total: Decimal | None
    margin: Decimal | None
    margin_rate: Decimal | None
    tax_included: bool
    baseline: Baseline
    feedback: list[FeedbackRound]
    findings: list[Finding]


def analyse(data: BidData, pricing: Pricing | None = None) -> CostAnalysis:
    """The cost analysis of the workspace; with ``pricing`` (decrypted through the open lock) also the margins."""
    sheet = data.internal_cost
    if sheet is None:
        raise LookupError("internal_cost.yaml is missing (the supplier quotes and costs come first)")
    summary = summarise(data.solution, pricing, tax_included=data.tender.tax_included) if pricing else None
    priced = {ln.bom.id: ln for ln in summary.lines} if summary else {}
    rows: list[CostRow] = []
    by_category: dict[CostCategory, Decimal] = {c: Decimal(0) for c in CostCategory}
    for i, bom in enumerate(data.solution.bom, 1):
        line = sheet.line(bom.id)
        cost = line_total(bom.qty, line.unit_cost) if line else None
        quotes = []
        if line is not None:
            quotes = sorted(
                (QuoteRow(q, line_total(bom.qty, q.unit_cost), n == 0) for n, q in enumerate(line.quotes())),
                key=lambda r: (r.total, not r.chosen),
            )
            by_category[line.category] += cost or Decimal(0)
        p = priced.get(bom.id)
        margin = p.total - cost if p is not None and cost is not None else None
        rows.append(CostRow(
            no=i, bom=bom, line=line, cost=cost, quotes=quotes,
            unit_price=p.unit_price if p else None, price=p.total if p else None, margin=margin,
            margin_rate=margin / p.total if margin is not None and p is not None and p.total else None,
        ))
    lines_cost = sum((r.cost for r in rows if r.cost is not None), Decimal(0))
    others = sum((c.amount for c in sheet.other_costs), Decimal(0))
    by_category[CostCategory.labour] += sheet.labour
    for extra in sheet.other_costs:
        by_category[extra.category] += extra.amount
    direct = lines_cost + sheet.labour + others
    overhead = to_fen(direct * sheet.overhead_rate)
    by_category[CostCategory.other] += overhead
    total = direct + overhead
    categories = [CategoryTotal(c, amount, amount / total if total else Decimal(0))
                  for c, amount in by_category.items()]
    bid_total = summary.total if summary else None
    margin = bid_total - total if bid_total is not None else None
    margin_rate = margin / bid_total if margin is not None and bid_total else None
    target = data.project.target_margin
    control = data.tender.control_price
    baseline = Baseline(
        cost=total,
        target_margin=target,
        target_price=to_fen(total / (1 - target)) if target is not None else None,
        budget=data.project.budget,
        control_price=control,
        max_margin=(control - total) / control if control else None,
    )
    analysis = CostAnalysis(
        rows=rows, categories=categories, lines_cost=lines_cost, labour=sheet.labour, others=others, direct=direct,
        overhead_rate=sheet.overhead_rate, overhead=overhead, total_cost=total, with_prices=summary is not None,
        bid_total=bid_total, margin=margin, margin_rate=margin_rate, tax_included=data.tender.tax_included,
        baseline=baseline, feedback=sorted(sheet.feedback, key=lambda f: f.date), findings=[],
    )
    analysis.findings.extend(findings(data, analysis))
    return analysis


def _deadline(data: BidData) -> dt.date:
    d = data.tender.deadline
    return d.date() if isinstance(d, dt.datetime) else d


def findings(data: BidData, a: CostAnalysis) -> list[Finding]:
    """What the sales rep and the general manager must look at; no finding blocks anything."""
    out: list[Finding] = []
    b = a.baseline
    if b.target_margin is None:
        out.append(Finding("cost.no_target", "提示", "project.yaml 未设目标毛利率（target_margin），无法对照。"))
    if a.margin_rate is not None and b.target_margin is not None and a.margin_rate < b.target_margin:
        out.append(Finding(
            "cost.margin_below_target", "警告",
            f"毛利率 {rate_pct(a.margin_rate)}% 低于目标毛利率 {rate_pct(b.target_margin)}%：报价须经总经理批准。",
        ))
    for r in a.rows:
        if r.margin is not None and r.margin < 0:
            out.append(Finding("cost.price_below_cost", "警告",
                               f"{r.bom.id} {r.bom.name}：报价低于成本（亏损 {abs(r.margin):,.2f} 元）。"))
    if a.bid_total is not None and b.control_price is not None and a.bid_total > b.control_price:
        out.append(Finding("cost.bid_above_control", "严重", "投标总价超过最高限价：废标。"))
    if b.control_price is not None and a.total_cost >= b.control_price:
        out.append(Finding("cost.cost_above_control", "严重", "成本已达到或超过最高限价：无法盈利。"))
    elif b.target_price is not None and b.control_price is not None and b.target_price > b.control_price:
        out.append(Finding(
            "cost.target_above_control", "警告",
            "按目标毛利率测算的报价高于最高限价：目标毛利无法实现，须压缩成本或经总经理批准降低毛利。",
        ))
    if a.total_cost > b.budget:
        out.append(Finding("cost.cost_above_budget", "警告", "成本超过客户预算。"))
    deadline = _deadline(data)
    for r in a.rows:
        line = r.line
        if line is None:
            continue
        if line.valid_until is not None and line.valid_until < deadline:
            out.append(Finding(
                "cost.quote_expired", "警告",
                f"{r.bom.id} {r.bom.name}：选定报价有效期至 {line.valid_until}，早于投标截止日 {deadline}，"
                "须请供应商续期。",
            ))
        if not r.cheapest and not line.reason:
            cheaper = r.quotes[0].quote.supplier
            out.append(Finding(
                "cost.cheaper_quote", "提示",
                f"{r.bom.id} {r.bom.name}：未选最低报价（{cheaper} 更低），请在 reason 中说明原因。",
            ))
    missing = [r.bom.id for r in a.rows if r.line is None]
    if missing:
        out.append(Finding("cost.not_costed", "提示",
                           f"{'、'.join(missing)} 未单独核算成本（计入自有人工或管理费）。"))
    return out
