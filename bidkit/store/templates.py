"""Which .docx template renders a document: the workspace's own (``bidkit.yaml`` ``templates:`` or
``templates/NAME.docx``), else the bundled one."""

from __future__ import annotations

from bidkit.core.errors import InputError
from bidkit.core.templates import TemplateSource
from bidkit.store.files import resolve_inside
from bidkit.store.resources import templates_dir
from bidkit.store.workspace import Workspace


def find_template(ws: Workspace, name: str) -> TemplateSource:
    """The workspace's own template for ``name`` if it has one, else the bundled one."""
    override = ws.data.config.templates.get(name)
    if override:
        return TemplateSource(name, resolve_inside(ws.root, override, what="template"), override, False)
    local = ws.root / "templates" / f"{name}.docx"
    if local.exists():
        rel = f"templates/{name}.docx"
        return TemplateSource(name, resolve_inside(ws.root, rel, what="template"), rel, False)
    bundled = templates_dir() / f"{name}.docx"
    if not bundled.exists():
        raise InputError(f"{name}: no template (bundled templates missing at {templates_dir()})")
    return TemplateSource(name, bundled, f"bundled:{name}.docx", True)
