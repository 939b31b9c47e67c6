"""Records after the award: award and contract, progress, purchase orders, payment and bond refund requests.

The plan side lives elsewhere: tasks and planned staffing in :class:`~bidkit.core.models.solution.ConstructionPlan`,
acceptance records in :mod:`bidkit.core.models.acceptance`. Purchase order costs are internal (内部成本).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from bidkit.core.models.base import Bilingual, Model, Money, Quantity, Text, unique

Days = Annotated[int, Field(gt=0)]


class PerformanceBond(Model):
    """履约保证金: paid after the award, refundable the day after the warranty period ends."""

    amount: Money
    paid: dt.date | None = None


class Award(Model):
    """award.yaml: 中标通知书 and the contract. Entering it hands the lead to the project manager."""

    notice_number: Text
    notice_date: dt.date
    contract_number: Text
    contract_date: dt.date
    contract_amount: Money
    supply_days: Days  # promised supply period, calendar days from the contract date
    construction_days: Days  # promised construction period, calendar days from the contract date
    warranty_years: Annotated[int, Field(ge=0, le=10)]  # from the formal acceptance
    performance_bond: PerformanceBond | None = None

    @model_validator(mode="after")
    def _order(self) -> Award:
        if self.contract_date < self.notice_date:
            raise ValueError("contract_date is before notice_date")
        return self


class ProgressRecord(Model):
    """Actual progress of one task on a date (cumulative percent complete)."""

    task: Text  # a task id of solution.yaml construction.tasks
    date: dt.date
    percent: Annotated[int, Field(ge=0, le=100)]
    started: dt.date | None = None  # actual start, when it is not the date of the first record
    note: str = ""


class StaffingRecord(Model):
    """From ``date`` on, ``count`` people of ``role`` are on site (until the role's next record)."""

    role: Text  # a role of solution.yaml construction.staffing
    date: dt.date
    count: Annotated[int, Field(ge=0)]


class Progress(Model):
    """progress.yaml: dated actual progress and staffing."""

    records: list[ProgressRecord] = []
    staffing: list[StaffingRecord] = []

    @field_validator("records")
    @classmethod
    def _not_backwards(cls, value: list[ProgressRecord]) -> list[ProgressRecord]:
        last: dict[str, ProgressRecord] = {}
        for rec in sorted(value, key=lambda r: r.date):
            prev = last.get(rec.task)
            if prev is not None and rec.percent < prev.percent:
                raise ValueError(
                    f"task '{rec.task}' goes back from {prev.percent}% ({prev.date}) to {rec.percent}% ({rec.date})"
                )
            last[rec.task] = rec
        return value


class PaymentStatus(Bilingual):
    unpaid = "unpaid"
    partial = "partial"
    paid = "paid"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"unpaid": "未付款", "partial": "部分付款", "paid": "已付清"}


class PurchaseOrder(Model):
    """One purchase order for one BOM line. ``cost`` is internal: it appears only in the supply report."""

    number: Text
    item: Text  # BOM id
    supplier: Text
    qty: Quantity | None = None  # default: the BOM line's quantity
    ordered: dt.date
    promised: dt.date  # promised arrival
    arrived: dt.date | None = None
    cost: Money  # total cost of the order (内部成本)
    payment: PaymentStatus = PaymentStatus.unpaid
    defects: Annotated[int, Field(ge=0)] = 0  # units found defective at arrival inspection
    note: str = ""


class Supply(Model):
    """supply.yaml: the supply plan's text and the purchase orders."""

    summary: str = ""
    inspection: list[Text] = []  # 到货检验 measures
    logistics: list[Text] = []  # transport, storage, site handover
    orders: Annotated[list[PurchaseOrder], unique("number", "purchase order '{}' appears twice")] = []



class PaymentRequest(Model):
    """回款申请."""

    number: Text
    date: dt.date
    milestone: Text  # the contract's payment clause this request is based on
    amount: Money
    received: dt.date | None = None


class BondRefundRequest(Model):
    """履约保证金退回申请."""

    number: Text
    date: dt.date
    received: dt.date | None = None


class Payments(Model):
    """payments.yaml: payment requests and the bond refund request."""

    requests: list[PaymentRequest] = []
    bond_refund: BondRefundRequest | None = None
