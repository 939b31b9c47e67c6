"""Read a public certificate (PEM or DER) without any secret: its SHA-256 fingerprint, subject and issuer, as
:meth:`bidkit.adapters.pdf.sign.Signer.identity` gives them for the certificate that signs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

MAX_CERT_BYTES = 1024 * 1024


def identity(path: Path) -> dict[str, str] | None:
    """The first certificate in ``path`` (PEM or DER), or None when there is none or it cannot be read."""
    try:
        data = path.read_bytes()[:MAX_CERT_BYTES]
        cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except (OSError, ValueError):
        return None
    der = cert.public_bytes(Encoding.DER)
    return {"sha256": hashlib.sha256(der).hexdigest(), "subject": cert.subject.rfc4514_string(),
            "issuer": cert.issuer.rfc4514_string()}
