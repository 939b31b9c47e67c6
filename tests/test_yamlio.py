from decimal import Decimal

import pytest

from bidkit.core.errors import InputError
from bidkit.core.location import line_of
from bidkit.store import yamlio


def test_floats_become_decimals_from_their_text() -> None:
    data = yamlio.parse("a: 1.1\nb: 0.10\nc: 3\n", "x.yaml")
    assert data == {"a": Decimal("1.1"), "b": Decimal("0.10"), "c": 3}
    assert str(data["a"]) == "1.1"


def test_line_numbers_of_nested_fields() -> None:
    data = yamlio.parse("top:\n  items:\n    - id: a\n    - id: b\n      qty: 3\n", "x.yaml")
    assert line_of(data, ("top", "items", 1, "qty")) == 5
    assert line_of(data, ("top", "items", 1, "missing")) == 4
    assert line_of(data, ("nothing",)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\na: 2\n", "x.yaml:2: YAML syntax error: duplicate key 'a' (first on line 1)"),
        ("a: &x 1\nb: *x\n", "x.yaml:1: YAML syntax error: anchors and aliases (&name) are not allowed"),
        ("a:\n\t- 1\n", "x.yaml:2: YAML syntax error: tab character used for indentation (use spaces)"),
        ("a: [1, 2\n", "x.yaml:2: YAML syntax error: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_bad_yaml_is_one_clear_line(text: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        yamlio.parse(text, "x.yaml")
    assert info.value.message == message


def test_non_utf8_and_bom() -> None:
    with pytest.raises(InputError, match=r"x.yaml: not UTF-8 text \(byte 3\)"):
        yamlio.parse(b"a: \xff\n", "x.yaml")
    assert yamlio.parse("\ufeffa: 1\n".encode(), "x.yaml") == {"a": 1}


def test_billion_laughs_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n"
    with pytest.raises(InputError, match="anchors and aliases"):
        yamlio.parse(bomb, "x.yaml")


def test_dump_round_trips_decimals_and_text() -> None:
    data = {"price": Decimal("1280.50"), "note": "两行\n文字", "n": 3}
    assert yamlio.parse(yamlio.dump(data), "x.yaml") == data
