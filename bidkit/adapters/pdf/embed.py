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
by their raw stream bytes, hashed as a Merkle tree so that object numbers do not count: a rewrite that keeps
every page as it was (qpdf, pikepdf) keeps the digests, and one that changes a page does not.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
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
    memo: dict[tuple[int, int], bytes] = {}
    out: dict[str, str] = {}
    for name, (first, last) in ranges.items():
        h = hashlib.sha256()
        for index in range(first - 1, last):
            h.update(_page(pages[index].obj, memo))
        out[name] = h.hexdigest()
    return out


def _page(page: pikepdf.Dictionary, memo: dict[tuple[int, int], bytes]) -> bytes:
    out: list[bytes] = []
    for key in sorted(page.keys()):
        if key not in _SKIP_PAGE_KEYS:
            out.append(key.encode("latin-1"))
            _value(page[key], out, memo)
    return hashlib.sha256(b"page" + b"".join(out)).digest()


def _object(obj: pikepdf.Object, memo: dict[tuple[int, int], bytes]) -> bytes:
    """The digest of an indirect object's content, whatever its object number (a Merkle hash)."""
    og = obj.objgen
    done = memo.get(og)
    if done is not None:
        return done
    memo[og] = b"cycle"  # a reference back to an object being hashed
    out: list[bytes] = []
    if isinstance(obj, pikepdf.Stream):
        out.append(b"stream")
        _value(obj.stream_dict, out, memo, top=True)
        out.append(hashlib.sha256(obj.get_raw_stream_buffer()).digest())  # no copy of a 200 MB scan's bytes
    elif isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") in _NO_DESCENT_TYPES:
        out.append(b"link to " + bytes(str(obj.get("/Type")), "latin-1"))  # another page: a link, not content
    else:
        _value(obj, out, memo, top=True)
    memo[og] = hashlib.sha256(b"".join(out)).digest()
    return memo[og]


def _value(value: Any, out: list[bytes], memo: dict[tuple[int, int], bytes], top: bool = False) -> None:
    """Append a value's syntax to ``out`` (what is hashed), an indirect object by the digest of its content.
    (The digests are those of the first version, which fed each piece to the hash as it went: the same bytes.)"""
    if type(value) is int:  # pikepdf gives numbers and booleans as Python values: a font's widths, thousands
        out.append(b" %d" % value)
        return
    if isinstance(value, pikepdf.Object) and value.is_indirect and not top:
        out.append(b"\x00ref" + _object(value, memo))
        return
    if isinstance(value, pikepdf.Dictionary):
        out.append(b"<<")
        for key in sorted(value.keys()):
            out.append(key.encode("latin-1"))
            _value(value[key], out, memo)
        out.append(b">>")
    elif isinstance(value, pikepdf.Array):
        out.append(b"[")
        items: Iterable[Any] = value  # (numbers come as Python values)
        for item in items:
            if type(item) is int:
                out.append(b" %d" % item)
            else:
                _value(item, out, memo)
        out.append(b"]")
    elif isinstance(value, pikepdf.Object):
        out.append(b" " + value.unparse())
    else:
        out.append(b" " + repr(value).encode("ascii"))


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


def manifest_of(path: Path) -> bytes | None:
    """The manifest embedded in the package at ``path`` (None when it has none or does not open as a PDF)."""
    try:
        with pikepdf.open(path) as pdf:
            return read_manifest(pdf)
    except (pikepdf.PdfError, OSError):
        return None
