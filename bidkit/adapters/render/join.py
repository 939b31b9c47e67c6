"""Several rendered .docx joined into one, so that LibreOffice converts them in one go.

LibreOffice spends about 0.15 s on every document it converts beyond the first (loading the filters, laying out
and embedding the fonts again), whatever its size: the sample's 22 small forms took 4.9 s as 22 documents and
1.7 s as one. Documents that share their styles, settings, numbering, fonts and theme byte for byte (bidkit's
forms, all built from one base) are joined here: each keeps its own section (page size, orientation, margins,
header), starts on a new page, and begins with a bookmark that LibreOffice exports as a named destination, by
which :func:`bidkit.adapters.pdf.split.split_at` cuts the PDF back into one file per document. Measured on the
sample's forms: the same page count for every form, the same words, placed within 0.15 pt.

Only what lays out the same alone and joined is joined (:func:`group_key` says None otherwise): one section, no
fields (a page number would count on), no numbered paragraphs (a list would count on), no notes, comments or
embedded objects (only headers, footers, pictures and links of its own), no odd/even headers (a form would start
on an even page). A bidder's own chapter file is never joined: its page
flow is its own.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from lxml import etree

from bidkit.core.errors import InputError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
DOCUMENT = "word/document.xml"
RELS = "word/_rels/document.xml.rels"
TYPES = "[Content_Types].xml"
# parts every joined document must have equal (the joined document keeps the first one's)
SHARED = ("styles", "stylesWithEffects", "settings", "webSettings", "fontTable", "theme", "numbering", "customXml")
OWN = ("header", "footer", "image", "hyperlink")  # each document's own, copied under new names; anything else
# (footnotes, comments, an embedded object, a glossary …) would be one part for all: such a document converts alone
_COUNTING = re.compile(rb"<w:(?:fldChar|fldSimple|instrText|numPr|footnoteReference|endnoteReference|"
                       rb"commentReference|altChunk|subDoc)\b")
_R_ATTRIBUTES = etree.XPath(".//@r:*", namespaces={"r": R}, smart_strings=True)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _xml(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _kind(rel: Any) -> str:
    return str(rel.get("Type", "")).rsplit("/", 1)[-1]


@lru_cache(maxsize=8)
def _numbered_styles(styles: bytes) -> frozenset[str]:
    """Ids of the paragraph styles that number their paragraphs (numPr, also inherited through basedOn)."""
    root = etree.fromstring(styles, _PARSER)
    based: dict[str, str] = {}
    numbered: set[str] = set()
    for st in root.iter(_w("style")):
        sid = st.get(_w("styleId"), "")
        parent = st.find(_w("basedOn"))
        if parent is not None:
            based[sid] = parent.get(_w("val"), "")
        if st.find(f"{_w('pPr')}/{_w('numPr')}") is not None:
            numbered.add(sid)
    changed = True
    while changed:
        changed = False
        for sid, parent in based.items():
            if parent in numbered and sid not in numbered:
                numbered.add(sid)
                changed = True
    return frozenset(numbered)


def group_key(docx: bytes) -> str | None:
    """The key of the documents this one can be joined with (equal shared parts), or None: it converts alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as zf:
            names = set(zf.namelist())
            document = zf.read(DOCUMENT)
            if document.count(b"<w:sectPr") != 1 or _COUNTING.search(document):
                return None
            rels = etree.fromstring(zf.read(RELS), _PARSER)
            if any(_kind(r) not in SHARED and _kind(r) not in OWN for r in rels):
                return None
            h = hashlib.sha256(b"bidkit-join-1")
            for kind in SHARED:
                targets = [posixpath.normpath(posixpath.join("word", str(r.get("Target"))))
                           for r in rels if _kind(r) == kind and r.get("TargetMode") != "External"]
                for target in targets:
                    data = zf.read(target) if target in names else b""
                    if kind == "settings" and b"evenAndOddHeaders" in data:
                        return None
                    if kind == "styles" and b"numPr" in data:
                        used = set(re.findall(rb'<w:pStyle w:val="([^"]*)"', document))
                        if {s.encode() for s in _numbered_styles(data)} & used:
                            return None
                    h.update(f"{kind}\0{target}\0{len(data)}\0".encode())
                    h.update(data)
            for rel in rels:  # a header or footer that counts pages or notes that number on
                if _kind(rel) in ("header", "footer") and rel.get("TargetMode") != "External":
                    part = posixpath.normpath(posixpath.join("word", str(rel.get("Target"))))
                    if part in names and _COUNTING.search(zf.read(part)):
                        return None
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        return None
    return h.hexdigest()


def join(docs: Sequence[bytes], token: str) -> tuple[bytes, list[str]]:
    """The documents as one (all with the same :func:`group_key`), and the bookmark each starts with, in order.
    ``token`` (letters and digits) makes the bookmark names unlike any in the documents."""
    if not docs or not token.isalnum():
        raise ValueError("join(): documents and an alphanumeric token are needed")
    try:
        return _join(docs, token)
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError) as exc:
        raise InputError(f"cannot join the forms for conversion ({exc})") from None


def _join(docs: Sequence[bytes], token: str) -> tuple[bytes, list[str]]:
    with zipfile.ZipFile(io.BytesIO(docs[0])) as base:
        rels = etree.fromstring(base.read(RELS), _PARSER)
        own = {posixpath.normpath(posixpath.join("word", str(r.get("Target"))))
               for r in rels if _kind(r) not in SHARED and r.get("TargetMode") != "External"}
        files = {n: base.read(n) for n in base.namelist()  # its own parts (and their rels) are taken below
                 if n not in own and _rels_owner(n) not in own}
        for rel in list(rels):
            if _kind(rel) not in SHARED:
                rels.remove(rel)
        types = etree.fromstring(base.read(TYPES), _PARSER)
        for o in list(types):
            if o.tag == f"{{{CT}}}Override" and str(o.get("PartName", "")).lstrip("/") in own:
                types.remove(o)
        root = etree.fromstring(base.read(DOCUMENT), _PARSER)
    body = root.find(_w("body"))
    for child in list(body):
        body.remove(child)
    defaults = {str(d.get("Extension", "")).lower() for d in types if d.tag == f"{{{CT}}}Default"}
    marks: list[str] = []
    previous: Any = None  # the previous document's section properties
    for i, blob in enumerate(docs):
        mark = f"bidkit{token}n{i}"
        marks.append(mark)
        with zipfile.ZipFile(io.BytesIO(blob)) as zf:
            doc = etree.fromstring(zf.read(DOCUMENT), _PARSER)
            remap = _take_parts(zf, i, rels, types, defaults, files)
        part = doc.find(_w("body"))
        for value in _R_ATTRIBUTES(part):  # r:id, r:embed, r:link … → the renamed relationships
            if value in remap:
                value.getparent().set(value.attrname, remap[value])
        for el in part.iter(_w("bookmarkStart"), _w("bookmarkEnd"), f"{{{WP}}}docPr"):
            key = "id" if el.tag == f"{{{WP}}}docPr" else _w("id")
            value = el.get(key, "")
            if value.isdigit():  # ids stay unique (and paired) across the joined documents
                el.set(key, str(int(value) + 1_000_000 * (i + 1)))
        children = list(part)
        sect = children.pop() if children and children[-1].tag == _w("sectPr") else None
        first = next(part.iter(_w("p")), None)
        if first is None:
            first = etree.SubElement(part, _w("p"))
            children.append(first)
        start = etree.Element(_w("bookmarkStart"))
        start.set(_w("id"), str(900_000_000 + i))
        start.set(_w("name"), mark)
        end = etree.Element(_w("bookmarkEnd"))
        end.set(_w("id"), str(900_000_000 + i))
        at = 1 if first.find(_w("pPr")) is not None else 0
        first.insert(at, start)
        first.insert(at + 1, end)
        if previous is not None:
            _end_section(body, previous)
        for child in children:
            body.append(child)
        if sect is not None:
            kind = sect.find(_w("type"))
            if kind is not None:  # every document starts on a new page, as it does alone
                sect.remove(kind)
        previous = sect if sect is not None else etree.Element(_w("sectPr"))
    body.append(previous)
    files[DOCUMENT] = _xml(root)
    files[RELS] = _xml(rels)
    files[TYPES] = _xml(types)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue(), marks


def _rels_owner(name: str) -> str:
    """``word/_rels/header1.xml.rels`` → ``word/header1.xml`` (the part a relationships file belongs to)."""
    folder, base = posixpath.split(name)
    if posixpath.basename(folder) != "_rels" or not base.endswith(".rels"):
        return ""
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


def _end_section(body: Any, sect: Any) -> None:
    """End the document so far with its section (the last paragraph carries it, as Word writes a break)."""
    last = body[-1] if len(body) else None
    if last is None or last.tag != _w("p"):
        last = etree.SubElement(body, _w("p"))
    ppr = last.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        last.insert(0, ppr)
    change = ppr.find(_w("pPrChange"))
    if change is not None:
        change.addprevious(sect)
    else:
        ppr.append(sect)


def _take_parts(zf: zipfile.ZipFile, i: int, rels: Any, types: Any, defaults: set[str],
                files: dict[str, bytes]) -> dict[str, str]:
    """Copy document ``i``'s own parts (headers, footers, images) under new names; return old → new rId."""
    names = set(zf.namelist())
    theirs = etree.fromstring(zf.read(TYPES), _PARSER)
    overrides = {str(o.get("PartName", "")): str(o.get("ContentType", ""))
                 for o in theirs if o.tag == f"{{{CT}}}Override"}
    their_defaults = {str(o.get("Extension", "")).lower(): str(o.get("ContentType", ""))
                      for o in theirs if o.tag == f"{{{CT}}}Default"}
    remap: dict[str, str] = {}

    def copy_part(src: str, dst: str) -> None:
        files[dst] = zf.read(src)
        if f"/{src}" in overrides:
            etree.SubElement(types, f"{{{CT}}}Override", PartName=f"/{dst}", ContentType=overrides[f"/{src}"])
        ext = dst.rsplit(".", 1)[-1].lower()
        if ext not in defaults and ext in their_defaults:
            etree.SubElement(types, f"{{{CT}}}Default", Extension=ext, ContentType=their_defaults[ext])
            defaults.add(ext)
        part_rels = posixpath.join(posixpath.dirname(src), "_rels", posixpath.basename(src) + ".rels")
        if part_rels in names:  # a header's own images, renamed alike
            inner = etree.fromstring(zf.read(part_rels), _PARSER)
            for rel in inner:
                if rel.get("TargetMode") == "External":
                    continue
                target = str(rel.get("Target"))
                folder, name = posixpath.split(target)
                new = posixpath.join(folder, f"j{i}_{name}")
                rel.set("Target", new)
                copy_part(posixpath.normpath(posixpath.join(posixpath.dirname(src), target)),
                          posixpath.normpath(posixpath.join(posixpath.dirname(dst), new)))
            files[posixpath.join(posixpath.dirname(dst), "_rels", posixpath.basename(dst) + ".rels")] = _xml(inner)

    for rel in etree.fromstring(zf.read(RELS), _PARSER):
        if _kind(rel) in SHARED:
            continue
        new_id = f"rIdJ{i}x{rel.get('Id')}"
        remap[str(rel.get("Id"))] = new_id
        copy = etree.SubElement(rels, f"{{{PKG}}}Relationship", Id=new_id, Type=str(rel.get("Type")))
        if rel.get("TargetMode") == "External":
            copy.set("Target", str(rel.get("Target")))
            copy.set("TargetMode", "External")
            continue
        target = str(rel.get("Target"))
        folder, name = posixpath.split(target)
        new_target = posixpath.join(folder, f"j{i}_{name}")
        copy.set("Target", new_target)
        src = posixpath.normpath(posixpath.join("word", target))
        if src in names:
            copy_part(src, posixpath.normpath(posixpath.join("word", new_target)))
    return remap
