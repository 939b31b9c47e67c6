from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bidkit.core.money import MoneyError, add_tax, format_amount, line_total, rmb_upper, to_fen

CASES = [
    ("0", "零元整"),
    ("0.01", "壹分"),
    ("0.05", "伍分"),
    ("0.10", "壹角"),
    ("0.5", "伍角"),
    ("0.55", "伍角伍分"),
    ("1", "壹元整"),
    ("1.01", "壹元零壹分"),
    ("1.1", "壹元壹角"),
    ("1.5", "壹元伍角"),
    ("2.30", "贰元叁角"),
    ("9", "玖元整"),
    ("10", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("16", "壹拾陆元整"),
    ("19.99", "壹拾玖元玖角玖分"),
    ("20", "贰拾元整"),
    ("99", "玖拾玖元整"),
    ("100", "壹佰元整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("1000", "壹仟元整"),
    ("1001", "壹仟零壹元整"),
    ("1010", "壹仟零壹拾元整"),
    ("1100", "壹仟壹佰元整"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("10000", "壹万元整"),
    ("10005", "壹万零伍元整"),
    ("10010", "壹万零壹拾元整"),
    ("10100", "壹万零壹佰元整"),
    ("11000", "壹万壹仟元整"),
    ("100000", "壹拾万元整"),
    ("100010", "壹拾万零壹拾元整"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("1000000.01", "壹佰万元零壹分"),
    ("1200000", "壹佰贰拾万元整"),
    ("4307050.60", "肆佰叁拾万柒仟零伍拾元陆角"),
    ("10000000", "壹仟万元整"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("100010000", "壹亿零壹万元整"),
    ("120000000", "壹亿贰仟万元整"),
    ("102000000", "壹亿零贰佰万元整"),
    ("1000001000", "壹拾亿零壹仟元整"),
    ("10000010000", "壹佰亿零壹万元整"),
    ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
    ("1000000000000", "壹万亿元整"),
    ("10000000000000", "壹拾万亿元整"),
    ("10000000001000", "壹拾万亿零壹仟元整"),
    ("-325.04", "负叁佰贰拾伍元零肆分"),
]


@pytest.mark.parametrize(("amount", "expected"), CASES)
def test_rmb_upper_table(amount: str, expected: str) -> None:
    assert rmb_upper(Decimal(amount)) == expected


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("bad", ["1.234", "0.001", "100.005"])
def test_more_than_two_decimals_is_an_error(bad: str) -> None:
    with pytest.raises(MoneyError, match="more than two decimals"):
        rmb_upper(Decimal(bad))


def test_float_is_refused() -> None:
    with pytest.raises(MoneyError, match="floats are not money"):
        rmb_upper(1.1)  # type: ignore[arg-type]


def test_too_large() -> None:
    with pytest.raises(MoneyError, match="too large"):
        rmb_upper(Decimal("10000000000000000"))


def test_trailing_zero_decimals_are_fine() -> None:
    assert rmb_upper(Decimal("16.000")) == "壹拾陆元整"


def test_rounding_is_half_up_to_the_fen() -> None:
    assert to_fen(Decimal("0.005")) == Decimal("0.01")
    assert to_fen(Decimal("0.0049")) == Decimal("0.00")
    assert to_fen(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67
    assert line_total(Decimal("3"), Decimal("33.335")) == Decimal("100.01")
    assert add_tax(Decimal("100"), Decimal("0.13")) == Decimal("113.00")
    assert format_amount(Decimal("4307050.6")) == "4,307,050.60"


_DIGIT = "零壹贰叁肆伍陆柒捌玖"
_UNIT = {"拾": 10, "佰": 100, "仟": 1000}


def _four(text: str) -> int:
    value = number = 0
    for ch in text:
        if ch in _DIGIT:
            number = _DIGIT.index(ch)
        elif ch in _UNIT:
            value += number * _UNIT[ch]
            number = 0
    return value + number


def _wan(text: str) -> int:
    hi, sep, lo = text.partition("万")
    return _four(hi) * 10_000 + _four(lo) if sep else _four(text)


def parse_upper(text: str) -> Decimal:
    """An independent reader of 大写 amounts, to check that rmb_upper round-trips."""
    neg = text.startswith("负")
    text = text.removeprefix("负")
    integer_text, sep, small = text.partition("元")
    if not sep:
        integer_text, small = "", text
    hi, sep, lo = integer_text.partition("亿")
    integer = _wan(hi) * 100_000_000 + _wan(lo) if sep else _wan(integer_text)
    jiao = _DIGIT.index(small[small.index("角") - 1]) if "角" in small else 0
    fen = _DIGIT.index(small[small.index("分") - 1]) if "分" in small else 0
    value = Decimal(integer) + Decimal(jiao) / 10 + Decimal(fen) / 100
    return -value if neg else value


@given(st.integers(min_value=0, max_value=99_999_999_999_999))
def test_upper_round_trips(fen: int) -> None:
    amount = Decimal(fen) / 100
    text = rmb_upper(amount)
    assert "零零" not in text
    assert not text.endswith("分整")
    assert parse_upper(text) == amount


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_line_total_is_exact(unit: Decimal) -> None:
    assert line_total(Decimal(3), unit) == to_fen(unit * 3)
    assert line_total(Decimal(3), unit).as_tuple().exponent == -2
