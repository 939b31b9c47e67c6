"""Template tooling: `templates check` renders every template (price chapters with placeholder prices) and lists
every undefined name with the nearest valid one, never an internal error; `render` names them all in one run;
`templates vars` lists every variable, and templates/README.md holds that list."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.core.template_vars import describe, suggest
from bidkit.pipeline import templates
from bidkit.store.resources import templates_dir
from tests import golden
from tests.helpers import ROOT, Result, snapshot

README = ROOT / "templates" / "README.md"
BEGIN, END = "<!-- generated: bidkit templates vars -->\n", "<!-- end of generated list -->\n"


def override(root: Path, form: str, *edits: tuple[str, str]) -> Path:
    """templates/forms/FORM.docx: the bundled form with text replaced in its XML."""
    target = root / "templates" / "forms" / f"{form}.docx"
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(templates_dir() / "forms" / f"{form}.docx") as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "word/document.xml":
                xml = blob.decode()
                for old, new in edits:
                    assert old in xml, old
                    xml = xml.replace(old, new, 1)
                blob = xml.encode()
            zout.writestr(item, blob)
    return target


def test_three_wrong_names_all_listed_with_suggestions(cli: Callable[..., Result], sample_ws: Path) -> None:
    """The price form is checked without an approval (placeholder prices); a misspelt top-level name is a
    suggestion, not RecursionError (exit 70)."""
    (sample_ws / "audit.log").unlink()  # no approval: the price chapters are checked all the same
    override(sample_ws, "bid_letter", ("prices.total_upper", "prices.total_in_words"),
             ("bid.validity_days", "bid.bid_validity_days"), ("company.fax", "company.fax_number"),
             ("company.name", "compnay.name"))
    before = snapshot(sample_ws)
    r = cli("templates", "check", sample_ws)
    assert r.code == 3
    assert r.err_lines == [
        "templates/forms/bid_letter.docx: undefined variable 'bid.bid_validity_days' (did you mean bid.validity_days?)",
        "templates/forms/bid_letter.docx: undefined variable 'company.fax_number' (did you mean company.fax?)",
        "templates/forms/bid_letter.docx: undefined variable 'compnay' (did you mean company?)",
        "templates/forms/bid_letter.docx: undefined variable 'prices.total_in_words' (did you mean "
        "prices.total_upper?)",
    ]
    assert "ok: bundled:forms/itemised_prices.docx (itemised_prices, placeholder prices)" in r.out.splitlines()
    assert r.out.splitlines()[-1] == ("checked 23 templates (price chapters with placeholder prices: no approval "
                                      "needed, no price shown): 4 undefined name(s), 1 template(s) with problems")
    assert "1.00" not in r.out + r.err
    assert snapshot(sample_ws) == before


def test_render_names_every_undefined_name_at_once(cli: Callable[..., Result], sample_ws: Path) -> None:
    override(sample_ws, "authorisation_letter", ("authorisation.valid_until", "authorisation.valid_untill"),
             ("company.credit_code", "company.creditcode"), ("tender.purchaser", "tendr.purchaser"))
    r = cli("render", sample_ws, "--only", "authorisation_letter")
    assert (r.code, r.err_lines) == (3, [
        "templates/forms/authorisation_letter.docx: undefined variable 'authorisation.valid_untill' (did you mean "
        "authorisation.valid_until?)",
        "templates/forms/authorisation_letter.docx: undefined variable 'company.creditcode' (did you mean "
        "company.credit_code?)",
        "templates/forms/authorisation_letter.docx: undefined variable 'tendr' (did you mean tender?)",
        "error: 3 problems found",
    ])
    assert not (sample_ws / "build" / "docx" / "authorisation_letter.docx").exists()


def test_a_broken_template_is_a_line_not_a_crash(cli: Callable[..., Result], sample_ws: Path) -> None:
    override(sample_ws, "references", ("{{ chapter.title }}", "{{ chapter.title }"))
    r = cli("templates", "check", sample_ws)
    assert r.code == 3
    [line] = r.err_lines
    assert line.startswith("templates/forms/references.docx: template syntax error: ")


@pytest.mark.parametrize(("name", "expected"), [
    ("prices.total_in_words", "prices.total_upper"), ("bid.bid_validity_days", "bid.validity_days"),
    ("company.fax_number", "company.fax"), ("compnay.name", "company"), ("tender.nubmer", "tender.number"),
    ("rows[].respone", "rows[].response"), ("nothing_like_it", None),
])
def test_suggest(name: str, expected: str | None) -> None:
    valid = {"company.name", "company.fax", "bid.validity_days", "prices.total", "prices.total_upper",
             "tender.number", "tender.bid_validity_days", "rows", "rows[].response", "rows[].no"}
    assert suggest(name, valid) == expected


def test_vars_of_one_template(cli: Callable[..., Result]) -> None:
    r = cli("templates", "vars", "bid_letter")
    assert r.code == 0
    lines = r.out.splitlines()
    assert any(re.fullmatch(r"prices\.total_upper +文本 +投标总价（人民币大写）", ln) for ln in lines)
    assert any(re.fullmatch(r"bid\.validity_days +数字 +投标有效期（天）", ln) for ln in lines)
    assert any(re.fullmatch(r"tender\.method +文本 +采购方式（公开招标、竞争性磋商……）", ln) for ln in lines)
    r = cli("templates", "vars", "bid_leter")
    assert r.code == 3 and r.err_lines[0].startswith("error: bid_leter: unknown template (one of volume_cover, ")


def test_every_variable_is_described() -> None:
    missing = [(g.title, v.path) for g in templates.groups() for v in g.variables if not v.description]
    assert missing == []
    assert describe("prices.lines[].unit_price") == "单价（小写）"


def test_templates_readme_lists_every_variable() -> None:
    text = README.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN)
    _, tail = rest.split(END)
    current = templates.markdown()
    if golden.UPDATE["on"]:
        README.write_text(head + BEGIN + current + END + tail, encoding="utf-8")
        return
    assert rest.split(END)[0] == current, "templates/README.md is out of date: run pytest --update-golden " \
                                          "tests/test_template_tools.py"
