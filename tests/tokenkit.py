"""A real PKCS#11 token for the tests: SoftHSM2 initialised in a temporary folder, a test CA made with
`cryptography`, signing keys generated ON the token and certificates the CA issues for them.

    ca = TestCA.make()                                   # root (and an intermediate) CA, in memory
    tok = SoftToken.make(tmp_path, monkeypatch)          # SOFTHSM2_CONF → tmp folder; token 'BIDKIT-TEST'
    tok.add_key("company-sign", ca.issue)                # RSA key on the token + its certificate on the token

`needs_softhsm()` skips when SoftHSM2 is missing, except in CI (CI set), where that fails, as `needs_soffice()`.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

MODULE_CANDIDATES = ("/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
LABEL = "BIDKIT-TEST"
PIN = "246810"
SO_PIN = "13579111"
NOW = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
DAY = datetime.timedelta(days=1)


def softhsm_module() -> str | None:
    return next((m for m in MODULE_CANDIDATES if Path(m).is_file()), None)


def needs_softhsm() -> pytest.MarkDecorator:
    """Skip when SoftHSM2 is missing, except in CI where a missing SoftHSM2 is a failure."""
    have = softhsm_module() is not None and _util() is not None
    if not have and os.environ.get("CI"):
        pytest.fail("SoftHSM2 (softhsm2-util, libsofthsm2.so) is missing in CI: run ./setup.sh", pytrace=False)
    return pytest.mark.skipif(not have, reason="SoftHSM2 not installed")


def _util() -> str | None:
    import shutil

    return shutil.which("softhsm2-util")


def _name(cn: str, label: str = "TEST") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"{label} ONLY")])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass
class TestCA:
    """A root CA and an intermediate CA (TEST ONLY) that issue the signer certificates."""

    root_key: rsa.RSAPrivateKey
    root: x509.Certificate
    key: rsa.RSAPrivateKey  # the intermediate's, which issues
    cert: x509.Certificate

    __test__ = False  # not a pytest class

    label: str = "TEST"

    @classmethod
    def make(cls, name: str = "TEST 根 CA", label: str = "TEST") -> TestCA:
        """``label`` marks every name (TEST, or DEMO for tools/demo_token.py): never a real CA."""
        root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root = cls._ca_cert(_name(name, label), root_key, _name(name, label), root_key.public_key(), path_length=1)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        inter = cls._ca_cert(_name(f"{label} 中级 CA", label), root_key, _name(name, label), key.public_key(),
                             path_length=0)
        return cls(root_key, root, key, inter, label)

    @staticmethod
    def _ca_cert(subject: x509.Name, signing_key: Any, issuer: x509.Name, public: Any,
                 path_length: int) -> x509.Certificate:
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(NOW - 400 * DAY).not_valid_after(NOW + 3650 * DAY)
                .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False, key_agreement=False,
                                             key_cert_sign=True, crl_sign=True, encipher_only=False,
                                             decipher_only=False), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
                .sign(signing_key, hashes.SHA256()))

    def issue(self, public: Any, cn: str = "TEST 测试科技有限公司 签名", *, not_before: datetime.datetime | None = None,
              not_after: datetime.datetime | None = None, encryption: bool = False) -> x509.Certificate:
        """A signer certificate for ``public`` (or an encryption one), issued by the intermediate."""
        usage = x509.KeyUsage(digital_signature=not encryption, content_commitment=not encryption,
                              key_encipherment=encryption, data_encipherment=False, key_agreement=False,
                              key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False)
        return (x509.CertificateBuilder().subject_name(_name(cn, self.label)).issuer_name(self.cert.subject)
                .public_key(public)
                .serial_number(x509.random_serial_number())
                .not_valid_before(not_before or NOW - DAY).not_valid_after(not_after or NOW + 365 * DAY)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(usage, critical=True)
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                               critical=False)
                .sign(self.key, hashes.SHA256()))

    def chain_pem(self) -> bytes:
        """The intermediate and the root, as the CA hands them out (signing.pkcs11.chain)."""
        return _pem(self.cert) + _pem(self.root)

    def root_pem(self) -> bytes:
        return _pem(self.root)


Issuer = Callable[..., x509.Certificate]


@dataclass
class SoftToken:
    """A SoftHSM2 token in its own temporary folder (SOFTHSM2_CONF set by monkeypatch)."""

    module: str
    label: str
    pin: str
    folder: Path
    keys: dict[str, x509.Certificate] = field(default_factory=dict)

    @classmethod
    def make(cls, tmp: Path, monkeypatch: pytest.MonkeyPatch, label: str = LABEL, pin: str = PIN) -> SoftToken:
        return cls.create(tmp / "softhsm", label, pin, setenv=monkeypatch.setenv)

    @classmethod
    def create(cls, folder: Path, label: str = LABEL, pin: str = PIN,
               setenv: Callable[[str, str], None] | None = None) -> SoftToken:
        """A SoftHSM2 configuration in ``folder`` (its tokens in ``folder/tokens``), SOFTHSM2_CONF pointing at
        it (through ``setenv``, else os.environ), and one initialised token."""
        module = softhsm_module()
        assert module is not None and _util() is not None, "SoftHSM2 is not installed (./setup.sh installs it)"
        folder = folder.absolute()
        (folder / "tokens").mkdir(parents=True)
        conf = folder / "softhsm2.conf"
        conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n"
                        "log.level = ERROR\nslots.removable = false\n", encoding="utf-8")
        (setenv or os.environ.__setitem__)("SOFTHSM2_CONF", str(conf))
        token = cls(module, label, pin, folder)
        token.init(label, pin)
        return token

    def init(self, label: str, pin: str) -> None:
        """Initialise one more token in this SoftHSM2 folder (test PINs on softhsm2-util's command line)."""
        util = _util()
        assert util is not None
        subprocess.run([util, "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", pin],
                       check=True, capture_output=True, env=os.environ.copy(), timeout=30)

    def session(self, label: str | None = None) -> Any:
        """A read-write user session on the token (a context manager that also releases the module)."""
        from contextlib import contextmanager

        from bidkit.adapters.pdf import token as adapter

        @contextmanager
        def opened() -> Any:
            lib = adapter._open_module(self.module, "test")
            try:
                tok = lib.get_token(token_label=label or self.label)
                with tok.open(rw=True, user_pin=self.pin) as s:
                    yield s
            finally:
                adapter._release_module(self.module, lib)

        return opened()

    def add_key(self, label: str, issue: Issuer | None, *, key_id: bytes | None = None, kind: str = "rsa",
                cert_label: str | None = None, **cert_args: Any) -> x509.Certificate | None:
        """Generate a key pair on the token (the private key never leaves it) and store the certificate
        ``issue(public_key, **cert_args)`` beside it (same ID; label ``cert_label`` or the key's)."""
        from pkcs11 import Attribute, KeyType, ObjectClass
        from pkcs11.util.ec import encode_named_curve_parameters
        from pkcs11.util.x509 import decode_x509_certificate

        kid = key_id or os.urandom(8)
        with self.session() as s:
            if kind == "rsa":
                pub, _priv = s.generate_keypair(KeyType.RSA, 2048, store=True, label=label, id=kid)
                public: Any = rsa.RSAPublicNumbers(int.from_bytes(pub[Attribute.PUBLIC_EXPONENT], "big"),
                                                   int.from_bytes(pub[Attribute.MODULUS], "big")).public_key()
            else:
                params = s.create_domain_parameters(KeyType.EC, {
                    Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
                pub, _priv = params.generate_keypair(store=True, label=label, id=kid)
                from asn1crypto.core import OctetString

                point = OctetString.load(bytes(pub[Attribute.EC_POINT])).native
                public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
            if issue is None:
                return None
            cert = issue(public, **cert_args)
            attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
            attrs.update({Attribute.TOKEN: True, Attribute.LABEL: cert_label or label, Attribute.ID: kid,
                          Attribute.CLASS: ObjectClass.CERTIFICATE})
            s.create_object(attrs)
        self.keys[label] = cert
        return cert

    def add_certificate(self, label: str, cert: x509.Certificate, key_id: bytes) -> None:
        from pkcs11 import Attribute
        from pkcs11.util.x509 import decode_x509_certificate

        with self.session() as s:
            attrs = decode_x509_certificate(cert.public_bytes(serialization.Encoding.DER))
            attrs.update({Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: key_id})
            s.create_object(attrs)


def pkcs11_config(token: SoftToken, key: str, chain: str | None = "keys/ca-chain.pem") -> str:
    """The bidkit.yaml ``signing:`` section for a key on ``token``."""
    lines = ["signing:", "  pkcs11:", f"    module: {token.module}", f"    token: {token.label}", f"    key: {key}"]
    if chain:
        lines.append(f"    chain: {chain}")
    return "\n".join(lines) + "\n"


def use_token(ws: Path, token: SoftToken, key: str, ca: TestCA | None, chain: str | None = "keys/ca-chain.pem") -> None:
    """Point the workspace ``ws`` at ``key`` on ``token`` (and write the CA chain into it)."""
    import re

    config = ws / "bidkit.yaml"
    text = re.sub(r"^signing:\n(  .*\n)+", "", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text.rstrip("\n") + "\n" + pkcs11_config(token, key, chain), encoding="utf-8")
    if ca is not None and chain:
        (ws / chain).parent.mkdir(parents=True, exist_ok=True)
        (ws / chain).write_bytes(ca.chain_pem())
