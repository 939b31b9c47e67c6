"""Generate the binary assets of the sample workspace (certificate scans, the bid bond receipt, seal images).

Run from the repository root::

    .venv/bin/python tools/make_sample_assets.py

Everything drawn here is fictional and marked as a sample (样例 / 演示专用 / SAMPLE). The output is
deterministic: running the script twice gives identical files, so the committed assets only change when this
script does.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "city-surveillance"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # Simplified Chinese face inside the Noto CJK .ttc collections
RED = (214, 24, 31)

sys.path.insert(0, str(ROOT))
from bidkit.store import yamlio  # noqa: E402

# Extra lines printed on each certificate, keyed by qualification id (the rest comes from company.yaml).
DETAILS: dict[str, list[tuple[str, str]]] = {
    "business_licence": [
        ("类型", "有限责任公司（自然人投资或控股）"),
        (
            "经营范围",
            "安全技术防范系统设计、施工、维护；计算机信息系统集成；软件开发；"
            "智能化工程；电子产品销售。（依法须经批准的项目，经相关部门批准后方可开展经营活动）",
        ),
        ("营业期限", "2012年06月18日 至 长期"),
    ],
    "security_engineering": [
        ("等级", "一级"),
        ("业务范围", "安全防范工程的设计、施工、维护"),
    ],
    "iso9001": [
        ("认证标准", "GB/T 19001-2016 / ISO 9001:2015"),
        ("认证范围", "安全技术防范系统、计算机信息系统集成的设计、施工及售后服务"),
    ],
    "its_service": [
        ("等级", "二级"),
        ("业务范围", "信息系统集成及服务（含视频监控系统集成）"),
    ],
    "safety_permit": [
        ("许可范围", "建筑施工"),
        ("主要负责人", "林志远"),
    ],
}

LANDSCAPE = {"business_licence"}  # one landscape page, to exercise mixed page sizes in the package

CSS = """
@page { size: A4 %(orient)s; margin: 14mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; color: #222; margin: 0; }
.frame { border: 3mm double #9a7b2f; height: %(height)s; box-sizing: border-box; padding: %(pad)s 16mm;
         position: relative; overflow: hidden; }
.emblem { text-align: center; color: #b0201a; font-size: 13pt; letter-spacing: 6pt; }
h1 { text-align: center; font-size: 30pt; letter-spacing: 14pt; margin: 4mm 0 2mm; color: #7a1b14;
     font-weight: normal; }
h1.long { font-size: 20pt; letter-spacing: 2pt; }
.sub { text-align: center; font-size: 10pt; color: #666; margin-bottom: 5mm; }
table { border-collapse: collapse; width: 100%%; font-size: %(size)s; }
td { padding: 1.6mm 2mm; vertical-align: top; border-bottom: 0.3pt solid #ccc; }
td.k { width: 30mm; color: #555; white-space: nowrap; }
.issuer { margin-top: 6mm; text-align: right; font-size: 12pt; }
.mark { position: absolute; left: -20%%; top: 40%%; width: 140%%; text-align: center; font-size: 46pt;
        color: rgba(200, 30, 30, 0.13); transform: rotate(-28deg); letter-spacing: 4pt; }
.foot { position: absolute; left: 16mm; bottom: 6mm; font-size: 8pt; color: #999; }
"""


def _cn_date(value: dt.date | None) -> str:
    return "长期" if value is None else f"{value.year}年{value.month:02d}月{value.day:02d}日"


def certificate_html(q: dict, company: dict) -> str:
    landscape = q["id"] in LANDSCAPE
    if landscape:
        fmt = {"orient": "landscape", "height": "181mm", "size": "10.5pt", "pad": "7mm"}
    else:
        fmt = {"orient": "portrait", "height": "268mm", "size": "12pt", "pad": "12mm"}
    css = CSS % fmt
    rows = [
        ("证书编号" if q["id"] != "business_licence" else "统一社会信用代码", q["number"]),
        ("名称", company["name"]),
        ("法定代表人", company["legal_rep"]["name"]),
        ("住所", company["address"]),
    ]
    if q["id"] == "business_licence":
        rows.append(("注册资本", company["registered_capital"]))
        rows.append(("成立日期", _cn_date(company["founded"])))
    rows += DETAILS.get(q["id"], [])
    rows.append(("有效期至", _cn_date(q["valid_until"])))
    body = "".join(
        f'<tr><td class="k">{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>' for k, v in rows
    )
    title = q["name"]
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(title)}（样例）</title><style>{css}</style></head><body>
<div class="frame">
  <div class="emblem">★ 样 例 证 书 ★</div>
  <h1 class="{"long" if len(title) > 8 else ""}">{html.escape(title)}</h1>
  <div class="sub">（副本）&nbsp; 本证书为 bidkit 演示数据，内容均为虚构</div>
  <table>{body}</table>
  <div class="issuer">发证机关：{html.escape(q["issuer"])}<br>2025年01月01日</div>
  <div class="mark">样例 仅供演示 SAMPLE</div>
  <div class="foot">bidkit sample workspace · fictional certificate · not valid for any purpose</div>
</div></body></html>"""


def make_certificates(company: dict) -> list[Path]:
    from weasyprint import HTML  # imported late: only this step needs it

    out = []
    for q in company["qualifications"]:
        target = SAMPLE / q["scan"]
        target.parent.mkdir(parents=True, exist_ok=True)
        pdf = HTML(string=certificate_html(q, company), base_url=str(SAMPLE)).write_pdf(
            identifier=q["id"].encode(), uncompressed_pdf=False
        )
        target.write_bytes(pdf)
        out.append(target)
    return out


RECEIPT_CSS = """
@page { size: A5 landscape; margin: 10mm; }
body { font-family: "Noto Sans CJK SC", sans-serif; color: #222; margin: 0; font-size: 10pt; }
h1 { text-align: center; font-size: 16pt; letter-spacing: 6pt; margin: 0 0 3mm; color: #1b3f7a; font-weight: normal; }
.sub { text-align: center; font-size: 8.5pt; color: #666; margin-bottom: 3mm; }
table { border-collapse: collapse; width: 100%; }
td { border: 0.4pt solid #7a8fb0; padding: 1.6mm 2mm; }
td.k { width: 28mm; color: #555; background: #eef2f8; }
.mark { position: absolute; left: 10%; top: 38%; font-size: 40pt; color: rgba(200, 30, 30, 0.13);
        transform: rotate(-18deg); letter-spacing: 4pt; }
.foot { margin-top: 3mm; font-size: 7.5pt; color: #999; }
"""


def make_bid_bond_receipt(registration: dict, company: dict, tender: dict) -> Path:
    """The bank receipt of the bid bond (投标保证金), an attachment of the bid (registration.yaml bid_bond.receipt)."""
    from weasyprint import HTML

    bond = registration["bid_bond"]
    rows = [
        ("交易流水号", bond["reference"]),
        ("交易日期", _cn_date(bond["paid"])),
        ("付款人", company["name"]),
        ("付款账户", f"{company['bank']['bank']} {company['bank']['account_number']}（基本账户）"),
        ("收款人", tender["agency"] + "（投标保证金专户）"),
        ("金额", f"人民币 {bond['amount']} 元"),
        ("用途", f"{tender['number']} 投标保证金"),
    ]
    body = "".join(f'<tr><td class="k">{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>' for k, v in rows)
    doc = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>投标保证金转账回单（样例）</title>
<style>{RECEIPT_CSS}</style></head><body>
<h1>{html.escape(company["bank"]["bank"])} 电子回单</h1>
<div class="sub">本回单为 bidkit 演示数据，内容均为虚构</div>
<table>{body}</table>
<div class="mark">样例 仅供演示 SAMPLE</div>
<div class="foot">bidkit sample workspace · fictional bank receipt · not valid for any purpose</div>
</body></html>"""
    target = SAMPLE / bond["receipt"]
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(HTML(string=doc, base_url=str(SAMPLE)).write_pdf(identifier=b"bid_bond_receipt",
                                                                        uncompressed_pdf=False))
    return target


# --- seals ------------------------------------------------------------------------------------------


def _font(size: int, *, serif: bool = True) -> ImageFont.FreeTypeFont:
    name = "NotoSerifCJK-Bold.ttc" if serif else "NotoSansCJK-Bold.ttc"
    return ImageFont.truetype(str(FONT_DIR / name), size, index=SC_INDEX)


def _star(cx: float, cy: float, r_out: float, r_in: float) -> list[tuple[float, float]]:
    points = []
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def _glyph(
    ch: str, font: ImageFont.FreeTypeFont, colour: tuple[int, int, int, int], *, squeeze: float = 1.0
) -> Image.Image:
    size = int(font.size * 1.5)
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((size / 2, size / 2), ch, font=font, fill=colour, anchor="mm")
    if squeeze != 1.0:  # seal characters are drawn narrow and tall
        img = img.resize((max(1, int(size * squeeze)), size), Image.Resampling.LANCZOS)
    return img


def _arc_text(
    canvas: Image.Image,
    text: str,
    centre: float,
    radius: float,
    span_deg: float,
    font: ImageFont.FreeTypeFont,
    colour: tuple[int, int, int, int],
    *,
    top: bool = True,
) -> None:
    """Write ``text`` along an arc centred on the top (or bottom) of the circle, letters facing the centre."""
    n = len(text)
    step = span_deg / (n - 1) if n > 1 else 0
    for i, ch in enumerate(text):
        offset = -span_deg / 2 + i * step  # degrees from straight up (or down), clockwise
        angle = math.radians(offset - 90 if top else 90 - offset)
        x = centre + radius * math.cos(angle)
        y = centre + radius * math.sin(angle)
        glyph = _glyph(ch, font, colour, squeeze=0.8 if top else 1.0)
        rotated = glyph.rotate(-offset if top else offset, resample=Image.Resampling.BICUBIC, expand=True)
        canvas.alpha_composite(rotated, (int(x - rotated.width / 2), int(y - rotated.height / 2)))


def make_company_seal(name: str, target: Path, size: int = 600) -> None:
    scale = 2  # draw large, then downsample for smooth edges
    s = size * scale
    colour = (*RED, 235)
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = s / 2
    ring = 14 * scale
    draw.ellipse((ring, ring, s - ring, s - ring), outline=colour, width=ring)
    draw.polygon(_star(c, c, 92 * scale, 36 * scale), fill=colour)
    _arc_text(img, name, c, 196 * scale, 228, _font(64 * scale), colour)
    label = _font(44 * scale)
    draw.text((c, c + 150 * scale), "演示专用", font=label, fill=colour, anchor="mm")
    _arc_text(img, "SAMPLE", c, 236 * scale, 46, _font(28 * scale, serif=False), colour, top=False)
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    _save_png(img, target)


def make_name_seal(name: str, target: Path, size: int = 240) -> None:
    """A square 朱文 name seal: the name plus 印, read in columns from the right."""
    scale = 2
    s = size * scale
    colour = (*RED, 235)
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    border = 12 * scale
    draw.rectangle((border // 2, border // 2, s - border // 2, s - border // 2), outline=colour, width=border)
    chars = (name + "印") if len(name) == 3 else (name + "之印")[:4]
    font = _font(96 * scale)
    cells = [(0.73, 0.28), (0.73, 0.72), (0.27, 0.28), (0.27, 0.72)]  # right column first, top to bottom
    for ch, (fx, fy) in zip(chars, cells, strict=True):
        glyph = _glyph(ch, font, colour)
        glyph = glyph.resize((int(glyph.width * 0.95), int(glyph.height * 0.82)), Image.Resampling.LANCZOS)
        img.alpha_composite(glyph, (int(fx * s - glyph.width / 2), int(fy * s - glyph.height / 2)))
    img = img.resize((size, size), Image.Resampling.LANCZOS)
    _save_png(img, target)


def _save_png(img: Image.Image, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    target.write_bytes(buf.getvalue())


def main() -> int:
    company = yamlio.parse((SAMPLE / "company.yaml").read_bytes(), "company.yaml")
    written = make_certificates(company)
    registration = yamlio.parse((SAMPLE / "registration.yaml").read_bytes(), "registration.yaml")
    tender = yamlio.parse((SAMPLE / "tender.yaml").read_bytes(), "tender.yaml")
    written.append(make_bid_bond_receipt(registration, company, tender))
    seal = SAMPLE / company["company_seal"]
    make_company_seal(company["name"], seal)
    name_seal = SAMPLE / company["legal_rep_seal"]
    make_name_seal(company["legal_rep"]["name"], name_seal)
    for path in [*written, seal, name_seal]:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
