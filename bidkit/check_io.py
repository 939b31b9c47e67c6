"""The checks' adapter: gathers the facts the pure rules of :mod:`bidkit.checks` need (rendered text, attachment
facts, template variables, decrypted prices when allowed) and runs them; reads a package PDF's text for the
price rules; writes the HTML/PDF report."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from . import checks
from .checks import AttachmentFacts, CheckInput, Finding, Severity, TemplateVars
from .errors import BidkitError, InputError, ToolError
from .models import PART_NAMES
from .workspace import Workspace, atomic_path, atomic_write, resolve_inside

PDFTOTEXT_TIMEOUT = 120.0


# --- prices --------------------------------------------------------------------------------------------------


def with_readable_prices(ws: Workspace) -> tuple[Workspace, str]:
    """The workspace with its prices if they can be read without asking anyone, else a note why not."""
    if ws.data.pricing is not None:
        return ws, ""
    from . import lock, secure

    if not (ws.root / lock.PRICES).exists():
        return ws, "no pricing.enc yet"
    if not os.environ.get(secure.ENV):
        return ws, f"give {secure.ENV}"
    try:
        return lock.with_prices(ws, secure.passphrase()), ""
    except BidkitError as exc:  # locked, wrong passphrase, damaged file: none of these messages hold a price
        return ws, exc.message


# --- facts ---------------------------------------------------------------------------------------------------


def part_texts(ws: Workspace, parts: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Rendered text of each part (in memory, nothing written) and why a part did not render."""
    from .render.docx import render_document
    from .render.text import docx_text

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
    import pikepdf

    from .pdf.compose import not_a_pdf

    facts: dict[str, AttachmentFacts] = {}
    for q in ws.data.company.qualifications:
        f: AttachmentFacts = {"exists": False, "pdf_ok": False, "pages": 0, "problem": ""}
        facts[q.scan] = f
        try:
            path = resolve_inside(ws.root, q.scan, what="attachment")
        except InputError as exc:
            f["problem"] = exc.message
            continue
        f["exists"] = path.is_file()
        if not f["exists"]:
            f["problem"] = "not a file"
            continue
        with path.open("rb") as fh:
            head = fh.read(1024)
        if (why := not_a_pdf(head)) is not None:
            f["problem"] = why
            continue
        try:
            with pikepdf.open(path) as pdf:
                f["pages"] = len(pdf.pages)
                if pdf.is_encrypted:
                    f["problem"] = "encrypted"
                elif pdf.get_warnings():  # qpdf repaired it (e.g. a broken xref): assemble refuses it too
                    f["problem"] = "damaged or truncated"
                else:
                    f["pdf_ok"] = True
        except pikepdf.PasswordError:
            f["problem"] = "encrypted with a password"
        except (pikepdf.PdfError, OSError, ValueError):
            f["problem"] = "damaged or truncated"
    return facts


_DOCX_TAG = re.compile(r"\{%\s*(?:tr|tc|p|r)\s|\{\{\s*(?:r|p)\s")


def template_names(path: Path) -> frozenset[str]:
    """Dotted names a .docx template refers to (``internal_cost.lines``, ``ln.unit_cost``), read from its Jinja
    AST: the XML parts' text with the tags taken out, as docxtpl joins runs before rendering."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = "".join(
                zf.read(n).decode("utf-8", errors="replace") for n in zf.namelist()
                if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes)\.xml", n)
            )
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{path.name}: not a .docx file") from None
    text = html.unescape(re.sub(r"<[^>]+>", "", xml))
    text = _DOCX_TAG.sub(lambda m: m.group(0)[:2] + " ", text)
    try:
        ast = jinja2.Environment().parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"{path.name}: template syntax error: {exc.message}") from None
    found: set[str] = set()

    def dotted(node: nodes.Node) -> str | None:
        if isinstance(node, nodes.Name):
            return node.name
        if isinstance(node, nodes.Getattr):
            base = dotted(node.node)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            base = dotted(node.node)
            return f"{base}.{node.arg.value}" if base else None
        return None

    for node in ast.find_all((nodes.Name, nodes.Getattr, nodes.Getitem)):
        name = dotted(node)
        if name:
            found.add(name)
    return frozenset(found)


def template_vars(ws: Workspace, parts: list[str]) -> tuple[dict[str, TemplateVars], dict[str, str]]:
    from .render.docx import find_template

    out: dict[str, TemplateVars] = {}
    errors: dict[str, str] = {}
    for part in parts:
        try:
            source = find_template(ws, part)
            out[part] = TemplateVars(source.display, template_names(source.path))
        except InputError as exc:
            errors[part] = exc.message
    return out, errors


def gather(ws: Workspace, *, include_prices: bool = True, rendered: dict[str, str] | None = None) -> CheckInput:
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


def run(
    ws: Workspace, *, include_prices: bool = True, package: Path | None = None, rendered: dict[str, str] | None = None
) -> list[Finding]:
    """Run every rule on the workspace (and on a package PDF's text when given); findings sorted by severity."""
    findings = checks.run_checks(gather(ws, include_prices=include_prices, rendered=rendered))
    if package is not None:
        findings = checks.sort_findings([*findings, *check_package(ws, package)])
    return findings


# --- the package PDF -----------------------------------------------------------------------------------------


def pdf_pages_text(pdf: Path) -> list[str]:
    """Each page's text (poppler's pdftotext, reading order)."""
    binary = shutil.which("pdftotext")
    if not binary:
        raise ToolError("pdftotext not found: install poppler (apt-get install poppler-utils)")
    try:
        proc = subprocess.run([binary, "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              timeout=PDFTOTEXT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ToolError(f"pdftotext took longer than {PDFTOTEXT_TIMEOUT:g} s reading {pdf.name}") from None
    if proc.returncode != 0:
        raise InputError(f"{pdf.name}: not a readable PDF")
    pages = proc.stdout.decode("utf-8", errors="replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _outline(pdf: Path) -> list[tuple[str, int]]:
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
    """A package's text by bookmark: title → [(page number, text)], the chapter's pages in the PDF."""
    pages = pdf_pages_text(pdf)
    marks = _outline(pdf)
    out: dict[str, list[tuple[int, str]]] = {}
    for n, (title, start) in enumerate(marks):
        nxt = next((s for _, s in marks[n + 1:] if s > start), len(pages))
        out.setdefault(title, [(p + 1, pages[p]) for p in range(start, max(start + 1, nxt)) if p < len(pages)])
    if pages:
        out.setdefault("封面", [(1, pages[0])])
    return out


def check_package(ws: Workspace, pdf: Path) -> list[Finding]:
    """The price rules and the placeholder rule on the final PDF's text."""
    data = with_readable_prices(ws)[0].data
    return checks.check_package_text(data, package_texts(pdf))


# --- the report ----------------------------------------------------------------------------------------------


def write_html(findings: list[Finding], ws: Workspace, target: Path) -> None:
    from .checks.report import render_html

    atomic_write(target, render_html(findings, ws.data))


def write_pdf(findings: list[Finding], ws: Workspace, target: Path) -> None:
    from .checks.report import render_html

    try:
        from weasyprint import HTML  # noqa: TID251 - the report is this adapter's one weasyprint page
    except ImportError:
        raise ToolError("weasyprint is not installed") from None
    with atomic_path(target) as tmp:
        buf = io.BytesIO()
        HTML(string=render_html(findings, ws.data)).write_pdf(buf)
        tmp.write_bytes(buf.getvalue())


__all__ = ["Severity", "attachment_facts", "check_package", "gather", "package_texts", "run", "template_names"]
