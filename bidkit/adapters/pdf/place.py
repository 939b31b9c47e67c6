"""Where a seal goes on a page, as a person would stamp it (plain geometry in the page's visual frame, points).

A seal stands at its anchor, moved as little as it must so that it covers no text outside the signature block,
no other seal, and neither the running header nor the page number: the company seal over the company name,
the legal representative's seal beside it at its own anchor, never on top of each other. Sizes are the seals'
real sizes; a seal is never scaled to fit.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bidkit.adapters.pdf.text import Hit, PageText, Word

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# a line that belongs to a signature block (below or beside a seal anchor)
_SIGNATURE_LINE = re.compile(r"^(投标人|供应商|法定代表人|授权代表|被授权人|委托代理人|代理人|日期|日　期|签字|单位"
                             r"|\(盖|（盖)")


def warm() -> None:
    """Import numpy now (0.05-0.1 s), for a caller with time to spare before it places seals (assemble, while
    LibreOffice converts: composing comes after the last conversion, on the critical path)."""
    import numpy  # noqa: F401


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def intersects(self, other: Box, gap: float = 0.0) -> bool:
        return not (self.x1 + gap <= other.x0 or other.x1 + gap <= self.x0
                    or self.y1 + gap <= other.y0 or other.y1 + gap <= self.y0)


@dataclass(frozen=True)
class Shape:
    """A placed seal: a circle (round company seal) or a rectangle (a square personal seal, a signature)."""

    cx: float
    cy: float
    w: float
    h: float
    round: bool

    @property
    def box(self) -> Box:
        return Box(self.cx - self.w / 2, self.cy - self.h / 2, self.cx + self.w / 2, self.cy + self.h / 2)


@dataclass(frozen=True)
class Band:
    """Where on a page a seal may stand: inside the page, below the running header, above the page number."""

    width: float
    height: float
    bottom: float
    top: float

    def fits(self, s: Shape) -> bool:
        b = s.box
        return b.x0 >= 1 and b.x1 <= self.width - 1 and b.y0 >= self.bottom and b.y1 <= self.top

    def clamp(self, s: Shape) -> Shape:
        cx = min(max(s.cx, s.w / 2 + 1), max(self.width - s.w / 2 - 1, s.w / 2 + 1))
        lo, hi = self.bottom + s.h / 2, self.top - s.h / 2
        cy = min(max(s.cy, lo), hi) if lo <= hi else (self.bottom + self.top) / 2
        return Shape(cx, cy, s.w, s.h, s.round)


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into lines by their vertical centre, top to bottom."""
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: -(w.y0 + w.y1) / 2):
        mid = (w.y0 + w.y1) / 2
        if lines and abs((lines[-1][0].y0 + lines[-1][0].y1) / 2 - mid) < 4:
            lines[-1].append(w)
        else:
            lines.append([w])
    return lines


def protected(page: PageText, anchors: Iterable[Hit]) -> list[Box]:
    """The words a seal must not cover: all but those of the signature block(s) around the anchors."""
    ys = [h.y for h in anchors]
    if not ys:
        return [Box(w.x0, w.y0, w.x1, w.y1) for w in page.words]
    lines = _lines(page.words)
    free: set[int] = set()
    for i, line in enumerate(lines):
        mid = (line[0].y0 + line[0].y1) / 2
        if any(abs(mid - y) < 6 for y in ys):
            free.add(i)
            for j in range(i + 1, min(i + 4, len(lines))):  # the lines under it that belong to the block
                text = "".join(w.text for w in sorted(lines[j], key=lambda w: w.x0))
                if _SIGNATURE_LINE.match(text):
                    free.add(j)
                else:
                    break
    return [Box(w.x0, w.y0, w.x1, w.y1) for i, line in enumerate(lines) if i not in free for w in line]


def place(start: Shape, band: Band, boxes: Sequence[Box], others: Sequence[Shape], *,
          reach_x: float, reach_down: float, reach_up: float, step: float = 3.0) -> Shape:
    """The position nearest ``start`` (clamped into ``band``) where the seal covers none of ``boxes`` and no
    seal of ``others``; failing that, the one covering least, nearest first.

    A round seal covers a box when the box comes nearer its centre than its radius, a rectangle when they
    intersect; another seal counts when they come within 2 pt. Every position of the grid is weighed at once
    (numpy; each box's area added in the boxes' order, as a loop would): a personal seal beside the company seal
    tries about a thousand positions (tests/test_place.py holds the plain loop it must agree with)."""
    import numpy as np  # (imported when a seal is placed: not on every command's start)

    origin = band.clamp(start)
    near = Box(origin.cx - start.w / 2 - reach_x, origin.cy - start.h / 2 - reach_down,
               origin.cx + start.w / 2 + reach_x, origin.cy + start.h / 2 + reach_up)
    boxes = [b for b in boxes if b.intersects(near)]
    moves = _moves(int(reach_x // step), int(reach_down // step), int(reach_up // step), step)
    distance, dx, dy = moves.T
    cx, cy = origin.cx + dx, origin.cy + dy
    x0, x1, y0, y1 = cx - start.w / 2, cx + start.w / 2, cy - start.h / 2, cy + start.h / 2
    fits = (x0 >= 1) & (x1 <= band.width - 1) & (y0 >= band.bottom) & (y1 <= band.top)
    cost = np.zeros(len(distance))
    for b in boxes:
        if start.round:
            r = min(start.w, start.h) / 2
            ex = np.maximum(np.maximum(b.x0 - cx, 0.0), cx - b.x1)
            ey = np.maximum(np.maximum(b.y0 - cy, 0.0), cy - b.y1)
            hit = ex * ex + ey * ey < r * r
        else:
            hit = ~((x1 <= b.x0) | (b.x1 <= x0) | (y1 <= b.y0) | (b.y1 <= y0))
        cost = np.where(hit, cost + (b.x1 - b.x0) * (b.y1 - b.y0), cost)
    for o in others:
        gap = 2.0
        if start.round and o.round:
            hit = np.hypot(cx - o.cx, cy - o.cy) < (start.w + o.w) / 2 + gap
        elif start.round or o.round:  # a circle against a rectangle
            c, rect = ((cx, cy), (o.box.x0, o.box.y0, o.box.x1, o.box.y1)) if start.round else \
                ((o.cx, o.cy), (x0, y0, x1, y1))
            r = min(*((start.w, start.h) if start.round else (o.w, o.h))) / 2 + gap
            ex = np.maximum(np.maximum(rect[0] - c[0], 0.0), c[0] - rect[2])
            ey = np.maximum(np.maximum(rect[1] - c[1], 0.0), c[1] - rect[3])
            hit = ex * ex + ey * ey < r * r
        else:
            ob = o.box
            hit = ~((x1 + gap <= ob.x0) | (ob.x1 + gap <= x0) | (y1 + gap <= ob.y0) | (ob.y1 + gap <= y0))
        cost = np.where(hit, cost + 1e6, cost)
    free = np.flatnonzero(fits & (cost == 0))
    if free.size:
        i = int(free[0])
    else:
        valid = np.flatnonzero(fits)
        if not valid.size:
            return origin
        i = int(valid[np.lexsort((distance[valid], cost[valid]))[0]])  # least cost, then nearest, then first
    return Shape(float(cx[i]), float(cy[i]), start.w, start.h, start.round)


@functools.lru_cache(maxsize=64)
def _moves(nx: int, nd: int, nu: int, step: float) -> npt.NDArray[np.float64]:
    """Every move on the grid as rows (distance, dx, dy), nearest first (moving up costs more than down,
    sideways a little more): the same few grids serve every seal of a book."""
    import numpy as np

    moves = []
    for iy in range(-nd, nu + 1):
        for ix in range(-nx, nx + 1):
            dx, dy = ix * step, iy * step
            moves.append((abs(dy) * (1.0 if dy <= 0 else 1.6) + abs(dx) * 1.3, dx, dy))
    moves.sort()
    grid = np.array(moves, dtype=np.float64)
    grid.flags.writeable = False
    return grid


_NOTE_LINE = re.compile(r"^(注|说明|备注)\s*[:：]")


def body_lines(page: PageText, top: float = 60.0, bottom: float = 40.0) -> list[str]:
    """The text lines of a page between its running header and its page number, top to bottom."""
    words = [w for w in page.words if w.y0 >= bottom and w.y1 <= page.height - top]
    return ["".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in _lines(words)]


def signature_alone(page: PageText, anchors: Sequence[str], *, notes: bool = True) -> bool:
    """Does the page hold nothing but a signature block (with ``notes``: and a note such as 注：… before it)?"""
    lines = body_lines(page)
    if not lines or not any(a in line for line in lines for a in anchors):
        return False
    for line in lines:
        if any(a in line for a in anchors) or _SIGNATURE_LINE.match(line):
            continue
        if notes and _NOTE_LINE.match(line):
            continue
        return False
    return True
