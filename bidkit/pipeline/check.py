"""``bidkit check`` as a stage: gather the facts the pure rules of :mod:`bidkit.core.checks` need (rendered text,
attachment facts, template variables, decrypted prices when allowed), run them, and write the report."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bidkit.adapters.pdf import attachments, pages
from bidkit.adapters.pdf.text import package_texts
from bidkit.adapters.render.docx import template_names
from bidkit.core import checks
from bidkit.core.book import BookPlan, attachment_index
from bidkit.core.checks import AttachmentFacts, CheckInput, Finding, TemplateVars
from bidkit.core.checks.report import render_html
from bidkit.core.errors import BidkitError, InputError
from bidkit.pipeline import book as book_pipeline
from bidkit.store import crypto, lock
from bidkit.store.files import atomic_write, resolve_inside
from bidkit.store.workspace import Workspace


def with_readable_prices(ws: Workspace) -> tuple[Workspace, str]:
    """The workspace with its prices if they can be read without asking anyone, else a note why not."""
    if ws.data.pricing is not None:
        return ws, ""
    if not (ws.root / lock.PRICES).exists():
        return ws, "no pricing.enc yet"
    if not os.environ.get(crypto.ENV):
        return ws, f"give {crypto.ENV}"
    try:
        return lock.with_prices(ws, crypto.passphrase()), ""
    except BidkitError as exc:  # locked, wrong passphrase, damaged file: none of these messages hold a price
        return ws, exc.message


def chapter_texts(ws: Workspace, book: BookPlan) -> tuple[dict[str, str], dict[str, str]]:
    """What the checks read of each chapter (in memory, nothing written) and why a chapter did not render;
    priced chapters only when the prices are loaded."""
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for pc in book.chapters():
        if pc.priced and ws.data.pricing is None:
            continue
        try:
            value = book_pipeline.chapter_text(ws, pc, book_pipeline.render_chapter(ws, pc, charts=False))
        except BidkitError as exc:
            errors[pc.id] = exc.message
            continue
        if value is not None:
            texts[pc.docx_name] = value
    return texts, errors


def attachment_facts(ws: Workspace) -> dict[str, AttachmentFacts]:
    """For every attachment a chapter can hold (qualification scans, the bid's own attachments): does it exist,
    open as an unencrypted PDF, and how many pages."""
    facts: dict[str, AttachmentFacts] = {}
    for ref in attachment_index(ws.data).values():
        if ref.path in facts:
            continue
        try:
            path = resolve_inside(ws.root, ref.path, what="attachment")
        except InputError as exc:
            facts[ref.path] = {"exists": False, "pdf_ok": False, "pages": 0, "problem": exc.message, "notes": []}
            continue
        facts[ref.path] = attachments.inspect(path)
    return facts


def not_pdfs(ws: Workspace) -> list[str]:
    """The attachments that are not PDF files at all (an empty file, an HTML page, a picture named .pdf), each
    with why: read from their first bytes only, so a review request can refuse them at once."""
    found: list[str] = []
    seen: set[str] = set()
    for ref in attachment_index(ws.data).values():
        if ref.path in seen:
            continue
        seen.add(ref.path)
        try:
            path = resolve_inside(ws.root, ref.path, what="attachment")
            with path.open("rb") as fh:
                head = fh.read(1024)
        except (InputError, OSError):
            continue  # missing or unreadable: check names it
        why = attachments.not_a_pdf(head)
        if why is not None:
            found.append(f"{ref.path}: {why}")
    return found


def refuse_not_pdfs(ws: Workspace, what: str) -> None:
    """Raise :class:`InputError` naming every attachment that is not a PDF (``what``: the refused action)."""
    bad = not_pdfs(ws)
    if bad:
        raise InputError(f"{what}: {len(bad)} attachment(s) are not PDF files — " + "; ".join(bad))


def template_vars(ws: Workspace, book: BookPlan) -> tuple[dict[str, TemplateVars], dict[str, str]]:
    """The variables each chapter's template (form or filled file) uses."""
    out: dict[str, TemplateVars] = {}
    errors: dict[str, str] = {}
    for pc in book.chapters():
        try:
            source = book_pipeline.source_of(ws, pc)
            if source is not None:
                out[pc.docx_name] = TemplateVars(source.display, template_names(source.path))
        except BidkitError as exc:
            errors[pc.id] = exc.message
    return out, errors


def gather(ws: Workspace, *, include_prices: bool = True, rendered: Mapping[str, str] | None = None) -> CheckInput:
    """Every fact the rules use. Price chapters are rendered only when their prices are readable; ``rendered``
    holds the text of chapters already rendered from this ``ws`` (assemble's), which are not rendered again."""
    note = "not asked for"
    if include_prices:
        ws, note = with_readable_prices(ws)
    book = book_pipeline.plan(ws)
    if rendered is not None:
        texts, errors = dict(rendered), dict[str, str]()
    else:
        texts, errors = chapter_texts(ws, book)
    tvars, tv_errors = template_vars(ws, book)
    for chapter_id, message in tv_errors.items():
        errors.setdefault(chapter_id, message)
    return CheckInput(
        data=ws.data, raw=ws.raw, texts=texts, attachments=attachment_facts(ws), template_vars=tvars,
        render_errors=errors, prices_note=note if ws.data.pricing is None else "", book=book,
    )


def run(ws: Workspace, *, include_prices: bool = True, package: Path | None = None,
        rendered: Mapping[str, str] | None = None) -> list[Finding]:
    """Run every rule on the workspace (and on a package PDF's text when given); findings sorted by severity."""
    findings = checks.run_checks(gather(ws, include_prices=include_prices, rendered=rendered))
    if package is not None:
        findings = checks.sort_findings([*findings, *check_package(ws, package)])
    return findings


def check_package(ws: Workspace, pdf: Path) -> list[Finding]:
    """The price rules and the placeholder rule on the final PDF's text."""
    data = with_readable_prices(ws)[0].data
    return checks.check_package_text(data, package_texts(pdf))


def write_html(findings: list[Finding], ws: Workspace, target: Path) -> None:
    atomic_write(target, render_html(findings, ws.data))


def write_pdf(findings: list[Finding], ws: Workspace, target: Path) -> None:
    atomic_write(target, pages.html_to_pdf(render_html(findings, ws.data)))
