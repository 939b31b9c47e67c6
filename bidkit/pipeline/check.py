"""``bidkit check`` as a stage: gather the facts the pure rules of :mod:`bidkit.core.checks` need (rendered text,
attachment facts, template variables, decrypted prices when allowed), run them, and write the report."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bidkit.adapters import certs
from bidkit.adapters.pdf import attachments, pages
from bidkit.adapters.pdf.text import package_texts
from bidkit.adapters.render.docx import template_names
from bidkit.adapters.sealed import SealedCache
from bidkit.core import checks
from bidkit.core.book import BookPlan, attachment_index
from bidkit.core.checks import AttachmentFacts, CheckInput, Finding, MaterialFacts, TemplateVars, UsedFile, seals
from bidkit.core.checks.report import render_html
from bidkit.core.errors import BidkitError, CheckFailed, InputError
from bidkit.core.validation import DATA_FILES
from bidkit.pipeline import book as book_pipeline
from bidkit.store import crypto, demo, lock
from bidkit.store.files import atomic_write, resolve_inside
from bidkit.store.workspace import Workspace, file_refs


def with_readable_prices(ws: Workspace, *, ask: bool = False) -> tuple[Workspace, str]:
    """The workspace with its prices if they can be read, else a note why not. Without
    ``$BIDKIT_PRICE_PASSPHRASE`` the passphrase is asked only when ``ask`` (at a terminal, once the lock is
    open)."""
    if ws.data.pricing is not None:
        return ws, ""
    if not (ws.root / lock.PRICES).exists():
        return ws, "no pricing.enc yet"
    try:
        if not os.environ.get(crypto.ENV):
            if not ask:
                return ws, f"give {crypto.ENV}"
            lock.require_open(ws)  # no question while the lock is closed
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


def template_vars(ws: Workspace, book: BookPlan, cache: SealedCache | None = None
                  ) -> tuple[dict[str, TemplateVars], dict[str, str]]:
    """The variables each chapter's template (form or filled file) uses (with ``cache``: kept there by the
    template's bytes)."""
    out: dict[str, TemplateVars] = {}
    errors: dict[str, str] = {}
    for pc in book.chapters():
        try:
            source = book_pipeline.source_of(ws, pc)
            if source is not None:
                out[pc.docx_name] = TemplateVars(source.display, _names(pc.docx_name, source.path, cache))
        except BidkitError as exc:
            errors[pc.id] = exc.message
    return out, errors


def _names(name: str, path: Path, cache: SealedCache | None) -> frozenset[str]:
    """:func:`template_names`, kept in the conversion cache under the digest of the template and of the code that
    reads it (parsing the big bid's 18 templates took 0.07 s on every assembly, beside LibreOffice converting
    the price chapters). A template that cannot be read is read again each time, for its error."""
    if cache is None:
        return template_names(path)
    try:
        blob = path.read_bytes()
    except OSError:
        return template_names(path)  # (its error)
    key = hashlib.sha256(f"{book_pipeline.code_digest()}\0vars\0".encode() + blob).hexdigest()
    return cache.remembered(f"vars-{name}", key, ".json", lambda: template_names(path, blob),  # (the bytes keyed)
                            lambda names: json.dumps(sorted(names)).encode(),
                            lambda known: frozenset(str(n) for n in json.loads(known)))


def material(ws: Workspace) -> MaterialFacts:
    """The DEMO material the workspace uses (copies of the bundled samples' files, found by content) and what its
    signing certificate is (read from the public .crt beside the PKCS#12 file: no password needed)."""
    used: list[UsedFile] = []
    for key, path, rel in file_refs({f.field: getattr(ws.data, f.field) for f in DATA_FILES}):
        if key == "config" and path[0] == "signing":
            continue
        try:
            sample = demo.sample_copy(resolve_inside(ws.root, rel))
        except InputError:
            continue
        if sample is not None:
            used.append(UsedFile(key, path, rel, sample))
    certificate, is_demo_file = None, False
    signing = ws.data.config.signing
    if signing is not None and signing.certificate is not None:
        try:
            p12 = resolve_inside(ws.root, signing.certificate)
        except InputError:
            p12 = None
        if p12 is not None:
            is_demo_file = demo.sample_copy(p12) is not None
            crt = p12.with_suffix(".crt")
            certificate = certs.identity(crt) if crt.is_file() else None
    return MaterialFacts(demo.sample_codes(), tuple(used), certificate, is_demo_file)


def demo_refusals(ws: Workspace) -> list[Finding]:
    """The fatal findings of the DEMO-material rule alone: cheap (file sizes, a few digests), so ``assemble``
    refuses before any slow work."""
    inp = CheckInput(data=ws.data, raw=ws.raw, material=material(ws), book=book_pipeline.plan(ws))
    return [f for f in checks.run_checks(inp, only=["seals.demo_material"]) if f.fatal]


def signer_refusals(ws: Workspace, identity: Mapping[str, str]) -> list[Finding]:
    """A token's certificate is known only once the signer is loaded: a DEMO one refuses another project's bid."""
    facts = MaterialFacts(demo.sample_codes(), certificate=identity)
    return [f for f in seals.certificate_findings(ws.data.project.code, facts, "bidkit.yaml signing.pkcs11")
            if f.fatal]


def refusal(findings: list[Finding]) -> CheckFailed:
    """The error that stops an assembly: every finding on a line of its own, then what to do."""
    return CheckFailed(f"{len(findings)} fatal finding(s): the bid would be invalid; replace the DEMO material "
                       "named above before sealing", [f"{f} → {f.advice}" if f.advice else str(f) for f in findings])


def gather(ws: Workspace, *, include_prices: bool = True, rendered: Mapping[str, str] | None = None,
           ask: bool = False, cache: SealedCache | None = None) -> CheckInput:
    """Every fact the rules use. Price chapters are rendered only when their prices are readable; ``rendered``
    holds the text of chapters already rendered from this ``ws`` (assemble's), which are not rendered again;
    ``cache``: where the templates' variables are kept."""
    note = "not asked for (--without-prices)"
    if include_prices:
        ws, note = with_readable_prices(ws, ask=ask)
    book = book_pipeline.plan(ws)
    if rendered is not None:
        texts, errors = dict(rendered), dict[str, str]()
    else:
        texts, errors = chapter_texts(ws, book)
    tvars, tv_errors = template_vars(ws, book, cache)
    for chapter_id, message in tv_errors.items():
        errors.setdefault(chapter_id, message)
    return CheckInput(
        data=ws.data, raw=ws.raw, texts=texts, attachments=attachment_facts(ws), template_vars=tvars,
        render_errors=errors, prices_note=note if ws.data.pricing is None else "", book=book,
        material=material(ws),
    )


def run(ws: Workspace, *, include_prices: bool = True, package: Path | None = None,
        rendered: Mapping[str, str] | None = None, ask: bool = False, cache: SealedCache | None = None
        ) -> list[Finding]:
    """Run every rule on the workspace (and on a package PDF's text when given); findings sorted by severity."""
    findings = checks.run_checks(gather(ws, include_prices=include_prices, rendered=rendered, ask=ask,
                                        cache=cache))
    if package is not None:
        findings = checks.sort_findings([*findings, *check_package(ws, package)])
    return findings


@dataclass(frozen=True)
class Report:
    findings: list[Finding]
    prices_skipped: str | None  # why the price rules did not run; None: they ran


def report(ws: Workspace, *, include_prices: bool = True, package: Path | None = None, ask: bool = False
           ) -> Report:
    """``bidkit check``: every rule, and whether the price rules could run (and why not)."""
    inp = gather(ws, include_prices=include_prices, ask=ask)
    findings = checks.run_checks(inp)
    if package is not None:
        findings = checks.sort_findings([*findings, *check_package(ws, package)])
    return Report(findings, inp.prices_note or "prices not readable" if inp.data.pricing is None else None)


def check_package(ws: Workspace, pdf: Path) -> list[Finding]:
    """The price rules and the placeholder rule on the final PDF's text."""
    data = with_readable_prices(ws)[0].data
    return checks.check_package_text(data, package_texts(pdf))


def write_html(findings: list[Finding], ws: Workspace, target: Path) -> None:
    atomic_write(target, render_html(findings, ws.data))


def write_pdf(findings: list[Finding], ws: Workspace, target: Path) -> None:
    atomic_write(target, pages.html_to_pdf(render_html(findings, ws.data)))
