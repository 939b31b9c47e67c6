"""Cut a PDF of joined documents back into one PDF per document, at the named destinations that start them
(see :mod:`bidkit.adapters.render.join`)."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pikepdf


def _page_of(dest: object, pages: dict[Any, int]) -> int | None:
    if isinstance(dest, pikepdf.Dictionary) and "/D" in dest:
        dest = dest.D
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return pages.get(dest[0].objgen)
    return None


def _destinations(pdf: pikepdf.Pdf) -> dict[str, object]:
    """Named destinations: the catalog's /Dests dictionary and the /Names tree's /Dests (flat or with kids)."""
    found: dict[str, object] = {}
    dests = pdf.Root.get("/Dests")
    if isinstance(dests, pikepdf.Dictionary):
        found.update({str(k).lstrip("/"): v for k, v in dests.items()})
    names = pdf.Root.get("/Names")
    tree = names.get("/Dests") if isinstance(names, pikepdf.Dictionary) else None
    if isinstance(tree, pikepdf.Dictionary):
        for key, value in pikepdf.NameTree(tree).items():
            found[str(key)] = value
    return found


def split_at(pdf_path: Path, marks: Sequence[str], outputs: Sequence[Path]) -> bool:
    """Write pages [start of mark i, start of mark i+1) to ``outputs[i]``; False (nothing written) when a mark
    is missing, the first is not on the first page or they are not on increasing pages."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pdf = pikepdf.open(pdf_path)
    except pikepdf.PdfError:
        return False
    with pdf:
        pages = {p.objgen: i for i, p in enumerate(pdf.pages)}
        dests = _destinations(pdf)
        starts = [_page_of(dests.get(m), pages) for m in marks]
        if any(s is None for s in starts):
            return False
        bounds = [s for s in starts if s is not None] + [len(pdf.pages)]
        if bounds[0] != 0 or any(b >= c for b, c in itertools.pairwise(bounds)):
            return False
        for i, out in enumerate(outputs):
            with pikepdf.new() as part:
                part.pages.extend(pdf.pages[bounds[i]:bounds[i + 1]])
                part.save(out)
    return True
