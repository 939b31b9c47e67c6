"""Attachments (qualification scans and other PDFs made by others): what they are, and opening them safely.

A PDF made by someone else is taken as a viewer shows it, and sealed without anything that acts on its own:

- a file that opens without a password (an owner-restricted or signed-and-restricted export, encrypted with an
  empty user password) is read; its encryption is not kept, and a note says so;
- a file whose cross-reference table qpdf repairs is accepted when every page and what it draws then reads
  cleanly, with a note naming the repair; a file that stays broken is refused;
- a filled-in form is flattened into the page (appearance streams generated first where the file asks the viewer
  to draw its values, ``/NeedAppearances``), and so is every other annotation a viewer shows;
- JavaScript, launch actions, URI links and form submissions are removed, each named in a note with its page;
- a page in another unit (``/UserUnit``) is rescaled to points, and a page too small to carry a page number and a
  seal is mounted, at its own size, on an A4 sheet, as a photocopy of a small document is.

No warning of the PDF library reaches the user: what matters becomes a note or a refusal.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from bidkit.core.checks import AttachmentFacts
from bidkit.core.errors import InputError

_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"PK\x03\x04": "a zip/Office file",
          b"GIF8": "a GIF image", b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image",
          b"<!DOCTYPE html": "an HTML page", b"<html": "an HTML page", b"<?xml": "an XML file"}

A4 = (595.28, 841.89)
MIN_SIDE_PT = 283.5  # 100 mm: a smaller page is mounted on an A4 sheet, at its own size
# actions that run code, open programs, fetch or send data: removed from every attachment page
ACTIVE = {"/JavaScript": "a JavaScript action", "/Launch": "a launch action", "/URI": "a URI link",
          "/SubmitForm": "a form submission", "/ImportData": "a data import", "/GoToR": "a link to another file",
          "/GoToE": "a link into an embedded file", "/Rendition": "a media action", "/Movie": "a media action",
          "/Sound": "a sound action", "/RichMediaExecute": "a media action", "/Hide": "a hide action",
          "/SetOCGState": "a layer switch"}
_PAGE_EVENTS = {"/O": "on opening the page", "/C": "on closing the page"}


def not_a_pdf(head: bytes) -> str | None:
    """Why a file that starts with ``head`` is not a PDF (naming a picture, which must be converted), or None."""
    if b"%PDF-" in head:
        return None
    if not head.strip():
        return "an empty file, not a PDF"
    probe = head.lstrip().lower()
    kind = next((what for magic, what in _MAGIC.items() if head.startswith(magic) or probe.startswith(magic.lower())),
                None)
    return f"not a PDF ({kind}); convert it to PDF first" if kind else "not a PDF file"


def _reason(text: str, path: Path) -> str:
    """The first line of a qpdf message, without the file's absolute path (it is named already)."""
    line = text.splitlines()[0] if text else ""
    line = line.removeprefix(f"{path}: ").removeprefix(f"{path} ")
    return line[-120:]


@dataclass
class Opened:
    """An attachment as it goes into the package, and what was done to it on the way."""

    pdf: pikepdf.Pdf
    notes: list[str] = field(default_factory=list)  # each names the file (and the page)
    mounted: set[int] = field(default_factory=set)  # 0-based pages mounted on an A4 sheet

    def close(self) -> None:
        self.pdf.close()


def _read_head(path: Path, display: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(1024)
    except OSError as exc:
        raise InputError(f"{display}: cannot read attachment ({exc.strerror or exc})") from None


# what qpdf says while rebuilding a cross-reference table it can rebuild: nothing of the file's content is lost
_XREF_REPAIR = re.compile(r"file is damaged|startxref|xref not found|reconstruct cross-reference table|"
                          r"invalid xref|xref table|xref stream|dictionary key|trailer", re.IGNORECASE)
# ... and what means content is lost: a stream or object it could not find, a trailer it could not rebuild
_LOST = re.compile(r"unable to|treating stream as empty|expected endstream|expected endobj|EOF|"
                   r"not found while recovering|unable to find trailer", re.IGNORECASE)
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s+Do\b")


def _touch(pdf: pikepdf.Pdf) -> None:
    """Read every page and everything its content draws, so a repaired file shows what it lacks."""
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents or [])
        data = b"".join(stream.read_bytes() for stream in streams)
        resources = page.obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        names = set(xobjects.keys()) if isinstance(xobjects, pikepdf.Dictionary) else set()
        for used in dict.fromkeys(_DO.findall(data)):
            name = "/" + used.decode("latin-1")
            if name not in names:
                raise pikepdf.PdfError(f"an image the page draws ({name}) is missing")
        for name in names:
            assert isinstance(xobjects, pikepdf.Dictionary)
            xobject = xobjects[name]
            if not isinstance(xobject, pikepdf.Stream):
                raise pikepdf.PdfError(f"an image the page draws ({name}) is missing")
            xobject.read_raw_bytes()


def _open(path: Path, display: str) -> tuple[pikepdf.Pdf, list[str]]:
    """The file opened (empty user password allowed), refusing what does not open or stays broken."""
    notes: list[str] = []
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise InputError(f"{display}: encrypted PDF (password protected); attach an unprotected copy") from None
    except (pikepdf.PdfError, OSError, RecursionError) as exc:
        reason = _reason(str(exc), path) or type(exc).__name__
        raise InputError(f"{display}: damaged PDF ({reason})") from None
    try:
        repaired = [_reason(str(w), path) for w in pdf.get_warnings()]
        try:
            count = len(pdf.pages)
        except (pikepdf.PdfError, RecursionError, ValueError, TypeError) as exc:
            raise InputError(f"{display}: damaged PDF (page tree: {str(exc)[-100:]})") from None
        try:
            if repaired:
                _touch(pdf)
        except (pikepdf.PdfError, RecursionError, ValueError, TypeError) as exc:
            raise InputError(f"{display}: damaged PDF ({_reason(str(exc), path)[-100:]})") from None
        later = [_reason(str(w), path) for w in pdf.get_warnings()][len(repaired):]
        lost = [r for r in repaired + later if _LOST.search(r) or not _XREF_REPAIR.search(r)]
        if lost:
            raise InputError(f"{display}: damaged PDF ({lost[0]})")
        if count == 0:
            raise InputError(f"{display}: PDF has no pages")
        if repaired:
            xref = any("xref" in r or "cross-reference" in r for r in repaired)
            what = "its cross-reference table was rebuilt" if xref else repaired[0]
            notes.append(f"{display}: damaged file repaired ({what}); every page reads — check that it looks "
                         "right in the package")
        if pdf.is_encrypted:
            notes.append(f"{display}: encrypted with an empty user password (owner restrictions); read without a "
                         "password, the package does not keep the encryption")
    except BaseException:
        pdf.close()
        raise
    return pdf, notes


def _scale_user_unit(pdf: pikepdf.Pdf, index: int) -> bool:
    """Rescale a page whose /UserUnit is not 1 to plain points (content, boxes, annotation rectangles)."""
    page = pdf.pages[index]
    obj = page.obj
    try:
        unit = float(obj.get("/UserUnit", 1))
    except (TypeError, ValueError):
        unit = 1.0
    if "/UserUnit" in obj:
        del obj["/UserUnit"]
    if unit == 1 or not 0 < unit <= 75_000:
        return False
    for key in ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox"):
        if key in obj:
            obj[key] = pikepdf.Array([float(v) * unit for v in obj[key]])
    for annot in obj.get("/Annots", []):
        if isinstance(annot, pikepdf.Dictionary) and "/Rect" in annot:
            annot.Rect = pikepdf.Array([float(v) * unit for v in annot.Rect])
    page.contents_add(pikepdf.Stream(pdf, f"q {unit:g} 0 0 {unit:g} 0 0 cm".encode()), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"Q"), prepend=False)
    return True


def _active(action: object, depth: int = 0) -> str | None:
    """What an action (or its /Next chain) does that must not be sealed, or None."""
    if depth > 32:
        return "an action chain too long to follow"
    if isinstance(action, pikepdf.Dictionary):
        kind = action.get("/S")
        if isinstance(kind, pikepdf.Name) and str(kind) in ACTIVE:
            return ACTIVE[str(kind)]
        if "/JS" in action:
            return ACTIVE["/JavaScript"]
        nxt = action.get("/Next")
        if nxt is not None:
            return _active(nxt, depth + 1)
    elif isinstance(action, pikepdf.Array):
        for item in action:
            found = _active(item, depth + 1)
            if found:
                return found
    return None


def _disarm(pdf: pikepdf.Pdf, index: int, display: str) -> list[str]:
    """Remove the page's own event actions and every annotation that acts; a note per page."""
    obj = pdf.pages[index].obj
    removed: list[str] = []
    events = obj.get("/AA")
    if events is not None:
        if isinstance(events, pikepdf.Dictionary):
            for key in events.keys():
                removed.append(f"{_active(events[key]) or 'an action'} {_PAGE_EVENTS.get(key, 'on a page event')}")
        del obj["/AA"]
    annots = obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        keep: list[pikepdf.Object] = []
        for annot in annots:
            if not isinstance(annot, pikepdf.Dictionary):
                continue
            what = _active(annot.get("/A"))
            if "/AA" in annot:
                what = what or _active(list(annot.AA.values())) or "an annotation event"
            subtype = annot.get("/Subtype")
            if what is None and subtype in (pikepdf.Name.Screen, pikepdf.Name.Movie, pikepdf.Name.RichMedia,
                                            pikepdf.Name.FileAttachment, pikepdf.Name.Sound):
                what = f"a {str(subtype)[1:]} annotation"
            if what is None:
                keep.append(annot)
                continue
            action = annot.get("/A")
            uri = action.get("/URI") if isinstance(action, pikepdf.Dictionary) else None
            removed.append(what + (f" ({str(uri)[:60]})" if uri is not None else ""))
        if len(keep) != len(annots):
            if keep:
                obj.Annots = pdf.make_indirect(pikepdf.Array(keep))
            else:
                del obj["/Annots"]
    if not removed:
        return []
    return [f"{display} page {index + 1}: removed " + ", ".join(dict.fromkeys(removed))]


def _flatten(pdf: pikepdf.Pdf, display: str) -> list[str]:
    """Form values and every annotation a viewer shows, drawn into the pages' content."""
    has_annots = any("/Annots" in p.obj for p in pdf.pages)
    form = pdf.Root.get("/AcroForm")
    if not has_annots:
        if form is not None:
            del pdf.Root["/AcroForm"]
        return []
    notes = []
    fields = form.get("/Fields") if isinstance(form, pikepdf.Dictionary) else None
    if isinstance(fields, pikepdf.Array) and len(fields):
        pdf.generate_appearance_streams()
        notes.append(f"{display}: form fields flattened into the page as a viewer shows them")
    pdf.flatten_annotations("screen")
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]
    # widgets qpdf could not draw are gone from view; left as annotations they would only be orphans
    for page in pdf.pages:
        annots = page.obj.get("/Annots")
        if isinstance(annots, pikepdf.Array):
            rest = [a for a in annots if not (isinstance(a, pikepdf.Dictionary)
                                               and a.get("/Subtype") == pikepdf.Name.Widget)]
            if len(rest) != len(annots):
                if rest:
                    page.obj.Annots = pdf.make_indirect(pikepdf.Array(rest))
                else:
                    del page.obj["/Annots"]
    return notes


def _mount(pdf: pikepdf.Pdf, index: int) -> None:
    """Put a small page, at its own size and as displayed, in the middle of an A4 sheet (landscape when the page
    is wider than high)."""
    from bidkit.adapters.pdf import stamp

    page = pdf.pages[index]
    stamp.push_inherited(page.obj)
    fr = stamp.frame(page.obj)
    form = page.as_form_xobject(handle_transformations=True)
    w, h = A4 if fr.height >= fr.width else (A4[1], A4[0])
    x, y = (w - fr.width) / 2, (h - fr.height) / 2
    sheet = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(BKsmall=form)),
        Contents=pikepdf.Stream(pdf, f"q 1 0 0 1 {x:.3f} {y:.3f} cm /BKsmall Do Q".encode()),
    )
    pdf.pages[index] = pikepdf.Page(sheet)


def open_attachment(path: Path, display: str) -> Opened:
    """Open an attachment as it will be sealed (see the module docstring), refusing anything that is not a
    readable PDF with pages."""
    if (why := not_a_pdf(_read_head(path, display))) is not None:
        raise InputError(f"{display}: {why}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # qpdf's own messages are read from get_warnings(); no raw one is printed
        pdf, notes = _open(path, display)
        opened = Opened(pdf, notes)
        try:
            from bidkit.adapters.pdf import stamp

            rescaled = [i for i in range(len(pdf.pages)) if _scale_user_unit(pdf, i)]
            if rescaled:
                notes.append(f"{display} page {', '.join(str(i + 1) for i in rescaled)}: drawn in another unit "
                             "(/UserUnit), rescaled to points")
            for i in range(len(pdf.pages)):
                notes += _disarm(pdf, i, display)
            notes += _flatten(pdf, display)
            for i in range(len(pdf.pages)):
                stamp.push_inherited(pdf.pages[i].obj)
                fr = stamp.frame(pdf.pages[i].obj)
                if min(fr.width, fr.height) < MIN_SIDE_PT:
                    _mount(pdf, i)
                    opened.mounted.add(i)
            if opened.mounted:
                pages = ", ".join(str(i + 1) for i in sorted(opened.mounted))
                notes.append(f"{display} page {pages}: smaller than 100 mm, mounted at its own size on an A4 sheet")
        except (pikepdf.PdfError, RecursionError, ValueError, TypeError, KeyError) as exc:
            opened.close()
            raise InputError(f"{display}: damaged PDF ({str(exc)[-100:] or type(exc).__name__})") from None
        except BaseException:
            opened.close()
            raise
    return opened


def inspect(path: Path) -> AttachmentFacts:
    """Does the file exist, open as a readable PDF (as :func:`open_attachment` opens it), how many pages it has,
    and what opening it would change (the notes, as warnings)."""
    f: AttachmentFacts = {"exists": path.is_file(), "pdf_ok": False, "pages": 0, "problem": "", "notes": []}
    if not f["exists"]:
        f["problem"] = "not a file"
        return f
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        f["problem"] = f"cannot read ({exc.strerror or exc})"
        return f
    if (why := not_a_pdf(head)) is not None:
        f["problem"] = why
        return f
    try:
        opened = open_attachment(path, path.name)
    except InputError as exc:
        message = exc.message.removeprefix(f"{path.name}: ")
        if message.startswith("encrypted PDF (password"):
            f["problem"] = "encrypted with a password"
        elif message == "PDF has no pages":
            f["pdf_ok"] = True  # a PDF, without pages: the rule says so in its own words
        else:
            f["problem"] = "damaged or truncated"
        return f
    try:
        f["pages"] = len(opened.pdf.pages)
        f["pdf_ok"] = True
        f["notes"] = [n.removeprefix(f"{path.name}").lstrip(": ") for n in opened.notes]
    finally:
        opened.close()
    return f
