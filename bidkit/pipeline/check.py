"""``bidkit check`` as a stage: gather the facts the pure rules of :mod:`bidkit.core.checks` need (rendered text,
attachment facts, template variables, decrypted prices when allowed), run them, and write the report."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from bidkit.adapters.pdf import attachments, pages
from bidkit.adapters.pdf.text import package_texts
from bidkit.adapters.render.docx import template_names
from bidkit.adapters.render.text import docx_text
from bidkit.core import checks
from bidkit.core.checks import AttachmentFacts, CheckInput, Finding, TemplateVars
from bidkit.core.checks.report import render_html
from bidkit.core.errors import BidkitError, InputError
from bidkit.core.models import PART_NAMES
from bidkit.pipeline.documents import render_document
from bidkit.store import crypto, lock
from bidkit.store.files import atomic_write, resolve_inside
from bidkit.store.templates import find_template
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


def part_texts(ws: Workspace, parts: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Rendered text of each part (in memory, nothing written) and why a part did not render."""
    texts: dict[str, str] = {}
    errors: dict[str, str] = {}
    for part in parts:
        try:
            texts[part] = docx_text(render_document(ws, part))
        except InputError as exc:
            errors[part] = exc.message
    return texts, errors


def attachment_facts(ws: Workspace) -> dict[str, AttachmentFacts]:
    """For every qualification scan: does it exist, open as an unencrypted PDF, and how many pages."""
    facts: dict[str, AttachmentFacts] = {}
    for q in ws.data.company.qualifications:
        try:
            path = resolve_inside(ws.root, q.scan, what="attachment")
        except InputError as exc:
            facts[q.scan] = {"exists": False, "pdf_ok": False, "pages": 0, "problem": exc.message}
            continue
        facts[q.scan] = attachments.inspect(path)
    return facts


def template_vars(ws: Workspace, parts: list[str]) -> tuple[dict[str, TemplateVars], dict[str, str]]:
    out: dict[str, TemplateVars] = {}
    errors: dict[str, str] = {}
    for part in parts:
        try:
            source = find_template(ws, part)
            out[part] = TemplateVars(source.display, template_names(source.path))
        except InputError as exc:
            errors[part] = exc.message
    return out, errors


def gather(ws: Workspace, *, include_prices: bool = True, rendered: Mapping[str, str] | None = None) -> CheckInput:
    """Every fact the rules use. The price part is rendered only when its prices are readable; ``rendered``
    holds the text of parts already rendered from this ``ws`` (assemble's), which are not rendered again."""
    note = "not asked for"
    if include_prices:
        ws, note = with_readable_prices(ws)
    parts = [p for p in PART_NAMES if p != "price_part" or ws.data.pricing is not None]
    given = {p: t for p, t in (rendered or {}).items() if p in parts}
    texts, errors = part_texts(ws, [p for p in parts if p not in given])
    texts = {p: given[p] if p in given else texts[p] for p in parts if p in given or p in texts}
    tvars, tv_errors = template_vars(ws, list(PART_NAMES))
    for part, message in tv_errors.items():
        errors.setdefault(part, message)
    return CheckInput(
        data=ws.data, raw=ws.raw, texts=texts, attachments=attachment_facts(ws), template_vars=tvars,
        render_errors=errors, prices_note=note if ws.data.pricing is None else "",
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
