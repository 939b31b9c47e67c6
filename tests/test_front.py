"""The 目录 laid out ahead of the conversion, its page numbers written in afterwards: they must print exactly as
weasyprint would have set them, and the layout laid out ahead must be the one used."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest

from bidkit.adapters.pdf import compose, pages
from bidkit.adapters.pdf.text import page_words
from bidkit.adapters.sealed import SealedCache
from bidkit.core.models import PackageConfig
from tests.pdfkit import COVER, attachment, page_texts, seal_png, volumes

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

LINES = (pages.TocLine("报价部分", 0), pages.TocLine("投标函", 1), pages.TocLine("技术方案", 1),
         pages.TocLine("1 总体设计", 2), pages.TocLine("1.1 设计原则", 3), pages.TocLine("营业执照", 2),
         *(pages.TocLine(f"第{i}节　一个相当长的标题，长到要换行才能放得下的那种，用来检验换行之后页码的位置", 2)
           for i in range(3)),
         *(pages.TocLine(f"章节 {i}", 1 + i % 3) for i in range(40)))  # two 目录 pages
GLYPHS = "0 1 2 3 4 5 6 7 8 9 第 页 共"


def _numbers(pdf: Path, first: int, last: int) -> list[tuple[str, float, float, float]]:
    """(text, right edge, bottom, height) of every page number of the 目录 (the column at the right edge), top to
    bottom."""
    out = []
    for page in page_words(pdf)[first:last + 1]:
        column = [w for w in page.words if w.text.isdigit() and w.x1 > page.width - 100]
        out += [(w.text, w.x1, w.y0, w.y1 - w.y0) for w in sorted(column, key=lambda w: -w.y0)]
    return out


def test_numbers_written_in_print_where_weasyprint_sets_them(tmp_path: Path) -> None:
    layout = pages.lay_out_front(COVER, LINES, GLYPHS)
    assert layout.toc_pages == 2 and len(layout.slots) == len(LINES)
    numbers = layout.numbers([3 * i + 1 for i in range(len(LINES))])
    with pikepdf.open(io.BytesIO(layout.pdf)) as pdf:
        compose._number_toc(pdf, layout, numbers)
        pdf.save(tmp_path / "ours.pdf")
    reference = pages._weasyprint().HTML(string=pages._html(COVER, LINES, GLYPHS, numbers)).write_pdf()
    (tmp_path / "weasyprint.pdf").write_bytes(reference)
    ours = _numbers(tmp_path / "ours.pdf", 1, 2)
    theirs = _numbers(tmp_path / "weasyprint.pdf", 1, 2)
    assert [t for t, *_ in ours] == [t for t, *_ in theirs] == [str(n) for n in numbers]
    for (text, x, y, h), (_, x2, y2, h2) in zip(ours, theirs, strict=True):
        assert abs(x - x2) < 0.3 and abs(y - y2) < 0.3 and abs(h - h2) < 0.3, (text, (x, y, h), (x2, y2, h2))
    # and read in the same order (a title, then its number: pdftotext, search and copy see the rows as before)
    assert page_texts(tmp_path / "ours.pdf")[1:3] == page_texts(tmp_path / "weasyprint.pdf")[1:3]
    # the same fonts as weasyprint's: the level-0 rows' numbers in bold sans, the others in serif
    with pikepdf.open(tmp_path / "ours.pdf") as pdf:
        used = {str(f.BaseFont).split("+")[-1] for n, f in pdf.pages[1].Resources.Font.items()
                if n.startswith("/BKtoc")}
    assert used == {"Noto-Sans-CJK-SC-Bold", "Noto-Serif-CJK-SC"}


def test_the_layout_does_not_depend_on_the_pages_and_is_cached(tmp_path: Path) -> None:
    cache = SealedCache(tmp_path / "cache", b"front-test-key")
    first = pages.lay_out_front(COVER, LINES, GLYPHS, cache)
    again = pages.lay_out_front(COVER, LINES, GLYPHS, cache)  # a price change that shifted every page: the same
    assert again == first and len(list((tmp_path / "cache").glob("front-*.pdf"))) == 1
    other = pages.lay_out_front(COVER, LINES[:-1], GLYPHS, cache)
    assert other.key != first.key and other.slots == first.slots[:-1]
    for damaged in (b"", b"{}\n%PDF", b"not json\n%PDF-1.7", b'{"toc_pages": 2, "slots": []}\n%PDF'):
        entry = next(p for p in (tmp_path / "cache").glob("front-*.pdf") if first.key in p.name)
        cache.write(entry, damaged)
        assert pages.lay_out_front(COVER, LINES, GLYPHS, cache) == first  # laid out again, never trusted


def test_merge_uses_the_layout_made_ahead_and_lays_out_again_when_the_lines_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vols = volumes(tmp_path, [attachment(tmp_path)])
    ahead = compose.front_layout(COVER, vols, PackageConfig())
    stale = compose.front_layout(COVER, vols[:1], PackageConfig())  # not this book's lines
    calls: list[int] = []
    real = compose.lay_out_front
    monkeypatch.setattr(compose, "lay_out_front", lambda *a, **k: calls.append(1) or real(*a, **k))
    out = tmp_path / "a.pdf"
    composed = compose.compose(COVER, vols, _seals(tmp_path), PackageConfig(), out, front=ahead)
    assert calls == []  # the book's lines are those laid out ahead
    texts = page_texts(out)
    printed = [int(t) for t, *_ in _numbers(out, 1, 1)]
    assert printed == [n for _, n in composed.toc]  # the numbers written in are those of the book
    for title, number in composed.toc:  # the pages the entries start on (volumes: title pages; scans: no text)
        if title not in ("报价部分", "技术部分", "商务部分", "资格证明文件", "营业执照"):
            assert "".join(title.split()) in "".join(texts[number].split()), (title, number)
    compose.compose(COVER, vols, _seals(tmp_path), PackageConfig(), tmp_path / "b.pdf", front=stale)
    assert calls == [1]
    assert page_texts(tmp_path / "b.pdf")[1] == texts[1]


def _seals(tmp: Path) -> compose.SealFiles:
    return compose.SealFiles(seal_png(tmp / "seal.png"), "seals/seal.png", seal_png(tmp / "legal.png"),
                             "seals/legal.png")


def test_the_headings_of_a_chapter_are_read_once_per_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bidkit.core import book as book_mod
    from bidkit.pipeline import assemble
    from bidkit.store.workspace import load
    from tests.helpers import SAMPLE

    ws = load(SAMPLE)
    book = book_mod.plan(ws.data)
    own = [pc for pc in book.chapters() if pc.toc_depth and pc.file]
    assert own  # the sample's 技术方案, written in Word
    docs = {pc.docx_name: ws.path(pc.file, what="chapter file").read_bytes() for pc in own if pc.file}
    cache = SealedCache(tmp_path / "cache", b"outline-test-key")
    cache.dir.mkdir()
    first = assemble.outline(book, docs, cache)
    assert first == assemble.outline(book, docs) and len(first[own[0].docx_name]) > 10
    entries = list(cache.dir.glob("outline-*.json"))
    assert len(entries) == len(own)
    with monkeypatch.context() as m:  # read from the cache: the .docx is not parsed again
        m.setattr(assemble, "docx_headings", lambda *a: pytest.fail("parsed again"))
        assert assemble.outline(book, docs, cache) == first
    entries[0].write_text("[[1, \"篡改的标题\"]]", encoding="utf-8")  # not this user's tag: never trusted
    assert assemble.outline(book, docs, cache) == first
    changed = {**docs, own[0].docx_name: docs[own[0].docx_name] + b"\0"}  # other bytes: read again, kept instead
    assert assemble.outline(book, changed, cache) == first
    now = list(cache.dir.glob(f"outline-{own[0].docx_name}-*.json"))
    assert len(now) == 1 and now[0] not in entries
