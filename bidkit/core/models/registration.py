"""registration.yaml: the tender registration (报名) and the bid bond (投标保证金), from payment to refund.

The bond's receipt scan is an attachment of the bid. A won bid continues in award.yaml; a lost one is recorded
here (``lost``), which is what allows the bid bond's refund without an award.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from pydantic import model_validator

from bidkit.core.models.base import Model, Money, RelPath, Text


class BidBond(Model):
    """投标保证金: paid before the deadline from the company's basic account, refunded after the award."""

    amount: Money
    paid: dt.date | None = None
    payer_account: str = ""  # 基本账户, as the tender requires
    reference: str = ""  # the bank's transfer number
    receipt: RelPath | None = None  # scan of the bank receipt (an attachment of the bid)
    refund_requested: dt.date | None = None
    refund_received: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> BidBond:
        steps = [("paid", self.paid), ("refund_requested", self.refund_requested),
                 ("refund_received", self.refund_received)]
        known = [(n, d) for n, d in steps if d is not None]
        for (n1, d1), (n2, d2) in pairwise(known):
            if d2 < d1:
                raise ValueError(f"{n2} ({d2}) is before {n1} ({d1})")
        if self.refund_received is not None and self.paid is None:
            raise ValueError("refund_received without paid")
        return self


class LostBid(Model):
    """未中标: the notice of the result, when another bidder won."""

    notice_date: dt.date
    winner: str = ""
    note: str = ""


class Registration(Model):
    """报名: when, by whom, where; the bid bond; and the result when the bid was lost."""

    date: dt.date
    by: Text  # who registered (usually the sales rep)
    platform: str = ""  # 公共资源交易中心 / 政府采购网
    number: str = ""  # registration number
    bid_bond: BidBond | None = None
    lost: LostBid | None = None
