"""The generated pages of a package: cover and table of contents (目录), laid out with weasyprint.

The 目录 is laid out before any chapter's page is known: its page-number column has a fixed width, so the layout
does not depend on the numbers. Each number's place is marked by an empty inline box (a zero-size inline-block
sits on the baseline, at the right edge of the right-aligned cell), whose position weasyprint reports
(``Page.anchors``); :func:`bidkit.adapters.pdf.compose.merge` writes the numbers there once the chapters are
converted, in the fonts and sizes the 目录's rows are set in. So the layout runs while LibreOffice converts, not
after it, and a price change that shifts pages does not lay it out again. The document ends with one extra page
holding the characters the stamper writes (page numbers, draft watermark) and the digits of those fonts:
:mod:`bidkit.adapters.pdf.stamp` borrows that page's embedded font subsets, so every stamp uses a real embedded CJK
font, and then drops the page.

Laying out costs about 0.3 s plus 0.3 s to import weasyprint, so the result is cached by its HTML.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from types import ModuleType

from bidkit.adapters.sealed import SealedCache
from bidkit.core.errors import ToolError

FONT_SERIF = "Noto Serif CJK SC"
FONT_SANS = "Noto Sans CJK SC"
CACHE_KEEP = 6  # cached front matters kept (original, copy, draft, ...)


@dataclass(frozen=True)
class CoverInfo:
    project_name: str
    tender_number: str
    bidder: str
    date: str
    copy_label: str  # 正本 / 副本
    draft: bool = False


@dataclass(frozen=True)
class TocEntry:
    title: str
    body_page: int  # 0-based index of the entry's first page among the pages after the front matter
    level: int = 0  # 0: part or attachments group, 1: chapter or attachment


@dataclass(frozen=True)
class TocLine:
    """A line of the 目录 before its page number is known."""
    title: str
    level: int = 0


# the face and size each level's page number is set in (as _CSS sets the row): (face, pt)
NUMBER_STYLE = {0: ("sans-bold", 12.0), 1: ("serif", 12.0), 2: ("serif", 11.0), 3: ("serif", 10.5)}
PX = 0.75  # a CSS px in pt


@dataclass(frozen=True)
class NumberSlot:
    """Where a 目录 line's page number goes: right-aligned to ``x``, on the baseline ``y`` (CSS px from the page's
    top-left, as weasyprint places its own text: the same numbers give the same coordinates, so a row reads
    title then number in any text extraction), on the front document's 0-based ``page``, in ``face`` (see
    :data:`NUMBER_STYLE`) at ``size`` pt."""
    page: int
    x: float
    y: float
    face: str
    size: float


@dataclass(frozen=True)
class FrontLayout:
    """Cover, 目录 without its page numbers, and the glyph page, laid out; ``key`` names the HTML laid out."""
    pdf: bytes
    cover_pages: int
    toc_pages: int  # the glyph page is not counted; it is the document's last page
    slots: tuple[NumberSlot, ...]  # one per 目录 line, in order
    key: str

    @property
    def pages(self) -> int:
        return self.cover_pages + self.toc_pages

    def numbers(self, body_pages: list[int]) -> list[int]:
        """The printed page numbers of lines starting on these body pages (0-based after the front matter):
        page numbers start after the cover, so a page's number is its 0-based place in the file."""
        return [self.cover_pages + self.toc_pages + b for b in body_pages]


_CSS = f"""
@page {{ size: A4; margin: 25mm 22mm 25mm 22mm; }}
body {{ font-family: '{FONT_SERIF}'; font-size: 12pt; color: #000; }}
.cover {{ page-break-after: always; text-align: center; }}
.cover .copy {{ text-align: right; font-family: '{FONT_SANS}'; font-size: 16pt; font-weight: bold;
  border: 1.5pt solid #000; display: inline-block; padding: 2mm 5mm; float: right; }}
.cover .project {{ clear: both; margin-top: 40mm; font-family: '{FONT_SANS}'; font-size: 20pt; font-weight: bold;
  line-height: 1.5; }}
.cover .number {{ margin-top: 8mm; font-size: 14pt; }}
.cover .title {{ margin-top: 30mm; font-family: '{FONT_SANS}'; font-size: 36pt; font-weight: bold;
  letter-spacing: 6pt; }}
.cover .draft {{ margin-top: 6mm; font-family: '{FONT_SANS}'; font-size: 18pt; color: #b00; }}
.cover table.who {{ margin: 45mm auto 0 auto; font-size: 14pt; border-collapse: collapse; }}
.cover table.who td {{ padding: 3mm 2mm; text-align: left; }}
h1.toc {{ text-align: center; font-family: '{FONT_SANS}'; font-size: 18pt; letter-spacing: 12pt;
  margin: 0 0 8mm 0; }}
table.toc {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
table.toc td {{ padding: 1.6mm 0; vertical-align: bottom; }}
table.toc td.t {{ border-bottom: 0.6pt dotted #555; }}
table.toc td.n {{ width: 14mm; text-align: right; border-bottom: 0.6pt dotted #555; }}
.pn {{ display: inline-block; width: 0; height: 0; }}
table.toc tr.l0 td {{ font-family: '{FONT_SANS}'; font-weight: bold; padding-top: 3mm; }}
table.toc tr.l1 td.t {{ padding-left: 8mm; }}
table.toc tr.l2 td {{ padding: 1mm 0; font-size: 11pt; }}
table.toc tr.l2 td.t {{ padding-left: 16mm; }}
table.toc tr.l3 td {{ padding: 0.8mm 0; font-size: 10.5pt; }}
table.toc tr.l3 td.t {{ padding-left: 24mm; }}
.glyphs {{ page-break-before: always; font-family: '{FONT_SANS}'; font-size: 10pt; }}
.glyphs .serif {{ font-family: '{FONT_SERIF}'; }}
"""


def _weasyprint() -> ModuleType:
    """weasyprint, imported once. Its import dlopens each library by a list of names for Windows and macOS first;
    each miss makes ``ctypes.util.find_library`` run ldconfig, gcc and ld (measured: 0.5 s against 0.3 s for the
    whole import). While it imports, a miss is just a miss, and the Linux soname further down its list loads
    directly; should that ever fail, the import runs again the slow way."""
    import ctypes.util

    if "weasyprint" not in sys.modules:
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint
        except OSError:
            ctypes.util.find_library = real
            for name in [m for m in sys.modules if m.startswith("weasyprint")]:
                del sys.modules[name]
        finally:
            ctypes.util.find_library = real
    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    module: ModuleType = weasyprint
    return module


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _html(info: CoverInfo, lines: Sequence[TocLine], glyphs: str, numbers: Sequence[int] | None = None) -> str:
    """The front matter's HTML: with ``numbers``, the 目录 prints them (the reference :func:`lay_out_front`'s slots
    are tested against); without, each number cell holds the empty box that marks its place."""
    rows = "".join(
        f'<tr class="l{min(e.level, 3)}"><td class="t">{_e(e.title)}</td><td class="n">'
        f'{numbers[i] if numbers is not None else f"<span class=pn id=pn{i}></span>"}</td></tr>'
        for i, e in enumerate(lines)
    )
    draft = '<div class="draft">草稿 / 未审核</div>' if info.draft else ""
    digits = "0123456789"
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"
        f"<section class='cover'><div class='copy'>{_e(info.copy_label)}</div>"
        f"<div class='project'>{_e(info.project_name)}</div>"
        f"<div class='number'>招标编号：{_e(info.tender_number)}</div>"
        f"<div class='title'>投标文件</div>{draft}"
        f"<table class='who'><tr><td>投标人：</td><td>{_e(info.bidder)}</td></tr>"
        f"<tr><td>日　期：</td><td>{_e(info.date)}</td></tr></table></section>"
        f"<section><h1 class='toc'>目录</h1><table class='toc'>{rows}</table></section>"
        # the digits of the number fonts first: the stamper's font is the page's last
        f"<div class='glyphs'><span class='serif'>{digits}</span> <b>{digits}</b> {_e(glyphs)}</div>"
        "</body></html>"
    )


def front_key(info: CoverInfo, lines: Sequence[TocLine], glyphs: str) -> str:
    """What identifies a front layout: the HTML laid out and the weasyprint laying it out."""
    try:
        version = metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        version = "?"
    h = hashlib.sha256(f"bidkit-front-2\0weasyprint {version}\0".encode())
    h.update(_html(info, lines, glyphs).encode())
    return h.hexdigest()


def _cached(blob: bytes | None, count: int, key: str) -> FrontLayout | None:
    """A stored layout: one line of JSON (the 目录's page count and number slots), then the PDF."""
    if not blob or b"\n" not in blob:
        return None
    head, pdf = blob.split(b"\n", 1)
    try:
        meta = json.loads(head)
        slots = tuple(NumberSlot(int(p), float(x), float(y), str(f), float(z)) for p, x, y, f, z in meta["slots"])
        toc_pages = int(meta["toc_pages"])
    except (ValueError, KeyError, TypeError):
        return None
    if toc_pages < 1 or len(slots) != count or not pdf.startswith(b"%PDF"):
        return None
    return FrontLayout(pdf, 1, toc_pages, slots, key)


def _store(cache: SealedCache, path: Path, layout: FrontLayout) -> None:
    head = json.dumps({"toc_pages": layout.toc_pages,
                       "slots": [[s.page, s.x, s.y, s.face, s.size] for s in layout.slots]})
    cache.write(path, head.encode() + b"\n" + layout.pdf)
    try:
        older = sorted(cache.dir.glob("front-*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in older[CACHE_KEEP:]:
            cache.remove(old)
    except OSError:
        pass  # a cache that cannot be pruned only costs disk


def lay_out_front(info: CoverInfo, lines: Sequence[TocLine], glyphs: str, cache: SealedCache | None = None
                  ) -> FrontLayout:
    """Lay out cover, 目录 (without its page numbers: see :class:`NumberSlot`) and glyph page, in one pass.

    With ``cache``, the same layout (same HTML) is read from there (with this user's tag on it only)."""
    lines = tuple(lines)
    key = front_key(info, lines, glyphs)
    path = cache.dir / f"front-{key}.pdf" if cache is not None else None
    if cache is not None and path is not None:
        hit = _cached(cache.read(path), len(lines), key)
        if hit is not None:
            return hit
    doc = _weasyprint().HTML(string=_html(info, lines, glyphs)).render()
    toc_pages = len(doc.pages) - 2  # minus cover and glyph page
    where: dict[str, NumberSlot] = {}
    for index, page in enumerate(doc.pages):
        for name, (x, y, *_) in page.anchors.items():
            if name.startswith("pn") and name not in where:
                face, size = NUMBER_STYLE[min(lines[int(name[2:])].level, 3)]
                where[name] = NumberSlot(index, x, y, face, size)
    slots = tuple(where.get(f"pn{i}") for i in range(len(lines)))
    if toc_pages < 1 or any(s is None or not 1 <= s.page <= toc_pages for s in slots):
        raise ToolError("weasyprint laid out the 目录 without a place for every page number")
    pdf = doc.write_pdf()
    assert pdf is not None
    layout = FrontLayout(pdf, 1, toc_pages, tuple(s for s in slots if s is not None), key)
    if cache is not None and path is not None:
        _store(cache, path, layout)
    return layout


def html_to_pdf(page: str) -> bytes:
    """Any HTML page (the check report) as PDF bytes, laid out with the same fonts as the cover."""
    weasyprint = _weasyprint()
    pdf: bytes | None = weasyprint.HTML(string=page).write_pdf()
    if pdf is None:
        raise ToolError("weasyprint wrote no PDF")
    return pdf
