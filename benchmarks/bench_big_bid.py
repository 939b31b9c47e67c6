"""Benchmark of `bidkit assemble` on a realistic large bid (benchmarks/make_big_bid.py); prints a table.

    .venv/bin/python benchmarks/bench_big_bid.py [--runs 3] [--pages 300]

Rows (median of N, on this machine): LibreOffice alone converting all the bid's .docx in one ``soffice
--convert-to`` call; LibreOffice alone converting only the largest chapter (the floor: bidkit cannot be faster
than its slowest conversion); cold assemble (empty build cache), with the peak of the summed memory of bidkit and
its LibreOffice processes, sampled every 100 ms; re-assemble after a price change; both again without the
soffice bidkit starts ahead (what the standby buys), interleaved. Targets (issue 12): cold at
most 3 s above the floor, re-assemble at most 25 % of cold, peak memory under 1.5 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_trees  # noqa: E402
from make_big_bid import make  # noqa: E402

from bidkit.adapters.soffice import FONTS_CONF  # noqa: E402

PASSPHRASE = "demo-only-passphrase"  # the sample's public DEMO secrets
ENV = {**os.environ, "BIDKIT_PRICE_PASSPHRASE": PASSPHRASE, "BIDKIT_SIGN_PASSWORD": "demo-only-password",
       "PYTHONPATH": str(ROOT)}


def tree_rss(pid: int) -> int:
    """Summed RSS (bytes) of ``pid`` and all its descendants, from /proc/*/stat alone (parent and RSS are both
    there: one read per process; a sample costs about 1.5 ms of CPU, which the machine's two cores share with
    what is measured)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        rss[int(entry.name)] = int(fields[21]) * PAGE
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def assemble(ws: Path, standby: bool = True) -> tuple[float, int, dict[str, object]]:
    """One ``bidkit assemble`` as a fresh command: seconds, peak summed RSS, its JSON summary (``standby``:
    with the soffice bidkit starts ahead, else with ``BIDKIT_SOFFICE_STANDBY=0``)."""
    start = time.perf_counter()
    env = ENV if standby else {**ENV, "BIDKIT_SOFFICE_STANDBY": "0"}
    proc = subprocess.Popen([sys.executable, "-m", "bidkit", "assemble", str(ws), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"assemble failed:\n{err}")
    return seconds, peak[0], json.loads(out)


def soffice(docs: list[Path], outdir: Path) -> float:
    with tempfile.TemporaryDirectory() as prof:
        env = {**ENV, "HOME": prof, "FONTCONFIG_FILE": str(FONTS_CONF)}
        start = time.perf_counter()
        subprocess.run(["soffice", f"-env:UserInstallation=file://{prof}/p", "--headless", "--convert-to", "pdf",
                        "--outdir", str(outdir), *map(str, docs)], capture_output=True, env=env, check=True)
        return time.perf_counter() - start


def change_price(ws: Path, step: int) -> None:
    code = ("from decimal import Decimal; from bidkit.store import lock, workspace\n"
            f"ws = workspace.load({str(ws)!r}); p = lock.open_prices(ws, {PASSPHRASE!r})\n"
            "line = p.lines[0]; bom = [b.id for b in ws.data.solution.bom]\n"
            f"p2 = lock.set_price(p, line.item, line.unit_price + Decimal('{step}'), bom)\n"
            f"lock.save_prices(ws, p2, {PASSPHRASE!r}, 'price.set', {{'item': line.item}})\n")
    subprocess.run([sys.executable, "-c", code], env=ENV, check=True, capture_output=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pages", type=int, default=300)
    args = ap.parse_args()
    n = args.runs
    compile_trees(ROOT)
    with tempfile.TemporaryDirectory(prefix="bench-big-") as tmp_name:
        tmp = Path(tmp_name)
        ws = make(tmp / "ws", pages=args.pages)
        shown = tmp / "shown"  # price chapters are never written to build/: a viewer copies what it is shown
        shown.mkdir()
        viewer = tmp / "viewer.sh"
        viewer.write_text(f'#!/bin/sh\ncp "$1"/*.docx {shown}/\n', encoding="utf-8")
        viewer.chmod(0o700)
        for only in ([], ["--only", "price"]):
            subprocess.run([sys.executable, "-m", "bidkit", "render", str(ws), *only],
                           env={**ENV, "BIDKIT_VIEWER": str(viewer)}, capture_output=True, text=True, check=True)
        docs = sorted([*(ws / "build" / "docx").glob("*.docx"), *shown.glob("*.docx")])
        docs.append(ws / "chapters" / "技术方案.docx")
        largest = max(docs, key=lambda p: p.stat().st_size)
        alone, floor, cold, peaks, again, cold_off, again_off = [], [], [], [], [], [], []
        pages = 0
        for i in range(n):
            alone.append(soffice(docs, tmp / f"all-{i}"))
            floor.append(soffice([largest], tmp / f"one-{i}"))
            shutil.rmtree(ws / "build" / "cache", ignore_errors=True)
            seconds, peak, summary = assemble(ws)
            cold.append(seconds)
            peaks.append(peak)
            pages = int(summary["pages"])  # type: ignore[call-overload]
            shutil.rmtree(ws / "build" / "cache", ignore_errors=True)
            cold_off.append(assemble(ws, standby=False)[0])
        for i in range(n):
            change_price(ws, 2 * i + 1)
            again.append(assemble(ws)[0])
            change_price(ws, 2 * i + 2)
            again_off.append(assemble(ws, standby=False)[0])
        med = statistics.median
        rows = [
            (f"LibreOffice alone, all {len(docs)} .docx in one call", med(alone), "", ""),
            (f"LibreOffice alone, the largest chapter ({largest.name}): the floor", med(floor), "", ""),
            (f"cold assemble ({pages} pages)", med(cold), f"floor + {med(cold) - med(floor):.1f} s",
             f"{'pass' if med(cold) <= med(floor) + 3 else 'FAIL'} (≤ floor + 3 s)"),
            ("peak memory, bidkit + LibreOffice", max(peaks) / 2**30, "GiB",
             f"{'pass' if max(peaks) < 1.5 * 2**30 else 'FAIL'} (< 1.5 GiB)"),
            ("re-assemble after a price change", med(again), f"{med(again) / med(cold):.0%} of cold",
             f"{'pass' if med(again) <= 0.25 * med(cold) else 'FAIL'} (≤ 25 % of cold)"),
            ("  the same two without the standby soffice: cold", med(cold_off),
             f"{med(cold_off) - med(cold):+.1f} s", ""),
            ("  … re-assemble", med(again_off), f"{med(again_off) - med(again):+.1f} s", ""),
        ]
    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'median':>8}  {'note':<18}  target   (runs: {n}, {os.cpu_count()} cores)")
    print("-" * (width + 50))
    for name, value, note, target in rows:
        print(f"{name:<{width}}  {value:>8.2f}  {note:<18}  {target}")
    print("runs (s): " + "; ".join(f"{label} {' '.join(f'{v:.2f}' for v in values)}" for label, values in (
        ("all", alone), ("floor", floor), ("cold", cold), ("re-assemble", again), ("cold without standby", cold_off),
        ("re-assemble without", again_off))))


if __name__ == "__main__":
    main()
