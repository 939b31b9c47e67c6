"""Price computation (pure): line totals, grand total, tax. Totals are always computed, never typed in."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bidkit.core.models import BomItem, Pricing, Solution
from bidkit.core.money import line_total, to_fen


@dataclass(frozen=True)
class PricedLine:
    no: int
    bom: BomItem
    unit_price: Decimal
    total: Decimal
    note: str


@dataclass(frozen=True)
class PriceSummary:
    lines: list[PricedLine]
    subtotal: Decimal  # sum of line totals
    tax_rate: Decimal
    tax_included: bool
    tax: Decimal  # VAT contained in (or added to) the total
    total: Decimal  # the bid price (投标总价)


def summarise(solution: Solution, pricing: Pricing, *, tax_included: bool = True) -> PriceSummary:
    """Price every BOM line in BOM order. Lines without a price are skipped; checks report them."""
    priced = {p.item: p for p in pricing.lines}
    lines: list[PricedLine] = []
    for bom in solution.bom:
        p = priced.get(bom.id)
        if p is None:
            continue
        lines.append(PricedLine(len(lines) + 1, bom, p.unit_price, line_total(bom.qty, p.unit_price), p.note))
    subtotal = sum((line.total for line in lines), Decimal("0.00"))
    rate = pricing.tax_rate
    if tax_included:
        total = subtotal
        tax = to_fen(subtotal - subtotal / (1 + rate))
    else:
        tax = to_fen(subtotal * rate)
        total = subtotal + tax
    return PriceSummary(lines, to_fen(subtotal), rate, tax_included, tax, to_fen(total))
