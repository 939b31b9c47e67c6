from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.core.errors import InputError
from bidkit.core.location import LineList, LineMap, line_of
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


# --- the libyaml-backed loader reads exactly what the pure-Python one reads ---------------------------------------

REPO = Path(__file__).resolve().parents[1]
YAML_FILES = sorted(
    p for top in ("samples", "templates", "tests") for p in (REPO / top).rglob("*") if p.suffix in (".yaml", ".yml")
)
ODD_TEXTS = [
    "a: 1.1\nb: 0.10\nc: 3\nd: -0\ne: 0x10\nf: 1_000\ng: 2:00\nh: .inf\ni: 1e3\nj: 01\n",
    "d: 2026-02-30\ne: 2026-03-01 09:30\nf: 2026-03-01T09:30:00+08:00\ng: ~\nh: yes\ni: on\nj: 'x'\n",
    "top:\n  items:\n    - id: a\n    - id: b\n      qty: 3\n  flow: {x: 1, y: [1, 2]}\n",
    "text: |\n  两行\n  文字\nfolded: >\n  a\n  b\nkey with spaces: \"q\\u00e9\"\n? complex\n: value\n",
    "---\na: 1\n...\n",
    "",
    "# only a comment\n",
    "- 1\n- [2, 3]\n-\n  - 4\n",
    "a: 'it''s'\nb: \"tab\\there\"\nc: x # comment\n1: int key\n",
]
BAD_TEXTS = [
    "a: 1\na: 2\n",
    "a: &x 1\nb: *x\n",
    "a: *x\n",
    "a:\n\t- 1\n",
    "a: [1, 2\n",
    "a: {b: 1\n",
    "a: b: c\n",
    "a: 'unclosed\n",
    "- a\nb: 1\n",
    "a: 1\n  b: 2\n",
    "<<: {a: 1}\n",
    "[1]: x\n",
    "a: \x07\n",
    "a: !!python/object:os.system x\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 2.0\n---\na: 1\n",
    "a: \"\\q\"\n",
    "@a: 1\n",
    "a: |\n  x\n y\n",
]


def _shape(value: object) -> object:
    """``value`` with its types and the line numbers yamlio records, for comparing two loads exactly."""
    if isinstance(value, LineMap):
        items = [(k, value.key_lines[k], _shape(v)) for k, v in value.items()]
        return ("map", value.line, value.flow, items)
    if isinstance(value, LineList):
        return ("list", value.line, value.item_lines, [_shape(v) for v in value])
    return (type(value).__name__, value)


def _pure(text: str) -> object:
    return yamlio.load(text, yamlio._Loader)


@pytest.mark.skipif(len(yamlio._LOADERS) < 2, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", YAML_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_libyaml_reads_every_yaml_file_like_pure_python(path: Path) -> None:
    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    fast = yamlio.load(text, yamlio._LOADERS[0])
    assert _shape(fast) == _shape(_pure(text))
    assert _shape(yamlio.parse(path.read_bytes(), path.name)) == _shape(fast)


def test_the_files_compared_include_the_sample_and_the_templates() -> None:
    names = {str(p.relative_to(REPO)) for p in YAML_FILES}
    assert {"samples/city-surveillance/tender.yaml", "templates/workspace/tender.yaml"} <= names


@pytest.mark.skipif(len(yamlio._LOADERS) < 2, reason="PyYAML built without libyaml")
@pytest.mark.parametrize("text", ODD_TEXTS)
def test_libyaml_reads_odd_values_like_pure_python(text: str) -> None:
    assert _shape(yamlio.load(text, yamlio._LOADERS[0])) == _shape(_pure(text))


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_bad_yaml_is_worded_as_the_pure_python_parser_words_it(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(InputError) as fast:
        yamlio.parse(text, "x.yaml")
    monkeypatch.setattr(yamlio, "_LOADERS", (yamlio._Loader,))
    with pytest.raises(InputError) as pure:
        yamlio.parse(text, "x.yaml")
    assert fast.value.message == pure.value.message
    assert fast.value.message.startswith("x.yaml")


def test_deep_nesting_is_one_line_with_either_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    deep = "a: " + "[" * 2000 + "]" * 2000 + "\n"
    with pytest.raises(InputError, match=r"^x.yaml: YAML nested too deeply$"):
        yamlio.parse(deep, "x.yaml")
    monkeypatch.setattr(yamlio, "_LOADERS", (yamlio._Loader,))
    with pytest.raises(InputError, match=r"^x.yaml: YAML nested too deeply$"):
        yamlio.parse(deep, "x.yaml")


def test_what_only_libyaml_refuses_is_read_by_pure_python() -> None:
    text = "%YAML 1.3\n---\na: 1\n"  # libyaml: "incompatible YAML document"; PyYAML reads any 1.x
    assert _shape(yamlio.parse(text, "x.yaml")) == _shape(_pure(text))
