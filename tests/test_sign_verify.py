"""Signing a package (real pyHanko, a certificate made by the test) and `bidkit verify` on good packages."""

from __future__ import annotations

import getpass
import json
import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from bidkit.adapters.pdf import embed, sign
from bidkit.core.errors import InputError, SecretError
from bidkit.core.manifest import parse_manifest
from bidkit.pipeline.signing import workspace_signer
from tests.helpers import Result
from tests.signkit import PASSWORD, make_cert, make_package, sealed_package

CN = "CN=TEST 测试科技有限公司 — NOT FOR REAL BIDS"


@pytest.fixture(autouse=True)
def _no_env_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sign.ENV, raising=False)


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return make_cert(tmp_path / "keys")


def test_sign_and_verify(tmp_path: Path, cert: tuple[Path, Path], cli: Callable[..., Result]) -> None:
    pkg, _manifest = sealed_package(tmp_path, cert[0])
    r = cli("verify", pkg, "--trust", cert[1])
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == f"ok: {pkg}"
    assert lines[1].startswith(f"signed by: {CN} (certificate sha256 ") and lines[1].endswith(f"via {cert[1]}")
    assert lines[3] == "signature: PAdES, intact, covers the entire file"
    assert lines[4] == "manifest: TEST-2026-001 v1, 5 entries, 10 pages, every entry's pages match their digests"
    assert r.err == ""


def test_signature_is_pades_and_manifest_embedded(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    pkg, manifest = sealed_package(tmp_path, cert[0])
    with pikepdf.open(pkg) as pdf:
        field = pdf.Root.AcroForm.Fields[0]
        assert str(field.T) == sign.FIELD_NAME
        assert field.V.SubFilter == pikepdf.Name("/ETSI.CAdES.detached")
        assert [float(x) for x in field.Rect] == [0, 0, 0, 0]  # invisible
        blob = embed.read_manifest(pdf)
        spec = pdf.Root.Names.EmbeddedFiles.Names[1]
        assert spec.AFRelationship == pikepdf.Name.Data
    assert blob is not None and parse_manifest(blob, "x") == manifest
    assert all(e["pages_sha256"] for e in manifest["entries"])


def test_json_report(tmp_path: Path, cert: tuple[Path, Path], cli: Callable[..., Result]) -> None:
    pkg, _ = sealed_package(tmp_path, cert[0])
    r = cli("verify", pkg, "--trust", cert[1], "--json")
    assert r.code == 0, r.err
    report = json.loads(r.out)
    assert report["ok"] is True and report["problems"] == [] and report["signed"] is True
    assert report["coverage"] == "ENTIRE_FILE" and report["pages"] == 10 and report["signer"] == CN
    assert [e["name"] for e in report["entries"]][:3] == ["cover", "commercial_part", "technical_part"]


def test_draft_is_reported_as_draft(tmp_path: Path, cert: tuple[Path, Path], cli: Callable[..., Result]) -> None:
    pkg = tmp_path / "TEST-2026-001-v1-draft-1.pdf"
    manifest = sign.seal(pkg, make_package(pkg, draft=True), None)
    assert manifest["draft"] is True and manifest["approval"] is None
    r = cli("verify", pkg, "--trust", cert[1])
    assert (r.code, r.err_lines) == (6, [f"error: {pkg}: draft package: not signed, not for submission"])


def test_verify_uses_the_workspace_certificate(
    sample_ws: Path, cli: Callable[..., Result],
) -> None:
    p12, _crt = make_cert(sample_ws / "keys", stem="company")
    config = sample_ws / "bidkit.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("keys/DEMO-company-cert.p12", "keys/company.p12"),
                      encoding="utf-8")
    (sample_ws / "build").mkdir(exist_ok=True)
    pkg, _ = sealed_package(sample_ws / "build", p12)
    r = cli("verify", pkg)
    assert r.code == 0, r.err
    assert r.out.splitlines()[1].endswith(f"trusted via {sample_ws.name}/keys/company.crt")


def test_workspace_signer_reads_the_password_from_env(
    sample_ws: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bidkit.store.workspace import load

    make_cert(sample_ws / "keys", stem="company")
    config = sample_ws / "bidkit.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("keys/DEMO-company-cert.p12", "keys/company.p12"),
                      encoding="utf-8")
    ws = load(sample_ws)
    monkeypatch.setenv(sign.ENV, PASSWORD)
    signer = workspace_signer(ws, prompter=lambda _p: pytest.fail("asked although the env var is set"))
    assert signer is not None and "TEST" in signer.subject
    monkeypatch.setenv(sign.ENV, "wrong")
    with pytest.raises(SecretError) as info:
        workspace_signer(ws)
    assert info.value.message == ("bidkit.yaml signing.certificate keys/company.p12: wrong certificate password "
                                  "(or a damaged PKCS#12 file)")


def test_signing_config_absent_keeps_approval_digests(sample_ws: Path) -> None:
    """A workspace without a signing section hashes exactly as before the field existed."""
    from bidkit.store.workspace import load

    config = sample_ws / "bidkit.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"^signing:\n(  .*\n)+", "", text, flags=re.M), encoding="utf-8")
    dumped = load(sample_ws).data.config.model_dump(mode="json")
    assert "signing" not in dumped


def test_password_sources(tmp_path: Path, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    signer = sign.load_signer(cert[0], "c.p12", prompter=lambda p: asked.append(p) or PASSWORD)
    assert asked == ["证书密码 (password of c.p12): "] and signer.subject.endswith("NOT FOR REAL BIDS")
    with pytest.raises(SecretError) as info:
        sign.load_signer(cert[0], "c.p12", prompter=lambda _p: "")
    assert info.value.message == "c.p12: empty certificate password refused"
    with pytest.raises(SecretError) as info:
        sign.load_signer(cert[0], "c.p12", prompter=lambda _p: "nope")
    assert info.value.message == "c.p12: wrong certificate password (or a damaged PKCS#12 file)"
    monkeypatch.setitem(sign.PROMPT, "ask", lambda _p: PASSWORD)
    assert sign.load_signer(cert[0], "c.p12").subject == signer.subject


@pytest.mark.parametrize(("content", "message"), [
    (None, "x.p12: signing certificate not found (make a test one with bidkit keys cert)"),
    (b"%PDF-1.7 not a key", "x.p12: not a PKCS#12 (.p12/.pfx) file"),
])
def test_bad_certificate_file(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "x.p12"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputError) as info:
        sign.load_signer(path, "x.p12", prompter=lambda _p: PASSWORD)
    assert info.value.message == message


def test_keys_cert(tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(sign.ENV, "pw-for-test")
    out = tmp_path / "certs"
    r = cli("keys", "cert", "--out", out, "--name", "测试科技有限公司")
    assert r.code == 0, r.err
    assert r.out.splitlines()[0] == ("certificate: OU=TEST ONLY 测试证书,O=测试科技有限公司,"
                                     "CN=TEST 测试科技有限公司 — NOT FOR REAL BIDS")
    p12, crt = out / "TEST-company-cert.p12", out / "TEST-company-cert.crt"
    signer = sign.load_signer(p12, "p12")
    assert "NOT FOR REAL BIDS" in signer.subject
    assert crt.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    r = cli("keys", "cert", "--out", out)
    assert (r.code, r.err_lines) == (8, [f"error: {p12}: exists already and is never overwritten"])


def test_keys_cert_password_is_asked_twice(tmp_path: Path, cli: Callable[..., Result],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["one", "two"])
    monkeypatch.setitem(sign.PROMPT, "ask", lambda _p: next(answers))
    r = cli("keys", "cert", "--out", tmp_path / "c")
    assert (r.code, r.err_lines) == (7, ["error: the two passwords differ; nothing was written"])
    assert not (tmp_path / "c").exists()


def test_password_is_never_an_option(cli: Callable[..., Result], tmp_path: Path) -> None:
    r = cli("keys", "cert", "--out", tmp_path, "--password", "x")
    assert (r.code, r.err_lines) == (7, ["error: --password: secrets are never given on the command line (shell "
                                         "history, process list); set BIDKIT_PRICE_PASSPHRASE or "
                                         "BIDKIT_SIGN_PASSWORD, or type it at the prompt"])


def test_verify_needs_a_certificate_to_trust(tmp_path: Path, cert: tuple[Path, Path],
                                             cli: Callable[..., Result]) -> None:
    pkg, _ = sealed_package(tmp_path, cert[0])
    r = cli("verify", pkg)
    assert (r.code, r.err_lines) == (3, [f"error: {pkg}: no certificate to trust; give it with --trust CERT.crt or "
                                         "--ca ROOT.pem (or --workspace DIR whose bidkit.yaml names "
                                         "signing.certificate)"])
    r = cli("verify", pkg, "--trust", cert[0])
    assert (r.code, r.err_lines) == (3, [f"error: {cert[0]}: not an X.509 certificate (PEM or DER; a .p12 holds "
                                         "the private key, give its .crt)"])


def test_verify_refuses_non_pdf(tmp_path: Path, cert: tuple[Path, Path], cli: Callable[..., Result]) -> None:
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"\x89PNG\r\n\x1a\n")
    r = cli("verify", fake, "--trust", cert[1])
    assert (r.code, r.err_lines) == (3, [f"error: {fake}: not a PDF file"])


def test_signed_package_leaks_no_paths_or_user_names(tmp_path: Path, cert: tuple[Path, Path]) -> None:
    pkg, _ = sealed_package(tmp_path, cert[0])
    with pikepdf.open(pkg) as pdf:
        info = " ".join(f"{k}={v}" for k, v in pdf.docinfo.items())
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8") if "/Metadata" in pdf.Root else ""
        blob = (embed.read_manifest(pdf) or b"").decode("utf-8")
    user = getpass.getuser()
    for text in (info, xmp, blob):
        assert str(tmp_path) not in text and str(Path.home()) not in text and "/tmp/" not in text
        assert not (len(user) > 2 and user in text)
        assert "\\" not in text and "file:" not in text


def test_sample_demo_certificate() -> None:
    """The sample ships a DEMO certificate with a public password, marked so in its subject."""
    from tests.helpers import SAMPLE

    p12 = SAMPLE / "keys" / "DEMO-company-cert.p12"
    signer = sign.load_signer(p12, "demo", prompter=lambda _p: "demo-only-password")
    assert signer.subject == ("OU=DEMO ONLY 演示证书,O=江临智安科技有限公司,"
                              "CN=DEMO 江临智安科技有限公司 — NOT FOR REAL BIDS")
    crt = (SAMPLE / "keys" / "DEMO-company-cert.crt").read_text()
    assert crt.startswith("-----BEGIN CERTIFICATE-----") and "PRIVATE KEY" not in crt
