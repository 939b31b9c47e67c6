"""Records after the award: award and contract, progress, purchase orders, payment and bond refund requests.

The plan side lives elsewhere: tasks and planned staffing in :class:`~bidkit.core.models.solution.ConstructionPlan`,
acceptance records in :mod:`bidkit.core.models.acceptance`. Purchase order costs are internal (内部成本).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from bidkit.core.models.base import Bilingual, Model, Money, Percent, Quantity, RelPath, Text, unique
from bidkit.core.money import to_fen

Days = Annotated[int, Field(gt=0)]


class BondForm(Bilingual):
    transfer = "transfer"
    guarantee = "guarantee"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"transfer": "银行转账", "guarantee": "银行保函"}


class PerformanceBond(Model):
    """履约保证金: paid after the award, refundable the day after the warranty period ends."""

    amount: Money
    paid: dt.date | None = None
    form: BondForm = BondForm.transfer
    reference: str = ""  # the bank's transfer number or the guarantee's number
    issuer: str = ""  # the bank that issued the guarantee
    valid_until: dt.date | None = None  # a guarantee's expiry
    receipt: RelPath | None = None  # scan of the transfer receipt or the guarantee


class Condition(Bilingual):
    """When a contract instalment may be requested."""

    contract_signed = "contract_signed"
    installation_done = "installation_done"
    acceptance_passed = "acceptance_passed"
    warranty_ended = "warranty_ended"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"contract_signed": "合同签订后", "installation_done": "安装调试完成后",
                "acceptance_passed": "验收合格后", "warranty_ended": "质保期满后"}


class Instalment(Model):
    """One payment of the contract (预付款, 进度款, 验收款, 尾款): a share of the contract amount and its condition."""

    name: Text
    percent: Percent
    condition: Condition
    task: str | None = None  # installation_done: this construction task finished (default: every task)

    @model_validator(mode="after")
    def _task(self) -> Instalment:
        if self.task is not None and self.condition != Condition.installation_done:
            raise ValueError("task is only for the condition installation_done")
        return self


LUMP_SUM = Instalment(name="合同款", percent=Decimal(100), condition=Condition.acceptance_passed)


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
    signed_by: str = ""  # the purchaser's signatory
    contract_scan: RelPath | None = None  # the signed contract
    performance_bond: PerformanceBond | None = None
    instalments: Annotated[list[Instalment], unique("name", "instalment '{}' appears twice")] = []

    @model_validator(mode="after")
    def _order(self) -> Award:
        if self.contract_date < self.notice_date:
            raise ValueError("contract_date is before notice_date")
        if self.instalments:
            total = sum((i.percent for i in self.instalments), Decimal(0))
            if total != 100:
                raise ValueError(f"the instalments add up to {total.normalize():f}%, not 100%")
        return self

    def payment_plan(self) -> list[Instalment]:
        """The contract's instalments; a contract that names none is paid in full after the acceptance."""
        return list(self.instalments) or [LUMP_SUM]

    def instalment(self, name: str | None) -> Instalment | None:
        """The instalment ``name``; ``None`` names the only one, when there is only one."""
        plan = self.payment_plan()
        if name is None:
            return plan[0] if len(plan) == 1 else None
        return next((i for i in plan if i.name == name), None)

    def instalment_amount(self, inst: Instalment) -> Decimal:
        """Its share of the contract amount, to the fen; the last instalment takes what the rounding left."""
        plan = self.payment_plan()
        shares = [to_fen(self.contract_amount * i.percent / 100) for i in plan[:-1]]
        index = [i.name for i in plan].index(inst.name)
        return shares[index] if index < len(shares) else self.contract_amount - sum(shares, Decimal(0))


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


class DailyLog(Model):
    """One day of the 施工日志: weather and what the records of progress, staffing and supply do not say."""

    date: dt.date
    weather: Text  # 晴, 多云, 小雨 ...
    temperature: str = ""  # e.g. 3~11℃
    work: list[Text] = []  # work done that day, besides the progress records
    issues: list[Text] = []  # problems met, visits, instructions received
    recorded_by: str = ""


class Progress(Model):
    """progress.yaml: dated actual progress and staffing, and the site diary (施工日志)."""

    records: list[ProgressRecord] = []
    staffing: list[StaffingRecord] = []
    daily_log: Annotated[list[DailyLog], unique("date", "the daily log has {} twice")] = []

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
    """回款申请 for one instalment of the contract."""

    number: Text
    date: dt.date
    instalment: str | None = None  # a name of award.yaml instalments (may be left out when there is only one)
    milestone: str = ""  # the contract's payment clause in its own words (default: from the instalment)
    amount: Money | None = None  # default: the instalment's share of the contract amount
    received: dt.date | None = None

    @model_validator(mode="after")
    def _order(self) -> PaymentRequest:
        if self.received is not None and self.received < self.date:
            raise ValueError("received is before the request's date")
        return self


class BondRefundRequest(Model):
    """履约保证金退回申请."""

    number: Text
    date: dt.date
    received: dt.date | None = None


class Payments(Model):
    """payments.yaml: payment requests (one per instalment) and the performance bond refund request."""

    requests: Annotated[list[PaymentRequest], unique("number", "payment request '{}' appears twice")] = []
    bond_refund: BondRefundRequest | None = None
