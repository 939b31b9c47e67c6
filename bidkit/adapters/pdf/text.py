"""Words and their positions on each page, from poppler's ``pdftotext -bbox`` (fast, and what a viewer sees).

Positions are *visual*: points from the bottom-left corner of the page as displayed (rotation applied), which is
the frame the stamper draws in.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bidkit.core.errors import InputError, ToolError

POPPLER_HINT = "pdftotext not found: install poppler (apt-get install poppler-utils)"
TIMEOUT = 120.0

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>', re.S)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # visual, from the left
    y0: float  # visual, from the bottom
    x1: float
    y1: float


@dataclass(frozen=True)
class PageText:
    width: float
    height: float
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pdftotext_binary() -> str:
    found = shutil.which("pdftotext")
    if not found:
        raise ToolError(POPPLER_HINT)
    return found


def _rotations(pdf: Path) -> list[int]:
    import pikepdf

    try:
        with pikepdf.open(pdf) as doc:
            return [int(p.obj.get("/Rotate", 0)) % 360 for p in doc.pages]
    except pikepdf.PdfError:
        return []


def page_words(pdf: Path) -> list[PageText]:
    """Every page's words with their boxes."""
    try:
        proc = subprocess.run(
            [pdftotext_binary(), "-bbox", "-enc", "UTF-8", str(pdf), "-"],
            capture_output=True, timeout=TIMEOUT, check=False,
        )
    except subprocess.TimeoutExpired:
        raise ToolError(f"pdftotext took longer than {TIMEOUT:g} s reading {pdf.name}") from None
    if proc.returncode != 0:
        reason = proc.stderr.decode(errors="replace").strip().splitlines()
        raise ToolError(f"pdftotext could not read {pdf.name}: {reason[-1] if reason else 'failed'}")
    rotations = _rotations(pdf)
    pages = []
    for index, m in enumerate(_PAGE.finditer(proc.stdout.decode("utf-8", errors="replace"))):
        width, height = float(m.group(1)), float(m.group(2))
        if index < len(rotations) and rotations[index] in (90, 270):
            width, height = height, width  # words come in the displayed frame, the size does not
        words = [
            Word(html.unescape(w.group(5)), float(w.group(1)), height - float(w.group(4)),
                 float(w.group(3)), height - float(w.group(2)))
            for w in _WORD.finditer(m.group(3))
        ]
        pages.append(PageText(width, height, words))
    return pages


def words_to_json(pages: list[PageText]) -> str:
    """:func:`page_words`' result as JSON, to keep beside a cached PDF."""
    import json

    return json.dumps([[p.width, p.height, [[w.text, w.x0, w.y0, w.x1, w.y1] for w in p.words]] for p in pages],
                      ensure_ascii=False, separators=(",", ":"))


def words_from_json(text: str) -> list[PageText] | None:
    """The inverse of :func:`words_to_json`; None for anything that is not such a document."""
    import json

    try:
        return [PageText(float(w), float(h), [Word(str(t), float(a), float(b), float(c), float(d))
                                              for t, a, b, c, d in words])
                for w, h, words in json.loads(text)]
    except (ValueError, TypeError):
        return None


def squeeze(text: str) -> str:
    """Text without any white space (ideographic spaces included), NFKC-normalised, for matching."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _char_weight(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55


@dataclass(frozen=True)
class Hit:
    page: int
    x: float  # visual centre of the matched text
    y: float
    anchor: str
    x0: float = 0.0  # the matched text's left and right edges
    x1: float = 0.0
    line_x0: float = 0.0  # where the word holding it starts (a company name before its seal anchor)


def find_anchors(pages: list[PageText], anchors: list[str]) -> list[Hit]:
    """Where each anchor text occurs; an occurrence inside a longer anchor's occurrence counts once."""
    ordered = sorted(set(anchors), key=len, reverse=True)
    hits: list[Hit] = []
    for index, page in enumerate(pages):
        for word in page.words:
            taken: list[tuple[int, int]] = []
            for anchor in ordered:
                start = word.text.find(anchor)
                while start >= 0:
                    end = start + len(anchor)
                    if not any(start < e and s < end for s, e in taken):
                        taken.append((start, end))
                        # CJK characters are full width, Latin about half: share the box out accordingly
                        weights = [_char_weight(c) for c in word.text]
                        total = sum(weights) or 1.0
                        left = sum(weights[:start]) / total
                        right = sum(weights[:end]) / total
                        span = word.x1 - word.x0
                        hits.append(Hit(index, word.x0 + span * (left + right) / 2, (word.y0 + word.y1) / 2,
                                        anchor, word.x0 + span * left, word.x0 + span * right, word.x0))
                    start = word.text.find(anchor, end)
    return hits


def _contains_in_order(haystack: str, pieces: list[str]) -> bool:
    at = 0
    for piece in pieces:
        found = haystack.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def locate_headings(pages: list[PageText], headings: list[str]) -> list[int | None]:
    """The page each heading first appears on, searching in order (a heading never precedes the one before).

    A heading's words may be separated by other text in reading order (a centred title above a wide table),
    so its white-space separated pieces need only appear in order on the page.
    """
    squeezed = [squeeze(p.text) for p in pages]
    found: list[int | None] = []
    current = 0
    for heading in headings:
        pieces = [squeeze(piece) for piece in heading.split()]
        pieces = [p for p in pieces if p]
        page = None
        if pieces:
            whole = "".join(pieces)
            page = next((i for i in range(current, len(pages)) if whole in squeezed[i]), None)
            if page is None:
                page = next((i for i in range(current, len(pages)) if _contains_in_order(squeezed[i], pieces)), None)
        found.append(page)
        if page is not None:
            current = page
    return found


def pages_text(pdf: Path) -> list[str]:
    """Each page's text (poppler's pdftotext, reading order)."""
    binary = pdftotext_binary()
    try:
        proc = subprocess.run([binary, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"pdftotext took longer than {TIMEOUT:g} s reading {pdf.name}") from None
    if proc.returncode != 0:
        raise InputError(f"{pdf.name}: not a readable PDF")
    pages = proc.stdout.decode("utf-8", errors="replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def outline(pdf: Path) -> list[tuple[str, int]]:
    """(title, 0-based page) of every bookmark, in page order."""
    import pikepdf

    entries: list[tuple[str, int]] = []
    try:
        with pikepdf.open(pdf) as doc:
            index: dict[Any, int] = {page.objgen: i for i, page in enumerate(doc.pages)}

            def walk(items: Any) -> None:
                for item in items:
                    dest = item.destination
                    if isinstance(dest, pikepdf.Array) and len(dest) and hasattr(dest[0], "objgen"):
                        at = index.get(dest[0].objgen)
                        if at is not None:
                            entries.append((str(item.title), at))
                    elif isinstance(dest, int):
                        entries.append((str(item.title), dest))
                    walk(item.children)

            with doc.open_outline() as outline:
                walk(outline.root)
    except (pikepdf.PdfError, OSError):
        raise InputError(f"{pdf.name}: not a readable PDF") from None
    return sorted(entries, key=lambda e: e[1])


def package_texts(pdf: Path) -> dict[str, list[tuple[int, str]]]:
    """A package's text by bookmark: title → [(page number, text)], the chapter's pages in the PDF. The numbers
    are the printed ones (第 N 页, counted after the cover, as the 目录 and the evidence columns cite them); the
    cover is page 0 (unnumbered)."""
    pages = pages_text(pdf)
    marks = outline(pdf)
    out: dict[str, list[tuple[int, str]]] = {}
    for n, (title, start) in enumerate(marks):
        nxt = next((s for _, s in marks[n + 1:] if s > start), len(pages))
        out.setdefault(title, [(p, pages[p]) for p in range(start, max(start + 1, nxt)) if p < len(pages)])
    if pages:
        out.setdefault("封面", [(0, pages[0])])
    return out
