"""Shared field types: money, quantities, workspace-relative paths, bilingual enums."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import PurePosixPath
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

from bidkit.core.money import MoneyError, check_amount

_ASCII_NUMBER = re.compile(r"^[+-]?(\d+)(\.\d+)?$")


class Model(BaseModel):
    """Base of every bidkit model: unknown fields are errors, text is stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)


def _to_decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not true/false")
    if isinstance(value, float):
        raise ValueError(f"{what} must not be a binary float; write it as text or Decimal")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{what} must be a finite number")
        return value
    if isinstance(value, str):
        text = value.strip()
        if any("\uff10" <= ch <= "\uff19" for ch in text):
            raise ValueError(f"{what} uses full-width digits; write ASCII digits such as 123")
        if "," in text or "，" in text:
            raise ValueError(f"{what} has a thousands separator; write it without commas")
        if not _ASCII_NUMBER.match(text):
            raise ValueError(f"{what} is not a number")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{what} is not a number") from None
        if number == 0 and number.is_signed():  # -0, -0.00: a sign nobody meant (YAML 1.1 reads -0 as 0)
            raise ValueError(f"{what} is a negative zero ({text}); write 0")
        return number
    raise ValueError(f"{what} must be a number")


def _money(value: Any) -> Decimal:
    amount = _to_decimal(value, "amount")
    try:
        return check_amount(amount)
    except MoneyError as exc:
        raise ValueError(str(exc)) from None


MAX_QUANTITY = Decimal(10) ** 9


def _quantity(value: Any) -> Decimal:
    qty = _to_decimal(value, "quantity")
    if qty <= 0:
        raise ValueError("quantity must be greater than 0")
    if qty > MAX_QUANTITY:
        raise ValueError("quantity too large (at most 1,000,000,000)")
    if -qty.as_tuple().exponent > 3:  # type: ignore[operator]
        raise ValueError("quantity has more than three decimals")
    return qty


def _rate(value: Any) -> Decimal:
    rate = _to_decimal(value, "rate")
    if not (Decimal(0) <= rate < Decimal(1)):
        raise ValueError("rate must be a fraction between 0 and 1, e.g. 0.13 for 13%")
    return rate


def _percent(value: Any) -> Decimal:
    pct = _to_decimal(value, "percent")
    if not (Decimal(0) < pct <= Decimal(100)):
        raise ValueError("percent must be more than 0 and at most 100, e.g. 30 for 30%")
    if -pct.normalize().as_tuple().exponent > 2:  # type: ignore[operator]
        raise ValueError("percent has more than two decimals")
    return pct


_as_text = PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json")

Money = Annotated[Decimal, BeforeValidator(_money), _as_text]
"""An RMB amount in 元: Decimal, at most two decimals; floats, commas and full-width digits are refused."""

Quantity = Annotated[Decimal, BeforeValidator(_quantity), _as_text]
Rate = Annotated[Decimal, BeforeValidator(_rate), _as_text]
Percent = Annotated[Decimal, BeforeValidator(_percent), _as_text]
"""A share in per cent, e.g. 30 for 30% (more than 0, at most 100, two decimals)."""
Text = Annotated[str, Field(min_length=1)]


def _plausible_date(value: dt.date) -> dt.date:
    if not 1990 <= value.year <= 2100:
        raise ValueError(f"{value.isoformat()[:10]} is outside 1990–2100 (a typing error?)")
    return value


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(分钟|分|min|mins|minutes?|小时|个小时|时|h|hr|hrs|hours?|天|日|d|days?)",
                       re.IGNORECASE)
_UNIT_MINUTES = {"分钟": 1, "分": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "小时": 60, "个小时": 60,
                 "时": 60, "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60, "天": 1440, "日": 1440,
                 "d": 1440, "day": 1440, "days": 1440}
MAX_DURATION_MINUTES = 30 * 1440


def _duration(value: Any) -> int:
    """Minutes from a time written with its unit: "30 分钟", "2 小时", "1.5 小时", "45 min", "2h", "1 天"."""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        raise ValueError(f"write the unit with the number, e.g. \"{value} 小时\" or \"{value} 分钟\"")
    if not isinstance(value, str):
        raise ValueError("expected a time such as \"30 分钟\" or \"2 小时\"")
    m = _DURATION.fullmatch(value.strip().replace("半小时", "30 分钟"))
    if m is None:
        raise ValueError(f"'{value}' is not a time such as \"30 分钟\" or \"2 小时\"")
    minutes = Decimal(m.group(1)) * _UNIT_MINUTES[m.group(2).lower()]
    if minutes != minutes.to_integral_value() or minutes <= 0:
        raise ValueError(f"'{value}' is not a whole number of minutes greater than 0")
    if minutes > MAX_DURATION_MINUTES:
        raise ValueError(f"'{value}' is longer than 30 days (a typing error?)")
    return int(minutes)


def format_duration(minutes: int) -> str:
    """A time as a tender writes it: 30 分钟, 2 小时, 1 小时 30 分钟, 3 天."""
    if minutes % 1440 == 0:
        return f"{minutes // 1440} 天"
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")


Duration = Annotated[int, BeforeValidator(_duration), PlainSerializer(format_duration, return_type=str)]
"""A span of time written with its unit ("30 分钟", "2 小时"), held in minutes."""


Day = Annotated[dt.date, AfterValidator(_plausible_date)]
"""A date of a bid's life: between 1990 and 2100, so that no sum of days overflows."""
Moment = Annotated[dt.datetime, AfterValidator(_plausible_date)]
Days = Annotated[int, Field(gt=0, le=3650)]
"""A period in days: positive and at most ten years."""


def _rel_path(value: str) -> str:
    if "\\" in value:
        raise ValueError(f"use '/' in paths, not '\\' ({value})")
    path = PurePosixPath(value)
    if path.is_absolute() or re.match(r"^[A-Za-z]:", value):
        raise ValueError(f"path must be relative to the workspace ({value})")
    if ".." in path.parts:
        raise ValueError(f"path must stay inside the workspace ({value})")
    if not value.strip():
        raise ValueError("path is empty")
    return value


RelPath = Annotated[str, Field(min_length=1), AfterValidator(_rel_path)]
"""A path inside the workspace, written with '/'; '..', absolute paths and backslashes are refused."""


class Bilingual(str, Enum):
    """An enum whose members also accept their Chinese label in YAML."""

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {}

    @classmethod
    def _missing_(cls, value: object) -> Any:
        for member_value, label in cls.labels().items():
            if value == label:
                return cls(member_value)
        return None

    @property
    def label(self) -> str:
        return str(self.labels().get(self.value, self.value))

    def __str__(self) -> str:
        return self.label


def unique(attr: str, message: str) -> Any:
    """A list validator: ``attr`` must differ between items; ``message`` has one ``{}`` for the repeated value."""

    def check(items: list[Any]) -> list[Any]:
        seen: set[Any] = set()
        for item in items:
            key = getattr(item, attr)
            if key in seen:
                raise ValueError(message.format(key))
            seen.add(key)
        return items

    return AfterValidator(check)
