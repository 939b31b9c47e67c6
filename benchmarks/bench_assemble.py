"""Benchmark of `bidkit assemble` on the bundled sample; prints a table (median of N runs).

    .venv/bin/python benchmarks/bench_assemble.py [--runs 5] [--scale-pages 1000] [--baseline DIR]

Rows: LibreOffice alone converting the book's chapters in one call (a fresh profile, as a user's first run has,
and started as bidkit starts it); cold assemble (empty build cache); re-assemble after a price change (the price
chapters convert again, they are never cached); the generated pages (cover + TOC); the scale case (the sample plus
N pages of attachments: merge + numbers + seals + cross-page seal + signature, with peak memory); and the naive
way (one soffice start per chapter, then a plain pypdf append). With ``--baseline DIR`` (another checkout of
bidkit, e.g. ``git worktree add /tmp/before HEAD~5``) its cold assemble and re-assemble run interleaved with this
one's, so both are measured on the machine in the same state — on that checkout's own sample, which may be a
different book (the row says how many pages). Every assemble is a fresh command (``python -m bidkit``), so
interpreter and import time count, as they do for a user.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_trees  # noqa: E402

from bidkit.adapters.soffice import FONTS_CONF, profile_template, soffice_binary, soffice_env  # noqa: E402
from bidkit.store.resources import sample_workspace  # noqa: E402

PASSPHRASE = "demo-only-passphrase"  # the sample's public DEMO passphrase
PY = sys.executable
ENV = {**os.environ, "BIDKIT_PRICE_PASSPHRASE": PASSPHRASE, "PYTHONPATH": str(ROOT),
       "BIDKIT_SIGN_PASSWORD": "demo-only-password"}  # the sample's public DEMO certificate


def child_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, cwd=cwd)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return seconds, proc.stdout


def soffice(docs: list[Path], outdir: Path, template: Path | None = None) -> float:
    """One ``soffice --convert-to`` of ``docs``: plain (a fresh profile), or as bidkit starts LibreOffice."""
    with tempfile.TemporaryDirectory() as prof:
        env = {**ENV, "HOME": prof, "FONTCONFIG_FILE": str(FONTS_CONF)}
        if template is not None:  # as bidkit starts it: profile template, malloc on huge pages
            shutil.copytree(template, f"{prof}/p")
            env = {**soffice_env(Path(prof)), **{k: v for k, v in ENV.items() if k.startswith("BIDKIT")}}
        start = time.perf_counter()
        subprocess.run(["soffice", f"-env:UserInstallation=file://{prof}/p", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), *map(str, docs)], capture_output=True, env=env, check=True)
        return time.perf_counter() - start


def assemble(ws: Path, *extra: str, tree: Path = ROOT) -> dict[str, object]:
    env = {**ENV, "PYTHONPATH": str(tree)}
    _, out = run([PY, "-m", "bidkit", "assemble", str(ws), "--json", *extra], env, cwd=tree)  # that tree's bidkit
    return json.loads(out)


def change_price(ws: Path, step: int) -> None:
    code = (
        "import sys; from decimal import Decimal; from bidkit.store import lock, workspace\n"
        f"ws = workspace.load({str(ws)!r}); p = lock.open_prices(ws, {PASSPHRASE!r})\n"
        "line = p.lines[0]\n"
        f"bom = [b.id for b in ws.data.solution.bom]\n"
        f"p2 = lock.set_price(p, line.item, line.unit_price + Decimal('{step}'), bom)\n"
        f"lock.save_prices(ws, p2, {PASSPHRASE!r}, 'price.set', {{'item': line.item}})\n"
    )
    run([PY, "-c", code])


def scale_attachments(ws: Path, pages: int) -> None:
    """Add ``pages`` pages of scan-like attachments (each page its own JPEG), as extra qualifications."""
    import pikepdf
    from PIL import Image, ImageDraw

    per_file = 100
    company = (ws / "company.yaml").read_text(encoding="utf-8")
    extra = []
    for f in range(pages // per_file):
        pdf = pikepdf.new()
        for i in range(per_file):
            im = Image.new("L", (850, 1200), 240)
            d = ImageDraw.Draw(im)
            for k in range(40):
                d.line((40, 60 + k * 27, 810, 60 + k * 27 + (i + f) % 7), fill=60, width=2)
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=40)
            img = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                                 Width=850, Height=1200, ColorSpace=pikepdf.Name.DeviceGray, BitsPerComponent=8,
                                 Filter=pikepdf.Name.DCTDecode)
            w, h = (842, 595) if i % 10 == 9 else (595, 842)  # some landscape pages among them
            page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
                                      Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=img)),
                                      Contents=pikepdf.Stream(pdf, f"q {w} 0 0 {h} 0 0 cm /Im0 Do Q".encode()))
            pdf.pages.append(pikepdf.Page(page))
        pdf.save(ws / "attachments" / f"scale_{f:02d}.pdf")
        extra.append(f"  - id: scale_{f:02d}\n    name: 扩展附件 {f + 1}\n    number: S-{f:03d}\n"
                     f"    issuer: 基准测试\n    scan: attachments/scale_{f:02d}.pdf\n")
    marker = "qualifications:\n"
    company = company.replace(marker, marker + "".join(extra), 1)
    ids = [f"scale_{f:02d}" for f in range(pages // per_file)]
    (ws / "company.yaml").write_text(company, encoding="utf-8")
    tender = (ws / "tender.yaml").read_text(encoding="utf-8")
    marker = "required_attachments:\n"
    tender = tender.replace(marker, marker + "".join(f"  - qualification: {i}\n" for i in ids), 1)
    placed = "    attachments: [business_licence,"  # the 资格证明文件 chapter holds them
    tender = tender.replace(placed, f"    attachments: [{', '.join(ids)}, business_licence,", 1)
    (ws / "tender.yaml").write_text(tender, encoding="utf-8")


def reapprove(ws: Path) -> None:
    key = ROOT / "samples" / "demo-keys" / "DEMO-qa-reviewer.key"
    code = (
        "from pathlib import Path; from bidkit.store import keys, lock, workspace\n"
        f"ws = workspace.load({str(ws)!r}); lock.request(ws)\n"
        f"lock.decide(ws, 'approved', '郑雅琴', 'DEMO benchmark', keys.load_private(Path({str(key)!r})))\n"
    )
    run([PY, "-c", code])


COMPOSE_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from bidkit.adapters.libreoffice import LibreOffice
from bidkit.pipeline import assemble as a
from bidkit.pipeline import book as book_pipeline
from bidkit.adapters.pdf import text
from bidkit.pipeline.signing import workspace_signer
from bidkit.store import crypto
ws, label = a.load(sys.argv[1], None)
book = a.plan(ws, False)
ws = a.unlock(ws, book, crypto.passphrase())
docs = a.render(ws, book)
with LibreOffice(a.conversion_cache(ws)) as office:
    converted = a.convert(office, book, docs)
    headings = a.outline(book, docs)
    words = {n: a._words(c, office.cache) for n, c in converted.items()}
    for pc in book.chapters():
        path = book_pipeline.chapter_file(ws, pc)
        if path is not None:
            words[pc.docx_name] = text.page_words(path)
    copy_spots = a.spots(ws, book)
    signer = workspace_signer(ws)
    start = time.perf_counter()
    c = a.compose(ws, book, converted, headings, words, copy_spots, label, False, Path(sys.argv[2]))
    a.seal(Path(sys.argv[2]), a.manifest(ws, c, False), signer)
    seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pages": c.pages, "timings": c.timings,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

PAGES_CHILD = r"""
import json, time
t0 = time.perf_counter()
from bidkit.adapters.pdf.pages import CoverInfo, TocLine, lay_out_front  # noqa: E402
lines = [TocLine(f"第{i}章　章节标题示例", 1 if i % 5 else 0) for i in range(40)]
cover = CoverInfo("江临市公安局“雪亮工程”视频监控扩容项目", "JLZC-2026-GK-0318", "江临智安科技有限公司",
                  "2026年12月20日", "正本")
t1 = time.perf_counter()
lay_out_front(cover, lines, "0123456789第页共 草稿/未审核")
t2 = time.perf_counter()
lay_out_front(cover, lines, "0123456789第页共 草稿/未审核")
t3 = time.perf_counter()
print(json.dumps({"cold": t2 - t0, "warm": t3 - t2}))
"""

NAIVE_CHILD = r"""
import sys, time
from pypdf import PdfWriter
w = PdfWriter()
for f in sys.argv[2:]:
    w.append(f)
with open(sys.argv[1], "wb") as fh:
    w.write(fh)
"""


def verdict(ok: bool, target: str) -> str:
    return f"{'pass' if ok else 'FAIL'} ({target})"


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scale-pages", type=int, default=1000)
    ap.add_argument("--baseline", type=Path, default=None, help="another bidkit checkout to compare with")
    args = ap.parse_args()
    n = args.runs
    compile_trees(ROOT, *([args.baseline] if args.baseline else []))
    rows: list[tuple[str, float, str, str]] = []  # case, seconds, note, target verdict
    with tempfile.TemporaryDirectory(prefix="bench-assemble-") as tmp_name:
        tmp = Path(tmp_name)
        ws = tmp / "ws"
        shutil.copytree(sample_workspace(), ws, ignore=shutil.ignore_patterns("build"))
        first = assemble(ws)  # makes the installation's profile template, as a user's first assembly does
        chapters = list(first["converted"])  # type: ignore[call-overload]
        priced = ["bid_letter", "opening_summary", "itemised_prices"]
        # the .docx files the package converts, as bidkit renders them
        shown = tmp / "shown"  # price chapters are never written to build/: a viewer copies what it is shown
        shown.mkdir()
        viewer = tmp / "viewer.sh"
        viewer.write_text(f'#!/bin/sh\ncp "$1"/*.docx {shown}/\n', encoding="utf-8")
        viewer.chmod(0o700)
        run([PY, "-m", "bidkit", "render", str(ws), *(a for c in chapters for a in ("--only", c))],
            {**ENV, "BIDKIT_VIEWER": str(viewer)})
        docs = [ws / "build" / "docx" / f"{c}.docx" if (ws / "build" / "docx" / f"{c}.docx").exists()
                else shown / f"{c}.docx" for c in chapters]
        template = profile_template(soffice_binary()) / "profile"
        base_ws = tmp / "base-ws"
        if args.baseline:
            shutil.copytree(ws, base_ws)
        # LibreOffice alone and the cold assemblies take turns, so all see the machine in the same state
        lo, lo_tpl, cold, base_cold = [], [], [], []
        for i in range(n):
            lo.append(soffice(docs, tmp / f"lo-{i}"))
            if template.is_dir():
                lo_tpl.append(soffice(docs, tmp / f"lo-tpl-{i}", template))
            shutil.rmtree(ws / "build" / "cache", ignore_errors=True)
            start = time.perf_counter()
            s = assemble(ws)
            cold.append(time.perf_counter() - start)
            assert s["converted"] == chapters, s
            if args.baseline:
                shutil.rmtree(base_ws / "build" / "cache", ignore_errors=True)
                start = time.perf_counter()
                base_pages = assemble(base_ws, tree=args.baseline)["pages"]
                base_cold.append(time.perf_counter() - start)
        rows.append((f"LibreOffice alone, {len(docs)} chapters, one call", median(lo), "", ""))
        if lo_tpl:
            rows.append(("LibreOffice alone, same, started as bidkit starts it", median(lo_tpl),
                         "profile template, malloc on huge pages", ""))
        ratio = median(cold) / median(lo)
        if base_cold:
            rows.append((f"baseline {args.baseline}: cold assemble ({base_pages} pages)", median(base_cold),
                         "its own sample", ""))
        rows.append((f"cold assemble (empty cache, {first['pages']} pages)", median(cold),
                     f"{ratio:.2f} × LibreOffice", verdict(ratio <= 1.5, "≤ 1.5 × LibreOffice alone")))

        again, base_again = [], []
        for i in range(n):
            change_price(ws, i + 1)
            start = time.perf_counter()
            s = assemble(ws)
            again.append(time.perf_counter() - start)
            assert s["converted"] == priced, s
            if args.baseline:
                change_price(base_ws, i + 1)
                start = time.perf_counter()
                assemble(base_ws, tree=args.baseline)
                base_again.append(time.perf_counter() - start)
        if base_again:
            rows.append((f"baseline {args.baseline}: re-assemble after a price change", median(base_again),
                         f"{median(base_again) / median(base_cold):.0%} of its cold", ""))
        share = median(again) / median(cold)
        rows.append(("re-assemble after a price change", median(again), f"{share:.0%} of cold", ""))

        pages_cold, pages_warm = [], []
        for _ in range(n):
            _, out = run([PY, "-c", PAGES_CHILD])
            r = json.loads(out)
            pages_cold.append(r["cold"])
            pages_warm.append(r["warm"])
        rows.append(("generated pages (cover + 40-entry TOC), incl. import", median(pages_cold), "",
                     verdict(median(pages_cold) < 1.0, "< 1 s")))
        rows.append(("generated pages, weasyprint already imported", median(pages_warm), "",
                     verdict(median(pages_warm) < 1.0, "< 1 s")))

        naive = []
        for i in range(n):
            outdir = tmp / f"naive-{i}"
            start = time.perf_counter()
            for doc in docs:
                soffice([doc], outdir)
            run([PY, "-c", NAIVE_CHILD, str(outdir / "all.pdf"), *(str(outdir / f"{d.stem}.pdf") for d in docs)])
            naive.append(time.perf_counter() - start)
        rows.append(("naive: soffice per chapter + pypdf append (no TOC/stamps)", median(naive),
                     f"{median(naive) / median(lo):.2f} × LibreOffice, {median(naive) / median(cold):.2f} × cold", ""))

        if args.scale_pages:
            scale_attachments(ws, args.scale_pages)
            reapprove(ws)  # the attachments are reviewed inputs: QA approves the grown workspace (DEMO key)
            assemble(ws)  # fills the cache for the current parts
            secs, rss, total_pages = [], [], 0
            for i in range(n):
                _, out = run([PY, "-c", COMPOSE_CHILD, str(ws), str(tmp / f"scale-{i}.pdf")])
                r = json.loads(out)
                secs.append(r["seconds"])
                rss.append(r["rss_mib"])
                total_pages = r["pages"]
            rows.append((f"scale: sample + {args.scale_pages} attachment pages ({total_pages} pages): "
                         "merge + numbers + seals + cross-page seal + sign", median(secs),
                         f"peak RSS {max(rss):.0f} MiB",
                         verdict(median(secs) < 5 and max(rss) < 500, "< 5 s, < 500 MiB")))

    width = max(len(r[0]) for r in rows)
    nw = max(len(r[2]) for r in rows)
    print(f"{'case':<{width}}  {'median s':>9}  {'note':<{nw}}  target   (runs: {n}, {os.cpu_count()} cores)")
    print("-" * (width + nw + 40))
    for name, seconds, note, target in rows:
        print(f"{name:<{width}}  {seconds:>9.2f}  {note:<{nw}}  {target}")


if __name__ == "__main__":
    main()
