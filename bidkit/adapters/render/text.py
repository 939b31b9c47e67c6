"""Plain text of a .docx, in reading order, for golden tests and checks."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table
from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_WNS = f"{{{_W}}}"
_P, _R, _HYPERLINK, _T, _BR, _BR_TYPE = (f"{_WNS}{t}" for t in ("p", "r", "hyperlink", "t", "br", "type"))
_RUN_MARKS = {f"{_WNS}tab": "\t", f"{_WNS}ptab": "\t", f"{_WNS}cr": "\n", f"{_WNS}noBreakHyphen": "-"}


def _run_text(r: Any) -> str:
    out = []
    for e in r:
        if e.tag == _T:
            out.append(e.text or "")
        elif e.tag == _BR:
            out.append("\n" if e.get(_BR_TYPE, "textWrapping") == "textWrapping" else "")  # a page break: nothing
        else:
            out.append(_RUN_MARKS.get(e.tag, ""))
    return "".join(out)


def paragraph_text(p: Any) -> str:
    """A ``w:p`` element's text as python-docx's ``Paragraph.text`` gives it (runs and hyperlinks' runs; tabs,
    line breaks, no-break hyphens), read straight from the XML: its XPath per run took half of the checks'
    reading of the rendered chapters."""
    parts = []
    for child in p:
        if child.tag == _R:
            parts.append(_run_text(child))
        elif child.tag == _HYPERLINK:
            parts += [_run_text(r) for r in child if r.tag == _R]
    return "".join(parts)


def _cell_texts(cell: Any) -> list[str]:
    """The non-empty texts of a table cell's paragraphs, stripped."""
    texts = (paragraph_text(p).strip() for p in cell._tc if p.tag == _P)
    return [t for t in texts if t]


def _block_lines(parent: Any, doc: Any) -> list[str]:
    lines: list[str] = []
    element = parent._element if hasattr(parent, "_element") else parent
    body: Any = getattr(element, "body", element)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = paragraph_text(child)
            if text.strip():
                lines.append(text.rstrip())
        elif tag == "tbl":
            table = Table(child, parent)
            for row in table.rows:
                cells = []
                last = None
                for cell in row.cells:
                    if cell._tc is last:  # merged cells repeat
                        continue
                    last = cell._tc
                    cells.append(" ".join(_cell_texts(cell)))
                lines.append(" | ".join(cells))
    return lines


def docx_text(source: Path | bytes) -> str:
    """Headers, body (paragraphs and table rows as ``a | b | c``), footers, one line each."""
    doc = Document(io.BytesIO(source) if isinstance(source, bytes) else str(source))
    lines: list[str] = []
    seen_headers: set[int] = set()
    for section in doc.sections:
        for part in (section.header,):
            key = id(part._element)
            if not part.is_linked_to_previous and key not in seen_headers:
                seen_headers.add(key)
                lines += [f"[页眉] {t}" for t in _block_lines(part, doc)]
    lines += _block_lines(doc.element, doc)
    for section in doc.sections:
        footer = section.footer
        if not footer.is_linked_to_previous:
            lines += [f"[页脚] {t}" for t in _block_lines(footer, doc)]
    return "\n".join(lines) + "\n"


def docx_headings(docx: bytes, depth: int = 1) -> list[tuple[int, str]]:
    """The headings of a .docx down to level ``depth``, in order, as (level, text): body paragraphs in Word's
    Heading 1…N styles (WPS: 标题 N), or with an outline level of their own or from their style (as Word's 目录
    takes them). Read straight from the XML: a 300-page chapter takes a fraction of a second."""
    if depth < 1:
        return []
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        styles = _style_levels(zf.read("word/styles.xml")) if "word/styles.xml" in zf.namelist() else {}
        document = zf.read("word/document.xml")
    out = []
    body = f"{{{_W}}}body"
    for _, p in etree.iterparse(io.BytesIO(document), tag=f"{{{_W}}}p", huge_tree=True):
        parent = p.getparent()
        if parent is None or parent.tag != body:
            continue  # paragraphs in tables, text boxes, …: not headings of the chapter
        level = None
        own = p.find(f"{{{_W}}}pPr/{{{_W}}}outlineLvl")
        style = p.find(f"{{{_W}}}pPr/{{{_W}}}pStyle")
        if own is not None:
            level = _int(own.get(f"{{{_W}}}val"))
            level = level + 1 if level is not None and level < 9 else None
        elif style is not None:
            level = styles.get(style.get(f"{{{_W}}}val") or "")
        if level is not None and 1 <= level <= depth:
            text = "".join(t.text or "" for t in p.iter(f"{{{_W}}}t")).strip()
            if text:
                out.append((level, text))
        p.clear(keep_tail=True)  # a long chapter is read in constant memory
    return out




def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _style_levels(styles_xml: bytes) -> dict[str, int]:
    """Paragraph style id → heading level: by its name (Heading N, 标题 N) or its outline level, following
    ``basedOn``."""
    root = etree.fromstring(styles_xml, parser=etree.XMLParser(resolve_entities=False, huge_tree=True))
    named: dict[str, int | None] = {}
    based: dict[str, str] = {}
    for st in root.iter(f"{{{_W}}}style"):
        sid = st.get(f"{{{_W}}}styleId") or ""
        name = st.find(f"{{{_W}}}name")
        m = _HEADING.fullmatch((name.get(f"{{{_W}}}val") or "") if name is not None else "")
        lvl = st.find(f"{{{_W}}}pPr/{{{_W}}}outlineLvl")
        level = int(m.group(1)) if m else None
        if level is None and lvl is not None:
            raw = _int(lvl.get(f"{{{_W}}}val"))
            level = raw + 1 if raw is not None and raw < 9 else None
        named[sid] = level
        parent = st.find(f"{{{_W}}}basedOn")
        if parent is not None and parent.get(f"{{{_W}}}val"):
            based[sid] = parent.get(f"{{{_W}}}val") or ""
    out: dict[str, int] = {}
    for sid in named:
        seen, cur = set(), sid
        while cur and named.get(cur) is None and cur in based and cur not in seen:
            seen.add(cur)
            cur = based[cur]
        if named.get(cur) is not None:
            out[sid] = named[cur]  # type: ignore[assignment]
    return out


_HEADING = re.compile(r"(?:Heading|heading|标题)\s*(\d)")  # Word's built-in names; WPS may write 标题 N


MAX_TABLE_DOCX_BYTES = 100 * 1024 * 1024


def docx_tables(path: Path) -> list[tuple[str, list[list[str]]]]:
    """Every table of a Word file in reading order, as (the text just before it, its rows of cell texts); merged
    cells are read once. For the requirement tables of a tender's 采购需求 chapter."""
    from bidkit.core.errors import InputError

    try:
        if path.stat().st_size > MAX_TABLE_DOCX_BYTES:
            raise InputError(f"{path.name}: too large for a tender file (over {MAX_TABLE_DOCX_BYTES >> 20} MB)")
        doc = Document(str(path))
    except FileNotFoundError:
        raise InputError(f"{path.name}: file not found") from None
    except InputError:
        raise
    except Exception:  # python-docx raises many kinds for a damaged file
        raise InputError(f"{path.name}: not a readable Word (.docx) file") from None
    out: list[tuple[str, list[list[str]]]] = []
    before = ""
    for child in doc.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = paragraph_text(child).strip()
            if text:
                before = text
        elif tag == "tbl":
            rows = []
            for row in Table(child, doc).rows:
                cells, last = [], None
                for cell in row.cells:
                    if cell._tc is last:  # a cell merged across columns repeats
                        continue
                    last = cell._tc
                    cells.append("\n".join(_cell_texts(cell)))
                rows.append(cells)
            out.append((before, rows))
    return out
