"""Hostile paths: '..', absolute paths, symlinks out of the workspace, backslashes; odd but valid names work."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from bidkit.adapters.render.text import docx_text
from bidkit.pipeline.documents import render_document
from bidkit.store import workspace
from tests.helpers import Result


def set_templates(ws: Path, mapping: str) -> int:
    path = ws / "bidkit.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^templates:.*$", lambda _: f"templates:\n  bom: {mapping}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index(f"  bom: {mapping}") + 1


@pytest.mark.parametrize(
    ("mapping", "problem"),
    [
        ("../outside.docx", "path must stay inside the workspace (../outside.docx)"),
        ("templates/../../outside.docx", "path must stay inside the workspace (templates/../../outside.docx)"),
        ("/etc/passwd", "path must be relative to the workspace (/etc/passwd)"),
        ("'C:\\bids\\tpl.docx'", "use '/' in paths, not '\\' (C:\\bids\\tpl.docx)"),
        ("'templates\\tpl.docx'", "use '/' in paths, not '\\' (templates\\tpl.docx)"),
    ],
)
def test_template_paths_outside_are_refused(built_ws: Path, fails_cleanly: Callable[..., Result], mapping: str,
                                            problem: str) -> None:
    line = set_templates(built_ws, mapping)
    r = fails_cleanly(built_ws, "render", built_ws, code=3, line="error: 1 problem found")
    assert r.err_lines[0] == f"bidkit.yaml:{line} templates.bom: {problem}"


def test_symlinked_template_pointing_outside(built_ws: Path, tmp_path: Path,
                                            fails_cleanly: Callable[..., Result]) -> None:
    outside = tmp_path / "evil.docx"
    doc = Document()
    doc.add_paragraph("{{ tender.number }}")
    doc.save(str(outside))
    (built_ws / "templates" / "bom.docx").symlink_to(outside)
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line="error: templates/bom.docx: template path leads outside the workspace")


def test_symlinked_attachment_folder_pointing_outside(built_ws: Path, tmp_path: Path,
                                                     fails_cleanly: Callable[..., Result]) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.move(built_ws / "attachments", elsewhere)
    (built_ws / "attachments").symlink_to(elsewhere, target_is_directory=True)
    data = workspace.load(built_ws, check_files=False).data
    receipt = data.registration is not None and data.registration.bid_bond is not None  # the bid bond's receipt
    scans = len(data.company.qualifications) + len(data.responses.attachments) + receipt  # under attachments/
    r = fails_cleanly(built_ws, "validate", built_ws, code=3, line=f"error: {scans} problems found")
    assert all(x.endswith(")") and "file path leads outside the workspace" in x for x in r.err_lines[:-1])


def test_names_with_spaces_and_chinese_work(sample_ws: Path) -> None:
    company = sample_ws / "company.yaml"
    text = company.read_text(encoding="utf-8")
    first = re.search(r"scan: attachments/(\S+\.pdf)", text)
    assert first
    old = first.group(1)
    new = "营业执照 副本 (2026).pdf"
    (sample_ws / "attachments" / old).rename(sample_ws / "attachments" / new)
    company.write_text(text.replace(f"scan: attachments/{old}", f"scan: 'attachments/{new}'"), encoding="utf-8")
    doc = Document()
    doc.add_paragraph("{{ tender.number }}")
    (sample_ws / "templates" / "技术 标").mkdir()
    doc.save(str(sample_ws / "templates" / "技术 标" / "格式.docx"))
    set_templates(sample_ws, "'templates/技术 标/格式.docx'")
    ws = workspace.load(sample_ws)
    assert ws.data.company.qualifications[0].scan == f"attachments/{new}"
    assert docx_text(render_document(ws, "bom")) == f"{ws.data.tender.number}\n"
