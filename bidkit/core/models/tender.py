"""The tender (招标文件) as far as bidkit needs it: identity, dates, money limits, chapters, requirements."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from bidkit.core.models.base import (
    Bilingual,
    Day,
    Days,
    Duration,
    Model,
    Moment,
    Money,
    Rate,
    RelPath,
    Text,
    unique,
)


class ProcurementMethod(Bilingual):
    """采购方式 (政府采购法 第二十六条; 竞争性磋商: 财库〔2014〕214号)."""

    public_tender = "public_tender"
    invited_tender = "invited_tender"
    competitive_negotiation = "competitive_negotiation"
    competitive_consultation = "competitive_consultation"
    price_inquiry = "price_inquiry"
    single_source = "single_source"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"public_tender": "公开招标", "invited_tender": "邀请招标", "competitive_negotiation": "竞争性谈判",
                "competitive_consultation": "竞争性磋商", "price_inquiry": "询价", "single_source": "单一来源"}


class EvaluationMethod(Bilingual):
    """评标方法."""

    comprehensive_scoring = "comprehensive_scoring"
    lowest_price = "lowest_price"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"comprehensive_scoring": "综合评分法", "lowest_price": "最低评标价法"}


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
    """A chapter of the bid as the tender prescribes it: its title, its volume (``part``) and its source.

    The source is a bidkit form (the chapter's ``id``, or ``form``), the bidder's own ``file`` (.docx converted as
    it is, or filled as a template with ``fill: true``; or a .pdf), and/or a list of ``attachments`` (scans, by
    id) placed after the chapter's own pages. A form and a file exclude each other.
    """

    id: Text
    title: Text
    part: str | None = None  # the volume: price, commercial, technical, or one the tender defines in volumes
    form: str | None = None  # a bidkit form other than the id (e.g. id sme_statement, form sme_declaration)
    file: RelPath | None = None
    fill: bool = False  # fill the file's {{ }} variables (off: a 技术方案 may contain literal braces)
    toc_depth: Annotated[int, Field(ge=0, le=3)] = 0  # the file's own Heading 1..N in the 目录 and bookmarks
    attachments: list[Text] = []  # attachment ids, in this order, after the chapter's own pages
    stamp: bool | None = None  # 复印件加盖公章 on every attachment page (default: yes)
    copy_note: bool = False  # print 复印件与原件一致 beside each stamp on the attachment pages
    evidence: list[Text] = []  # attachments this chapter cites, attached in its volume's 证明材料 unless elsewhere
    needs_seal: bool = False
    needs_signature: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> Chapter:
        if self.file is not None and self.form is not None:
            raise ValueError(f"chapter '{self.id}' names both a file and a form: give one")
        if self.fill and self.file is None:
            raise ValueError(f"chapter '{self.id}': fill is for a chapter file (file: …)")
        if self.file is not None and self.file.lower().endswith(".pdf") and self.fill:
            raise ValueError(f"chapter '{self.id}': a PDF cannot be filled (fill: true is for .docx)")
        if self.file is not None and not self.file.lower().endswith((".docx", ".pdf")):
            raise ValueError(f"chapter '{self.id}': file must be a .docx or a .pdf ({self.file})")
        return self


class Volume(Model):
    """A volume (部分) of the bid: the tender may ask for the price part sealed apart, and name its volumes."""

    id: Text
    title: Text


class RequiredAttachment(Model):
    qualification: Text  # id of a company qualification
    note: str = ""


class Tender(Model):
    number: Text  # 招标编号
    project_name: Text  # as written in the tender
    purchaser: Text  # 采购人
    agency: str = ""  # 招标代理机构
    method: ProcurementMethod | None = None  # 采购方式: 公开招标, 邀请招标, 竞争性谈判, 竞争性磋商, 询价, 单一来源
    evaluation_method: EvaluationMethod | None = None  # 评标方法: 综合评分法, 最低评标价法
    lot: str = ""  # 包号 / 标段, when the tender has several
    published: Day | None = None
    deadline: Moment  # 投标截止时间
    opening_place: str = ""
    bid_validity_days: Days  # the minimum the tender asks for
    budget_amount: Money | None = None  # 预算金额 (采购预算): a bid above it is invalid, as above the control price
    control_price: Money | None = None  # 最高限价
    bid_bond: Money | None = None  # 投标保证金
    tax_included: bool = True  # prices are quoted including VAT
    tax_rate: Rate | None = None
    delivery_days: Days | None = None  # 工期 the tender allows
    warranty_years: Annotated[int, Field(gt=0, le=50)] | None = None
    response_time: Duration | None = None  # the longest 售后响应时间 the tender accepts ("30 分钟", "2 小时")
    volumes: Annotated[list[Volume], unique("id", "volume id '{}' appears twice")] = []
    chapters: Annotated[list[Chapter], unique("id", "chapter id '{}' appears twice")] = []
    required_attachments: list[RequiredAttachment] = []
    requirements: Annotated[list[Requirement], unique("id", "requirement id '{}' appears twice")] = []


