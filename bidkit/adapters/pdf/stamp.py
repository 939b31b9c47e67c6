"""Drawing on finished pages with pikepdf: page numbers, seal images, the cross-page seal, the draft watermark.

Everything is drawn in the page's *visual* frame (points from the bottom-left corner as displayed), mapped to
user space through the page's /Rotate and CropBox, so a number sits at the foot of a landscape or rotated scan
as a reader sees it. Existing content is wrapped in ``q … Q`` so its graphics state cannot leak into the stamps;
stamps add images (no text) except the page number and the watermark.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from bidkit.core.errors import InputError, ToolError

MM = 72 / 25.4
MAX_SEAL_PIXELS = 25_000_000
SEAL_PIXELS = 1200

_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") or "0"


class StampFont:
    """A Type0 (Identity-H) font subset borrowed from the generated pages, with its char → code map."""

    def __init__(self, font: pikepdf.Object) -> None:
        self.font = font
        self.codes: dict[str, int] = {}
        cmap = bytes(font.ToUnicode.read_bytes())
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
            for lo, hi, dst in _BFRANGE.findall(block):
                start, end, first = int(lo, 16), int(hi, 16), int(dst, 16)
                for code in range(start, end + 1):
                    self.codes.setdefault(chr(first + code - start), code)
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in _BFCHAR.findall(block):
                if len(dst) <= 8:
                    self.codes.setdefault(chr(int(dst, 16)), int(src, 16))
        descendant = font.DescendantFonts[0]
        self.default_width = float(descendant.get("/DW", 1000))
        self.widths: dict[int, float] = {}
        w: list[pikepdf.Object] = list(descendant.get("/W", []))
        i = 0
        while i < len(w):
            first = int(w[i])
            nxt = w[i + 1]
            if isinstance(nxt, pikepdf.Array):
                for k, each in enumerate(nxt):
                    self.widths[first + k] = float(each)
                i += 2
            else:
                last, width = int(nxt), float(w[i + 2])
                for code in range(first, last + 1):
                    self.widths[code] = width
                i += 3

    def encode(self, text: str) -> bytes:
        try:
            return b"".join(self.codes[c].to_bytes(2, "big") for c in text)
        except KeyError as exc:
            raise ToolError(f"stamp font lacks the character {exc.args[0]!r} (page number format?)") from None

    def width(self, text: str, size: float) -> float:
        return sum(self.widths.get(self.codes[c], self.default_width) for c in text) * size / 1000


@dataclass(frozen=True)
class SealImage:
    xobject: pikepdf.Stream
    aspect: float  # height / width


def seal_image(pdf: pikepdf.Pdf, path: Path, display: str) -> SealImage:
    """The PNG as an image XObject; its alpha channel becomes an /SMask so the paper shows through."""
    try:
        with Image.open(path) as im:
            w, h = im.size  # read from the header: a decompression bomb is refused before it is decoded
            if w * h > MAX_SEAL_PIXELS:
                raise InputError(f"{display}: seal image too large ({w} × {h} pixels; at most "
                                 f"{MAX_SEAL_PIXELS // 1_000_000} million): a 42 mm seal needs about 1000 × 1000")
            im.draft("RGBA", (SEAL_PIXELS, SEAL_PIXELS))
            im.load()
            rgba = im.convert("RGBA")
            if max(rgba.size) > SEAL_PIXELS:  # 1200 pixels over 42 mm is 725 dpi: more is only weight
                rgba.thumbnail((SEAL_PIXELS, SEAL_PIXELS), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise InputError(f"{display}: not a readable PNG image (seal)") from None
    w, h = rgba.size
    rgb = rgba.convert("RGB").tobytes()
    alpha = rgba.getchannel("A").tobytes()
    common = {"Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Image, "Width": w, "Height": h,
              "BitsPerComponent": 8, "Filter": pikepdf.Name.FlateDecode}
    smask = pikepdf.Stream(pdf, zlib.compress(alpha, 6), ColorSpace=pikepdf.Name.DeviceGray, **common)
    image = pikepdf.Stream(pdf, zlib.compress(rgb, 6), ColorSpace=pikepdf.Name.DeviceRGB,
                           SMask=pdf.make_indirect(smask), Interpolate=True, **common)
    return SealImage(pdf.make_indirect(image), h / w)


# --- page geometry -------------------------------------------------------------------------------------------


def _inherited(page: pikepdf.Dictionary, key: str) -> object | None:
    node: pikepdf.Object | None = page
    for _ in range(64):  # a parent loop must not hang us
        if node is None:
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def push_inherited(page: pikepdf.Dictionary) -> None:
    """Copy /Rotate, /MediaBox, /CropBox and /Resources inherited from the page tree onto the page itself,
    so they survive when the page moves into another document."""
    for key in ("/Rotate", "/MediaBox", "/CropBox", "/Resources"):
        if key not in page:
            value = _inherited(page, key)
            if value is not None:
                page[key] = value
    if "/Resources" not in page:
        page.Resources = pikepdf.Dictionary()


@dataclass(frozen=True)
class Frame:
    """A page's visual size and the matrix from visual coordinates to user space."""

    width: float
    height: float
    matrix: tuple[float, float, float, float, float, float]

    def cm(self) -> str:
        return " ".join(_num(v) for v in self.matrix) + " cm"


def _box(page: pikepdf.Dictionary) -> tuple[float, float, float, float]:
    media = [float(v) for v in page.get("/MediaBox", [0, 0, 595.28, 841.89])]
    crop = [float(v) for v in page.get("/CropBox", media)]
    x0, y0, x1, y1 = min(crop[0], crop[2]), min(crop[1], crop[3]), max(crop[0], crop[2]), max(crop[1], crop[3])
    # a CropBox reaching beyond the MediaBox is clipped to it, as viewers do
    mx0, my0 = min(media[0], media[2]), min(media[1], media[3])
    mx1, my1 = max(media[0], media[2]), max(media[1], media[3])
    return max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1)


def user_unit(page: pikepdf.Dictionary) -> float:
    """The page's /UserUnit (points per unit of its user space; PDF 1.6), 1 when absent or absurd."""
    try:
        unit = float(page.get("/UserUnit", 1))
    except (TypeError, ValueError):
        return 1.0
    return unit if 0 < unit <= 75_000 else 1.0


def frame(page: pikepdf.Dictionary) -> Frame:
    """The page as displayed: its size in points (its /UserUnit applied) and the matrix from points from the
    displayed bottom-left corner to its user space (/Rotate and /UserUnit undone)."""
    x0, y0, x1, y1 = _box(page)
    u = user_unit(page)
    w, h = (x1 - x0) * u, (y1 - y0) * u
    k = 1 / u
    rotate = int(page.get("/Rotate", 0)) % 360
    if rotate == 90:
        return Frame(h, w, (0, k, -k, 0, x1, y0))
    if rotate == 180:
        return Frame(w, h, (-k, 0, 0, -k, x1, y1))
    if rotate == 270:
        return Frame(h, w, (0, -k, k, 0, x0, y1))
    return Frame(w, h, (k, 0, 0, k, x0, y0))


# --- drawing -------------------------------------------------------------------------------------------------

FONT_NAME = "/BKfont"
ALPHA_NAME = "/BKalpha"


def text_op(font: StampFont, text: str, size: float, x: float, y: float, gray: float = 0.0,
            name: str = FONT_NAME) -> str:
    return (f"BT {name} {_num(size)} Tf {_num(gray)} g 1 0 0 1 {_num(x)} {_num(y)} Tm "
            f"<{font.encode(text).hex()}> Tj ET")


def backing_op(x: float, y: float, w: float, h: float) -> str:
    """A white rectangle, so a stamp on a scan is not struck through by the scan's own lines."""
    return f"q 1 g {_num(x)} {_num(y)} {_num(w)} {_num(h)} re f Q"


def image_op(name: str, x: float, y: float, w: float, h: float) -> str:
    return f"q {_num(w)} 0 0 {_num(h)} {_num(x)} {_num(y)} cm {name} Do Q"


def clipped_image_op(
    name: str, x: float, y: float, w: float, h: float, clip: tuple[float, float, float, float]
) -> str:
    cx, cy, cw, ch = clip
    return f"q {_num(cx)} {_num(cy)} {_num(cw)} {_num(ch)} re W n " + image_op(name, x, y, w, h) + " Q"


def watermark_op(font: StampFont, text: str, fr: Frame) -> str:
    size = min(fr.width, fr.height) / max(len(text) * 0.62, 1)
    width = font.width(text, size)
    # rotate 35° about the page centre; cos/sin as fixed numbers keep the stream deterministic
    c, s = Decimal("0.8192"), Decimal("0.5736")
    cx, cy = fr.width / 2, fr.height / 2
    return (f"q {ALPHA_NAME} gs BT {FONT_NAME} {_num(size)} Tf 0.75 0 0 rg {c} {s} {-s} {c} {_num(cx)} {_num(cy)} Tm "
            f"{_num(-width / 2)} {_num(-size * 0.35)} Td <{font.encode(text).hex()}> Tj ET Q")


def stamp_page(
    pdf: pikepdf.Pdf, page: pikepdf.Page, ops: list[str], resources: dict[str, dict[str, pikepdf.Object]]
) -> None:
    """Append ``ops`` (visual coordinates) on top of the page, its own content wrapped in ``q … Q``."""
    if not ops:
        return
    obj = page.obj
    res = obj.Resources
    for kind, entries in resources.items():
        if kind not in res:
            res[kind] = pikepdf.Dictionary()
        for name, value in entries.items():
            res[kind][name] = value
    fr = frame(obj)
    body = f"Q q {fr.cm()} " + " ".join(ops) + " Q"
    page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, body.encode("ascii")), prepend=False)
