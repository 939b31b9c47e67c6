"""The PDF stage of a package, all with pikepdf: merge the book, number the pages, stamp the seals, bookmarks.

The book is a list of volumes, each a list of chapters; a chapter has pages of its own (a converted form or
file, or the bidder's PDF) and/or attachments (scans) after them. Three steps: :func:`merge` (cover and 目录
laid out with the real page numbers, every page in order), :func:`stamp_book` (page numbers, seals on their
anchors and on copies, the cross-page seal, evidence page numbers, a draft's watermark), :func:`save`.

pikepdf (qpdf) was picked by measurement: on 504 pages it merged in 0.25 s against pypdf's 0.8 s and stamped a
seal on every page in 0.2 s against 0.6 s; ``benchmarks/bench_assemble.py`` keeps measuring it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from bidkit.adapters.pdf import place, stamp
from bidkit.adapters.pdf.attachments import Opened, open_attachment
from bidkit.adapters.pdf.pages import (
    PX,
    CoverInfo,
    FrontLayout,
    TocEntry,
    TocLine,
    front_key,
    lay_out_front,
)
from bidkit.adapters.pdf.text import Hit, PageText, find_anchors, locate_headings, page_words, squeeze
from bidkit.adapters.sealed import SealedCache
from bidkit.core.errors import InputError, ToolError
from bidkit.core.models import PackageConfig

COMPANY_SEAL_MM = 42.0  # a company seal is 40–42 mm across
LEGAL_SEAL_MM = 20.0
CROSS_SEAL_MM = 40.0
NUMBER_PT = 9.0
NUMBER_BOTTOM_MM = 9.0
HEADER_BAND_MM = 21.0  # a chapter page's running header and its rule (1.5 cm from the top, 小五, a rule below)
EVIDENCE_PT = (9.0, 7.5)  # 小五 where the cell is wide enough, else 六号, the smallest a printed number may be
WATERMARK = "草稿 / 未审核"
COPY_NOTE = "复印件与原件一致"
EVIDENCE_HEADER = "证明材料"  # the column of a table that the evidence page numbers fill


@dataclass(frozen=True)
class AttachmentInput:
    name: str  # its id, unique in the book
    title: str
    path: Path
    display: str  # workspace-relative, for messages
    stamp: bool = True  # 复印件加盖公章


@dataclass(frozen=True)
class ChapterInput:
    name: str  # unique in the book
    title: str  # the tender's title: 目录 and bookmark
    pdf: Path | None  # its own pages; None: attachments only
    words: list[PageText] | None = None  # page_words(pdf), when already read
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level 1..3, text) of its own, for the 目录
    attachments: list[AttachmentInput] = field(default_factory=list)
    needs_seal: bool = False  # sealed on its last page when no anchor of its own takes the seal
    copy_note: bool = False
    evidence_rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (row 序号, attachment names)
    cover: bool = False  # a volume's title page: the volume's own 目录 entry
    read_words: bool = True  # False: no seal anchor and no evidence cell in its text (a long chapter of the
    # bidder's own): its words are not read, its headings' pages come from the PDF's own bookmarks


@dataclass(frozen=True)
class VolumeInput:
    name: str
    title: str
    chapters: list[ChapterInput]


@dataclass(frozen=True)
class SealFiles:
    company: Path | None
    company_display: str = ""
    legal_rep: Path | None = None
    legal_rep_display: str = ""


@dataclass(frozen=True)
class Section:
    """A stretch of the package: physical 1-based page range."""

    kind: str  # "front", "chapter", "attachment"
    name: str
    title: str
    first: int
    last: int
    source: Path | None = None
    notes: tuple[str, ...] = ()  # what sealing changed in an attachment (encryption dropped, form flattened …)


@dataclass
class Composed:
    pages: int
    sections: list[Section]
    toc: list[tuple[str, int]]  # (title, printed page number)
    chapters: list[tuple[str, str, int]]  # (volume, chapter title, physical 1-based page)
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)  # attachment → printed first, last page
    seals: int = 0
    legal_rep_seals: int = 0
    copy_seals: int = 0
    cross_page_groups: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # for the user: what the PDF writer had to say


@dataclass
class _Chapter:
    spec: ChapterInput
    pdf: pikepdf.Pdf | None
    words: list[PageText]
    heading_pages: list[int | None]
    offset: int  # 0-based index of its first page among the body pages
    own_pages: int
    attachments: list[tuple[AttachmentInput, int, pikepdf.Pdf]]  # (input, body offset, opened)
    volume: str = ""


def _glyphs(config: PackageConfig, draft: bool) -> str:
    chars = set("0123456789–") | set(config.page_number_format.replace("{n}", "").replace("{total}", ""))
    chars |= set("第页" + COPY_NOTE)
    if draft:
        chars |= set(WATERMARK)
    return " ".join(sorted(chars - {"\n", " "}))  # spaced out, so the space glyph is there too


def _toc(volumes: list[tuple[VolumeInput, list[_Chapter]]]) -> list[TocEntry]:
    entries = []
    for vol, chapters in volumes:
        if not chapters:
            continue
        entries.append(TocEntry(vol.title, chapters[0].offset, 0))
        for ch in chapters:
            if ch.spec.cover:
                continue
            entries.append(TocEntry(ch.spec.title, ch.offset, 1))
            for (level, text), page in zip(ch.spec.headings, ch.heading_pages, strict=True):
                if page is not None:
                    entries.append(TocEntry(text, ch.offset + page, min(level + 1, 3)))
            entries += [TocEntry(att.title, off, 2) for att, off, _ in ch.attachments]
    return entries


def toc_lines(volumes: Sequence[VolumeInput]) -> tuple[TocLine, ...]:
    """The 目录's lines as :func:`merge` finds them (:func:`_toc`) when every heading is found in its chapter's
    pages: to lay the front matter out while the chapters convert. (A heading not found drops its line, and
    :func:`merge` lays the front out again.)"""
    lines: list[TocLine] = []
    for vol in volumes:
        if not vol.chapters:
            continue
        lines.append(TocLine(vol.title, 0))
        for ch in vol.chapters:
            if ch.cover:
                continue
            lines.append(TocLine(ch.title, 1))
            lines += [TocLine(text, min(level + 1, 3)) for level, text in ch.headings]
            lines += [TocLine(att.title, 2) for att in ch.attachments]
    return tuple(lines)


def front_layout(cover: CoverInfo, volumes: Sequence[VolumeInput], config: PackageConfig, *, draft: bool = False,
                 cache: SealedCache | None = None) -> FrontLayout:
    """Cover and 目录 laid out ahead, without page numbers (pass it to :func:`merge`)."""
    return lay_out_front(cover, toc_lines(volumes), _glyphs(config, draft), cache)


def _number_fonts(glyph_page: pikepdf.Page) -> dict[str, tuple[str, stamp.StampFont]]:
    """The fonts of the 目录's page numbers, from the glyph page: face (see pages.NUMBER_STYLE) → (resource name
    to use, font)."""
    found: dict[str, tuple[str, stamp.StampFont]] = {}
    for _, font in glyph_page.obj.Resources.Font.items():
        base = str(font.get("/BaseFont", ""))
        face = "sans-bold" if "Sans" in base and "Bold" in base else \
            "serif" if "Serif" in base and "Bold" not in base else None
        if face is not None and face not in found:
            found[face] = (f"/BKtoc{len(found)}", stamp.StampFont(font))
    return found


def _number_toc(pdf: pikepdf.Pdf, layout: FrontLayout, numbers: list[int]) -> None:
    """Write each 目录 line's page number into its place (right-aligned, on the row's baseline), drawn in
    weasyprint's own page space (its page matrix, CSS px, coordinates written as it writes them): the number
    sits on exactly its title's baseline, and text extraction reads each row as before."""
    fonts = _number_fonts(pdf.pages[-1])
    ops: dict[int, list[str]] = {}
    for slot, number in zip(layout.slots, numbers, strict=True):
        if slot.face not in fonts:
            raise ToolError(f"generated pages carry no {slot.face} font for the 目录's page numbers")
        name, font = fonts[slot.face]
        text, size = str(number), int(slot.size / PX * 1024) / 1024  # as weasyprint sizes it (Pango's units)
        height = pdf.pages[slot.page].obj.MediaBox[3]
        ops.setdefault(slot.page, []).append(
            f"q 1 0 0 -1 0 {height} cm 0.75 0 0 0.75 0 0 cm BT {name} {size:f} Tf 0 g "
            f"1 0 0 -1 {slot.x - font.width(text, size):f} {slot.y:f} Tm <{font.encode(text).hex()}> Tj ET Q")
    resources = {"/Font": {name: font.font for name, font in fonts.values()}}
    for index, page_ops in ops.items():
        stamp.stamp_page(pdf, pdf.pages[index], page_ops, resources)


def _strip_page(page: pikepdf.Dictionary) -> None:
    """Drop per-page metadata and structure links that do not survive the merge (or could leak paths)."""
    for key in ("/Metadata", "/PieceInfo", "/StructParents", "/Thumb", "/B"):
        if key in page:
            del page[key]


def _glyph_font(page: pikepdf.Page) -> pikepdf.Object:
    """The font the glyph page's text is set in (the last ``Tf`` on the page)."""
    name = None
    for instruction in pikepdf.parse_content_stream(page):
        if str(instruction.operator) == "Tf":
            name = instruction.operands[0]
    if name is None:
        raise ToolError("generated pages carry no font for the page numbers")
    return page.obj.Resources.Font[str(name)]


def _cross_groups(total: int, group: int) -> list[range]:
    groups = [range(i, min(i + group, total)) for i in range(0, total, group)]
    if len(groups) > 1 and len(groups[-1]) == 1:  # a one-page group would carry the whole seal: join it
        last = groups.pop()
        groups[-1] = range(groups[-1].start, last.stop)
    return [g for g in groups if len(g) > 1]


def _clamp(v: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, v))


def _words(chapter: ChapterInput) -> list[PageText]:
    if chapter.pdf is None or not chapter.read_words:
        return []
    return chapter.words if chapter.words is not None else page_words(chapter.pdf)


def _blank_pages(pdf: pikepdf.Pdf) -> list[PageText]:
    out = []
    for page in pdf.pages:
        box = [float(v) for v in page.mediabox]
        out.append(PageText(box[2] - box[0], box[3] - box[1], []))
    return out


def _bookmarked(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    """(title, 0-based page) of the PDF's own bookmarks in order (LibreOffice exports Word's headings as them)."""
    pages: dict[Any, int] = {p.objgen: i for i, p in enumerate(pdf.pages)}
    out: list[tuple[str, int]] = []

    def walk(items: Any) -> None:
        for item in items:
            dest = item.destination
            if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in pages:
                out.append((str(item.title), pages[dest[0].objgen]))
            elif isinstance(dest, int):
                out.append((str(item.title), dest))
            walk(item.children)

    try:
        with pdf.open_outline() as outline:
            walk(outline.root)
    except (pikepdf.PdfError, ValueError):
        return []
    return out


def heading_pages(pdf: pikepdf.Pdf | None, words: list[PageText], headings: list[str]) -> list[int | None]:
    """The page of each heading: from the PDF's own bookmarks when every heading is among them in order, else
    found in the page text."""
    if pdf is not None and headings:
        marks = [(squeeze(t), p) for t, p in _bookmarked(pdf)]
        found: list[int | None] = []
        at = 0
        for heading in headings:
            want = squeeze(heading)
            hit = next((i for i in range(at, len(marks)) if marks[i][0] == want), None)
            if hit is None:
                break
            found.append(marks[hit][1])
            at = hit + 1
        if len(found) == len(headings):
            return found
        if not words:
            words = page_words(Path(pdf.filename))
    return locate_headings(words, headings)


# --- merge ---------------------------------------------------------------------------------------------------


@dataclass
class Book:
    """The package's pages merged in memory (front matter, then every volume's chapters and attachments), before
    stamping and saving; use it as a context manager, which closes every PDF opened for it."""

    pdf: pikepdf.Pdf
    front: FrontLayout
    volumes: list[tuple[VolumeInput, list[_Chapter]]]
    font: stamp.StampFont
    stack: contextlib.ExitStack[bool | None]
    timings: dict[str, float] = field(default_factory=dict)
    toc_numbers: list[int] = field(default_factory=list)  # the printed page number of each 目录 line
    kinds: list[str] = field(default_factory=list)  # per page: front, chapter (has a running header), attachment
    mounted: set[int] = field(default_factory=set)  # 0-based pages: a small attachment page mounted on A4
    attachment_notes: dict[str, list[str]] = field(default_factory=dict)  # what opening each changed in it

    def __enter__(self) -> Book:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    @property
    def pages(self) -> int:
        return len(self.pdf.pages)

    def chapters(self) -> list[_Chapter]:
        return [ch for _, chapters in self.volumes for ch in chapters]

    def printed(self, body_index: int) -> int:
        """The printed page number of a body page (0-based among the pages after the front matter): page numbers
        start after the cover, so a page's number is its 0-based place in the file."""
        return self.front.pages + body_index


def merge(cover: CoverInfo, volumes: list[VolumeInput], config: PackageConfig, *, draft: bool = False,
          front_cache: SealedCache | None = None, front: FrontLayout | None = None) -> Book:
    """Open every chapter and attachment, number the 目录 (``front``, laid out ahead by :func:`front_layout`, when
    it is the layout of this book's lines; else laid out now), merge every page."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    stack = contextlib.ExitStack()
    try:
        specs = [ch for vol in volumes for ch in vol.chapters]
        with ThreadPoolExecutor(max_workers=4) as pool:  # chapter texts (anchors, headings) while scans open
            futures = [pool.submit(_words, ch) for ch in specs]
            opened: dict[str, pikepdf.Pdf] = {}
            handled: dict[str, Opened] = {}
            for ch in specs:
                for att in ch.attachments:
                    if att.name not in opened:
                        op = open_attachment(att.path, att.display)
                        stack.callback(op.close)
                        opened[att.name] = op.pdf
                        handled[att.name] = op
            words = [f.result() for f in futures]
        laid: list[tuple[VolumeInput, list[_Chapter]]] = []
        offset = 0
        it = iter(words)
        for vol in volumes:
            chapters = []
            for spec in vol.chapters:
                pw = next(it)
                own = None
                if spec.pdf is not None:
                    try:
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            own = pikepdf.open(spec.pdf)
                    except pikepdf.PdfError as exc:
                        raise ToolError(f"{spec.name}: PDF unreadable ({str(exc)[-100:]})") from None
                    stack.callback(own.close)
                    if not spec.read_words:
                        pw = _blank_pages(own)
                    elif len(own.pages) != len(pw):
                        raise ToolError(f"{spec.name}: pdftotext saw {len(pw)} pages, the PDF has {len(own.pages)}")
                n_own = len(own.pages) if own is not None else 0
                heads = heading_pages(own, pw if spec.read_words else [], [text for _, text in spec.headings])
                start = offset
                offset += n_own
                atts = []
                for att in spec.attachments:
                    atts.append((att, offset, opened[att.name]))
                    offset += len(opened[att.name].pages)
                chapters.append(_Chapter(spec, own, pw, heads, start, n_own, atts, vol.name))
            laid.append((vol, chapters))
        timings["read"] = time.perf_counter() - t0

        t1 = time.perf_counter()
        toc = _toc(laid)
        lines = tuple(TocLine(e.title, e.level) for e in toc)
        glyphs = _glyphs(config, draft)
        layout = front if front is not None and front.key == front_key(cover, lines, glyphs) else \
            lay_out_front(cover, lines, glyphs, front_cache)
        numbers = layout.numbers([e.body_page for e in toc])
        front_pdf = pikepdf.open(io.BytesIO(layout.pdf))
        stack.callback(front_pdf.close)
        _number_toc(front_pdf, layout, numbers)
        timings["front"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        out = pikepdf.new()
        stack.callback(out.close)
        for page in list(front_pdf.pages)[: layout.pages]:
            out.pages.append(page)
        font = stamp.StampFont(out.copy_foreign(_glyph_font(front_pdf.pages[-1])))
        kinds = ["front"] * layout.pages
        mounted: set[int] = set()
        for _, laid_chapters in laid:
            for lc in laid_chapters:
                if lc.pdf is not None:
                    for page in lc.pdf.pages:
                        stamp.push_inherited(page.obj)
                        out.pages.append(page)
                    kinds += ["chapter"] * len(lc.pdf.pages)
                for att, _, att_pdf in lc.attachments:
                    op = handled[att.name]
                    mounted |= {len(out.pages) + i for i in op.mounted}
                    for page in att_pdf.pages:
                        stamp.push_inherited(page.obj)
                        out.pages.append(page)
                    kinds += ["attachment"] * len(att_pdf.pages)
        for page in out.pages:
            _strip_page(page.obj)
        assert len(out.pages) == layout.pages + offset
        timings["merge"] = time.perf_counter() - t2
        return Book(out, layout, laid, font, stack, timings, toc_numbers=numbers, kinds=kinds, mounted=mounted,
                    attachment_notes={name: op.notes for name, op in handled.items()})
    except BaseException:
        stack.close()
        raise


# --- stamps --------------------------------------------------------------------------------------------------


@dataclass
class Stamps:
    seals: int = 0
    legal_rep_seals: int = 0
    copy_seals: int = 0
    cross_page_groups: int = 0
    evidence: dict[str, tuple[int, int]] = field(default_factory=dict)
    placed: dict[int, list[place.Shape]] = field(default_factory=dict)  # 0-based page → seals (visual frame)
    slices: dict[int, place.Box] = field(default_factory=dict)  # 0-based page → its cross-page slice


def evidence_pages(book: Book) -> dict[str, tuple[int, int]]:
    """Each attachment's first and last printed page number in the package (its first place, if twice)."""
    out: dict[str, tuple[int, int]] = {}
    for ch in book.chapters():
        for att, off, pdf in ch.attachments:
            out.setdefault(att.name, (book.printed(off), book.printed(off + len(pdf.pages) - 1)))
    return out


def _evidence_label(first: int, last: int) -> str:
    return f"第 {first} 页" if first == last else f"第 {first}–{last} 页"


def _band(fr: stamp.Frame, kind: str) -> place.Band:
    """Where a seal may stand on a page: below a chapter's running header, above the page number."""
    bottom = NUMBER_BOTTOM_MM * stamp.MM + NUMBER_PT * 1.4 + 2
    top = fr.height - (HEADER_BAND_MM * stamp.MM if kind == "chapter" else 2)
    return place.Band(fr.width, fr.height, min(bottom, fr.height / 2), max(top, fr.height / 2))


def bound_matrix(fr: stamp.Frame) -> tuple[float, float, float, float, float, float] | None:
    """From the page as bound (portrait, the spine on the left) to the page as displayed: None for a portrait
    page; a landscape page is bound turned a quarter, its top at the spine, so its bottom edge is the
    fore-edge."""
    if fr.width <= fr.height:
        return None
    return (0, -1, 1, 0, 0, fr.height)


def stamp_book(book: Book, seals: SealFiles, config: PackageConfig, draft: bool,
               copy_spots: dict[str, list[tuple[float, float]]] | None = None, *,
               company_mm: float = COMPANY_SEAL_MM, legal_mm: float = LEGAL_SEAL_MM) -> Stamps:
    """Page numbers, seals on their anchors, on sealed chapters and on copies, the cross-page seal, the evidence
    page numbers in the tables that cite them, and (for a draft) the watermark.

    ``copy_spots``: for each attachment, where on each of its pages the seal covers the least content (visual
    centre, points from the bottom left), e.g. from :func:`bidkit.adapters.pdf.stamp.quiet_spots`; without it a
    copy is sealed at its lower right. Seals keep their real sizes (``company_mm`` across, ``legal_mm`` wide)
    and are placed by :mod:`bidkit.adapters.pdf.place`: off other seals, off text outside the signature block,
    off the running header and the page number."""
    t3 = time.perf_counter()
    out, font, front = book.pdf, book.font, book.front
    total = len(out.pages)
    ops: list[list[str]] = [[] for _ in range(total)]
    xobjects: dict[str, pikepdf.Object] = {}
    result = Stamps()
    frames = [stamp.frame(p.obj) for p in out.pages]
    kinds = book.kinds or ["chapter"] * total
    placed: dict[int, list[place.Shape]] = {}

    company = stamp.seal_image(out, seals.company, seals.company_display) if seals.company and not draft else None
    legal = stamp.seal_image(out, seals.legal_rep, seals.legal_rep_display) if seals.legal_rep and not draft \
        else None
    if company:
        xobjects["/BKseal"] = company.xobject
    if legal:
        xobjects["/BKlegal"] = legal.xobject

    def draw(image: stamp.SealImage, name: str, page: int, shape: place.Shape) -> None:
        ops[page].append(stamp.image_op(name, shape.cx - shape.w / 2, shape.cy - shape.h / 2, shape.w, shape.h))
        placed.setdefault(page, []).append(shape)

    cw = company_mm * stamp.MM
    base = front.pages
    for ch in book.chapters():
        first = base + ch.offset
        n = ch.own_pages
        sealed: set[int] = set()
        company_hits = find_anchors(ch.words, list(config.seal_anchors)) if company else []
        legal_hits = find_anchors(ch.words, list(config.legal_rep_anchors)) if legal else []
        by_page: dict[int, list[Hit]] = {}
        for hit in company_hits + legal_hits:
            by_page.setdefault(hit.page, []).append(hit)
        guard = {p: place.protected(ch.words[p], hits) for p, hits in by_page.items()}
        lw = legal_mm * stamp.MM
        for p, hits in sorted(by_page.items()):
            page = first + p
            fr = frames[page]
            band = _band(fr, kinds[page])
            ours = [h for h in hits if h in company_hits]
            theirs = [h for h in hits if h in legal_hits]
            best: tuple[float, list[place.Shape], list[place.Shape]] | None = None
            # the company seal over the end of the company name and its anchor, where it leaves the personal seal
            # nearest its own anchor: a few ways to stamp the page, the one moving the seals least
            for lean in (0.0, 0.5, 1.0):
                shapes: list[place.Shape] = list(placed.get(page, []))
                moved = 0.0
                rounds, squares = [], []
                for hit in ours:
                    assert company is not None
                    x = hit.x0 + (hit.x - hit.x0) * lean if hit.x0 - hit.line_x0 > cw / 4 else hit.x
                    s = place.place(place.Shape(x, hit.y, cw, cw * company.aspect, True), band, guard[p], shapes,
                                    reach_x=cw * 0.5, reach_down=cw * 0.6, reach_up=cw * 0.2)
                    moved += abs(s.cx - hit.x) * 0.2 + abs(s.cy - hit.y)
                    shapes.append(s)
                    rounds.append(s)
                for hit in theirs:
                    assert legal is not None
                    s = place.place(place.Shape(hit.x, hit.y, lw, lw * legal.aspect, False), band, guard[p],
                                    shapes, reach_x=fr.width / 2, reach_down=lw, reach_up=lw * 0.3)
                    # on the label before its anchor (法定代表人：) it hides what it signs: that counts double
                    moved += abs(s.cx - hit.x) * (2 if s.cx < hit.x0 else 1) + abs(s.cy - hit.y)
                    shapes.append(s)
                    squares.append(s)
                if best is None or moved < best[0] - 0.5:
                    best = (moved, rounds, squares)
            assert best is not None
            for shape in best[1]:
                assert company is not None
                draw(company, "/BKseal", page, shape)
                sealed.add(p)
                result.seals += 1
            for shape in best[2]:
                assert legal is not None
                draw(legal, "/BKlegal", page, shape)
                result.legal_rep_seals += 1
        if company:
            defaults: set[int] = set()
            if ch.spec.needs_seal and n and not sealed:
                defaults.add(n - 1)
            for extra in config.extra_seals:
                if extra.part in (ch.spec.name, ch.volume) and not (extra.part == ch.volume and not ch.spec.cover):
                    page = extra.page - 1 if extra.page > 0 else n + extra.page
                    if not 0 <= page < n:
                        raise InputError(f"bidkit.yaml package.extra_seals: {extra.part} has no page {extra.page}")
                    defaults.add(page)
            for page in sorted(defaults):
                fr = frames[first + page]
                words = ch.words[page] if page < len(ch.words) else None
                boxes = place.protected(words, []) if words is not None else []
                shape = place.place(place.Shape(fr.width - 45 * stamp.MM, 55 * stamp.MM, cw, cw * company.aspect,
                                                True), _band(fr, kinds[first + page]), boxes,
                                    placed.get(first + page, []), reach_x=fr.width / 2, reach_down=0,
                                    reach_up=fr.height * 0.6, step=8.0)
                draw(company, "/BKseal", first + page, shape)
                result.seals += 1
            for att, off, pdf in ch.attachments:
                if not att.stamp:
                    continue
                spots = (copy_spots or {}).get(att.name, [])
                for i in range(len(pdf.pages)):
                    page = base + off + i
                    fr = frames[page]
                    quiet = spots[i] if i < len(spots) and page not in book.mounted else None
                    x, y = quiet or (fr.width - cw * 0.75, cw * 0.75)
                    shape = _band(fr, kinds[page]).clamp(place.Shape(x, y, cw, cw * company.aspect, True))
                    draw(company, "/BKseal", page, shape)
                    result.copy_seals += 1
                    if ch.spec.copy_note:
                        size = 9.0
                        width = font.width(COPY_NOTE, size)
                        tx = _clamp(shape.cx - width / 2, 2, max(fr.width - width - 2, 2))
                        ty = _clamp(shape.cy - shape.h / 2 - size * 1.6, 2, fr.height - size - 2)
                        ops[page].append(stamp.text_op(font, COPY_NOTE, size, tx, ty))

    # the evidence page numbers, in the column of the tables that cite them
    result.evidence = evidence_pages(book)
    for ch in book.chapters():
        for page, left, width, top, labels in _evidence_cells(ch, result.evidence):
            y = top
            for label in labels:
                size, lines = _fit(font, label, width)
                for line in lines:
                    ops[base + ch.offset + page].append(stamp.text_op(font, line, size, left, y))
                    y -= size * 1.25

    # the cross-page seal, group by group: each page shows its slice on the edge that is the fore-edge once the
    # book is bound (a landscape page's bottom edge), so the fanned pages of a group show the whole seal
    slices: dict[int, place.Box] = {}
    if company:
        w = CROSS_SEAL_MM * stamp.MM
        h = w * company.aspect
        groups = _cross_groups(total, config.cross_page_seal_group)
        for group in groups:
            k = len(group)
            slice_w = w / k
            for i, page in enumerate(group):
                fr = frames[page]
                matrix = bound_matrix(fr)
                bw, bh = (fr.height, fr.width) if matrix else (fr.width, fr.height)  # the page as bound
                x = bw - (i + 1) * slice_w
                y = bh / 2 - h / 2
                op = stamp.clipped_image_op("/BKseal", x, y, w, h, (bw - slice_w, y, slice_w, h))
                if matrix:
                    op = "q " + " ".join(stamp._num(v) for v in matrix) + " cm " + op + " Q"
                    slices[page] = place.Box(y, 0, y + h, slice_w)
                else:
                    slices[page] = place.Box(bw - slice_w, y, bw, y + h)
                ops[page].append(op)
        result.cross_page_groups = len(groups)

    # page numbers after the cover, on a white backing: printed number = 0-based physical index
    fmt = config.page_number_format
    for index in range(front.cover_pages, total):
        fr = frames[index]
        text = fmt.replace("{n}", str(index)).replace("{total}", str(total - front.cover_pages))
        width = font.width(text, NUMBER_PT)
        x, y = (fr.width - width) / 2, NUMBER_BOTTOM_MM * stamp.MM
        pad = NUMBER_PT * 0.35
        backing = place.Box(x - pad, y - NUMBER_PT * 0.3, x + width + pad, y + NUMBER_PT * 1.1)
        cut = slices.get(index)
        if cut is not None and cut.intersects(backing):  # a landscape page's slice sits at its bottom centre
            x = fr.width - width - 25 * stamp.MM
            backing = place.Box(x - pad, backing.y0, x + width + pad, backing.y1)
        ops[index].append(stamp.backing_op(backing.x0, backing.y0, backing.x1 - backing.x0,
                                           backing.y1 - backing.y0))
        ops[index].append(stamp.text_op(font, text, NUMBER_PT, x, y))

    alpha = None
    if draft:
        alpha = out.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.ExtGState, ca=0.22, CA=0.22))
        for index in range(total):
            ops[index].append(stamp.watermark_op(font, WATERMARK, frames[index]))

    resources: dict[str, dict[str, pikepdf.Object]] = {"/Font": {stamp.FONT_NAME: font.font}}
    if xobjects:
        resources["/XObject"] = xobjects
    if alpha is not None:
        resources["/ExtGState"] = {stamp.ALPHA_NAME: alpha}
    for index, out_page in enumerate(out.pages):
        stamp.stamp_page(out, out_page, ops[index], resources)
    result.placed = {p: list(v) for p, v in placed.items()}
    result.slices = slices
    book.timings["stamp"] = time.perf_counter() - t3
    return result


def _fit(font: stamp.StampFont, label: str, width: float) -> tuple[float, list[str]]:
    """``第 37–38 页`` on one line at the largest size the cell takes, else broken before 页 (never inside a
    number)."""
    for size in EVIDENCE_PT:
        if font.width(label, size) <= width:
            return size, [label]
    head, _, _ = label.rpartition(" 页")
    return EVIDENCE_PT[-1], [head, "页"] if head else [label]


def _evidence_cells(ch: _Chapter, pages: dict[str, tuple[int, int]]
                    ) -> list[tuple[int, float, float, float, list[str]]]:
    """Where the page numbers of each row's evidence go: (page within the chapter, left x, cell width, first
    baseline y, labels).

    The row is found by its 序号 in the table's first column, the cell by the column headed 证明材料…, on each
    page of the chapter (a long table repeats its header)."""
    wanted = {no: [pages[a] for a in atts if a in pages] for no, atts in ch.spec.evidence_rows}
    out = []
    for index, page in enumerate(ch.words):
        # a narrow header cell breaks its title (序/号, 证明材/料页码): its first characters are enough
        head_no = next((w for w in page.words if w.text.startswith("序")), None)
        head_ev = next((w for w in page.words if w.text.startswith(EVIDENCE_HEADER[:2])), None)
        if head_no is None or head_ev is None:
            continue
        left = head_ev.x0 - 1  # the header's first line spans the cell's text width
        width = head_ev.x1 - head_ev.x0 + 2
        for w in page.words:
            if not w.text.isdigit() or w.y1 > head_no.y0 + 1:
                continue
            if not (head_no.x0 - 6 <= (w.x0 + w.x1) / 2 <= head_no.x1 + 6):
                continue
            found = wanted.get(int(w.text))
            if not found:
                continue
            out.append((index, left, width, w.y0 + 1, [_evidence_label(first, last) for first, last in found]))
    return out


# --- save ----------------------------------------------------------------------------------------------------


class _Sink(io.RawIOBase):
    """A file qpdf writes to that never raises: a write error (a full disk) is kept and raised after qpdf returns.
    qpdf hit by ENOSPC while flushing in a destructor calls std::terminate, which aborts the whole process."""

    def __init__(self, fh: io.BufferedWriter) -> None:
        super().__init__()
        self.fh = fh
        self.error: OSError | None = None

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]  # bytes-like in
        if self.error is None:
            try:
                self.fh.write(data)
            except OSError as exc:
                self.error = exc
        return len(data)


_FONT_PROGRAMS = ("/FontFile", "/FontFile2", "/FontFile3")


def share_fonts(pdf: pikepdf.Pdf) -> int:
    """Keep one copy of each embedded font program and ToUnicode map: the forms LibreOffice converted as one
    document (:mod:`bidkit.adapters.render.join`) each carry the whole document's fonts, which the merged package
    would otherwise hold once per form. Returns how many references now share a copy."""
    seen: dict[bytes, pikepdf.Object] = {}
    visited: set[tuple[int, int]] = set()
    shared = 0

    def one(owner: pikepdf.Object, key: str) -> None:
        nonlocal shared
        stream = owner.get(key)
        if not isinstance(stream, pikepdf.Stream) or not stream.is_indirect:
            return
        h = hashlib.sha256(stream.read_raw_bytes())
        for name in ("/Filter", "/Subtype", "/Length1", "/Length2", "/Length3"):
            h.update(f"{name}={stream.stream_dict.get(name)!r};".encode())
        first = seen.setdefault(h.digest(), stream)
        if first.objgen != stream.objgen:
            owner[key] = first
            shared += 1

    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(fonts, pikepdf.Dictionary):
            continue
        for _, font in fonts.items():
            if not isinstance(font, pikepdf.Dictionary) or font.objgen in visited:
                continue
            visited.add(font.objgen)
            one(font, "/ToUnicode")
            descendants = font.get("/DescendantFonts")
            for part in [font, *(descendants if isinstance(descendants, pikepdf.Array) else [])]:
                descriptor = part.get("/FontDescriptor") if isinstance(part, pikepdf.Dictionary) else None
                if isinstance(descriptor, pikepdf.Dictionary):
                    for key in _FONT_PROGRAMS:
                        one(descriptor, key)
    return shared


def save(book: Book, stamps: Stamps, target: Path, *, draft: bool = False, title: str = "", author: str = ""
         ) -> Composed:
    """Bookmarks, document information, and the (unsigned) package written to ``target``, fsynced."""
    t4 = time.perf_counter()
    out, front = book.pdf, book.front
    sections = [Section("front", "cover", "封面", 1, front.cover_pages),
                Section("front", "toc", "目录", front.cover_pages + 1, front.pages)]
    chapters: list[tuple[str, str, int]] = []
    with out.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("封面", 0))
        outline.root.append(pikepdf.OutlineItem("目录", front.cover_pages))
        for vol, laid in book.volumes:
            if not laid:
                continue
            item = pikepdf.OutlineItem(vol.title, front.pages + laid[0].offset)
            for ch in laid:
                first = front.pages + ch.offset
                if ch.own_pages:
                    sections.append(Section("chapter", ch.spec.name, ch.spec.title, first + 1,
                                            first + ch.own_pages, ch.spec.pdf))
                if ch.spec.cover:
                    continue
                sub = pikepdf.OutlineItem(ch.spec.title, first)
                chapters.append((vol.name, ch.spec.title, first + 1))
                for (_, text), at in zip(ch.spec.headings, ch.heading_pages, strict=True):
                    if at is not None:
                        sub.children.append(pikepdf.OutlineItem(text, first + at))
                for att, off, att_pdf in ch.attachments:
                    sub.children.append(pikepdf.OutlineItem(att.title, front.pages + off))
                    sections.append(Section("attachment", f"{ch.spec.name}/{att.name}", att.title,
                                            front.pages + off + 1, front.pages + off + len(att_pdf.pages), att.path,
                                            tuple(book.attachment_notes.get(att.name, []))))
                item.children.append(sub)
            outline.root.append(item)
    out.Root.PageMode = pikepdf.Name.UseOutlines
    share_fonts(out)
    if "/Metadata" in out.Root:
        del out.Root.Metadata
    out.docinfo = out.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String(title + ("（草稿）" if draft else "")),
        Author=pikepdf.String(author),
        Subject=pikepdf.String("投标文件"),
        Creator=pikepdf.String("bidkit"),
        Producer=pikepdf.String("bidkit"),
    ))
    with open(target, "wb") as fh, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # a library's warning is told as a note, never printed raw
        sink = _Sink(fh)
        # the file identifier as qpdf makes it by default, not from an MD5 of the whole file (deterministic_id: a
        # second pass over it, 0.03-0.04 s of a 20 MB package's 0.08-0.10 s save): the signed revision gets random
        # bytes in its second half anyway (pyHanko), so no package was ever byte for byte reproducible
        out.save(sink, compress_streams=True,  # type: ignore[arg-type]  # a writable stream
                 object_stream_mode=pikepdf.ObjectStreamMode.generate)
        if sink.error is not None:
            raise sink.error
        fh.flush()
        os.fsync(fh.fileno())
    notes = list(dict.fromkeys(_told(w.category) or f"writing the package: {str(w.message).splitlines()[0][:160]}"
                               for w in caught))
    timings = {**book.timings, "save": time.perf_counter() - t4}
    toc = _toc(book.volumes)
    return Composed(pages=book.pages, sections=sections,
                    toc=[(e.title, n) for e, n in zip(toc, book.toc_numbers, strict=True)], chapters=chapters,
                    evidence=stamps.evidence, seals=stamps.seals, legal_rep_seals=stamps.legal_rep_seals,
                    copy_seals=stamps.copy_seals, cross_page_groups=stamps.cross_page_groups, timings=timings,
                    notes=notes)


def _told(category: type[Warning]) -> str | None:
    """A library warning said in the user's terms (None: its own first line is shown)."""
    if issubclass(category, pikepdf.PageCopyWarning):  # attachments are flattened: a chapter PDF kept its form
        return ("a chapter PDF has form fields, which some viewers do not show in the package: print it to PDF "
                "(flattened) and use that file")
    return None


def compose(cover: CoverInfo, volumes: list[VolumeInput], seals: SealFiles, config: PackageConfig, target: Path,
            *, draft: bool = False, title: str = "", author: str = "", front_cache: SealedCache | None = None,
            copy_spots: dict[str, list[tuple[float, float]]] | None = None, front: FrontLayout | None = None
            ) -> Composed:
    """The three steps at once: merge, stamp, save (unsigned) to ``target``."""
    with merge(cover, volumes, config, draft=draft, front_cache=front_cache, front=front) as book:
        stamps = stamp_book(book, seals, config, draft, copy_spots)
        return save(book, stamps, target, draft=draft, title=title, author=author)
