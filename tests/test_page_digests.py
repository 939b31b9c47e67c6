"""The page digests a package's manifest carries are part of the package format: a verifier recomputes them, also
for packages sealed by an earlier bidkit. Golden values pin them (computed by the first implementation) on a
small PDF that holds every kind of value a page reaches; renumbering the objects (a rewrite) keeps them."""

from __future__ import annotations

import io
from decimal import Decimal

import pikepdf

from bidkit.adapters.pdf.embed import page_digests

GOLDEN = {"first": "6bbdd2c485c149945209660cf6fdac08c81825d4d5cad110d3132c8f85f981cf",
          "second": "5f5513e53763e373e6906374f4d636298d47246d51f5eed26ba64ba7608f1908",
          "both": "4612c410694e900ead49b9365686944360077c342a762683ed4f12a0630e10b1"}
RANGES = {"first": (1, 1), "second": (2, 2), "both": (1, 2)}


def fixture_pdf() -> pikepdf.Pdf:
    """Two pages that share a font (indirect, with a widths array of integers and a reference back to the page
    tree), one with an image stream, reals, booleans, names, strings, a nested direct dictionary and a cycle."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name("/NotoSerifCJKsc-Regular"),
        W=pikepdf.Array([1, pikepdf.Array([500, 600, 700]), 20, 30, 1000]),
        Extra=pikepdf.Dictionary(Flag=True, Ratio=Decimal("0.5"), Text=pikepdf.String("投标")),
    ))
    font.Self = font  # a cycle
    image = pdf.make_stream(b"\x00\x01\x02" * 100, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                            Width=10, Height=10, BitsPerComponent=8, ColorSpace=pikepdf.Name.DeviceGray)
    for i, content in enumerate((b"BT /F1 12 Tf (a) Tj ET", b"q 10 0 0 10 0 0 cm /Im0 Do Q")):
        page = pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=pikepdf.Array([0, 0, Decimal("595.28"), 842]),
            Contents=pdf.make_stream(content),
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font),
                                         **({"XObject": pikepdf.Dictionary(Im0=image)} if i else {})),
        ))
        pdf.pages.append(page)
    return pdf


def test_page_digests_are_the_golden_ones() -> None:
    assert page_digests(fixture_pdf(), RANGES) == GOLDEN


def test_a_rewrite_that_renumbers_the_objects_keeps_them() -> None:
    def saved(pdf: pikepdf.Pdf, blank: bool) -> pikepdf.Pdf:
        if blank:
            pdf.pages.insert(0, pikepdf.Page(pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 10, 10])))
        buf = io.BytesIO()
        pdf.save(buf, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        return pikepdf.open(io.BytesIO(buf.getvalue()))

    once = saved(fixture_pdf(), False)  # (saving compresses the content streams: their raw bytes change)
    moved = saved(saved(fixture_pdf(), False), True)  # every object numbered differently, the pages as they were
    assert page_digests(moved, {k: (a + 1, b + 1) for k, (a, b) in RANGES.items()}) == page_digests(once, RANGES)


def test_a_changed_width_changes_the_digest_of_both_pages() -> None:
    pdf = fixture_pdf()
    pdf.pages[0].Resources.Font.F1.W[1][0] = 501
    changed = page_digests(pdf, RANGES)
    assert changed["first"] != GOLDEN["first"] and changed["second"] != GOLDEN["second"]
