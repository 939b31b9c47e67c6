import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from bidkit.core import models as m


def errors_of(exc: ValidationError) -> list[tuple[str, str]]:
    return [(".".join(str(p) for p in e["loc"]), e["msg"].removeprefix("Value error, ")) for e in exc.errors()]


def test_credit_code_check_digit() -> None:
    first17 = "91330100MA2H00000"
    code = first17 + m.credit_code_check_char(first17)
    assert m.valid_credit_code(code)
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert not m.valid_credit_code(wrong)
    assert not m.valid_credit_code("91330100MA2H0000I0")  # I is not in the alphabet


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (1.1, "amount must not be a binary float; write it as text or Decimal"),
        ("1,280.00", "amount has a thousands separator; write it without commas"),
        ("１２３", "amount uses full-width digits; write ASCII digits such as 123"),
        (Decimal("1.234"), "more than two decimals (amounts are in 元 to the 分)"),
        ("abc", "amount is not a number"),
        (True, "amount must be a number, not true/false"),
    ],
)
def test_money_fields_refuse_ambiguous_input(value: object, problem: str) -> None:
    with pytest.raises(ValidationError) as info:
        m.PriceLine(item="A1", unit_price=value)  # type: ignore[arg-type]
    assert errors_of(info.value) == [("unit_price", problem)]


def test_money_messages_never_echo_the_value() -> None:
    with pytest.raises(ValidationError) as info:
        m.PriceLine(item="A1", unit_price="98,765.43")
    assert "98,765" not in errors_of(info.value)[0][1]


def test_money_accepts_decimal_int_and_text() -> None:
    assert m.PriceLine(item="A", unit_price=Decimal("1.1")).unit_price == Decimal("1.1")
    assert m.PriceLine(item="A", unit_price=5).unit_price == Decimal(5)
    assert m.PriceLine(item="A", unit_price="1280.50").unit_price == Decimal("1280.50")


def bom(**kw: object) -> m.BomItem:
    base: dict[str, object] = {"id": "A1", "name": "摄像机", "brand": "臻视", "model": "X1", "qty": 2, "unit": "台"}
    base.update(kw)
    return m.BomItem(**base)  # type: ignore[arg-type]


def test_quantity_must_be_positive() -> None:
    with pytest.raises(ValidationError) as info:
        bom(qty=-3)
    assert errors_of(info.value) == [("qty", "quantity must be greater than 0")]
    assert bom(qty="12.5").qty == Decimal("12.5")


def test_unknown_fields_are_errors() -> None:
    with pytest.raises(ValidationError) as info:
        bom(colour="red")
    assert errors_of(info.value) == [("colour", "Extra inputs are not permitted")]


def test_enums_accept_chinese_labels() -> None:
    row = m.DeviationRow(requirement="T-01", response="满足", deviation="负偏离")  # type: ignore[arg-type]
    assert row.deviation is m.Deviation.deviates
    assert row.deviation.label == "负偏离"
    assert m.ProjectType("竞争投标") is m.ProjectType.competitive_tender
    with pytest.raises(ValidationError):
        m.DeviationRow(requirement="T-01", response="满足", deviation="差不多")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../secret.pdf", "path must stay inside the workspace (../secret.pdf)"),
        ("/etc/passwd", "path must be relative to the workspace (/etc/passwd)"),
        ("C:/scan.pdf", "path must be relative to the workspace (C:/scan.pdf)"),
        ("attachments\\scan.pdf", "use '/' in paths, not '\\' (attachments\\scan.pdf)"),
    ],
)
def test_paths_stay_inside_the_workspace(path: str, problem: str) -> None:
    with pytest.raises(ValidationError) as info:
        m.Qualification(id="q", name="营业执照", number="1", issuer="x", scan=path)
    assert errors_of(info.value) == [("scan", problem)]


def test_chinese_and_spaces_in_paths_are_fine() -> None:
    q = m.Qualification(id="q", name="营业执照", number="1", issuer="x", scan="attachments/营业 执照.pdf")
    assert q.scan == "attachments/营业 执照.pdf"


def test_task_dates_in_order() -> None:
    with pytest.raises(ValidationError, match="ends before it starts"):
        m.Task(id="t", name="安装", start=dt.date(2027, 2, 1), end=dt.date(2027, 1, 1))


def test_duplicate_ids() -> None:
    with pytest.raises(ValidationError, match="BOM line 'A' is priced twice"):
        m.Pricing(lines=[m.PriceLine(item="A", unit_price=1), m.PriceLine(item="A", unit_price=2)])
    with pytest.raises(ValidationError, match="BOM id 'A1' appears twice"):
        m.Solution(title="t", overview="o", bom=[bom(), bom()])


