"""``bidkit verify``: is this package exactly what the company signed?

Interface::

    trusted = load_trusted(path, display) -> list[asn1crypto.x509.Certificate]    # PEM or DER file
    report = verify_package(pdf_path, trusted, display=None, ca=False) -> Report  # never raises on tampering:
    report.problems                                                               # one line per finding

What is checked, in this order: a bidkit manifest is embedded (its ``draft`` flag: a draft is never signed and
is reported as such); exactly one signature; pyHanko finds it intact and valid; the signer's certificate is a
trusted one (a self-signed certificate only when it is exactly the trusted certificate; with ``ca=True`` the
trusted certificates are a CA's: its self-signed ones the roots the signer's chain must reach, the others
intermediates, validated offline by pyHanko's certificate validator with the certificates embedded in the
signature, as of the signing time); the signing time lies within the signer certificate's validity; the
manifest's ``signer`` is the signature's certificate; the signature covers the entire file — anything after the
signed revision is named: an incremental update (what it changed: pages, document information, the manifest,
another signature) or bytes after ``%%EOF``; the manifest's page ranges add up to the page count; and each
entry's pages, as the reader sees them now, have the digest the manifest recorded when the package was sealed.
What cannot be checked from the PDF alone: that the parts' source files (``sha256`` in the manifest) were the
reviewed ones (the manifest records them; the review log says which were approved), the signing time (no
timestamp authority: it is the signer's own clock, so the chain is checked as of the time the signer claims),
and revocation (offline: no CRL or OCSP is fetched).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.misc import PdfError as HankoPdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from bidkit.adapters.pdf import embed
from bidkit.core import manifest as mf
from bidkit.core.errors import InputError, IntegrityError

logging.getLogger("pyhanko").addHandler(logging.NullHandler())  # it logs path-building failures with tracebacks
logging.getLogger("pyhanko_certvalidator").addHandler(logging.NullHandler())

DRAFT = "draft package: not signed, not for submission"
MAX_CERT = 256 * 1024
_XREF_MARK = re.compile(rb"startxref|\bxref\b|/Type\s*/XRef")


@dataclass
class Report:
    """What verify found; ``problems`` empty means the package verifies."""

    path: str
    problems: list[str] = field(default_factory=list)
    draft: bool = False
    signed: bool = False
    signer: str | None = None
    signer_sha256: str | None = None
    signed_at: str | None = None
    coverage: str | None = None
    pages: int = 0
    manifest: dict[str, Any] | None = None
    issuer: str | None = None
    chain: list[str] = field(default_factory=list)  # signer first, up to the trusted root
    valid_from: str | None = None
    valid_to: str | None = None
    signed_within_validity: bool | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> dict[str, Any]:
        m = self.manifest or {}
        return {
            "path": self.path, "ok": self.ok, "problems": self.problems, "draft": self.draft,
            "signed": self.signed, "signer": self.signer, "signer_sha256": self.signer_sha256,
            "signed_at": self.signed_at, "coverage": self.coverage, "pages": self.pages,
            "issuer": self.issuer, "chain": self.chain, "valid_from": self.valid_from, "valid_to": self.valid_to,
            "signed_within_validity": self.signed_within_validity,
            "project": m.get("project"), "version": m.get("version"),
            "entries": [{k: e.get(k) for k in ("name", "title", "kind", "first_page", "last_page")}
                        for e in m.get("entries", [])],
        }


def load_trusted(path: Path, display: str) -> list[asn1_x509.Certificate]:
    """The certificates in a PEM or DER file."""
    try:
        if path.stat().st_size > MAX_CERT:
            raise InputError(f"{display}: too large for a certificate file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{display}: certificate not found") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot read the certificate ({exc.strerror or exc})") from None
    try:
        if pem.detect(data):
            certs = [asn1_x509.Certificate.load(der) for kind, _h, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            certs = [asn1_x509.Certificate.load(data)]
        for cert in certs:
            cert.native  # noqa: B018 - parses the whole structure now, not at first use
    except (ValueError, TypeError):
        raise InputError(f"{display}: not an X.509 certificate (PEM or DER; a .p12 holds the private key, "
                         "give its .crt)") from None
    if not certs:
        raise InputError(f"{display}: no certificate in the file")
    return certs


def _fingerprint(cert: asn1_x509.Certificate) -> str:
    return hashlib.sha256(cert.dump()).hexdigest()


def _subject(cert: asn1_x509.Certificate) -> str:
    return _subject_of(cert.subject)


def _subject_of(name: asn1_x509.Name) -> str:
    cn = name.native.get("common_name")
    return f"CN={cn}" if isinstance(cn, str) else str(name.human_friendly)


def verify_package(path: Path, trusted: list[asn1_x509.Certificate], display: str | None = None, *,
                   ca: bool = False) -> Report:
    """Check the package at ``path``; tampering is reported in ``problems``, unreadable input raises.
    ``ca``: ``trusted`` are CA roots, and the signer's chain must reach one of them."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not data.lstrip()[:5] == b"%PDF-":
        raise InputError(f"{name}: not a PDF file")
    report = Report(path=name)
    try:
        latest = pikepdf.open(io.BytesIO(data))
    except pikepdf.PdfError as exc:
        raise IntegrityError(f"{name}: damaged PDF ({_pdf_reason(exc)})") from None
    with latest:
        report.pages = len(latest.pages)
        blob_now = embed.read_manifest(latest)
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            sigs = list(reader.embedded_signatures)
        except (HankoPdfError, ValueError, KeyError) as exc:
            raise IntegrityError(f"{name}: damaged PDF structure ({type(exc).__name__})") from None
        if not sigs:
            manifest = _parse(blob_now, name, report) if blob_now is not None else None
            report.manifest = manifest
            if manifest is not None and manifest.get("draft") is True:
                report.draft = True
                report.problems.append(DRAFT)
            elif manifest is not None:
                report.problems.append("not signed: the signature is missing (stripped?), yet the manifest "
                                       "says this is a final package")
            else:
                report.problems.append("not signed, and no bidkit manifest: not a bidkit package")
            return report
        report.signed = True
        first = sigs[0]
        signed_end = _revision_end(first)
        if len(sigs) > 1:
            others = ", ".join(_subject(s.signer_cert) for s in sigs[1:])
            report.problems.append(f"signed again after sealing: {len(sigs) - 1} more signature(s) by {others}")
        _check_signature(first, trusted, report, ca)
        if signed_end < len(data):
            report.problems.extend(_after_signing(data, signed_end, latest, blob_now, len(sigs) > 1))
        elif report.coverage not in (None, SignatureCoverageLevel.ENTIRE_FILE.name):
            report.problems.append(f"signature does not cover the entire file (coverage: {report.coverage})")
        # the signed revision's manifest is the authentic one; the reader's current view is checked against it
        try:
            signed_pdf = pikepdf.open(io.BytesIO(data[:signed_end]))
        except pikepdf.PdfError:
            report.problems.append("the signed revision cannot be read")
            return report
        with signed_pdf:
            blob_signed = embed.read_manifest(signed_pdf)
        manifest = _parse(blob_signed, name, report)
        report.manifest = manifest
        if manifest is None:
            return report
        if manifest.get("draft") is True:
            report.draft = True
            report.problems.append("a draft package was signed: drafts are not for submission")
        recorded = manifest.get("signer")
        if isinstance(recorded, dict) and recorded.get("sha256") != report.signer_sha256:
            named = str(recorded.get("sha256"))[:16]
            report.problems.append(f"manifest: it names the signer certificate sha256 {named}…, the signature is "
                                   f"by sha256 {str(report.signer_sha256)[:16]}…")
        ranges = mf.page_ranges(manifest, report.pages)
        try:
            digests = embed.page_digests(latest, ranges)
        except (pikepdf.PdfError, RecursionError, ValueError):
            report.problems.append("the pages cannot be read to compare them with the manifest")
            return report
        report.problems.extend(mf.check_manifest(manifest, report.pages, digests))
    return report


_REPR = re.compile(r"^(stream |file )?<[^<>]*\bobject at 0x[0-9a-fA-F]+>:?\s*|<[^<>]*\bobject at 0x[0-9a-fA-F]+>")


def _pdf_reason(exc: Exception) -> str:
    """qpdf's reason without the name it gives an in-memory file (``<_io.BytesIO object at 0x…>``)."""
    lines = str(exc).splitlines() or [type(exc).__name__]
    return _REPR.sub("", lines[0]).strip()[-100:] or type(exc).__name__


def _parse(blob: bytes | None, name: str, report: Report) -> dict[str, Any] | None:
    if blob is None:
        report.problems.append("no bidkit manifest embedded (bidkit-manifest.json)")
        return None
    try:
        return mf.parse_manifest(blob, name)
    except IntegrityError as exc:
        report.problems.append(exc.message.removeprefix(f"{name}: "))
        return None


def _revision_end(sig: Any) -> int:
    br = list(sig.byte_range)
    return int(br[2]) + int(br[3])


def _when(value: Any) -> datetime.datetime:
    moment = value if isinstance(value, datetime.datetime) else datetime.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


_TIME_INDICATIONS = ("OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED", "EXPIRED", "NOT_YET_VALID")
_UNTRUSTED = {"NO_CERTIFICATE_CHAIN_FOUND": "no chain to them", "REVOKED": "a certificate of the chain is revoked",
              "CHAIN_CONSTRAINTS_FAILURE": "the chain breaks a CA constraint"}


def _check_signature(sig: Any, trusted: list[asn1_x509.Certificate], report: Report, ca: bool) -> None:
    cert = sig.signer_cert
    report.signer = _subject(cert)
    report.signer_sha256 = _fingerprint(cert)
    report.issuer = _subject_of(cert.issuer)
    validity = cert["tbs_certificate"]["validity"]
    start, end = _when(validity["not_before"].native), _when(validity["not_after"].native)
    report.valid_from, report.valid_to = _utc(start), _utc(end)
    claimed = sig.self_reported_timestamp
    # no timestamp authority: the chain is validated as of the time the signer claims, offline
    roots, intermediates = list(trusted), []
    if ca:  # a CA's chain file: its self-signed certificates are the roots, the others help build the path
        selfsigned = [c for c in trusted if c.subject == c.issuer]
        if selfsigned:
            roots, intermediates = selfsigned, [c for c in trusted if c.subject != c.issuer]
    context = ValidationContext(trust_roots=roots, other_certs=intermediates, allow_fetching=False,
                                moment=_when(claimed) if claimed is not None else None)
    try:
        status = validate_pdf_signature(sig, context, skip_diff=True)
    except (HankoPdfError, ValueError, KeyError, TypeError) as exc:
        report.problems.append(f"signature unreadable ({type(exc).__name__})")
        return
    report.coverage = status.coverage.name if status.coverage is not None else None
    if status.signer_reported_dt is not None:
        report.signed_at = status.signer_reported_dt.isoformat()
    if not status.intact:
        report.problems.append("signature broken: the signed bytes were changed after signing")
        return
    if not status.valid:
        report.problems.append("signature invalid: it does not match the signer's certificate")
        return
    if status.validation_path is not None:
        report.chain = [_subject(c) for c in reversed(list(status.validation_path.iter_certs(include_root=True)))]
    outside = False
    if status.signer_reported_dt is not None:
        signed = _when(status.signer_reported_dt)
        report.signed_within_validity = start <= signed <= end
        if not report.signed_within_validity:
            outside = True
            report.problems.append(f"signed at {_utc(signed)} (signer's clock), outside the signer certificate's "
                                   f"validity {report.valid_from} – {report.valid_to}")
    names = "; ".join(_subject(c) for c in (roots if ca else trusted))
    if ca:
        if not status.trusted:
            indication = getattr(status.trust_problem_indic, "name", None)
            if not (outside and indication in _TIME_INDICATIONS):
                why = _UNTRUSTED.get(str(indication)) or (
                    "a certificate of the chain was not valid at the signing time"
                    if indication in _TIME_INDICATIONS else str(indication or "not trusted"))
                report.problems.append(f"signed by {report.signer}, issued by {report.issuer}: not trusted by the "
                                       f"CA root(s) {names} ({why})")
        return
    exact = report.signer_sha256 in {_fingerprint(c) for c in trusted}
    self_signed = cert.subject == cert.issuer
    if not (exact or (status.trusted and not self_signed)):
        report.problems.append(f"signed by an untrusted certificate: {report.signer} "
                               f"(sha256 {report.signer_sha256[:16]}…), not the trusted {names}")


def _after_signing(data: bytes, end: int, latest: pikepdf.Pdf, blob_now: bytes | None, resigned: bool) -> list[str]:
    """Name what follows the signed revision."""
    tail = data[end:]
    if not _XREF_MARK.search(tail):
        return [f"changed after signing: {len(tail)} bytes appended after the end of the signed file (%%EOF)"]
    try:
        signed = pikepdf.open(io.BytesIO(data[:end]))
    except pikepdf.PdfError:
        return ["changed after signing: an incremental update was appended"]
    found: list[str] = []
    with signed:
        before, after = len(signed.pages), len(latest.pages)
        if after > before:
            found.append(f"changed after signing: {after - before} page(s) added in an incremental update")
        elif after < before:
            found.append(f"changed after signing: {before - after} page(s) removed in an incremental update")
        # a signing tool stamps the metadata's modification time (to the second): with another signature
        # appended that is expected, and the extra signature is reported already
        if not resigned and (_info(signed) != _info(latest) or _xmp(signed) != _xmp(latest)):
            found.append("changed after signing: document information (metadata) updated in an incremental update")
        blob_signed = embed.read_manifest(signed)
        if blob_signed is not None and blob_now is None:
            found.append("changed after signing: the embedded manifest was removed in an incremental update")
        elif blob_signed != blob_now:
            found.append("changed after signing: the embedded manifest was replaced in an incremental update")
    if not found and not resigned:
        found.append(f"changed after signing: an incremental update of {len(tail)} bytes was appended")
    return found


def _info(pdf: pikepdf.Pdf) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in pdf.docinfo.items()}
    except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
        return {}


def _xmp(pdf: pikepdf.Pdf) -> bytes:
    try:
        meta = pdf.Root.get("/Metadata")
        return bytes(meta.read_bytes()) if isinstance(meta, pikepdf.Stream) else b""
    except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
        return b""
