"""Price lists from the sales rep: an Excel sheet (openpyxl) or a YAML file, checked against the BOM.

Every problem is reported at once, by row (``prices.xlsx:7 单价: not a number``). Messages name cells and BOM
lines, never a price.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bidkit.core.errors import InputError, ValidationFailed
from bidkit.core.location import line_of
from bidkit.core.models import BomItem, PriceLine, Pricing, Solution
from bidkit.core.money import MoneyError, check_amount, line_total, to_fen
from bidkit.core.validation import problem_text as _problem_text
from bidkit.store import yamlio

MAX_SHEET_BYTES = 10 * 1024 * 1024

# column key → header names (normalised: no spaces, no "(元)"-style suffix, lower case)
HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("编号", "设备编号", "清单编号", "id", "item"),
    "no": ("序号", "no", "no."),
    "name": ("名称", "设备名称", "产品名称", "货物名称", "name"),
    "brand": ("品牌", "brand"),
    "model": ("型号", "规格型号", "model"),
    "spec": ("规格", "技术参数", "主要参数", "主要技术参数", "spec"),
    "qty": ("数量", "qty", "quantity"),
    "unit": ("单位", "unit"),
    "unit_price": ("单价", "含税单价", "综合单价", "报价单价", "unitprice"),
    "total": ("合价", "总价", "小计", "金额", "合计金额", "total"),
    "note": ("备注", "note"),
}
LABEL = {"id": "编号", "no": "序号", "name": "名称", "model": "型号", "qty": "数量", "unit_price": "单价",
         "total": "合价", "note": "备注"}
TEMPLATE_COLUMNS = ("no", "id", "name", "brand", "model", "spec", "qty", "unit", "unit_price", "total", "note")
TEMPLATE_TITLES = {"no": "序号", "id": "编号", "name": "名称", "brand": "品牌", "model": "型号", "spec": "规格",
                   "qty": "数量", "unit": "单位", "unit_price": "单价（元）", "total": "合价（元）", "note": "备注"}
_SUFFIX = re.compile(r"[（(].*?[)）]")


def _norm(header: Any) -> str:
    return _SUFFIX.sub("", str(header or "")).replace(" ", "").replace("\u3000", "").strip().lower()


_BY_NAME = {alias: key for key, aliases in HEADERS.items() for alias in aliases}


@dataclass
class Row:
    line: int  # 1-based row (sheet) or line (YAML)
    item: str | None  # BOM id once matched
    values: dict[str, Any]


def _number(value: Any) -> Decimal | None:
    """A cell as Decimal (floats through their shortest repr), ``None`` if it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        text = value.strip().replace("¥", "").replace("￥", "")
        if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
            return None
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_rows(blob: bytes, name: str) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    if len(blob) > MAX_SHEET_BYTES:
        raise InputError(f"{name}: file too large for a price sheet")
    try:
        wb = load_workbook(io.BytesIO(blob), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise InputError(f"{name}: not an Excel .xlsx workbook") from None
    try:
        ws = wb.worksheets[0]
        rows = [(i, list(r)) for i, r in enumerate(ws.iter_rows(values_only=True, max_row=5000), 1)]
    finally:
        wb.close()
    for i, cells in rows[:10]:
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            key = _BY_NAME.get(_norm(cell))
            if key and key not in columns:
                columns[key] = col
        if "unit_price" in columns and ("id" in columns or "name" in columns):
            return columns, [(n, c) for n, c in rows if n > i]
    raise InputError(f"{name}: no header row with 单价 and 编号 or 名称 in the first 10 rows")


def _match(values: dict[str, Any], bom: list[BomItem]) -> str | None:
    ident = values.get("id")
    if not _blank(ident):
        ident = str(ident).strip()
        return ident if any(b.id == ident for b in bom) else None
    name, model = str(values.get("name") or "").strip(), str(values.get("model") or "").strip()
    hits = [b.id for b in bom if b.name == name and (not model or b.model == model)]
    return hits[0] if len(hits) == 1 else None


def read_xlsx(blob: bytes, name: str, solution: Solution, tax_rate: Decimal) -> Pricing:
    """Prices from a sheet; :class:`ValidationFailed` with one line per problem."""
    columns, rows = _read_rows(blob, name)
    bom = solution.bom
    by_id = {b.id: b for b in bom}
    problems: list[str] = []
    seen: dict[str, int] = {}
    lines: list[PriceLine] = []
    sum_total = Decimal(0)
    stated_total: tuple[int, Any] | None = None
    for n, cells in rows:
        values = {k: cells[c] if c < len(cells) else None for k, c in columns.items()}
        if all(_blank(v) for v in values.values()):
            continue
        label = " ".join(str(values.get(k) or "") for k in ("no", "id", "name"))
        if "合计" in label or "总计" in label:
            stated_total = (n, values.get("total") if not _blank(values.get("total")) else values.get("unit_price"))
            continue
        item = _match(values, bom)
        where = f"{name}:{n}"
        if item is None:
            ident = values.get("id") if not _blank(values.get("id")) else values.get("name")
            col = "编号" if "id" in columns and not _blank(values.get("id")) else "名称"
            problems.append(f"{where} {col}: unknown BOM line '{str(ident or '').strip()}'")
            continue
        if item in seen:
            problems.append(f"{where} {LABEL['id'] if 'id' in columns else '名称'}: BOM line {item} priced twice "
                            f"(first on row {seen[item]})")
            continue
        seen[item] = n
        b = by_id[item]
        if "qty" in columns and not _blank(values.get("qty")):
            q = _number(values["qty"])
            if q is None:
                problems.append(f"{where} 数量: not a number")
            elif q != b.qty:
                problems.append(f"{where} 数量: {q.normalize():f} differs from the BOM ({b.qty.normalize():f})")
        raw_price = values.get("unit_price")
        if _blank(raw_price):
            problems.append(f"{where} 单价: empty (BOM line {item} needs a price)")
            continue
        price = _number(raw_price)
        if price is None:
            problems.append(f"{where} 单价: not a number")
            continue
        try:
            check_amount(price)
        except MoneyError as exc:
            problems.append(f"{where} 单价: {exc}")
            continue
        if price < 0:
            problems.append(f"{where} 单价: negative")
            continue
        note = str(values.get("note") or "").strip()
        if price == 0 and not note:
            problems.append(f"{where} 单价: zero needs a 备注 saying why (e.g. 赠送)")
            continue
        total = line_total(b.qty, price)
        sum_total += total
        if "total" in columns and not _blank(values.get("total")):
            stated = _number(values["total"])
            if stated is None:
                problems.append(f"{where} 合价: not a number")
            elif to_fen(stated) != total:
                problems.append(f"{where} 合价: differs from 数量 × 单价 rounded to the fen")
        lines.append(PriceLine(item=item, unit_price=price, note=note))
    for b in bom:
        if b.id not in seen:
            problems.append(f"{name}: BOM line {b.id} ({b.name}) has no row")
    if stated_total is not None and not problems:
        n, value = stated_total
        stated = _number(value)
        if stated is not None and to_fen(stated) != to_fen(sum_total):
            problems.append(f"{name}:{n} 合计: differs from the sum of the line totals")
    if problems:
        raise ValidationFailed(problems)
    order = {b.id: i for i, b in enumerate(bom)}
    return Pricing(tax_rate=tax_rate, lines=sorted(lines, key=lambda p: order[p.item]))


def read_yaml(blob: bytes, name: str, solution: Solution) -> Pricing:
    """Prices from a YAML file shaped like the model :class:`Pricing`, checked against the BOM."""
    raw = yamlio.parse(blob, name)
    if not isinstance(raw, dict):
        raise InputError(f"{name}:1: expected a mapping of fields at the top level")
    try:
        pricing = Pricing.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(e["loc"])
            line = line_of(raw, loc)
            where = f"{name}:{line}" if line else name
            problems.append(f"{where} {'.'.join(str(p) for p in loc) or '(top)'}: {_problem_text(e)}")
        raise ValidationFailed(problems) from None
    bom_ids = {b.id for b in solution.bom}
    problems = []
    for i, p in enumerate(pricing.lines):
        line = line_of(raw, ("lines", i, "item"))
        if p.item not in bom_ids:
            problems.append(f"{name}:{line} lines.{i}.item: unknown BOM line '{p.item}'")
        elif p.unit_price < 0:
            problems.append(f"{name}:{line} lines.{i}.unit_price: negative")
        elif p.unit_price == 0 and not p.note:
            problems.append(f"{name}:{line} lines.{i}.unit_price: zero needs a note saying why (e.g. 赠送)")
    priced = {p.item for p in pricing.lines}
    problems += [f"{name}: BOM line {b.id} ({b.name}) has no price" for b in solution.bom if b.id not in priced]
    if problems:
        raise ValidationFailed(problems)
    return pricing


def read(path: Path, solution: Solution, tax_rate: Decimal) -> Pricing:
    """Prices from ``path`` (.xlsx or .yaml/.yml)."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".yaml", ".yml"):
        # never echo the argument: it may be a passphrase typed in the wrong place
        raise InputError(
            "price file must be an .xlsx or .yaml file (a passphrase is never given on the command line: "
            "set BIDKIT_PRICE_PASSPHRASE or type it at the prompt)"
        )
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    if suffix == ".xlsx":
        return read_xlsx(blob, path.name, solution, tax_rate)
    return read_yaml(blob, path.name, solution)


def template_bytes(solution: Solution, title: str) -> bytes:
    """An .xlsx pre-filled with the BOM, empty 单价 and a 合价 formula per row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "分项报价表"
    ws.append([title])
    ws.append([TEMPLATE_TITLES[c] for c in TEMPLATE_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    qty_col = "G"
    price_col = "I"
    for i, b in enumerate(solution.bom, 1):
        r = i + 2
        ws.append([i, b.id, b.name, b.brand, b.model, b.spec, b.qty, b.unit, None,
                   f"=IF({price_col}{r}=\"\",\"\",ROUND({qty_col}{r}*{price_col}{r},2))", ""])
        ws[f"{price_col}{r}"].number_format = "0.00"
        ws[f"J{r}"].number_format = "0.00"
    widths = {"A": 6, "B": 8, "C": 28, "D": 12, "E": 18, "F": 36, "G": 8, "H": 6, "I": 12, "J": 14, "K": 12}
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
