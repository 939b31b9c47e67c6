"""Every way of editing a sealed package is caught by `bidkit verify`, with its own message and exit code 6.

The package is a small real one (pikepdf pages, real pyHanko signature, a certificate made by the test); the
tampering is done with the tools a forger would use: pypdf incremental updates, pikepdf rewrites, pyHanko.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdf
import pytest
from cryptography import x509

from tests.helpers import Result
from tests.signkit import (
    image_page,
    incremental,
    make_cert,
    make_package,
    pyhanko_sign,
    sealed_package,
    strip_signature,
)

TRUSTED_CN = "CN=TEST 测试科技有限公司 — NOT FOR REAL BIDS"
META = "changed after signing: document information (metadata) updated in an incremental update"


@pytest.fixture
def sealed(tmp_path: Path) -> tuple[Path, Path]:
    p12, crt = make_cert(tmp_path / "keys")
    pkg, _ = sealed_package(tmp_path, p12)
    return pkg, crt


@pytest.fixture
def verify(cli: Callable[..., Result], sealed: tuple[Path, Path]) -> Callable[[Path], Result]:
    def run(pkg: Path) -> Result:
        before = pkg.read_bytes()
        r = cli("verify", pkg, "--trust", sealed[1])
        assert "Traceback" not in r.err and r.out == ""
        assert pkg.read_bytes() == before  # verify never writes
        return r

    return run


def expect(r: Result, pkg: Path, *problems: str) -> None:
    assert r.code == 6, r.err
    if len(problems) == 1:
        assert r.err_lines == [f"error: {pkg}: {problems[0]}"]
    else:
        assert r.err_lines == [f"{pkg}: {p}" for p in problems] + [
            f"error: {pkg}: does not verify ({len(problems)} problems)"]


def test_untouched_package_verifies(sealed: tuple[Path, Path], cli: Callable[..., Result]) -> None:
    assert cli("verify", sealed[0], "--trust", sealed[1]).code == 0


def test_appended_page(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    bad = incremental(sealed[0], sealed[0].with_name("added.pdf"), lambda w: w.add_blank_page())
    expect(verify(bad), bad,
           "changed after signing: 1 page(s) added in an incremental update", META,
           "page count: the package has 11 pages, the manifest lists 10")


def test_edited_byte_in_a_content_stream(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    with pikepdf.open(sealed[0]) as pdf:
        raw = pdf.pages[2].Contents.read_raw_bytes()  # page 3: in the commercial part
    data = bytearray(sealed[0].read_bytes())
    assert data.count(raw) == 1
    data[data.find(raw) + len(raw) // 2] ^= 0x01
    bad = sealed[0].with_name("edited.pdf")
    bad.write_bytes(bytes(data))
    expect(verify(bad), bad,
           "signature broken: the signed bytes were changed after signing",
           "part 商务部分: pages 2–4 differ from the manifest")


def test_swapped_attachment(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    def swap(w: pypdf.PdfWriter) -> None:
        forged = pikepdf.new()
        forged.pages.append(image_page(forged, (255, 255, 255), "FORGED LICENCE"))
        buf = io.BytesIO()
        forged.save(buf)
        new_page = pypdf.PdfReader(buf).pages[0]
        page = w.pages[8]  # 营业执照
        page[pypdf.generic.NameObject("/Resources")] = w._add_object(new_page["/Resources"].get_object().clone(w))
        page[pypdf.generic.NameObject("/Contents")] = new_page["/Contents"].get_object().clone(w).indirect_reference

    bad = incremental(sealed[0], sealed[0].with_name("swapped.pdf"), swap)
    expect(verify(bad), bad, META, "attachment 营业执照: pages 9–9 differ from the manifest")


def test_removed_attachment(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    def remove(w: pypdf.PdfWriter) -> None:
        del w.pages[9]  # ISO 9001, the last attachment

    bad = incremental(sealed[0], sealed[0].with_name("removed.pdf"), remove)
    expect(verify(bad), bad,
           "changed after signing: 1 page(s) removed in an incremental update", META,
           "page count: the package has 9 pages, the manifest lists 10",
           "attachment ISO 9001 认证证书: pages 10–10 are missing")


def test_appended_metadata_update(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    bad = incremental(sealed[0], sealed[0].with_name("meta.pdf"), lambda w: w.add_metadata({"/Title": "改过的标题"}))
    expect(verify(bad), bad, META)


def test_bytes_after_eof(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    bad = sealed[0].with_name("junk.pdf")
    bad.write_bytes(sealed[0].read_bytes() + b"% a comment after the end\n")
    expect(verify(bad), bad, "changed after signing: 26 bytes appended after the end of the signed file (%%EOF)")


def test_stripped_signature(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    bad = strip_signature(sealed[0], sealed[0].with_name("stripped.pdf"))
    expect(verify(bad), bad,
           "not signed: the signature is missing (stripped?), yet the manifest says this is a final package")


def _forger(tmp_path: Path) -> tuple[Path, str]:
    p12, crt = make_cert(tmp_path / "forger", name="伪造公司")
    der = x509.load_pem_x509_certificate(crt.read_bytes()).public_bytes(
        __import__("cryptography.hazmat.primitives.serialization", fromlist=["Encoding"]).Encoding.DER)
    return p12, hashlib.sha256(der).hexdigest()


def test_resigned_with_another_certificate(tmp_path: Path, sealed: tuple[Path, Path],
                                           verify: Callable[[Path], Result]) -> None:
    p12, fp = _forger(tmp_path)
    stripped = strip_signature(sealed[0], tmp_path / "stripped.pdf")
    bad = pyhanko_sign(stripped, sealed[0].with_name("resigned.pdf"), p12)
    expect(verify(bad), bad,
           f"signed by an untrusted certificate: CN=TEST 伪造公司 — NOT FOR REAL BIDS (sha256 {fp[:16]}…), "
           f"not the trusted {TRUSTED_CN}")


def test_second_signature_added(tmp_path: Path, sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    p12, _fp = _forger(tmp_path)
    bad = pyhanko_sign(sealed[0], sealed[0].with_name("countersigned.pdf"), p12)
    expect(verify(bad), bad,
           "signed again after sealing: 1 more signature(s) by CN=TEST 伪造公司 — NOT FOR REAL BIDS")


def test_rewritten_by_another_tool(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    """A full rewrite (qpdf via pikepdf) keeps the signature dictionary but not the signed bytes."""
    bad = sealed[0].with_name("rewritten.pdf")
    with pikepdf.open(sealed[0]) as pdf:
        pdf.save(bad)
    r = verify(bad)
    assert r.code == 6
    assert r.err_lines[0] == f"{bad}: signature broken: the signed bytes were changed after signing"


def test_foreign_unsigned_pdf(tmp_path: Path, verify: Callable[[Path], Result]) -> None:
    plain = tmp_path / "plain.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(plain)
    expect(verify(plain), plain, "not signed, and no bidkit manifest: not a bidkit package")


def test_truncated_package(sealed: tuple[Path, Path], verify: Callable[[Path], Result]) -> None:
    bad = sealed[0].with_name("truncated.pdf")
    data = sealed[0].read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    r = verify(bad)
    assert r.code == 6 and len(r.err_lines) >= 1 and r.err_lines[-1].startswith(f"error: {bad}: ")


def test_draft_cannot_pass_for_final(tmp_path: Path, verify: Callable[[Path], Result]) -> None:
    from bidkit.adapters.pdf import sign

    draft = tmp_path / "draft.pdf"
    sign.seal(draft, make_package(draft, draft=True), None)
    expect(verify(draft), draft, "draft package: not signed, not for submission")
