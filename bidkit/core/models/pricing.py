"""The price part's data (报价) and the internal cost sheet. Both are confidential; they live in files of their own.

No bid template may see :class:`InternalCost`; only the price part's templates see :class:`Pricing`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from bidkit.core.models.base import Model, Money, Rate, Text, unique


class PriceLine(Model):
    item: Text  # BOM id
    unit_price: Money
    note: str = ""  # required when the unit price is zero (e.g. 赠送)


class Pricing(Model):
    """Unit prices per BOM line; totals are computed, never typed."""

    tax_rate: Rate = Decimal("0.13")
    lines: Annotated[list[PriceLine], unique("item", "BOM line '{}' is priced twice")] = []
    extra_note: str = ""


    def unit_price(self, item: str) -> Decimal | None:
        return next((p.unit_price for p in self.lines if p.item == item), None)


class CostLine(Model):
    item: Text  # BOM id
    supplier: Text
    unit_cost: Money
    quote_ref: str = ""


class InternalCost(Model):
    """内部成本: supplier quotes and margins. Never reachable from a bid template."""

    lines: list[CostLine] = []
    labour: Money = Decimal(0)
    overhead_rate: Rate = Decimal(0)
    notes: str = ""
