"""The PDF stage on small real PDFs: merge order, TOC numbers, page numbers, seals, attachments, metadata."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

from bidkit.adapters.pdf.attachments import open_attachment
from bidkit.adapters.pdf.compose import AttachmentInput, _cross_groups
from bidkit.adapters.pdf.text import page_words
from bidkit.core.errors import InputError
from bidkit.core.models import PackageConfig
from tests.pdfkit import NUMBER, attachment, build, numbers, page_texts, scan_pdf, without_numbers

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

GOLDEN = Path(__file__).resolve().parent / "golden" / "images"


def test_order_toc_numbers_and_every_page_numbered(tmp_path: Path) -> None:
    out, composed = build(tmp_path, [attachment(tmp_path)])
    texts = page_texts(out)
    assert composed.pages == len(texts) == 1 + 1 + 4 + 3 + 1
    assert "投标文件" in texts[0] and "正本" in texts[0] and NUMBER.search(texts[0]) is None
    total = len(texts) - 1
    for index, text in enumerate(texts[1:], start=1):
        assert numbers(text) == [(index, total)], index
    # every TOC entry points at the page (printed number = physical index) that holds it
    for title, number in composed.toc:
        if title in ("报价部分", "技术部分", "商务部分", "资格证明文件", "营业执照"):
            continue  # volumes' entries point at their title pages, attachments are scans (checked below)
        needle = "".join(title.split())
        assert needle in "".join(texts[number].split()), (title, number)
    lic = next(s for s in composed.sections if s.kind == "attachment")
    assert "SCAN" in texts[lic.first - 1] and ("营业执照", lic.first - 1) in composed.toc
    order = [s.name for s in composed.sections]
    assert order == ["cover", "toc", "price-cover", "bid_letter", "opening_summary", "technical-cover",
                     "technical_solution", "bom", "qualifications/lic"]


def test_bookmarks_and_metadata(tmp_path: Path) -> None:
    out, _ = build(tmp_path, [attachment(tmp_path)])
    with pikepdf.open(out) as pdf:
        with pdf.open_outline() as outline:
            top = [(item.title, [c.title for c in item.children]) for item in outline.root]
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        assert "/Metadata" not in pdf.Root
    assert top == [
        ("封面", []), ("目录", []),
        ("报价部分", ["投标函", "开标一览表"]),
        ("技术部分", ["技术方案", "设备清单"]),
        ("商务部分", ["资格证明文件"]),
    ]
    assert info == {"/Title": "测试项目", "/Author": "测试科技有限公司", "/Subject": "投标文件",
                    "/Creator": "bidkit", "/Producer": "bidkit"}
    assert str(tmp_path) not in out.read_bytes().decode("latin-1")


def test_stamping_never_changes_page_text(tmp_path: Path) -> None:
    out, composed = build(tmp_path)
    after = page_texts(out)
    for section in composed.sections:
        if section.kind != "chapter":
            continue
        assert section.source is not None
        before = page_texts(section.source)
        got = after[section.first - 1: section.last]
        # pdftotext's reading order may shift when text is added, so compare the characters of each page
        assert [sorted(without_numbers(t)) for t in got] == [sorted(without_numbers(t)) for t in before]


def test_seals_on_anchors_and_defaults(tmp_path: Path) -> None:
    _, composed = build(tmp_path)
    # anchors: the price volume's title page (盖单位章); chapters that need a seal and have no anchor get it on
    # their last page: 投标函, 开标一览表
    assert composed.seals == 1 + 1 + 1
    assert composed.legal_rep_seals == 1
    assert composed.cross_page_groups == 1


def test_cross_page_groups() -> None:
    assert _cross_groups(45, 20) == [range(0, 20), range(20, 40), range(40, 45)]
    assert _cross_groups(41, 20) == [range(0, 20), range(20, 41)]  # a lone last page joins the group before
    assert _cross_groups(1, 20) == []


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_page_number_at_the_visual_foot_of_rotated_and_landscape_pages(tmp_path: Path, rotate: int) -> None:
    atts = [
        attachment(tmp_path, "旋转", "r", rotate=rotate, rotate_on_tree=True),
        attachment(tmp_path, "A3", "a3", size=(1190.55, 841.89)),
    ]
    out, composed = build(tmp_path, atts)
    pages = page_words(out)
    with pikepdf.open(out) as pdf:
        assert int(pdf.pages[composed.pages - 2].obj.get("/Rotate", 0)) == rotate  # kept readable as it was
    for index in (composed.pages - 2, composed.pages - 1):
        page = pages[index]
        words = [w for w in page.words if w.text == str(index)]
        assert words, f"no page number on page {index}"
        number = words[-1]
        assert number.y1 < 40, (rotate, number)  # at the foot as displayed
        centre = (number.x0 + number.x1) / 2
        assert abs(centre - page.width / 2) < 40, (rotate, centre, page.width)


def test_draft_watermark_on_every_page(tmp_path: Path) -> None:
    out, _ = build(tmp_path, draft=True)
    texts = page_texts(out)
    # the diagonal line comes out of pdftotext in pieces: every character must be on every page
    assert all(set("草稿/未审核") <= set(t) for t in texts)
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo.Title).endswith("（草稿）")


def test_custom_page_number_format(tmp_path: Path) -> None:
    config = PackageConfig(page_number_format="- {n} / {total} -")
    out, _ = build(tmp_path, config=config)
    texts = page_texts(out)
    assert f"-3/{len(texts) - 1}-" in "".join(texts[3].split())


# --- attachments that must be refused -----------------------------------------------------------------------


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        open_attachment(path, f"attachments/{path.name}")
    return info.value.message


def test_refuses_png_renamed_pdf(tmp_path: Path) -> None:
    path = tmp_path / "licence.pdf"
    Image.new("RGB", (10, 10)).save(path, "PNG")
    assert _refused(path) == "attachments/licence.pdf: not a PDF (a PNG image); convert it to PDF first"


def test_refuses_a_password_and_opens_an_owner_restricted_export(tmp_path: Path) -> None:
    src = scan_pdf(tmp_path / "plain.pdf")
    user = tmp_path / "user.pdf"
    owner = tmp_path / "owner.pdf"
    with pikepdf.open(src) as pdf:
        pdf.save(user, encryption=pikepdf.Encryption(user="secret", owner="boss"))
        pdf.save(owner, encryption=pikepdf.Encryption(user="", owner="boss",
                                                      allow=pikepdf.Permissions(extract=False)))
    assert _refused(user) == "attachments/user.pdf: encrypted PDF (password protected); attach an unprotected copy"
    opened = open_attachment(owner, "attachments/owner.pdf")
    try:
        assert len(opened.pdf.pages) == 1
        assert opened.notes == ["attachments/owner.pdf: encrypted with an empty user password (owner restrictions); "
                                "read without a password, the package does not keep the encryption"]
    finally:
        opened.close()


def test_refuses_truncated(tmp_path: Path) -> None:
    """Cut in half, the scan's image is lost: qpdf 'repairs' the file into a blank page, which is refused."""
    src = scan_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(src[: len(src) // 2])
    assert _refused(path).startswith("attachments/cut.pdf: damaged PDF (")


def test_refuses_zero_pages(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    pikepdf.new().save(path)
    assert _refused(path) == "attachments/empty.pdf: PDF has no pages"


def test_refused_attachment_leaves_no_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n")
    target = tmp_path / "package.pdf"
    with pytest.raises(InputError):
        build(tmp_path, [AttachmentInput("bad", "坏", bad, "attachments/bad.pdf")], target=target)
    assert not target.exists()


# --- golden image ---------------------------------------------------------------------------------------------


def _render(pdf: Path, page: int, prefix: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-png", "-singlefile", str(pdf),
                    str(prefix)], check=True)
    with Image.open(f"{prefix}.png") as im:
        return im.convert("RGB")


def test_golden_image_of_a_stamped_page(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Page 3 (the price part's cover: company seal on its anchor, legal-rep seal, number, cross-page slice)."""
    from tests import golden

    out, _ = build(tmp_path)
    actual = _render(out, 3, tmp_path / "actual")
    path = GOLDEN / "stamped_page.png"
    if golden.UPDATE["on"] or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        actual.save(path)
        if not golden.UPDATE["on"]:
            pytest.fail(f"no golden image yet; wrote {path}: review it and commit", pytrace=False)
        return
    with Image.open(path) as im:
        expected = im.convert("RGB")
    diff = ImageChops.difference(actual, expected) if actual.size == expected.size else None
    changed = diff.convert("L").point(lambda v: 255 if v > 48 else 0).histogram()[255] if diff else -1
    if diff is None or changed > 0.002 * actual.size[0] * actual.size[1]:
        keep = Path(request.config.rootpath) / "build" / "test-evidence"
        keep.mkdir(parents=True, exist_ok=True)
        actual.save(keep / "stamped_page.actual.png")
        expected.save(keep / "stamped_page.expected.png")
        if diff is not None:
            diff.save(keep / "stamped_page.diff.png")
        pytest.fail(f"stamped page differs from {path.name} ({changed} pixels); images kept in {keep}",
                    pytrace=False)
