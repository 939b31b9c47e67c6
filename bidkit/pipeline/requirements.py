"""``bidkit tender import-requirements``: read a tender's requirement tables (an .xlsx, or the tender's own .docx),
then write them into tender.yaml and a row to answer for each into responses.yaml."""

from __future__ import annotations

from pathlib import Path

from bidkit.adapters.render.text import docx_tables
from bidkit.core.errors import InputError
from bidkit.core.requirements import SourceTable, parse
from bidkit.store import requirements_sheet
from bidkit.store.requirements_sheet import Result


def tables(path: Path) -> list[SourceTable]:
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return requirements_sheet.sheet_tables(path)
    if suffix == ".docx":
        return [SourceTable(path.name, rows, 1, f"表 {i}", heading)
                for i, (heading, rows) in enumerate(docx_tables(path), 1)]
    raise InputError(f"{path.name}: give an .xlsx sheet or the tender's own .docx (save a .doc, .wps or .pdf "
                     "tender as .docx first)")


def import_requirements(root: Path, source: Path, kind: str | None = None) -> Result:
    """Import ``source``'s requirements into the workspace ``root`` (only its tender.yaml needs to be readable)."""
    if not root.is_dir():
        raise InputError(f"{root}: workspace folder not found")
    imported = parse(tables(source), kind=kind, name=source.name)
    result = requirements_sheet.import_requirements(root, imported.requirements, source.name)
    result.warnings[:0] = imported.warnings
    return result
