"""Acceptance records (内部验收单, 整改意见书, 正式验收单)."""

from __future__ import annotations

import datetime as dt

from bidkit.core.models.base import Bilingual, Model, Text


class AcceptanceKind(Bilingual):
    internal = "internal"
    formal = "formal"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"internal": "内部验收", "formal": "正式验收"}


class Result(Bilingual):
    passed = "passed"
    failed = "failed"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {"passed": "合格", "failed": "不合格"}


class CheckItem(Model):
    item: Text
    standard: str = ""
    result: Result
    remark: str = ""


class RectificationItem(Model):
    problem: Text
    action: Text
    responsible: Text
    deadline: dt.date
    done: dt.date | None = None


class RectificationNotice(Model):
    """整改意见书, issued when an internal acceptance fails."""

    number: Text
    issued: dt.date
    items: list[RectificationItem]


class AcceptanceRecord(Model):
    id: Text
    kind: AcceptanceKind
    date: dt.date
    location: str = ""
    inspectors: list[Text]
    checklist: list[CheckItem]
    result: Result
    conclusion: str = ""
    rectification: RectificationNotice | None = None


class Acceptance(Model):
    records: list[AcceptanceRecord] = []
