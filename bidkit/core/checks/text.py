"""Reading rendered bid text (pure): chapters, totals in figures and in 大写, table rows, labelled fields.

The text comes from ``render.text.docx_text`` (tables as ``a | b | c`` rows) or from a package PDF (pdftotext);
the patterns tolerate both: white space is squeezed out and the text NFKC-normalised before matching.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from bidkit.core.typography import plain_quotes

CHAPTER_HEADING = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+章[\s　]*(\S.*?)\s*$")
PART_LABELS = {"price": "报价部分", "commercial": "商务部分", "technical": "技术部分"}


# lines of the signature block at a chapter's end: they do not make a chapter non-empty
_SIGN_BLOCK = re.compile(r"^(投标人|法定代表人|被授权人|授权代表|日期|\[页眉\]|\[页脚\])")


@functools.lru_cache(maxsize=512)  # the rules read the same chapters' text many times (a 300-page 技术方案 too)
def squeeze(text: str) -> str:
    """NFKC-normalised text without any white space, quotes straight, for matching across line breaks, layouts
    and quotation marks (data typed with "", printed with “”)."""
    return "".join(nfkc(text).split())


@functools.lru_cache(maxsize=512)
def nfkc(text: str) -> str:
    return plain_quotes(unicodedata.normalize("NFKC", text))


@dataclass
class Chapter:
    """A chapter of a volume (or the volume's title page, ``heading == ""``) with its text, page by page."""

    part: str  # the volume
    heading: str  # the tender's title for it
    pages: list[tuple[int, str]] = field(default_factory=list)  # (page number or 0 when unknown, text)
    id: str = ""  # the chapter id in the book
    part_title: str = ""  # the volume's title
    filled: bool = True  # False: the bidder's own file as it is (may hold literal {{ }}); True: bidkit filled it

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
        return f"{title}（{self.part_title or PART_LABELS.get(self.part, self.part)}）"

    def page_of(self, needle: str) -> int:
        sq = squeeze(needle)
        for page, text in self.pages:
            if sq in squeeze(text):
                return page
        return self.pages[0][0] if self.pages else 0


def heading_title(heading: str) -> str:
    m = CHAPTER_HEADING.match(heading)
    return m.group(1).strip() if m else heading.strip()


def title_matches(heading: str, names: tuple[str, ...] | list[str]) -> bool:
    title = squeeze(heading_title(heading))
    return any(title == squeeze(n) or title.endswith(squeeze(n)) for n in names if n)


# --- totals --------------------------------------------------------------------------------------------------

_TOTAL_WORD = re.compile(r"投标总价|投标报价|总报价|报价总额|投标总金额|报价为|合计|总价|总计")
_NOT_TOTAL = re.compile(r"保证金|押金|税额|增值税|税金|税")
_BOND = re.compile(r"保证金|押金")
_UPPER_RUN = re.compile(r"[零壹贰叁肆伍陆柒捌玖拾佰仟万亿]+元[零壹贰叁肆伍陆柒捌玖角分整正]*"
                        r"|[壹贰叁肆伍陆柒捌玖]角(?:零?[壹贰叁肆伍陆柒捌玖]分)?")
_AMOUNT = re.compile(r"(?<![\d.,])¥?(\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?|\d+\.\d{2}|\d+(?=元))(?![\d])")
_HARD_STOP = re.compile(r"[。；;]")
_BEFORE, _AFTER = 48, 12  # characters of context a total's label may stand in, before and after it
_MASK = str.maketrans({**dict.fromkeys("0123456789０１２３４５６７８９", "#"),
                       **dict.fromkeys("零壹贰叁肆伍陆柒捌玖拾佰仟万亿", "×")})


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


def _contexts(text: str) -> list[tuple[str, str]]:
    """Each line (squeezed) with what comes before it in its sentence: a sentence broken over lines (a PDF's
    text) keeps its label; a table row (a line of its own ending its sentence) does not see the row above."""
    out = []
    carry = ""
    joined = re.sub(r"(\d[.,]\d)[ \t]*\n[ \t]*(\d)(?!\d)", r"\1\2", nfkc(text))  # an amount broken over lines
    for raw in joined.splitlines():
        line = squeeze_amounts(raw)
        if not line:
            continue  # a PDF's table cells come out as paragraphs between blank lines: a label's cell, then its value
        out.append((carry, line))
        ends = bool(re.search(r"[。；;:：|]$", line)) or " | " in raw
        carry = "" if ends else (carry + line)[-_BEFORE:]
    return out


def find_totals(text: str) -> Totals:
    """The bid totals a chapter prints, in any of the wordings tenders prescribe: a figure or a 大写 amount with a
    total's label (投标总价, 投标报价, 报价为, 合计…) before it in its sentence, or just after it (…的投标总价);
    amounts labelled as tax or as a bond are not totals."""
    figures: list[Decimal] = []
    uppers: list[str] = []
    for carry, line in _contexts(text):
        full = carry + line
        offset = len(carry)
        for kind, pattern in (("upper", _UPPER_RUN), ("figure", _AMOUNT)):
            for m in pattern.finditer(line):
                start, end = offset + m.start(), offset + m.end()
                before = full[max(0, start - _BEFORE):start]
                stop = max((s.end() for s in _HARD_STOP.finditer(before)), default=0)
                if kind == "figure":  # a label belongs to the first figure after it, not to the tax beside it
                    stop = max([stop, *(a.end() for a in _AMOUNT.finditer(before))])
                before = before[stop:]
                after = _HARD_STOP.split(full[end:end + _AFTER])[0]
                if _BOND.search(before) or _BOND.search(after):
                    continue
                labelled = bool(_TOTAL_WORD.search(before) or _TOTAL_WORD.search(after))
                if kind == "upper" and (labelled or "大写" in before[-12:]):
                    uppers.append(m.group(0))
                elif kind == "figure" and labelled and not _NOT_TOTAL.search(before[-8:]):
                    value = parse_amount(m.group(1))
                    if value is not None:
                        figures.append(value)
    return Totals(figures, uppers)


_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def literal_amounts(template_text: str) -> list[str]:
    """The lines of a price chapter's template that print an amount of their own (outside ``{{ }}``, ``{% %}``,
    ``{# #}``), masked: a price chapter takes every amount from the encrypted prices."""
    out = []
    for line in _TEMPLATE_TAG.sub("", template_text).splitlines():
        plain = nfkc(line)
        if _AMOUNT.search(plain) or _UPPER_RUN.search(plain):
            out.append(line.strip().translate(_MASK))  # as written (full-width marks kept), amounts masked
    return out


def mask(text: str) -> str:
    """``text`` with every digit and 大写 numeral masked (``#``, ``×``): a quote that can never carry an amount."""
    return text.translate(_MASK)


def masked_excerpt(text: str, limit: int = 80) -> str:
    """The line of ``text`` most like a price sentence, every digit and 大写 numeral masked, at most ``limit``
    characters: enough to find the paragraph, never an amount."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("[")]
    signal = re.compile(r"大写|小写|总价|报价|合计|¥|人民币|元")
    best = max(lines, key=lambda ln: (len(signal.findall(ln)), -lines.index(ln)), default="")
    masked = best.translate(_MASK)
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


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
