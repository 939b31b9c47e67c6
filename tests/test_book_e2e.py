"""The tender decides the book, end to end with real LibreOffice: a copy of the sample whose tender reorders and
retitles chapters and adds a chapter written in Word (with a picture and a table) and a PDF chapter."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from docx import Document
from docx.shared import Cm
from PIL import Image, ImageDraw

from tests.helpers import DEMO_KEY, Result, copy_sample, needs_soffice, replace_once
from tests.lockkit import copying_viewer
from tests.pdfkit import html_pdf, page_texts

pytestmark = [needs_soffice(), pytest.mark.slow]

DEMO = {"BIDKIT_PRICE_PASSPHRASE": "demo-only-passphrase", "BIDKIT_SIGN_PASSWORD": "demo-only-password"}
KEY = DEMO_KEY

# the tender's own list: price volume first, then technical before commercial, retitled, with two new chapters
CHAPTERS = """chapters:
  - {id: bid_letter, title: 投标书, part: price, needs_seal: true, needs_signature: true}
  - {id: opening_summary, title: 报价一览表, part: price, needs_seal: true}
  - {id: itemised_prices, title: 报价明细表, part: price, needs_seal: true}
  - {id: design_notes, title: 系统设计说明（投标人自编）, part: technical, file: chapters/设计说明.docx, toc_depth: 1}
  - {id: technical_deviations, title: 技术响应及偏离表, part: technical, needs_seal: true}
  - {id: brochure, title: 产品彩页, part: technical, file: chapters/彩页.pdf}
  - {id: authorisation_letter, title: 法定代表人授权委托书, part: commercial, needs_seal: true, needs_signature: true}
  - id: qualifications
    title: 资格证明文件
    part: commercial
    attachments: [business_licence, security_engineering, iso9001, its_service, safety_permit]
  - {id: references, title: 近三年类似项目业绩, part: commercial}
"""


def user_chapter(path: Path) -> None:
    """A chapter as a pre-sales engineer writes it in Word: headings, a table and a picture."""
    doc = Document()
    doc.add_heading("1 系统总体设计", level=1)
    doc.add_paragraph("本章由投标人自行编写：前端、传输、平台三层架构，采用 GB/T 28181 接入。")
    im = Image.new("RGB", (600, 300), (240, 244, 250))
    ImageDraw.Draw(im).rectangle((40, 40, 560, 260), outline=(20, 60, 140), width=8)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    doc.add_picture(buf, width=Cm(12))
    doc.add_paragraph("图1 架构示意图（自编）")
    doc.add_heading("2 设备配置", level=1)
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([("设备", "型号", "数量"), ("枪型摄像机", "ZS-IPC4426-I", "1450"),
                             ("存储节点", "ZS-CS9000", "12")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("自编设计说明结束。")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


def tendered(ws: Path) -> None:
    tender = ws / "tender.yaml"
    text = tender.read_text(encoding="utf-8")
    start = text.index("volumes:\n")
    end = text.index("# 资格证明文件（扫描件）")
    tender.write_text(text[:start] + CHAPTERS + "\n" + text[end:], encoding="utf-8")
    user_chapter(ws / "chapters" / "设计说明.docx")
    html_pdf(ws / "chapters" / "彩页.pdf", ["<h1>产品彩页</h1><p>臻视智能摄像机产品彩页（演示）。</p>"])


def approve(ws: Path) -> None:
    from bidkit.store import keys, lock, workspace

    w = workspace.load(ws)
    lock.request(w)
    lock.decide(w, "approved", "郑雅琴", "e2e", keys.load_private(KEY))


def outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(depth, title, 0-based page) of every bookmark, in order."""
    out: list[tuple[int, str, int]] = []
    with pikepdf.open(pdf) as doc:
        pages = {p.objgen: i for i, p in enumerate(doc.pages)}

        def walk(items: Any, depth: int) -> None:
            for item in items:
                dest = item.destination
                page = pages.get(dest[0].objgen, -1) if isinstance(dest, pikepdf.Array) else int(dest)
                out.append((depth, str(item.title), page))
                walk(item.children, depth + 1)

        with doc.open_outline() as o:
            walk(o.root, 0)
    return out


@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    import os


    ws = tmp_path_factory.mktemp("book") / "ws"
    copy_sample(ws)
    tendered(ws)
    approve(ws)
    env = {**os.environ, **DEMO}
    proc = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws), "--json"], capture_output=True,
                          text=True, env=env, cwd=Path(__file__).resolve().parent.parent)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    manifest = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))
    return ws, summary, manifest


def test_the_toc_and_bookmarks_follow_the_tender(assembled: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, summary, manifest = assembled
    pdf = Path(summary["path"])
    marks = outline(pdf)
    chapters = [t for d, t, _ in marks if d == 1]
    assert chapters == ["投标书", "报价一览表", "报价明细表", "系统设计说明（投标人自编）", "技术响应及偏离表",
                        "产品彩页", "证明材料", "法定代表人授权委托书", "资格证明文件", "近三年类似项目业绩",
                        "证明材料"]
    # a tender without volumes: the volumes in order of first mention, under their default titles
    assert [t for d, t, _ in marks if d == 0] == ["封面", "目录", "报价部分", "技术部分", "商务部分"]
    # the user chapter's own Heading 1 entries (toc_depth: 1) are bookmarks too, on the pages they are on
    texts = page_texts(pdf)
    heads = [(t, p) for d, t, p in marks if d == 2 and t in ("1 系统总体设计", "2 设备配置")]
    assert [t for t, _ in heads] == ["1 系统总体设计", "2 设备配置"]
    for title, page in heads:
        assert title.replace(" ", "") in texts[page].replace(" ", "")
    # every entry of the printed 目录 names the page (printed number) where that chapter starts
    starts = {e["title"]: e["first_page"] for e in manifest["entries"] if e["kind"] == "chapter"}
    toc = "\n".join(texts[1:3])
    for title in ("投标书", "系统设计说明（投标人自编）", "技术响应及偏离表", "产品彩页", "近三年类似项目业绩"):
        m = re.search(re.escape(title) + r"[\s.·…]*?(\d+)\s*$", toc, re.M)
        assert m, title
        assert int(m.group(1)) == starts[title] - 1, title  # printed number = physical page − 1 (the cover)


def test_the_users_word_chapter_is_in_the_pdf_with_its_picture(
        assembled: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, summary, manifest = assembled
    pdf = Path(summary["path"])
    entry = next(e for e in manifest["entries"] if e["name"] == "design_notes")
    texts = page_texts(pdf)
    own = "".join(texts[entry["first_page"] - 1: entry["last_page"]])
    assert "本章由投标人自行编写" in own and "ZS-IPC4426-I" in own and "自编设计说明结束" in own
    images = subprocess.run(["pdfimages", "-list", "-f", str(entry["first_page"]), "-l", str(entry["last_page"]),
                             str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert any(" 600 " in line and " 300 " in line for line in images), images  # the 600 × 300 picture
    brochure = next(e for e in manifest["entries"] if e["name"] == "brochure")
    assert "臻视智能摄像机产品彩页" in texts[brochure["first_page"] - 1]


def test_evidence_page_numbers_are_where_the_evidence_is(
        assembled: tuple[Path, dict[str, Any], dict[str, Any]]) -> None:
    _, summary, manifest = assembled
    pdf = Path(summary["path"])
    texts = page_texts(pdf)
    report = next(e for e in manifest["entries"] if e["name"].endswith("/test_report_gb35114"))
    first, last = report["first_page"] - 1, report["last_page"] - 1  # printed numbers
    label = f"第 {first} 页" if first == last else f"第 {first}–{last} 页"
    assert summary["evidence"]["test_report_gb35114"] == [first, last]
    table = next(e for e in manifest["entries"] if e["name"] == "technical_deviations")
    table_text = "".join("".join(t.split()) for t in texts[table["first_page"] - 1: table["last_page"]])
    assert "".join(label.split()) in table_text
    contract = next(e for e in manifest["entries"] if e["name"].endswith("/contract_linjiang_2025"))
    refs = next(e for e in manifest["entries"] if e["name"] == "references")
    refs_text = "".join("".join(t.split()) for t in texts[refs["first_page"] - 1: refs["last_page"]])
    c_first, c_last = contract["first_page"] - 1, contract["last_page"] - 1
    assert (f"第{c_first}–{c_last}页" if c_first != c_last else f"第{c_first}页") in refs_text


def test_a_changed_chapter_file_makes_the_approval_stale(cli: Callable[..., Result],
                                                          tmp_path: Path) -> None:


    ws = tmp_path / "ws"
    copy_sample(ws)
    tendered(ws)
    approve(ws)
    assert "approved" in cli("review", "status", ws).out
    doc = Document(str(ws / "chapters" / "设计说明.docx"))
    doc.add_paragraph("审核后又加了一段。")
    doc.save(str(ws / "chapters" / "设计说明.docx"))
    r = cli("review", "status", ws)
    assert "stale" in r.out and "changed: file: chapters/设计说明.docx" in r.out


def test_a_price_chapter_from_the_users_file_waits_for_the_approval(cli: Callable[..., Result], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:


    for key, value in DEMO.items():
        monkeypatch.setenv(key, value)
    ws = tmp_path / "ws"
    copy_sample(ws)
    doc = Document()
    doc.add_paragraph("{{ chapter.title }}")
    doc.add_paragraph("投标总价：人民币（大写）{{ prices.total_upper }}（小写：¥{{ prices.total }}元）")
    (ws / "chapters").mkdir(exist_ok=True)
    doc.save(str(ws / "chapters" / "报价函.docx"))
    replace_once(ws / "tender.yaml", r"^(  - id: bid_letter\n    title: 投标函\n    part: price\n)",
                 r"  - id: own_letter\n    title: 报价函\n    part: price\n    file: chapters/报价函.docx\n"
                 r"    fill: true\n\1")
    r = cli("render", ws, "--only", "own_letter")
    assert r.code == 4 and "price lock closed" in r.err  # the sample's approval is stale now: a new input
    approve(ws)
    shown = copying_viewer(monkeypatch, tmp_path / "shown")  # price chapters are only shown, never written
    r = cli("render", ws, "--only", "own_letter")
    assert r.code == 0, r.err
    from bidkit.adapters.render.text import docx_text

    assert not (ws / "build" / "docx" / "own_letter.docx").exists()
    text = docx_text((shown / "own_letter.docx").read_bytes())
    assert "报价函" in text and "人民币（大写）肆佰" in text

    # a literal amount in the bidder's own price chapter is refused, and the message shows no amount
    doc.add_paragraph("优惠后总价 ¥4,200,000.00 元，即肆佰贰拾万元整。")
    doc.save(str(ws / "chapters" / "报价函.docx"))
    approve(ws)
    r = cli("render", ws, "--only", "own_letter")
    assert r.code == 3, r.err
    assert r.err_lines == ["error: chapters/报价函.docx: a price chapter takes its amounts from the encrypted prices "
                           "({{ prices.total }}, {{ prices.total_upper }} …); 1 line(s) print an amount of their own, "
                           "e.g. “优惠后总价 ¥#,###,###.## 元，即×××××元整。”"]
