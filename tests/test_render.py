"""Rendering the sample's Word documents: golden text, fonts, escaping, sandbox, atomic output."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from bidkit.adapters.render.text import docx_text
from bidkit.core import context
from bidkit.pipeline.documents import available, render, render_document
from bidkit.store import lock, workspace
from bidkit.store.resources import templates_dir
from bidkit.store.templates import find_template
from tests.golden import assert_golden
from tests.helpers import SAMPLE, Result, snapshot

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def sample() -> workspace.Workspace:
    """The sample with its DEMO prices decrypted through the price lock, as the price part needs them."""
    return lock.with_prices(workspace.load(SAMPLE), "demo-only-passphrase")


@pytest.fixture(scope="module")
def rendered(sample: workspace.Workspace) -> dict[str, bytes]:
    return {name: render_document(sample, name) for name in available(sample)}


def test_every_document_of_the_sample_renders(rendered: dict[str, bytes]) -> None:
    assert set(rendered) >= {
        "feasibility_report", "initiation_request", "technical_part", "commercial_part",
        "internal_acceptance", "rectification_notice", "formal_acceptance",
    }


BID_AND_FORMS = ["feasibility_report", "initiation_request", "technical_part", "commercial_part", "price_part",
                 "internal_acceptance", "rectification_notice", "formal_acceptance"]  # post-award: test_reports.py


def test_the_sample_has_every_document(sample: workspace.Workspace) -> None:
    assert available(sample) == BID_AND_FORMS


@pytest.mark.parametrize("name", BID_AND_FORMS)
def test_golden_text(name: str, sample: workspace.Workspace) -> None:
    assert_golden(f"render/{name}", docx_text(render_document(sample, name)))


def test_no_placeholder_left(rendered: dict[str, bytes]) -> None:
    for name, blob in rendered.items():
        text = docx_text(blob)
        assert not re.search(r"\{\{|\}\}|\{%|%\}", text), name


@pytest.mark.parametrize("path", sorted(templates_dir().glob("*.docx")), ids=lambda p: p.name)
def test_templates_name_east_asian_fonts_and_no_theme_fonts(path: Path) -> None:
    """Theme fonts override an explicit East Asian font, so none may be left; defaults name a CJK face."""
    with zipfile.ZipFile(path) as zf:
        styles = zf.read("word/styles.xml").decode()
        document = zf.read("word/document.xml").decode()
    assert "eastAsiaTheme" not in styles and "eastAsiaTheme" not in document
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", styles, re.S)
    assert defaults and re.search(r'w:eastAsia="(宋体|黑体|仿宋)"', defaults.group(0))
    doc = Document(str(path))
    for para in doc.paragraphs:
        for run in para.runs:
            fonts = run._element.find(f"{W}rPr/{W}rFonts")
            if fonts is not None and re.search(r"[\u4e00-\u9fff]", run.text):
                assert fonts.get(f"{W}eastAsia"), (path.name, run.text)


@pytest.mark.parametrize("name", ["technical_part", "commercial_part", "price_part"])
def test_bid_templates_carry_no_page_number_fields(name: str) -> None:
    with zipfile.ZipFile(templates_dir() / f"{name}.docx") as zf:
        for part in zf.namelist():
            if part.startswith("word/") and part.endswith(".xml"):
                xml = zf.read(part).decode()
                assert not re.search(r"\b(PAGE|NUMPAGES|SECTIONPAGES)\b", xml), (name, part)


def test_price_part_shows_total_in_figures_and_upper(sample: workspace.Workspace) -> None:
    text = docx_text(render_document(sample, "price_part"))
    ctx = context.build("price_part", sample.data)
    assert ctx["prices"]["total"] in text
    assert ctx["prices"]["total_upper"] in text


def test_company_name_with_markup_characters_is_escaped(sample_ws: Path) -> None:
    path = sample_ws / "company.yaml"
    text = path.read_text(encoding="utf-8")
    name = workspace.load(sample_ws).data.company.name
    path.write_text(text.replace(name, "A&B <智安> \"科技\""), encoding="utf-8")
    ws = workspace.load(sample_ws)
    out = docx_text(render_document(ws, "commercial_part"))
    assert 'A&B <智安> "科技"' in out


def _override(ws_root: Path, name: str, body: str) -> None:
    doc = Document()
    doc.add_paragraph(body)
    (ws_root / "templates").mkdir(exist_ok=True)
    doc.save(str(ws_root / "templates" / f"{name}.docx"))


def test_workspace_template_overrides_bundled(sample_ws: Path) -> None:
    _override(sample_ws, "technical_part", "自定义格式：{{ tender.number }}")
    ws = workspace.load(sample_ws)
    assert find_template(ws, "technical_part").display == "templates/technical_part.docx"
    assert docx_text(render_document(ws, "technical_part")) == f"自定义格式：{ws.data.tender.number}\n"


def test_unknown_template_variable_is_one_line(cli: Callable[..., Result], sample_ws: Path) -> None:
    _override(sample_ws, "technical_part", "传真：{{ company.fax_number }}")
    before = snapshot(sample_ws)
    r = cli("render", sample_ws, "--only", "technical_part")
    assert (r.code, r.err_lines) == (
        3,
        ["error: templates/technical_part.docx: undefined variable 'company.fax_number'"],
    )
    assert snapshot(sample_ws) == before


def test_templates_check_lists_unknown_variables(cli: Callable[..., Result], sample_ws: Path) -> None:
    _override(sample_ws, "commercial_part", "{{ company.fax_number }} {{ bid.discount }} {{ tender.number }}")
    r = cli("templates", "check", sample_ws)
    assert r.code == 3
    assert r.err_lines == [
        "templates/commercial_part.docx: unknown variable 'bid.discount'",
        "templates/commercial_part.docx: unknown variable 'company.fax_number'",
    ]
    assert "ok: bundled:technical_part.docx" in r.out


@pytest.mark.parametrize(
    "expr",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ company.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_sandbox_refuses_escapes(cli: Callable[..., Result], sample_ws: Path, expr: str) -> None:
    _override(sample_ws, "technical_part", expr)
    r = cli("render", sample_ws, "--only", "technical_part")
    assert r.code == 3
    (line,) = r.err_lines
    assert line.startswith("error: templates/technical_part.docx: ")
    assert "Traceback" not in r.err


def test_failed_render_keeps_earlier_output(cli: Callable[..., Result], sample_ws: Path) -> None:
    assert cli("render", sample_ws, "--only", "technical_part", "--only", "commercial_part").code == 0
    build_before = snapshot(sample_ws / "build")
    _override(sample_ws, "commercial_part", "{{ nope }}")
    r = cli("render", sample_ws, "--only", "technical_part", "--only", "commercial_part")
    assert r.code == 3
    assert snapshot(sample_ws / "build") == build_before


def test_render_cli_writes_every_document(cli: Callable[..., Result], sample_ws: Path) -> None:
    r = cli("render", sample_ws)
    assert r.code == 0, r.err
    ws = workspace.load(sample_ws)
    written = sorted(p.name for p in (sample_ws / "build" / "docx").glob("*.docx"))
    assert written == sorted(f"{n}.docx" for n in available(ws) if n != "price_part" or ws.data.pricing)
    assert not list((sample_ws / "build" / "docx").glob("*.part"))


def test_render_library_call(sample_ws: Path) -> None:
    ws = workspace.load(sample_ws)
    out = render(ws, ["technical_part"])
    assert [r.name for r in out] == ["technical_part"]
    assert out[0].path.read_bytes()[:2] == b"PK"
