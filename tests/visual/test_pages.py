"""The sample's package looked at page by page (issue 15): golden pages under a pixel metric (harness.py), and
text and geometry tests on every page — numbers never broken in the 分项报价表, no page holding only a signature
block, seals off each other and off the running header and page number, the cross-page slice on the displayed
fore-edge of every page, the draft's cover.

One assembly of the sample serves them all (``packaged_sample``, shared with tests/hostile)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from bidkit.adapters.pdf import stamp
from bidkit.adapters.pdf.compose import HEADER_BAND_MM, NUMBER_BOTTOM_MM, NUMBER_PT
from bidkit.core import forms
from bidkit.core.money import format_amount as money
from bidkit.store import lock, workspace
from tests.visual import harness

pytestmark = pytest.mark.libreoffice

MM = stamp.MM
FORE_EDGE_MM = 15.0


# --- the package -------------------------------------------------------------------------------------------------


def _built(ws: Path, draft: bool) -> tuple[Path, dict[str, Any]]:
    for manifest in sorted((ws / "build").glob("*.manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data["draft"] is draft:
            return manifest.with_name(manifest.name.removesuffix(".manifest.json") + ".pdf"), data
    raise AssertionError(f"no {'draft' if draft else 'package'} in {ws / 'build'}")


@pytest.fixture(scope="module")
def package(packaged_sample: Path) -> tuple[Path, dict[str, Any]]:
    return _built(packaged_sample, draft=False)


@pytest.fixture(scope="module")
def texts(package: tuple[Path, dict[str, Any]]) -> list[str]:
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(package[0]), "-"], capture_output=True, check=True)
    pages = raw.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def _section(manifest: dict[str, Any], name: str) -> tuple[int, int]:
    entry = next(e for e in manifest["entries"] if e["name"] == name)
    return entry["first_page"], entry["last_page"]


def _pages_holding(texts: list[str], first: int, last: int, needle: str) -> list[int]:
    return [n for n in range(first, last + 1) if needle in "".join(texts[n - 1].split())]


# --- golden pages ------------------------------------------------------------------------------------------------


def _golden_pages(manifest: dict[str, Any], texts: list[str]) -> dict[str, int]:
    """The pages of the issue's list, found by their chapter (their numbers move as the book changes)."""
    prices = _section(manifest, "itemised_prices")
    letter = _section(manifest, "bid_letter")
    construction = _section(manifest, "construction_organisation")
    return {
        "itemised_prices": prices[0],  # a 分项报价表 page: numbers in their columns
        "bid_letter_signature": _pages_holding(texts, *letter, "投标人：")[-1],  # the 投标函's signature page
        "opening_summary_both_seals": _section(manifest, "opening_summary")[0],  # company and personal seal
        "itemised_prices_landscape_slice": prices[1],  # a landscape page with its cross-page slice
        "stamped_scan": _section(manifest, "qualifications/business_licence")[0],  # a scan with the copy seal
        "gantt": _pages_holding(texts, *construction, "施工进度计划横道图")[-1],  # the 施工组织设计's 横道图
    }


@pytest.mark.slow  # runs soffice --version (the fast tier never starts LibreOffice)
def test_renderer_versions_are_those_of_the_golden_pages() -> None:
    if harness.UPDATE["on"]:
        harness.record()
        return
    change = harness.version_change()
    if change is not None:
        pytest.fail(f"the golden pages were drawn by other renderers ({change}); redraw them on purpose with "
                    "pytest tests/visual --update-visual and review the new pages", pytrace=False)


def test_golden_pages(package: tuple[Path, dict[str, Any]], texts: list[str]) -> None:
    pdf, manifest = package
    if not harness.UPDATE["on"] and harness.version_change() is not None:
        pytest.skip("renderer versions differ from the golden pages' (see test_renderer_versions_…)")
    failed = []
    for name, page in _golden_pages(manifest, texts).items():
        outcome = harness.compare(name, harness.render(pdf, page))
        if not outcome.ok:
            failed.append(f"{name} (page {page}): {outcome.changed:.2%} of pixels changed")
    if failed:
        pytest.fail(f"pages differ from their golden PNGs (over {harness.THRESHOLD:.1%}): " + "; ".join(failed)
                    + f"; actual, golden and diff PNGs kept in {harness.FAILURES}", pytrace=False)


# --- text and geometry of every page ------------------------------------------------------------------------------


def _unbroken(value: str, text: str) -> bool:
    return re.search(rf"(?<![\d.,]){re.escape(value)}(?![\d.,])", text) is not None


def test_every_price_table_number_unbroken_on_its_page(package: tuple[Path, dict[str, Any]],
                                                        texts: list[str]) -> None:
    """Every quantity, unit price and amount of the 分项报价表 in the text of one of its pages, whole (a number
    wrapped inside its cell comes out of pdftotext as two pieces); so is every model code."""
    _, manifest = package
    ws = lock.with_prices(workspace.load(Path(package[0]).parent.parent), "demo-only-passphrase")
    prices = forms._prices(ws.data)
    first, last = _section(manifest, "itemised_prices")
    pages = [texts[n - 1] for n in range(first, last + 1)]
    missing = []
    for line in prices["lines"]:
        for key in ("qty", "unit_price", "total", "model"):
            if not any(_unbroken(line[key], page) for page in pages):
                missing.append(f"row {line['no']} {key} {line[key]}")
    for key in ("total", "tax"):
        if not any(_unbroken(prices[key], page) for page in pages):
            missing.append(f"{key} {prices[key]}")
    assert missing == [], missing
    # the 业绩 table's contract amounts too
    first, last = _section(manifest, "references")
    refs = "".join(texts[n - 1] for n in range(first, last + 1))
    for ref in ws.data.responses.references:
        if ref.amount is not None:
            assert _unbroken(money(ref.amount), refs), money(ref.amount)


_RUNNING = re.compile(r"投标文件$|^第\s*\d+\s*页\s*共\s*\d+\s*页$")
_SIGNATURE = re.compile(r"^(投标人|供应商|法定代表人(或授权代表)?|授权代表|被授权人(签字)?|委托代理人|日\s*期)\s*[:：]")


def test_no_page_holds_only_a_signature_block(package: tuple[Path, dict[str, Any]], texts: list[str]) -> None:
    _, manifest = package
    alone = []
    for entry in manifest["entries"]:
        if entry["kind"] != "chapter":
            continue
        for n in range(entry["first_page"], entry["last_page"] + 1):
            lines = [ln.strip() for ln in texts[n - 1].splitlines() if ln.strip()]
            body = [ln for ln in lines if not _RUNNING.search(ln)]
            if body and all(_SIGNATURE.match(ln) for ln in body):
                alone.append(f"{entry['name']} page {n}: {body}")
    assert alone == []


_WHOLE = re.compile(rb"(?<!re W n )q (-?[\d.]+) 0 0 (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) cm /BK(seal|legal) Do Q")


def _stamp_body(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    last = contents[len(contents) - 1] if isinstance(contents, pikepdf.Array) else contents
    return last.read_bytes()


def test_seals_off_each_other_and_off_header_and_page_number(package: tuple[Path, dict[str, Any]]) -> None:
    pdf, manifest = package
    chapters = {n for e in manifest["entries"] if e["kind"] == "chapter"
                for n in range(e["first_page"], e["last_page"] + 1)}
    foot = NUMBER_BOTTOM_MM * MM + NUMBER_PT * 1.2
    problems = []
    both = 0
    with pikepdf.open(pdf) as doc:
        for n, page in enumerate(doc.pages, start=1):
            fr = stamp.frame(page.obj)
            seals = [(kind, float(x), float(y), float(w), float(h))
                     for w, h, x, y, kind in _WHOLE.findall(_stamp_body(page))]
            kinds = {k for k, *_ in seals}
            both += kinds == {b"seal", b"legal"}
            for i, (kind, x, y, w, h) in enumerate(seals):
                if y < foot:
                    problems.append(f"page {n}: {kind.decode()} seal over the page number (y {y:.0f})")
                if n in chapters and y + h > fr.height - HEADER_BAND_MM * MM:
                    problems.append(f"page {n}: {kind.decode()} seal over the running header")
                for kind2, x2, y2, w2, h2 in seals[i + 1:]:
                    if x < x2 + w2 and x2 < x + w and y < y2 + h2 and y2 < y + h:
                        # boxes touch: a round seal may still clear a square one at its corner
                        cx, cy, r = x + w / 2, y + h / 2, w / 2
                        dx = max(x2 - cx, 0, cx - (x2 + w2))
                        dy = max(y2 - cy, 0, cy - (y2 + h2))
                        if kind == kind2 or dx * dx + dy * dy < r * r:
                            problems.append(f"page {n}: {kind.decode()} and {kind2.decode()} seals overlap")
    assert problems == []
    assert both >= 5  # 投标函, 开标一览表, 分项报价表, the declarations … carry both seals


def test_cross_page_slice_on_the_displayed_fore_edge_of_every_page(package: tuple[Path, dict[str, Any]],
                                                                    tmp_path: Path) -> None:
    """Only the slices drawn (bidkit's stamp stream, whole seals, numbers and the page content left out), every
    page shows red within 15 mm of the edge that is the fore-edge once bound: the right edge of a portrait page,
    the bottom edge of a landscape one (bound with its top at the spine)."""
    pdf, _ = package
    only = tmp_path / "slices.pdf"
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            body = _stamp_body(page)
            body = _WHOLE.sub(b"", body)
            body = re.sub(rb"BT .*? ET", b"", body)
            body = re.sub(rb"q 1 g [-\d. ]+ re f Q", b"", body)
            page.obj.Contents = pikepdf.Stream(doc, b"q " + body)
            for key in ("/Annots",):
                if key in page.obj:
                    del page.obj[key]
        doc.save(only)
    dpi = 20
    with pikepdf.open(only) as doc:
        frames = [stamp.frame(p.obj) for p in doc.pages]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(only), str(tmp_path / "s")], check=True)
    images = sorted(tmp_path.glob("s-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    assert len(images) == len(frames)
    from PIL import Image

    scale = dpi / 72
    band = FORE_EDGE_MM * MM * scale
    missing = []
    for n, (png, fr) in enumerate(zip(images, frames, strict=True), start=1):
        with Image.open(png) as im:
            rgb = im.convert("RGB")
            w, h = rgb.size
            # nothing but the slices is drawn: any ink is a slice (anti-aliased, a thin ring is pale at 20 dpi)
            red = [(x, y) for y in range(h) for x in range(w) if min(rgb.getpixel((x, y))) < 245]
        if not red:
            missing.append(f"page {n}: no slice")
            continue
        landscape = fr.width > fr.height
        off = [(x, y) for x, y in red if (y < h - band if landscape else x < w - band)]
        if off:
            missing.append(f"page {n}: slice {len(off)} px away from the {'bottom' if landscape else 'right'} edge")
    assert missing == [], missing


def test_draft_cover_says_draft_and_carries_no_seal(packaged_sample: Path) -> None:
    draft, _ = _built(packaged_sample, draft=True)
    raw = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(draft), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    assert "草稿" in "".join(raw.split()) and "正本" not in raw
    with pikepdf.open(draft) as doc:  # no seal and no cross-page slice on any page (the watermark is red too)
        assert not [n for n, page in enumerate(doc.pages, start=1)
                    if b"/BKseal" in _stamp_body(page) or b"/BKlegal" in _stamp_body(page)]
