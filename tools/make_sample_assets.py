"""Generate the binary assets of the sample workspace: certificate scans, the bid bond receipt, seal images,
ID card copies, and the scanned contract copies and test report that the bid attaches.

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
import random
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "city-surveillance"
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SC_INDEX = 2  # Simplified Chinese face inside the Noto CJK .ttc collections
RED = (214, 24, 31)

sys.path.insert(0, str(ROOT))
from bidkit.core.money import rmb_upper  # noqa: E402
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


# --- ID card copies ---------------------------------------------------------------------------------

# What an ID card shows besides the YAML's name and number; fictional, for the demo only.
ID_PEOPLE: dict[str, dict[str, str]] = {
    "legal_rep": {
        "sex": "男",
        "nation": "汉",
        "address": "江临市江滨区示例路 1 号\n演示小区 3 栋 101 室",
        "issuer": "江临市公安局江滨分局（演示）",
        "valid": "2016.01.01-2036.01.01",
    },
    "agent": {
        "sex": "女",
        "nation": "汉",
        "address": "江临市高新区样例街 2 号\n演示公寓 5 栋 1203 室",
        "issuer": "江临市公安局高新分局（演示）",
        "valid": "2019.06.10-2039.06.10",
    },
}
ID_SIZE = (856, 540)  # 85.6 × 54 mm at 10 px/mm
ID_DEMO = "样例 · 仅供 bidkit 演示 非真实证件"


def _plain_font(size: int, *, bold: bool = False, serif: bool = False) -> ImageFont.FreeTypeFont:
    family = "NotoSerifCJK" if serif else "NotoSansCJK"
    return ImageFont.truetype(str(FONT_DIR / f"{family}-{'Bold' if bold else 'Regular'}.ttc"), size, index=SC_INDEX)


def _card_base(rng: random.Random) -> Image.Image:
    """A light card on the scanner glass, with faint guilloche lines."""
    w, h = ID_SIZE
    img = Image.new("L", ID_SIZE, 226)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, w - 9, h - 9), radius=34, fill=244, outline=188, width=2)
    phase = rng.uniform(0, math.pi)
    for k in range(14):
        y0 = 40 + k * 34
        points = [(x, y0 + 9 * math.sin(x / 37 + phase + k * 0.7)) for x in range(24, w - 24, 6)]
        draw.line(points, fill=233, width=1)
    return img


def _watermark(img: Image.Image, text: str, *, angle: float = 18, strength: int = 80) -> Image.Image:
    """Grey diagonal demo marking over the whole picture (``strength`` 0–255 is its opacity)."""
    layer = Image.new("L", (img.width * 2, img.height * 2), 0)
    draw = ImageDraw.Draw(layer)
    font = _plain_font(38, bold=True)
    for row in range(7):
        y = 80 + row * 150
        x = -200 + (row % 2) * 260
        while x < layer.width:
            draw.text((x, y), text, font=font, fill=strength)
            x += int(draw.textlength(text, font=font)) + 120
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC)
    left, top = img.width // 2, img.height // 2
    mask = layer.crop((left, top, left + img.width, top + img.height))
    return Image.composite(Image.new("L", img.size, 118), img, mask)


def _scan_look(img: Image.Image, rng: random.Random, *, amplitude: int = 10, blur: float = 0.6,
               density: float = 0.1) -> Image.Image:
    """A photocopy's softness and grain: slight blur, then seeded noise.

    ``density`` 1.0 shifts every pixel by up to ± ``amplitude`` grey levels; below 1.0 only that share of the pixels
    is speckled by ± ``amplitude`` (sparser grain keeps a PNG small).
    """
    img = img.filter(ImageFilter.GaussianBlur(blur))
    noise = Image.frombytes("L", img.size, rng.randbytes(img.width * img.height))
    if density >= 1.0:
        lut = [128 + round((v - 127.5) / 127.5 * amplitude) for v in range(256)]
    else:
        cut = density * 128
        lut = [128 + (amplitude if v < cut else -amplitude if v > 255 - cut else 0) for v in range(256)]
    return ImageChops.add(img, noise.point(lut), scale=1.0, offset=-128)


def _birth(id_number: str) -> str:
    born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return f"{born.year} 年 {born.month} 月 {born.day} 日"


def id_card_front(person: dict, extra: dict[str, str], rng: random.Random) -> Image.Image:
    img = _card_base(rng)
    draw = ImageDraw.Draw(img)
    label, value, big = _plain_font(22), _plain_font(28, serif=True), _plain_font(32, bold=True)
    grey, ink = 96, 28
    draw.text((60, 62), "姓名", font=label, fill=grey)
    draw.text((140, 56), person["name"], font=big, fill=ink)
    draw.text((60, 128), "性别", font=label, fill=grey)
    draw.text((140, 122), extra["sex"], font=value, fill=ink)
    draw.text((250, 128), "民族", font=label, fill=grey)
    draw.text((330, 122), extra["nation"], font=value, fill=ink)
    draw.text((60, 190), "出生", font=label, fill=grey)
    draw.text((140, 184), _birth(person["id_number"]), font=value, fill=ink)
    draw.text((60, 252), "住址", font=label, fill=grey)
    draw.multiline_text((140, 246), extra["address"], font=value, fill=ink, spacing=14)
    draw.text((60, 432), "公民身份号码", font=label, fill=grey)
    draw.text((220, 424), "  ".join([person["id_number"][:6], person["id_number"][6:14], person["id_number"][14:]]),
              font=_plain_font(32, bold=True), fill=ink)
    # photo placeholder: a grey box with a head-and-shoulders outline
    x0, y0, x1, y1 = 600, 70, 800, 330
    draw.rectangle((x0, y0, x1, y1), fill=212, outline=170, width=2)
    cx = (x0 + x1) // 2
    draw.ellipse((cx - 46, 110, cx + 46, 212), fill=188)
    draw.pieslice((cx - 92, 222, cx + 92, 400), 180, 360, fill=188)
    draw.rectangle((x0, y1 + 1, x1, y1 + 40), fill=244)
    draw.text((cx, y1 + 22), "照片（演示）", font=_plain_font(20), fill=grey, anchor="mm")
    draw.rectangle((600, 360, 800, 400), outline=150, width=2)
    draw.text((700, 380), "演示样例", font=_plain_font(22, bold=True), fill=70, anchor="mm")
    img = _watermark(img, ID_DEMO)
    return _scan_look(img, rng)


def id_card_back(extra: dict[str, str], rng: random.Random) -> Image.Image:
    img = _card_base(rng)
    draw = ImageDraw.Draw(img)
    # national-emblem area: a plain circle placeholder
    draw.ellipse((62, 52, 202, 192), outline=120, width=3)
    draw.ellipse((74, 64, 190, 180), outline=170, width=1)
    draw.multiline_text((132, 122), "徽标\n占位", font=_plain_font(24), fill=110, anchor="mm", align="center",
                        spacing=6)
    draw.text((270, 82), "居 民 身 份 证", font=_plain_font(56, bold=True, serif=True), fill=36)
    draw.text((272, 168), "（演示样例 · 非真实证件）", font=_plain_font(24), fill=90)
    label, value = _plain_font(22), _plain_font(28, serif=True)
    draw.text((140, 356), "签发机关", font=label, fill=96)
    draw.text((260, 350), extra["issuer"], font=value, fill=28)
    draw.text((140, 420), "有效期限", font=label, fill=96)
    draw.text((260, 414), extra["valid"], font=value, fill=28)
    img = _watermark(img, ID_DEMO, angle=-16)
    return _scan_look(img, rng)


def make_id_cards(company: dict, responses: dict) -> list[Path]:
    people = [("legal_rep", company["legal_rep"]), ("agent", responses["authorisation"]["agent"])]
    out = []
    for key, person in people:
        rng = random.Random(f"bidkit-id-{key}")  # fixed seed: the same grain on every run
        extra = ID_PEOPLE[key]
        for side, img in (("front", id_card_front(person, extra, rng)), ("back", id_card_back(extra, rng))):
            target = SAMPLE / "ids" / f"{key}_{side}.png"
            _save_png(img.point([min(255, round(v / 8) * 8) for v in range(256)]), target)  # 32 greys: small PNG
            out.append(target)
    return out


# --- scanned attachments (contracts, test report) ----------------------------------------------------

SCAN_DPI = 110
SCAN_CSS = """
@page { size: A4; margin: 24mm 22mm 22mm;
  @top-left { content: "%(top)s"; font-size: 8pt; color: #666; }
  @top-right { content: "样例 · 仅供 bidkit 演示 · 内容虚构"; font-size: 8pt; color: #666; }
  @bottom-center { content: "第 " counter(page) " 页 共 " counter(pages) " 页"; font-size: 9pt; color: #444; }
  @bottom-right { content: "演示样例"; font-size: 8pt; color: #666; } }
body { font-family: "Noto Serif CJK SC", serif; font-size: 11pt; line-height: 1.75; color: #111; margin: 0; }
h1 { font-family: "Noto Sans CJK SC", sans-serif; text-align: center; font-size: 20pt; letter-spacing: 3pt;
     margin: 4mm 0 6mm; }
h2 { font-family: "Noto Sans CJK SC", sans-serif; font-size: 11.5pt; margin: 4mm 0 1mm; }
p { margin: 0 0 1.5mm; text-align: justify; }
p.i { text-indent: 2em; }
table { border-collapse: collapse; width: 100%%; font-size: 10pt; line-height: 1.5; }
td, th { border: 0.6pt solid #333; padding: 1.4mm 2mm; vertical-align: top; }
th { background: #e6e6e6; font-family: "Noto Sans CJK SC", sans-serif; font-weight: normal; }
table.plain td { border: none; padding: 0.8mm 0; }
.mark { position: fixed; top: 42%%; left: -15%%; width: 130%%; text-align: center; font-size: 54pt;
        color: rgba(0, 0, 0, 0.09); transform: rotate(-32deg); letter-spacing: 6pt;
        font-family: "Noto Sans CJK SC", sans-serif; }
.sign { display: flex; gap: 10mm; margin-top: 8mm; page-break-inside: avoid; }
.sign > div { flex: 1; position: relative; min-height: 62mm; }
.sign p { text-align: left; }
.seal { position: absolute; width: 40mm; left: 22mm; top: 2mm; opacity: 0.9; }
.placeholder { position: absolute; left: 34mm; top: 8mm; width: 36mm; height: 36mm; border: 1pt dashed #777;
               border-radius: 50%%; text-align: center; line-height: 36mm; color: #777; font-size: 9pt; }
.cover { text-align: center; page-break-after: always; padding-top: 20mm; }
.cover .org { font-family: "Noto Sans CJK SC", sans-serif; font-size: 15pt; letter-spacing: 2pt; }
.cover .big { font-family: "Noto Sans CJK SC", sans-serif; font-size: 40pt; letter-spacing: 18pt; margin: 28mm 0 6mm; }
.cover table.plain { width: 120mm; margin: 24mm auto 0; font-size: 13pt; line-height: 2.1; text-align: left; }
.box { border: 0.8pt solid #333; padding: 3mm 4mm; margin: 3mm 0; }
.small { font-size: 9pt; color: #333; }
.photo { flex: 1; height: 48mm; text-align: center; line-height: 44mm; color: #666; }
"""

# 甲方 details of the five contract copies (the customers are the references' own; the rest is invented)
CONTRACTS = [
    {
        "file": "attachments/contract_linjiang_2025.pdf",
        "reference": 0,
        "number": "LJXQ-CG-2025-0117（演示）",
        "signed": dt.date(2025, 4, 18),
        "place": "江临市临江新区",
        "days": 120,
        "buyer_address": "江临市临江新区政务服务中心 A 座（演示地址）",
        "buyer_phone": "0000-0000011",
        "warranty": 3,
        "annex": [
            ("400万像素星光级枪型网络摄像机", "H.265，星光级，IP67", 220, "台"),
            ("400万像素红外网络高速球机", "37 倍光学变倍，红外 200 米", 56, "台"),
            ("人脸抓拍网络摄像机", "800 万像素，含补光灯", 36, "台"),
            ("监控立杆及基础", "6 米/8 米，热镀锌喷塑", 128, "根"),
            ("室外设备箱及防雷器", "IP55，三合一防雷", 312, "套"),
            ("千兆光纤收发器", "单模单纤，工业级", 150, "对"),
            ("片区汇聚交换机", "24 千兆光口 + 4 万兆上联", 6, "台"),
            ("中心核心交换机", "双主控、双电源", 2, "台"),
            ("视频云存储节点", "36 盘位，RAID 6，60 天存储", 4, "台"),
            ("视频管理平台软件", "含接入授权 312 路、人脸比对 36 路", 1, "套"),
            ("室外单模光缆", "12 芯/4 芯，G.652D", 42, "千米"),
            ("安装调试、系统集成及培训", "含联网对接与试运行", 1, "项"),
        ],
        "scope": [
            "新建高清视频监控点位 312 路（含人脸抓拍摄像机 36 路）及立杆、设备箱、防雷接地等配套设施；",
            "建设临江新区视频专网，包括前端接入、片区汇聚及中心核心网络设备与光缆线路；",
            "建设视频云存储，全部新建点位录像保存不少于 60 天；",
            "部署视频管理平台，并与江临市公安局视频监控平台联网；",
            "系统集成、安装调试、试运行、用户培训及质保期内的维护服务。",
        ],
    },
    {
        "file": "attachments/contract_jiangling_transport_2024.pdf",
        "reference": 1,
        "number": "JLJT-XX-2024-0063（演示）",
        "signed": dt.date(2024, 5, 9),
        "place": "江临市",
        "days": 100,
        "buyer_address": "江临市江滨大道 18 号交通大厦（演示地址）",
        "buyer_phone": "0000-0000021",
        "warranty": 2,
        "annex": [
            ("400万像素路口高清网络摄像机", "H.265，宽动态，IP67", 360, "台"),
            ("交通事件检测摄像机", "拥堵/停车/逆行/抛洒物检测", 90, "台"),
            ("400万像素红外网络高速球机", "37 倍光学变倍", 45, "台"),
            ("路口设备箱及防雷器", "IP55，含 PoE 交换机", 180, "套"),
            ("汇聚交换机", "24 千兆光口 + 4 万兆上联", 8, "台"),
            ("事件检测服务器", "GPU 推理，支持 100 路", 2, "台"),
            ("视频存储设备", "24 盘位，RAID 6", 3, "台"),
            ("平台对接及事件检测软件", "接入交通指挥中心平台", 1, "套"),
            ("室外单模光缆", "4 芯，G.652D", 31, "千米"),
            ("安装调试、系统集成及培训", "含联调与试运行", 1, "项"),
        ],
        "scope": [
            "城区主干道 180 个路口的高清视频监控设备供货、安装及调试；",
            "交通事件检测功能建设，包括拥堵、停车、逆行、抛洒物等事件的自动检测与告警；",
            "路口至交通指挥中心的传输链路建设及中心接入设备；",
            "与江临市交通指挥中心平台的对接联调；",
            "用户培训、试运行及质保期内的维护服务。",
        ],
    },
    {
        "file": "attachments/contract_jiangbei_police_2024.pdf",
        "reference": 2,
        "number": "JBGA-CG-2024-0215（演示）",
        "signed": dt.date(2024, 8, 22),
        "place": "江临市江北县",
        "days": 150,
        "buyer_address": "江北县人民路 66 号（演示地址）",
        "buyer_phone": "0000-0000031",
        "warranty": 3,
        "annex": [
            ("200万像素红外网络枪型摄像机", "H.265，红外 50 米，IP66", 572, "台"),
            ("400万像素红外网络高速球机", "23 倍光学变倍", 24, "台"),
            ("村级无线网桥", "5.8 GHz，点对点 3 公里", 96, "对"),
            ("乡镇汇聚交换机", "24 千兆光口", 12, "台"),
            ("县级视频存储设备", "24 盘位，RAID 6，30 天存储", 4, "台"),
            ("县乡村三级视频平台软件", "含接入授权 600 路", 1, "套"),
            ("室外单模光缆", "4 芯，G.652D", 118, "千米"),
            ("安装调试、系统集成及培训", "含乡镇及村级培训", 1, "项"),
        ],
        "scope": [
            "12 个乡镇 286 个行政村的视频监控点位建设，含立杆、设备箱与防雷接地；",
            "光纤与无线混合组网，建设村至乡镇、乡镇至县中心的传输链路；",
            "建设县、乡、村三级视频平台，并与县公安局视频专网联网；",
            "系统集成、安装调试、试运行、用户培训及质保期内的维护服务。",
        ],
    },
    {
        "file": "attachments/contract_jiangling_education_2023.pdf",
        "reference": 3,
        "number": "JLJY-ZC-2023-0342（演示）",
        "signed": dt.date(2023, 6, 30),
        "place": "江临市",
        "days": 60,
        "buyer_address": "江临市文华路 9 号（演示地址）",
        "buyer_phone": "0000-0000041",
        "warranty": 3,
        "annex": [
            ("400万像素校园周边高清摄像机", "H.265，宽动态，IP67", 504, "台"),
            ("一键报警柱", "双向对讲，联动视频", 126, "套"),
            ("校园监控汇聚交换机", "16 千兆电口 + 2 千兆光口", 126, "台"),
            ("校园视频存储设备", "8 盘位，30 天存储", 126, "台"),
            ("教育局联网平台软件", "与公安视频平台对接", 1, "套"),
            ("安装调试、系统集成及培训", "含寒暑假期间施工组织", 1, "项"),
        ],
        "scope": [
            "126 所中小学校园周边及出入口高清视频监控设备供货、安装及调试；",
            "一键报警系统建设，并与属地派出所接处警平台联动；",
            "建设教育局校园安防联网平台，并与公安视频平台联网；",
            "用户培训、试运行及质保期内的维护服务。",
        ],
    },
    {
        "file": "attachments/contract_jiangling_hospital_2023.pdf",
        "reference": 4,
        "number": "JLRY-ZB-2023-0098（演示）",
        "signed": dt.date(2023, 3, 15),
        "place": "江临市",
        "days": 90,
        "buyer_address": "江临市健康路 1 号（演示地址）",
        "buyer_phone": "0000-0000051",
        "warranty": 3,
        "annex": [
            ("200万像素半球网络摄像机", "H.265，红外 30 米", 480, "台"),
            ("400万像素红外网络枪型摄像机", "H.265，IP67", 140, "台"),
            ("人脸识别门禁一体机", "活体检测，支持刷卡", 86, "套"),
            ("安防集成平台软件", "视频、门禁、报警统一管理", 1, "套"),
            ("视频存储设备", "24 盘位，RAID 6，30 天存储", 3, "台"),
            ("安装调试、系统集成及培训", "含不停诊施工组织", 1, "项"),
        ],
        "scope": [
            "新院区门诊楼、住院楼、医技楼及室外区域视频监控 620 路的供货、安装及调试；",
            "门禁与人脸识别系统建设，覆盖重点科室与药品库房；",
            "安防集成平台建设，统一管理视频、门禁与报警；",
            "用户培训、试运行及质保期内的维护服务。",
        ],
    },
]

TEST_REPORT = {
    "file": "attachments/test_report_gb35114.pdf",
    "model": "ZS-IPC4426-I",  # the camera of T-01/T-04 (solution.yaml B01)
    "lab": "江临省安防产品质量检验中心（演示）",
    "number": "JLAF-2026-AQ-0417（演示）",
    "maker": "臻视智能科技（江临）有限公司",  # fallback: the camera maker of responses.yaml sme_declaration
    "received": dt.date(2026, 7, 6),
    "tested": (dt.date(2026, 7, 8), dt.date(2026, 7, 29)),
    "issued": dt.date(2026, 8, 5),
}

LAB_TOOLS = [  # the fictional lab's instruments
    ("视频监控安全接入测试系统", "VSAT-3000（演示）", "JLAF-SB-0211", "2027-03-31"),
    ("国密算法测试工具", "SMT-2（演示）", "JLAF-SB-0187", "2027-01-15"),
    ("网络协议分析仪", "NPA-800（演示）", "JLAF-SB-0093", "2026-12-31"),
    ("数字证书管理测试平台", "CAT-1（演示）", "JLAF-SB-0205", "2027-05-20"),
    ("时间同步测试仪", "TSN-10（演示）", "JLAF-SB-0122", "2027-02-28"),
]

# the GB 35114-2017 A-level items the fictional report lists
REPORT_ITEMS = [
    ("设备证书", "前端设备具有证书认证系统签发的设备证书，证书格式及扩展项符合要求",
     "设备证书格式、有效期及扩展项正确"),
    ("密码模块", "设备采用安全芯片存储私钥，私钥不可导出", "私钥存储于安全芯片，导出操作被拒绝"),
    ("密码算法", "采用 SM2、SM3、SM4 国密算法", "算法调用正确，测试向量验证通过"),
    ("双向身份认证", "设备注册时与平台进行基于数字证书的双向身份认证", "认证流程完整，认证成功后方可注册"),
    ("认证失败处理", "身份认证失败时拒绝注册并记录日志", "使用无效证书注册被拒绝，日志记录完整"),
    ("信令认证", "注册、目录查询、实时点播、云台控制等信令携带认证信息", "抽查 12 类信令，均携带有效认证信息"),
    ("信令完整性", "信令被篡改时可被检测并丢弃", "篡改信令被识别并丢弃，产生告警"),
    ("防重放", "重放的历史信令被识别并拒绝", "重放信令被拒绝"),
    ("会话保持", "认证后会话保活，异常中断后重新认证", "断网恢复后自动重新认证并注册"),
    ("证书更新", "支持设备证书在线更新", "在线更新后设备正常注册"),
    ("证书吊销", "证书吊销后设备不能注册", "吊销后注册被拒绝"),
    ("密钥管理", "会话密钥协商及定期更新", "密钥按配置周期更新，业务不中断"),
    ("时间同步", "设备时间与平台同步，误差满足认证要求", "校时后误差小于 1 s"),
    ("安全日志", "记录认证、证书、配置变更等安全事件", "日志项齐全，不可由普通用户删除"),
    ("协议兼容", "安全模式下符合 GB/T 28181 信令流程", "与测试平台互通正常"),
    ("视频数据加密（选测）", "支持对视频数据进行 SM4 加密传输", "开启后视频流加密传输，授权端解密播放正常"),
]


def _page_html(title: str, top: str, body: str) -> str:
    css = SCAN_CSS % {"top": html.escape(top)}
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{html.escape(title)}（样例）</title><style>{css}</style></head><body>
<div class="mark">样例 仅供演示 SAMPLE</div>
{body}</body></html>"""


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _clauses(spec: dict, ref: dict, amount: Decimal) -> list[tuple[str, list[str]]]:
    """The contract's articles: (heading, paragraphs), the paragraphs as HTML."""
    e = html.escape
    return [
        ("第一条　项目内容", [
            "乙方按照采购文件的技术要求和本合同约定，完成本项目的设备供货、安装、调试、系统集成、培训及质保服务。"
            "主要内容包括：",
            *[f"{i}. {e(s)}" for i, s in enumerate(spec["scope"], 1)],
            f"项目概况：{e(ref['summary'])}。详细设备清单及技术参数见合同附件一、附件二。",
        ]),
        ("第二条　合同价款", [
            f"本合同总价为人民币（大写）<b>{e(rmb_upper(amount))}</b>（小写：¥{_money(amount)}），为含税总价，"
            "包括设备费、运输费、安装调试费、系统集成费、培训费、税费及质保期内服务等全部费用。合同履行期间，"
            "除甲方书面确认的工程变更外，合同价款不作调整。",
        ]),
        ("第三条　工期与地点", [
            f"乙方应于合同签订之日起 {spec['days']} 个日历天内完成全部安装调试并具备验收条件。实施地点为甲方指定的"
            "项目现场。因甲方原因或不可抗力造成工期延误的，工期相应顺延。",
        ]),
        ("第四条　付款方式", [
            "1. 合同签订并收到乙方开具的合法发票后 15 个工作日内，甲方支付合同总价的 30% 作为预付款；",
            "2. 设备全部到货并完成安装调试后，甲方支付至合同总价的 60%；",
            "3. 项目通过最终验收后，甲方支付至合同总价的 95%；",
            "4. 余款 5% 作为质量保证金，质保期满且无质量问题后一次性无息支付。",
        ]),
        ("第五条　质量标准与验收", [
            "乙方提供的设备应为全新、原厂正品，符合国家及行业现行标准和采购文件的技术要求。系统安装调试完成后，"
            "乙方提出书面验收申请，甲方在收到申请后 15 个工作日内组织验收。验收依据为本合同、采购文件、乙方投标"
            "文件及国家相关标准规范。验收不合格的，乙方应在甲方要求的期限内整改并重新申请验收。",
        ]),
        ("第六条　质量保证与售后服务", [
            f"质保期为最终验收合格之日起 {spec['warranty']} 年。质保期内，乙方对因设备质量问题引起的故障免费维修或"
            "更换，接到报修后 2 小时内响应、4 小时内到达现场、24 小时内排除故障；不能按期修复的，乙方应提供同型号"
            "备用设备。乙方在江临市设有常驻服务机构，负责本项目的日常维护。",
        ]),
        ("第七条　双方的权利和义务", [
            "甲方负责提供施工所需的场地、电源和必要的协调，及时组织验收和支付合同款项。乙方负责按合同约定组织实施，"
            "遵守施工现场安全管理规定，对施工人员的安全负责，并对在履约过程中知悉的甲方资料和数据承担保密义务。",
        ]),
        ("第八条　违约责任", [
            "乙方逾期完工的，每逾期一日按合同总价的 0.5‰ 向甲方支付违约金，累计不超过合同总价的 5%；甲方无正当"
            "理由逾期付款的，每逾期一日按逾期金额的 0.5‰ 向乙方支付违约金。任何一方违约给对方造成损失的，应予赔偿。",
        ]),
        ("第九条　争议解决", [
            "因本合同引起的争议，双方应协商解决；协商不成的，任何一方均可向甲方所在地有管辖权的人民法院提起诉讼。",
        ]),
        ("第十条　其他", [
            "本合同自双方法定代表人或授权代表签字并加盖公章之日起生效。本合同一式六份，甲方执四份，乙方执二份，"
            "具有同等法律效力。采购文件、乙方投标文件、中标（成交）通知书及合同附件均为本合同的组成部分。",
            "附件一：主要设备及服务清单；附件二：技术参数及服务要求（略）。",
            "（以下无正文）",
        ]),
    ]


def contract_html(spec: dict, ref: dict, company: dict) -> str:
    e = html.escape
    amount = Decimal(str(ref["amount"]))
    seal = (SAMPLE / company["company_seal"]).as_uri()
    preamble = (
        "根据《中华人民共和国民法典》《中华人民共和国政府采购法》及该项目采购文件、乙方投标文件和中标（成交）"
        f"通知书，甲乙双方本着平等自愿、诚实信用的原则，就{e(ref['project'])}（以下简称“本项目”）的实施事宜，"
        "经协商一致，订立本合同。（本合同为 bidkit 演示样例，内容均为虚构。）"
    )
    articles = "".join(
        f"<h2>{head}</h2>" + "".join(f"<p class='i'>{para}</p>" for para in paras)
        for head, paras in _clauses(spec, ref, amount)
    )
    signed = _cn_date(spec["signed"])
    annex = "".join(
        f"<tr><td style='text-align:center'>{i}</td><td>{e(name)}</td><td>{e(spec_)}</td>"
        f"<td style='text-align:center'>{qty}</td><td style='text-align:center'>{unit}</td></tr>"
        for i, (name, spec_, qty, unit) in enumerate(spec["annex"], 1)
    )
    body = f"""
<h1>{e(ref["project"])}<br>合同书</h1>
<table class="plain">
<tr><td>合同编号：{e(spec["number"])}</td></tr>
<tr><td>甲方（采购人）：{e(ref["customer"])}</td></tr>
<tr><td>乙方（供应商）：{e(company["name"])}</td></tr>
<tr><td>签订地点：{e(spec["place"])}　　签订日期：{signed}</td></tr>
</table>
<p class="i">{preamble}</p>
{articles}
<div class="sign">
<div><div class="placeholder">甲方印章（演示）</div>
<p>甲方（盖章）：{e(ref["customer"])}</p><p>法定代表人或授权代表（签字）：</p>
<p>地址：{e(spec["buyer_address"])}</p><p>电话：{e(spec["buyer_phone"])}</p>
<p>日期：{signed}</p></div>
<div><img class="seal" src="{seal}" alt="">
<p>乙方（盖章）：{e(company["name"])}</p><p>法定代表人或授权代表（签字）：</p>
<p>地址：{e(company["address"])}</p><p>电话：{e(company["phone"])}</p>
<p>开户银行：{e(company["bank"]["bank"])}</p><p>账号：{e(company["bank"]["account_number"])}</p>
<p>日期：{signed}</p></div>
</div>
<h2 style="text-align:center; margin-top:8mm">附件一　主要设备及服务清单</h2>
<table><tr><th style="width:10mm">序号</th><th>名称</th><th>主要规格</th><th style="width:16mm">数量</th>
<th style="width:14mm">单位</th></tr>{annex}</table>
<p class="small" style="margin-top:2mm">注：设备品牌、型号及详细技术参数以乙方投标文件为准。</p>"""
    return _page_html(ref["project"] + "合同", f"合同编号 {spec['number']}", body)


def test_report_html(company: dict, solution: dict, responses: dict) -> str:
    e = html.escape
    model = TEST_REPORT["model"]
    maker = next((i["manufacturer"] for i in (responses.get("sme_declaration") or {}).get("items", [])
                  if "摄像机" in i["name"]), TEST_REPORT["maker"])
    item = next(b for b in solution["bom"] if b["model"] == model)  # solution.yaml's B01, the 400万 gun camera
    r = TEST_REPORT
    begin, end = r["tested"]
    info = [
        ("样品名称", item["name"]), ("型号规格", model), ("商标", item["brand"]),
        ("委托单位", maker), ("生产单位", maker), ("样品数量", "2 台"),
        ("样品编号", "YP-2026-0712-01、YP-2026-0712-02"), ("到样日期", _cn_date(r["received"])),
        ("检验日期", f"{_cn_date(begin)} 至 {_cn_date(end)}"), ("检验类别", "委托检验"),
        ("检验依据", "GB 35114-2017《公共安全视频监控联网信息安全技术要求》"),
        ("检验项目", "A 级安全要求全部项目及视频数据加密选测项（共 16 项）"),
    ]
    info_rows = "".join(f"<tr><th style='width:32mm'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in info)
    rows = "".join(
        f"<tr><td style='text-align:center'>{i}</td><td>{e(name)}</td><td>{e(req)}</td><td>{e(res)}</td>"
        f"<td style='text-align:center'>符合</td></tr>"
        for i, (name, req, res) in enumerate(REPORT_ITEMS, 1)
    )
    tools = "".join(
        f"<tr><td style='text-align:center'>{i}</td><td>{e(n)}</td><td>{e(m)}</td><td>{e(k)}</td><td>{e(d)}</td></tr>"
        for i, (n, m, k, d) in enumerate(LAB_TOOLS, 1)
    )
    disclaimer = "本报告为 bidkit 演示样例，检验机构、编号与结果均为虚构，不具有任何证明效力。"
    conclusion = f"经检验，所检样品 {e(model)} 符合 GB 35114-2017 A 级安全要求，视频数据加密选测项符合要求。"
    body = f"""
<div class="cover">
<div class="org">{e(r["lab"])}</div>
<div class="big">检验报告</div>
<p style="text-align:center">报告编号：{e(r["number"])}</p>
<table class="plain">
<tr><td>样品名称：{e(item["name"])}</td></tr>
<tr><td>型号规格：{e(model)}</td></tr>
<tr><td>委托单位：{e(maker)}</td></tr>
<tr><td>检验类别：委托检验</td></tr>
</table>
<p style="margin-top:40mm; text-align:center" class="org">{e(r["lab"])}<br>{_cn_date(r["issued"])}</p>
<p class="small" style="text-align:center; margin-top:8mm">{disclaimer}</p>
</div>
<h2>注意事项</h2>
<p class="small">1. 报告无检验机构检验专用章无效；报告无主检、审核、批准人签字无效；报告涂改无效。</p>
<p class="small">2. 复制报告未重新加盖检验专用章无效；部分复制报告无效。</p>
<p class="small">3. 本报告仅对来样负责；对检验结果有异议的，应于收到报告之日起 15 日内提出。</p>
<p class="small">4. 检验机构地址：江临市高新区检测路 9 号（演示地址）　联系电话：0000-0000300</p>
<h1 style="font-size:16pt; margin-top:8mm">检 验 报 告</h1>
<p>报告编号：{e(r["number"])}</p>
<table>{info_rows}</table>
<div class="box"><b>检验结论：</b>{conclusion}
<p style="text-align:right; margin-top:6mm">（检验专用章·演示）　<br>签发日期：{_cn_date(r["issued"])}</p></div>
<table class="plain"><tr><td>批准：　（演示）</td><td>审核：　（演示）</td><td>主检：　（演示）</td></tr></table>
<h2 style="page-break-before: always">检验结果</h2>
<table><tr><th style="width:9mm">序号</th><th style="width:28mm">检验项目</th><th>技术要求</th><th>检验结果</th>
<th style="width:14mm">判定</th></tr>{rows}</table>
<h2>样品照片</h2>
<div style="display:flex; gap:8mm">
<div class="box photo">样品正面照片（演示占位）</div>
<div class="box photo">样品铭牌照片（演示占位）</div>
</div>
<h2>检验说明</h2>
<p class="small">1. 检验环境：温度 22 ℃~25 ℃，相对湿度 45%~55%，供电 AC 220 V ± 5%。</p>
<p class="small">2. 样品以 GB 35114 安全模式接入测试平台，检验期间样品固件版本保持不变（V5.8.2，演示）。</p>
<p class="small">3. 视频数据加密为委托方申请的选测项，不影响 A 级判定。</p>
<p class="small">4. 样品检验后由委托方取回。</p>
<h2>主要检验设备</h2>
<table><tr><th style="width:10mm">序号</th><th>设备名称</th><th>型号</th><th>编号</th><th>有效期至</th></tr>
{tools}</table>
<p style="text-align:center; margin-top:6mm">——以下空白——</p>"""
    return _page_html("GB 35114 检验报告", f"报告编号 {r['number']}", body)


def _scan_page(page: Image.Image, rng: random.Random) -> Image.Image:
    """One rendered page made to look scanned: paper tone, a small skew, softness, grain and a little dust."""
    paper = rng.randint(238, 246)
    ink = rng.randint(14, 26)
    img = page.convert("L").point([ink + round(v * (paper - ink) / 255) for v in range(256)])
    img = img.rotate(rng.uniform(-0.5, 0.5), resample=Image.Resampling.BICUBIC, fillcolor=paper)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(8, 20)):
        x, y, r = rng.randrange(img.width), rng.randrange(img.height), rng.choice((1, 1, 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(90, 170))
    return _scan_look(img, rng, amplitude=5, blur=0.45, density=1.0)


def _pdf_of_images(pages: list[Image.Image], title: str) -> bytes:
    import pikepdf  # imported late: only this step needs it

    pdf = pikepdf.Pdf.new()
    for page in pages:
        buf = io.BytesIO()
        page.save(buf, format="JPEG", quality=50, optimize=True)
        image = pikepdf.Stream(pdf, buf.getvalue())
        image.Type = pikepdf.Name.XObject
        image.Subtype = pikepdf.Name.Image
        image.Width, image.Height = page.width, page.height
        image.ColorSpace = pikepdf.Name.DeviceGray
        image.BitsPerComponent = 8
        image.Filter = pikepdf.Name.DCTDecode
        content = pikepdf.Stream(pdf, b"q 595 0 0 842 0 0 cm /Im0 Do Q")
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
            Contents=content,
        )))
    pdf.docinfo["/Title"] = f"{title}（样例，bidkit 演示）"
    pdf.docinfo["/Producer"] = "bidkit tools/make_sample_assets.py"
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def scanned_pdf(page_html: str, title: str, seed: str) -> bytes:
    """Lay the pages out with weasyprint, rasterise them (greyscale) and wrap the scans into an image-only PDF."""
    from weasyprint import HTML  # imported late: only this step needs it

    layout = HTML(string=page_html, base_url=str(SAMPLE)).write_pdf()
    with tempfile.TemporaryDirectory(prefix="bidkit-scan-") as tmp:
        src = Path(tmp) / "layout.pdf"
        src.write_bytes(layout)
        subprocess.run(["pdftoppm", "-r", str(SCAN_DPI), "-gray", "-png", str(src), str(Path(tmp) / "page")],
                       check=True, capture_output=True)
        files = sorted(Path(tmp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        rng = random.Random(seed)  # fixed seed: the same skew, grain and dust on every run
        pages = [_scan_page(Image.open(f), rng) for f in files]
    return _pdf_of_images(pages, title)


def make_scans(company: dict, solution: dict, responses: dict) -> list[Path]:
    out = []
    jobs = []
    for spec in CONTRACTS:
        ref = responses["references"][spec["reference"]]
        jobs.append((spec["file"], contract_html(spec, ref, company), ref["project"] + "合同（复印件）"))
    jobs.append((TEST_REPORT["file"], test_report_html(company, solution, responses), "GB 35114-2017 检验报告"))
    for rel, page_html, title in jobs:
        target = SAMPLE / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(scanned_pdf(page_html, title, seed=f"bidkit-scan-{rel}"))
        out.append(target)
    return out


def main() -> int:
    company = yamlio.parse((SAMPLE / "company.yaml").read_bytes(), "company.yaml")
    solution = yamlio.parse((SAMPLE / "solution.yaml").read_bytes(), "solution.yaml")
    responses = yamlio.parse((SAMPLE / "responses.yaml").read_bytes(), "responses.yaml")
    written = make_certificates(company)
    registration = yamlio.parse((SAMPLE / "registration.yaml").read_bytes(), "registration.yaml")
    tender = yamlio.parse((SAMPLE / "tender.yaml").read_bytes(), "tender.yaml")
    written.append(make_bid_bond_receipt(registration, company, tender))
    seal = SAMPLE / company["company_seal"]
    make_company_seal(company["name"], seal)
    name_seal = SAMPLE / company["legal_rep_seal"]
    make_name_seal(company["legal_rep"]["name"], name_seal)
    ids = make_id_cards(company, responses)
    scans = make_scans(company, solution, responses)  # after the seals: the contract copies show the company seal
    for path in [*written, seal, name_seal, *ids, *scans]:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
