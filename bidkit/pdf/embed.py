"""The manifest inside the package, and digests of a package's pages.

Interface::

    page_digests(pdf: pikepdf.Pdf, ranges: {name: (first, last)}) -> {name: sha256 hex}
    add_manifest(writer: IncrementalPdfFileWriter, blob: bytes) -> None   # in the revision being written
    read_manifest(pdf: pikepdf.Pdf) -> bytes | None                       # the embedded bidkit-manifest.json

The manifest is embedded by pyHanko in the same incremental revision as the signature, not by a pikepdf
rewrite: the composed file's bytes stay as they are, so the page digests taken from it are those a verifier
recomputes, and the package is written once more instead of twice.

A page digest covers everything the page shows: its dictionary (less ``/Parent`` and ``/Annots``, which the
signature widget changes) and every object reachable from it — content streams, fonts, images, form XObjects —
by their raw stream bytes and their object numbers. Object numbers are stable under incremental updates, so a
digest taken before signing still holds afterwards; any rewrite of the file breaks the signature anyway.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pikepdf
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

MANIFEST_NAME = "bidkit-manifest.json"
_SKIP_PAGE_KEYS = frozenset({"/Parent", "/Annots"})
_NO_DESCENT_TYPES = frozenset({"/Page", "/Pages", "/Catalog"})


def page_digests(pdf: pikepdf.Pdf, ranges: dict[str, tuple[int, int]]) -> dict[str, str]:
    """SHA-256 of each range's pages (1-based, inclusive) as they are in ``pdf``."""
    pages = pdf.pages
    out: dict[str, str] = {}
    for name, (first, last) in ranges.items():
        h = hashlib.sha256()
        seen: set[tuple[int, int]] = set()
        for index in range(first - 1, last):
            _page(pages[index].obj, h, seen)
        out[name] = h.hexdigest()
    return out


def _page(page: pikepdf.Dictionary, h: Any, seen: set[tuple[int, int]]) -> None:
    h.update(b"\x00page")
    stack: list[pikepdf.Object] = []
    for key in sorted(page.keys()):
        if key in _SKIP_PAGE_KEYS:
            continue
        h.update(key.encode("latin-1"))
        _value(page[key], h, stack)
    while stack:
        obj = stack.pop()
        og = obj.objgen
        if og in seen:
            continue
        seen.add(og)
        h.update(b"\x00obj %d %d" % og)
        if isinstance(obj, pikepdf.Stream):
            _value(obj.stream_dict, h, stack, top=True)
            raw = obj.read_raw_bytes()
            h.update(b"\x00stream %d\x00" % len(raw))
            h.update(raw)
        elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") in _NO_DESCENT_TYPES:
            continue  # a link to another page or the catalog is a reference, not content of this page
        else:
            _value(obj, h, stack, top=True)


def _value(value: Any, h: Any, stack: list[pikepdf.Object], top: bool = False) -> None:
    """Feed a value's syntax into ``h``; queue the indirect objects it refers to."""
    if isinstance(value, pikepdf.Object) and value.is_indirect and not top:
        h.update(b"\x00ref %d %d" % value.objgen)
        stack.append(value)
        return
    if isinstance(value, pikepdf.Dictionary):
        h.update(b"<<")
        for key in sorted(value.keys()):
            h.update(key.encode("latin-1"))
            _value(value[key], h, stack)
        h.update(b">>")
    elif isinstance(value, pikepdf.Array):
        h.update(b"[")
        for item in value:
            _value(item, h, stack)
        h.update(b"]")
    elif isinstance(value, pikepdf.Object):
        h.update(b" " + value.unparse())
    else:  # pikepdf gives numbers and booleans as Python values
        h.update(b" " + repr(value).encode("ascii"))


def add_manifest(writer: IncrementalPdfFileWriter, blob: bytes) -> None:
    """Embed ``blob`` as ``bidkit-manifest.json`` (AFRelationship /Data) in the revision ``writer`` writes."""
    stream = embed.EmbeddedFileObject.from_file_data(writer, blob, mime_type="application/json")
    embed.embed_file(writer, embed.FileSpec(
        file_spec_string=MANIFEST_NAME, file_name=MANIFEST_NAME, embedded_data=stream,
        description="bidkit package manifest", af_relationship=generic.pdf_name("/Data"),
    ))


def read_manifest(pdf: pikepdf.Pdf) -> bytes | None:
    """The embedded manifest's bytes, or None when the package has none."""
    try:
        spec = pdf.attachments.get(MANIFEST_NAME)
        if spec is None:
            return None
        return bytes(spec.get_file().read_bytes())
    except (pikepdf.PdfError, KeyError, AttributeError, TypeError, ValueError):
        return None
