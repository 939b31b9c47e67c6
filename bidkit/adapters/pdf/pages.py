"""The generated pages of a package: cover and table of contents (目录), laid out with weasyprint.

The table of contents needs the final page numbers, which depend on how many pages the table itself takes, so
it is laid out until its page count is stable (two passes in practice). The document ends with one extra page
holding the characters the stamper writes (page numbers, draft watermark): :mod:`bidkit.adapters.pdf.stamp` borrows that
page's embedded font subset, so every stamp uses a real embedded CJK font, and then drops the page.

Laying out costs about 0.3 s plus 0.3 s to import weasyprint, so the result is cached by its HTML: re-assembling
after a price change usually gives the same cover and TOC.
"""

from __future__ import annotations

import hashlib
import html
import io
import logging
import sys
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
class FrontMatter:
    pdf: bytes
    cover_pages: int
    toc_pages: int  # the glyph page is not counted; it is the document's last page
    numbers: list[int]  # the printed page number of each TOC entry

    @property
    def pages(self) -> int:
        return self.cover_pages + self.toc_pages


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
table.toc tr.l0 td {{ font-family: '{FONT_SANS}'; font-weight: bold; padding-top: 3mm; }}
table.toc tr.l1 td.t {{ padding-left: 8mm; }}
table.toc tr.l2 td {{ padding: 1mm 0; font-size: 11pt; }}
table.toc tr.l2 td.t {{ padding-left: 16mm; }}
table.toc tr.l3 td {{ padding: 0.8mm 0; font-size: 10.5pt; }}
table.toc tr.l3 td.t {{ padding-left: 24mm; }}
.glyphs {{ page-break-before: always; font-family: '{FONT_SANS}'; font-size: 10pt; }}
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


def _html(info: CoverInfo, entries: list[TocEntry], numbers: list[int], glyphs: str) -> str:
    rows = "".join(
        f'<tr class="l{min(e.level, 3)}"><td class="t">{_e(e.title)}</td><td class="n">{n}</td></tr>'
        for e, n in zip(entries, numbers, strict=True)
    )
    draft = '<div class="draft">草稿 / 未审核</div>' if info.draft else ""
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"
        f"<section class='cover'><div class='copy'>{_e(info.copy_label)}</div>"
        f"<div class='project'>{_e(info.project_name)}</div>"
        f"<div class='number'>招标编号：{_e(info.tender_number)}</div>"
        f"<div class='title'>投标文件</div>{draft}"
        f"<table class='who'><tr><td>投标人：</td><td>{_e(info.bidder)}</td></tr>"
        f"<tr><td>日　期：</td><td>{_e(info.date)}</td></tr></table></section>"
        f"<section><h1 class='toc'>目录</h1><table class='toc'>{rows}</table></section>"
        f"<div class='glyphs'>{_e(glyphs)}</div>"
        "</body></html>"
    )


def prewarm() -> None:
    """Import weasyprint and load the CJK faces once (about 0.5 s), e.g. while LibreOffice converts."""
    weasyprint = _weasyprint()
    weasyprint.HTML(string=f"<p style=\"font-family:'{FONT_SERIF}'\">目</p>"
                    f"<p style=\"font-family:'{FONT_SANS}'\">录</p>").render()


def _cache_key(first_pass: str) -> str:
    try:
        version = metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        version = "?"
    h = hashlib.sha256(f"bidkit-front-1\0weasyprint {version}\0".encode())
    h.update(first_pass.encode())
    return h.hexdigest()


def _cached(blob: bytes | None, entries: list[TocEntry]) -> FrontMatter | None:
    import pikepdf

    if not blob:
        return None
    try:
        with pikepdf.open(io.BytesIO(blob)) as pdf:
            toc_pages = len(pdf.pages) - 2
    except pikepdf.PdfError:
        return None
    if toc_pages < 1:
        return None
    return FrontMatter(pdf=blob, cover_pages=1, toc_pages=toc_pages,
                       numbers=[1 + toc_pages + e.body_page for e in entries])


def _store(cache: SealedCache, path: Path, pdf: bytes) -> None:
    cache.write(path, pdf)
    try:
        older = sorted(cache.dir.glob("front-*.pdf"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in older[CACHE_KEEP:]:
            cache.remove(old)
    except OSError:
        pass  # a cache that cannot be pruned only costs disk


# approximate heights (mm) from _CSS: an A4 page's text block, the 目录 title, a chapter row, a part row
_BLOCK_MM, _TITLE_MM = 247.0, 17.0
_ROW_MM = (10.95, 9.5, 7.8, 7.15)  # a one-line row of each level, as weasyprint lays them out (measured)
_ROW_CHARS = 38  # full-width characters that fit on one row beside the page number


def _guess_toc_pages(entries: list[TocEntry]) -> int:
    """How many pages the TOC will take, estimated; :func:`render_front` lays it out again when wrong."""
    used = _TITLE_MM
    for e in entries:
        width = sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in e.title)
        lines = max(1, -(-int(width) // _ROW_CHARS))
        used += _ROW_MM[min(e.level, 3)] + (lines - 1) * 6.2
    return max(1, -(-int(used) // int(_BLOCK_MM)))


def render_front(
    info: CoverInfo, entries: list[TocEntry], glyphs: str, cache: SealedCache | None = None
) -> FrontMatter:
    """Lay out cover + TOC (+ the glyph page) with the real page numbers; return the PDF bytes.

    With ``cache``, an identical layout job (same HTML for the first pass) is read from there (with this user's
    tag on it only).
    """
    path = None
    if cache is not None:
        # the first pass's HTML fixes every later pass, so it identifies the result
        first = _html(info, entries, [2 + e.body_page for e in entries], glyphs)
        path = cache.dir / f"front-{_cache_key(first)}.pdf"
        hit = _cached(cache.read(path), entries)
        if hit is not None:
            return hit

    weasyprint = _weasyprint()
    toc_pages = _guess_toc_pages(entries)  # right first time saves a whole layout pass (~0.1 s)
    for _ in range(4):
        # printed number = 0-based physical index (the cover carries none)
        numbers = [1 + toc_pages + e.body_page for e in entries]
        doc = weasyprint.HTML(string=_html(info, entries, numbers, glyphs)).render()
        laid_out = len(doc.pages) - 2  # minus cover and glyph page
        if laid_out == toc_pages:
            break
        toc_pages = laid_out
    pdf = doc.write_pdf()
    assert pdf is not None
    if cache is not None and path is not None:
        _store(cache, path, pdf)
    return FrontMatter(pdf=pdf, cover_pages=1, toc_pages=toc_pages, numbers=numbers)


def html_to_pdf(page: str) -> bytes:
    """Any HTML page (the check report) as PDF bytes, laid out with the same fonts as the cover."""
    weasyprint = _weasyprint()
    pdf: bytes | None = weasyprint.HTML(string=page).write_pdf()
    if pdf is None:
        raise ToolError("weasyprint wrote no PDF")
    return pdf
