"""Fields a 政府采购 tender needs: the procurement method, response times in minutes or hours, the budget."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from bidkit.core.context import _tender
from bidkit.core.models import EvaluationMethod, ProcurementMethod, Responses, Tender
from bidkit.core.models.base import format_duration
from bidkit.store import yamlio
from bidkit.store.workspace import load
from tests.helpers import SAMPLE, Result, line_no, replace_once


def _responses(**fields: object) -> Responses:
    raw = yamlio.parse((SAMPLE / "responses.yaml").read_bytes(), "responses.yaml")
    raw.pop("response_time", None)
    return Responses.model_validate({**raw, **fields})


@pytest.mark.parametrize(("text", "minutes"), [
    ("30 分钟", 30), ("30分钟", 30), ("2 小时", 120), ("1.5 小时", 90), ("半小时", 30), ("45 min", 45),
    ("2h", 120), ("1 天", 1440), ("0.5 hours", 30),
])
def test_response_time_in_minutes_or_hours(text: str, minutes: int) -> None:
    assert _responses(response_time=text).response_minutes == minutes


@pytest.mark.parametrize(("value", "problem"), [
    (2, 'write the unit with the number, e.g. "2 小时" or "2 分钟"'),
    ("soon", "'soon' is not a time such as \"30 分钟\" or \"2 小时\""),
    ("0.3 分钟", "'0.3 分钟' is not a whole number of minutes greater than 0"),
    ("40 天", "'40 天' is longer than 30 days (a typing error?)"),
])
def test_response_time_refused(value: object, problem: str) -> None:
    with pytest.raises(ValidationError) as info:
        _responses(response_time=value)
    assert problem in str(info.value)


def test_response_time_hours_takes_half_an_hour_and_one_of_the_two() -> None:
    assert _responses(response_time_hours=Decimal("0.5")).response_time_text == "30 分钟"
    assert _responses().response_time_text == "2 小时"  # the default, as before
    with pytest.raises(ValidationError, match="not both"):
        _responses(response_time="30 分钟", response_time_hours=1)


def test_format_duration() -> None:
    assert [format_duration(m) for m in (30, 60, 90, 120, 1440, 2880)] == [
        "30 分钟", "1 小时", "1 小时 30 分钟", "2 小时", "1 天", "2 天"]


def test_procurement_method_in_chinese_or_english() -> None:
    raw = yamlio.parse((SAMPLE / "tender.yaml").read_bytes(), "tender.yaml")
    for label, member in (("公开招标", ProcurementMethod.public_tender), ("竞争性磋商",
                          ProcurementMethod.competitive_consultation), ("single_source",
                          ProcurementMethod.single_source), ("询价", ProcurementMethod.price_inquiry)):
        t = Tender.model_validate({**raw, "method": label})
        assert t.method is member
    t = Tender.model_validate({**raw, "method": "竞争性谈判", "evaluation_method": "最低评标价法",
                               "budget_amount": "4900000.00", "lot": "第 2 包", "response_time": "30 分钟"})
    ctx = _tender(t)
    assert (ctx["method"], ctx["evaluation_method"], ctx["lot"], ctx["response_time"]) == (
        "竞争性谈判", "最低评标价法", "第 2 包", "30 分钟")
    assert ctx["budget_amount"] == "4,900,000.00" and ctx["budget_amount_upper"] == "肆佰玖拾万元整"
    assert t.evaluation_method is EvaluationMethod.lowest_price


def test_sample_states_its_method() -> None:
    t = load(SAMPLE, check_files=False).data.tender
    assert t.method is ProcurementMethod.public_tender and t.response_time == 120


def test_wrong_method_lists_the_choices_and_type_suggests_method(cli: Callable[..., Result],
                                                                 sample_ws: Path) -> None:
    tender = sample_ws / "tender.yaml"
    replace_once(tender, r"^method: .*$", "method: 公开竞价")
    replace_once(tender, r"^(agency: .*)$", r"\1\ntype: public_tender")
    r = cli("validate", sample_ws)
    assert r.err_lines == [
        f"tender.yaml:{line_no(tender, '^method:')} method: '公开竞价' is not one of public_tender (公开招标), "
        "invited_tender (邀请招标), competitive_negotiation (竞争性谈判), competitive_consultation (竞争性磋商), "
        "price_inquiry (询价), single_source (单一来源)",
        f"tender.yaml:{line_no(tender, '^type:')} type: unknown field (did you mean method?)",
        "error: 2 problems found",
    ]
