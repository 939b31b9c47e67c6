"""Helpers for signing tests: throw-away certificates, a small real package, and tampering by real tools."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pikepdf
from PIL import Image

from bidkit import __version__
from bidkit.adapters.pdf import sign
from bidkit.core.manifest import ManifestEntry, build_manifest

PASSWORD = "test-only-password"
APPROVAL = {"reviewer": "郑雅琴", "time": "2026-11-29T02:22:58Z", "decision": "approved", "digest": "ab" * 32}


def make_cert(folder: Path, name: str = "测试科技有限公司", stem: str = "TEST-company-cert") -> tuple[Path, Path]:
    """A self-signed certificate made now (cryptography): the .p12 (password PASSWORD) and the .crt."""
    p12, pem, _subject = sign.make_test_certificate(name, PASSWORD, days=30)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.p12").write_bytes(p12)
    (folder / f"{stem}.crt").write_bytes(pem)
    return folder / f"{stem}.p12", folder / f"{stem}.crt"


def _text_page(pdf: pikepdf.Pdf, font: pikepdf.Object, text: str) -> pikepdf.Page:
    content = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET 0 0 1 rg 72 600 200 80 re f".encode("ascii")
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.28, 841.89],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pikepdf.Stream(pdf, content))
    return pikepdf.Page(page)


def image_page(pdf: pikepdf.Pdf, color: tuple[int, int, int], label: str) -> pikepdf.Page:
    """A 'scanned certificate' page: a JPEG image and a label."""
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(buf, "JPEG")
    image = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=120, Height=80, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                           Filter=pikepdf.Name.DCTDecode)
    content = f"q 500 0 0 330 40 400 cm /Im0 Do Q BT /F1 20 Tf 60 300 Td ({label}) Tj ET".encode("ascii")
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.28, 841.89],
                              Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image),
                                                           Font=pikepdf.Dictionary(F1=font)),
                              Contents=pikepdf.Stream(pdf, content))
    return pikepdf.Page(page)


# (kind, name, title, pages): a cover, two parts and two one-page attachments
LAYOUT = [
    ("front", "cover", "封面", 1),
    ("part", "commercial_part", "商务部分", 3),
    ("part", "technical_part", "技术部分", 4),
    ("attachment", "attachments/licence.pdf", "营业执照", 1),
    ("attachment", "attachments/iso9001.pdf", "ISO 9001 认证证书", 1),
]


def make_package(path: Path, *, draft: bool = False, extra_pages: int = 0) -> dict[str, Any]:
    """Write an unsigned package like the one compose makes (compressed, object streams); return its manifest.

    ``extra_pages`` adds that many pages to the technical part (for timing).
    """
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    entries: dict[str, list[ManifestEntry]] = {"front": [], "part": [], "attachment": []}
    page_no = 1
    for i, (kind, name, title, count) in enumerate(LAYOUT):
        if name == "technical_part":
            count += extra_pages
        for n in range(count):
            if kind == "attachment":
                pdf.pages.append(image_page(pdf, (40 * i, 120, 200 - 30 * i), f"{name} {n + 1}"))
            else:
                pdf.pages.append(_text_page(pdf, font, f"{name} page {n + 1}"))
        digest = None if kind == "front" else f"{i:02d}" * 32
        entries[kind].append(ManifestEntry(name, title, kind, digest, page_no, page_no + count - 1))
        page_no += count
    pdf.docinfo = pdf.make_indirect(pikepdf.Dictionary(
        Title=pikepdf.String("测试项目"), Author=pikepdf.String("测试科技有限公司"), Creator=pikepdf.String("bidkit"),
        Producer=pikepdf.String("bidkit")))
    pdf.save(path, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return build_manifest(project_code="TEST-2026-001", version=1, bidkit_version=__version__,
                          parts=entries["part"], attachments=entries["attachment"], front=entries["front"],
                          approval=None if draft else APPROVAL, draft=draft)


def sealed_package(folder: Path, p12: Path, *, name: str = "TEST-2026-001-v1-1.pdf") -> tuple[Path, dict[str, Any]]:
    """A signed package in ``folder`` and its final manifest."""
    path = folder / name
    manifest = make_package(path)
    signer = sign.load_signer(p12, p12.name, prompter=lambda _p: PASSWORD)
    return path, sign.seal(path, manifest, signer)


def incremental(src: Path, dst: Path, change: Any) -> Path:
    """``dst``: ``src`` plus one incremental update (pypdf) in which ``change(writer)`` ran."""
    import pypdf

    writer = pypdf.PdfWriter(str(src), incremental=True)
    change(writer)
    buf = io.BytesIO()
    writer.write(buf)
    assert buf.getvalue().startswith(src.read_bytes())  # really appended, the signed bytes untouched
    dst.write_bytes(buf.getvalue())
    return dst


def strip_signature(src: Path, dst: Path) -> Path:
    """``dst``: ``src`` rewritten by pikepdf without its signature field and widget."""
    with pikepdf.open(src) as pdf:
        del pdf.Root.AcroForm
        for page in pdf.pages:
            if "/Annots" in page.obj:
                kept = [a for a in page.obj.Annots if a.get("/FT") != pikepdf.Name.Sig]
                page.obj.Annots = pikepdf.Array(kept)
        pdf.save(dst)
    return dst


def pyhanko_sign(src: Path, dst: Path, p12: Path, field: str = "Signature2") -> Path:
    """``dst``: ``src`` signed (incrementally) by pyHanko with another certificate, as a forger would."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

    signer = signers.SimpleSigner.load_pkcs12_data(p12.read_bytes(), [], PASSWORD.encode())
    meta = PdfSignatureMetadata(field_name=field, subfilter=SigSeedSubFilter.PADES)
    with open(src, "rb") as fh, open(dst, "wb") as out:
        signers.PdfSigner(meta, signer).sign_pdf(IncrementalPdfFileWriter(fh, strict=False), output=out)
    return dst
