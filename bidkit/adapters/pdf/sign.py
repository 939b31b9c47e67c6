"""Sealing a package: page digests into the manifest, the manifest into the PDF, and a PAdES signature.

Interface (what :mod:`bidkit.pipeline.assemble` calls)::

    signer = load_signer(p12_path, display, prompter=None)   # or a token's: bidkit.adapters.pdf.token
    manifest = seal(pdf_path, manifest, signer)     # signer None: manifest only (drafts); returns the manifest
                                                    # with page digests, as embedded; replaces pdf_path atomically
    signer.close()

The PKCS#12 password comes from ``$BIDKIT_SIGN_PASSWORD`` or the prompter, never from the command line; a
certificate that is expired, not yet valid or not for signing is refused (:func:`check_certificate`). The
signature is PAdES baseline B-B (``/ETSI.CAdES.detached``, SHA-256), in an invisible field named
``bidkit-signature``, written by pyHanko as one incremental revision together with the embedded manifest.
"""

from __future__ import annotations

import datetime
import getpass
import hashlib
import io
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError as HankoPdfError
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

from bidkit.adapters.pdf import embed
from bidkit.core import manifest as mf
from bidkit.core.errors import InputError, OutputError, SecretError, ToolError

ENV = "BIDKIT_SIGN_PASSWORD"
FIELD_NAME = "bidkit-signature"
MAX_P12 = 1024 * 1024

Prompter = Callable[[str], str]


def _default_prompt(text: str) -> str:
    if not sys.stdin.isatty():
        raise SecretError(f"no certificate password: set {ENV} or run on a terminal to be asked")
    return getpass.getpass(text)


PROMPT: dict[str, Prompter] = {"ask": _default_prompt}  # tests put their own prompter here


def password(display: str, prompter: Prompter | None = None) -> str:
    """The PKCS#12 password: ``$BIDKIT_SIGN_PASSWORD`` or the prompter (never a command-line argument)."""
    value = os.environ.get(ENV)
    if value is None:
        value = (prompter or PROMPT["ask"])(f"证书密码 (password of {display}): ")
    if not value:
        raise SecretError(f"{display}: empty certificate password refused")
    return value


class _KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, keeping its private key loaded: SimpleSigner parses the key again for every
    signature (twice per PDF, ~36 ms each for RSA with OpenSSL 3's key checks). RSA PKCS#1 v1.5 signs with the
    kept key; any other mechanism goes to pyHanko as before."""

    def __init__(self, simple: signers.SimpleSigner, key: Any) -> None:
        super().__init__(signing_cert=simple.signing_cert, signing_key=simple.signing_key,
                         cert_registry=simple.cert_registry, signature_mechanism=simple.signature_mechanism)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash

        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = ""
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), digest)
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class Signer:
    """A loaded signing key and its certificate, wherever the key lives (a PKCS#12 file, a PKCS#11 token):
    ``subject`` is the certificate's subject for messages, ``close`` releases what holds the key (a token
    session); :meth:`identity` is what the manifest records of it."""

    signer: signers.Signer
    subject: str
    display: str
    certificate: bytes  # DER
    closer: Callable[[], None] | None = None

    def identity(self) -> dict[str, str]:
        """The certificate's SHA-256 fingerprint, subject and issuer (public; never a key or a PIN)."""
        from cryptography import x509

        cert = x509.load_der_x509_certificate(self.certificate)
        return {"sha256": hashlib.sha256(self.certificate).hexdigest(), "subject": cert.subject.rfc4514_string(),
                "issuer": cert.issuer.rfc4514_string()}

    def close(self) -> None:
        if self.closer is not None:
            self.closer()


def check_certificate(cert: Any, display: str, now: datetime.datetime | None = None) -> None:
    """Refuse a certificate that cannot sign now (a ``cryptography`` certificate): not yet valid, expired, or
    one whose key usage excludes signing (a CA token's encryption certificate)."""
    from cryptography import x509

    moment = now or datetime.datetime.now(datetime.UTC)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    period = f"valid {start:%Y-%m-%d} – {end:%Y-%m-%d}"
    if moment > end:
        raise SecretError(f"{display}: certificate expired on {end:%Y-%m-%d %H:%M} UTC ({period}); nothing was "
                          "signed: renew it with the CA")
    if moment < start:
        raise SecretError(f"{display}: certificate not valid before {start:%Y-%m-%d %H:%M} UTC ({period}); "
                          "nothing was signed")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return
    if not (usage.digital_signature or usage.content_commitment):
        raise SecretError(f"{display}: the certificate's key usage does not allow signing (an encryption "
                          "certificate?); choose the signing certificate")


def load_signer(path: Path, display: str, *, prompter: Prompter | None = None) -> Signer:
    """Load the key and certificate of a PKCS#12 file; SecretError for a wrong password."""
    try:
        if path.stat().st_size > MAX_P12:
            raise InputError(f"{display}: too large for a PKCS#12 certificate file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{display}: signing certificate not found (make a test one with bidkit keys cert)") from None
    except OSError as exc:
        raise InputError(f"{display}: cannot read the signing certificate ({exc.strerror or exc})") from None
    if not data.startswith(b"\x30"):
        raise InputError(f"{display}: not a PKCS#12 (.p12/.pfx) file")
    secret = password(display, prompter).encode("utf-8")
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        raise SecretError(f"{display}: wrong certificate password (or a damaged PKCS#12 file)") from None
    if key is None or cert is None:
        raise InputError(f"{display}: the PKCS#12 file holds no private key and certificate")
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    # what SimpleSigner.load_pkcs12_data builds, from the key and certificate already decrypted above
    simple = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
             for c in others or []]),
    )
    check_certificate(cert, display)
    return Signer(_KeptKeySigner(simple, key), cert.subject.rfc4514_string(), display,
                  cert.public_bytes(serialization.Encoding.DER))


def seal(path: Path, manifest: dict[str, Any], signer: Signer | None) -> dict[str, Any]:
    """Add page digests to ``manifest``, embed it and sign (unless ``signer`` is None); replace ``path``."""
    try:
        with pikepdf.open(path) as pdf:
            total = len(pdf.pages)
            ranges = mf.page_ranges(manifest, total)
            digests = embed.page_digests(pdf, ranges)
    except pikepdf.PdfError as exc:
        raise ToolError(f"{path.name}: composed package unreadable ({str(exc)[-100:]})") from None
    final = mf.with_page_digests(manifest, digests)
    problems = mf.check_manifest(final, total, digests)
    if problems:  # a bug in the caller's page ranges, not the user's input
        raise ToolError(f"{path.name}: manifest does not match the package ({problems[0]})")
    blob = mf.manifest_json(final)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".sign", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with open(path, "rb") as src, os.fdopen(fd, "wb") as out:
            _write_revision(src, out, blob, signer)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the signed package ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _write_revision(src: io.BufferedReader, out: io.BufferedWriter, blob: bytes, signer: Signer | None) -> None:
    try:
        writer = IncrementalPdfFileWriter(src, strict=False)
        embed.add_manifest(writer, blob)
        if signer is None:
            writer.write(out)
            return
        meta = PdfSignatureMetadata(field_name=FIELD_NAME, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256")
        signers.PdfSigner(meta, signer.signer).sign_pdf(writer, output=out)
    except (HankoPdfError, ValueError, KeyError) as exc:
        raise ToolError(f"signing failed ({type(exc).__name__}: {str(exc)[:120]})") from None


def make_test_certificate(
    name: str, secret: str, *, label: str = "TEST", days: int = 365
) -> tuple[bytes, bytes, str]:
    """A self-signed certificate and RSA key for ``name``: (PKCS#12 bytes, certificate PEM, subject).

    The subject says ``label`` (TEST or DEMO) and NOT FOR REAL BIDS, so nobody mistakes it for a company
    certificate issued by a CA.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    if not secret:
        raise SecretError("empty certificate password refused")
    kind = "演示证书" if label == "DEMO" else "测试证书"
    tail = " — NOT FOR REAL BIDS"
    short = name
    while len(f"{label} {short}{tail}".encode()) > 64:  # X.509 caps a common name at 64 (UTF-8 bytes here)
        short = short[:-1]
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, f"{label} {short}{tail}"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{label} ONLY {kind}"),
    ])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        f"{label} {name}".encode(), key, cert, None, serialization.BestAvailableEncryption(secret.encode("utf-8"))
    )
    return p12, cert.public_bytes(serialization.Encoding.PEM), subject.rfc4514_string()
