"""Rendering the sample's Word documents: golden text, fonts, escaping, sandbox, atomic output."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document

from bidkit.adapters.render.text import docx_text
from bidkit.core import book, forms
from bidkit.pipeline.documents import available, render, render_document
from bidkit.store import lock, workspace
from bidkit.store.resources import templates_dir
from bidkit.store.templates import find_form, find_template
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
        "feasibility_report", "initiation_request", "bid_letter", "authorisation_letter", "technical_deviations",
        "internal_acceptance", "rectification_notice", "formal_acceptance",
    }


# the documents, then every chapter of the sample's book made from a form (post-award reports: test_reports.py)
DOCUMENTS = ["feasibility_report", "initiation_request", "internal_acceptance", "rectification_notice",
             "formal_acceptance"]
FORMS = ["price-cover", "bid_letter", "opening_summary", "itemised_prices", "commercial-cover",
         "legal_rep_certificate", "authorisation_letter", "qualifications", "sme_declaration", "supplier_conditions",
         "no_violation_declaration", "commercial_deviations", "references", "after_sales", "technical-cover",
         "bom", "technical_deviations", "construction_organisation"]


def test_the_sample_has_every_document(sample: workspace.Workspace) -> None:
    assert sorted(available(sample)) == sorted(DOCUMENTS + FORMS + ["technical_solution"])


@pytest.mark.parametrize("name", DOCUMENTS + FORMS)
def test_golden_text(name: str, sample: workspace.Workspace) -> None:
    assert_golden(f"render/{name}", docx_text(render_document(sample, name)))


def test_no_placeholder_left(rendered: dict[str, bytes]) -> None:
    for name, blob in rendered.items():
        text = docx_text(blob)
        assert not re.search(r"\{\{|\}\}|\{%|%\}", text), name


@pytest.mark.parametrize("path", sorted(templates_dir().glob("**/*.docx")), ids=lambda p: p.name)
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


@pytest.mark.parametrize("path", sorted((templates_dir() / "forms").glob("*.docx")), ids=lambda p: p.name)
def test_bid_forms_carry_no_page_number_fields(path: Path) -> None:
    """The package numbers a bid's pages: a form's own PAGE field would print a second number."""
    name = path.stem
    with zipfile.ZipFile(path) as zf:
        for part in zf.namelist():
            if part.startswith("word/") and part.endswith(".xml"):
                xml = zf.read(part).decode()
                assert not re.search(r"\b(PAGE|NUMPAGES|SECTIONPAGES)\b", xml), (name, part)


def test_bid_letter_shows_total_in_figures_and_upper(sample: workspace.Workspace) -> None:
    text = docx_text(render_document(sample, "bid_letter"))
    chapter = book.plan(sample.data).chapter("bid_letter")
    assert chapter is not None
    ctx = forms.build(sample.data, chapter)
    assert ctx["prices"]["total"] in text
    assert ctx["prices"]["total_upper"] in text


def test_company_name_with_markup_characters_is_escaped(sample_ws: Path) -> None:
    path = sample_ws / "company.yaml"
    text = path.read_text(encoding="utf-8")
    name = workspace.load(sample_ws).data.company.name
    path.write_text(text.replace(name, "A&B <智安> \"科技\""), encoding="utf-8")
    ws = workspace.load(sample_ws)
    out = docx_text(render_document(ws, "authorisation_letter"))
    assert 'A&B <智安> “科技”' in out  # Chinese quotation marks in Chinese text


def _override(ws_root: Path, name: str, body: str) -> None:
    doc = Document()
    doc.add_paragraph(body)
    (ws_root / "templates").mkdir(exist_ok=True)
    doc.save(str(ws_root / "templates" / f"{name}.docx"))


def test_workspace_form_overrides_bundled(sample_ws: Path) -> None:
    _override(sample_ws, "bom", "自定义格式：{{ tender.number }}")
    ws = workspace.load(sample_ws)
    assert find_form(ws, "bom").display == "templates/bom.docx"
    assert docx_text(render_document(ws, "bom")) == f"自定义格式：{ws.data.tender.number}\n"


def test_a_report_override_never_replaces_a_form(sample_ws: Path) -> None:
    """Bid forms and documents are two namespaces: 施工组织设计 (form) is not 施工方案 (report)."""
    _override(sample_ws, "construction_plan", "施工方案（自定义）")
    ws = workspace.load(sample_ws)
    assert find_form(ws, "construction_organisation").bundled
    assert find_template(ws, "construction_plan").display == "templates/construction_plan.docx"


def test_whole_part_templates_are_refused_with_advice(cli: Callable[..., Result], sample_ws: Path) -> None:
    _override(sample_ws, "technical_part", "旧的整部分模板")
    r = cli("validate", sample_ws)
    assert r.code == 3
    assert r.err_lines[0].startswith("templates/technical_part.docx: whole-part templates are no longer used")


def test_unknown_template_variable_is_one_line(cli: Callable[..., Result], sample_ws: Path) -> None:
    _override(sample_ws, "bom", "传真：{{ company.fax_number }}")
    before = snapshot(sample_ws)
    r = cli("render", sample_ws, "--only", "bom")
    assert (r.code, r.err_lines) == (
        3,
        ["error: templates/bom.docx: undefined variable 'company.fax_number' (did you mean company.fax?)"],
    )
    assert snapshot(sample_ws) == before


def test_templates_check_lists_unknown_variables(cli: Callable[..., Result], sample_ws: Path) -> None:
    _override(sample_ws, "after_sales", "{{ company.fax_number }} {{ bid.discount }} {{ tender.number }}")
    r = cli("templates", "check", sample_ws)
    assert r.code == 3
    assert r.err_lines == [
        "templates/after_sales.docx: undefined variable 'bid.discount'",
        "templates/after_sales.docx: undefined variable 'company.fax_number' (did you mean company.fax?)",
    ]
    assert "ok: bundled:forms/bom.docx" in r.out


@pytest.mark.parametrize(
    "expr",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ company.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
    ],
)
def test_sandbox_refuses_escapes(cli: Callable[..., Result], sample_ws: Path, expr: str) -> None:
    _override(sample_ws, "bom", expr)
    r = cli("render", sample_ws, "--only", "bom")
    assert r.code == 3
    (line,) = r.err_lines
    assert line.startswith("error: templates/bom.docx: ")
    assert "Traceback" not in r.err


def test_failed_render_keeps_earlier_output(cli: Callable[..., Result], sample_ws: Path) -> None:
    assert cli("render", sample_ws, "--only", "bom", "--only", "after_sales").code == 0
    build_before = snapshot(sample_ws / "build")
    _override(sample_ws, "after_sales", "{{ nope }}")
    r = cli("render", sample_ws, "--only", "bom", "--only", "after_sales")
    assert r.code == 3
    assert snapshot(sample_ws / "build") == build_before


def test_render_cli_writes_every_document(cli: Callable[..., Result], sample_ws: Path) -> None:
    r = cli("render", sample_ws)
    assert r.code == 0, r.err
    ws = workspace.load(sample_ws)
    written = sorted(p.name for p in (sample_ws / "build" / "docx").glob("*.docx"))
    assert written == sorted(f"{n}.docx" for n in available(ws))
    assert not list((sample_ws / "build" / "docx").glob("*.part"))


def test_render_library_call(sample_ws: Path) -> None:
    ws = workspace.load(sample_ws)
    out = render(ws, ["technical_deviations"])
    assert [r.name for r in out] == ["technical_deviations"]
    assert out[0].path.read_bytes()[:2] == b"PK"
