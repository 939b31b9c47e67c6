"""Like for like: bidkit before the redesign (issue 11) and this bidkit, on the same book; prints a table.

    git worktree add /tmp/before 01f7257        # main just before the redesign
    .venv/bin/python benchmarks/bench_like_for_like.py --baseline /tmp/before [--runs 5] [--also DIR …]

bench_assemble.py measures this bidkit on today's sample (19 chapters, stamped scans, evidence); the code before
the redesign cannot read that workspace. This benchmark takes the other way round: the baseline's own sample (its
three parts' chapters, 42 pages), assembled by the baseline and by this bidkit. Two changes make it valid here, both
done on this bidkit's copy only and both forced by rules added since: the ★ row T-04's note "见检测报告" is dropped
(it cites evidence the sample never attached: a fatal finding now), and the review is requested and approved again
with the sample's DEMO QA key (the audit log's review entries now carry their digests). Every assembly is a fresh
command (``python -m bidkit`` with that tree first on ``PYTHONPATH``), cold (empty ``build/cache``) and after a price
change, taking turns so all see the machine in the same state. ``--also DIR`` adds other checkouts (e.g. the previous
stop's commit) run on this bidkit's copy.
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bytecode import compile_trees  # noqa: E402

PASSPHRASE = "demo-only-passphrase"  # the samples' public DEMO secrets
ENV = {**os.environ, "BIDKIT_PRICE_PASSPHRASE": PASSPHRASE, "BIDKIT_SIGN_PASSWORD": "demo-only-password"}
KEY = ROOT / "samples" / "demo-keys" / "DEMO-qa-reviewer.key"
UNATTACHED = "    note: 见检测报告\n"

CHANGE_PRICE = """
from decimal import Decimal
try:
    from bidkit.store import lock, workspace
except ImportError:  # before the redesign
    from bidkit import lock, workspace
ws = workspace.load({ws!r}); p = lock.open_prices(ws, {pw!r}); line = p.lines[0]
p2 = lock.set_price(p, line.item, line.unit_price + Decimal("{step}"), [b.id for b in ws.data.solution.bom])
lock.save_prices(ws, p2, {pw!r}, "price.set", {{"item": line.item}})
"""

REAPPROVE = """
from pathlib import Path
from bidkit.store import keys, lock, workspace
ws = workspace.load({ws!r}); lock.request(ws)
lock.decide(ws, "approved", "郑雅琴", "DEMO like-for-like benchmark", keys.load_private(Path({key!r})))
"""


def python(code: str, tree: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**ENV, "PYTHONPATH": str(tree)}, cwd=tree)
    if proc.returncode:
        raise SystemExit(f"failed in {tree}:\n{proc.stderr[-2000:]}")


def assemble(ws: Path, tree: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws), "--json"], capture_output=True,
                          text=True, env={**ENV, "PYTHONPATH": str(tree)}, cwd=tree)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"assemble failed with {tree}:\n{proc.stderr[-2000:]}")
    return seconds, json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", type=Path, required=True, help="a checkout of bidkit before the redesign")
    ap.add_argument("--also", type=Path, action="append", default=[], help="another checkout, on the same copy")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    compile_trees(ROOT, args.baseline, *args.also)
    with tempfile.TemporaryDirectory(prefix="bench-l4l-") as tmp_name:
        tmp = Path(tmp_name)
        sample = args.baseline / "samples" / "city-surveillance"
        base_ws = tmp / "base"
        shutil.copytree(sample, base_ws, ignore=shutil.ignore_patterns("build"))
        ours = tmp / "ours"
        shutil.copytree(sample, ours, ignore=shutil.ignore_patterns("build", "review", "audit.log"))
        responses = ours / "responses.yaml"
        text = responses.read_text(encoding="utf-8")
        if UNATTACHED not in text:
            raise SystemExit(f"{sample}: not the sample this benchmark knows (no {UNATTACHED.strip()!r})")
        responses.write_text(text.replace(UNATTACHED, "", 1), encoding="utf-8")
        python(REAPPROVE.format(ws=str(ours), key=str(KEY)), ROOT)
        runs = [(f"before the redesign ({args.baseline})", base_ws, args.baseline)]
        for i, tree in enumerate(args.also):
            copy = tmp / f"also-{i}"
            shutil.copytree(ours, copy)
            runs.append((f"{tree}", copy, tree))
        runs.append(("this bidkit", ours, ROOT))
        pages = {}
        for name, ws, tree in runs:  # each tree's installation-wide setup (profile template) once, untimed
            pages[name] = assemble(ws, tree)[1]["pages"]
        cold: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        again: dict[str, list[float]] = {name: [] for name, _, _ in runs}
        for _ in range(args.runs):
            for name, ws, tree in runs:
                shutil.rmtree(ws / "build" / "cache", ignore_errors=True)
                cold[name].append(assemble(ws, tree)[0])
        for i in range(args.runs):
            for name, ws, tree in runs:
                python(CHANGE_PRICE.format(ws=str(ws), pw=PASSPHRASE, step=i + 1), tree)
                again[name].append(assemble(ws, tree)[0])
    m = statistics.median
    base = m(cold[runs[0][0]])
    width = max(len(n) for n, _, _ in runs)
    print(f"{'bidkit':<{width}}  pages  cold s  × before  re-assemble s  of its cold   (median of {args.runs}, "
          f"{os.cpu_count()} cores)")
    for name, _, _ in runs:
        c, a = m(cold[name]), m(again[name])
        print(f"{name:<{width}}  {pages[name]:>5}  {c:>6.2f}  {c / base:>7.2f}  {a:>13.2f}  {a / c:>10.0%}")
    print("target (issue 11): cold at most 1.10 × before")


if __name__ == "__main__":
    main()
