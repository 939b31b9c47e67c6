"""Hostile YAML: every case is refused with one exact line naming the file, and nothing is written."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bidkit.core.models import BomItem, CostLine, InternalCost
from bidkit.store import workspace
from tests.helpers import SAMPLE, Result, set_line


def test_tab_indentation(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    n = set_line(built_ws / "tender.yaml", r"^bid_validity_days:", "bid_validity_days:\n\t90")
    fails_cleanly(built_ws, "render", built_ws, code=3, line="error: 1 problem found")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == f"tender.yaml:{n + 1}: YAML syntax error: tab character used for indentation (use spaces)"


def test_duplicate_key(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    path = built_ws / "company.yaml"
    first = set_line(path, r"^phone:", "phone: 0000-0000000\nphone: 0000-1111111")
    r = fails_cleanly(built_ws, "render", built_ws, code=3, line="error: 1 problem found")
    problem = f"duplicate key 'phone' (first on line {first})"
    assert r.err_lines[0] == f"company.yaml:{first + 1}: YAML syntax error: {problem}"


def test_billion_laughs(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    lol = "".join(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]\n" for i in range(1, 10))
    (built_ws / "acceptance.yaml").write_text("l0: &l0 lol\n" + lol, encoding="utf-8")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == "acceptance.yaml:1: YAML syntax error: anchors and aliases (&name) are not allowed"


def test_fifty_megabyte_file(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    with (built_ws / "solution.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# " + "x" * (50 * 1024 * 1024) + "\n")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == "solution.yaml: file too large (50 MB; the limit is 5 MB)"


def test_non_utf8_bytes(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    path = built_ws / "project.yaml"
    data = path.read_bytes()
    path.write_bytes(data.replace("江临".encode(), "江临".encode("gb18030"), 1))
    offset = data.index("江临".encode())
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == f"project.yaml: not UTF-8 text (byte {offset}); save the file as UTF-8"


def test_empty_file(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    (built_ws / "responses.yaml").write_text("", encoding="utf-8")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == "responses.yaml: file is empty"


def test_byte_order_mark_is_accepted(built_ws: Path, cli: Callable[..., Result]) -> None:
    path = built_ws / "tender.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert cli("validate", built_ws).code == 0


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("'1,280.00'", "amount has a thousands separator; write it without commas"),
        ("'１２８０'", "amount uses full-width digits; write ASCII digits such as 123"),
        ("1280.005", "more than two decimals (amounts are in 元 to the 分)"),
        (".nan", "amount is not a number"),
    ],
)
def test_bad_amounts(built_ws: Path, fails_cleanly: Callable[..., Result], value: str, problem: str) -> None:
    n = set_line(built_ws / "tender.yaml", r"^control_price:", f"control_price: {value}")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == f"tender.yaml:{n} control_price: {problem}"


def test_float_text_becomes_exact_decimal(sample_ws: Path) -> None:
    set_line(sample_ws / "tender.yaml", r"^control_price:", "control_price: 4860000.1")
    ws = workspace.load(sample_ws)
    assert ws.data.tender.control_price == Decimal("4860000.1")
    assert str(ws.data.tender.control_price) == "4860000.1"  # not 4860000.0999999996…


@pytest.mark.parametrize(
    ("value", "problem"),
    [("2026/12/28 09:30", "expected a date and time like 2026-12-28 09:30"),
     ("28.12.2026", "expected a date and time like 2026-12-28 09:30")],
)
def test_dates_in_the_wrong_format(built_ws: Path, fails_cleanly: Callable[..., Result], value: str,
                                   problem: str) -> None:
    n = set_line(built_ws / "tender.yaml", r"^deadline:", f"deadline: '{value}'")
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == f"tender.yaml:{n} deadline: {problem}"


# --- round trip ----------------------------------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2, allow_nan=False)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
               max_size=30).map(str.strip).filter(bool)


_BASE = workspace.load(SAMPLE).data


@settings(max_examples=40, deadline=None)
@given(
    names=st.lists(text, min_size=1, max_size=5),
    qtys=st.lists(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100000), places=3), min_size=5,
                  max_size=5),
    prices=st.lists(money, min_size=5, max_size=5),
    deadline=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
@pytest.mark.slow
def test_generated_workspaces_round_trip(names: list[str], qtys: list[Decimal], prices: list[Decimal],
                                         deadline: dt.datetime) -> None:
    base = _BASE
    bom = [
        BomItem(id=f"X{i}", name=names[i % len(names)], brand=names[-1], model="M", qty=qtys[i], unit="台")
        for i in range(5)
    ]
    data = base.model_copy(
        update={
            "solution": base.solution.model_copy(update={"bom": bom}),
            "tender": base.tender.model_copy(update={"deadline": deadline, "project_name": names[0]}),
            "internal_cost": InternalCost(
                lines=[CostLine(item=f"X{i}", supplier=names[0], unit_cost=prices[i]) for i in range(5)]
            ),
            "supply": None,  # its purchase orders name the sample's BOM lines
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for folder in ("attachments", "seals", "ids", "chapters", "keys"):  # the files the data names
            shutil.copytree(SAMPLE / folder, root / folder)
        workspace.save(root, data)
        again = workspace.load(root).data
    assert again == data
