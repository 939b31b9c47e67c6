"""Finding the tender's chapters in the rendered book (pure)."""

from __future__ import annotations

from bidkit.core.checks import CheckInput
from bidkit.core.checks.text import Chapter as TextChapter
from bidkit.core.models import Chapter


def locate(inp: CheckInput, chapter: Chapter) -> tuple[TextChapter | None, bool]:
    """The rendered chapter for a tender chapter (the book is made from the list, so its title is the tender's)."""
    found = inp.chapter(chapter.id)
    return found, found is not None


def price_chapter(inp: CheckInput, form: str) -> TextChapter | None:
    """The price volume's chapter made from ``form`` (投标函, 开标一览表 or 分项报价表)."""
    assert inp.book is not None
    for pc in inp.book.chapters():
        if pc.form == form and pc.kind == "form":
            found = inp.chapter(pc.id)
            if found is not None:
                return found
    return None


def price_chapters(inp: CheckInput) -> list[TextChapter]:
    """Every rendered chapter that holds prices: the price forms and the price volume's own files."""
    assert inp.book is not None
    out = []
    for pc in inp.book.chapters():
        if pc.priced:
            found = inp.chapter(pc.id)
            if found is not None:
                out.append(found)
    return out


def missing_reason(inp: CheckInput, chapter_id: str) -> str | None:
    """Why a chapter's text is not available, or None when it is."""
    assert inp.book is not None
    pc = inp.book.chapter(chapter_id)
    if pc is None:
        return "not in the book"
    if inp.texts is not None and pc.docx_name in inp.texts:
        return None
    if chapter_id in inp.render_errors:
        return "did not render"
    if pc.priced and inp.data.pricing is None:
        return "prices not readable"
    if pc.kind == "attachments" or pc.pdf_file:
        return "no text of its own"
    return "not rendered"
