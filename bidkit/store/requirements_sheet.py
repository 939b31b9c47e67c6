"""Import a tender's requirements from a simple spreadsheet (序号 / 条款 / ★ / 要求, optional 类型) into tender.yaml.

A pre-sales engineer pastes the clauses from the 招标文件 into a sheet; every bad row is reported at once as
``FILE.xlsx:ROW column: problem``. tender.yaml is rewritten atomically: only its ``requirements:`` block is
replaced, so the rest of the file keeps its comments (comments inside the old block are lost).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bidkit.core.errors import InputError, ValidationFailed
from bidkit.core.location import line_of
from bidkit.core.models import Requirement, RequirementKind, Tender
from bidkit.store import yamlio
from bidkit.store.files import atomic_write
from bidkit.store.workspace import Workspace

COLUMNS = {"序号": "no", "条款": "clause", "★": "star", "要求": "text", "类型": "kind"}
ALIASES = {"条款号": "条款", "星号": "★", "实质性条款": "★", "招标要求": "要求", "技术要求": "要求", "类别": "类型"}
REQUIRED = ("序号", "要求")
MAX_ROWS = 5000
_YES = {"★", "是", "y", "yes", "true", "1", "x", "√"}
_NO = {"", "否", "n", "no", "false", "0"}
_KINDS = {"技术": "technical", "technical": "technical", "商务": "commercial", "commercial": "commercial",
          "": "technical"}
_PREFIX = {"technical": "T", "commercial": "C"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read(path: Path) -> list[Requirement]:
    """The requirements in the sheet, in order; :class:`ValidationFailed` listing every bad row."""
    import openpyxl

    name = path.name
    if path.suffix.lower() != ".xlsx":
        raise InputError(f"{name}: the requirements sheet must be an .xlsx file")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError(f"{name}: file not found") from None
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{name}: not a readable .xlsx workbook") from None
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True, max_row=MAX_ROWS + 50))
    finally:
        wb.close()
    header_at, cols = None, {}
    for r, row in enumerate(rows[:20], 1):
        cells = [ALIASES.get(_text(c), _text(c)) for c in row]
        if all(req in cells for req in REQUIRED):
            header_at, cols = r, {c: i for i, c in enumerate(cells) if c in COLUMNS}
            break
    if header_at is None:
        raise InputError(f"{name}: no header row with the columns 序号 and 要求 (and 条款, ★, 类型 if used)")
    problems: list[str] = []
    out: list[Requirement] = []
    ids: dict[str, int] = {}
    for r, row in enumerate(rows[header_at:], header_at + 1):
        values = {col: _text(row[i]) if i < len(row) else "" for col, i in cols.items()}
        if not any(values.values()):
            continue
        where = f"{name}:{r}"
        no, text = values.get("序号", ""), values.get("要求", "")
        kind = _KINDS.get(values.get("类型", "").lower())
        if kind is None:
            problems.append(f"{where} 类型: '{values['类型']}' is not 技术 or 商务")
            kind = "technical"
        star_text = values.get("★", "").lower()
        star = star_text in _YES or text.startswith("★")
        if star_text not in _YES and star_text not in _NO:
            problems.append(f"{where} ★: '{values['★']}' is not ★ or empty")
        if not no:
            problems.append(f"{where} 序号: empty")
            continue
        if not text:
            problems.append(f"{where} 要求: empty")
            continue
        req_id = f"{_PREFIX[kind]}-{int(no):02d}" if no.isdigit() else no
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", req_id):
            problems.append(f"{where} 序号: '{no}' is not a number or an id like T-01")
            continue
        if req_id in ids:
            problems.append(f"{where} 序号: '{req_id}' appears twice (first on row {ids[req_id]})")
            continue
        ids[req_id] = r
        out.append(Requirement(id=req_id, clause=values.get("条款", ""), kind=RequirementKind(kind),
                               mandatory=star, text=text))
    if len(out) > MAX_ROWS:
        problems.append(f"{name}: more than {MAX_ROWS} requirements")
    if problems:
        raise ValidationFailed(problems)
    if not out:
        raise InputError(f"{name}: no requirement rows below the header (row {header_at})")
    return out


def _block(reqs: list[Requirement]) -> str:
    items = [r.model_dump(mode="json", exclude_defaults=True) for r in reqs]
    for item, r in zip(items, reqs, strict=True):
        item["kind"] = r.kind.value  # always written: it says which deviation table answers it
    return yamlio.dump({"requirements": items})


def replace_block(text: str, block: str) -> str:
    """``text`` with its top-level ``requirements:`` block (up to the next top-level key) replaced by ``block``."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(r"requirements\s*:", ln)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + "\n" + block
    end = start + 1
    while end < len(lines) and not re.match(r"[A-Za-z_]", lines[end]):
        end += 1
    # keep comment lines that lead into the next top-level key
    while end - 1 > start and lines[end - 1].startswith("#"):
        end -= 1
    return "".join(lines[:start]) + block + "".join(lines[end:])


def import_requirements(ws: Workspace, sheet: Path) -> list[Requirement]:
    """Replace tender.yaml's requirements with the sheet's; refuse if a response row would lose its requirement."""
    reqs = read(sheet)
    path = ws.root / "tender.yaml"
    new_text = replace_block(path.read_text(encoding="utf-8"), _block(reqs))
    raw = yamlio.parse(new_text, "tender.yaml")
    try:
        Tender.model_validate(raw)
    except ValidationError as exc:
        problems = [f"tender.yaml {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ValidationFailed(problems) from None
    kinds = {r.id: r.kind.value for r in reqs}
    orphans = []
    for table in ("technical", "commercial"):
        for i, row in enumerate(getattr(ws.data.responses, table)):
            if kinds.get(row.requirement) != table:
                line = line_of(ws.raw.get("responses"), (table, i, "requirement"))
                orphans.append(f"responses.yaml:{line or 1} {table}.{i}.requirement: '{row.requirement}' is not a "
                               f"{table} requirement in {sheet.name}")
    if orphans:
        raise ValidationFailed(orphans)  # nothing written: the workspace would no longer load
    atomic_write(path, new_text)
    return reqs
