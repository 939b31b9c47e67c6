"""Which .docx template renders a document or a bid form: the workspace's own, else the bundled one.

Two namespaces, so that no override replaces the other: documents (reports, acceptance forms: bundled in
``templates/``) and bid forms (one per chapter: bundled in ``templates/forms/``). A workspace overrides either by
``bidkit.yaml`` ``templates: {name: path}`` or a file ``templates/<name>.docx`` (forms also
``templates/forms/<name>.docx``); the names never collide (a test keeps it so).
"""

from __future__ import annotations

from bidkit.core.book import COVER_FORM, FORMS
from bidkit.core.errors import InputError
from bidkit.core.templates import TemplateSource
from bidkit.store.files import resolve_inside
from bidkit.store.resources import templates_dir
from bidkit.store.workspace import Workspace

FORM_NAMES = (*FORMS, COVER_FORM)


def _override(ws: Workspace, name: str, candidates: tuple[str, ...]) -> TemplateSource | None:
    configured = ws.data.config.templates.get(name)
    if configured:
        return TemplateSource(name, resolve_inside(ws.root, configured, what="template"), configured, False)
    for rel in candidates:
        if (ws.root / rel).exists():
            return TemplateSource(name, resolve_inside(ws.root, rel, what="template"), rel, False)
    return None


def find_template(ws: Workspace, name: str) -> TemplateSource:
    """The template of document ``name`` (a report or acceptance form)."""
    found = _override(ws, name, (f"templates/{name}.docx",))
    if found is not None:
        return found
    bundled = templates_dir() / f"{name}.docx"
    if not bundled.exists():
        raise InputError(f"{name}: no template (bundled templates missing at {templates_dir()})")
    return TemplateSource(name, bundled, f"bundled:{name}.docx", True)


def find_form(ws: Workspace, form: str) -> TemplateSource:
    """The template of bid form ``form`` (one chapter of the book)."""
    found = _override(ws, form, (f"templates/forms/{form}.docx", f"templates/{form}.docx"))
    if found is not None:
        return found
    bundled = templates_dir() / "forms" / f"{form}.docx"
    if not bundled.exists():
        raise InputError(f"{form}: no such bid form (one of {', '.join(FORM_NAMES)})")
    return TemplateSource(form, bundled, f"bundled:forms/{form}.docx", True)

