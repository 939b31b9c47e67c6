"""Odd attachments as others make them, built by the tests themselves with pikepdf: a /UserUnit page, a tiny page,
a filled-in form whose viewer draws the values (NeedAppearances), an owner-restricted export, a file whose
cross-reference table qpdf must repair, a scan with a frame line where the page number goes, and a scan with
active content (a page-open JavaScript action, a launch action and a URI link)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image

A4 = (595.28, 841.89)


def _helvetica() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
                              Encoding=pikepdf.Name.WinAnsiEncoding)


def _page(pdf: pikepdf.Pdf, size: tuple[float, float], content: bytes, **extra: object) -> pikepdf.Page:
    w, h = size
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=_helvetica())),
        Contents=pikepdf.Stream(pdf, content), **extra,
    )
    pdf.pages.append(pikepdf.Page(page))
    return pdf.pages[-1]


def text_page(path: Path, text: str = "ODD SCAN", size: tuple[float, float] = A4, **extra: object) -> Path:
    """One page with a line of Helvetica text in its upper half."""
    pdf = pikepdf.new()
    w, h = size
    _page(pdf, size, f"BT /F1 {max(min(w, h) / 12, 2):.2f} Tf {w * 0.1:.2f} {h * 0.6:.2f} Td ({text}) Tj ET".encode(),
          **extra)
    pdf.save(path)
    return path


def user_unit(path: Path, unit: float = 72.0) -> Path:
    """An A4 page described in inches: /UserUnit 72 and a MediaBox of 8.27 × 11.69 units."""
    pdf = pikepdf.new()
    w, h = A4[0] / unit, A4[1] / unit
    content = (f"0.2 G {1 / unit:.5f} w 0.5 0.5 {w - 1:.4f} {h - 1:.4f} re S "
               f"BT /F1 {24 / unit:.4f} Tf {w * 0.1:.4f} {h * 0.6:.4f} Td (USERUNIT) Tj ET").encode()
    _page(pdf, (w, h), content, UserUnit=unit)
    pdf.save(path)
    return path


def tiny(path: Path, side: float = 60.0) -> Path:
    """A 60 × 60 pt page (a stamp-sized scan) with a frame and a word."""
    pdf = pikepdf.new()
    _page(pdf, (side, side), f"0 0 1 RG 2 w 3 3 {side - 6} {side - 6} re S BT /F1 9 Tf 8 {side / 2} Td (TINY) "
                             f"Tj ET".encode())
    pdf.save(path)
    return path


def form_with_values(path: Path, value: str = "ZHANG SAN 2026") -> Path:
    """A page with one text field holding ``value``, no appearance stream, and /NeedAppearances true: a viewer
    draws the value; a copy of the page without the form shows an empty box."""
    pdf = pikepdf.new()
    page = _page(pdf, A4, b"BT /F1 14 Tf 72 700 Td (Applicant:) Tj ET 0 G 72 640 300 30 re S")
    field = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
        V=pikepdf.String(value), Rect=[72, 640, 372, 670], F=4, P=page.obj,
        DA=pikepdf.String("/Helv 14 Tf 0 g"),
    ))
    page.obj.Annots = pdf.make_indirect(pikepdf.Array([field]))
    pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(
        Fields=pikepdf.Array([field]), NeedAppearances=True,
        DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=_helvetica())), DA=pikepdf.String("/Helv 0 Tf 0 g"),
    ))
    pdf.save(path)
    return path


def owner_restricted(path: Path) -> Path:
    """An export that opens without a password but restricts printing changes and copying (an owner password)."""
    text_page(path, "RESTRICTED")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="owner-secret",
                                                     allow=pikepdf.Permissions(extract=False, modify_other=False)))
    return path


def repairable(path: Path) -> Path:
    """A sound file whose startxref points nowhere: qpdf rebuilds the cross-reference table and warns."""
    text_page(path, "REPAIRED")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = bytearray(path.read_bytes())
    at = data.rindex(b"startxref") + len(b"startxref\n")
    end = data.index(b"\n", at)
    data[at:end] = b"9" * (end - at)
    path.write_bytes(bytes(data))
    return path


def framed_a3(path: Path) -> Path:
    """An A3 landscape scan whose frame line runs 12 mm above the bottom edge, where the page number goes."""
    pdf = pikepdf.new()
    w, h = 1190.55, 841.89
    y = 12 * 72 / 25.4 + 0.5
    img = Image.new("RGB", (60, 40), (250, 250, 250))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    content = (f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q 0 G 2.2 w 20 {y:.2f} m {w - 20} {y:.2f} l S "
               f"BT /F1 24 Tf 80 {h / 2} Td (A3 FRAMED) Tj ET").encode()
    page = _page(pdf, (w, h), content)
    page.obj.Resources.XObject = pikepdf.Dictionary(Im0=pikepdf.Stream(
        pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=60, Height=40,
        ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8, Filter=pikepdf.Name.DCTDecode))
    pdf.save(path)
    return path


def active_content(path: Path) -> Path:
    """Two pages: the first runs JavaScript when opened (page /AA /O) and carries a URI link and a launch
    action; the second's link runs JavaScript. The document also opens with JavaScript (/OpenAction)."""
    pdf = pikepdf.new()
    first = _page(pdf, A4, b"BT /F1 18 Tf 72 700 Td (ACTIVE CONTENT) Tj ET")
    second = _page(pdf, A4, b"BT /F1 18 Tf 72 700 Td (SECOND PAGE) Tj ET")
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hi');")))
    first.obj.AA = pikepdf.Dictionary(O=js)
    uri = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 600, 300, 620],
                             Border=[0, 0, 0], A=pikepdf.Dictionary(S=pikepdf.Name.URI,
                                                                    URI=pikepdf.String("http://example.invalid/x")))
    launch = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 560, 300, 580],
                                Border=[0, 0, 0], A=pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                                       F=pikepdf.String("calc.exe")))
    first.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(uri), pdf.make_indirect(launch)]))
    link_js = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[72, 600, 300, 620],
                                 Border=[0, 0, 0], A=js)
    second.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link_js)]))
    pdf.Root.OpenAction = js
    pdf.save(path)
    return path


ACTIVE_KEYS = ("/JavaScript", "/JS", "/Launch", "/URI", "/SubmitForm", "/ImportData")


def active_names(pdf: Path) -> list[str]:
    """Every action kind or key in the file that runs code, opens a program or fetches a URL."""
    found = []
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary):
                for key in obj.keys():
                    if key in ("/JS", "/URI", "/AA", "/OpenAction"):
                        found.append(key)
                s = obj.get("/S")
                if isinstance(s, pikepdf.Name) and str(s) in ACTIVE_KEYS:
                    found.append(str(s))
    return found
