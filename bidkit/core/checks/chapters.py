"""Finding the tender's chapters in the rendered parts (pure)."""

from __future__ import annotations

from bidkit.core.checks import CheckInput
from bidkit.core.checks.text import KNOWN_CHAPTERS, title_matches
from bidkit.core.checks.text import Chapter as TextChapter
from bidkit.core.models import PART_NAMES, Chapter


def search_order(inp: CheckInput) -> list[str]:
    parts = list(inp.data.config.package.parts)
    return parts + [p for p in PART_NAMES if p not in parts]


def expected_part(chapter_id: str) -> str | None:
    known = KNOWN_CHAPTERS.get(chapter_id)
    return known[0] if known else None


def names_of(chapter: Chapter) -> tuple[str, ...]:
    known = KNOWN_CHAPTERS.get(chapter.id)
    return (chapter.title, *(known[1] if known else ()))


def locate(inp: CheckInput, chapter: Chapter) -> tuple[TextChapter | None, bool]:
    """The rendered chapter for a tender chapter and whether its heading is the tender's own title."""
    order = search_order(inp)
    for exact_only in (True, False):
        names = (chapter.title,) if exact_only else names_of(chapter)
        for part in order:
            for ch in inp.chapters(part)[1:]:
                if title_matches(ch.heading, names):
                    return ch, exact_only
    return None, False


def price_chapter(inp: CheckInput, chapter_id: str) -> TextChapter | None:
    """投标函 / 开标一览表 / 分项报价表 in the price part, by the tender's title or the usual ones."""
    tender = next((c for c in inp.data.tender.chapters if c.id == chapter_id), None)
    names = names_of(tender) if tender else KNOWN_CHAPTERS[chapter_id][1]
    for ch in inp.chapters("price_part")[1:]:
        if title_matches(ch.heading, names):
            return ch
    return None


def missing_part_reason(inp: CheckInput, part: str) -> str | None:
    """Why a part's text is not available, or None when it is."""
    if inp.texts is not None and part in inp.texts:
        return None
    if part in inp.render_errors:
        return "did not render"
    if part == "price_part" and inp.data.pricing is None:
        return "prices not readable"
    return "not rendered"
