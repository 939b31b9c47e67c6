"""Hostile attachments: the qualification scans company.yaml points at are encrypted, damaged, empty, pictures
or huge. ``bidkit check`` reports each as a fatal finding, ``bidkit assemble`` refuses with the same finding and
leaves every earlier package as it was; a 200 MB scan goes through with bounded memory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.helpers import DEMO_ENV, Result, needs_soffice, snapshot

pytestmark = [needs_soffice()]

SCAN = "attachments/iso9001.pdf"
NAME = "ISO 9001 质量管理体系认证证书"


def scan_line(ws: Path) -> int:
    lines = (ws / "company.yaml").read_text(encoding="utf-8").splitlines()
    return lines.index(f"    scan: {SCAN}") + 1


def _rewrite(path: Path, **save: object) -> None:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, **save)  # type: ignore[arg-type]


def user_password(p: Path) -> None:
    _rewrite(p, encryption=pikepdf.Encryption(user="scan-user", owner="scan-owner"))


def owner_only(p: Path) -> None:
    _rewrite(p, encryption=pikepdf.Encryption(user="", owner="scan-owner",
                                              allow=pikepdf.Permissions(extract=False, modify_other=False)))


def truncated(p: Path) -> None:
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


def broken_xref(p: Path) -> None:
    """startxref points nowhere: qpdf rebuilds the cross-reference table (with warnings), losing nothing."""
    _rewrite(p, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    data = bytearray(p.read_bytes())
    at = data.rindex(b"startxref") + len(b"startxref\n")
    end = data.index(b"\n", at)
    data[at:end] = b"9" * (end - at)
    p.write_bytes(bytes(data))


def page_tree_loop(p: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.Pages.Kids.append(pdf.Root.Pages)  # the tree contains itself
    pdf.Root.Pages.Count = 2
    pdf.save(p)


def no_pages(p: Path) -> None:
    pikepdf.new().save(p)


def png(p: Path) -> None:
    Image.new("RGB", (40, 40), "white").save(p, "PNG")


def jpeg(p: Path) -> None:
    Image.new("RGB", (40, 40), "white").save(p, "JPEG")


UNREADABLE = "无法作为 PDF 打开（{}）。The scan of iso9001 does not open as a PDF."
CASES = [
    (user_password, UNREADABLE.format("encrypted with a password")),
    (truncated, UNREADABLE.format("damaged or truncated")),
    (page_tree_loop, UNREADABLE.format("damaged or truncated")),
    (no_pages, "没有页面。The scan of iso9001 has no pages."),
    (png, UNREADABLE.format("not a PDF (a PNG image); convert it to PDF first")),
    (jpeg, UNREADABLE.format("not a PDF (a JPEG image); convert it to PDF first")),
]


@pytest.mark.slow
@pytest.mark.parametrize(("spoil", "problem"), CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_scan_is_refused(packaged_ws: Path, cli: Callable[..., Result], fails_cleanly: Callable[..., Result],
                             spoil: Callable[[Path], None], problem: str) -> None:
    spoil(packaged_ws / SCAN)
    finding = (f"[completeness.attachment] company.yaml:{scan_line(packaged_ws)} qualifications.2.scan: "
               f"{NAME}的扫描件 {SCAN} {problem}")
    fails_cleanly(packaged_ws, "assemble", packaged_ws, "--draft", code=10,
                  line=f"error: the bid would be invalid: {finding}")
    r = fails_cleanly(packaged_ws, "check", packaged_ws, code=10,
                      line="error: 1 fatal finding(s): the bid would be invalid; fix them before sealing")
    out = r.out.splitlines()
    at = out.index(f"  [completeness.attachment] company.yaml:{scan_line(packaged_ws)} qualifications.2.scan")
    assert out[at + 1].strip() == f"{NAME}的扫描件 {SCAN} {problem}"


def test_changed_scan_closes_the_price_lock(packaged_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    """A full package is refused before the scan is even opened: the scan is part of what QA approved."""
    png(packaged_ws / SCAN)
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=4,
                  line="error: price lock closed: changed since the QA approval by 郑雅琴: "
                       f"file: {SCAN} (request a new review)")


def write_big_pdf(path: Path, megabytes: int) -> int:
    """One page showing one JPEG-filtered image of ``megabytes`` MB of random (incompressible) bytes, written
    object by object so neither this test nor the disk cache has to hold it; returns the image's size."""
    width = 4096
    height = (megabytes << 20) // (width * 3)
    size = width * height * 3
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    offsets: list[int] = []
    with open(path, "wb") as fh:
        def obj(head: str, stream: Callable[[], None] | bytes | None = None) -> None:
            offsets.append(fh.tell())
            fh.write(f"{len(offsets)} 0 obj\n{head}".encode())
            if stream is not None:
                fh.write(b"\nstream\n")
                stream() if callable(stream) else fh.write(stream)
                fh.write(b"\nendstream")
            fh.write(b"\nendobj\n")

        def image() -> None:
            chunk = os.urandom(1 << 20)  # repeated 1 MB apart: beyond any deflate window, so incompressible
            left = size
            while left:
                n = min(left, len(chunk))
                fh.write(chunk[:n])
                left -= n

        fh.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        obj("<< /Type /Catalog /Pages 2 0 R >>")
        obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            "/Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>")
        obj(f"<< /Length {len(content)} >>", content)
        obj(f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB "
            f"/BitsPerComponent 8 /Filter /DCTDecode /Length {size} >>", image)
        xref = fh.tell()
        fh.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        fh.writelines(f"{o:010d} 00000 n \n".encode() for o in offsets)
        fh.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return size


def peak_rss_mb(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run bidkit in a fresh Python that reports its child's peak RSS (RUSAGE_CHILDREN of that process only)."""
    probe = ("import resource, subprocess, sys; "
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stdout.write(r.stdout); sys.stderr.write(r.stderr); "
             "print('peak', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")
    # bidkit's own memory: LibreOffice, which `bidkit assemble` starts first thing, would count in once reaped
    env = {**os.environ, **DEMO_ENV, "BIDKIT_NO_UNO": "1"}
    r = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "bidkit", *map(str, args)],
                       capture_output=True, text=True, env=env, timeout=120)
    peak = r.stdout.splitlines()[-1]
    assert peak.startswith("peak "), r.stdout
    r.stdout = "\n".join(r.stdout.splitlines()[:-1])
    return r, int(peak.split()[1]) / 1024  # ru_maxrss is in KiB on Linux


@pytest.mark.slow
def test_200_mb_scan_memory_stays_bounded(packaged_ws: Path) -> None:
    """qpdf holds one stream whole while it copies it, so the floor is the scan's largest image: the bound is
    about twice that plus bidkit itself, not a multiple of the package. The lock hashes the scan in chunks."""
    size_mb = write_big_pdf(packaged_ws / SCAN, 200) / (1 << 20)
    r, peak = peak_rss_mb("assemble", packaged_ws)  # refused by the lock after hashing the scan
    assert r.returncode == 4 and "Traceback" not in r.stderr
    assert peak < 150, f"price lock check peaked at {peak:.0f} MB"

    before = snapshot(packaged_ws / "build")
    r, peak = peak_rss_mb("assemble", packaged_ws, "--draft", "--json")
    assert r.returncode == 0, r.stderr
    assert peak < 2.2 * size_mb + 180, f"draft assemble with a {size_mb:.0f} MB scan peaked at {peak:.0f} MB"
    after = snapshot(packaged_ws / "build")
    assert {k: v for k, v in after.items() if k in before} == before  # earlier packages untouched
    new = sorted(set(after) - set(before))
    assert new == ["JL-2026-031-v1-draft-2.manifest.json", "JL-2026-031-v1-draft-2.pdf"]
    assert (packaged_ws / "build" / new[1]).stat().st_size > size_mb * (1 << 20)

    r, peak = peak_rss_mb("check", packaged_ws, "--without-prices")
    assert r.returncode == 0, r.stderr
    assert peak < 150, f"bidkit check with a {size_mb:.0f} MB scan peaked at {peak:.0f} MB"


# opened as any viewer opens them (issue 15 item 9): sealed, with a warning naming what sealing changes
READABLE = [
    (owner_only, "encrypted with an empty user password (owner restrictions); read without a password, the "
                 "package does not keep the encryption"),
    (broken_xref, "damaged file repaired (its cross-reference table was rebuilt); every page reads — check that it "
                  "looks right in the package"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("spoil", "note"), READABLE, ids=[c[0].__name__ for c in READABLE])
def test_readable_odd_scan_is_sealed_with_a_warning(packaged_ws: Path, cli: Callable[..., Result],
                                                    spoil: Callable[[Path], None], note: str) -> None:
    import json

    spoil(packaged_ws / SCAN)
    r = cli("check", packaged_ws, "--without-prices")
    assert r.code == 0, r.err
    assert f"{NAME}的扫描件 {SCAN} 封装时会被改动：{note}。" in "".join(r.out.split("\n"))
    r = cli("assemble", packaged_ws, "--draft")
    assert r.code == 0, r.err
    manifest = max((packaged_ws / "build").glob("*draft*.manifest.json"), key=lambda p: p.stat().st_mtime)
    [entry] = [e for e in json.loads(manifest.read_text(encoding="utf-8"))["entries"] if e["name"].endswith("iso9001")]
    assert entry["notes"] == [f"{SCAN}: {note}"]
