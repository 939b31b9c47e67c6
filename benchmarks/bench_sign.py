"""Sealing and verifying a package: page digests + manifest + PAdES signature, and `verify`, by size; then the
signer: a PKCS#12 file against a key on a PKCS#11 token (SoftHSM2, RSA 2048, certificate from a test CA).

    .venv/bin/python benchmarks/bench_sign.py [RUNS]

Packages are made with pikepdf like compose makes them (compressed, object streams): text pages for the parts
and one JPEG "scan" per attachment page. Median of RUNS (default 5), in milliseconds. In the signer table,
``load`` is what assemble does while LibreOffice converts (PKCS#12: decrypt; token: log in, find the key and
certificate), ``seal`` is signing the 100-page package (what adds to the assembly), ``verify`` with ``--ca``
for the token.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pikepdf  # noqa: E402

from bidkit.adapters.pdf import embed, sign  # noqa: E402
from bidkit.adapters.pdf.verify import load_trusted, verify_package  # noqa: E402
from bidkit.core.manifest import ManifestEntry, build_manifest  # noqa: E402
from tests.signkit import PASSWORD, image_page, make_cert  # noqa: E402
from tests.tokenkit import PIN, SoftToken, TestCA, softhsm_module  # noqa: E402


def package(path: Path, text_pages: int, scan_pages: int) -> dict:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for n in range(text_pages):
        body = b"".join(b"BT /F1 10 Tf 72 %d Td (line %d of page %d) Tj ET\n" % (800 - 14 * i, i, n)
                        for i in range(50))
        pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)), Contents=pikepdf.Stream(pdf, body))))
    for n in range(scan_pages):
        pdf.pages.append(image_page(pdf, (n % 256, 100, 150), f"scan {n}"))
    pdf.save(path, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    parts = [ManifestEntry("technical_part", "技术部分", "part", None, 1, text_pages)]
    atts = [ManifestEntry(f"att{i}", f"附件{i}", "attachment", None, text_pages + i + 1, text_pages + i + 1)
            for i in range(scan_pages)]
    return build_manifest(project_code="BENCH", version=1, bidkit_version="0", parts=parts, attachments=atts,
                          approval=None, draft=False)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    tmp = Path(tempfile.mkdtemp(prefix="bench-sign-"))
    try:
        p12, crt = make_cert(tmp / "keys")
        signer = sign.load_signer(p12, "bench", prompter=lambda _p: PASSWORD)
        trusted = load_trusted(crt, "crt")
        print(f"{'package':<28}{'MB':>6}{'digests':>10}{'seal':>10}{'verify':>10}   (ms, median of {runs})")
        for text, scans in ((90, 10), (500, 500), (10, 990)):
            src = tmp / f"src-{text}-{scans}.pdf"
            manifest = package(src, text, scans)
            digests, seals, verifies = [], [], []
            for _ in range(runs):
                work = tmp / "work.pdf"
                shutil.copyfile(src, work)
                t0 = time.perf_counter()
                with pikepdf.open(work) as pdf:
                    embed.page_digests(pdf, {e["name"]: (e["first_page"], e["last_page"])
                                             for e in manifest["entries"]})
                t1 = time.perf_counter()
                sign.seal(work, manifest, signer)
                t2 = time.perf_counter()
                report = verify_package(work, trusted)
                t3 = time.perf_counter()
                assert report.ok, report.problems
                digests.append(t1 - t0)
                seals.append(t2 - t1)
                verifies.append(t3 - t2)
            label = f"{text + scans} pages ({scans} scans)"
            size = work.stat().st_size / 1e6
            print(f"{label:<28}{size:>6.1f}" + "".join(f"{statistics.median(v) * 1000:>10.0f}"
                                                      for v in (digests, seals, verifies)))
        signer_table(tmp, p12, runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def signer_table(tmp: Path, p12: Path, runs: int) -> None:
    import pytest

    from bidkit.adapters.pdf import token

    src = tmp / "src-signers.pdf"
    manifest = package(src, 90, 10)
    print(f"\n{'signer (100 pages, 10 scans)':<36}{'load':>8}{'seal':>8}{'verify':>8}   (ms, median of {runs})")
    with pytest.MonkeyPatch.context() as mp:
        if softhsm_module() is None or shutil.which("softhsm2-util") is None:
            print("token: SoftHSM2 not installed (./setup.sh installs it)")
            kinds = ["PKCS#12 (RSA 2048)"]
        else:
            ca = TestCA.make()
            tok = SoftToken.make(tmp, mp)
            tok.add_key("bench", ca.issue)
            (tmp / "ca.pem").write_bytes(ca.chain_pem())
            chain = load_trusted(tmp / "ca.pem", "ca")
            mp.delenv(token.PIN_ENV, raising=False)
            kinds = ["PKCS#12 (RSA 2048)", "token (SoftHSM2, RSA 2048)"]
        for kind in kinds:
            loads, seals, verifies = [], [], []
            for _ in range(runs):
                work = tmp / "work.pdf"
                shutil.copyfile(src, work)
                t0 = time.perf_counter()
                if kind.startswith("PKCS#12"):
                    signer = sign.load_signer(p12, "bench", prompter=lambda _p: PASSWORD)
                    trusted, ca_mode = load_trusted(p12.with_suffix(".crt"), "crt"), False
                else:
                    signer = token.load_token_signer(tok.module, tok.label, "bench", chain=chain, display="bench",
                                                     prompter=lambda _p: PIN)
                    trusted, ca_mode = chain, True
                t1 = time.perf_counter()
                try:
                    sign.seal(work, {**manifest, "signer": signer.identity()}, signer)
                finally:
                    signer.close()
                t2 = time.perf_counter()
                report = verify_package(work, trusted, ca=ca_mode)
                t3 = time.perf_counter()
                assert report.ok, report.problems
                loads.append(t1 - t0)
                seals.append(t2 - t1)
                verifies.append(t3 - t2)
            print(f"{kind:<36}" + "".join(f"{statistics.median(v) * 1000:>8.0f}" for v in (loads, seals, verifies)))


if __name__ == "__main__":
    main()
