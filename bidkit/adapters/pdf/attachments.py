"""Attachments (qualification scans and other PDFs made by others): what they are, and opening them safely."""

from __future__ import annotations

from pathlib import Path

import pikepdf

from bidkit.core.checks import AttachmentFacts
from bidkit.core.errors import InputError

_MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"PK\x03\x04": "a zip/Office file",
          b"GIF8": "a GIF image", b"II*\x00": "a TIFF image", b"MM\x00*": "a TIFF image"}


def not_a_pdf(head: bytes) -> str | None:
    """Why a file that starts with ``head`` is not a PDF (naming a picture, which must be converted), or None."""
    if b"%PDF-" in head:
        return None
    kind = next((what for magic, what in _MAGIC.items() if head.startswith(magic)), None)
    return f"not a PDF ({kind}); convert it to PDF first" if kind else "not a PDF file"


def _reason(text: str, path: Path) -> str:
    """The first line of a qpdf message, without the file's absolute path (it is named already)."""
    line = text.splitlines()[0] if text else ""
    return line.removeprefix(f"{path}: ")[-120:]


def open_attachment(path: Path, display: str) -> pikepdf.Pdf:
    """Open a scanned attachment, refusing anything that is not a complete, unencrypted PDF with pages."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise InputError(f"{display}: cannot read attachment ({exc.strerror or exc})") from None
    if (why := not_a_pdf(head)) is not None:
        raise InputError(f"{display}: {why}")
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        raise InputError(f"{display}: encrypted PDF (password protected); attach an unprotected copy") from None
    except (pikepdf.PdfError, OSError, RecursionError) as exc:
        reason = _reason(str(exc), path) or type(exc).__name__
        raise InputError(f"{display}: damaged PDF ({reason})") from None
    try:
        if pdf.is_encrypted:
            raise InputError(f"{display}: encrypted PDF (usage restrictions); attach an unprotected copy")
        warnings = pdf.get_warnings()
        if warnings:
            raise InputError(f"{display}: damaged PDF ({_reason(str(warnings[0]), path)})")
        try:
            count = len(pdf.pages)
        except (pikepdf.PdfError, RecursionError) as exc:
            raise InputError(f"{display}: damaged PDF (page tree: {str(exc)[-100:]})") from None
        if count == 0:
            raise InputError(f"{display}: PDF has no pages")
        if pdf.get_warnings():
            raise InputError(f"{display}: damaged PDF ({_reason(str(pdf.get_warnings()[0]), path)})")
    except BaseException:
        pdf.close()
        raise
    return pdf


def inspect(path: Path) -> AttachmentFacts:
    """Does the file exist, open as an unencrypted, undamaged PDF, and how many pages it has."""
    f: AttachmentFacts = {"exists": path.is_file(), "pdf_ok": False, "pages": 0, "problem": ""}
    if not f["exists"]:
        f["problem"] = "not a file"
        return f
    with path.open("rb") as fh:
        head = fh.read(1024)
    if (why := not_a_pdf(head)) is not None:
        f["problem"] = why
        return f
    try:
        with pikepdf.open(path) as pdf:
            f["pages"] = len(pdf.pages)
            if pdf.is_encrypted:
                f["problem"] = "encrypted"
            elif pdf.get_warnings():  # qpdf repaired it (e.g. a broken xref): assemble refuses it too
                f["problem"] = "damaged or truncated"
            else:
                f["pdf_ok"] = True
    except pikepdf.PasswordError:
        f["problem"] = "encrypted with a password"
    except (pikepdf.PdfError, OSError, ValueError):
        f["problem"] = "damaged or truncated"
    return f
