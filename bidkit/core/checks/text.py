"""Reading rendered bid text (pure): chapters, totals in figures and in 大写, table rows, labelled fields.

The text comes from ``render.text.docx_text`` (tables as ``a | b | c`` rows) or from a package PDF (pdftotext);
the patterns tolerate both: white space is squeezed out and the text NFKC-normalised before matching.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

CHAPTER_HEADING = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+章[\s　]*(\S.*?)\s*$")
PART_LABELS = {"price_part": "报价部分", "commercial_part": "商务部分", "technical_part": "技术部分"}

# chapter id → (part that holds it in the bundled templates, headings it may carry)
KNOWN_CHAPTERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bid_letter": ("price_part", ("投标函",)),
    "opening_summary": ("price_part", ("开标一览表",)),
    "itemised_prices": ("price_part", ("分项报价表", "分项报价明细表")),
    "authorisation_letter": ("commercial_part", ("法定代表人授权书", "法定代表人授权委托书", "授权委托书")),
    "qualifications": ("commercial_part", ("资格证明文件",)),
    "commercial_deviations": ("commercial_part", ("商务偏离表", "商务条款偏离表")),
    "references": ("commercial_part", ("类似项目业绩",)),
    "after_sales": ("commercial_part", ("售后服务承诺",)),
    "technical_solution": ("technical_part", ("技术方案",)),
    "bom": ("technical_part", ("设备清单",)),
    "technical_deviations": ("technical_part", ("技术偏离表", "技术参数偏离表")),
    "construction_plan": ("technical_part", ("施工组织设计", "施工方案")),
}
PRICE_CHAPTERS = ("bid_letter", "opening_summary", "itemised_prices")

# lines of the signature block at a chapter's end: they do not make a chapter non-empty
_SIGN_BLOCK = re.compile(r"^(投标人|法定代表人|被授权人|授权代表|日期|\[页眉\]|\[页脚\])")


def squeeze(text: str) -> str:
    """NFKC-normalised text without any white space, for matching across line breaks and layouts."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@dataclass
class Chapter:
    """A chapter of a part (or the part's cover, ``heading == ""``) with its text, page by page."""

    part: str
    heading: str
    pages: list[tuple[int, str]] = field(default_factory=list)  # (page number or 0 when unknown, text)

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self.pages)

    @property
    def lines(self) -> list[str]:
        return [ln for ln in self.text.splitlines() if ln.strip()]

    def body_lines(self) -> list[str]:
        """Content lines: without the heading and the signature block."""
        return [ln for ln in self.lines[1:] if not _SIGN_BLOCK.match(ln.strip())]

    def where(self, needle: str | None = None) -> str:
        """A location a reader finds: ``投标函 p.3`` in a package, ``投标函（报价部分）`` in a rendered part."""
        title = heading_title(self.heading) or "封面"
        page = self.page_of(needle) if needle else (self.pages[0][0] if self.pages else 0)
        if page:
            return f"{title} p.{page}"
        return f"{title}（{PART_LABELS.get(self.part, self.part)}）"

    def page_of(self, needle: str) -> int:
        sq = squeeze(needle)
        for page, text in self.pages:
            if sq in squeeze(text):
                return page
        return self.pages[0][0] if self.pages else 0


def heading_title(heading: str) -> str:
    m = CHAPTER_HEADING.match(heading)
    return m.group(1).strip() if m else heading.strip()


def split_chapters(part: str, text: str) -> list[Chapter]:
    """A rendered part's text cut at its ``第N章 title`` lines; the first item is the cover (heading "")."""
    chapters = [Chapter(part, "")]
    current: list[str] = []
    for line in text.splitlines():
        if CHAPTER_HEADING.match(line) and not line.startswith("["):
            chapters[-1].pages = [(0, "\n".join(current))]
            chapters.append(Chapter(part, line.strip()))
            current = [line]
        else:
            current.append(line)
    chapters[-1].pages = [(0, "\n".join(current))]
    return chapters


def title_matches(heading: str, names: tuple[str, ...] | list[str]) -> bool:
    title = squeeze(heading_title(heading))
    return any(title == squeeze(n) or title.endswith(squeeze(n)) for n in names if n)


# --- totals --------------------------------------------------------------------------------------------------

_UPPER_CHARS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整负"
_UPPER = re.compile(rf"(?:投标总价|合计金额|合计|总价|总报价)(?:\([^)]{{0,10}}\))?[:|]*人民币([{_UPPER_CHARS}]+)")
_FIG_LABEL = re.compile(r"投标总价|合计|总报价")
_AMOUNT = re.compile(r"¥?(\d{1,3}(?:,\d{3})+\.\d{2}|\d+\.\d{2})(?!\d)")


@dataclass(frozen=True)
class Totals:
    figures: list[Decimal]
    uppers: list[str]


def parse_amount(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None


def squeeze_amounts(text: str) -> str:
    """Like :func:`squeeze`, but two numbers side by side stay apart (PDF table cells come out as ``1.00 2.00``);
    an amount broken after its first decimal (``495,501.4⏎0``) is joined again."""
    s = nfkc(text)
    s = re.sub(r"(\d[.,]\d)\s+(\d)(?!\d)", r"\1\2", s)
    s = re.sub(r"(?<=\d)\s+(?=\d)", "|", s)
    return "".join(s.split())


def find_totals(text: str) -> Totals:
    """The bid totals a chapter prints: figures after 投标总价/合计, 大写 after 人民币 (tax amounts skipped)."""
    s = squeeze_amounts(text)
    uppers = [m.group(1) for m in _UPPER.finditer(s)]
    figures: list[Decimal] = []
    for m in _FIG_LABEL.finditer(s):
        window = s[m.end(): m.end() + 80]
        am = _AMOUNT.search(window)
        if am is None:
            continue
        gap = window[: am.start()]
        if "税" in gap or re.search(r"\d", gap):  # 含增值税 ¥…: the tax, not the total
            continue
        value = parse_amount(am.group(1))
        if value is not None:
            figures.append(value)
    return Totals(figures, uppers)


# --- tables --------------------------------------------------------------------------------------------------


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.split(" | ")]


def is_row(line: str) -> bool:
    return " | " in line


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]  # data rows: first cell a number
    other_rows: list[list[str]]  # e.g. the 合计 row
    line: str  # the header line, for messages


def numbered_tables(lines: list[str]) -> list[Table]:
    """Tables whose header starts with 序号; their numbered data rows and any other rows."""
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_row(line) and cells(line)[0] == "序号":
            header = cells(line)
            rows: list[list[str]] = []
            other: list[list[str]] = []
            i += 1
            while i < len(lines) and is_row(lines[i]):
                c = cells(lines[i])
                if c[0].isdigit() and any(x for x in c[1:]):
                    rows.append(c)
                elif any(c):
                    other.append(c)
                i += 1
            tables.append(Table(header, rows, other, line))
            continue
        i += 1
    return tables


def column(header: list[str], *names: str) -> int | None:
    for i, h in enumerate(header):
        if squeeze(h) in names:
            return i
    return None


# --- labelled fields -----------------------------------------------------------------------------------------

_END = r"(?=\s{2,}|\s\|\s|\s*\(盖|\s*\(签|招标编号|$)"
FIELD_PATTERNS: dict[str, re.Pattern[str]] = {
    "tender_number": re.compile(r"招标编号\s*[:|]\s*([A-Za-z0-9][A-Za-z0-9\-_/.]*)"),
    "project_name": re.compile(r"项目名称\s*:\s*(.+?)" + _END),
    "bidder": re.compile(r"投标人(?:名称)?\s*[:|]\s*(.+?)" + _END),
    "credit_code": re.compile(r"统一社会信用代码\s*[:|]?\s*([0-9A-Z]{18})"),
    "legal_rep": re.compile(r"法定代表人(?:姓名)?\s*[:|]\s*([\u4e00-\u9fff·]{2,6})(?![\u4e00-\u9fff])"),
}


def labelled_values(text: str, name: str) -> list[str]:
    """Every value printed after the label of field ``name``, line by line."""
    pattern = FIELD_PATTERNS[name]
    found = []
    for line in nfkc(text).splitlines():
        for m in pattern.finditer(line):
            value = m.group(1).strip()
            if value:
                found.append(value)
    return found
