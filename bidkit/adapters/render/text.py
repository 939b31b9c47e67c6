"""Plain text of a .docx, in reading order, for golden tests and checks."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph


def _block_lines(parent: Any, doc: Any) -> list[str]:
    lines: list[str] = []
    element = parent._element if hasattr(parent, "_element") else parent
    body: Any = getattr(element, "body", element)
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, parent).text
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
                    cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
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
    """The headings of a .docx down to level ``depth`` (Word's Heading 1…N styles), in order, as (level, text)."""
    if depth < 1:
        return []
    doc = Document(io.BytesIO(docx))
    out = []
    for p in doc.paragraphs:
        m = _HEADING.fullmatch(p.style.name if p.style is not None else "")
        if m and 1 <= int(m.group(1)) <= depth and p.text.strip():
            out.append((int(m.group(1)), p.text.strip()))
    return out


_HEADING = re.compile(r"(?:Heading|heading|标题)\s*(\d)")  # Word's built-in names; WPS may write 标题 N
