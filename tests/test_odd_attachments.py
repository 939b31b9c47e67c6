"""Attachments made by others (issue 15 items 9-13, issue 13 item 13): the odd PDFs are built here with pikepdf
(tests/oddkit.py) and go through the same opening, stamping and checks as a real qualification scan."""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from bidkit.adapters.pdf import stamp
from bidkit.adapters.pdf.attachments import inspect, open_attachment
from bidkit.adapters.pdf.compose import COMPANY_SEAL_MM, AttachmentInput, Composed
from bidkit.adapters.pdf.text import page_words
from bidkit.core.errors import InputError
from tests import oddkit
from tests.helpers import Result
from tests.pdfkit import build, page_texts

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")

SEAL_PT = COMPANY_SEAL_MM * stamp.MM
IMAGE_OP = re.compile(rb"(?<!re W n )q ([\d.]+) 0 0 ([\d.]+) (-?[\d.]+) (-?[\d.]+) cm /BKseal Do Q")  # not a slice


def _package(tmp_path: Path, path: Path, name: str = "odd") -> tuple[Path, Composed, int]:
    """The book with ``path`` as its one attachment; the 0-based index of the attachment's first page."""
    att = AttachmentInput(name, "证明材料", path, f"attachments/{path.name}")
    out, composed = build(tmp_path, [att])
    section = next(s for s in composed.sections if s.kind == "attachment")
    return out, composed, section.first - 1


def _seals(pdf: Path, index: int) -> list[tuple[float, float, float, float]]:
    """(x, y, w, h) of every whole company seal drawn on a page (bidkit's own stamp stream), in points."""
    with pikepdf.open(pdf) as doc:
        page = doc.pages[index]
        data = b"".join(c.read_bytes() for c in page.obj.Contents) if isinstance(page.obj.Contents, pikepdf.Array) \
            else page.obj.Contents.read_bytes()
    return [tuple(float(v) for v in (m[3], m[4], m[1], m[2])) for m in IMAGE_OP.finditer(data)]  # type: ignore[misc]


def _box(pdf: Path, index: int) -> tuple[float, float]:
    with pikepdf.open(pdf) as doc:
        fr = stamp.frame(doc.pages[index].obj)
        assert "/UserUnit" not in doc.pages[index].obj
        return fr.width, fr.height


def _number_on_page(pdf: Path, index: int) -> None:
    page = page_words(pdf)[index]
    words = [w for w in page.words if w.text == str(index)]
    assert words, f"no page number on page {index}"
    w = words[-1]
    assert 0 <= w.x0 < w.x1 <= page.width and 0 <= w.y0 < w.y1 < 40, (w, page.width, page.height)


# --- opened as a viewer shows them ----------------------------------------------------------------------------


def test_owner_restricted_export_sealed_without_its_encryption(tmp_path: Path) -> None:
    src = oddkit.owner_restricted(tmp_path / "restricted.pdf")
    out, composed, first = _package(tmp_path, src)
    assert "RESTRICTED" in page_texts(out)[first]
    with pikepdf.open(out) as pdf:
        assert not pdf.is_encrypted
    [section] = [s for s in composed.sections if s.kind == "attachment"]
    assert section.notes == ("attachments/restricted.pdf: encrypted with an empty user password (owner "
                             "restrictions); read without a password, the package does not keep the encryption",)
    assert inspect(src)["pdf_ok"] is True


def test_repairable_file_accepted_with_a_note_naming_the_repair(tmp_path: Path) -> None:
    src = oddkit.repairable(tmp_path / "repairable.pdf")
    opened = open_attachment(src, "attachments/repairable.pdf")
    try:
        assert opened.notes == ["attachments/repairable.pdf: damaged file repaired (its cross-reference table was "
                                "rebuilt); every page reads — check that it looks right in the package"]
    finally:
        opened.close()
    facts = inspect(src)
    assert (facts["pdf_ok"], facts["problem"]) == (True, "")
    assert facts["notes"] == ["damaged file repaired (its cross-reference table was rebuilt); every page reads — "
                              "check that it looks right in the package"]
    out, _, first = _package(tmp_path, src)
    assert "REPAIRED" in page_texts(out)[first]


def test_form_values_flattened_into_the_page(tmp_path: Path) -> None:
    src = oddkit.form_with_values(tmp_path / "form.pdf", "ZHANG SAN 2026")
    out, composed, first = _package(tmp_path, src)
    assert "ZHANG SAN 2026" in page_texts(out)[first]
    with pikepdf.open(out) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert all(a.get("/Subtype") != pikepdf.Name.Widget for p in pdf.pages for a in p.obj.get("/Annots", []))
    [section] = [s for s in composed.sections if s.kind == "attachment"]
    assert section.notes == ("attachments/form.pdf: form fields flattened into the page as a viewer shows them",)


def test_user_unit_page_stamped_in_points(tmp_path: Path) -> None:
    """/UserUnit 72: an A4 page in inches. The page number lands at its foot, the seal at its real size on it."""
    out, composed, first = _package(tmp_path, oddkit.user_unit(tmp_path / "inches.pdf"))
    width, height = _box(out, first)
    assert abs(width - oddkit.A4[0]) < 1 and abs(height - oddkit.A4[1]) < 1
    _number_on_page(out, first)
    [(x, y, w, h)] = _seals(out, first)
    assert abs(w - SEAL_PT) < 0.5 and 0 <= x and x + w <= width and 0 <= y and y + h <= height
    assert "USERUNIT" in page_texts(out)[first]
    [section] = [s for s in composed.sections if s.kind == "attachment"]
    assert section.notes == ("attachments/inches.pdf page 1: drawn in another unit (/UserUnit), rescaled to points",)


def test_tiny_page_mounted_on_a4(tmp_path: Path) -> None:
    """A 60 × 60 pt scan: mounted at its own size on an A4 sheet, where the number and the seal fit."""
    out, composed, first = _package(tmp_path, oddkit.tiny(tmp_path / "tiny.pdf"))
    width, height = _box(out, first)
    assert (round(width), round(height)) == (595, 842)
    _number_on_page(out, first)
    [(x, y, w, h)] = _seals(out, first)
    assert abs(w - SEAL_PT) < 0.5 and 0 <= x and x + w <= width and 0 <= y and y + h <= height
    # the small page itself: in the middle, at its own size, its word still there
    words = [wd for wd in page_words(out)[first].words if wd.text == "TINY"]
    assert words and abs(words[0].x0 - (width - 60) / 2 - 8) < 2
    [section] = [s for s in composed.sections if s.kind == "attachment"]
    assert section.notes == ("attachments/tiny.pdf page 1: smaller than 100 mm, mounted at its own size on an A4 "
                             "sheet",)


def test_page_number_has_a_white_backing_over_the_scan_frame(tmp_path: Path) -> None:
    """The A3 scan's frame line runs where the number goes: under the number it is covered, beside it seen."""
    out, _, first = _package(tmp_path, oddkit.framed_a3(tmp_path / "a3.pdf"))
    dpi = 144
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", str(first + 1), "-l", str(first + 1), "-png",
                    str(out), str(tmp_path / "a3")], check=True)
    [png] = sorted(tmp_path.glob("a3-*.png"))
    page = page_words(out)[first]
    number = [w for w in page.words if w.text == str(first)][-1]
    with Image.open(png) as im:
        grey = im.convert("L")
        scale = dpi / 72
        line_y = round((page.height - (12 * stamp.MM + 0.5)) * scale)
        # the frame line's row (and a row either side, for anti-aliasing): dark far from the number, white under it
        far = min(grey.getpixel((round(100 * scale), line_y + d)) for d in (-1, 0, 1))
        assert far < 128
        x0, x1 = round((number.x0 - 1) * scale), round((number.x0 + 1.5) * scale)  # before the first glyph
        under = [grey.getpixel((x, line_y + d)) for x in range(x0, x1) for d in (-1, 0, 1)]
        assert min(under) > 200, under


def test_active_content_removed_with_a_note_naming_the_page(tmp_path: Path) -> None:
    src = oddkit.active_content(tmp_path / "active.pdf")
    assert oddkit.active_names(src)  # the test file does carry it
    out, composed, first = _package(tmp_path, src)
    assert oddkit.active_names(out) == []
    texts = page_texts(out)
    assert "ACTIVE CONTENT" in texts[first] and "SECOND PAGE" in texts[first + 1]
    [section] = [s for s in composed.sections if s.kind == "attachment"]
    assert section.notes == (
        "attachments/active.pdf page 1: removed a JavaScript action on opening the page, a URI link "
        "(http://example.invalid/x), a launch action",
        "attachments/active.pdf page 2: removed a JavaScript action",
    )
    manifest_notes = inspect(src)["notes"]
    assert manifest_notes[0].startswith("page 1: removed a JavaScript action on opening the page")


def test_no_raw_library_warning_reaches_the_user(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    odd = [oddkit.form_with_values(tmp_path / "f.pdf"), oddkit.repairable(tmp_path / "r.pdf"),
           oddkit.user_unit(tmp_path / "u.pdf"), oddkit.tiny(tmp_path / "t.pdf"),
           oddkit.owner_restricted(tmp_path / "o.pdf"), oddkit.active_content(tmp_path / "a.pdf")]
    atts = [AttachmentInput(p.stem, f"证明材料{p.stem}", p, f"attachments/{p.name}") for p in odd]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        build(tmp_path, atts)
    assert [str(w.message) for w in caught] == []
    captured = capfd.readouterr()
    assert "Warning" not in captured.err and "pikepdf" not in captured.err, captured.err


def test_a_cut_file_stays_refused(tmp_path: Path) -> None:
    src = oddkit.repairable(tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(src[: len(src) * 2 // 3])
    with pytest.raises(InputError, match=r"^attachments/cut.pdf: damaged PDF \("):
        open_attachment(cut, "attachments/cut.pdf")


# --- refused at review request ----------------------------------------------------------------------------------


@pytest.mark.parametrize("content, why", [
    (b"", "an empty file, not a PDF"),
    (b"<!DOCTYPE html><html><body>licence</body></html>", "not a PDF (an HTML page); convert it to PDF first"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a PDF (a PNG image); convert it to PDF first"),
])
def test_review_request_refuses_a_scan_that_is_not_a_pdf(
    sample_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result], content: bytes,
    why: str,
) -> None:
    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(tmp_path / "config"))
    (sample_ws / "attachments" / "iso9001.pdf").write_bytes(content)
    r = cli("review", "request", sample_ws)
    assert r.code != 0
    assert r.err_lines[-1] == ("error: review request refused: 1 attachment(s) are not PDF files — "
                               f"attachments/iso9001.pdf: {why}")
