"""Helpers for PDF tests: small real PDFs made with weasyprint and pikepdf, text and images via poppler."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pikepdf
from PIL import Image

from bidkit.adapters.pdf.compose import AttachmentInput, ChapterInput, Composed, SealFiles, VolumeInput, compose
from bidkit.adapters.pdf.pages import CoverInfo
from bidkit.core.models import PackageConfig

COVER = CoverInfo("测试项目（视频监控）", "TEST-2026-001", "测试科技有限公司", "2026年12月20日", "正本")


def html_pdf(path: Path, pages: list[str], *, landscape: bool = False) -> Path:
    """A PDF with one page per HTML fragment, set in Noto Serif CJK like a converted part."""
    import weasyprint

    size = "A4 landscape" if landscape else "A4"
    css = f"@page {{ size: {size}; margin: 25mm }} body {{ font-family: 'Noto Serif CJK SC'; font-size: 12pt }}"
    body = "".join(f"<section style='page-break-after: always'>{p}</section>" for p in pages[:-1])
    body += f"<section>{pages[-1]}</section>"
    path.write_bytes(weasyprint.HTML(string=f"<html><head><style>{css}</style></head><body>{body}</body></html>")
                     .write_pdf() or b"")
    return path


def scan_pdf(path: Path, size: tuple[float, float] = (595.28, 841.89), rotate: int = 0, label: str = "SCAN",
             *, rotate_on_tree: bool = False) -> Path:
    """A one-page 'scan': a grey image with a frame, optionally rotated (on the page or inherited)."""
    pdf = pikepdf.new()
    w, h = size
    img = Image.new("RGB", (200, 140), (235, 235, 235))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    image = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=200, Height=140, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                           Filter=pikepdf.Name.DCTDecode)
    content = f"q {w - 40} 0 0 {h - 40} 20 20 cm /Im0 Do Q BT /F1 24 Tf 60 {h / 2} Td ({label}) Tj ET".encode()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image), Font=pikepdf.Dictionary(F1=font)),
        Contents=pikepdf.Stream(pdf, content),
    )
    pdf.pages.append(pikepdf.Page(page))
    if rotate and rotate_on_tree:
        pdf.Root.Pages.Rotate = rotate
    elif rotate:
        pdf.pages[0].obj.Rotate = rotate
    pdf.save(path)
    return path


def seal_png(path: Path, color: tuple[int, int, int] = (210, 20, 20), size: int = 300) -> Path:
    """A round seal with a transparent background."""
    from PIL import ImageDraw

    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.ellipse((8, 8, size - 8, size - 8), outline=(*color, 255), width=12)
    d.regular_polygon((size / 2, size / 2, size / 6), 5, fill=(*color, 255))
    im.save(path)
    return path


def attachment(tmp: Path, title: str = "营业执照", name: str = "lic", *, rotate: int = 0,
               size: tuple[float, float] = (595.28, 841.89), rotate_on_tree: bool = False) -> AttachmentInput:
    """A one-page scan as an attachment of the book."""
    scan = scan_pdf(tmp / f"{name}.pdf", size=size, rotate=rotate, rotate_on_tree=rotate_on_tree)
    return AttachmentInput(name, title, scan, f"attachments/{name}.pdf")


def volumes(tmp: Path, attachments: list[AttachmentInput] | None = None) -> list[VolumeInput]:
    """Two small volumes (a title page and chapters with anchors), and the attachments in a third."""
    pages = [
        ("price-cover", "<h1>投标文件（报价部分）</h1><p>投标人：测试科技有限公司（盖单位章）</p>"),
        ("bid_letter", "<h1>第一章　投标函</h1><p>投标总价（大写）：人民币壹万元整</p>"
                       "<p>法定代表人：（签字或盖章）</p>", "<p>续页：投标函其余内容。</p>"),
        ("opening_summary", "<h1>第二章　开标一览表</h1><p>本章没有盖章处。</p>"),
        ("technical-cover", "<h1>投标文件（技术部分）</h1>"),
        ("technical_solution", "<h1>第一章　技术方案</h1><p>总体设计说明。</p>"),
        ("bom", "<h1>第二章　设备清单</h1><p>设备一览。</p>"),
    ]
    pdfs = {name: html_pdf(tmp / f"{name}.pdf", list(html)) for name, *html in pages}
    out = [
        VolumeInput("price", "报价部分", [
            ChapterInput("price-cover", "报价部分", pdfs["price-cover"], cover=True),
            ChapterInput("bid_letter", "投标函", pdfs["bid_letter"], needs_seal=True),
            ChapterInput("opening_summary", "开标一览表", pdfs["opening_summary"], needs_seal=True),
        ]),
        VolumeInput("technical", "技术部分", [
            ChapterInput("technical-cover", "技术部分", pdfs["technical-cover"], cover=True),
            ChapterInput("technical_solution", "技术方案", pdfs["technical_solution"]),
            ChapterInput("bom", "设备清单", pdfs["bom"]),
        ]),
    ]
    if attachments:
        out.append(VolumeInput("commercial", "商务部分", [ChapterInput("qualifications", "资格证明文件", None,
                                                                      attachments=attachments)]))
    return out


def build(tmp: Path, attachments: list[AttachmentInput] | None = None, *, draft: bool = False,
          config: PackageConfig | None = None, target: Path | None = None) -> tuple[Path, Composed]:
    seals = SealFiles(seal_png(tmp / "seal.png"), "seals/seal.png",
                      seal_png(tmp / "legal.png", (160, 0, 0), 120), "seals/legal.png")
    out = target or tmp / "package.pdf"
    composed = compose(COVER, volumes(tmp, attachments), seals, config or PackageConfig(), out, draft=draft,
                       title="测试项目", author="测试科技有限公司")
    return out, composed


def page_texts(pdf: Path) -> list[str]:
    """Text of each page (pdftotext, layout off)."""
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = raw.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


NUMBER = re.compile(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页")  # poppler drops the narrow spaces


def numbers(text: str) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in NUMBER.findall(text)]


def without_numbers(text: str) -> str:
    return "".join(NUMBER.sub("", text).split())
