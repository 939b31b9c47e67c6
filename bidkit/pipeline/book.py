"""The bid book's chapters rendered: a form through its template, the bidder's own .docx as it is (or filled as a
template with ``fill: true``), a PDF chapter and attachment chapters as the files they are."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import bidkit
from bidkit.adapters.pdf.text import pages_text
from bidkit.adapters.render import charts as charts_mod
from bidkit.adapters.render import layout
from bidkit.adapters.render.docx import check_docx, check_picture, render_bytes
from bidkit.adapters.render.text import docx_text
from bidkit.adapters.sealed import SealedCache
from bidkit.core import book as book_mod
from bidkit.core import forms
from bidkit.core.book import BookPlan, PlannedChapter
from bidkit.core.checks.text import literal_amounts
from bidkit.core.errors import BidkitError, InputError
from bidkit.core.templates import ChartRef, Image, ImageRef, TemplateSource
from bidkit.store.files import file_sha256
from bidkit.store.templates import find_form
from bidkit.store.workspace import Workspace

MAX_PICTURE_BYTES = 10 * 1024 * 1024
RENDER_CACHE = "bidkit-render-1"
RENDER_CHILD_TIMEOUT = 600.0  # seconds; a workspace template's own render is bounded far lower


def plan(ws: Workspace) -> BookPlan:
    return book_mod.plan(ws.data)


def source_of(ws: Workspace, pc: PlannedChapter) -> TemplateSource | None:
    """The template a chapter renders from: its form, or its own .docx when filled; None when it is not rendered
    from a template (a file converted as it is, a PDF, attachments)."""
    if pc.form is not None:
        return find_form(ws, pc.form)
    if pc.kind == "file" and pc.file is not None and pc.fill:
        return TemplateSource(pc.id, ws.path(pc.file, what="chapter file"), pc.file, False)
    return None


def _picture(ws: Workspace, ref: ImageRef) -> Image:
    path = ws.path(ref.path, what="picture")
    data = path.read_bytes()
    if len(data) > MAX_PICTURE_BYTES:
        raise InputError(f"{ref.path}: picture too large ({len(data) >> 20} MB; the limit is 10 MB)")
    check_picture(data, ref.path)
    return Image(data, ref.width_cm, ref.height_cm)


def _resolve(ws: Workspace, value: Any, draw: bool = True) -> Any:
    """The context with every :class:`ImageRef` read into an :class:`Image`, every :class:`ChartRef` drawn
    (left out unless ``draw``: the text alone does not need it)."""
    if isinstance(value, ImageRef):
        return _picture(ws, value)
    if isinstance(value, ChartRef):
        if not draw:
            return ""
        if value.kind != "schedule":
            raise ValueError(f"unknown chart {value.kind}")
        png = charts_mod.schedule(ws.data.solution.construction.tasks, value.width_cm)
        return Image(png, value.width_cm)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _resolve(ws, item, draw)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _resolve(ws, item, draw)
    return value


def render_chapter(ws: Workspace, pc: PlannedChapter, *, charts: bool = True, cache: SealedCache | None = None,
                   pending: dict[str, Path] | None = None) -> bytes | None:
    """The chapter's .docx, in memory; None for a PDF chapter or one made of attachments only. Without
    ``charts`` a chart the form shows (the 施工组织设计's 横道图) is left out: for its text, drawing it is waste.
    With ``cache``, a chapter without prices is rendered once for its inputs (see :func:`_render_key`); a new
    entry goes into ``pending`` (to be kept once every chapter rendered, :func:`keep`), or at once without it."""
    if pc.kind == "attachments" or pc.pdf_file:
        return None
    source = source_of(ws, pc)
    if source is None:  # the bidder's own .docx, converted as it is
        assert pc.file is not None
        path = ws.path(pc.file, what="chapter file")
        blob = path.read_bytes()
        _check_own(TemplateSource(pc.id, path, pc.file, False), pc.docx_name, blob, cache)
        return blob
    if pc.priced and pc.kind == "file":  # the bidder's own price chapter: a template of the encrypted prices
        literal = literal_amounts(docx_text(source.path.read_bytes()))
        if literal:
            excerpt = literal[0] if len(literal[0]) <= 60 else literal[0][:59] + "…"
            raise InputError(f"{pc.file}: a price chapter takes its amounts from the encrypted prices "
                             f"({{{{ prices.total }}}}, {{{{ prices.total_upper }}}} …); {len(literal)} line(s) print "
                             f"an amount of their own, e.g. “{excerpt}”")
    try:
        built = forms.build(ws.data, pc)
    except LookupError as exc:
        raise InputError(f"{pc.title}: {exc.args[0]}") from None
    key = _render_key(ws, pc, source, built) if cache is not None and charts and not pc.priced else None
    entry = cache.dir / f"render-{pc.docx_name}-{key}.docx" if cache is not None and key else None
    if entry is not None and cache is not None and (known := cache.read(entry)) is not None:
        return known
    context = _resolve(ws, built, charts)
    blob = render_bytes(source, context, layout=pc.form is not None)
    if entry is not None and cache is not None:
        if pending is not None:
            pending[pc.docx_name] = entry
        else:
            keep(cache, {pc.docx_name: entry}, {pc.docx_name: blob})
    return blob


def _check_own(source: TemplateSource, name: str, blob: bytes, cache: SealedCache | None) -> None:
    """:func:`check_docx` on the bidder's own file, once for its content: that it passed is kept in the conversion
    cache under the digest of the file and of the code that checks it (reading the links out of the big bid's
    300-page 技术方案 took 0.05 s on every rebuild, before LibreOffice could start on the price chapters)."""
    entry = None
    if cache is not None:
        key = hashlib.sha256(f"{code_digest()}\0".encode() + blob).hexdigest()
        entry = cache.dir / f"checked-{name}-{key}.ok"
        if cache.read(entry) == b"ok":
            return
    check_docx(source, blob, chapter=True)
    if cache is not None and entry is not None:
        cache.write(entry, b"ok")
        cache.drop_others(entry, f"checked-{name}", ".ok")


def keep(cache: SealedCache, entries: dict[str, Path], blobs: dict[str, bytes]) -> None:
    """Write the render cache's new entries (and drop each chapter's older one)."""
    for name, entry in entries.items():
        cache.write(entry, blobs[name])
        cache.drop_others(entry, f"render-{name}", ".docx")


@functools.cache
def code_digest() -> str:
    """What rendering is made of besides its inputs: bidkit's version, the code that builds the contexts and
    renders and lays them out, and the fonts the table widths are measured with."""
    h = hashlib.sha256(f"{RENDER_CACHE}\0{bidkit.__version__}".encode())
    root = Path(bidkit.__file__).parent
    for path in sorted([*root.glob("adapters/render/*.py"), *root.glob("core/*.py"), Path(__file__)]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for folder in layout.FONT_DIRS:
        for name in sorted(set(layout.SERIF.values())):
            with contextlib.suppress(OSError):
                st = (folder / name).stat()
                h.update(f"{folder / name}\0{st.st_size}\0{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _render_key(ws: Workspace, pc: PlannedChapter, source: TemplateSource, built: dict[str, Any]) -> str | None:
    """The digest of everything a chapter without prices is rendered from: the template's bytes, its context
    (a picture by its file's digest, a chart by the data it draws), how it is laid out and the code; None when
    the context holds something that cannot be named exactly (it is rendered then)."""

    def named(value: Any) -> Any:
        if isinstance(value, ImageRef):
            try:
                digest = file_sha256(ws.path(value.path, what="picture"))
            except (OSError, BidkitError):  # rendering says what is wrong with it
                raise TypeError(value.path) from None
            return {"image": value.path, "sha256": digest, "cm": [value.width_cm, value.height_cm]}
        if isinstance(value, ChartRef):
            tasks = [t.model_dump(mode="json") for t in ws.data.solution.construction.tasks]
            return {"chart": value.kind, "cm": value.width_cm, "tasks": tasks}
        if isinstance(value, Decimal | dt.date):
            return str(value)
        raise TypeError(type(value).__name__)

    try:
        context = json.dumps(built, default=named, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    h = hashlib.sha256(code_digest().encode())
    h.update(f"\0{pc.docx_name}\0{pc.form is not None}\0{file_sha256(source.path)}\0".encode())
    h.update(context.encode())
    return h.hexdigest()


def _render_in_order(ws: Workspace, chapters: Iterable[PlannedChapter], cache: SealedCache | None = None,
                     pending: dict[str, Path] | None = None) -> dict[str, bytes]:
    out = {}
    for pc in chapters:
        blob = render_chapter(ws, pc, cache=cache, pending=pending)
        if blob is not None:
            out[pc.docx_name] = blob
    return out


def _render_child(conn: Connection, ws: Workspace, chapters: list[PlannedChapter], cache: SealedCache | None
                  ) -> None:
    try:
        pending: dict[str, Path] = {}
        blobs = _render_in_order(ws, chapters, cache, pending)
        conn.send(("ok", blobs, pending))
    except BaseException:  # the parent renders them again itself, for the real error
        conn.send(("failed", {}, {}))
    finally:
        conn.close()


def render_chapters(ws: Workspace, chapters: Iterable[PlannedChapter], first: Collection[str] = (),
                    ready: Callable[[dict[str, bytes]], None] | None = None, cache: SealedCache | None = None
                    ) -> dict[str, bytes]:
    """``{docx_name: .docx}`` of every chapter that has one, in the chapters' order. The chapters named in
    ``first`` are rendered before the others and handed to ``ready`` at once (for LibreOffice to start on them
    while the rest render).

    Rendering is pure Python (about 2 s for the sample's 19 chapters on one core), so with more than one core
    every other chapter renders in a forked child while this process renders ``first`` and the rest; the .docx
    come back through a pipe (never a file: price chapters are among them). The child is forked before
    ``ready`` is called, so the threads and processes that starts are not in it. When anything fails, every
    chapter is rendered again here in order, so the error and its message are those of a plain sequential
    render. With ``cache``, chapters without prices whose inputs are unchanged are read from it, and the new
    entries are written only once every chapter has rendered (a refused render leaves the cache as it was)."""
    todo = [pc for pc in chapters if pc.kind != "attachments" and not pc.pdf_file]
    early = [pc for pc in todo if pc.docx_name in first]
    later = [pc for pc in todo if pc.docx_name not in first]

    def render_early() -> dict[str, bytes]:
        blobs = _render_in_order(ws, early, cache, pending)
        if ready is not None and blobs:
            ready(blobs)
        return blobs

    pending: dict[str, Path] = {}  # new render cache entries: kept only once every chapter rendered
    if len(todo) < 4 or len(os.sched_getaffinity(0)) < 2:
        got: dict[str, bytes] | None = {**render_early(), **_render_in_order(ws, later, cache, pending)}
    else:
        got = _render_forked(ws, render_early, later[0::2], later[1::2], cache, pending)
    if got is None:
        pending.clear()
        got = _render_in_order(ws, todo, cache, pending)
    if cache is not None:
        keep(cache, pending, got)
    return {pc.docx_name: got[pc.docx_name] for pc in todo if pc.docx_name in got}


def _render_forked(ws: Workspace, render_early: Callable[[], dict[str, bytes]], ours: list[PlannedChapter],
                   theirs: list[PlannedChapter], cache: SealedCache | None, pending: dict[str, Path]
                   ) -> dict[str, bytes] | None:
    """``render_early()`` and ``ours`` here, ``theirs`` in a forked child; None when anything failed."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_render_child, args=(child, ws, theirs, cache), daemon=True)
    proc.start()
    child.close()
    try:
        try:
            mine = {**render_early(), **_render_in_order(ws, ours, cache, pending)}
        except BidkitError:
            return None  # rendered again, in order: an earlier chapter of the child's may fail first
        if not parent.poll(RENDER_CHILD_TIMEOUT):
            return None
        try:
            status, blobs, theirs_pending = parent.recv()
        except EOFError:
            return None
        pending.update(theirs_pending)
        return {**mine, **blobs} if status == "ok" else None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


def chapter_file(ws: Workspace, pc: PlannedChapter) -> Path | None:
    """A PDF chapter's file."""
    return ws.path(pc.file, what="chapter file") if pc.pdf_file and pc.file is not None else None


def chapter_text(ws: Workspace, pc: PlannedChapter, docx: bytes | None) -> str | None:
    """What the checks read of a chapter: its rendered text, a PDF chapter's text; None for attachments."""
    if docx is not None:
        text = docx_text(docx)
        # the heading first (the checks read a chapter from its title on), the running header and footer after
        lines = text.splitlines()
        body = [ln for ln in lines if not ln.startswith(("[页眉]", "[页脚]"))]
        frame = [ln for ln in lines if ln.startswith(("[页眉]", "[页脚]"))]
        if pc.kind == "cover":
            return text
        return "\n".join(body + frame) + "\n"
    path = chapter_file(ws, pc)
    if path is not None:
        return f"{pc.title}\n" + "\n".join(pages_text(path))
    return None
