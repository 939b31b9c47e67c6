"""Make a realistic large bid from the sample: a 300-page 技术方案 written in Word (60 images, 40 tables, three
heading levels), the other chapters as the sample has them, and 150 pages of scanned attachments.

    .venv/bin/python benchmarks/make_big_bid.py OUT_DIR [--pages 300] [--images 60] [--tables 40] [--scans 150]

OUT_DIR becomes a workspace (a copy of samples/city-surveillance) whose 技术方案 chapter is the big .docx and whose
资格证明文件 chapter also holds the scans; the DEMO reviewer approves it, so it assembles with the sample's DEMO
secrets. Everything is generated from a fixed seed.
"""

from __future__ import annotations

import argparse
import io
import itertools
import random
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bidkit.store.resources import sample_workspace  # noqa: E402

SENTENCES = [
    "前端点位按照“全域覆盖、重点加密”的原则布设，重点路口、学校周边和医院出入口配置智能抓拍摄像机。",
    "视频流采用 H.265 编码，主码流 4 Mbps，子码流 1 Mbps，经汇聚交换机接入公安视频专网。",
    "存储采用分布式云存储架构，按 90 天保存周期计算容量，并预留 20% 的扩容空间。",
    "平台遵循 GB/T 28181-2022 标准与上级平台级联，信令与媒体按照 GB 35114 进行加密与认证。",
    "施工期间严格执行安全文明施工规定，立杆基础开挖前与市政管线单位复核地下管网位置。",
    "系统上线前完成点位在线率、录像完整率和平台响应时间等指标的测试，并形成测试报告。",
    "运维阶段建立“巡检—报修—处置—回访”的闭环流程，关键设备配置备品备件。",
    "光纤链路采用单模光缆，接续损耗不大于 0.1 dB，链路总衰减满足设计余量要求。",
    "智能分析服务器按照算力池化方式部署，可根据业务需要动态调度人脸、车辆和行为分析任务。",
    "供电采用就近取电与集中供电相结合的方式，室外设备配置防雷器并做等电位接地。",
]


def _picture(seed: int) -> bytes:
    """A diagram-like PNG (boxes, lines, labels) of about 1200 × 800 pixels."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    im = Image.new("RGB", (1200, 800), (250, 250, 250))
    d = ImageDraw.Draw(im)
    boxes = []
    for _ in range(rnd.randint(6, 12)):
        x, y = rnd.randint(20, 1000), rnd.randint(20, 680)
        w, h = rnd.randint(120, 180), rnd.randint(60, 100)
        d.rectangle((x, y, x + w, y + h), outline=(30, 60, 120), width=3,
                    fill=(rnd.randint(200, 240), rnd.randint(210, 245), 250))
        boxes.append((x + w // 2, y + h // 2))
    for a, b in itertools.pairwise(boxes):
        d.line((*a, *b), fill=(90, 90, 90), width=2)
    for _ in range(3000):  # some texture, as a photo or a dense drawing has
        d.point((rnd.randint(0, 1199), rnd.randint(0, 799)), fill=(rnd.randint(0, 255),) * 3)
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def big_docx(target: Path, pages: int, images: int, tables: int, seed: int = 7) -> None:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    rnd = random.Random(seed)
    doc = Document()
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = "Times New Roman"
        east_asian = "黑体" if "Heading" in name else "宋体"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    doc.styles["Normal"].font.size = Pt(12)
    paragraphs_per_page = 6
    total = pages * paragraphs_per_page
    image_every = max(1, total // max(images, 1))
    table_every = max(1, total // max(tables, 1))
    h1 = h2 = h3 = 0
    placed_images = placed_tables = 0
    for i in range(total):
        if i % 60 == 0:
            h1 += 1
            h2 = h3 = 0
            doc.add_heading(f"{h1} 第{h1}部分 系统建设内容", level=1)
        if i % 20 == 0:
            h2 += 1
            h3 = 0
            doc.add_heading(f"{h1}.{h2} 子系统设计", level=2)
        if i % 10 == 0:
            h3 += 1
            doc.add_heading(f"{h1}.{h2}.{h3} 技术要点", level=3)
        doc.add_paragraph("".join(rnd.choice(SENTENCES) for _ in range(3)))
        if i % image_every == image_every - 1 and placed_images < images:
            doc.add_picture(io.BytesIO(_picture(seed * 1000 + placed_images)), width=Cm(15))
            doc.add_paragraph(f"图{placed_images + 1} 系统示意图")
            placed_images += 1
        if i % table_every == table_every // 2 and placed_tables < tables:
            rows = rnd.randint(8, 16)
            table = doc.add_table(rows=rows + 1, cols=5)
            table.style = "Table Grid"
            for c, title in enumerate(("序号", "设备名称", "型号", "数量", "说明")):
                table.cell(0, c).text = title
            for r in range(1, rows + 1):
                for c, value in enumerate((str(r), f"设备{r}", f"ZS-{rnd.randint(1000, 9999)}",
                                           str(rnd.randint(1, 400)), rnd.choice(SENTENCES)[:18])):
                    table.cell(r, c).text = value
            placed_tables += 1
    doc.save(str(target))


def scans(target: Path, pages: int, seed: int = 11) -> None:
    """A PDF of scan-like pages (one greyscale JPEG each), some landscape."""
    import pikepdf
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    pdf = pikepdf.new()
    for i in range(pages):
        landscape = i % 10 == 9
        size = (1170, 827) if landscape else (827, 1170)
        im = Image.new("L", size, 238)
        d = ImageDraw.Draw(im)
        for k in range(40):
            y = 60 + k * (size[1] - 120) // 40
            d.line((60, y, size[0] - 60 - rnd.randint(0, 300), y), fill=70, width=3)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=45)
        img = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                             Width=size[0], Height=size[1], ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                             Filter=pikepdf.Name.DCTDecode)
        w, h = (842, 595) if landscape else (595, 842)
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img)),
                                  Contents=pikepdf.Stream(pdf, f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()))
        pdf.pages.append(pikepdf.Page(page))
    pdf.save(target, deterministic_id=True)


def make(out: Path, *, pages: int = 300, images: int = 60, tables: int = 40, scan_pages: int = 150) -> Path:
    """The big bid's workspace at ``out`` (which must not exist), approved by the DEMO reviewer."""
    from bidkit.store import keys, lock, workspace

    shutil.copytree(sample_workspace(), out, ignore=shutil.ignore_patterns("build"))
    big_docx(out / "chapters" / "技术方案.docx", pages, images, tables)
    scans(out / "attachments" / "scans.pdf", scan_pages)
    responses = (out / "responses.yaml").read_text(encoding="utf-8")
    responses = responses.replace("attachments:\n", "attachments:\n  - id: scans\n    title: 其他证明材料（扫描件）\n"
                                  "    file: attachments/scans.pdf\n", 1)
    (out / "responses.yaml").write_text(responses, encoding="utf-8")
    tender = (out / "tender.yaml").read_text(encoding="utf-8")
    tender = tender.replace("attachments: [business_licence, security_engineering, iso9001, its_service, "
                            "safety_permit]", "attachments: [business_licence, security_engineering, iso9001, "
                            "its_service, safety_permit, scans]", 1)
    (out / "tender.yaml").write_text(tender, encoding="utf-8")
    ws = workspace.load(out)
    lock.request(ws)
    lock.decide(ws, "approved", "郑雅琴", "DEMO benchmark",
                keys.load_private(ROOT / "samples" / "demo-keys" / "DEMO-qa-reviewer.key"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--images", type=int, default=60)
    ap.add_argument("--tables", type=int, default=40)
    ap.add_argument("--scans", type=int, default=150)
    args = ap.parse_args()
    make(args.out, pages=args.pages, images=args.images, tables=args.tables, scan_pages=args.scans)
    print(f"big bid: {args.out}")


if __name__ == "__main__":
    main()
