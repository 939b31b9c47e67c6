"""Generate the bundled docxtpl templates (templates/*.docx) with python-docx.

    .venv/bin/python tools/build_templates.py [output-dir]

Each template uses only the names its builder in ``bidkit/core/context.py`` produces (rendering uses
StrictUndefined). Layout follows common Chinese bid formats: A4, 宋体 小四 body at 1.5 line spacing, 黑体
headings as real Word heading styles, tables with a repeated shaded header row. Every style and every run
names its East Asian font explicitly and python-docx's theme-font attributes are removed, so no theme font can
override 宋体/黑体. Bid parts carry no page-number field (the PDF package numbers the pages); their seal
anchors ("（盖单位章）", "（签字或盖章）") are found later in the PDF text to place the seal images.

Every ``{{ }}`` / ``{% %}`` tag is written inside one run, so docxtpl always sees whole tags.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "templates"

LATIN = "Times New Roman"
SONG = "宋体"
HEI = "黑体"
FANG = "仿宋"

# Chinese font sizes (字号) in points
CHU_SMALL = 36  # 小初
ER = 22  # 二号
XIAO_ER = 18  # 小二
SAN = 16  # 三号
XIAO_SAN = 15  # 小三
SI = 14  # 四号
XIAO_SI = 12  # 小四
WU = 10.5  # 五号
XIAO_WU = 9  # 小五

PAGE_W, PAGE_H = 21.0, 29.7  # A4, cm
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 2.5, 2.5, 2.5, 2.2
TEXT_W = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT  # 16.3 cm
TEXT_W_LANDSCAPE = PAGE_H - MARGIN_LEFT - MARGIN_RIGHT  # 25.0 cm

HEI_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Title", "Subtitle", "BK Cover", "BK Cover Title")
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
HEADER_FILL = "D9D9D9"  # table header rows
LABEL_FILL = "F2F2F2"  # label cells of form tables
FIXED_TIME = dt.datetime(2025, 1, 1, 0, 0, 0)

LEFT, CENTER, RIGHT, JUSTIFY = (WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT,
                                WD_ALIGN_PARAGRAPH.JUSTIFY)

# standard seal / signature anchors (bidkit.core.models.workspace.PackageConfig looks for these in the PDF text)
SEAL_LINE = "投标人：{{ company.name }}（盖单位章）"
REP_LINE = "法定代表人或授权代表：（签字或盖章）"
DATE_LINE = "日期：{{ bid.date }}"
BLANK_DATE = "日期：        年      月      日"


# ----------------------------------------------------------------------------------------------------
# fonts and styles


def set_fonts(rpr_parent, east: str, latin: str = LATIN) -> None:
    """Give an element with an rPr (run or style) explicit fonts for every script, and no theme fonts."""
    rpr = rpr_parent.get_or_add_rPr()
    rfonts = rpr.get_or_add_rFonts()
    _explicit(rfonts, east, latin)


def _explicit(rfonts, east: str, latin: str = LATIN) -> None:
    for attr in THEME_ATTRS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")  # ambiguous characters (“”…—·) use the Chinese face


def _child(parent, tag: str):
    return parent.find(qn(tag))


def _remove(parent, *tags: str) -> None:
    if parent is None:
        return
    for tag in tags:
        for el in parent.findall(qn(tag)):
            parent.remove(el)


def setup_styles(doc, *, bid_part: bool) -> None:
    styles = doc.styles
    root = styles.element

    # docDefaults: explicit fonts, 小四, Chinese language, no space after
    defaults = _child(root, "w:docDefaults")
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _explicit(_child(rpr, "w:rFonts"), SONG)
    _child(rpr, "w:sz").set(qn("w:val"), "24")
    _child(rpr, "w:szCs").set(qn("w:val"), "24")
    lang = _child(rpr, "w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    ppr = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr"))
    spacing = _child(ppr, "w:spacing")
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "360")
    spacing.set(qn("w:lineRule"), "auto")

    # every style: explicit fonts, theme attributes gone (also inside table-style conditional formats)
    heading_like = re.compile(r"^(heading \d|title|subtitle|toc heading)$", re.I)
    for style in styles:
        if style.type == WD_STYLE_TYPE.LIST:
            continue
        east = HEI if heading_like.match(style.name or "") else SONG
        set_fonts(style.element, east)
        color = style.element.rPr.find(qn("w:color")) if style.element.rPr is not None else None
        if color is not None:
            style.font.color.rgb = RGBColor(0, 0, 0)
    for rfonts in root.iter(qn("w:rFonts")):
        if any(rfonts.get(qn(a)) is not None for a in THEME_ATTRS) or rfonts.get(qn("w:eastAsia")) is None:
            _explicit(rfonts, rfonts.get(qn("w:eastAsia")) or SONG)

    normal = styles["Normal"]
    normal.font.size = Pt(XIAO_SI)
    pf = normal.paragraph_format
    pf.line_spacing = 1.5
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.widow_control = True

    def heading(name: str, size: float, *, align, before: float, after: float,
                page_break: bool = False) -> None:
        st = styles[name]
        st.font.size = Pt(size)
        st.font.bold = False
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        _remove(st.element.rPr, "w:spacing", "w:kern", "w:u")
        _remove(st.element.pPr, "w:pBdr", "w:contextualSpacing")
        f = st.paragraph_format
        f.alignment = align
        f.space_before = Pt(before)
        f.space_after = Pt(after)
        f.line_spacing = 1.5
        f.keep_with_next = True
        f.keep_together = True
        f.page_break_before = page_break
        set_fonts(st.element, HEI)

    if bid_part:
        heading("Heading 1", SAN, align=CENTER, before=0, after=18, page_break=True)
    else:
        heading("Heading 1", SI, align=LEFT, before=12, after=6)
    heading("Heading 2", SI if bid_part else XIAO_SI, align=LEFT, before=12, after=6)
    heading("Heading 3", XIAO_SI, align=LEFT, before=6, after=3)
    heading("Title", ER, align=CENTER, before=0, after=18)
    heading("Subtitle", SAN, align=CENTER, before=0, after=12)

    for name in ("Header", "Footer"):
        st = styles[name]
        st.font.size = Pt(XIAO_WU)
        st.paragraph_format.line_spacing = 1.0
        set_fonts(st.element, SONG)
    hdr = styles["Header"].element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "4"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    hdr.insert_element_before(border, "w:shd", "w:tabs", "w:spacing", "w:ind", "w:jc")

    def para_style(name: str, *, size: float = XIAO_SI, east: str = SONG, bold: bool = False, align=None,
                   line: float = 1.5, first_chars: int = 0, left_cm: float = 0, before: float = 0,
                   after: float = 0):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.quick_style = True
        st.font.size = Pt(size)
        st.font.bold = bold
        set_fonts(st.element, east)
        f = st.paragraph_format
        if align is not None:
            f.alignment = align
        f.line_spacing = line
        f.space_before = Pt(before)
        f.space_after = Pt(after)
        if left_cm:
            f.left_indent = Cm(left_cm)
        if first_chars:
            f.first_line_indent = Pt(size * first_chars)
            st.element.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), str(first_chars * 100))
        return st

    para_style("BK Body", align=JUSTIFY, first_chars=2)
    para_style("BK Plain", align=JUSTIFY)
    para_style("BK Center", align=CENTER)
    para_style("BK Right", align=RIGHT)
    para_style("BK Note", size=WU, align=JUSTIFY, line=1.25)
    para_style("BK Signature", left_cm=4.5, line=1.5)
    para_style("BK Table", size=WU, align=CENTER, line=1.15, before=1.5, after=1.5)
    para_style("BK Table Header", size=WU, bold=True, align=CENTER, line=1.15, before=1.5, after=1.5)
    para_style("BK Cover", size=SAN, east=HEI, align=CENTER, line=1.5)
    para_style("BK Cover Title", size=CHU_SMALL, east=HEI, align=CENTER, line=1.5)
    para_style("BK Cover Line", size=SI, align=LEFT, left_cm=3.0, line=1.5)

    tg = styles["Table Grid"]
    set_fonts(tg.element, SONG)


def patch_parts(doc) -> None:
    """Theme and settings name Chinese fonts too; parts of the default template that do not belong go."""
    for rel in doc.part.rels.values():
        part = rel.target_part
        if rel.reltype.endswith("/theme"):
            xml = part.blob.decode("utf-8")
            xml = re.sub(r'(<a:majorFont>.*?<a:ea typeface=")[^"]*(")', rf"\g<1>{HEI}\g<2>", xml, flags=re.S)
            xml = re.sub(r'(<a:minorFont>.*?<a:ea typeface=")[^"]*(")', rf"\g<1>{SONG}\g<2>", xml, flags=re.S)
            part._blob = xml.encode("utf-8")
    # legacy and decorative parts of python-docx's default template: Word 2010 stylesWithEffects (a second
    # copy of every style, with theme fonts), the bibliography customXml and a thumbnail of another document
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            doc.part.drop_rel(rid)
    package = doc.part.package
    for rid, rel in list(package.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package.rels.pop(rid)
        elif rel.reltype.endswith("/extended-properties"):
            xml = rel.target_part.blob.decode("utf-8")
            xml = re.sub(r"<Application>[^<]*</Application>", "<Application>bidkit</Application>", xml)
            rel.target_part._blob = xml.encode("utf-8")
    settings = doc.settings.element
    for el in settings.findall(qn("w:rsids")) + settings.findall(qn("w:proofState")):
        settings.remove(el)
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


# ----------------------------------------------------------------------------------------------------
# document builder


@dataclass
class Col:
    title: str
    width: float  # cm
    cell: str  # the data row's template text
    align: str = "center"  # center | left | right


ALIGN = {"center": CENTER, "left": LEFT, "right": RIGHT, "justify": JUSTIFY}


class Builder:
    def __init__(self, *, title: str, header: str, bid_part: bool, cover: bool = False,
                 landscape: bool = False) -> None:
        self.doc = Document()
        self.bid_part = bid_part
        setup_styles(self.doc, bid_part=bid_part)
        patch_parts(self.doc)
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)
        sec = self.doc.sections[0]
        self._page(sec, landscape=landscape)
        sec.different_first_page_header_footer = cover  # a title page has no header
        hp = sec.header.paragraphs[0]
        self.text(hp, header, style="Header", align=RIGHT)
        if cover:
            self.text(sec.first_page_header.paragraphs[0], "", style="Normal")
        if not bid_part:  # the package numbers a bid's pages itself
            fp = sec.footer.paragraphs[0]
            fp.style = self.doc.styles["Footer"]
            fp.alignment = CENTER
            self._run(fp, "第 ")
            self._field(fp, "PAGE")
            self._run(fp, " 页 共 ")
            self._field(fp, "NUMPAGES")
            self._run(fp, " 页")
        cp = self.doc.core_properties
        cp.author = "bidkit"
        cp.last_modified_by = ""
        cp.comments = ""
        cp.title = title
        cp.subject = ""
        cp.keywords = ""
        cp.category = ""
        cp.revision = 1
        cp.created = FIXED_TIME
        cp.modified = FIXED_TIME
        cp.last_printed = FIXED_TIME
        cp.language = "zh-CN"

    # -- low level --

    @staticmethod
    def _page(sec, *, landscape: bool) -> None:
        sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        sec.page_width = Cm(PAGE_H if landscape else PAGE_W)
        sec.page_height = Cm(PAGE_W if landscape else PAGE_H)
        sec.top_margin, sec.bottom_margin = Cm(MARGIN_TOP), Cm(MARGIN_BOTTOM)
        sec.left_margin, sec.right_margin = Cm(MARGIN_LEFT), Cm(MARGIN_RIGHT)
        sec.header_distance, sec.footer_distance = Cm(1.5), Cm(1.5)
        sec.gutter = Cm(0)

    def _run(self, paragraph, text: str, *, east: str | None = None, bold: bool | None = None,
             size: float | None = None):
        run = paragraph.add_run(text)
        style_name = paragraph.style.name if paragraph.style is not None else ""
        style_east = HEI if style_name in HEI_STYLES else SONG
        set_fonts(run._r, east or style_east)
        if bold is not None:
            run.bold = bold
        if size is not None:
            run.font.size = Pt(size)
        return run

    def _field(self, paragraph, instr: str) -> None:
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), f" {instr} ")
        run = self._run(paragraph, "1")
        paragraph._p.remove(run._r)
        fld.append(run._r)
        paragraph._p.append(fld)

    def text(self, paragraph, text: str, *, style: str | None = None, align=None, east: str | None = None,
             bold: bool | None = None, size: float | None = None):
        if style is not None:
            paragraph.style = self.doc.styles[style]
        if align is not None:
            paragraph.alignment = align
        if text:
            self._run(paragraph, text, east=east, bold=bold, size=size)
        return paragraph

    # -- paragraphs --

    def p(self, text: str, style: str = "BK Body", *, before: float | None = None, **kw):
        para = self.text(self.doc.add_paragraph(), text, style=style, **kw)
        if before is not None:
            para.paragraph_format.space_before = Pt(before)
        return para

    def tag(self, tag: str) -> None:
        """A paragraph holding only a ``{%p ... %}`` tag (docxtpl drops the paragraph)."""
        self.p(tag, style="BK Plain")

    def lines(self, expr: str, style: str = "BK Body") -> None:
        """One paragraph per non-empty line of a multi-line text field."""
        self.tag(f"{{%p for line in {expr}.splitlines() if line.strip() %}}")
        self.p("{{ line }}", style=style)
        self.tag("{%p endfor %}")

    def h1(self, text: str, *, page_break: bool | None = None):
        para = self.p(text, style="Heading 1")
        if page_break is not None:
            para.paragraph_format.page_break_before = page_break
        return para

    def h2(self, text: str):
        return self.p(text, style="Heading 2")

    def h3(self, text: str):
        return self.p(text, style="Heading 3")

    def title(self, text: str, sub: str | None = None) -> None:
        self.p(text, style="Title")
        if sub:
            self.p(sub, style="BK Center")

    def signature(self, *, seal: bool = True, rep: bool = True, date: str = DATE_LINE,
                  before: float = 24) -> None:
        lines = ([SEAL_LINE] if seal else []) + ([REP_LINE] if rep else []) + [date]
        for i, line in enumerate(lines):
            para = self.p(line, style="BK Signature")
            para.paragraph_format.keep_with_next = i < len(lines) - 1
            if i == 0:
                para.paragraph_format.space_before = Pt(before)

    def to_purchaser(self) -> None:
        self.p("致：{{ tender.purchaser }}", style="BK Plain")

    def cover(self, part: str) -> None:
        """The part's title page: project, tender number, 投标文件, the part, bidder with seal, date."""
        self.p("", style="BK Center").paragraph_format.space_before = Pt(60)
        self.p("{{ tender.project_name }}", style="BK Cover", size=XIAO_ER)
        self.p("招标编号：{{ tender.number }}", style="BK Center", size=SI)
        para = self.p("投 标 文 件", style="BK Cover Title")
        para.paragraph_format.space_before = Pt(72)
        self.p(f"（{part}）", style="BK Cover", size=ER).paragraph_format.space_after = Pt(150)
        self.p(SEAL_LINE, style="BK Cover Line")
        self.p(REP_LINE, style="BK Cover Line")
        self.p(DATE_LINE, style="BK Cover Line")

    # -- tables --

    def table(self, cols: Sequence[Col], *, loop: str | None = None, size: float | None = None,
              header: bool = True) -> Table:
        """A grid table: shaded, bold, repeated header row; then ``{%tr for ... %}`` row, data row, endfor."""
        table = self.doc.add_table(rows=0, cols=len(cols))
        self._table_props(table, [c.width for c in cols])
        if header:
            row = self.add_row(table, [c.title for c in cols], header=True, size=size)
            trpr = row._tr.get_or_add_trPr()
            trpr.append(OxmlElement("w:tblHeader"))
        if loop is not None:
            self.add_row(table, [f"{{%tr for {loop} %}}"] + [""] * (len(cols) - 1), size=size)
            self.add_row(table, [c.cell for c in cols], aligns=[c.align for c in cols], size=size)
            self.add_row(table, ["{%tr endfor %}"] + [""] * (len(cols) - 1), size=size)
        return table

    def _table_props(self, table: Table, widths: Sequence[float]) -> None:
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblpr = table._tbl.tblPr
        tblw = tblpr.find(qn("w:tblW"))
        if tblw is None:
            tblw = OxmlElement("w:tblW")
            tblpr.insert_element_before(tblw, "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders", "w:shd",
                                        "w:tblLayout", "w:tblCellMar", "w:tblLook")
        tblw.set(qn("w:w"), str(round(sum(widths) * 567)))
        tblw.set(qn("w:type"), "dxa")
        borders = OxmlElement("w:tblBorders")
        for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
            el = OxmlElement(f"w:{edge}")
            outer = edge in ("top", "left", "bottom", "right")
            for k, v in (("w:val", "single"), ("w:sz", "8" if outer else "4"), ("w:space", "0"),
                         ("w:color", "000000")):
                el.set(qn(k), v)
            borders.append(el)
        tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
        mar = OxmlElement("w:tblCellMar")
        for edge, w in (("left", 85), ("right", 85)):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:w"), str(w))
            el.set(qn("w:type"), "dxa")
            mar.append(el)
        tblpr.insert_element_before(mar, "w:tblLook")
        for col, w in zip(table.columns, widths, strict=True):
            col.width = Cm(w)
        table._widths = list(widths)  # type: ignore[attr-defined]

    def add_row(self, table: Table, texts: Sequence[str], *, header: bool = False,
                aligns: Sequence[str] | None = None, size: float | None = None,
                spans: Sequence[int] | None = None, fills: Sequence[str | None] | None = None,
                bold: Sequence[bool] | None = None, height: float | None = None):
        """Add a row; ``spans`` merges cells horizontally (one text per merged cell)."""
        widths = table._widths  # type: ignore[attr-defined]
        row = table.add_row()
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:cantSplit"))
        if height is not None:
            row.height = Cm(height)
        for i, cell in enumerate(row.cells):
            cell.width = Cm(widths[i])
        spans = spans or [1] * len(texts)
        col = 0
        for i, text in enumerate(texts):
            cell = row.cells[col]
            if spans[i] > 1:
                cell = cell.merge(row.cells[col + spans[i] - 1])
            col += spans[i]
            align = (aligns[i] if aligns else "center")
            style = "BK Table Header" if header else "BK Table"
            fill = HEADER_FILL if header else (fills[i] if fills else None)
            b = bold[i] if bold else None
            self.cell_text(cell, text, style=style, align=ALIGN[align], size=size, fill=fill, bold=b)
        return row

    def cell_text(self, cell: _Cell, text: str, *, style: str = "BK Table", align=CENTER,
                  size: float | None = None, fill: str | None = None, bold: bool | None = None,
                  valign=WD_CELL_VERTICAL_ALIGNMENT.CENTER) -> None:
        first = True
        for line in text.split("\n"):
            para = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            self.text(para, line, style=style, align=align, size=size, bold=bold)
        cell.vertical_alignment = valign
        if fill:
            tcpr = cell._tc.get_or_add_tcPr()
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:color"), "auto")
            shd.set(qn("w:fill"), fill)
            tcpr.insert_element_before(shd, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText",
                                       "w:vAlign", "w:hideMark")

    def form(self, widths: Sequence[float], rows: Sequence[Sequence[tuple[str, int] | str]],
             *, label_cols: Sequence[int] = (0, 2), heights: dict[int, float] | None = None,
             row_height: float | None = 0.8, keep: bool = False) -> Table:
        """A form: label cells shaded; each row is a list of texts or (text, span).

        ``keep`` keeps the whole table on one page together with what follows (e.g. a signature block).
        """
        table = self.doc.add_table(rows=0, cols=len(widths))
        self._table_props(table, widths)
        for r, cells in enumerate(rows):
            texts = [c if isinstance(c, str) else c[0] for c in cells]
            spans = [1 if isinstance(c, str) else c[1] for c in cells]
            starts = [sum(spans[:i]) for i in range(len(spans))]
            full = len(cells) == 1 and spans[0] == len(widths) and len(widths) > 1  # a section row
            is_label = [full or (s in label_cols and spans[i] == 1) for i, s in enumerate(starts)]
            self.add_row(
                table, texts, spans=spans,
                aligns=["left" if full or not lab else "center" for lab in is_label],
                fills=[LABEL_FILL if lab else None for lab in is_label],
                bold=[True if lab else None for lab in is_label],
                height=(heights or {}).get(r, row_height),
            )
        if keep:
            for row in table.rows:
                for cell in row.cells:
                    for para in cell.paragraphs:
                        para.paragraph_format.keep_with_next = True
        return table

    def gap(self, pt: float = 6) -> None:
        para = self.p("", style="BK Plain")
        para.paragraph_format.line_spacing = 1.0
        para.paragraph_format.space_after = Pt(pt)

    def landscape_section(self) -> None:
        sec = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page(sec, landscape=True)
        sec.different_first_page_header_footer = False

    def save(self, path: Path) -> None:
        buf = io.BytesIO()
        self.doc.save(buf)
        path.write_bytes(_normalise_zip(buf.getvalue()))


def _normalise_zip(blob: bytes) -> bytes:
    """Fixed timestamps and order, so rebuilding an unchanged template gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, data)
    return out.getvalue()


# ----------------------------------------------------------------------------------------------------
# shared tables


def deviation_table(b: Builder, var: str) -> None:
    b.table(
        [
            Col("序号", 1.2, "{{ row.no }}"),
            Col("条款号", 1.5, "{{ row.clause }}"),
            Col("★", 0.7, "{{ row.star }}"),
            Col("招标要求", 3.8, "{{ row.requirement }}", "left"),
            Col("投标响应", 3.8, "{{ row.response }}", "left"),
            Col("偏离情况", 1.4, "{{ row.deviation }}"),
            Col("证明材料页码", 1.9, ""),
            Col("说明", 2.0, "{{ row.note }}", "left"),
        ],
        loop=f"row in {var}",
    )


# ----------------------------------------------------------------------------------------------------
# bid forms: one per chapter (templates/forms/<id>.docx), heading = the tender's title ({{ chapter.title }})

FORM_HEADER = "{{ tender.project_name }}（招标编号：{{ tender.number }}）  投标文件"
ID_BOX = ("{% if {who}.id_card.front %}{{ {who}.id_card.front }}{% else %}身份证正面复印件粘贴处{% endif %}",
          "{% if {who}.id_card.back %}{{ {who}.id_card.back }}{% else %}身份证反面复印件粘贴处{% endif %}")


def form(title: str, *, landscape: bool = False) -> Builder:
    b = Builder(title=title, header=FORM_HEADER, bid_part=True, landscape=landscape)
    b.h1("{{ chapter.title }}", page_break=False)
    return b


def id_boxes(b: Builder, who: str, label: str) -> None:
    """The ID card copy, front and back, in a box each (the picture when the workspace has it)."""
    front, back = (t.replace("{who}", who) for t in ID_BOX)
    b.p(f"{label}身份证复印件（正、反面）：", style="BK Plain", before=6).paragraph_format.keep_with_next = True
    table = b.form([8.15, 8.15], [[front, back]], label_cols=(), heights={0: 5.6})
    for cell in table.rows[0].cells:
        for para in cell.paragraphs:
            para.alignment = CENTER


def volume_cover() -> Builder:
    """The title page of a volume: project, tender number, 投标文件, the volume, bidder with seal, date."""
    b = Builder(title="投标文件", header=FORM_HEADER, bid_part=True, cover=True)
    b.p("", style="BK Center").paragraph_format.space_before = Pt(60)
    b.p("{{ tender.project_name }}", style="BK Cover", size=XIAO_ER)
    b.p("招标编号：{{ tender.number }}", style="BK Center", size=SI)
    para = b.p("投 标 文 件", style="BK Cover Title")
    para.paragraph_format.space_before = Pt(72)
    b.p("（{{ volume.title }}）", style="BK Cover", size=ER).paragraph_format.space_after = Pt(150)
    b.p(SEAL_LINE, style="BK Cover Line")
    b.p(REP_LINE, style="BK Cover Line")
    b.p(DATE_LINE, style="BK Cover Line")
    return b


def bid_letter() -> Builder:
    b = form("投标函")
    b.to_purchaser()
    b.p("1. 我方已仔细研究了{{ tender.project_name }}（招标编号：{{ tender.number }}）招标文件的全部内容，"
        "包括全部补充文件（如有），愿意按照招标文件的要求承担本项目的全部供货、安装、调试及服务工作。")
    b.p("投标总价（大写）：人民币{{ prices.total_upper }}（小写：¥{{ prices.total }} 元）"
        "，含增值税。", bold=True)
    b.p("2. 我方承诺投标有效期为自投标截止之日起 {{ bid.validity_days }} 日历天，"
        "在投标有效期内不修改、不撤销投标文件。")
    b.p("3. 如我方中标：")
    b.p("（1）我方承诺在收到中标通知书后，在中标通知书规定的期限内与你方签订合同；")
    b.p("（2）我方承诺在合同签订后 {{ bid.delivery_days }} 日历天内完成全部供货、安装与调试并交付使用；")
    b.p("（3）我方承诺质量保修期（质保期）为自最终验收合格之日起 {{ bid.warranty_years }} 年；")
    b.tag("{%p if bid.payment_terms %}")
    b.p("（4）我方接受的付款方式：{{ bid.payment_terms }}；")
    b.tag("{%p endif %}")
    b.p("（{% if bid.payment_terms %}5{% else %}4{% endif %}）"
        "我方承诺按照招标文件的规定提交履约保证金（如有）。")
    b.p("4. {% if tender.bid_bond != '—' %}我方已按招标文件的规定提交投标保证金，金额为人民币"
        "{{ tender.bid_bond_upper }}（¥{{ tender.bid_bond }} 元）。{% else %}"
        "我方同意按招标文件的规定提交投标保证金（如有）。{% endif %}")
    b.p("5. 我方提交投标文件正本一份、副本 {{ bid.copies }} 份。")
    b.p("6. 我方理解，最低报价不是中标的唯一条件，你方有权接受或拒绝任何投标。")
    b.p("7. 我方在此声明，所递交的投标文件及有关资料内容完整、真实和准确，不存在招标文件规定的任何一种"
        "不得参加投标的情形。")
    para = b.p("与本投标有关的一切正式往来信函请寄：", style="BK Plain")
    para.paragraph_format.space_before = Pt(12)
    para.paragraph_format.keep_with_next = True
    b.form(
        [2.6, 5.55, 2.6, 5.55],
        [
            ["地　　址", ("{{ company.address }}", 3)],
            ["邮政编码", "{{ company.postcode }}", "电　　话", "{{ company.phone }}"],
            ["传　　真", "{{ company.fax }}", "电子邮箱", "{{ company.email }}"],
            ["开户银行", "{{ company.bank.bank }}", "账　　号", "{{ company.bank.account_number }}"],
        ],
        keep=True,
    )
    b.signature()
    return b


def opening_summary() -> Builder:
    b = form("开标一览表")
    b.p("项目名称：{{ tender.project_name }}", style="BK Plain")
    b.p("招标编号：{{ tender.number }}", style="BK Plain").paragraph_format.space_after = Pt(6)
    b.form(
        [4.3, 12.0],
        [
            ["投标人名称", "{{ company.name }}"],
            ["投标总价（小写）", "¥{{ prices.total }} 元"],
            ["投标总价（大写）", "人民币{{ prices.total_upper }}"],
            ["交货期（工期）", "合同签订后 {{ bid.delivery_days }} 日历天"],
            ["质保期", "{{ bid.warranty_years }} 年"],
            ["投标有效期", "{{ bid.validity_days }} 日历天"],
            ["报价说明", "分项单价{{ prices.tax_included }}；投标总价含增值税 ¥{{ prices.tax }} 元"
                         "（税率 {{ prices.tax_rate }}）"],
            ["备注", "{{ prices.note }}"],
        ],
        label_cols=(0,), row_height=0.9,
    )
    b.p("注：投标总价应与投标函、分项报价表中的合计金额一致。", style="BK Note", before=6)
    b.signature()
    return b


def itemised_prices() -> Builder:
    b = form("分项报价表", landscape=True)
    b.p("项目名称：{{ tender.project_name }}　　招标编号：{{ tender.number }}", style="BK Plain")
    b.p("货币单位：人民币元", style="BK Right", size=WU)
    # the fitting pass (bidkit.adapters.render.layout) sizes 序号, 型号, 数量, 单价, 合价 to their longest content
    # and an empty 备注 to its header; these widths are the text columns' shares of the rest
    cols = [
        Col("序号", 1.1, "{{ ln.no }}"),
        Col("名称", 3.6, "{{ ln.name }}", "left"),
        Col("品牌", 1.9, "{{ ln.brand }}"),
        Col("型号", 2.8, "{{ ln.model }}"),
        Col("规格参数", 6.2, "{{ ln.spec }}", "left"),
        Col("数量", 1.3, "{{ ln.qty }}"),
        Col("单位", 1.1, "{{ ln.unit }}"),
        Col("单价", 2.2, "{{ ln.unit_price }}", "right"),
        Col("合价", 2.6, "{{ ln.total }}", "right"),
        Col("备注", 2.2, "{{ ln.note }}", "left"),
    ]
    table = b.table(cols, loop="ln in prices.lines")
    n = len(cols)
    b.add_row(table, ["{%tr if prices.tax_included != '含税' %}"] + [""] * (n - 1))
    b.add_row(table, ["小计（不含税）", "{{ prices.subtotal }}", ""], spans=[n - 2, 1, 1],
              aligns=["center", "right", "left"], bold=[True, None, None])
    b.add_row(table, ["增值税（税率 {{ prices.tax_rate }}）", "{{ prices.tax }}", ""], spans=[n - 2, 1, 1],
              aligns=["center", "right", "left"], bold=[True, None, None])
    b.add_row(table, ["{%tr endif %}"] + [""] * (n - 1))
    b.add_row(
        table,
        ["合计（投标总价）", "{{ prices.total }}", ""],
        spans=[n - 2, 1, 1], aligns=["center", "right", "left"], bold=[True, True, None],
        fills=[LABEL_FILL, LABEL_FILL, LABEL_FILL],
    )
    b.add_row(table, ["{%tr if prices.tax_included == '含税' %}"] + [""] * (n - 1))
    b.add_row(table, ["其中：增值税（税率 {{ prices.tax_rate }}）", "{{ prices.tax }}", ""], spans=[n - 2, 1, 1],
              aligns=["center", "right", "left"], bold=[None, None, None])
    b.add_row(table, ["{%tr endif %}"] + [""] * (n - 1))
    b.p("合计金额（大写）：人民币{{ prices.total_upper }}", style="BK Plain",
        bold=True, before=6)
    b.tag("{%p if prices.note %}")
    b.p("说明：{{ prices.note }}", style="BK Note")
    b.tag("{%p endif %}")
    b.p("注：单价、合价均为人民币元，合价 = 单价 × 数量；合计金额即投标总价，与投标函、开标一览表一致。",
        style="BK Note")
    b.signature(before=12)
    return b


def legal_rep_certificate() -> Builder:
    b = form("法定代表人身份证明书")
    b.p("投标人名称：{{ company.name }}", style="BK Plain")
    b.p("单位性质：有限责任公司", style="BK Plain")
    b.p("地　　址：{{ company.address }}", style="BK Plain")
    b.p("成立时间：{{ company.founded }}", style="BK Plain")
    b.p("统一社会信用代码：{{ company.credit_code }}", style="BK Plain")
    b.p("姓名：{{ legal_rep.name }}　　职务：{{ legal_rep.title }}　　身份证号码：{{ legal_rep.id_number }}",
        style="BK Plain", before=6)
    b.p("系{{ company.name }}的法定代表人。", style="BK Body", before=6)
    b.p("特此证明。", style="BK Body")
    id_boxes(b, "legal_rep", "法定代表人")
    b.signature(rep=False, before=18)
    return b


def authorisation_letter() -> Builder:
    b = form("法定代表人授权书")
    b.to_purchaser()
    b.p("本授权书声明：注册于{{ company.address }}的{{ company.name }}"
        "（统一社会信用代码：{{ company.credit_code }}）的法定代表人{{ company.legal_rep.name }}"
        "（{{ company.legal_rep.title }}），现授权委托本公司"
        "{{ authorisation.agent.title }}{{ authorisation.agent.name }}为本公司的合法代理人，以本公司名义参加"
        "{{ tender.purchaser }}组织的{{ tender.project_name }}（招标编号：{{ tender.number }}）的投标活动。")
    b.p("代理人在开标、评标、合同谈判过程中所签署的一切文件和处理与之有关的一切事务，本公司均予以承认。"
        "代理人无转委托权。特此授权。")
    b.p("授权有效期：自{{ authorisation.date }}起至{{ authorisation.valid_until }}止。")
    b.gap()
    b.form(
        [2.6, 5.55, 2.6, 5.55],
        [
            [("法定代表人", 4)],
            ["姓　　名", "{{ company.legal_rep.name }}", "职　　务", "{{ company.legal_rep.title }}"],
            ["身份证号码", ("{{ company.legal_rep.id_number }}", 3)],
            [("被授权人（代理人）", 4)],
            ["姓　　名", "{{ authorisation.agent.name }}", "职　　务", "{{ authorisation.agent.title }}"],
            ["身份证号码", "{{ authorisation.agent.id_number }}",
             "联系电话", "{{ authorisation.agent.phone }}"],
        ],
    )
    id_boxes(b, "legal_rep", "法定代表人")
    id_boxes(b, "authorisation.agent", "被授权人")
    b.p("投标人：{{ company.name }}（盖单位章）", style="BK Signature").paragraph_format.space_before = Pt(18)
    b.p("法定代表人：（签字或盖章）", style="BK Signature")
    b.p("被授权人签字：", style="BK Signature")
    b.p(DATE_LINE, style="BK Signature")
    return b


def qualifications() -> Builder:
    b = form("资格证明文件")
    b.h2("一、投标人基本情况表")
    b.form(
        [3.4, 4.75, 3.4, 4.75],
        [
            ["投标人名称", ("{{ company.name }}", 3)],
            ["统一社会信用代码", ("{{ company.credit_code }}", 3)],
            ["注册地址", ("{{ company.address }}", 3)],
            ["法定代表人", "{{ company.legal_rep.name }}", "成立日期", "{{ company.founded }}"],
            ["注册资本", "{{ company.registered_capital }}", "邮政编码", "{{ company.postcode }}"],
            ["联系电话", "{{ company.phone }}", "传　　真", "{{ company.fax }}"],
            ["电子邮箱", ("{{ company.email }}", 3)],
            ["开户银行", "{{ company.bank.bank }}", "账　　号", "{{ company.bank.account_number }}"],
        ],
    )
    b.h2("二、资格证明文件清单")
    b.p("我方提交的资格证明文件如下，各证书复印件附后，均加盖本单位公章，原件备查。")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.2, "{{ q.no }}"),
            Col("证书名称", 4.1, "{{ q.name }}", "left"),
            Col("证书编号", 4.2, "{{ q.number }}"),
            Col("发证机关", 3.4, "{{ q.issuer }}", "left"),
            Col("有效期至", 3.4, "{{ q.valid_until }}"),
        ],
        loop="q in qualifications",
    )
    b.signature()
    return b


def sme_declaration() -> Builder:
    """中小企业声明函 in the format of 财库〔2020〕46号 (货物、工程、服务)."""
    b = form("中小企业声明函")
    b.p("本公司（联合体）郑重声明，根据《政府采购促进中小企业发展管理办法》（财库〔2020〕46 号）的规定，"
        "本公司（联合体）参加{{ tender.purchaser }}的{{ tender.project_name }}（招标编号：{{ tender.number }}）"
        "采购活动，{{ sme.statement }}。相关企业（含联合体中的中小企业、签订分包意向协议的中小企业）的"
        "具体情况如下：")
    b.tag("{%p for it in sme.items %}")
    b.p("{{ it.no }}. {{ it.name }}，属于{{ it.industry }}；{{ it.maker_label }}为{{ it.manufacturer }}，"
        "从业人员 {{ it.employees }} 人，营业收入为 {{ it.revenue }} 万元，资产总额为 {{ it.assets }} 万元，"
        "属于{{ it.size }}；")
    b.tag("{%p endfor %}")
    b.p("以上企业，不属于大企业的分支机构，不存在控股股东为大企业的情形，也不存在与大企业的负责人为同一人"
        "的情形。")
    b.p("本企业对上述声明内容的真实性负责。如有虚假，将依法承担相应责任。")
    b.signature(rep=False, before=18)
    return b


def supplier_conditions() -> Builder:
    """The statement that the bidder meets 政府采购法 art. 22."""
    b = form("符合《中华人民共和国政府采购法》第二十二条规定的声明")
    b.to_purchaser()
    b.p("我方参加{{ tender.project_name }}（招标编号：{{ tender.number }}）的政府采购活动，现郑重声明，我方"
        "符合《中华人民共和国政府采购法》第二十二条规定的供应商条件：")
    for item in ("（一）具有独立承担民事责任的能力；",
                 "（二）具有良好的商业信誉和健全的财务会计制度；",
                 "（三）具有履行合同所必需的设备和专业技术能力；",
                 "（四）有依法缴纳税收和社会保障资金的良好记录；",
                 "（五）参加政府采购活动前三年内，在经营活动中没有重大违法记录；",
                 "（六）法律、行政法规规定的其他条件。"):
        b.p(item)
    b.p("我方对上述声明的真实性负责。如有虚假，将依法承担相应责任。")
    b.signature()
    return b


def no_violation_declaration() -> Builder:
    b = form("参加政府采购活动前三年内在经营活动中没有重大违法记录的声明")
    b.to_purchaser()
    b.p("我方参加{{ tender.project_name }}（招标编号：{{ tender.number }}）的政府采购活动，现郑重声明："
        "参加本次政府采购活动前三年内，我方在经营活动中没有因违法经营受到刑事处罚或者责令停产停业、吊销许可证"
        "或者执照、较大数额罚款等行政处罚的重大违法记录。")
    b.p("我方对上述声明的真实性负责。如有虚假，将依法承担相应责任。")
    b.signature()
    return b


def deviations(title: str, what: str) -> Builder:
    b = form(title)
    b.p(f"我方对招标文件{what}的响应情况如下。“★”为实质性条款，偏离情况填写“无偏离”“正偏离”或“负偏离”；"
        "证明材料附后，其页码为本投标文件的页码。")
    b.gap(3)
    deviation_table(b, "rows")
    b.p(f"注：未列出的{what}，我方均无偏离地完全响应。", style="BK Note", before=6)
    b.signature()
    return b


def references() -> Builder:
    b = form("类似项目业绩")
    b.p("我方近年完成的类似项目如下，合同或中标通知书复印件附后，其页码为本投标文件的页码。")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.1, "{{ ref.no }}"),
            Col("项目名称", 2.8, "{{ ref.project }}", "left"),
            Col("客户名称", 2.2, "{{ ref.customer }}", "left"),
            Col("年份", 1.2, "{{ ref.year }}"),
            Col("合同金额（元）", 2.4, "{{ ref.amount }}", "right"),
            Col("联系人及电话", 2.0, "{{ ref.contact }}"),
            Col("项目概况", 4.0, "{{ ref.summary }}", "left"),
            Col("证明材料页码", 1.6, ""),
        ],
        loop="ref in references",
    )
    b.signature()
    return b


def after_sales() -> Builder:
    b = form("售后服务承诺")
    b.to_purchaser()
    b.p("若我方中标{{ tender.project_name }}，我方郑重承诺，将严格按照招标文件及合同的要求提供以下售后服务：")
    b.p("1. 质保期：自项目最终验收合格之日起 {{ bid.warranty_years }} 年，"
        "质保期内免费维修、更换非人为损坏的设备及部件。")
    b.p("2. 响应时间：接到故障报修后 {{ response_time }}内响应，必要时派技术人员到达现场处理。")
    b.tag("{%p for item in after_sales %}")
    b.p("{{ loop.index + 2 }}. {{ item }}")
    b.tag("{%p endfor %}")
    b.p("服务联系电话：{{ company.phone }}")
    b.signature()
    return b


def technical_solution() -> Builder:
    """技术方案 written as YAML sections in solution.yaml (a tender chapter can bring a Word file instead)."""
    b = form("技术方案")
    b.p("{{ solution.title }}", style="BK Center", east=HEI, size=SI)
    b.h2("一、方案概述")
    b.lines("solution.overview")
    b.tag("{%p for sec in solution.sections %}")
    b.h2("{{ sec.no + 1 }}、{{ sec.title }}")
    b.tag("{%p for text in sec.paragraphs %}")
    b.p("{{ text }}")
    b.tag("{%p endfor %}")
    b.tag("{%p for item in sec.bullets %}")
    b.p("（{{ loop.index }}）{{ item }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    return b


def bom() -> Builder:
    b = form("设备清单")
    b.p("本项目拟投入的主要设备及材料如下（本表不含价格，价格详见报价部分的分项报价表）。")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.2, "{{ row.no }}"),
            Col("名称", 2.9, "{{ row.name }}", "left"),
            Col("品牌", 1.9, "{{ row.brand }}"),
            Col("型号", 2.6, "{{ row.model }}"),
            Col("规格参数", 5.1, "{{ row.spec }}", "left"),
            Col("数量", 1.4, "{{ row.qty }}"),
            Col("单位", 1.2, "{{ row.unit }}"),
        ],
        loop="row in bom",
    )
    return b


def construction_organisation() -> Builder:
    """施工组织设计: schedule and 横道图, management organisation, staffing, equipment, quality, safety and
    emergency plans (solution.yaml construction)."""
    b = form("施工组织设计")
    b.h2("一、施工组织概述")
    b.lines("construction.summary")
    b.p("本项目计划总工期 {{ construction.total_days }} 日历天，"
        "我方承诺在合同签订后 {{ bid.delivery_days }} 日历天内完成全部供货、安装与调试；"
        "质保期 {{ bid.warranty_years }} 年。")
    b.h2("二、施工进度计划")
    b.p("施工进度计划如下表，横道图见其后。", style="BK Body")
    b.table(
        [
            Col("序号", 1.2, "{{ t.no }}"),
            Col("工作内容", 4.6, "{{ t.name }}", "left"),
            Col("开始日期", 3.3, "{{ t.start }}"),
            Col("结束日期", 3.3, "{{ t.end }}"),
            Col("工期（天）", 1.5, "{{ t.days }}"),
            Col("负责人", 2.4, "{{ t.owner }}"),
        ],
        loop="t in construction.tasks",
    )
    b.tag("{%p if construction.schedule_chart %}")
    para = b.p("{{ construction.schedule_chart }}", style="BK Center", before=6)
    para.paragraph_format.keep_with_next = True
    b.p("图　施工进度计划横道图", style="BK Center", size=WU)
    b.tag("{%p endif %}")
    b.h2("三、项目管理机构")
    b.p("本项目实行项目经理负责制，由项目经理组织技术、安全、质量、资料等岗位人员组成项目管理机构，"
        "主要人员如下：")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.2, "{{ m.no }}"),
            Col("岗位", 2.6, "{{ m.role }}", "left"),
            Col("姓名", 2.6, "{{ m.names }}", "left"),
            Col("职称或资格证书", 3.6, "{{ m.qualification }}", "left"),
            Col("主要职责", 6.3, "{{ m.duties }}", "left"),
        ],
        loop="m in construction.organisation",
    )
    b.h2("四、劳动力及人员配备计划")
    b.table(
        [
            Col("序号", 1.2, "{{ s.no }}"),
            Col("岗位", 3.2, "{{ s.role }}", "left"),
            Col("人数", 1.1, "{{ s.count }}"),
            Col("进场日期", 3.3, "{{ s.start }}"),
            Col("退场日期", 3.3, "{{ s.end }}"),
            Col("人员", 4.2, "{{ s.names }}", "left"),
        ],
        loop="s in construction.staffing",
    )
    b.h2("五、主要施工机械设备及检测仪器")
    b.tag("{%p if construction.equipment %}")
    b.table(
        [
            Col("序号", 1.2, "{{ e.no }}"),
            Col("设备名称", 3.6, "{{ e.name }}", "left"),
            Col("型号规格", 3.4, "{{ e.spec }}", "left"),
            Col("数量", 1.3, "{{ e.qty }}"),
            Col("单位", 1.2, "{{ e.unit }}"),
            Col("用途", 5.6, "{{ e.purpose }}", "left"),
        ],
        loop="e in construction.equipment",
    )
    b.tag("{%p else %}")
    b.p("施工所需机械设备及检测仪器由我方自备，进场前报监理单位查验。")
    b.tag("{%p endif %}")
    b.h2("六、质量保证措施")
    b.tag("{%p for m in construction.quality_measures %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.h2("七、安全文明施工措施")
    b.tag("{%p for m in construction.safety_measures %}")
    b.p("（{{ loop.index }}）{{ m }}")
    b.tag("{%p endfor %}")
    b.h2("八、应急预案")
    b.tag("{%p if construction.emergency_plans %}")
    b.p("我方成立以项目经理为组长的应急领导小组，针对本项目的主要风险制定以下应急预案，"
        "开工前组织交底和演练：")
    b.tag("{%p for plan in construction.emergency_plans %}")
    b.h3("（{{ plan.no }}）{{ plan.risk }}")
    b.tag("{%p for m in plan.measures %}")
    b.p("{{ loop.index }}. {{ m }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.tag("{%p else %}")
    b.p("我方成立以项目经理为组长的应急领导小组，发生安全、质量或进度突发事件时立即启动应急响应，"
        "并及时向采购人报告。")
    b.tag("{%p endif %}")
    return b


FORM_BUILDERS = {
    "volume_cover": volume_cover,
    "bid_letter": bid_letter,
    "opening_summary": opening_summary,
    "itemised_prices": itemised_prices,
    "legal_rep_certificate": legal_rep_certificate,
    "authorisation_letter": authorisation_letter,
    "qualifications": qualifications,
    "sme_declaration": sme_declaration,
    "supplier_conditions": supplier_conditions,
    "no_violation_declaration": no_violation_declaration,
    "commercial_deviations": lambda: deviations("商务偏离表", "商务条款"),
    "references": references,
    "after_sales": after_sales,
    "technical_solution": technical_solution,
    "bom": bom,
    "technical_deviations": lambda: deviations("技术偏离表", "技术要求"),
    "construction_organisation": construction_organisation,
}

# ----------------------------------------------------------------------------------------------------
# internal documents


def approval_form(b: Builder, var: str) -> None:
    def v(key: str) -> str:
        return "{{ " + var + "." + key + " }}"

    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["审批人", v("approver"), "职　　务", v("title")],
            ["审批结论", v("decision"), "审批日期", v("date")],
            ["审批意见", (v("comment"), 3)],
            ["签　　字", ("", 3)],
        ],
        heights={2: 2.0, 3: 1.4},
    )


def feasibility_report() -> Builder:
    b = Builder(title="项目可行性分析报告", header="{{ company.name }}　项目可行性分析报告", bid_part=False)
    b.title("项目可行性分析报告")
    b.p("项目编号：{{ project.code }}", style="BK Right", size=WU)
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["项目名称", ("{{ project.name }}", 3)],
            ["客户名称", ("{{ project.customer.name }}", 3)],
            ["项目地点", "{{ project.location }}", "项目类型", "{{ project.type }}"],
            ["客户预算", ("¥{{ project.budget }} 元（人民币{{ project.budget_upper }}）", 3)],
            ["客户联系人", "{{ project.customer.contact }}", "联系电话", "{{ project.customer.phone }}"],
            ["信息来源", ("{{ feasibility.source }}", 3)],
            ["编制人", "{{ feasibility.prepared_by }}", "编制日期", "{{ feasibility.date }}"],
        ],
    )
    b.h1("一、项目机会概述")
    b.lines("feasibility.opportunity")
    b.h1("二、客户需求")
    b.tag("{%p for need in feasibility.customer_needs %}")
    b.p("{{ loop.index }}. {{ need }}")
    b.tag("{%p endfor %}")
    b.h1("三、竞争对手分析")
    b.table(
        [
            Col("序号", 1.2, "{{ c.no }}"),
            Col("竞争对手", 3.1, "{{ c.name }}", "left"),
            Col("优势", 6.0, "{{ c.strengths }}", "left"),
            Col("劣势", 6.0, "{{ c.weaknesses }}", "left"),
        ],
        loop="c in feasibility.competitors",
    )
    b.h1("四、客户关系与成功率评估")
    b.p("客户关系：{{ feasibility.relationship }}")
    b.p("预计成功率：{{ feasibility.success_estimate }}")
    b.h1("五、战略价值")
    b.lines("feasibility.strategic_value")
    b.h1("六、主要风险")
    b.tag("{%p for risk in feasibility.risks %}")
    b.p("{{ loop.index }}. {{ risk }}")
    b.tag("{%p endfor %}")
    b.h1("七、结论与建议")
    b.lines("feasibility.conclusion")
    b.h1("八、审批意见")
    approval_form(b, "feasibility.approval")
    return b


def initiation_request() -> Builder:
    b = Builder(title="立项申请", header="{{ company.name }}　立项申请", bid_part=False)
    b.title("项目立项申请书")
    b.p("项目编号：{{ project.code }}", style="BK Right", size=WU)
    b.h1("一、项目基本情况")
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["项目名称", ("{{ project.name }}", 3)],
            ["客户名称", ("{{ project.customer.name }}", 3)],
            ["项目类型", "{{ project.type }}", "项目地点", "{{ project.location }}"],
            ["客户预算", ("¥{{ project.budget }} 元（人民币{{ project.budget_upper }}）", 3)],
            ["计划开始", "{{ initiation.expected_start }}", "计划完成", "{{ initiation.expected_end }}"],
            ["申请人", "{{ initiation.requested_by }}", "申请日期", "{{ initiation.date }}"],
        ],
    )
    b.h1("二、立项理由")
    b.lines("initiation.reason")
    b.h1("三、项目小组成立")
    b.p("经质量管理部协调，成立项目小组，成员及分工如下：")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.2, "{{ m.no }}"),
            Col("角色", 2.8, "{{ m.role }}"),
            Col("姓名", 2.0, "{{ m.name }}"),
            Col("部门", 3.0, "{{ m.department }}"),
            Col("资格证书", 4.0, "{{ m.qualification }}", "left"),
            Col("联系电话", 3.3, "{{ m.phone }}"),
        ],
        loop="m in project.team",
    )
    b.h1("四、立项评审会评分")
    b.tag("{%p if initiation.review_meeting %}")
    table = b.table(
        [
            Col("序号", 1.2, "{{ r.no }}"),
            Col("评审人", 2.5, "{{ r.reviewer }}"),
            Col("评分", 1.5, "{{ r.score }}"),
            Col("评审意见", 11.1, "{{ r.comment }}", "left"),
        ],
        loop="r in initiation.review_meeting",
    )
    b.add_row(table, ["平均分", "{{ initiation.average_score }}", ""], spans=[2, 1, 1],
              bold=[True, True, None], fills=[LABEL_FILL, LABEL_FILL, LABEL_FILL])
    b.tag("{%p else %}")
    b.p("本项目未召开立项评审会。")
    b.tag("{%p endif %}")
    b.h1("五、审批意见")
    approval_form(b, "initiation.approval")
    return b


def record_info(b: Builder, *, formal: bool) -> None:
    party = ["建设单位", "{{ project.customer.name }}", "施工单位", "{{ company.name }}"]
    b.form(
        [2.8, 5.35, 2.8, 5.35],
        [
            ["项目名称", ("{{ project.name }}", 3)],
            ["项目编号", "{{ project.code }}", "招标编号", "{{ tender.number }}"],
            party,
            ["验收类型", "{{ record.kind }}", "验收日期", "{{ record.date }}"],
            ["验收地点", ("{{ record.location }}", 3)],
            ["验收人员", ("{{ record.inspectors }}", 3)],
        ],
    )


def checklist(b: Builder) -> None:
    b.table(
        [
            Col("序号", 1.2, "{{ c.no }}"),
            Col("验收项目", 4.0, "{{ c.item }}", "left"),
            Col("验收标准", 5.8, "{{ c.standard }}", "left"),
            Col("验收结果", 1.8, "{{ c.result }}"),
            Col("备注", 3.5, "{{ c.remark }}", "left"),
        ],
        loop="c in record.checklist",
    )


def internal_acceptance() -> Builder:
    b = Builder(title="内部验收单", header="{{ company.name }}　内部验收单", bid_part=False)
    b.title("内部验收单")
    b.p("编号：{{ record.id }}", style="BK Right", size=WU)
    record_info(b, formal=False)
    b.h2("验收检查记录")
    checklist(b)
    b.h2("验收结论")
    b.form(
        [3.3, 13.0],
        [
            ["验收结果", "{{ record.result }}"],
            ["结　　论", "{{ record.conclusion }}"],
            ["验收人员签字", "\n\n" + BLANK_DATE],
            ["质量管理部意见", "\n\n签字：                    " + BLANK_DATE],
            ["项目经理确认", "\n\n签字：                    " + BLANK_DATE],
        ],
        label_cols=(0,), heights={1: 2.0, 2: 2.2, 3: 2.2, 4: 2.2},
    )
    b.p("注：内部验收标准不低于正式验收标准；验收结果为“不合格”的，由质量管理部签发整改意见书，整改完成后重新组织内部验收。",
        style="BK Note", before=6)
    return b


def rectification_notice() -> Builder:
    b = Builder(title="整改意见书", header="{{ company.name }}　整改意见书", bid_part=False)
    b.title("整改意见书")
    b.p("编号：{{ notice.number }}", style="BK Right", size=WU)
    b.p("{{ project.name }}项目组：", style="BK Plain")
    b.p("{{ record.date }}，质量管理部组织对{{ project.name }}（项目编号：{{ project.code }}）"
        "进行了{{ record.kind }}（验收单编号：{{ record.id }}），验收结果为“{{ record.result }}”。"
        "{{ record.conclusion }}")
    b.p("现将存在的问题及整改要求通知如下，请责任人在整改期限内完成整改，整改完成后书面报质量管理部申请复验。")
    b.gap(3)
    b.table(
        [
            Col("序号", 1.2, "{{ it.no }}"),
            Col("存在问题", 3.2, "{{ it.problem }}", "left"),
            Col("整改措施及要求", 3.5, "{{ it.action }}", "left"),
            Col("责任人", 1.6, "{{ it.responsible }}"),
            Col("整改期限", 3.4, "{{ it.deadline }}"),
            Col("完成日期", 3.4, "{{ it.done }}"),
        ],
        loop="it in notice['items']",
    )
    b.gap(6)
    b.form(
        [3.3, 13.0],
        [
            ["签发部门", "质量管理部　　　　签发人：                    签发日期：{{ notice.issued }}"],
            ["接收确认", "\n项目经理签字：                    " + BLANK_DATE],
            ["复验意见", "\n\n\n复验人签字：                    " + BLANK_DATE],
        ],
        label_cols=(0,), heights={0: 1.2, 1: 1.6, 2: 3.0},
    )
    return b


def formal_acceptance() -> Builder:
    b = Builder(title="正式验收单", header="{{ company.name }}　正式验收单", bid_part=False)
    b.title("项目正式验收单")
    b.p("编号：{{ record.id }}", style="BK Right", size=WU)
    record_info(b, formal=True)
    b.h2("验收检查记录")
    checklist(b)
    b.h2("验收结论")
    b.form(
        [3.3, 13.0],
        [
            ["验收结果", "{{ record.result }}"],
            ["验收结论", "{{ record.conclusion }}"],
        ],
        label_cols=(0,), heights={1: 2.2},
    )
    b.gap(3)
    b.form(
        [8.15, 8.15],
        [
            ["建设单位：{{ project.customer.name }}\n\n\n代表签字：\n\n（盖章）\n" + BLANK_DATE,
             "施工单位：{{ company.name }}\n\n\n代表签字：\n\n（盖章）\n" + BLANK_DATE],
        ],
        label_cols=(), heights={0: 5.5},
    )
    return b


BUILDERS = {
    "feasibility_report": feasibility_report,
    "initiation_request": initiation_request,
    "internal_acceptance": internal_acceptance,
    "rectification_notice": rectification_notice,
    "formal_acceptance": formal_acceptance,
}


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT_DIR
    (out / "forms").mkdir(parents=True, exist_ok=True)
    jobs = [(out / f"{name}.docx", build) for name, build in BUILDERS.items()]
    jobs += [(out / "forms" / f"{name}.docx", build) for name, build in FORM_BUILDERS.items()]
    for path, build in jobs:
        build().save(path)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
