"""Seal placement: the grid search (numpy, every position at once) agrees with the plain loop it replaced."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bidkit.adapters.pdf.place import Band, Box, Shape, place


def _hits_box(s: Shape, b: Box, gap: float = 0.0) -> bool:
    if not s.round:
        return s.box.intersects(b, gap)
    r = min(s.w, s.h) / 2 + gap
    dx = max(b.x0 - s.cx, 0.0, s.cx - b.x1)
    dy = max(b.y0 - s.cy, 0.0, s.cy - b.y1)
    return dx * dx + dy * dy < r * r


def _hits(s: Shape, other: Shape, gap: float = 2.0) -> bool:
    if s.round and other.round:
        return math.hypot(s.cx - other.cx, s.cy - other.cy) < (s.w + other.w) / 2 + gap
    if s.round:
        return _hits_box(s, other.box, gap)
    return _hits_box(other, s.box, gap)


def reference(start: Shape, band: Band, boxes: list[Box], others: list[Shape], *, reach_x: float,
              reach_down: float, reach_up: float, step: float = 3.0) -> Shape:
    """The loop bidkit used before: nearest first, the first position covering nothing, else the least cost."""
    origin = band.clamp(start)
    near = Box(origin.cx - start.w / 2 - reach_x, origin.cy - start.h / 2 - reach_down,
               origin.cx + start.w / 2 + reach_x, origin.cy + start.h / 2 + reach_up)
    boxes = [b for b in boxes if b.intersects(near)]
    moves = []
    nx, nd, nu = int(reach_x // step), int(reach_down // step), int(reach_up // step)
    for iy in range(-nd, nu + 1):
        for ix in range(-nx, nx + 1):
            dx, dy = ix * step, iy * step
            moves.append((abs(dy) * (1.0 if dy <= 0 else 1.6) + abs(dx) * 1.3, dx, dy))
    moves.sort()
    best: tuple[float, float, Shape] | None = None
    for distance, dx, dy in moves:
        s = Shape(origin.cx + dx, origin.cy + dy, start.w, start.h, start.round)
        if not band.fits(s):
            continue
        cost = sum((b.x1 - b.x0) * (b.y1 - b.y0) for b in boxes if _hits_box(s, b)) + \
            sum(1e6 for o in others if _hits(s, o))
        if cost == 0:
            return s
        if best is None or (cost, distance) < (best[0], best[1]):
            best = (cost, distance, s)
    return best[2] if best is not None else origin


coord = st.floats(0, 600, allow_nan=False)
size = st.floats(4, 80, allow_nan=False)


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    x, y, w, h = draw(coord), draw(coord), draw(size), draw(st.floats(4, 14))
    return Box(x, y, x + w, y + h)


shapes = st.builds(Shape, coord, coord, size, size, st.booleans())


@settings(max_examples=100, deadline=None)
@given(start=shapes, words=st.lists(boxes(), max_size=40), others=st.lists(shapes, max_size=2),
       reach=st.tuples(st.floats(0, 150), st.floats(0, 90), st.floats(0, 40)))
def test_the_grid_search_agrees_with_the_plain_loop(start: Shape, words: list[Box], others: list[Shape],
                                                     reach: tuple[float, float, float]) -> None:
    band = Band(595.0, 842.0, 40.0, 780.0)
    rx, rd, ru = reach
    assert place(start, band, words, others, reach_x=rx, reach_down=rd, reach_up=ru) == \
        reference(start, band, words, others, reach_x=rx, reach_down=rd, reach_up=ru)


@st.composite
def signature_pages(draw: st.DrawFn) -> tuple[Shape, list[Box], list[Shape]]:
    """A page of text lines (a form's body and its signature block) with the seal's anchor among them and,
    sometimes, the company seal already placed nearby: the seal has to look far for a free place."""
    lines = draw(st.integers(3, 30))
    top = draw(st.floats(300, 760))
    words = []
    for i in range(lines):
        y = top - i * draw(st.sampled_from([14.0, 16.0, 21.0]))
        x = draw(st.floats(60, 200))
        while x < 540:
            w = draw(st.floats(8, 120))
            words.append(Box(x, y, x + w, y + 11))
            x += w + draw(st.floats(2, 30))
            if not draw(st.integers(0, 9)):
                break
    anchor = draw(st.sampled_from(words))
    seal = Shape(anchor.x1, (anchor.y0 + anchor.y1) / 2, draw(st.sampled_from([42 * 2.835, 60.0, 30.0])),
                 draw(st.sampled_from([42 * 2.835, 60.0, 30.0])), draw(st.booleans()))
    others = draw(st.lists(st.builds(Shape, st.floats(anchor.x0 - 80, anchor.x1 + 80), st.floats(
        anchor.y0 - 60, anchor.y1 + 60), st.just(119.0), st.just(119.0), st.just(True)), max_size=1))
    return seal, words, others


@settings(max_examples=60, deadline=None)
@given(page=signature_pages(), wide=st.booleans())
def test_on_a_crowded_page_the_grid_search_agrees_with_the_plain_loop(
        page: tuple[Shape, list[Box], list[Shape]], wide: bool) -> None:
    seal, words, others = page
    band = Band(595.0, 842.0, 40.0, 780.0)
    reach = dict(reach_x=297.5, reach_down=seal.h, reach_up=seal.h * 0.3) if wide else \
        dict(reach_x=seal.w * 0.5, reach_down=seal.w * 0.6, reach_up=seal.w * 0.2)
    assert place(seal, band, words, others, **reach) == reference(seal, band, words, others, **reach)


def test_a_seal_moves_off_the_text_to_the_nearest_free_place() -> None:
    band = Band(595.0, 842.0, 40.0, 780.0)
    text = [Box(100, 300, 300, 312)]  # a line of text under the anchor
    got = place(Shape(200, 306, 40, 40, True), band, text, [], reach_x=20, reach_down=60, reach_up=10)
    assert got.cy < 306 and not any(got.box.intersects(b) for b in text) and got.cx == 200
    assert got == reference(Shape(200, 306, 40, 40, True), band, text, [], reach_x=20, reach_down=60, reach_up=10)
