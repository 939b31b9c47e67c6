"""A tender's requirements read from its tables (pure): a spreadsheet's sheets or the tables of the tender's own
Word file (the 采购需求 chapter), with columns 序号 / 条款 / ★ / 要求 (/ 类型).

★ is read from its column or from the text (``★前端摄像机…``). The kind (technical or commercial) comes from a
类型 column, else from the table itself (a 技术要求 / 商务要求 column, a row ``二、商务要求`` across the table, the
heading before it, the sheet's name), else from ``kind`` (``--kind``), else it is guessed from the words and every
guess is named in a warning. Every bad row is reported at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bidkit.core.errors import InputError, ValidationFailed
from bidkit.core.models import Requirement, RequirementKind

COLUMNS = {"序号": "no", "条款": "clause", "★": "star", "要求": "text", "类型": "kind"}
ALIASES = {
    "编号": "序号", "条款号": "条款", "条目": "条款", "章节": "条款", "条款编号": "条款",
    "星号": "★", "实质性条款": "★", "是否实质性条款": "★", "实质性要求": "★", "是否★": "★", "★号": "★",
    "招标要求": "要求", "技术要求": "要求", "商务要求": "要求", "采购需求": "要求", "需求": "要求", "技术参数": "要求",
    "技术参数要求": "要求", "参数要求": "要求", "具体要求": "要求", "要求内容": "要求", "技术规格": "要求",
    "规格要求": "要求", "技术指标": "要求", "指标要求": "要求", "条款内容": "要求", "商务条款": "要求",
    "技术条款": "要求", "服务要求": "要求",
    "类别": "类型", "要求类型": "类型", "分类": "类型", "条款类型": "类型",
}
REQUIRED = ("序号", "要求")
MAX_ROWS = 5000
_YES = {"★", "是", "y", "yes", "true", "1", "x", "√", "✓"}
_NO = {"", "否", "n", "no", "false", "0", "—", "-", "/"}
_KINDS = {"技术": "technical", "technical": "technical", "商务": "commercial", "commercial": "commercial",
          "技术要求": "technical", "商务要求": "commercial", "服务": "commercial"}
PREFIX = {"technical": "T", "commercial": "C"}
# words of a commercial clause (price, bond, payment, time, warranty, service, acceptance, qualifications)
COMMERCIAL_WORDS = ("报价", "价格", "最高限价", "预算", "保证金", "付款", "支付", "结算", "发票", "税", "工期",
                    "交货", "交付", "供货期", "质保", "保修", "售后", "培训", "验收", "资质", "资格", "业绩", "有效期",
                    "合同", "违约", "履约", "服务承诺", "响应时间", "到场", "联合体", "信用")


def kind_in(text: str) -> str | None:
    """technical or commercial when ``text`` (a heading, a sheet's name) names one of the two and not both."""
    t, c = "技术" in text, "商务" in text or "服务要求" in text
    return "technical" if t and not c else "commercial" if c and not t else None


def guess_kind(text: str) -> str:
    return "commercial" if any(w in text for w in COMMERCIAL_WORDS) else "technical"


@dataclass(frozen=True)
class SourceTable:
    """One table of cells (text), as a reader found it."""

    name: str  # the file, for messages
    rows: list[list[str]]
    first_row: int = 1  # the row number of rows[0]
    label: str = ""  # "表 3" (a Word table) or a sheet's name; "" for the only sheet
    heading: str = ""  # the text before the table (Word) or the sheet's name

    def where(self, row: int) -> str:
        if not self.label:
            return f"{self.name}:{row}"
        return f"{self.name} {self.label} 第 {row} 行"


@dataclass
class Imported:
    requirements: list[Requirement]
    warnings: list[str] = field(default_factory=list)


def _header(cells: list[str]) -> tuple[dict[str, int], str | None] | None:
    names = [ALIASES.get(norm(c), norm(c)) for c in cells]
    if not all(r in names for r in REQUIRED):
        return None
    cols = {}
    for i, n in enumerate(names):
        if n in COLUMNS and n not in cols:
            cols[n] = i
    return cols, kind_in(cells[cols["要求"]])


def norm(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("（", "(").replace("）", ")")


def _spanning(cells: list[str], text_col: int) -> str | None:
    """The text of a title row across the table (二、商务要求; merged, or written in its first cell only)."""
    filled = {c.strip() for c in cells if c.strip()}
    if len(filled) != 1:
        return None
    title = filled.pop()
    requirement = cells[text_col].strip() if text_col < len(cells) else ""
    if re.fullmatch(r"[\d.]+", title) or (requirement and len(cells) > 1 and not all(c.strip() for c in cells)):
        return None
    return title


def parse(tables: list[SourceTable], *, kind: str | None = None, name: str = "") -> Imported:
    """The requirements of every table with a 序号 and a 要求 column, in order; :class:`ValidationFailed` with
    every bad row."""
    problems: list[str] = []
    out: list[Requirement] = []
    guessed: list[Requirement] = []
    ids: dict[str, str] = {}
    found_header = False
    for t_index, table in enumerate(tables, 1):
        head = next(((r, h) for r, cells in enumerate(table.rows[:20]) if (h := _header(cells)) is not None), None)
        if head is None:
            continue
        found_header = True
        at, (cols, header_kind) = head
        section = header_kind or kind_in(table.heading)
        rows = [(table.first_row + at + 1 + i, cells) for i, cells in enumerate(table.rows[at + 1:])]
        qualified = False
        pending: list[tuple[int, str, str, bool, str, str, bool]] = []
        for r, cells in rows:
            values = {col: cells[i].strip() if i < len(cells) else "" for col, i in cols.items()}
            if not any(values.values()):
                continue
            if (title := _spanning(cells, cols["要求"])) is not None:
                section = kind_in(title) or section
                continue
            where = table.where(r)
            no = values.get("序号", "").replace("★", "").strip()
            text = values.get("要求", "")
            row_kind = values.get("类型", "")
            explicit = _KINDS.get(row_kind.lower()) if row_kind else None
            if row_kind and explicit is None:
                problems.append(f"{where} 类型: '{row_kind}' is not 技术 or 商务")
            star_text = values.get("★", "").lower()
            star = star_text in _YES or "★" in text or "★" in values.get("序号", "") or "★" in values.get("条款", "")
            if star_text not in _YES and star_text not in _NO:
                problems.append(f"{where} ★: '{values['★']}' is not ★ or empty")
            if not no:
                problems.append(f"{where} 序号: empty")
                continue
            if not text:
                problems.append(f"{where} 要求: empty")
                continue
            chosen = explicit or section or kind
            was_guessed = chosen is None
            chosen = chosen or guess_kind(f"{values.get('条款', '')} {text}")
            pending.append((r, no, chosen, star, values.get("条款", ""), text, was_guessed))
        # a table that numbers from 1 again (one per device, one per lot): its ids name the table
        qualified = any(f"{PREFIX[k]}-{int(n):02d}" in ids for _, n, k, *_ in pending if n.isdigit())
        for r, no, chosen, star, clause, text, was_guessed in pending:
            where = table.where(r)
            if no.isdigit():
                req_id = f"{PREFIX[chosen]}{t_index if qualified else ''}-{int(no):02d}"
            else:
                req_id = no
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", req_id):
                problems.append(f"{where} 序号: '{no}' is not a number or an id like T-01")
                continue
            if req_id in ids:
                first = ids[req_id]
                problems.append(f"{where} 序号: '{req_id}' appears twice (first on "
                                f"{first if table.label else 'row ' + first.rsplit(':', 1)[-1]})")
                continue
            ids[req_id] = where
            req = Requirement(id=req_id, clause=clause, kind=RequirementKind(chosen), mandatory=star, text=text)
            out.append(req)
            if was_guessed:
                guessed.append(req)
    if not found_header:
        raise InputError(f"{name or tables[0].name if tables else name}: no table with the columns 序号 and 要求 "
                         "(and 条款, ★, 类型 if used)")
    if len(out) > MAX_ROWS:
        problems.append(f"{name}: more than {MAX_ROWS} requirements")
    if problems:
        raise ValidationFailed(problems)
    if not out:
        raise InputError(f"{name}: no requirement rows below the header")
    warnings = []
    if guessed:
        commercial = [r for r in guessed if r.kind.value == "commercial"]
        warnings.append(
            f"warning: {name}: {len(guessed)} requirement(s) without a 类型 column or a 技术/商务 heading: the kind "
            f"was guessed from their words ({len(commercial)} commercial, {len(guessed) - len(commercial)} "
            "technical); check kind: in tender.yaml, or give --kind technical|commercial")
        warnings += [f"warning: {r.id} taken as {r.kind.value}: {short(r.text)}" for r in guessed]
    return Imported(out, warnings)


def short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
