"""The checks' adapter on real files: attachment facts, template names, requirements sheets, package text."""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pikepdf
import pytest

from bidkit.core.errors import InputError, ValidationFailed
from bidkit.pipeline import check as check_io
from bidkit.store.requirements_sheet import read, replace_block
from bidkit.store.workspace import load
from tests.helpers import Result, line_no


def _pdf(path: Path, **save: object) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, **save)  # type: ignore[arg-type]


def test_attachment_facts(sample_ws: Path) -> None:
    att = sample_ws / "attachments"
    _pdf(att / "iso9001.pdf", encryption=pikepdf.Encryption(user="u", owner="o"))
    data = (att / "its_service.pdf").read_bytes()
    (att / "its_service.pdf").write_bytes(data[: len(data) // 3])
    (att / "safety_permit.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
    facts = check_io.attachment_facts(load(sample_ws))
    assert facts["attachments/business_licence.pdf"] == {"exists": True, "pdf_ok": True, "pages": 1, "problem": "",
                                                         "notes": []}
    assert facts["attachments/iso9001.pdf"]["problem"] == "encrypted with a password"
    assert facts["attachments/its_service.pdf"]["pdf_ok"] is False
    assert facts["attachments/safety_permit.pdf"]["problem"] == "not a PDF (a PNG image); convert it to PDF first"


def test_template_names_reads_the_jinja_ast(tmp_path: Path) -> None:
    from bidkit.store.resources import templates_dir

    src = templates_dir() / "forms" / "bid_letter.docx"
    names = check_io.template_names(src)
    assert {"prices.total", "prices.total_upper", "company.name", "chapter.title"} <= names
    # a copy that sneaks the internal cost in behind a test that is never true
    out = tmp_path / "bid_letter.docx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "word/document.xml":
                blob = blob.replace("致：".encode(), "致：{% if internal_cost is defined %}"
                                    "{{ internal_cost.labour }}{% endif %}".encode(), 1)
            zout.writestr(item, blob)
    assert "internal_cost.labour" in check_io.template_names(out)


def test_template_names_are_kept_by_the_template_s_content(tmp_path: Path) -> None:
    """Kept in the (sealed) conversion cache under the template's digest: the same names as read directly; a
    template changed at the same path is read again (the internal cost it sneaks in is seen); an entry forged
    without this user's tag (names that hide the internal cost) is not believed."""
    import hashlib

    from bidkit.adapters.sealed import SealedCache
    from bidkit.pipeline import book as book_pipeline
    from bidkit.store.resources import templates_dir

    cache = SealedCache(tmp_path / "cache", b"k" * 32)
    path = tmp_path / "bid_letter.docx"
    shutil.copyfile(templates_dir() / "forms" / "bid_letter.docx", path)
    direct = check_io.template_names(path)
    assert check_io._names("bid_letter", path, cache) == direct
    assert len(list(cache.dir.glob("vars-bid_letter-*.json"))) == 1
    assert check_io._names("bid_letter", path, cache) == direct  # from the cache now
    with zipfile.ZipFile(templates_dir() / "forms" / "bid_letter.docx") as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "word/document.xml":
                blob = blob.replace("致：".encode(), "致：{{ internal_cost.labour }}".encode(), 1)
            zout.writestr(item, blob)
    key = hashlib.sha256(f"{book_pipeline.code_digest()}\0vars\0".encode() + path.read_bytes()).hexdigest()
    forged = cache.dir / f"vars-bid_letter-{key}.json"
    forged.write_text('["company.name"]', encoding="utf-8")
    forged.with_name(forged.name + ".tag").write_text("0" * 64, encoding="ascii")
    names = check_io._names("bid_letter", path, cache)
    assert "internal_cost.labour" in names and names == check_io.template_names(path)
    assert len(list(cache.dir.glob("vars-bid_letter-*.json"))) == 1  # the older entry went


def test_kept_template_names_are_those_of_the_bytes_they_are_kept_under(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The names are read from the bytes whose digest keys the entry, not from the path again: a template swapped
    for one that uses the internal cost between the two reads would otherwise file that template's names under
    the clean template's key (and a later assembly of the clean one would believe them)."""
    from bidkit.adapters.render import docx as docx_adapter
    from bidkit.adapters.sealed import SealedCache
    from bidkit.store.resources import templates_dir

    cache = SealedCache(tmp_path / "cache", b"k" * 32)
    path = tmp_path / "bid_letter.docx"
    shutil.copyfile(templates_dir() / "forms" / "bid_letter.docx", path)
    clean = check_io.template_names(path)
    sneaky = tmp_path / "sneaky.docx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(sneaky, "w") as zout:
        for item in zin.infolist():
            blob = zin.read(item.filename)
            if item.filename == "word/document.xml":
                blob = blob.replace("致：".encode(), "致：{{ internal_cost.labour }}".encode(), 1)
            zout.writestr(item, blob)
    real = docx_adapter.template_names

    def swapped_first(p: Path, data: bytes | None = None) -> frozenset[str]:
        shutil.copyfile(sneaky, path)  # the insider's swap, after bidkit read the bytes it keys the entry by
        return real(p, data)

    monkeypatch.setattr(check_io, "template_names", swapped_first)
    assert check_io._names("bid_letter", path, cache) == clean
    monkeypatch.setattr(check_io, "template_names", real)
    shutil.copyfile(templates_dir() / "forms" / "bid_letter.docx", path)
    assert check_io._names("bid_letter", path, cache) == clean  # what the cache holds for the clean bytes


def _sheet(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["江临市公安局 技术与商务要求"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADER = ["序号", "条款", "★", "要求", "类型"]


def test_read_requirements_sheet(tmp_path: Path) -> None:
    reqs = read(_sheet(tmp_path / "r.xlsx", [HEADER, [1, "5.2.1", "★", "分辨率不低于 400 万像素", "技术"],
                                             [2, "5.2.2", "", "最低照度 0.005 Lux", ""],
                                             [], [1, "2.3.1", "是", "不得超过最高限价", "商务"]]))
    assert [(r.id, r.clause, r.mandatory, r.kind.value) for r in reqs] == [
        ("T-01", "5.2.1", True, "technical"), ("T-02", "5.2.2", False, "technical"),
        ("C-01", "2.3.1", True, "commercial")]


def test_bad_rows_each_reported(tmp_path: Path) -> None:
    path = _sheet(tmp_path / "bad.xlsx", [HEADER, [1, "5.2.1", "★", "", "技术"], [2, "", "maybe", "x", "其他"],
                                          ["", "5.3", "", "y", ""], [2, "", "", "z", ""]])
    with pytest.raises(ValidationFailed) as exc:
        read(path)
    assert exc.value.lines() == [
        "bad.xlsx:3 要求: empty",
        "bad.xlsx:4 类型: '其他' is not 技术 or 商务",
        "bad.xlsx:4 ★: 'maybe' is not ★ or empty",
        "bad.xlsx:5 序号: empty",
        "bad.xlsx:6 序号: 'T-02' appears twice (first on row 4)",
    ]


def test_sheet_without_header(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^x\.xlsx: no table with the columns 序号 and 要求"):
        read(_sheet(tmp_path / "x.xlsx", [["a", "b"], [1, 2]]))


def test_replace_block_keeps_the_rest() -> None:
    text = "# head\nnumber: X\nrequirements:\n  - id: A\n    text: a\n# tail comment\nextra: 1\n"
    assert replace_block(text, "requirements:\n- id: B\n") == (
        "# head\nnumber: X\nrequirements:\n- id: B\n# tail comment\nextra: 1\n")
    assert replace_block("number: X", "requirements: []\n") == "number: X\n\nrequirements: []\n"


def test_import_requirements_cli(cli: Callable[..., Result], sample_ws: Path, tmp_path: Path) -> None:
    ws = load(sample_ws)
    rows = [HEADER] + [[r.id, r.clause, "★" if r.mandatory else "", r.text, r.kind.label]
                       for r in ws.data.tender.requirements]
    rows.append([99, "5.9.9", "★", "新增：平台须支持国产操作系统", "技术"])
    sheet = _sheet(tmp_path / "reqs.xlsx", rows)
    before = (sample_ws / "tender.yaml").read_text(encoding="utf-8")
    r = cli("tender", "import-requirements", sample_ws, sheet)
    assert r.code == 0, r.err
    stars = sum(r.mandatory for r in ws.data.tender.requirements) + 1
    tech = sum(r.kind.value == "technical" for r in ws.data.tender.requirements) + 1
    assert r.out == (f"imported {len(rows) - 1} requirements ({stars} ★; {tech} technical, {len(rows) - 1 - tech} "
                     "commercial) "
                     f"into {sample_ws / 'tender.yaml'}\n"
                     f"rows to answer added to {sample_ws / 'responses.yaml'}: 1 technical, 0 commercial (fill in "
                     "response and deviation)\n")
    after = (sample_ws / "tender.yaml").read_text(encoding="utf-8")
    assert after.split("requirements:")[0] == before.split("requirements:")[0]  # comments above kept
    new = load(sample_ws).data.tender
    assert new.requirements[-1].id == "T-99" and new.requirements[-1].mandatory
    r = cli("check", sample_ws)  # the new ★ requirement is still to answer: fatal, at its row
    assert r.code == 10
    row = line_no(sample_ws / "responses.yaml", "requirement: T-99 ")
    assert f"[responsiveness.requirement_answered] responses.yaml:{row} technical." in r.out


def test_import_keeps_answers_it_does_not_know_and_names_them(cli: Callable[..., Result], sample_ws: Path,
                                                              tmp_path: Path) -> None:
    """An answer whose requirement the new sheet lacks is kept (never lost) and named; validate lists it too."""
    sheet = _sheet(tmp_path / "few.xlsx", [HEADER, [1, "5.2.1", "★", "分辨率不低于 400 万像素", "技术"]])
    r = cli("tender", "import-requirements", sample_ws, sheet)
    assert r.code == 0, r.err
    line = line_no(sample_ws / "responses.yaml", "requirement: T-02$")
    assert (f"warning: responses.yaml:{line} technical.1.requirement: 'T-02' is not a requirement in few.xlsx (the "
            "answer is kept: move or remove it)") in r.err_lines
    r = cli("validate", sample_ws)
    assert r.code == 3 and f"responses.yaml:{line} technical.1.requirement: unknown requirement 'T-02'" in r.err_lines


def test_import_bad_sheet_cli(cli: Callable[..., Result], sample_ws: Path, tmp_path: Path) -> None:
    path = _sheet(tmp_path / "bad.xlsx", [HEADER, [1, "5.2.1", "★", "", "技术"]])
    r = cli("tender", "import-requirements", sample_ws, path)
    assert (r.code, r.err_lines) == (3, ["bad.xlsx:3 要求: empty", "error: 1 problem found"])
    (tmp_path / "n.xlsx").write_bytes(b"not a zip")
    r = cli("tender", "import-requirements", sample_ws, tmp_path / "n.xlsx")
    assert (r.code, r.err_lines) == (3, ["error: n.xlsx: not a readable .xlsx workbook"])


def test_package_texts_split_by_bookmarks(tmp_path: Path) -> None:
    from bidkit.core.checks.text import squeeze

    if not shutil.which("pdftotext"):
        pytest.skip("poppler missing")
    pdf = pikepdf.new()
    for _ in range(4):
        pdf.add_blank_page()
    with pdf.open_outline() as outline:
        outline.root.append(pikepdf.OutlineItem("封面", 0))
        outline.root.append(pikepdf.OutlineItem("第一章　投标函", 1))
        outline.root.append(pikepdf.OutlineItem("第二章　开标一览表", 3))
    pdf.save(tmp_path / "p.pdf")
    texts = check_io.package_texts(tmp_path / "p.pdf")
    # printed page numbers (第 N 页 counts after the cover): the PDF's second page is 第 1 页
    assert [p for p, _ in texts["第一章　投标函"]] == [1, 2]
    assert [p for p, _ in texts["第二章　开标一览表"]] == [3]
    assert squeeze(texts["封面"][0][1]) == ""
