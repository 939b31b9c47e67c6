"""How long `bidkit review status` takes on the bundled sample (median of several runs), by step.

    .venv/bin/python benchmarks/bench_review.py [RUNS]
"""

from __future__ import annotations

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

from bidkit.store import lock, workspace  # noqa: E402
from bidkit.store.resources import sample_workspace  # noqa: E402


def median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as tmp:
        ws_dir = Path(tmp) / "ws"
        shutil.copytree(sample_workspace(), ws_dir, ignore=shutil.ignore_patterns("build"))
        ws = workspace.load(ws_dir)
        bidkit = ROOT / ".venv" / "bin" / "bidkit"
        rows = [
            ("load workspace (YAML + models)", median_ms(lambda: workspace.load(ws_dir), runs)),
            ("digest map (data, templates, attachments)", median_ms(lambda: lock.current_digests(ws), runs)),
            ("the review chain in audit.log (signed decisions)", median_ms(lambda: lock.chain(ws), runs)),
            ("lock.status (in process, loaded ws)", median_ms(lambda: lock.status(ws), runs)),
            ("bidkit --help (interpreter + imports)", median_ms(
                lambda: subprocess.run([str(bidkit), "--help"], capture_output=True, check=True), runs)),
            ("bidkit review status (whole command)", median_ms(
                lambda: subprocess.run([str(bidkit), "review", "status", str(ws_dir)], capture_output=True,
                                       check=True), runs)),
        ]
        n = len(lock.current_digests(ws))
    print(f"review status on the sample ({n} inputs), median of {runs} runs")
    print(f"{'step':<45} {'ms':>8}")
    print("-" * 54)
    for name, ms in rows:
        print(f"{name:<45} {ms:>8.1f}")


if __name__ == "__main__":
    main()
