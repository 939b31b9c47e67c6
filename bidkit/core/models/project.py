"""The project before the tender: customer, type, team, feasibility analysis and initiation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from bidkit.core.models.base import Bilingual, Model, Money, Rate, Text


class ProjectType(Bilingual):
    self_run = "self_run"
    strategic = "strategic"
    competitive_tender = "competitive_tender"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"self_run": "自营把控", "strategic": "战略意义", "competitive_tender": "竞争投标"}


class Role(Bilingual):
    sales_rep = "sales_rep"
    presales_engineer = "presales_engineer"
    project_manager = "project_manager"
    qa_reviewer = "qa_reviewer"
    engineer = "engineer"
    general_manager = "general_manager"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {
            "sales_rep": "销售代表",
            "presales_engineer": "售前工程师",
            "project_manager": "项目经理",
            "qa_reviewer": "质量管理部审核员",
            "engineer": "工程师",
            "general_manager": "总经理",
        }


class Customer(Model):
    name: Text
    address: str = ""
    contact: str = ""
    phone: str = ""


class TeamMember(Model):
    role: Role
    name: Text
    department: str = ""
    phone: str = ""
    qualification: str = ""  # e.g. 一级建造师


class Competitor(Model):
    name: Text
    strengths: str = ""
    weaknesses: str = ""


class Decision(Bilingual):
    approved = "approved"
    rejected = "rejected"
    pending = "pending"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"approved": "同意", "rejected": "不同意", "pending": "待审批"}


class Approval(Model):
    approver: Text
    title: str = ""
    date: dt.date | None = None
    decision: Decision = Decision.pending
    comment: str = ""


class Feasibility(Model):
    """项目可行性分析报告."""

    prepared_by: Text
    date: dt.date
    source: str = ""  # how the opportunity came
    opportunity: Text
    customer_needs: list[Text] = []
    competitors: list[Competitor] = []
    relationship: str = ""  # closeness of the customer relationship
    success_estimate: Annotated[int, Field(ge=0, le=100)]  # per cent
    strategic_value: Text
    risks: list[Text] = []
    conclusion: Text
    approval: Approval


class ReviewScore(Model):
    reviewer: Text
    score: Annotated[int, Field(ge=0, le=100)]
    comment: str = ""


class Initiation(Model):
    """立项申请 and the team it forms."""

    requested_by: Text
    date: dt.date
    reason: Text
    expected_start: dt.date | None = None
    expected_end: dt.date | None = None
    review_meeting: list[ReviewScore] = []  # for large strategic / competitive projects
    approval: Approval


class Project(Model):
    code: Text
    name: Text
    type: ProjectType
    budget: Money  # the customer's budget; internal cost lives elsewhere
    # the least gross margin the general manager accepts (e.g. 0.18): internal, read only by the cost analysis;
    # it shapes no bid part, so it is left out of the QA review's digests (bidkit.core.review.UNREVIEWED)
    target_margin: Rate | None = None
    customer: Customer
    location: str = ""
    team: list[TeamMember] = []
    feasibility: Feasibility | None = None
    initiation: Initiation | None = None

