"""`bidkit price template` and `bidkit price import` of an Excel sheet: every mismatch reported by row."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from bidkit.store import lock, workspace
from tests.helpers import CLI, snapshot
from tests.lockkit import PASSPHRASE, PRICES_YAML, approved, bare, use_passphrase


@pytest.fixture
def ws(sample_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(tmp_path / "config"))
    use_passphrase(monkeypatch)
    return bare(sample_ws)


def _demo_prices() -> dict[str, Decimal]:
    import yaml

    raw = yaml.safe_load(PRICES_YAML.read_text(encoding="utf-8"))
    return {ln["item"]: Decimal(str(ln["unit_price"])) for ln in raw["lines"]}


def filled_sheet(cli: CLI, ws: Path, tmp_path: Path) -> Path:
    """The template written by bidkit, filled with the demo prices as a sales rep would (numbers in 单价)."""
    path = tmp_path / "prices.xlsx"
    r = cli("price", "template", ws, path)
    assert r.code == 0, r.err
    wb = load_workbook(path)
    sheet = wb.active
    assert sheet is not None
    prices = _demo_prices()
    for row in sheet.iter_rows(min_row=3):
        row[8].value = float(prices[str(row[1].value)])
    wb.save(path)
    return path


def edit(path: Path, changes: dict[tuple[int, int], Any] | None = None, append: list[Any] | None = None,
         delete_row: int | None = None) -> None:
    wb = load_workbook(path)
    sheet = wb.active
    assert sheet is not None
    for (row, col), value in (changes or {}).items():
        sheet.cell(row=row, column=col).value = value
    if append is not None:
        sheet.append(append)
    if delete_row is not None:
        sheet.delete_rows(delete_row)
    wb.save(path)


def test_template_lists_the_bom(cli: CLI, ws: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    r = cli("price", "template", ws, path)
    assert r.code == 0
    sheet = load_workbook(path).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == ["序号", "编号", "名称", "品牌", "型号", "规格", "数量", "单位", "单价（元）",
                                           "合价（元）", "备注"]
    bom = workspace.load(ws).data.solution.bom
    assert [sheet.cell(row=i + 3, column=2).value for i in range(len(bom))] == [b.id for b in bom]
    assert all(sheet.cell(row=i + 3, column=9).value is None for i in range(len(bom)))
    r = cli("price", "template", ws, path)
    assert (r.code, r.err_lines) == (8, [f"error: {path}: exists already and is never overwritten"])


def test_import_of_a_filled_sheet(cli: CLI, ws: Path, tmp_path: Path) -> None:
    approved(cli, ws)
    path = filled_sheet(cli, ws, tmp_path)
    r = cli("price", "import", ws, path)
    assert (r.code, r.out) == (0, "imported 40 priced lines from prices.xlsx into pricing.enc (encrypted)\n")
    prices = lock.with_prices(workspace.load(ws), PASSPHRASE).data.pricing
    assert prices is not None
    assert {p.item: p.unit_price for p in prices.lines} == _demo_prices()


def test_flexible_headers_and_matching_by_name(cli: CLI, ws: Path, tmp_path: Path) -> None:
    approved(cli, ws)
    data = workspace.load(ws).data
    prices = _demo_prices()
    wb = Workbook()
    sheet = wb.active
    assert sheet is not None
    sheet.append(["分项报价表"])
    sheet.append(["序 号", "设备名称", "规格型号", "数量", "含税单价(元)", "合价（元）"])
    for i, b in enumerate(data.solution.bom, 1):
        sheet.append([i, b.name, b.model, float(b.qty), f"{prices[b.id]}", float(prices[b.id] * b.qty)])
    sheet.append(["合计", None, None, None, None, float(sum(prices[b.id] * b.qty for b in data.solution.bom))])
    path = tmp_path / "报价.xlsx"
    wb.save(path)
    r = cli("price", "import", ws, path)
    assert r.code == 0, r.err


FAILURES = {
    "missing-line": ({"delete_row": 9}, ["prices.xlsx: BOM line B07 (摄像机支架及抱箍) has no row"]),
    "duplicate-line": ({"append": [41, "B03"]}, ["prices.xlsx:43 编号: BOM line B03 priced twice (first on row 5)"]),
    "text-in-number-column": ({"changes": {(7, 9): "待定"}}, ["prices.xlsx:7 单价: not a number"]),
    "quantity-differs": ({"changes": {(9, 7): 999}}, ["prices.xlsx:9 数量: 999 differs from the BOM (416)"]),
    "unknown-line": ({"append": [41, "Z99", "激光炮"]}, ["prices.xlsx:43 编号: unknown BOM line 'Z99'"]),
    "empty-price": ({"changes": {(4, 9): None}}, ["prices.xlsx:4 单价: empty (BOM line B02 needs a price)"]),
    "three-decimals": (
        {"changes": {(4, 9): 1.234}}, ["prices.xlsx:4 单价: more than two decimals (amounts are in 元 to the 分)"]
    ),
    "line-total-wrong": (
        {"changes": {(5, 10): 1.0}}, ["prices.xlsx:5 合价: differs from 数量 × 单价 rounded to the fen"]
    ),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_sheet_failures(cli: CLI, ws: Path, tmp_path: Path, case: str) -> None:
    approved(cli, ws)
    path = filled_sheet(cli, ws, tmp_path)
    how, lines = FAILURES[case]
    edit(path, **how)
    before = snapshot(ws)
    r = cli("price", "import", ws, path)
    n = len(lines)
    assert (r.code, r.err_lines) == (3, [*lines, f"error: {n} problem{'s' if n > 1 else ''} found"])
    assert r.out == ""
    assert snapshot(ws) == before
    assert not (ws / "pricing.enc").exists()


def test_every_problem_at_once(cli: CLI, ws: Path, tmp_path: Path) -> None:
    approved(cli, ws)
    path = filled_sheet(cli, ws, tmp_path)
    edit(path, changes={(7, 9): "七百", (9, 7): 999})
    r = cli("price", "import", ws, path)
    assert r.err_lines == ["prices.xlsx:7 单价: not a number", "prices.xlsx:9 数量: 999 differs from the BOM (416)",
                           "error: 2 problems found"]


def test_not_an_xlsx(cli: CLI, ws: Path, tmp_path: Path) -> None:
    approved(cli, ws)
    path = tmp_path / "prices.xlsx"
    path.write_bytes(b"not a zip")
    r = cli("price", "import", ws, path)
    assert (r.code, r.err_lines) == (3, ["error: prices.xlsx: not an Excel .xlsx workbook"])


def test_yaml_import_checks_the_bom(cli: CLI, ws: Path, tmp_path: Path) -> None:
    approved(cli, ws)
    text = PRICES_YAML.read_text(encoding="utf-8").replace("item: B02 ", "item: X02 ")
    bad = tmp_path / "prices.yaml"
    bad.write_text(text, encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "item: X02" in ln)
    r = cli("price", "import", ws, bad)
    assert (r.code, r.err_lines) == (3, [
        f"prices.yaml:{line} lines.1.item: unknown BOM line 'X02'",
        "prices.yaml: BOM line B02 (800万像素智能枪型网络摄像机) has no price",
        "error: 2 problems found",
    ])
    assert not (ws / "pricing.enc").exists()
