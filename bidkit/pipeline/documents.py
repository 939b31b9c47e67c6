"""Render workspace documents: a document's context (core) through its template (store) with docxtpl
(adapter), and ``bidkit render``'s writing into build/ (atomically, all or nothing)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bidkit.adapters import viewer
from bidkit.adapters.render.docx import missing_variables, render_bytes
from bidkit.core import book as book_mod
from bidkit.core import context as ctx_mod
from bidkit.core import forms, template_vars
from bidkit.core.book import PlannedChapter
from bidkit.core.context import Node
from bidkit.core.errors import BidkitError, InputError, TemplateError, ValidationFailed
from bidkit.pipeline import book as book_pipeline
from bidkit.store import crypto, lock
from bidkit.store.files import atomic_write
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace


@dataclass(frozen=True)
class Rendered:
    name: str
    title: str
    path: Path
    seconds: float


def _chapters(ws: Workspace) -> dict[str, PlannedChapter]:
    return {pc.docx_name: pc for pc in book_pipeline.plan(ws).chapters() if pc.kind in ("form", "cover", "file")
            and not pc.pdf_file}


def chapters(ws: Workspace) -> dict[str, PlannedChapter]:
    """The chapters ``render`` makes, by their .docx name."""
    return _chapters(ws)


def known(ws: Workspace) -> list[str]:
    """Every name ``bidkit render --only`` takes: the documents, then the bid book's chapters."""
    return [*ctx_mod.DOCUMENTS, *_chapters(ws)]


def expand(ws: Workspace, names: list[str]) -> list[str]:
    """``--only`` names with a volume (``price``, or its old part name ``price_part``) standing for its chapters."""
    chapters = _chapters(ws)
    out: list[str] = []
    for name in names:
        volume = book_mod.LEGACY_VOLUMES.get(name, name)
        inside = [n for n, pc in chapters.items() if pc.volume == volume] if name not in chapters else []
        out += inside if inside and name not in ctx_mod.DOCUMENTS else [name]
    return list(dict.fromkeys(out))


def render_document(ws: Workspace, name: str) -> bytes:
    """The .docx of document or chapter ``name`` rendered from the workspace's data (nothing written)."""
    chapter = _chapters(ws).get(name)
    if chapter is not None:
        blob = book_pipeline.render_chapter(ws, chapter)
        assert blob is not None
        return blob
    if name not in ctx_mod.DOCUMENTS:
        raise InputError(f"{name}: unknown document or chapter (one of {', '.join(known(ws))})")
    try:
        context = ctx_mod.build(name, ws.data)
    except LookupError as exc:
        raise InputError(f"{name}: {exc.args[0]}") from None
    return render_bytes(find_template(ws, name), context)


def priced(ws: Workspace, names: list[str]) -> list[str]:
    """The names among ``names`` that show prices (price chapters)."""
    chapters = _chapters(ws)
    return [n for n in names if n in chapters and chapters[n].priced]


def available(ws: Workspace) -> list[str]:
    """Documents and chapters the workspace has data for, in a stable order (price chapters only with prices)."""
    d = ws.data
    names = ["feasibility_report"] if d.project.feasibility else []
    if d.project.initiation:
        names.append("initiation_request")
    names += [n for n, pc in _chapters(ws).items() if not pc.priced or d.pricing is not None]
    records = d.acceptance.records if d.acceptance else []
    if any(r.kind.value == "internal" for r in records):
        names.append("internal_acceptance")
    if any(r.rectification is not None for r in records):
        names.append("rectification_notice")
    if any(r.kind.value == "formal" for r in records):
        names.append("formal_acceptance")
    return names


def output_path(ws: Workspace, name: str) -> Path:
    return ws.build_dir / "docx" / f"{name}.docx"


PRICE_NOTE = ("price chapters are never written to build/: bidkit render DIR --only price shows them in a private "
              "folder wiped afterwards; the sealed package holds them")


def with_prices_for_render(ws: Workspace, only: list[str] | None) -> tuple[Workspace, str | None]:
    """Prepare ``bidkit render``: with ``--only price`` (or a price chapter) check the lock and that they can be
    shown (a terminal or ``$BIDKIT_VIEWER``) before any slow work, then ask for the passphrase; without ``--only``
    the price chapters are left out, with a note."""
    if only:
        if priced(ws, expand(ws, only)):
            lock.require_open(ws)
            viewer.require()
            return lock.with_prices(ws, crypto.passphrase()), None
        return ws, None
    return ws, PRICE_NOTE


def render(ws: Workspace, only: list[str] | None = None) -> list[Rendered]:
    """Render ``only`` (or every available document but the price chapters) into build/docx/; all are rendered
    in memory before any is written. Price chapters are refused here: see :func:`view_prices`."""
    names = expand(ws, only) if only else [n for n in available(ws) if not priced(ws, [n])]
    every = known(ws)
    for name in names:
        if name not in every:
            raise InputError(f"{name}: unknown document or chapter (one of {', '.join(every)})")
    if priced(ws, names):
        raise InputError(f"{priced(ws, names)[0]}: {PRICE_NOTE}")
    blobs = []
    problems: list[str] = []
    for name in names:  # every document, so that every template problem is named in one run
        start = time.perf_counter()
        try:
            blobs.append((name, render_document(ws, name), time.perf_counter() - start))
        except TemplateError as exc:
            problems += explain(ws, name, exc)
    if len(problems) == 1:
        raise TemplateError(problems[0])
    if problems:
        raise ValidationFailed(problems)
    chapters = _chapters(ws)
    out = []
    for name, blob, seconds in blobs:
        path = output_path(ws, name)
        atomic_write(path, blob)
        title = chapters[name].title if name in chapters else ctx_mod.DOCUMENTS[name].title
        out.append(Rendered(name, title, path, seconds))
    return out


def view_prices(ws: Workspace, only: list[str], say: Callable[[str], None]) -> list[str]:
    """Render the price chapters among ``only`` (the lock open, prices loaded) and show them in a private folder
    that is wiped afterwards (:mod:`bidkit.adapters.viewer`); log which chapters were shown and their digests.
    Return the other names, for :func:`render`."""
    names = expand(ws, only)
    price_names = priced(ws, names)
    if not price_names:
        return names
    lock.require_open(ws)  # the price lock: raises LockedError while no approval matches
    if ws.data.pricing is None:
        raise InputError(f"{price_names[0]}: prices not loaded (bidkit.store.lock.with_prices decrypts them)")
    blobs = {f"{n}.docx": render_document(ws, n) for n in price_names}
    lock.record_price_view(ws, blobs)
    viewer.show(blobs, say)
    return [n for n in names if n not in price_names]


@dataclass(frozen=True)
class Undefined:
    name: str
    suggestion: str | None

    def __str__(self) -> str:
        hint = f" (did you mean {self.suggestion}?)" if self.suggestion else ""
        return f"undefined variable '{self.name}'{hint}"


def _context(ws: Workspace, name: str) -> Node:
    chapter = chapters(ws).get(name)
    return forms.build(ws.data, chapter) if chapter is not None else ctx_mod.build(name, ws.data)


def undefined(ws: Workspace, name: str) -> tuple[str, list[Undefined]]:
    """Where document or chapter ``name``'s template is, and every name it uses that its context lacks, each
    with the nearest valid one."""
    chapter = chapters(ws).get(name)
    if chapter is not None:
        source = book_pipeline.source_of(ws, chapter)
        if source is None:
            return chapter.file or name, []
    else:
        source = find_template(ws, name)
    context = _context(ws, name)
    valid = template_vars.paths(context)
    return source.display, [Undefined(n, template_vars.suggest(n, valid))
                            for n in missing_variables(source, context)]


def unknown_variables(ws: Workspace, name: str) -> tuple[str, list[str]]:
    """Where document or chapter ``name``'s template is, and the dotted names it uses that its context lacks."""
    display, found = undefined(ws, name)
    return display, [u.name for u in found]


def explain(ws: Workspace, name: str, exc: TemplateError) -> list[str]:
    """The lines for a template that failed: every undefined name at once (the renderer stops at the first)."""
    if "undefined variable" not in exc.message:
        return [exc.message]
    try:
        display, found = undefined(ws, name)
    except (BidkitError, LookupError):
        return [exc.message]
    return [f"{display}: {u}" for u in found] or [exc.message]
