"""Hostile templates: sandbox escapes, runaway loops, zip bombs, broken files, split placeholders."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from bidkit.adapters.render.text import docx_text
from bidkit.pipeline.documents import render_document
from bidkit.store import workspace
from tests.helpers import Result

TPL = "templates/bom.docx"  # the 设备清单 form, overridden by the workspace


def override(ws: Path, *paragraphs: str) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    path = ws / TPL
    doc.save(str(path))
    return path


@pytest.mark.parametrize(
    ("expr", "detail"),
    [
        ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe."),
        ("{{ tender.__class__.__init__.__globals__ }}", "access to attribute '__class__' of 'Node' object is unsafe."),
        ("{{ cycler.__init__.__globals__.os }}", "access to attribute '__init__' of 'type' object is unsafe."),
        ("{{ joiner.__init__.__globals__ }}", "access to attribute '__init__' of 'type' object is unsafe."),
        ("{{ self._TemplateReference__context }}", "access to attribute '_TemplateReference__context' of "
                                                   "'TemplateReference' object is unsafe."),
    ],
)
@pytest.mark.slow
def test_sandbox_escape_is_refused(built_ws: Path, fails_cleanly: Callable[..., Result], expr: str,
                                   detail: str) -> None:
    override(built_ws, expr)
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: unsafe template expression refused ({detail})")


def test_os_is_not_reachable(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    override(built_ws, "{{ os.system('touch /tmp/pwned') }}")
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: undefined variable 'os'")
    assert not Path("/tmp/pwned").exists()


@pytest.mark.slow
def test_endless_loop_is_stopped(built_ws: Path, fails_cleanly: Callable[..., Result],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_TEMPLATE_TIMEOUT", "3")
    override(built_ws, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: rendering took longer than 3 s (an endless or huge loop?)")


@pytest.mark.slow
def test_million_row_table_is_bounded(built_ws: Path, fails_cleanly: Callable[..., Result],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_TEMPLATE_TIMEOUT", "60")
    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "{%tr for i in range(1000) %}"
    table.cell(1, 0).text = "{%tr for j in range(1000) %}"
    cells = table.add_row().cells
    cells[0].text, cells[1].text = "{{ i }}-{{ j }} " + "填充文字" * 20, "{{ tender.number }}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    table.add_row().cells[0].text = "{%tr endfor %}"
    doc.save(str(built_ws / TPL))
    r = fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                      line=f"error: {TPL}: rendered document too large (over 50 million characters)")
    assert r.out == ""


def test_zip_bomb(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
        with zf.open("word/media/bomb.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(200):
                fh.write(chunk)
    (built_ws / TPL).write_bytes(buf.getvalue())
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: .docx unpacks to 200 MB (zip bomb?)")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"this is not a word file", "not a .docx file (not a zip archive)"),
        (b"", "not a .docx file (not a zip archive)"),
    ],
)
def test_not_a_docx(built_ws: Path, fails_cleanly: Callable[..., Result], content: bytes, problem: str) -> None:
    (built_ws / TPL).write_bytes(content)
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3, line=f"error: {TPL}: {problem}")


def test_zip_that_is_not_word(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    (built_ws / TPL).write_bytes(buf.getvalue())
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: not a Word document (no word/document.xml)")


def test_placeholder_split_across_runs_still_renders(sample_ws: Path) -> None:
    doc = Document()
    para = doc.add_paragraph()
    para.add_run("投标人：{{ com")
    bold = para.add_run("pany.na")
    bold.bold = True
    para.add_run("me }}")
    doc.save(str(sample_ws / TPL))
    ws = workspace.load(sample_ws)
    assert docx_text(render_document(ws, "bom")) == f"投标人：{ws.data.company.name}\n"


def test_undefined_variable_in_a_loop_names_the_path(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    override(built_ws, "{% for row in bom %}{{ row.price }}{% endfor %}")
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: undefined variable 'bom[].price'")


def test_internal_cost_is_not_reachable(built_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    override(built_ws, "{{ internal_cost.labour }}")
    fails_cleanly(built_ws, "render", built_ws, "--only", "bom", code=3,
                  line=f"error: {TPL}: undefined variable 'internal_cost'")
