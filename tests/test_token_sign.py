"""Signing with a key on a PKCS#11 token: a real SoftHSM2 token in a temporary folder, keys generated on it,
certificates issued by a test CA (cryptography). Only what SoftHSM2 cannot do (a locked PIN, the final try, a
token pulled out while signing) is injected, by wrapping python-pkcs11's objects at the adapter's boundary."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import TokenFlag

from bidkit.adapters.pdf import sign
from bidkit.adapters.pdf import token as adapter
from bidkit.adapters.pdf.verify import load_trusted
from bidkit.core.errors import InputError, SecretError, ToolError
from bidkit.pipeline.signing import workspace_signer
from bidkit.store.workspace import load
from tests.helpers import Result, line_no, needs_soffice
from tests.signkit import PASSWORD, make_package
from tests.tokenkit import DAY, NOW, PIN, SoftToken, TestCA, needs_softhsm, use_token

pytestmark = needs_softhsm()

CFG = "bidkit.yaml signing.pkcs11"
KEY = "company-sign"
SIGNER_CN = "CN=TEST 测试科技有限公司 签名"


@pytest.fixture(autouse=True)
def _no_env_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (adapter.PIN_ENV, sign.ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA.make()


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SoftToken:
    return SoftToken.make(tmp_path, monkeypatch)


@pytest.fixture
def keyed(token: SoftToken, ca: TestCA) -> SoftToken:
    token.add_key(KEY, ca.issue)
    return token


def _load(tok: SoftToken, key: str = KEY, pin: str = PIN, chain: list[Any] | None = None,
          asked: list[str] | None = None) -> sign.Signer:
    """The signer for ``key``; without ``chain`` the signature embeds no CA certificate."""
    def prompt(text: str) -> str:
        if asked is not None:
            asked.append(text)
        return pin

    return adapter.load_token_signer(tok.module, tok.label, key, chain=chain, display=CFG,
                                     chain_display="chain.pem", prompter=prompt)


def _secret(fn: Callable[[], Any]) -> str:
    with pytest.raises(SecretError) as info:
        fn()
    return info.value.message


@pytest.fixture
def roots(tmp_path: Path, ca: TestCA) -> Path:
    path = tmp_path / "root.pem"
    path.write_bytes(ca.root_pem())
    return path


def _sealed(tmp: Path, signer: sign.Signer, name: str = "TEST-2026-001-v1-1.pdf") -> tuple[Path, dict[str, Any]]:
    path = tmp / name
    manifest = make_package(path)
    try:
        return path, sign.seal(path, {**manifest, "signer": signer.identity()}, signer)
    finally:
        signer.close()


# --- signing and verifying with a CA-issued certificate on a token -------------------------------------------


def test_sign_with_token_and_verify_chain_to_ca_root(tmp_path: Path, keyed: SoftToken, ca: TestCA, roots: Path,
                                                     cli: Callable[..., Result]) -> None:
    (tmp_path / "chain.pem").write_bytes(ca.chain_pem())
    asked: list[str] = []
    signer = _load(keyed, asked=asked, chain=load_trusted(tmp_path / "chain.pem", "chain.pem"))
    assert asked == ["令牌 PIN (PIN of token 'BIDKIT-TEST'): "]
    identity = signer.identity()
    assert identity["subject"] == "O=TEST ONLY,CN=TEST 测试科技有限公司 签名"
    assert identity["issuer"] == "O=TEST ONLY,CN=TEST 中级 CA"
    pkg, manifest = _sealed(tmp_path, signer)
    assert manifest["signer"] == identity
    r = cli("verify", pkg, "--ca", roots)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[1].startswith(f"signed by: {SIGNER_CN} (certificate sha256 {identity['sha256']})")
    assert lines[1].endswith(f"its chain reaches a CA root in {roots}")
    assert lines[5] == f"chain: {SIGNER_CN} ← CN=TEST 中级 CA ← CN=TEST 根 CA"
    cert = keyed.keys[KEY]
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    assert lines[6] == (f"certificate: issued by CN=TEST 中级 CA, valid {start:%Y-%m-%d %H:%M} UTC – "
                        f"{end:%Y-%m-%d %H:%M} UTC; signed within it")
    report = json.loads(cli("verify", pkg, "--ca", roots, "--json").out)
    assert report["ok"] and report["ca"] is True and report["signed_within_validity"] is True
    assert report["chain"] == [SIGNER_CN, "CN=TEST 中级 CA", "CN=TEST 根 CA"]


def test_ec_key_on_the_token(tmp_path: Path, token: SoftToken, ca: TestCA, roots: Path,
                             cli: Callable[..., Result]) -> None:
    token.add_key("ec-sign", ca.issue, kind="ec")
    (tmp_path / "chain.pem").write_bytes(ca.chain_pem())
    pkg, _ = _sealed(tmp_path, _load(token, "ec-sign", chain=load_trusted(tmp_path / "chain.pem", "chain")))
    r = cli("verify", pkg, "--ca", roots)
    assert r.code == 0, r.err


def test_key_found_by_its_certificate_label_or_its_id(tmp_path: Path, token: SoftToken, ca: TestCA) -> None:
    token.add_key("key-0001", ca.issue, cert_label="公司签名证书", key_id=b"\x0a\x1b")
    for key in ("公司签名证书", "0a1b"):
        signer = _load(token, key)
        signer.close()
        assert signer.subject == "O=TEST ONLY,CN=TEST 测试科技有限公司 签名"


def test_pin_from_the_environment(keyed: SoftToken, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(adapter.PIN_ENV, PIN)
    adapter.load_token_signer(keyed.module, keyed.label, KEY, display=CFG,
                              prompter=lambda _p: pytest.fail("asked although BIDKIT_TOKEN_PIN is set")).close()


def test_chain_not_embedded_and_untrusted_ca(tmp_path: Path, keyed: SoftToken, ca: TestCA, roots: Path,
                                            cli: Callable[..., Result]) -> None:
    pkg, _ = _sealed(tmp_path, _load(keyed))  # no chain configured: the signature holds the signer's certificate
    r = cli("verify", pkg, "--ca", roots)
    assert (r.code, r.err_lines) == (6, [f"error: {pkg}: signed by {SIGNER_CN}, issued by CN=TEST 中级 CA: not trusted "
                                         "by the CA root(s) CN=TEST 根 CA (no chain to them)"])
    chain = tmp_path / "chain.pem"  # the CA's chain file: the root trusted, the intermediate builds the path
    chain.write_bytes(ca.chain_pem())
    r = cli("verify", pkg, "--ca", chain)
    assert r.code == 0, r.err
    other = tmp_path / "other-root.pem"
    other.write_bytes(TestCA.make("OTHER 根 CA").chain_pem())
    r = cli("verify", pkg, "--ca", other)
    assert (r.code, r.err_lines) == (6, [f"error: {pkg}: signed by {SIGNER_CN}, issued by CN=TEST 中级 CA: not trusted "
                                         "by the CA root(s) CN=OTHER 根 CA (no chain to them)"])
    r = cli("verify", pkg, "--ca", roots, "--trust", roots)
    assert (r.code, r.err_lines) == (3, ["error: --trust and --ca: give one (--trust: the signer's own certificate; "
                                         "--ca: the CA root)"])


def test_chain_from_the_token(tmp_path: Path, keyed: SoftToken, ca: TestCA, roots: Path,
                              cli: Callable[..., Result]) -> None:
    """Many CA tokens carry the CA's certificates: they go into the signature without a chain file."""
    keyed.add_certificate("TEST 中级 CA", ca.cert, key_id=b"\xca")
    keyed.add_key("加密证书", ca.issue, encryption=True)  # another end-entity certificate: not embedded
    pkg, _ = _sealed(tmp_path, _load(keyed))
    r = cli("verify", pkg, "--ca", roots)
    assert r.code == 0, r.err
    from pyhanko.pdf_utils.reader import PdfFileReader

    with open(pkg, "rb") as fh:
        embedded = PdfFileReader(fh).embedded_signatures[0].other_embedded_certs
        assert [c.subject.native["common_name"] for c in embedded] == ["TEST 中级 CA"]


def test_signing_time_outside_the_certificate_validity(tmp_path: Path, ca: TestCA, roots: Path,
                                                      cli: Callable[..., Result]) -> None:
    """A forger's tool signs with an expired certificate; bidkit itself refuses to (below)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = ca.issue(key.public_key(), not_before=NOW - 60 * DAY, not_after=NOW - 30 * DAY)
    der = cert.public_bytes(serialization.Encoding.DER)
    simple = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(
            ca.cert.public_bytes(serialization.Encoding.DER))]))
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    pkg, _ = _sealed(tmp_path, sign.Signer(simple, "forged", "forged", der))
    after = datetime.now(UTC)
    r = cli("verify", pkg, "--ca", roots)
    assert r.code == 6
    [line] = r.err_lines
    # the signing time is the signer's clock when it signed, not NOW (which may be a day earlier past midnight)
    m = re.match(rf"error: {re.escape(str(pkg))}: signed at (\d{{4}}-\d\d-\d\d \d\d:\d\d) UTC ", line)
    assert m, line
    signed = datetime.strptime(m[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert before <= signed <= after, (before, signed, after)
    start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
    assert line.endswith(f"(signer's clock), outside the signer certificate's validity {start:%Y-%m-%d %H:%M} UTC – "
                         f"{end:%Y-%m-%d %H:%M} UTC")


def test_manifest_names_another_signer(tmp_path: Path, keyed: SoftToken, ca: TestCA,
                                       cli: Callable[..., Result]) -> None:
    (tmp_path / "chain.pem").write_bytes(ca.chain_pem())
    signer = _load(keyed, chain=load_trusted(tmp_path / "chain.pem", "chain"))
    path = tmp_path / "p.pdf"
    manifest = make_package(path)
    sign.seal(path, {**manifest, "signer": {"sha256": "ab" * 32, "subject": "CN=x", "issuer": "CN=y"}}, signer)
    signer.close()
    r = cli("verify", path, "--ca", tmp_path / "chain.pem")
    fingerprint = signer.identity()["sha256"][:16]
    assert (r.code, r.err_lines) == (6, [f"error: {path}: manifest: it names the signer certificate sha256 "
                                         f"{'ab' * 8}…, the signature is by sha256 {fingerprint}…"])


# --- the token's failures, from the real SoftHSM2 ------------------------------------------------------------


def test_wrong_pin(keyed: SoftToken) -> None:
    assert _secret(lambda: _load(keyed, pin="999999")) == (
        f"{CFG}: wrong PIN for token 'BIDKIT-TEST'; the token counts wrong PINs and locks after a few")
    asked: list[str] = []
    _load(keyed, asked=asked).close()  # SoftHSM2 flags the wrong PIN until the next good login
    assert asked == ["令牌 PIN (PIN of token 'BIDKIT-TEST'; a wrong PIN was entered since the last login): "]
    assert _secret(lambda: _load(keyed, pin="")) == f"{CFG}: empty token PIN refused"


def test_no_prompt_without_a_terminal(keyed: SoftToken) -> None:
    import io
    import sys

    stdin, sys.stdin = sys.stdin, io.StringIO("")
    try:
        message = _secret(lambda: adapter.load_token_signer(keyed.module, keyed.label, KEY, display=CFG))
    finally:
        sys.stdin = stdin
    assert message == "no token PIN: set BIDKIT_TOKEN_PIN or run on a terminal to be asked"


def test_token_not_present(keyed: SoftToken) -> None:
    assert _secret(lambda: adapter.load_token_signer(keyed.module, "CFCA-USBKEY", KEY, display=CFG,
                                                     prompter=lambda _p: PIN)) == (
        f"{CFG}: no token labelled 'CFCA-USBKEY' (tokens present: 'BIDKIT-TEST')")


@pytest.mark.parametrize(("module", "message"), [
    ("/usr/lib/nowhere/libcatoken.so",
     f"{CFG}.module /usr/lib/nowhere/libcatoken.so: PKCS#11 module not found (install the CA's token driver, "
     "or fix the path)"),
    ("python-extension", "{CFG}.module {module}: not a PKCS#11 module (it has no C_GetFunctionList)"),
    ("text-file", "{CFG}.module {module}: cannot load the PKCS#11 module (invalid ELF header)"),
])
def test_module_that_cannot_be_loaded(tmp_path: Path, module: str, message: str) -> None:
    if module == "python-extension":
        module = str(importlib.import_module("pkcs11._pkcs11").__file__)  # imported here: run alone, it may not be yet
    elif module == "text-file":
        module = str(tmp_path / "libfake.so")
        Path(module).write_text("not a library\n" * 20)
    with pytest.raises(ToolError) as info:
        adapter.load_token_signer(module, "BIDKIT-TEST", KEY, display=CFG, prompter=lambda _p: PIN)
    assert info.value.message == message.format(CFG=CFG, module=module)


def test_module_that_fails_to_start(keyed: SoftToken, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOFTHSM2_CONF", str(keyed.folder / "missing.conf"))  # SoftHSM2's C_Initialize fails
    with pytest.raises(ToolError) as info:
        _load(keyed)
    assert info.value.message == (f"{CFG}.module {keyed.module}: the PKCS#11 module failed to start (GeneralError; "
                                  "is the token driver configured?)")


def test_key_not_on_the_token(keyed: SoftToken) -> None:
    assert _secret(lambda: _load(keyed, "法人签名")) == (
        f"{CFG}: token 'BIDKIT-TEST': no private key or certificate labelled '法人签名', and no key with that ID (on "
        "the token: 'company-sign')")


def test_key_without_certificate(token: SoftToken) -> None:
    token.add_key("bare", None)
    assert _secret(lambda: _load(token, "bare")) == (
        f"{CFG}: token 'BIDKIT-TEST': no certificate for key 'bare' on the token (it must carry the key's ID or "
        "label)")


def test_certificate_of_another_key(keyed: SoftToken) -> None:
    keyed.add_key("second", None, key_id=b"\x02\x02")
    keyed.add_certificate("second", keyed.keys[KEY], key_id=b"\x02\x02")
    assert _secret(lambda: _load(keyed, "second")) == (
        f"{CFG}: token 'BIDKIT-TEST': certificate 'second' does not belong to key 'second' (another public key)")


def test_expired_and_not_yet_valid_certificates_refused(token: SoftToken, ca: TestCA) -> None:
    old = token.add_key("old", ca.issue, not_before=NOW - 400 * DAY, not_after=NOW - 35 * DAY)
    assert old is not None
    assert _secret(lambda: _load(token, "old")) == (
        f"{CFG}: token 'BIDKIT-TEST' key 'old': certificate expired on {old.not_valid_after_utc:%Y-%m-%d %H:%M} UTC "
        f"(valid {old.not_valid_before_utc:%Y-%m-%d} – {old.not_valid_after_utc:%Y-%m-%d}); nothing was signed: "
        "renew it with the CA")
    new = token.add_key("new", ca.issue, not_before=NOW + 10 * DAY, not_after=NOW + 400 * DAY)
    assert new is not None
    assert _secret(lambda: _load(token, "new")) == (
        f"{CFG}: token 'BIDKIT-TEST' key 'new': certificate not valid before "
        f"{new.not_valid_before_utc:%Y-%m-%d %H:%M} UTC (valid {new.not_valid_before_utc:%Y-%m-%d} – "
        f"{new.not_valid_after_utc:%Y-%m-%d}); nothing was signed")


def test_encryption_certificate_refused(token: SoftToken, ca: TestCA) -> None:
    token.add_key("加密证书", ca.issue, encryption=True)
    assert _secret(lambda: _load(token, "加密证书")) == (
        f"{CFG}: token 'BIDKIT-TEST' key '加密证书': the certificate's key usage does not allow signing (an "
        "encryption certificate?); choose the signing certificate")


def test_chain_without_the_issuer(tmp_path: Path, keyed: SoftToken) -> None:
    (tmp_path / "other.pem").write_bytes(TestCA.make("OTHER 根 CA").chain_pem())
    with pytest.raises(InputError) as info:
        _load(keyed, chain=load_trusted(tmp_path / "other.pem", "other.pem"))
    assert info.value.message == ("chain.pem: the chain does not hold the issuer of the signer certificate "
                                  "(O=TEST ONLY,CN=TEST 中级 CA)")


def test_expired_pkcs12_certificate_refused(tmp_path: Path, ca: TestCA) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = ca.issue(key.public_key(), not_before=NOW - 400 * DAY, not_after=NOW - DAY)
    p12 = tmp_path / "old.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"old", key, cert, None, serialization.BestAvailableEncryption(PASSWORD.encode())))
    assert _secret(lambda: sign.load_signer(p12, "old.p12", prompter=lambda _p: PASSWORD)) == (
        f"old.p12: certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC (valid "
        f"{cert.not_valid_before_utc:%Y-%m-%d} – {cert.not_valid_after_utc:%Y-%m-%d}); nothing was signed: renew it "
        "with the CA")


# --- what SoftHSM2 cannot do: injected at the adapter's boundary ---------------------------------------------


class _Token:
    """A python-pkcs11 token whose flags and login are what the test says (the rest is the real token)."""

    def __init__(self, real: Any, state: dict[str, Any]) -> None:
        self._real, self._state = real, state

    @property
    def flags(self) -> int:
        return int(self._real.flags) | int(self._state["flags"])

    def open(self, **kwargs: Any) -> Any:
        if self._state.get("login") is not None:
            return self._state["login"](**kwargs)
        return self._real.open(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@pytest.fixture
def state(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    state: dict[str, Any] = {"flags": 0, "login": None}
    real = adapter._tokens

    def tokens(lib: Any) -> Iterator[tuple[int, Any]]:
        for slot, tok in real(lib):
            yield slot, _Token(tok, state)

    monkeypatch.setattr(adapter, "_tokens", tokens)
    return state


def test_locked_pin_is_not_tried(keyed: SoftToken, state: dict[str, Any]) -> None:
    state["flags"] = TokenFlag.USER_PIN_LOCKED
    assert _secret(lambda: _load(keyed, asked=[])) == (
        f"{CFG}: the PIN of token 'BIDKIT-TEST' is locked (too many wrong PINs); unlock it with the CA's token tool "
        "(the security officer PIN) — bidkit did not try it")
    asked: list[str] = []
    state["flags"] = 0

    def locked(**_kw: Any) -> Any:
        raise pkcs11.PinLocked()

    state["login"] = locked  # the token's flags did not say so: the PIN was tried
    assert _secret(lambda: _load(keyed, asked=asked)) == (
        f"{CFG}: the PIN of token 'BIDKIT-TEST' is locked (too many wrong PINs); unlock it with the CA's token tool "
        "(the security officer PIN)")
    assert len(asked) == 1


def test_final_try(keyed: SoftToken, state: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    state["flags"] = TokenFlag.USER_PIN_FINAL_TRY | TokenFlag.USER_PIN_COUNT_LOW
    monkeypatch.setenv(adapter.PIN_ENV, "999999")
    assert _secret(lambda: _load(keyed)) == (
        f"{CFG}: one more wrong PIN locks token 'BIDKIT-TEST'; type the PIN at the prompt instead of "
        "BIDKIT_TOKEN_PIN")
    monkeypatch.delenv(adapter.PIN_ENV)

    def wrong(**_kw: Any) -> Any:
        state["flags"] = TokenFlag.USER_PIN_LOCKED
        raise pkcs11.PinIncorrect()

    state["login"] = wrong
    asked: list[str] = []
    assert _secret(lambda: _load(keyed, pin="999999", asked=asked)) == (
        f"{CFG}: wrong PIN for token 'BIDKIT-TEST'; the PIN is now locked: unlock it with the CA's token tool (the "
        "security officer PIN)")
    assert asked == ["令牌 PIN (PIN of token 'BIDKIT-TEST'; one more wrong PIN locks it): "]
    state["flags"], state["login"] = TokenFlag.USER_PIN_COUNT_LOW, None

    def wrong_again(**_kw: Any) -> Any:
        state["flags"] = TokenFlag.USER_PIN_FINAL_TRY
        raise pkcs11.PinIncorrect()

    state["login"] = wrong_again
    assert _secret(lambda: _load(keyed, pin="999999")) == (
        f"{CFG}: wrong PIN for token 'BIDKIT-TEST'; one more wrong PIN locks it")


class _Removed:
    """The key handle of a token pulled out of its USB port: signing fails as python-pkcs11 reports it."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def sign(self, *_a: Any, **_kw: Any) -> bytes:
        raise pkcs11.DeviceRemoved()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_token_removed_while_signing(tmp_path: Path, keyed: SoftToken) -> None:
    signer = _load(keyed)
    signer.signer._key_handle = _Removed(signer.signer._key_handle)
    pkg = tmp_path / "p.pdf"
    manifest = make_package(pkg)
    before = pkg.read_bytes()
    with pytest.raises(ToolError) as info:
        sign.seal(pkg, manifest, signer)
    signer.close()
    assert info.value.message == (f"{CFG}: token 'BIDKIT-TEST': the token was removed while signing; nothing was "
                                  "written: plug it in and run again")
    assert pkg.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["p.pdf", "softhsm"]


# --- bidkit keys tokens ----------------------------------------------------------------------------------------


def test_keys_tokens_lists_tokens_and_certificates(keyed: SoftToken, ca: TestCA, cli: Callable[..., Result]) -> None:
    keyed.add_key("加密证书", ca.issue, encryption=True, key_id=b"\x09")
    keyed.init("SECOND", "111111")
    r = cli("keys", "tokens", keyed.module)
    assert r.code == 0, r.err
    sign_cert = keyed.keys[KEY]
    lines = r.out.splitlines()
    assert any(re.fullmatch(r"slot \d+: token 'BIDKIT-TEST' \(SoftHSM project SoftHSM v2, serial [0-9a-f]{16}\), "
                            r"PIN: ok", line) for line in lines)
    certs = {line.split("'")[1]: line for line in lines if line.startswith("  certificate")}
    assert re.fullmatch(r"  certificate 'company-sign' \(id [0-9a-f]{16}, signing\): " + re.escape(
        "O=TEST ONLY,CN=TEST 测试科技有限公司 签名, issued by O=TEST ONLY,CN=TEST 中级 CA, valid "
        f"{sign_cert.not_valid_before_utc:%Y-%m-%d} – {sign_cert.not_valid_after_utc:%Y-%m-%d}"), certs[KEY])
    assert certs["加密证书"].startswith("  certificate '加密证书' (id 09, encryption): ")
    keys = {line.split("'")[1]: line for line in lines if line.startswith("  key")}
    assert re.fullmatch(r"  key 'company-sign' \(id [0-9a-f]{16}, RSA 2048, public key; its private half shows only "
                        r"after login\)", keys[KEY])
    assert keys["加密证书"] == "  key '加密证书' (id 09, RSA 2048, public key; its private half shows only after login)"
    assert any(re.fullmatch(r"slot \d+: token 'SECOND' .*, PIN: ok", line) for line in lines)
    assert "  no certificate or key readable without the PIN" in lines
    assert any(line.startswith("slot ") and line.endswith("uninitialised token (SoftHSM project SoftHSM v2)")
               for line in lines)
    assert lines[-1] == (f"bidkit.yaml: signing: {{pkcs11: {{module: {keyed.module}, token: BIDKIT-TEST, "
                         "key: company-sign}}")
    assert r.err == ""


def test_keys_tokens_errors(tmp_path: Path, cli: Callable[..., Result]) -> None:
    r = cli("keys", "tokens", tmp_path / "libnone.so")
    assert (r.code, r.err_lines) == (5, [f"error: {tmp_path / 'libnone.so'}: PKCS#11 module not found (install the "
                                         "CA's token driver, or fix the path)"])
    r = cli("keys", "tokens", tmp_path, "--pin", "123456")
    assert (r.code, r.err_lines) == (7, ["error: --pin: a PIN is never given on the command line (shell history, "
                                         "process list); set BIDKIT_TOKEN_PIN, or type it at the prompt"])


# --- the workspace: bidkit.yaml signing.pkcs11 --------------------------------------------------------------


def test_workspace_signs_with_its_token(sample_ws: Path, keyed: SoftToken, ca: TestCA,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    use_token(sample_ws, keyed, KEY, ca)
    monkeypatch.setenv(adapter.PIN_ENV, PIN)
    signer = workspace_signer(load(sample_ws))
    assert signer is not None
    signer.close()
    assert signer.identity()["issuer"] == "O=TEST ONLY,CN=TEST 中级 CA"
    dumped = load(sample_ws).data.config.model_dump(mode="json")["signing"]
    assert dumped == {"pkcs11": {"module": keyed.module, "token": "BIDKIT-TEST", "key": KEY,
                                 "chain": "keys/ca-chain.pem"}}


def test_workspace_module_inside_the_workspace_refused(sample_ws: Path, keyed: SoftToken, ca: TestCA) -> None:
    import shutil

    shutil.copy(keyed.module, sample_ws / "keys" / "libtoken.so")
    keyed.module = str(sample_ws / "keys" / "libtoken.so")
    use_token(sample_ws, keyed, KEY, ca)
    with pytest.raises(InputError) as info:
        workspace_signer(load(sample_ws))
    assert info.value.message == (f"{CFG}.module {keyed.module}: a PKCS#11 module inside the workspace is refused; "
                                  "give the one the CA's token driver installed on this machine")


def test_workspace_signing_config_is_checked(sample_ws: Path, cli: Callable[..., Result]) -> None:
    config = sample_ws / "bidkit.yaml"
    text = config.read_text(encoding="utf-8")
    line = line_no(config, "^signing:")
    config.write_text(text + "  pkcs11: {module: libtoken.so, token: T, key: K}\n", encoding="utf-8")
    r = cli("validate", sample_ws)
    assert (r.code, r.err_lines) == (3, [
        f"bidkit.yaml:{line + 2} signing.pkcs11.module: give the absolute path of the PKCS#11 module the CA's driver "
        "installed, e.g. /usr/lib/softhsm/libsofthsm2.so (libtoken.so)", "error: 1 problem found"])
    config.write_text(text + "  pkcs11: {module: /usr/lib/libtoken.so, token: T, key: K}\n", encoding="utf-8")
    r = cli("validate", sample_ws)
    assert (r.code, r.err_lines) == (3, [
        f"bidkit.yaml:{line} signing: give signing.certificate (a PKCS#12 file) or signing.pkcs11 (a key on a "
        "token), not both", "error: 1 problem found"])


def test_verify_trusts_the_workspace_chain(sample_ws: Path, keyed: SoftToken, ca: TestCA,
                                          cli: Callable[..., Result]) -> None:
    use_token(sample_ws, keyed, KEY, ca)
    (sample_ws / "build").mkdir()
    pkg, _ = _sealed(sample_ws / "build", _load(keyed))
    r = cli("verify", pkg)
    assert r.code == 0, r.err
    assert r.out.splitlines()[1].endswith(f"its chain reaches a CA root in {sample_ws.name}/keys/ca-chain.pem")
    use_token(sample_ws, keyed, KEY, ca, chain=None)
    r = cli("verify", pkg)
    assert (r.code, r.err_lines) == (3, [f"error: {sample_ws / 'bidkit.yaml'}: signs with a token and names no "
                                         "signing.pkcs11.chain; give the CA's root certificate with --ca ROOT.pem"])


def test_pin_is_asked_before_the_long_work_and_a_wrong_one_stops_it(
    sample_ws: Path, keyed: SoftToken, ca: TestCA, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No LibreOffice, no build folder: the wrong PIN ends the assembly before anything starts or is written."""
    from bidkit.pipeline.assemble import assemble
    from tests import lockkit
    from tests.helpers import snapshot

    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(sample_ws.parent / "config"))
    use_token(sample_ws, keyed, KEY, ca)
    lockkit.use_passphrase(monkeypatch)
    lockkit.priced(cli, lockkit.bare(sample_ws))  # a new approval: the signing section is reviewed data
    before = snapshot(sample_ws)
    asked: list[str] = []

    def prompt(text: str) -> str:
        asked.append(text)
        return "999999"

    with pytest.raises(SecretError) as info:
        assemble(sample_ws, sign_prompter=prompt)
    assert info.value.message == (f"{CFG}: wrong PIN for token 'BIDKIT-TEST'; the token counts wrong PINs and "
                                  "locks after a few")
    assert asked == ["令牌 PIN (PIN of token 'BIDKIT-TEST'): "]
    assert snapshot(sample_ws) == before and not (sample_ws / "build").exists()


# --- end to end: the sample assembled and signed on the token (LibreOffice) ---------------------------------


@needs_soffice()
@pytest.mark.slow
def test_assemble_the_sample_signed_on_the_token(
    sample_ws: Path, keyed: SoftToken, ca: TestCA, roots: Path, cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests import lockkit

    monkeypatch.setenv("BIDKIT_CONFIG_DIR", str(sample_ws.parent / "config"))
    use_token(sample_ws, keyed, KEY, ca)
    lockkit.use_passphrase(monkeypatch)
    lockkit.priced(cli, lockkit.bare(sample_ws))  # a new approval: the signing section is reviewed data

    # 1. the PIN is asked before anything starts; the token is pulled out while signing: nothing is written
    asked: list[bool] = []

    def prompt(_text: str) -> str:
        asked.append((sample_ws / "build").exists())
        return PIN

    monkeypatch.setitem(adapter.PROMPT, "ask", prompt)
    pull = adapter._TokenSigner._pull_signing_key_handle
    monkeypatch.setattr(adapter._TokenSigner, "_pull_signing_key_handle", lambda self: _Removed(pull(self)))
    r = cli("assemble", sample_ws)
    assert (r.code, r.err_lines) == (5, [f"error: {CFG}: token 'BIDKIT-TEST': the token was removed while signing; "
                                         "nothing was written: plug it in and run again"])
    assert asked == [False]
    assert sorted(p.name for p in (sample_ws / "build").iterdir() if p.is_file() and p.name != ".assemble.lock") == []

    # 2. plugged in again, the PIN from the environment: signed on the token, verified against the CA
    monkeypatch.setattr(adapter._TokenSigner, "_pull_signing_key_handle", pull)
    monkeypatch.setenv(adapter.PIN_ENV, PIN)
    r = cli("assemble", sample_ws, "--json")
    assert r.code == 0, r.err
    summary = json.loads(r.out)
    pkg = Path(summary["path"])
    manifest = json.loads(Path(summary["manifest"]).read_text(encoding="utf-8"))
    cert = keyed.keys[KEY]
    assert manifest["signer"]["issuer"] == "O=TEST ONLY,CN=TEST 中级 CA"
    assert manifest["signer"]["sha256"] == hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    r = cli("verify", pkg, "--ca", roots)
    assert r.code == 0, r.err
    assert f"chain: {SIGNER_CN} ← CN=TEST 中级 CA ← CN=TEST 根 CA" in r.out.splitlines()
    assert cli("verify", pkg).code == 0  # the workspace's chain file
