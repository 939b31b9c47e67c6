"""`bidkit tender import-requirements` on day one: a workspace from `bidkit new` (only tender.yaml has to read),
from the tender's own .docx (its 采购需求 tables: 序号 / 条款 / ★ / 要求, ★ in its column or in the text) or an
.xlsx; the kind from a 类型 column, a 技术/商务 heading or --kind, else guessed with a warning naming the rows; the
imported rows added to responses.yaml as rows to answer (validate names none of them as an error)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
from docx import Document

from bidkit.store import yamlio
from tests.helpers import Result, line_no

HEAD = ["序号", "条款", "★", "要求"]


def _table(doc: object, rows: list[list[str]]) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))  # type: ignore[attr-defined]
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = value


def _tender_docx(path: Path) -> Path:
    """A tender's 采购需求 chapter as a purchaser writes it: prose, then a technical and a commercial table."""
    doc = Document()
    doc.add_heading("第一章 投标邀请", 1)
    doc.add_paragraph("某大学校园网升级改造项目现进行公开招标，欢迎合格的供应商参加投标。")
    doc.add_heading("第三章 采购需求", 1)
    doc.add_paragraph("一、技术要求（标注★的条款为实质性条款，不满足即投标无效）")
    _table(doc, [HEAD,
                 ["1", "3.1.1", "★", "核心交换机交换容量不低于 10 Tbps"],
                 ["2", "3.1.2", "", "支持 IPv6 双栈"],
                 ["3", "3.1.3", "", "★无线 AP 支持 Wi-Fi 6，整机吞吐不低于 3 Gbps"]])
    doc.add_paragraph("二、商务要求")
    _table(doc, [HEAD,
                 ["1", "4.1", "★", "质保期不少于 3 年"],
                 ["2", "4.2", "", "合同签订后 30 日内交货"]])
    doc.add_heading("第四章 评标办法", 1)
    doc.save(str(path))
    return path


def _answers(ws: Path) -> dict[str, list[tuple[str, object, object]]]:
    raw = yamlio.parse((ws / "responses.yaml").read_text(encoding="utf-8"), "responses.yaml")
    return {t: [(r["requirement"], r.get("response"), r.get("deviation")) for r in raw[t]]
            for t in ("technical", "commercial")}


def test_import_a_tenders_own_word_tables_into_a_new_workspace(cli: Callable[..., Result], tmp_path: Path) -> None:
    ws = tmp_path / "校园网"
    assert cli("new", ws).code == 0
    r = cli("tender", "import-requirements", ws, _tender_docx(tmp_path / "招标文件.docx"))
    assert r.code == 0, r.err
    assert r.err == ""  # the headings gave every kind: nothing guessed
    assert r.out.splitlines() == [
        f"imported 5 requirements (3 ★; 3 technical, 2 commercial) into {ws / 'tender.yaml'}",
        f"rows to answer added to {ws / 'responses.yaml'}: 3 technical, 2 commercial (fill in response and "
        "deviation)"]
    tender = yamlio.parse((ws / "tender.yaml").read_text(encoding="utf-8"), "tender.yaml")
    assert [(q["id"], q.get("clause"), q["kind"], q.get("mandatory", False)) for q in tender["requirements"]] == [
        ("T-01", "3.1.1", "technical", True), ("T-02", "3.1.2", "technical", False),
        ("T-03", "3.1.3", "technical", True),  # ★ in the text
        ("C-01", "4.1", "commercial", True), ("C-02", "4.2", "commercial", False)]
    assert _answers(ws) == {"technical": [("T-01", "", None), ("T-02", "", None), ("T-03", "", None)],
                            "commercial": [("C-01", "", None), ("C-02", "", None)]}
    text = (ws / "responses.yaml").read_text(encoding="utf-8")
    assert "- requirement: T-01 # ★ 3.1.1 核心交换机交换容量不低于 10 Tbps\n" in text  # what to answer, beside it
    assert "# 技术偏离表 | technical deviations" in text  # the blank file's comments are kept
    # the rows to answer are not errors: validate names none of them (the rest of the blank workspace is empty)
    r = cli("validate", ws)
    assert r.code == 3
    assert not [ln for ln in r.err_lines if "technical." in ln or "commercial." in ln or "requirement" in ln]
    # importing again (a corrected tender) adds no second row for an answered requirement
    (ws / "responses.yaml").write_text(text.replace('response: "" # 响应内容 | your answer', 'response: 满足', 1),
                                       encoding="utf-8")
    r = cli("tender", "import-requirements", ws, tmp_path / "招标文件.docx")
    assert r.code == 0, r.err
    assert "0 technical, 0 commercial" in r.out
    assert _answers(ws)["technical"][0] == ("T-01", "满足", None)


def test_kind_not_given_is_guessed_with_a_warning_naming_the_rows(cli: Callable[..., Result],
                                                                   tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("第三章 采购需求")
    _table(doc, [["序号", "★", "要求"], ["1", "", "投标报价包含全部费用"], ["2", "★", "设备为原厂全新"]])
    source = tmp_path / "t.docx"
    doc.save(str(source))
    ws = tmp_path / "ws"
    cli("new", ws)
    r = cli("tender", "import-requirements", ws, source)
    assert r.code == 0, r.err
    assert r.err_lines == [
        "warning: t.docx: 2 requirement(s) without a 类型 column or a 技术/商务 heading: the kind was guessed from "
        "their words (1 commercial, 1 technical); check kind: in tender.yaml, or give --kind technical|commercial",
        "warning: C-01 taken as commercial: 投标报价包含全部费用",
        "warning: T-02 taken as technical: 设备为原厂全新"]
    r = cli("tender", "import-requirements", ws, source, "--kind", "technical")
    assert r.code == 0 and r.err == ""
    assert r.out.splitlines()[1:] == [
        f"rows to answer added to {ws / 'responses.yaml'}: 1 technical, 0 commercial (fill in response and deviation)",
        f"rows still to answer removed from {ws / 'responses.yaml'}: 1 (their requirements are no longer in the tender "
        "or changed kind)"]
    tender = yamlio.parse((ws / "tender.yaml").read_text(encoding="utf-8"), "tender.yaml")
    assert [(q["id"], q["kind"]) for q in tender["requirements"]] == [("T-01", "technical"), ("T-02", "technical")]
    # the row still to answer for C-01 went (nothing was answered in it); T-01 is a row to answer now
    assert _answers(ws) == {"technical": [("T-02", "", None), ("T-01", "", None)], "commercial": []}
    text = (ws / "responses.yaml").read_text(encoding="utf-8")
    assert "commercial: [] # 商务偏离表 | commercial deviations\n" in text
    # an answer given is never removed: kept, and named at its line
    (ws / "responses.yaml").write_text(text.replace('response: "" #', "response: 满足 #", 1), encoding="utf-8")
    r = cli("tender", "import-requirements", ws, source, "--kind", "commercial")  # now C-01, C-02
    line = line_no(ws / "responses.yaml", "requirement: T-02 ")
    assert r.err_lines == [f"warning: responses.yaml:{line} technical.0.requirement: 'T-02' is not a requirement in "
                           "t.docx (the answer is kept: move or remove it)"]
    assert _answers(ws) == {"technical": [("T-02", "满足", None)], "commercial": [("C-01", "", None),
                                                                                 ("C-02", "", None)]}


def test_import_from_a_sheet_with_a_kind_column_needs_only_tender_yaml(cli: Callable[..., Result],
                                                                       tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    assert sheet is not None
    for row in (["序号", "条款", "★", "要求", "类型"], [1, "2.1", "★", "投标保证金 2 万元", "商务"],
                [2, "3.1", "", "★ 交换机支持堆叠", "技术"]):
        sheet.append(row)
    wb.save(tmp_path / "r.xlsx")
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "tender.yaml").write_text("number: X-1\n", encoding="utf-8")  # nothing else in the folder yet
    r = cli("tender", "import-requirements", ws, tmp_path / "r.xlsx")
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == ("imported 2 requirements (2 ★; 1 technical, 1 commercial) into "
                                     f"{ws / 'tender.yaml'}")
    tender = yamlio.parse((ws / "tender.yaml").read_text(encoding="utf-8"), "tender.yaml")
    assert tender["number"] == "X-1"
    assert [(q["id"], q["kind"], q["mandatory"]) for q in tender["requirements"]] == [
        ("C-01", "commercial", True), ("T-02", "technical", True)]
    assert not (ws / "responses.yaml").exists()  # none to add rows to: not made here


def test_import_refuses_other_files_and_a_missing_tender(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "t.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "tender.yaml").write_text("number: X\n", encoding="utf-8")
    r = cli("tender", "import-requirements", tmp_path / "ws", tmp_path / "t.pdf")
    assert r.code != 0 and "t.pdf: give an .xlsx sheet or the tender's own .docx" in r.err
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    r = cli("tender", "import-requirements", tmp_path / "ws", tmp_path / "bad.docx")
    assert r.code != 0 and "bad.docx: not a readable Word (.docx) file" in r.err
    r = cli("tender", "import-requirements", tmp_path / "empty", _tender_docx(tmp_path / "t.docx"))
    assert r.code != 0 and "workspace folder not found" in r.err
