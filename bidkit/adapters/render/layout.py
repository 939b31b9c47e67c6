"""Print layout of a rendered .docx (lxml on its XML), before LibreOffice lays it out.

Two passes over ``word/document.xml``, both about what an evaluator sees on paper:

- **Tables never break a number or a code.** Each column's narrowest width is measured from its content with the
  real font: an amount, a quantity or a model code (a cell without a space or a Chinese character) must fit on
  one line, and so must the longest unbreakable run of a text cell (``CMOS，2688×1520``: LibreOffice does not
  break between Latin and full-width punctuation), and a cell of at most five characters (a brand, a name) as
  one word. In a data table (one with a repeated header row) a column of numbers or codes is sized to its
  longest content, an empty column to its header, and the text columns share the rest, half in their template
  proportions, half in proportion to how much text each holds; in a form (no header row) columns only grow to
  their minimum, taken from the text columns' slack. The evidence column (证明材料…) keeps its width: bidkit
  writes into it later.
- **A signature block stays with its text.** The signature lines (style ``BK Signature``, or a paragraph holding
  a seal anchor) keep with each other and with what precedes them: the paragraph before (with its last lines,
  by widow control), or the last row of the table before, so no page holds a signature block alone.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
TWIP = 20  # twips per point

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
SERIF = {False: "NotoSerifCJK-Regular.ttc", True: "NotoSerifCJK-Bold.ttc"}  # what 宋体 becomes (fonts.conf)
SLACK_PT = 2.5  # beyond the measured text: LibreOffice's own rounding, a border's width
EVIDENCE_HEADER = "证明材料"
SIGNATURE_STYLES = ("BKSignature",)
SIGNATURE_MARKS = ("（盖单位章）", "（签字或盖章）", "（盖章）", "(盖章)")
SMALL_TABLE_ROWS = 6  # a table this short stays whole with the signature after it, with the text before it
HEADER_CHARS = 4  # a header word this long never breaks (合价, 规格参数); a longer one may
MIN_LINE_CHARS = 4  # a text cell's column holds at least this many Chinese characters a line
SHORT_CHARS = 5  # a body cell this short is one word (a brand, a unit, a person's name): it never breaks

_ATOMIC = re.compile(r"^[-+¥$€]?[0-9A-Za-z][0-9A-Za-z.,:/_\-+×*#()%]*$")  # 38000, 3,286,400.00, JW-MC1000-SF20
_OPENING = set("（([{《〈「『【“‘")
_CLOSING = set("）)]}》〉」』】”’，。、；：！？,.;:!?%")


def _q(tag: str) -> str:
    local = tag.split(":", 1)[1]
    return f"{{{W}}}{local}"


# --- measuring text ------------------------------------------------------------------------------------------


@cache
def _face(bold: bool) -> Any:
    """The face LibreOffice sets a table's text in (宋体 → Noto Serif CJK SC), or None when it is not there."""
    from PIL import ImageFont

    for d in FONT_DIRS:
        path = d / SERIF[bold]
        if not path.exists():
            continue
        for index in range(8):
            try:
                font = ImageFont.truetype(str(path), 1000, index=index)
            except OSError:
                break
            if str(font.getname()[0]).endswith(" SC"):
                return font
    return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The advance width of ``text`` in points at ``size`` (the real font's metrics; without it, 1 em for a
    Chinese character and 0.62 em for anything else, which is wider than the font's)."""
    return _em_width(text, bold) * size


@lru_cache(maxsize=65536)
def _em_width(text: str, bold: bool) -> float:
    """``text``'s advance in ems (a table repeats its words and characters: measured once each)."""
    face = _face(bold)
    if face is not None:
        return float(face.getlength(text)) / 1000
    return sum(1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.62 for c in text)


def _ideograph(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F") and ch not in _OPENING and ch not in _CLOSING \
        and unicodedata.category(ch).startswith("L")


def tokens(text: str) -> list[str]:
    """The pieces a line never breaks inside: a run of Latin letters, digits and punctuation (full-width
    punctuation included), or one Chinese character with the punctuation that clings to it."""
    out: list[str] = []
    cur = ""
    for ch in text:
        if ch.isspace():
            if cur:
                out.append(cur)
            cur = ""
        elif _ideograph(ch):
            if cur and not all(c in _OPENING for c in cur):  # a line may break before a Chinese character
                out.append(cur)
                cur = ""
            out.append(cur + ch)  # ... and after it, unless what follows clings to it
            cur = ""
        elif ch in _CLOSING and not cur and out:
            cur = out.pop() + ch  # a closing mark never starts a line, nor does what sticks to it
        else:
            cur += ch
    if cur:
        out.append(cur)
    return out


# --- the document's sizes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    size: float | None
    bold: bool | None
    based_on: str | None


@lru_cache(maxsize=32)
def _styles(xml: bytes | None) -> tuple[dict[str, _Style], float]:
    """The sizes and weights of a styles.xml's styles (chapters made from one template share it: read once;
    the result is only read)."""
    from lxml import etree

    if not xml:
        return {}, 12.0
    root = etree.fromstring(xml)
    default = 10.0
    sz = root.find("w:docDefaults/w:rPrDefault/w:rPr/w:sz", NS)
    if sz is not None:
        default = int(sz.get(_q("w:val"))) / 2
    out = {}
    for st in root.findall("w:style", NS):
        sid = st.get(_q("w:styleId"))
        rpr = st.find("w:rPr", NS)
        size, bold = _run_props(rpr)
        based = st.find("w:basedOn", NS)
        out[sid] = _Style(size, bold, based.get(_q("w:val")) if based is not None else None)
    return out, default


def _run_props(rpr: Any) -> tuple[float | None, bool | None]:
    """The size (points) and weight a ``w:rPr`` sets; None for what it leaves to its style."""
    if rpr is None:
        return None, None
    sz, b = rpr.find("w:sz", NS), rpr.find("w:b", NS)
    size = int(sz.get(_q("w:val"))) / 2 if sz is not None else None
    bold = b.get(_q("w:val"), "1") not in ("0", "false") if b is not None else None
    return size, bold


class _Fonts:
    def __init__(self, styles_xml: bytes | None) -> None:
        self.styles, self.default = _styles(styles_xml)

    def of_style(self, sid: str | None) -> tuple[float, bool]:
        size: float | None = None
        bold: bool | None = None
        for _ in range(16):
            st = self.styles.get(sid or "")
            if st is None:
                break
            size = st.size if size is None else size
            bold = st.bold if bold is None else bold
            sid = st.based_on
        if size is None:
            normal = self.styles.get("Normal")
            size = normal.size if normal is not None and normal.size else self.default
        return size, bool(bold)

    def runs(self, para: Any) -> list[tuple[str, float, bool]]:
        """(text, size, bold) of each run of a paragraph."""
        style = para.find("w:pPr/w:pStyle", NS)
        psize, pbold = self.of_style(style.get(_q("w:val")) if style is not None else None)
        out = []
        for run in para.iter(_q("w:r")):
            text = "".join(t.text or "" for t in run.iter(_q("w:t")))
            if not text:
                continue
            size, bold = _run_props(run.find("w:rPr", NS))
            out.append((text, psize if size is None else size, pbold if bold is None else bold))
        return out


# --- tables --------------------------------------------------------------------------------------------------


@dataclass
class _Column:
    width: float  # points, from the template
    need: float = 0.0  # the narrowest the content allows (text only)
    header: float = 0.0  # the narrowest its header allows
    atomic: bool = True  # every body cell a number or a code
    empty: bool = True  # no body cell has text
    fixed: bool = False  # the evidence column
    volume: float = 0.0  # the width of all its body text on one line (how much it has to say)


def _paragraph_text(runs: list[tuple[str, float, bool]]) -> str:
    return "".join(t for t, _, _ in runs)


def _cell_need(fonts: _Fonts, tc: Any) -> tuple[float, bool, bool, float]:
    """(narrowest width of the text, the whole cell is a number or code, the cell is empty, its text's width on
    one line)."""
    need = 0.0
    volume = 0.0
    atomic = True
    empty = True
    for para in tc.findall("w:p", NS):
        runs = fonts.runs(para)
        text = _paragraph_text(runs).strip()
        if not text:
            continue
        empty = False
        size = max(s for _, s, _ in runs)
        bold = any(b for _, _, b in runs)
        volume += text_width(text, size, bold)
        if _ATOMIC.match(text):
            need = max(need, text_width(text, size, bold))
        elif len(text) <= SHORT_CHARS:  # a brand, a unit, a name: 江临智安 never as 江临智 / 安
            atomic = False
            need = max(need, text_width(text, size, bold))
        else:  # its longest unbreakable run, and room for a few characters a line (never 2 a line in 5 lines)
            atomic = False
            need = max(need, max((text_width(t, size, bold) for t in tokens(text)), default=0.0),
                       text_width("汉" * MIN_LINE_CHARS, size, bold))
    return need, atomic, empty, volume


def _header_need(fonts: _Fonts, tc: Any) -> tuple[float, str]:
    need = 0.0
    texts = []
    for para in tc.findall("w:p", NS):
        runs = fonts.runs(para)
        text = _paragraph_text(runs).strip()
        if not text:
            continue
        texts.append(text)
        size = max(s for _, s, _ in runs)
        bold = any(b for _, _, b in runs)
        for word in re.split(r"(?=[（(])", text):  # 工期（天）: 工期 and （天） each on a line, never （天 / ）
            word = word.strip()
            if not word:
                continue
            if _ATOMIC.match(word) or (word[0] in "（(" and len(word) <= HEADER_CHARS + 2):
                need = max(need, text_width(word, size, bold))
            else:
                need = max(need, text_width(word[:HEADER_CHARS], size, bold))
    return need, "".join(texts)


def _span(tc: Any) -> int:
    span = tc.find("w:tcPr/w:gridSpan", NS)
    return int(span.get(_q("w:val"))) if span is not None else 1


def _margins(tbl: Any) -> float:
    total = 0.0
    for edge in ("left", "right"):
        el = tbl.find(f"w:tblPr/w:tblCellMar/w:{edge}", NS)
        total += int(el.get(_q("w:w"))) / TWIP if el is not None else 5.4  # Word's default 0.19 cm
    return total


def fit_table(tbl: Any, fonts: _Fonts) -> bool:
    """Resize the columns of one table (see the module docstring); True when a width changed."""
    grid = tbl.findall("w:tblGrid/w:gridCol", NS)
    if not grid:
        return False
    cols = [_Column(int(g.get(_q("w:w"))) / TWIP) for g in grid]
    rows = tbl.findall("w:tr", NS)
    data_table = False
    for tr in rows:
        header = tr.find("w:trPr/w:tblHeader", NS) is not None
        data_table = data_table or header
        at = 0
        for tc in tr.findall("w:tc", NS):
            span = _span(tc)
            if span == 1 and at < len(cols):
                col = cols[at]
                if header:
                    need, title = _header_need(fonts, tc)
                    col.header = max(col.header, need)
                    col.fixed = col.fixed or title.startswith(EVIDENCE_HEADER)
                else:
                    need, atomic, empty, volume = _cell_need(fonts, tc)
                    col.need = max(col.need, need)
                    col.volume += volume
                    if not empty:
                        col.empty = False
                        col.atomic = col.atomic and atomic
            at += span
    pad = _margins(tbl) + SLACK_PT
    total = sum(c.width for c in cols)
    least = [max(c.need, c.header) + pad for c in cols]
    new = [c.width for c in cols]
    flexible = []
    for i, c in enumerate(cols):
        if c.fixed:
            continue
        if data_table and c.empty:
            new[i] = max(c.header + pad, least[i])
        elif data_table and c.atomic:
            new[i] = least[i]
        elif not data_table:
            new[i] = max(c.width, least[i])
            if c.width > least[i]:
                flexible.append(i)
        else:
            flexible.append(i)
    if data_table:
        rest = total - sum(new[i] for i in range(len(cols)) if i not in flexible)
        # the text columns share the rest half by their template widths, half by how much they have to say (a
        # 说明 column empty in most rows gives way to the 招标要求 beside it)
        widths = sum(cols[i].width for i in flexible) or 1.0
        volumes = sum(cols[i].volume for i in flexible) or 1.0
        _share(new, flexible, rest, least, [cols[i].width / widths + cols[i].volume / volumes if i in flexible
                                            else 0.0 for i in range(len(cols))])
    else:  # a form: what the grown columns took comes out of the others' slack
        excess = sum(new) - total
        slack = sum(new[i] - least[i] for i in flexible)
        if excess > 0 and slack > 0:
            take = min(1.0, excess / slack)
            for i in flexible:
                new[i] -= (new[i] - least[i]) * take
    if all(abs(a - c.width) < 0.5 for a, c in zip(new, cols, strict=True)):
        return False
    twips = [round(w * TWIP) for w in new]
    for g, tw in zip(grid, twips, strict=True):
        g.set(_q("w:w"), str(tw))
    for tr in rows:
        at = 0
        for tc in tr.findall("w:tc", NS):
            span = _span(tc)
            tcw = tc.find("w:tcPr/w:tcW", NS)
            if tcw is not None:
                tcw.set(_q("w:w"), str(sum(twips[at:at + span])))
                tcw.set(_q("w:type"), "dxa")
            at += span
    tblw = tbl.find("w:tblPr/w:tblW", NS)
    if tblw is not None and tblw.get(_q("w:type")) == "dxa":
        tblw.set(_q("w:w"), str(sum(twips)))
    return True


def _share(new: list[float], flexible: list[int], rest: float, least: list[float], weights: list[float]) -> None:
    """Give ``rest`` to the flexible columns in proportion to ``weights``, none below its ``least``."""
    todo = list(flexible)
    while todo:
        weight = sum(weights[i] for i in todo) or 1.0
        short = [i for i in todo if rest * weights[i] / weight < least[i]]
        if not short:
            for i in todo:
                new[i] = rest * weights[i] / weight
            return
        for i in short:
            new[i] = least[i]
            rest -= least[i]
            todo.remove(i)


# --- signature blocks --------------------------------------------------------------------------------------


def _keep_next(para: Any) -> None:
    from lxml import etree

    ppr = para.find("w:pPr", NS)
    if ppr is None:
        ppr = etree.SubElement(para, _q("w:pPr"))
        para.remove(ppr)
        para.insert(0, ppr)
    if ppr.find("w:keepNext", NS) is None:
        keep = etree.Element(_q("w:keepNext"))
        style = ppr.find("w:pStyle", NS)
        ppr.insert(1 if style is not None else 0, keep)


def _is_signature(el: Any) -> bool:
    if el.tag != _q("w:p"):
        return False
    style = el.find("w:pPr/w:pStyle", NS)
    if style is not None and style.get(_q("w:val")) in SIGNATURE_STYLES:
        return True
    text = "".join(t.text or "" for t in el.iter(_q("w:t")))
    return any(m in text for m in SIGNATURE_MARKS)


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(_q("w:t"))).strip()


def keep_signatures(body: Any) -> int:
    """Chain every signature block to what precedes it; the number of blocks."""
    children = list(body)
    blocks = 0
    i = 0
    while i < len(children):
        if not _is_signature(children[i]):
            i += 1
            continue
        start = i
        while i < len(children) and (_is_signature(children[i]) or (children[i].tag == _q("w:p")
                                                                     and not _text(children[i])
                                                                     and i + 1 < len(children)
                                                                     and _is_signature(children[i + 1]))):
            i += 1
        block = children[start:i]
        blocks += 1
        for para in block[:-1]:
            _keep_next(para)
        # what precedes: a paragraph (with widow control, its last lines come along), a note before it, a small
        # table and the paragraph before it, or the last row of a long table
        back = start - 1
        lines = 0
        while back >= 0 and lines < 2:
            el = children[back]
            if el.tag == _q("w:p"):
                if el.find("w:pPr/w:sectPr", NS) is not None:
                    break
                _keep_next(el)
                text = _text(el)
                lines += 2 if len(text) > 40 else (1 if text else 0)
            elif el.tag == _q("w:tbl"):
                rows = el.findall("w:tr", NS)
                if len(rows) > SMALL_TABLE_ROWS:  # a long table: its last row comes along
                    for para in rows[-1].iter(_q("w:p")):
                        _keep_next(para)
                    break
                for para in el.iter(_q("w:p")):  # a small one (an address block) whole, and what leads to it
                    _keep_next(para)
            else:
                break
            back -= 1
    return blocks


# --- the whole document ------------------------------------------------------------------------------------


def lay_out(docx: bytes) -> bytes:
    """The .docx with its tables fitted and its signature blocks kept with their text (unchanged when its XML
    is not what Word writes: LibreOffice then lays it out as it is)."""
    from lxml import etree

    try:
        return _lay_out(docx)
    except (etree.XMLSyntaxError, zipfile.BadZipFile, KeyError, ValueError, TypeError):
        return docx


def _lay_out(docx: bytes) -> bytes:
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        names = zf.namelist()
        if "word/document.xml" not in names:
            return docx
        document = zf.read("word/document.xml")
        styles = zf.read("word/styles.xml") if "word/styles.xml" in names else None
        root = etree.fromstring(document)
        fonts = _Fonts(styles)
        body = root.find("w:body", NS)
        if body is None:
            return docx
        for tbl in list(body.iter(_q("w:tbl"))):
            fit_table(tbl, fonts)
        keep_signatures(body)
        return _with_document(zf, root)


def _with_document(zf: zipfile.ZipFile, root: Any) -> bytes:
    """The .docx of ``zf`` with ``root`` as its word/document.xml, every other part as it was."""
    from lxml import etree

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            data = zf.read(info)
            if info.filename == "word/document.xml":
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, data)
    return out.getvalue()


def _signature_index(children: list[Any]) -> int | None:
    return next((i for i, el in enumerate(children) if _is_signature(el)), None)


def carry_last_row(docx: bytes) -> bytes | None:
    """The .docx with the last row of the table before the first signature block moved onto a new page, under
    its repeated header, so the signature block has its table's end with it (LibreOffice keeps paragraphs with
    the next one, but not a table row); None when there is no such table."""
    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
        body = root.find("w:body", NS)
        children = list(body) if body is not None else []
        at = _signature_index(children)
        if body is None or at is None:
            return None
        tbl = next((el for el in reversed(children[:at]) if el.tag == _q("w:tbl")), None)
        if tbl is None:
            return None
        rows = tbl.findall("w:tr", NS)
        headers = [r for r in rows if r.find("w:trPr/w:tblHeader", NS) is not None]
        body_rows = [r for r in rows if r not in headers]
        if len(body_rows) < 2:
            return None
        second = etree.Element(_q("w:tbl"))
        for part in ("w:tblPr", "w:tblGrid"):
            el = tbl.find(part, NS)
            if el is not None:
                second.append(copy.deepcopy(el))
        for r in headers:
            second.append(copy.deepcopy(r))
        second.append(body_rows[-1])  # moved, not copied
        # a paragraph between the two tables starts the new page; it is one point high
        brk = etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:pPr><w:pageBreakBefore/><w:spacing w:before="0" w:after="0" w:line="20" '
            'w:lineRule="exact"/><w:rPr><w:sz w:val="2"/></w:rPr></w:pPr></w:p>')
        tbl.addnext(brk)
        brk.addnext(second)
        return _with_document(zf, root)
