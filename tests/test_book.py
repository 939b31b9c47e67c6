"""The book the tender decides (pure): chapters in the tender's order and titles, volumes, sources, evidence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bidkit.core import book
from bidkit.core.models import BidData, Chapter
from bidkit.store import workspace
from tests.helpers import SAMPLE, Result, replace_once


def _data(**tender: object) -> BidData:
    data = workspace.load(SAMPLE).data
    return data.model_copy(update={"tender": data.tender.model_copy(update=tender)})


def test_the_sample_book_follows_its_tender() -> None:
    plan = book.plan(workspace.load(SAMPLE).data)
    assert [(v.id, v.title) for v in plan.volumes] == [("price", "报价文件"), ("commercial", "商务文件"),
                                                      ("technical", "技术文件")]
    titles = [c.title for c in plan.chapters() if c.kind != "cover"]
    assert titles[:3] == ["投标函", "开标一览表", "分项报价表"]
    assert "技术参数偏离表" in titles and "法定代表人授权委托书" in titles  # the tender's own titles
    solution = plan.chapter("technical_solution")
    assert solution is not None and (solution.kind, solution.file, solution.toc_depth) == (
        "file", "chapters/技术方案.docx", 2)
    assert [c.id for c in plan.chapters() if c.priced] == ["bid_letter", "opening_summary", "itemised_prices"]


def test_reordered_and_retitled_chapters_make_the_book() -> None:
    chapters = [
        Chapter(id="technical_deviations", title="技术响应表", part="technical"),
        Chapter(id="bid_letter", title="投标书", part="price"),
        Chapter(id="sme_declaration", title="中小企业声明函", part="commercial"),
        Chapter(id="extra", title="附录：产品彩页", part="technical", file="chapters/x.pdf"),
    ]
    plan = book.plan(_data(chapters=chapters, volumes=[]))
    assert [v.id for v in plan.volumes] == ["technical", "price", "commercial"]  # first named, first bound
    assert [(c.id, c.title, c.kind) for c in plan.chapters()] == [
        ("cover", "技术部分", "cover"), ("technical_deviations", "技术响应表", "form"),
        ("extra", "附录：产品彩页", "file"),
        ("technical-evidence", "证明材料", "attachments"),  # the deviation rows cite a test report
        ("cover", "报价部分", "cover"), ("bid_letter", "投标书", "form"),
        ("cover", "商务部分", "cover"), ("sme_declaration", "中小企业声明函", "form"),
    ]
    evidence = plan.chapter("technical-evidence")
    assert evidence is not None and evidence.attachments == ("test_report_gb35114",)


def test_evidence_attached_where_the_tender_puts_it() -> None:
    data = workspace.load(SAMPLE).data
    chapters = [*data.tender.chapters,
                Chapter(id="proofs", title="技术证明文件", part="technical", attachments=["test_report_gb35114"])]
    plan = book.plan(_data(chapters=chapters))
    assert plan.chapter("technical-evidence") is None
    assert plan.chapter("proofs") is not None


def test_without_a_chapter_list_the_book_is_the_old_one() -> None:
    data = workspace.load(SAMPLE).data
    plan = book.plan(data.model_copy(update={"tender": data.tender.model_copy(update={"chapters": []})}))
    legacy = [cid for cid, *_ in book.LEGACY_CHAPTERS]
    # the evidence the deviation rows and references cite goes at the end of each volume
    assert [c.id for c in plan.chapters() if c.kind != "cover"] == [
        *legacy[:8], "commercial-evidence", *legacy[8:], "technical-evidence"]
    assert [v.id for v in plan.volumes] == ["price", "commercial", "technical"]
    qualifications = plan.chapter("qualifications")
    assert qualifications is not None and len(qualifications.attachments) == 5  # the required scans, in order


def test_legacy_chapter_ids_and_parts_are_understood() -> None:
    chapters = [Chapter(id="construction_plan", title="施工组织设计", part="technical_part")]
    plan = book.plan(_data(chapters=chapters, volumes=[]))
    chapter = plan.chapter("construction_plan")
    assert chapter is not None and (chapter.form, chapter.volume) == ("construction_organisation", "technical")


def test_chapter_sources_are_validated(cli: Callable[..., Result], sample_ws: Path) -> None:
    tender = sample_ws / "tender.yaml"
    replace_once(tender, r"^(  - id: after_sales\n)", r"  - id: brochure\n    title: 彩页\n    part: technical\n\1")
    replace_once(tender, r"^(  - id: bid_letter\n    title: 投标函\n    part: price\n)",
                 r"\1    file: chapters/投标函.pdf\n")
    replace_once(tender, r"(attachments: \[business_licence,)", r"\1 nothing_here,")
    r = cli("validate", sample_ws)
    assert r.code == 3
    text = "\n".join(r.err_lines)
    assert "'brochure' is not a bidkit form; give the chapter a file:" in text
    assert "a price chapter cannot be a PDF" in text
    assert "unknown attachment 'nothing_here'" in text
    assert "file not found in the workspace (chapters/投标函.pdf)" in text
