"""The tender (招标文件) as far as bidkit needs it: identity, dates, money limits, chapters, requirements."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from bidkit.core.models.base import Bilingual, Model, Money, Rate, Text, unique


class RequirementKind(Bilingual):
    technical = "technical"
    commercial = "commercial"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"technical": "技术", "commercial": "商务"}


class Requirement(Model):
    """One clause of the tender; ``mandatory`` is the ★ mark (实质性条款)."""

    id: Text
    clause: str = ""  # the tender's own numbering, e.g. 3.2.1
    kind: RequirementKind
    mandatory: bool = False
    text: Text


class Chapter(Model):
    """A chapter the tender requires, with whether its format asks for a seal or signature."""

    id: Text
    title: Text
    needs_seal: bool = False
    needs_signature: bool = False


class RequiredAttachment(Model):
    qualification: Text  # id of a company qualification
    note: str = ""


class Tender(Model):
    number: Text  # 招标编号
    project_name: Text  # as written in the tender
    purchaser: Text  # 采购人
    agency: str = ""  # 招标代理机构
    published: dt.date | None = None
    deadline: dt.datetime  # 投标截止时间
    opening_place: str = ""
    bid_validity_days: Annotated[int, Field(gt=0)]  # the minimum the tender asks for
    control_price: Money | None = None  # 最高限价
    bid_bond: Money | None = None  # 投标保证金
    tax_included: bool = True  # prices are quoted including VAT
    tax_rate: Rate | None = None
    delivery_days: Annotated[int, Field(gt=0)] | None = None  # 工期 the tender allows
    warranty_years: Annotated[int, Field(gt=0)] | None = None
    chapters: Annotated[list[Chapter], unique("id", "chapter id '{}' appears twice")] = []
    required_attachments: list[RequiredAttachment] = []
    requirements: Annotated[list[Requirement], unique("id", "requirement id '{}' appears twice")] = []


