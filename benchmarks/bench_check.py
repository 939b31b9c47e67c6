"""How long `bidkit check` takes on the bundled sample, with its DEMO prices (median of 5 runs), by step.
The issue's bound: the whole command under 2 s.

    .venv/bin/python benchmarks/bench_check.py [RUNS]
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bidkit.core import checks  # noqa: E402
from bidkit.core.book import plan  # noqa: E402
from bidkit.pipeline import check as check_io  # noqa: E402
from bidkit.store import workspace  # noqa: E402
from bidkit.store.resources import sample_workspace  # noqa: E402

PASSPHRASE = "demo-only-passphrase"  # the sample's DEMO passphrase (public)
LIMIT_S = 2.0


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    os.environ["BIDKIT_PRICE_PASSPHRASE"] = PASSPHRASE
    with tempfile.TemporaryDirectory() as tmp:
        ws_dir = Path(tmp) / "ws"
        shutil.copytree(sample_workspace(), ws_dir, ignore=shutil.ignore_patterns("build"))
        ws = workspace.load(ws_dir)
        priced, note = check_io.with_readable_prices(ws)
        assert not note, note
        inp = check_io.gather(priced)
        book = plan(priced.data)
        bidkit = ROOT / ".venv" / "bin" / "bidkit"
        rows = [
            ("load workspace (YAML + models)", median_ms(lambda: workspace.load(ws_dir), runs)),
            ("open prices (lock status + scrypt)", median_ms(lambda: check_io.with_readable_prices(ws), runs)),
            (f"render {len(book.chapters())} chapters in memory + text", median_ms(
                lambda: check_io.chapter_texts(priced, book), runs)),
            ("attachment facts (pikepdf)", median_ms(lambda: check_io.attachment_facts(ws), runs)),
            ("template names (Jinja AST)", median_ms(lambda: check_io.template_vars(ws, book), runs)),
            (f"{len(checks.RULES)} rules (pure)", median_ms(
                lambda: checks.run_checks(dataclasses.replace(inp, _chapters={})), runs)),
            ("check_io.run (in process, loaded ws)", median_ms(lambda: check_io.run(ws), runs)),
            ("bidkit check DIR (whole command)", median_ms(
                lambda: subprocess.run([str(bidkit), "check", str(ws_dir)], capture_output=True, check=True), runs)),
        ]
    print(f"bidkit check on the sample (prices readable), median of {runs} runs")
    print(f"{'step':<42} {'ms':>8}")
    print("-" * 51)
    for name, ms in rows:
        print(f"{name:<42} {ms:>8.1f}")
    whole = rows[-1][1] / 1000
    print("-" * 51)
    print(f"{'whole command vs the 2 s bound':<42} {'ok' if whole < LIMIT_S else 'TOO SLOW':>8}")


if __name__ == "__main__":
    main()
