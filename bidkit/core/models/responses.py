"""The bidder's answers: bid terms, authorisation, deviation tables, references, after-sales promise."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from bidkit.core.models.base import Bilingual, Model, Money, Text
from bidkit.core.models.company import Person


class Deviation(Bilingual):
    complies = "complies"
    exceeds = "exceeds"
    deviates = "deviates"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"complies": "无偏离", "exceeds": "正偏离", "deviates": "负偏离"}


class DeviationRow(Model):
    """One row of 技术偏离表 / 商务偏离表, answering the requirement ``requirement``."""

    requirement: Text
    response: Text
    deviation: Deviation
    note: str = ""


class Authorisation(Model):
    """法定代表人授权书."""

    agent: Person
    date: dt.date
    valid_until: dt.date | None = None


class Reference(Model):
    """类似项目业绩."""

    customer: Text
    project: Text
    year: Annotated[int, Field(ge=1990, le=2100)]
    amount: Money | None = None
    contact: str = ""
    summary: str = ""


class BidTerms(Model):
    date: dt.date  # 投标日期
    bid_validity_days: Annotated[int, Field(gt=0)]
    delivery_days: Annotated[int, Field(gt=0)]
    warranty_years: Annotated[int, Field(gt=0)]
    copies: Annotated[int, Field(ge=0)] = 2  # 副本 count besides the 正本
    payment_terms: str = ""


class Responses(Model):
    bid: BidTerms
    authorisation: Authorisation
    technical: list[DeviationRow] = []
    commercial: list[DeviationRow] = []
    references: list[Reference] = []
    after_sales: list[Text] = []
    response_time_hours: Annotated[int, Field(gt=0)] = 2
