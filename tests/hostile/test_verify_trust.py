"""Issue 13 item 11, verify trusts too easily: a certificate that expired 400 days ago (or is not valid yet) does
not sign; verify reports the certificate's validity; a package re-signed with a look-alike self-made certificate
(same subject, a ``keys/*.crt`` of it beside the package) does not verify "ok" — trust comes only from --trust,
the workspace's configured certificate or the company trust file — and against the real workspace it is refused
in one line; a truncated package gets a message without object reprs. No traceback anywhere."""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from bidkit.adapters.pdf import sign
from bidkit.core.errors import SecretError
from tests.helpers import DEMO_ENV, SAMPLE, Result, needs_soffice, snapshot
from tests.signkit import PASSWORD, make_cert, sealed_package

REAL_CRT = SAMPLE / "keys" / "DEMO-company-cert.crt"


def look_alike(folder: Path, stem: str, *, days_from: int = -1, days_to: int = 365,
               secret: str = PASSWORD) -> tuple[Path, Path]:
    """A self-made certificate with exactly the subject (and issuer) of the sample's company certificate, valid
    from ``days_from`` to ``days_to`` days from now: the .p12 and the .crt."""
    real = x509.load_pem_x509_certificate(REAL_CRT.read_bytes())
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=days_from))
            .not_valid_after(now + datetime.timedelta(days=days_to))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    p12, crt = folder / f"{stem}.p12", folder / f"{stem}.crt"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"look-alike", key, cert, None, serialization.BestAvailableEncryption(secret.encode())))
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, crt


def one_line(r: Result, code: int) -> str:
    assert r.code == code, r.err
    assert len(r.err_lines) == 1 and r.err_lines[0].startswith("error: "), r.err
    assert "Traceback" not in r.err and " object at 0x" not in r.err and "<_io." not in r.err
    assert "ok:" not in r.out
    return r.err_lines[0]


# --- signing with a certificate outside its validity --------------------------------------------------------


@pytest.mark.parametrize(("days_from", "days_to", "says"), [(-765, -400, "certificate expired on"),
                                                             (30, 400, "certificate not valid before")])
def test_a_certificate_outside_its_validity_does_not_sign(tmp_path: Path, days_from: int, days_to: int,
                                                          says: str) -> None:
    p12, _ = look_alike(tmp_path / "keys", "cert", days_from=days_from, days_to=days_to)
    with pytest.raises(SecretError) as err:
        sign.load_signer(p12, "keys/cert.p12", prompter=lambda _p: PASSWORD)
    assert err.value.message.startswith(f"keys/cert.p12: {says} ")
    assert "nothing was signed" in err.value.message


@pytest.mark.slow
@needs_soffice()
def test_assemble_with_an_expired_certificate_writes_no_package(packaged_ws: Path, cli: Callable[..., Result]
                                                                ) -> None:
    """The sample's company certificate replaced by one that expired 400 days ago (the lock stays open: keys are
    not an input of the book): the assembly is refused in one line and build/ keeps only what it had."""
    look_alike(packaged_ws / "keys", "DEMO-company-cert", days_from=-765, days_to=-400,
               secret=DEMO_ENV["BIDKIT_SIGN_PASSWORD"])
    before = {k: v for k, v in snapshot(packaged_ws / "build").items() if not k.startswith("cache/")}
    line = one_line(cli("assemble", packaged_ws), 7)
    assert line.startswith("error: bidkit.yaml signing.certificate keys/DEMO-company-cert.p12: certificate expired on")
    after = {k: v for k, v in snapshot(packaged_ws / "build").items() if not k.startswith("cache/")}
    assert after == before


# --- what verify trusts -------------------------------------------------------------------------------------


def test_verify_reports_the_certificate_validity(tmp_path: Path, cli: Callable[..., Result]) -> None:
    p12, crt = make_cert(tmp_path / "keys")
    pkg, _ = sealed_package(tmp_path, p12)
    cert = x509.load_pem_x509_certificate(crt.read_bytes())
    r = cli("verify", pkg, "--trust", crt)
    assert r.code == 0, r.err
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    assert f"valid {start:%Y-%m-%d %H:%M} UTC – {end:%Y-%m-%d %H:%M} UTC; signed within it" in r.out


def test_a_look_alike_certificate_beside_the_package_is_not_trusted(tmp_path: Path, sample_ws: Path,
                                                                    cli: Callable[..., Result]) -> None:
    """The forger signs with a self-made certificate of the company's exact subject and leaves its .crt beside
    the package (in keys/, as a workspace has it; also in a build/ folder)."""
    fake_p12, fake_crt = look_alike(tmp_path / "forger", "DEMO-company-cert")
    made, _ = sealed_package(tmp_path / "forger", fake_p12)
    for where in (tmp_path / "evil", tmp_path / "evil2" / "build"):
        where.mkdir(parents=True)
        pkg = where / "JL-2026-031-v1-9.pdf"
        shutil.copy(made, pkg)
        for keys in (where / "keys", where.parent / "keys"):
            keys.mkdir(exist_ok=True)
            shutil.copy(fake_crt, keys / "DEMO-company-cert.crt")
        line = one_line(cli("verify", pkg), 3)
        assert line.startswith(f"error: {pkg}: no certificate to trust; give it with --trust")
        # against the real workspace and its certificate: refused in one line, naming the signer
        for args in (("--workspace", sample_ws), ("--trust", REAL_CRT)):
            line = one_line(cli("verify", pkg, *args), 6)
            assert line.startswith(f"error: {pkg}: signed by an untrusted certificate: CN=DEMO 江临智安科技有限公司 — "
                                   "NOT FOR REAL BIDS (sha256 "), line
        # the forger's own certificate, given explicitly, is what --trust means: trusted by name, shown in full
        r = cli("verify", pkg, "--trust", fake_crt)
        assert r.code == 0 and f"trusted via {fake_crt}" in r.out, r.err


@pytest.mark.parametrize("cut", ["half", "last 200 bytes", "first 2000 bytes", "first 10 bytes"])
def test_a_truncated_package_is_one_line(tmp_path: Path, cli: Callable[..., Result], cut: str) -> None:
    p12, crt = make_cert(tmp_path / "keys")
    pkg, _ = sealed_package(tmp_path, p12)
    data = pkg.read_bytes()
    size = {"half": len(data) // 2, "last 200 bytes": len(data) - 200, "first 2000 bytes": 2000,
            "first 10 bytes": 10}[cut]
    pkg.write_bytes(data[:size])
    r = cli("verify", pkg, "--trust", crt)
    assert r.code in (3, 6), r.err
    assert "Traceback" not in r.err and " object at 0x" not in r.err and "<_io." not in r.err
    assert r.out == "" or "ok:" not in r.out
    assert all(ln.startswith(("error: ", "  ")) for ln in r.err_lines), r.err
