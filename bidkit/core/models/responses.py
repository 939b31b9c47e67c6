"""The bidder's answers: bid terms, authorisation, deviation tables, references, after-sales promise."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from bidkit.core.models.base import (
    Bilingual,
    Day,
    Days,
    Duration,
    Model,
    Money,
    RelPath,
    Text,
    format_duration,
    unique,
)
from bidkit.core.models.company import Person


def _hours(value: object) -> Decimal:
    """Hours as a plain number; a part of an hour is fine when it is whole minutes (0.5 = 30 分钟)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("expected a number of hours, e.g. 2 (or write response_time: \"30 分钟\")")
    hours = Decimal(value)
    minutes = hours * 60
    if hours <= 0 or hours > 720 or minutes != minutes.to_integral_value():
        raise ValueError("expected hours greater than 0, at most 720, in whole minutes (0.5 = 30 分钟); or write "
                         "response_time: \"30 分钟\"")
    return hours


class Deviation(Bilingual):
    complies = "complies"
    exceeds = "exceeds"
    deviates = "deviates"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"complies": "无偏离", "exceeds": "正偏离", "deviates": "负偏离"}


class DeviationRow(Model):
    """One row of 技术偏离表 / 商务偏离表, answering the requirement ``requirement``. A row without its response
    and deviation is one still to answer (``bidkit tender import-requirements`` adds them): ``bidkit check``
    reports it, as a requirement without an answer."""

    requirement: Text
    response: str = ""
    deviation: Deviation | None = None
    note: str = ""
    evidence: list[Text] = []  # attachment ids proving the response (test reports, certificates)


class Authorisation(Model):
    """法定代表人授权书."""

    agent: Person
    date: Day
    valid_until: Day | None = None


class Reference(Model):
    """类似项目业绩."""

    customer: Text
    project: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    amount: Money | None = None
    contact: str = ""
    summary: str = ""
    evidence: list[Text] = []  # attachment ids: the contract copy, acceptance report…


class Attachment(Model):
    """A document the bid attaches (a test report, a contract copy, a bond receipt): declared once, cited by id."""

    id: Text
    title: Text
    file: RelPath  # a PDF in the workspace
    stamp: bool = True  # 复印件加盖公章 on its pages


class EnterpriseSize(Bilingual):
    medium = "medium"
    small = "small"
    micro = "micro"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"medium": "中型企业", "small": "小型企业", "micro": "微型企业"}


class SmeItem(Model):
    """One 标的 of the 中小企业声明函 (财库〔2020〕46号): what, its industry, who makes it and how big they are."""

    name: Text
    industry: Text  # 采购文件中明确的所属行业, e.g. 工业
    manufacturer: Text  # 制造商 (货物) or 承建/承接企业 (工程、服务)
    employees: Annotated[int, Field(ge=0)]
    revenue_wan: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]  # 营业收入（万元）
    assets_wan: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]  # 资产总额（万元）
    size: EnterpriseSize


class SmeDeclaration(Model):
    kind: Literal["goods", "works", "services"] = "goods"  # 货物 / 工程 / 服务
    items: Annotated[list[SmeItem], Field(min_length=1)]


class BidTerms(Model):
    date: Day  # 投标日期
    bid_validity_days: Days
    delivery_days: Days
    warranty_years: Annotated[int, Field(gt=0, le=50)]
    copies: Annotated[int, Field(ge=0)] = 2  # 副本 count besides the 正本
    payment_terms: str = ""


class Responses(Model):
    bid: BidTerms
    authorisation: Authorisation
    technical: list[DeviationRow] = []
    commercial: list[DeviationRow] = []
    references: list[Reference] = []
    after_sales: list[Text] = []
    attachments: Annotated[list[Attachment], unique("id", "attachment id '{}' appears twice")] = []
    sme_declaration: SmeDeclaration | None = None
    response_time: Duration | None = None  # 售后响应时间 as the tender asks: "30 分钟", "2 小时"
    response_time_hours: Annotated[Decimal, BeforeValidator(_hours)] | None = None  # older form: hours (0.5 = 30 分钟)

    @model_validator(mode="after")
    def _one_response_time(self) -> Responses:
        if self.response_time is not None and self.response_time_hours is not None:
            raise ValueError("give response_time (e.g. \"30 分钟\", \"2 小时\") or the older response_time_hours, "
                             "not both")
        return self

    @property
    def response_minutes(self) -> int:
        """The promised response time in minutes (2 hours unless the responses say otherwise)."""
        if self.response_time is not None:
            return self.response_time
        if self.response_time_hours is not None:
            return int(self.response_time_hours * 60)
        return 120

    @property
    def response_time_text(self) -> str:
        return format_duration(self.response_minutes)
