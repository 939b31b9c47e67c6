"""Bar charts over dates (横道图), drawn with Pillow at the size they print.

A chart is data (:class:`BarChart`: rows, bars from a start day to an end day, a marked day, a legend);
:func:`plan` lays it out into boxes, lines and texts in pixels at :data:`DPI`, and :func:`draw` paints that plan
into a PNG. Bars and grid lines are axis-aligned, so nothing needs more than Pillow: it imports in a few
milliseconds where matplotlib takes about a second, and this chart is drawn on the way to LibreOffice in every
cold assembly (the 施工组织设计's 横道图). Labels use Noto Sans CJK SC; a character the font lacks is refused
rather than printed as an empty box.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bidkit.adapters.render.layout import FONT_DIRS
from bidkit.core.errors import ToolError

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

FONT_FILE = "NotoSansCJK-Regular.ttc"
FONT_FACE = "Noto Sans CJK SC"
DPI = 200
PX_PER_PT = DPI / 72
DATE_FORMAT = "%Y-%m-%d"
AXIS_COLOUR = "#333333"
GRID_COLOUR = "#E0E0E0"
MARKER_COLOUR = "#555555"
EMPTY_DAY = dt.date(2000, 1, 3)  # the axis of a chart without bars (not today: the same chart, the same bytes)


@dataclasses.dataclass(frozen=True)
class Bar:
    """A bar in row ``row`` (0 is the top row) over the days ``start`` to ``end`` (both included); ``offset`` and
    ``height`` are in rows (offset > 0 lowers the bar); ``label`` is printed after its end."""
    row: int
    start: dt.date
    end: dt.date
    colour: str
    offset: float = 0.0
    height: float = 0.55
    edge: str | None = None
    label: str | None = None


@dataclasses.dataclass(frozen=True)
class BarChart:
    title: str
    rows: tuple[str, ...]
    bars: tuple[Bar, ...]
    width_cm: float
    row_cm: float
    label_pt: float
    title_pt: float
    marker: tuple[dt.date, str] | None = None  # a dashed line on that day, labelled above the plot
    legend: tuple[tuple[str, str], ...] = ()  # (colour, name)
    max_ticks: int = 8


@dataclasses.dataclass(frozen=True)
class Text:
    text: str
    pt: float
    x: float
    y: float
    anchor: str  # Pillow's text anchor, e.g. "mm": centred both ways


@dataclasses.dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float
    fill: str
    edge: str | None = None


@dataclasses.dataclass(frozen=True)
class Line:
    x0: float
    y0: float
    x1: float
    y1: float
    colour: str
    width_pt: float
    dashed: bool = False
    behind: bool = False  # drawn before the bars (the grid)


@dataclasses.dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    boxes: tuple[Box, ...]
    lines: tuple[Line, ...]
    texts: tuple[Text, ...]
    ticks: tuple[dt.date, ...]


def _px(cm: float) -> float:
    return cm / 2.54 * DPI


@cache
def font_path() -> Path:
    for d in FONT_DIRS:
        if (d / FONT_FILE).exists():
            return d / FONT_FILE
    raise ToolError(f"CJK font {FONT_FILE} not found in {', '.join(map(str, FONT_DIRS))} (install fonts-noto-cjk)")


@cache
def _font(pt: float) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    path = font_path()
    for index in range(8):
        try:
            font = ImageFont.truetype(str(path), pt * PX_PER_PT, index=index)
        except OSError:
            break
        if font.getname()[0] == FONT_FACE:
            return font
    raise ToolError(f"{path}: has no face {FONT_FACE}")


def text_width(text: str, pt: float) -> float:
    return float(_font(pt).getlength(text))


def _ticks(lo: dt.date, hi: dt.date, most: int) -> tuple[dt.date, ...]:
    """Days between ``lo`` and ``hi`` to label: every 1, 2, 3, 7 or 14 days, or the first of every 1, 2, 3, 6
    or 12 months, whichever is the finest giving at most ``most`` labels."""
    def by_days(step: int) -> list[dt.date]:
        first = lo + dt.timedelta(days=(-lo.toordinal()) % step) if step < 7 else \
            lo + dt.timedelta(days=(-lo.weekday()) % 7)  # weeks start on Monday
        return [first + dt.timedelta(days=i) for i in range(0, (hi - first).days + 1, step)]

    def by_months(step: int) -> list[dt.date]:
        out: list[dt.date] = []
        m = lo.year * 12 + lo.month - 1 + (lo.day > 1)
        while True:
            day = dt.date(m // 12, m % 12 + 1, 1)
            if day > hi:
                return out
            if (m % 12) % step == 0:
                out.append(day)
            m += 1

    candidates = [by_days(s) for s in (1, 2, 3, 7, 14)] + [by_months(s) for s in (1, 2, 3, 6, 12)]
    for ticks in candidates:
        if 2 <= len(ticks) <= most:
            return tuple(ticks)
    return tuple(candidates[-1]) or (lo, hi)  # longer than the yearly labels allow: one a year all the same


def plan(chart: BarChart) -> Drawing:
    """Where every box, line and text of the chart goes, in pixels at :data:`DPI`."""
    lpt, tpt = chart.label_pt, chart.title_pt
    line_px = lpt * PX_PER_PT * 1.45
    width = round(_px(chart.width_cm))
    margin = _px(0.25)
    top = margin + tpt * PX_PER_PT * 1.6 + (line_px if chart.marker else 0)
    left = margin + max((text_width(r, lpt) for r in chart.rows), default=0) + _px(0.25)
    right = width - margin
    row_px = _px(chart.row_cm)
    bottom = top + row_px * (len(chart.rows) + 0.4)

    days = [d for b in chart.bars for d in (b.start, b.end)] + ([chart.marker[0]] if chart.marker else [])
    first, last = (min(days), max(days)) if days else (EMPTY_DAY, EMPTY_DAY)
    span = (last - first).days + 1
    lo = first - dt.timedelta(days=2)
    hi = last + dt.timedelta(days=math.ceil(span * 0.12) + 4)  # room for the labels after the bars

    def x(day: dt.date, end: bool = False) -> float:
        return left + ((day - lo).days + (1 if end else 0)) / (hi - lo).days * (right - left)

    def y(row: float) -> float:
        return top + row_px * (row + 0.7)

    boxes: list[Box] = []
    lines: list[Line] = []
    texts = [Text(chart.title, tpt, (left + right) / 2, margin, "mt")]
    date_px = text_width(dt.date(2000, 12, 31).strftime(DATE_FORMAT), lpt)
    ticks = tuple(t for t in _ticks(lo, hi, max(2, min(chart.max_ticks, int((right - left) // (date_px * 1.2)))))
                  if x(t) + date_px / 2 <= width)  # a label cut by the edge is no label
    for t in ticks:
        lines.append(Line(x(t), top, x(t), bottom, GRID_COLOUR, 0.6, behind=True))
        lines.append(Line(x(t), bottom, x(t), bottom + _px(0.1), AXIS_COLOUR, 0.8))
        texts.append(Text(t.strftime(DATE_FORMAT), lpt, x(t), bottom + _px(0.15), "mt"))
    for i, name in enumerate(chart.rows):
        lines.append(Line(left - _px(0.1), y(i), left, y(i), AXIS_COLOUR, 0.8))
        texts.append(Text(name, lpt, left - _px(0.15), y(i), "rm"))
    for b in chart.bars:
        mid = y(b.row + b.offset)
        half = row_px * b.height / 2
        boxes.append(Box(x(b.start), mid - half, max(x(b.end, end=True), x(b.start) + 2), mid + half, b.colour,
                         b.edge))
        if b.label:
            texts.append(Text(b.label, lpt, x(b.end, end=True) + _px(0.12), mid, "lm"))
    if chart.marker:
        day, label = chart.marker
        lines.append(Line(x(day), top, x(day), bottom, MARKER_COLOUR, 1.0, dashed=True))
        texts.append(Text(label, lpt, x(day), top - _px(0.08), "md"))
    for x0, y0, x1, y1 in ((left, top, right, top), (left, bottom, right, bottom), (left, top, left, bottom),
                           (right, top, right, bottom)):
        lines.append(Line(x0, y0, x1, y1, AXIS_COLOUR, 0.8))
    height = bottom + _px(0.15) + line_px
    if chart.legend:
        swatch, gap = lpt * PX_PER_PT, _px(0.5)
        items = [(colour, name, swatch * 1.4 + text_width(name, lpt)) for colour, name in chart.legend]
        cursor = (width - (sum(w for *_, w in items) + gap * (len(items) - 1))) / 2
        mid = height + _px(0.2) + line_px / 2
        for colour, name, w in items:
            boxes.append(Box(cursor, mid - swatch / 2, cursor + swatch, mid + swatch / 2, colour))
            texts.append(Text(name, lpt, cursor + swatch * 1.4, mid, "lm"))
            cursor += w + gap
        height = mid + line_px / 2
    return Drawing(width, round(height + margin), tuple(boxes), tuple(lines), tuple(texts), ticks)


def _check_glyphs(texts: Sequence[Text]) -> None:
    """Refuses a character the font has no glyph for (it would print as an empty box)."""
    for t in texts:
        font = _font(t.pt)
        missing = bytes(font.getmask("\U0010fffd"))
        for ch in set(t.text) - {" "}:
            if bytes(font.getmask(ch)) == missing:
                raise ToolError(f"chart text {t.text!r}: {FONT_FACE} has no glyph for {ch!r} (U+{ord(ch):04X})")


def _line(pen: ImageDraw.ImageDraw, ln: Line) -> None:
    w = max(1, round(ln.width_pt * PX_PER_PT))
    if not ln.dashed:
        pen.line((ln.x0, ln.y0, ln.x1, ln.y1), fill=ln.colour, width=w)
        return
    length = math.hypot(ln.x1 - ln.x0, ln.y1 - ln.y0)
    dash = 4 * PX_PER_PT
    for i in range(int(length // (2 * dash)) + 1):
        a, b = 2 * i * dash / length, min(1.0, (2 * i + 1) * dash / length)
        pen.line((ln.x0 + (ln.x1 - ln.x0) * a, ln.y0 + (ln.y1 - ln.y0) * a,
                  ln.x0 + (ln.x1 - ln.x0) * b, ln.y0 + (ln.y1 - ln.y0) * b), fill=ln.colour, width=w)


def draw(chart: BarChart) -> bytes:
    """The chart as PNG bytes (the same bytes for the same chart: no time stamp in the file)."""
    from PIL import Image, ImageDraw

    d = plan(chart)
    _check_glyphs(d.texts)
    image = Image.new("RGB", (d.width, d.height), "white")
    pen = ImageDraw.Draw(image)
    for ln in d.lines:
        if ln.behind:
            _line(pen, ln)
    for bx in d.boxes:
        pen.rectangle((bx.x0, bx.y0, bx.x1, bx.y1), fill=bx.fill, outline=bx.edge,
                      width=max(1, round(0.6 * PX_PER_PT)) if bx.edge else 0)
    for ln in d.lines:
        if not ln.behind:
            _line(pen, ln)
    for t in d.texts:
        pen.text((t.x, t.y), t.text, fill="black", font=_font(t.pt), anchor=t.anchor)
    buf = io.BytesIO()
    image.save(buf, format="PNG", dpi=(DPI, DPI))
    return buf.getvalue()
