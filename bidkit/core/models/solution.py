"""The solution: design text, the bill of materials (no prices), construction plan and staffing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field, model_validator

from bidkit.core.models.base import Model, Quantity, Text, unique


class Section(Model):
    title: Text
    paragraphs: list[Text] = []
    bullets: list[Text] = []


class BomItem(Model):
    """One line of the bill of materials (设备清单). Prices live in pricing, costs in internal_cost."""

    id: Text
    name: Text
    brand: Text
    model: Text
    spec: str = ""
    qty: Quantity
    unit: Text
    origin: str = ""  # 产地


class Task(Model):
    id: Text
    name: Text
    start: dt.date
    end: dt.date
    depends_on: list[str] = []
    owner: str = ""

    @model_validator(mode="after")
    def _order(self) -> Task:
        if self.end < self.start:
            raise ValueError(f"task '{self.id}' ends before it starts")
        return self


class Staffing(Model):
    role: Text
    count: Annotated[int, Field(gt=0)]
    start: dt.date
    end: dt.date
    names: list[str] = []
    duties: str = ""  # 主要职责, for the 项目管理机构 table (named roles)
    qualification: str = ""  # 职称或资格证书; else the team member's (project.yaml team) by name


class ConstructionEquipment(Model):
    """A machine or instrument the construction uses (主要施工机械设备及检测仪器)."""

    name: Text
    spec: str = ""
    qty: Quantity
    unit: Text
    purpose: str = ""


class EmergencyPlan(Model):
    """One risk of the construction and what is done when it happens (应急预案)."""

    risk: Text
    measures: list[Text] = []


class ConstructionPlan(Model):
    """施工组织设计: schedule and staffing, shown in the technical part and used after the award."""

    summary: str = ""
    tasks: list[Task] = []
    staffing: list[Staffing] = []
    quality_measures: list[Text] = []
    safety_measures: list[Text] = []
    equipment: list[ConstructionEquipment] = []
    emergency_plans: list[EmergencyPlan] = []


class Solution(Model):
    title: Text
    overview: Text
    sections: list[Section] = []
    bom: Annotated[list[BomItem], Field(min_length=1), unique("id", "BOM id '{}' appears twice")]
    construction: ConstructionPlan = ConstructionPlan()

    def bom_item(self, item_id: str) -> BomItem | None:
        return next((b for b in self.bom if b.id == item_id), None)
