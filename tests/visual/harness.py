"""Visual regression of printed pages: a page rendered with pdftoppm is compared with its golden PNG.

- **Rendering**: ``pdftoppm -gray -r 50`` of one page (golden pages stay small: a few kB each).
- **Metric**: the share of pixels whose grey level differs from the golden one by more than ``GREY_LEVELS``
  (anti-aliasing and a font hinting change stay below it); a page passes at ``THRESHOLD`` (0.5 %) or less. A page
  of another size fails outright.
- **Versions**: the golden pages were drawn by one LibreOffice, one poppler, one set of fonts and one Pillow:
  ``versions.json`` beside them records which. When this machine's differ, the comparison fails and says what
  changed; ``pytest --update-visual`` regenerates every golden page on purpose (never silently) and records the
  new versions. Review the new pages (and the diff in git) before committing them.
- **Evidence**: a failing page, its golden page and their difference (changed pixels in black) are kept under
  ``build/visual-failures/`` (the run's own folder, git-ignored).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import Image, ImageChops

GOLDEN = Path(__file__).resolve().parent / "golden"
VERSIONS = GOLDEN / "versions.json"
FAILURES = Path(__file__).resolve().parents[2] / "build" / "visual-failures"
DPI = 50
GREY_LEVELS = 48  # a pixel counts as changed when its grey differs by more than this (of 255)
THRESHOLD = 0.005  # at most 0.5 % of a page's pixels may change
UPDATE = {"on": False}  # pytest --update-visual
FONT_FILES = ("NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc", "NotoSansCJK-Regular.ttc",
              "NotoSansCJK-Bold.ttc")
FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))


def _run(*args: str) -> str:
    try:
        proc = subprocess.run(list(args), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (proc.stdout or proc.stderr).strip()


def _package_version(name: str) -> str | None:
    if not shutil.which("dpkg-query"):
        return None
    out = _run("dpkg-query", "-W", "-f", "${Version}", name)
    return out or None


@cache
def versions() -> dict[str, object]:
    """What draws the pages on this machine: LibreOffice, poppler, the CJK fonts (file versions), Pillow (the
    横道图)."""
    import PIL

    soffice = shutil.which("soffice") or "soffice"
    lo = _run(soffice, "--version").splitlines()
    poppler = _run("pdftoppm", "-v").splitlines()
    fonts: dict[str, str] = {}
    for name in FONT_FILES:
        path = next((d / name for d in FONT_DIRS if (d / name).exists()), None)
        fonts[name] = _run("fc-query", "-i", "0", "-f", "%{fontversion}", str(path)) if path else "missing"
    return {
        "libreoffice": re.sub(r"\s+", " ", lo[0]) if lo else "missing",
        "poppler": poppler[0] if poppler else "missing",
        "fonts-noto-cjk": _package_version("fonts-noto-cjk") or "unknown",
        "fonts": fonts,
        "pillow": PIL.__version__,
        "dpi": DPI,
    }


def recorded() -> dict[str, object] | None:
    return json.loads(VERSIONS.read_text(encoding="utf-8")) if VERSIONS.exists() else None


def record() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    VERSIONS.write_text(json.dumps(versions(), ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")


def version_change() -> str | None:
    """What differs between this machine's renderers and the goldens' (None when nothing does)."""
    old = recorded()
    if old is None:
        return "no versions.json beside the golden pages"
    new = versions()
    changed = [f"{k}: {old.get(k)!r} → {new.get(k)!r}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    return "; ".join(changed) or None


def render(pdf: Path, page: int, dpi: int = DPI, *, gray: bool = True) -> Image.Image:
    """Page ``page`` (1-based) of ``pdf`` as pdftoppm draws it."""
    with tempfile.TemporaryDirectory(prefix="bidkit-visual-") as tmp:
        args = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png"]
        if gray:
            args.append("-gray")
        subprocess.run([*args, str(pdf), f"{tmp}/p"], check=True, capture_output=True, timeout=120)
        [png] = list(Path(tmp).glob("p-*.png"))
        with Image.open(png) as im:
            return im.convert("L" if gray else "RGB")


@dataclass
class Outcome:
    name: str
    changed: float  # share of pixels changed (1.0 for a page of another size)
    kept: Path | None = None  # where the evidence is, on failure

    @property
    def ok(self) -> bool:
        return self.changed <= THRESHOLD


def difference(actual: Image.Image, golden: Image.Image) -> tuple[float, Image.Image | None]:
    """The share of changed pixels and a picture of them (black on white), or (1.0, None) for another size."""
    if actual.size != golden.size:
        return 1.0, None
    diff = ImageChops.difference(actual.convert("L"), golden.convert("L"))
    mask = diff.point(lambda v: 255 if v > GREY_LEVELS else 0)
    changed = mask.histogram()[255] / (actual.size[0] * actual.size[1])
    return changed, mask.point(lambda v: 0 if v else 255)


def compare(name: str, actual: Image.Image) -> Outcome:
    """Compare ``actual`` with ``golden/NAME.png`` (writing it with --update-visual), keeping the evidence of a
    failure."""
    path = GOLDEN / f"{name}.png"
    if UPDATE["on"]:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        actual.save(path, optimize=True)
        return Outcome(name, 0.0)
    if not path.exists():
        keep = _keep(name, actual, None, None)
        return Outcome(name, 1.0, keep)
    with Image.open(path) as im:
        golden = im.convert("L")
    changed, picture = difference(actual, golden)
    if changed <= THRESHOLD:
        return Outcome(name, changed)
    return Outcome(name, changed, _keep(name, actual, golden, picture))


def _keep(name: str, actual: Image.Image, golden: Image.Image | None, diff: Image.Image | None) -> Path:
    FAILURES.mkdir(parents=True, exist_ok=True)
    actual.save(FAILURES / f"{name}.actual.png")
    if golden is not None:
        golden.save(FAILURES / f"{name}.golden.png")
    if diff is not None:
        diff.save(FAILURES / f"{name}.diff.png")
    return FAILURES
