"""Pages as pictures with poppler's ``pdftoppm``: where on a scanned copy a seal hides the least.

A copy is stamped where its page is emptiest: each page is rasterised small (grey, a few dots per mm is plenty),
and of the places a seal of the given size can stand (a grid over the page, margins kept), the one with the
least ink wins; ties go to the lower right, where a person would stamp.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

import pikepdf

from bidkit.adapters.pdf import stamp
from bidkit.core.errors import ToolError

MM = stamp.MM

DPI = 12  # 0.47 dots per mm: a 42 mm seal is 20 dots across, enough to tell text from paper
TIMEOUT = 120.0
MARGIN_PT = 18.0


def _pgm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    if len(parts) < 5 or parts[0] != b"P5":
        raise ToolError(f"pdftoppm wrote an unexpected image ({path.name})")
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4][-width * height:]
    return width, height, pixels


def quiet_spots(pdf: Path, seal_pt: float) -> list[tuple[float, float]]:
    """For each page of ``pdf``, the visual centre of the seal-sized square that covers the least ink."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a file qpdf repairs is read all the same; its note comes from opening it
        with pikepdf.open(pdf) as doc:
            frames = []
            units = []
            for page in doc.pages:
                stamp.push_inherited(page.obj)
                fr = stamp.frame(page.obj)
                frames.append((fr.width, fr.height))
                units.append(stamp.user_unit(page.obj))
    binary = shutil.which("pdftoppm")
    if not binary:
        raise ToolError("pdftoppm not found: install poppler (apt-get install poppler-utils)")
    # poppler draws a page in its own units, ignoring /UserUnit: such a page is rendered at a resolution that
    # makes up for it, alone
    runs = [(None, DPI)] if all(u == 1 for u in units) else [(i + 1, DPI * u) for i, u in enumerate(units)]
    with tempfile.TemporaryDirectory(prefix="bidkit-raster-") as tmp:
        for page_no, dpi in runs:
            pages = ["-f", str(page_no), "-l", str(page_no)] if page_no is not None else []
            try:
                proc = subprocess.run([binary, "-gray", "-r", f"{dpi:g}", *pages, str(pdf), f"{tmp}/p"],
                                      capture_output=True, timeout=TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                raise ToolError(f"pdftoppm took longer than {TIMEOUT:g} s reading {pdf.name}") from None
            if proc.returncode != 0:
                raise ToolError(f"pdftoppm could not read {pdf.name}")
        images = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        spots = []
        for (fw, fh), image in zip(frames, images, strict=False):
            spots.append(_quietest(*_pgm(image), fw, fh, seal_pt))
        return spots


def _quietest(width: int, height: int, pixels: bytes, fw: float, fh: float, seal_pt: float
              ) -> tuple[float, float]:
    """The least inked square of side ``seal_pt`` (points) on a ``width`` × ``height`` grey raster of a page
    ``fw`` × ``fh`` points, as its centre in points from the bottom left."""
    import numpy as np

    sx, sy = width / fw, height / fh
    box_w, box_h = max(1, round(seal_pt * sx)), max(1, round(seal_pt * sy))
    mx, my = max(0, round(MARGIN_PT * sx)), max(0, round(MARGIN_PT * sy))
    if width - 2 * mx < box_w or height - 2 * my < box_h:
        return fw / 2, fh / 2  # a page smaller than the seal: its middle
    ink = 255 - np.frombuffer(pixels, dtype=np.uint8).reshape(height, width).astype(np.int64)
    table = np.zeros((height + 1, width + 1), dtype=np.int64)  # summed-area table: any box in four lookups
    table[1:, 1:] = ink.cumsum(0).cumsum(1)
    tops = np.arange(my, height - box_h - my + 1)
    lefts = np.arange(mx, width - box_w - mx + 1)
    t, lft = np.meshgrid(tops, lefts, indexing="ij")
    total = table[t + box_h, lft + box_w] - table[t, lft + box_w] - table[t + box_h, lft] + table[t, lft]
    # a tie goes to the lower right, where a person stamps
    bias = (height - (t + box_h)) + (width - (lft + box_w))
    score = total * 8 + bias
    row, col = np.unravel_index(int(np.argmin(score)), score.shape)
    top, left = int(tops[row]), int(lefts[col])
    return (left + box_w / 2) / sx, fh - (top + box_h / 2) / sy
