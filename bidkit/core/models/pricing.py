"""The price part's data (报价) and the internal cost sheet. Both are confidential; they live in files of their own.

No bid template may see :class:`InternalCost`; only the price part's templates see :class:`Pricing`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from bidkit.core.models.base import Bilingual, Model, Money, Rate, Text, unique


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


class CostCategory(Bilingual):
    """The categories of the cost summary (成本构成)."""

    equipment = "equipment"
    materials = "materials"
    labour = "labour"
    subcontract = "subcontract"
    other = "other"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"equipment": "设备", "materials": "材料", "labour": "人工", "subcontract": "分包", "other": "其他"}


class Quote(Model):
    """One supplier's quote for a BOM line (供应商报价), compared with the chosen one."""

    supplier: Text
    unit_cost: Money
    quoted: dt.date | None = None  # date of the quote
    valid_until: dt.date | None = None  # last day the supplier holds the price
    ref: str = ""  # the supplier's quote number

    @model_validator(mode="after")
    def _dates(self) -> Quote:
        if self.quoted and self.valid_until and self.valid_until < self.quoted:
            raise ValueError("valid_until is before the quote date")
        return self


class CostLine(Model):
    """The cost of one BOM line: the chosen supplier's quote and the other quotes it was compared with."""

    item: Text  # BOM id
    category: CostCategory = CostCategory.equipment
    supplier: Text  # the chosen supplier
    unit_cost: Money  # the chosen quote
    quote_ref: str = ""
    quoted: dt.date | None = None
    valid_until: dt.date | None = None
    alternatives: list[Quote] = []  # other suppliers' quotes for the same line (比价)
    reason: str = ""  # why this supplier, when a cheaper quote was passed over

    @model_validator(mode="after")
    def _quotes(self) -> CostLine:
        if self.quoted and self.valid_until and self.valid_until < self.quoted:
            raise ValueError("valid_until is before the quote date")
        seen = {self.supplier}
        for q in self.alternatives:
            if q.supplier in seen:
                raise ValueError(f"supplier '{q.supplier}' quotes twice for {self.item}")
            seen.add(q.supplier)
        return self

    def quotes(self) -> list[Quote]:
        """Every quote of the line, the chosen one first."""
        chosen = Quote(supplier=self.supplier, unit_cost=self.unit_cost, quoted=self.quoted,
                       valid_until=self.valid_until, ref=self.quote_ref)
        return [chosen, *self.alternatives]


class ExtraCost(Model):
    """A cost not tied to a BOM line (transport, travel, bid expenses ...)."""

    name: Text
    category: CostCategory = CostCategory.other
    amount: Money


class FeedbackRound(Model):
    """One round of customer feedback before the tender (方案修订, 成本压缩) and its effect on the cost."""

    date: dt.date
    source: str = ""  # who gave the feedback
    changes: Annotated[list[Text], Field(min_length=1)]
    cost_change: Money = Decimal(0)  # effect on the internal cost; negative: a reduction
    note: str = ""


class InternalCost(Model):
    """内部成本: supplier quotes, cost by category, feedback rounds. Never reachable from a bid template.

    ``labour`` is the company's own installation labour; ``overhead_rate`` (管理费) applies to every other cost.
    """

    lines: Annotated[list[CostLine], unique("item", "BOM line '{}' is costed twice")] = []
    labour: Money = Decimal(0)
    overhead_rate: Rate = Decimal(0)
    other_costs: list[ExtraCost] = []
    feedback: list[FeedbackRound] = []
    notes: str = ""

    def line(self, item: str) -> CostLine | None:
        return next((c for c in self.lines if c.item == item), None)
