"""Import a tender's requirements into tender.yaml, and a row to answer for each into responses.yaml.

The requirements come from a spreadsheet (read here: every sheet, 序号 / 条款 / ★ / 要求, optional 类型) or the
tables of the tender's own .docx (read by :func:`bidkit.adapters.render.text.docx_tables`); the rows are parsed
by :mod:`bidkit.core.requirements`. Only tender.yaml has to be readable: the rest of the workspace may still be
empty. tender.yaml's ``requirements:`` block is replaced, and responses.yaml gets one row to answer (no response,
no deviation yet) for every requirement not answered there; the rest of both files keeps its comments (comments
inside the old requirements block are lost). Both are written atomically, after both were checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bidkit.core.errors import InputError, ValidationFailed
from bidkit.core.location import line_of
from bidkit.core.models import Requirement
from bidkit.core.requirements import MAX_ROWS, SourceTable, short
from bidkit.core.requirements import parse as parse_tables
from bidkit.core.validation import model_problems
from bidkit.store import yamlio
from bidkit.store.files import atomic_write

TENDER, RESPONSES = "tender.yaml", "responses.yaml"
TABLES = {"technical": "技术偏离表", "commercial": "商务偏离表"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_tables(path: Path) -> list[SourceTable]:
    """Every sheet of an .xlsx as a table (named in messages when there are several)."""
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
        sheets = [(ws.title, [[_text(c) for c in row] for row in ws.iter_rows(values_only=True,
                                                                                max_row=MAX_ROWS + 50)])
                  for ws in wb.worksheets]
    finally:
        wb.close()
    several = len(sheets) > 1
    return [SourceTable(name, rows, 1, title if several else "", title) for title, rows in sheets]


def read(path: Path) -> list[Requirement]:
    """The requirements in a spreadsheet, in order; :class:`ValidationFailed` listing every bad row."""
    return parse_tables(sheet_tables(path), name=path.name).requirements


def _block(reqs: list[Requirement]) -> str:
    items = [r.model_dump(mode="json", exclude_defaults=True) for r in reqs]
    for item, r in zip(items, reqs, strict=True):
        item["kind"] = r.kind.value  # always written: it says which deviation table answers it
    return yamlio.dump({"requirements": items})


def _top_key(line: str) -> bool:
    return bool(re.match(r"[A-Za-z_]", line))


def replace_block(text: str, block: str, key: str = "requirements") -> str:
    """``text`` with its top-level ``key:`` block (up to the next top-level key) replaced by ``block``."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(rf"{key}\s*:", ln)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + "\n" + block
    end = start + 1
    while end < len(lines) and not _top_key(lines[end]):
        end += 1
    # keep comment lines that lead into the next top-level key
    while end - 1 > start and lines[end - 1].startswith("#"):
        end -= 1
    return "".join(lines[:start]) + block + "".join(lines[end:])


def _row_lines(req: Requirement, indent: str) -> list[str]:
    star = "★ " if req.mandatory and "★" not in req.text else ""
    clause = f"{req.clause} " if req.clause else ""
    return [f"{indent}- requirement: {req.id} # {star}{clause}{short(req.text)}\n",
            f"{indent}  response: \"\" # 响应内容 | your answer\n",
            f"{indent}  deviation: # 无偏离、正偏离 或 负偏离 | complies, exceeds or deviates\n"]


def add_rows(text: str, table: str, reqs: list[Requirement]) -> str:
    """``text`` (responses.yaml) with a row to answer for each of ``reqs`` at the end of its ``table`` list."""
    if not reqs:
        return text
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(rf"{table}\s*:", ln)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + f"{table}:\n" + "".join(ln for r in reqs for ln in _row_lines(r, "  "))
    head = lines[start]
    value, _, comment = head.partition("#")
    value = value.split(":", 1)[1].strip()
    if value not in ("", "[]"):
        raise InputError(f"{RESPONSES}:{start + 1} {table}: written as a {{…}} or […] list on one line: write it "
                         f"as a list of “- requirement: …” rows to import into it")
    if value == "[]":  # the list starts now: its rows follow the key
        lines[start] = f"{table}:" + (f" #{comment}" if comment else "\n")
    end = start + 1
    while end < len(lines) and not _top_key(lines[end]):
        end += 1
    while end - 1 > start and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
        end -= 1
    indent = next((m.group(1) for ln in lines[start + 1:end] if (m := re.match(r"(\s*)- ", ln))), "  ")
    new = [ln for r in reqs for ln in _row_lines(r, indent)]
    return "".join(lines[:end]) + "".join(new) + "".join(lines[end:])


def _rows(answers: dict[str, Any], table: str) -> list[Any]:
    rows = answers.get(table)
    return rows if isinstance(rows, list) else []


def _empty(row: object) -> bool:
    """A row to answer as the import adds it: nothing answered yet (so nothing lost when it goes)."""
    return (isinstance(row, dict) and set(row) <= {"requirement", "response", "deviation"}
            and row.get("response") in ("", None) and row.get("deviation") is None)


def drop_rows(text: str, table: str, ids: set[str]) -> tuple[str, set[str]]:
    """``text`` (responses.yaml) without the rows of its ``table`` list that answer one of ``ids`` (written in
    block style: the ``- requirement: ID`` line and the lines indented below it), and the ids removed."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if re.match(rf"{table}\s*:", ln)), None)
    if not ids or start is None:
        return text, set()
    end = start + 1
    while end < len(lines) and not _top_key(lines[end]):
        end += 1
    keep, removed, items, i = lines[:start + 1], set(), 0, start + 1
    while i < end:
        j = i + 1
        if (dash := re.match(r"(\s*)- ", lines[i])) is not None:
            items += 1
            while j < end and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > len(dash[1])):
                j += 1
            m = re.match(r"\s*- requirement:\s*['\"]?([^'\"#\s]+)['\"]?\s*(#.*)?$", lines[i])
            if m and m[1] in ids:
                removed.add(m[1])
                items -= 1
                i = j
                continue
        keep += lines[i:j]
        i = j
    if removed and not items:  # the list is empty now: say so, or YAML reads it as null
        comment = lines[start].partition("#")[2]
        keep[start] = f"{table}: []" + (f" #{comment}" if comment else "\n")
    return "".join(keep + lines[end:]), removed


@dataclass
class Result:
    requirements: list[Requirement]
    added: dict[str, int] = field(default_factory=dict)  # rows to answer added per table
    removed: dict[str, int] = field(default_factory=dict)  # rows still to answer whose requirement went
    warnings: list[str] = field(default_factory=list)


def _mapping(text: str, name: str) -> dict[str, Any]:
    raw = yamlio.parse(text, name)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InputError(f"{name}:1: expected a mapping of fields at the top level")
    return raw


def import_requirements(root: Path, reqs: list[Requirement], source: str) -> Result:
    """Replace tender.yaml's requirements with ``reqs`` and add a row to answer for each new one to
    responses.yaml. Needs only tender.yaml to be readable YAML; answers already given are kept, and those the
    new requirements lack are named in warnings (``bidkit validate`` lists them too)."""
    tender_path = root / TENDER
    if not tender_path.is_file():
        raise InputError(f"{TENDER}: file not found in {root} (bidkit new {root} makes one)")
    tender_text = replace_block(tender_path.read_text(encoding="utf-8"), _block(reqs))
    raw = _mapping(tender_text, TENDER)
    try:  # only the block written here: the rest of the tender may still be empty
        TypeAdapter(list[Requirement]).validate_python(raw.get("requirements"))
    except ValidationError as exc:
        raise ValidationFailed([str(p) for p in model_problems(exc, TENDER, raw.get("requirements"))]) from None
    result = Result(reqs)
    responses_path = root / RESPONSES
    responses_text = None
    if responses_path.is_file():
        try:
            text = responses_path.read_text(encoding="utf-8")
            answers = _mapping(text, RESPONSES)
        except (InputError, UnicodeDecodeError) as exc:
            message = exc.message if isinstance(exc, InputError) else "not UTF-8 text"
            result.warnings.append(f"warning: {RESPONSES} not changed ({message}): add its rows to answer once "
                                   "it reads again, by importing again")
        else:
            responses_text = text
            kinds = {r.id: r.kind.value for r in reqs}
            for table in TABLES:  # an earlier import's rows, not answered yet, whose requirement went, go
                listed = _rows(answers, table)
                gone = {str(row.get("requirement")) for row in listed if _empty(row)
                        and kinds.get(str(row.get("requirement"))) != table}
                gone -= {str(row.get("requirement")) for row in listed if isinstance(row, dict) and not _empty(row)}
                responses_text, removed = drop_rows(responses_text, table, gone)
                result.removed[table] = len(removed)
            answers = _mapping(responses_text, RESPONSES)
            for table in TABLES:
                listed = _rows(answers, table)
                answered = {str(row.get("requirement")) for row in listed if isinstance(row, dict)}
                new = [r for r in reqs if r.kind.value == table and r.id not in answered]
                responses_text = add_rows(responses_text, table, new)
                result.added[table] = len(new)
            answers = _mapping(responses_text, RESPONSES)  # still YAML (it is, unless the file was odd)
            for table in TABLES:  # answers kept whose requirement went or changed kind, at their final lines
                listed = _rows(answers, table)
                for i, row in enumerate(listed):
                    req = str(row.get("requirement")) if isinstance(row, dict) else ""
                    if kinds.get(req) != table:
                        line = line_of(answers.get(table), (i,)) or 1
                        what = f"is a {kinds[req]} requirement now" if req in kinds else \
                            f"is not a requirement in {source}"
                        result.warnings.append(f"warning: {RESPONSES}:{line} {table}.{i}.requirement: '{req}' "
                                               f"{what} (the answer is kept: move or remove it)")
    atomic_write(tender_path, tender_text)
    if responses_text is not None:
        atomic_write(responses_path, responses_text)
    return result
