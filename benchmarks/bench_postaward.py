"""Benchmark of the sample's post-award documents; prints a table (median of N runs).

    .venv/bin/python benchmarks/bench_postaward.py [--runs 5]

Rows: the figures alone (pure core), the two charts, each document rendered to .docx in memory, all of them
together, and the CLI end to end (fresh ``python -m bidkit`` processes, so import time counts as it does for a
user) with and without the LibreOffice conversion to PDF (cold: an empty PDF cache).
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from bidkit.adapters.render import charts  # noqa: E402
from bidkit.core import lifecycle  # noqa: E402
from bidkit.pipeline import reports  # noqa: E402
from bidkit.store import workspace  # noqa: E402
from bidkit.store.resources import sample_workspace  # noqa: E402

AT = dt.date(2027, 3, 15)
AS_OF = {"construction_report": AT, "supply_report": AT, "bond_refund_request": dt.date(2030, 6, 15),
         "project_summary": dt.date(2030, 7, 1)}
COMMANDS = [
    ["report", "construction", "{ws}", "--at", "2027-03-15"],
    ["report", "supply", "{ws}", "--at", "2027-03-15"],
    ["report", "plan", "{ws}"],
    ["report", "summary", "{ws}", "--at", "2030-07-01"],
    ["request", "payment", "{ws}"],
    ["request", "bond-refund", "{ws}", "--at", "2030-06-15"],
]


def median(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cli_all(pdf: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ws = Path(tmp) / "ws"
        shutil.copytree(sample_workspace(), ws, ignore=shutil.ignore_patterns("build"))
        for cmd in COMMANDS:
            args = [a.format(ws=ws) for a in cmd] + ([] if pdf else ["--no-pdf"])
            subprocess.run([sys.executable, "-m", "bidkit", *args], check=True, capture_output=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-pdf", action="store_true", help="skip the LibreOffice row")
    args = parser.parse_args()
    ws = workspace.load(sample_workspace())
    figures = lifecycle.construction_figures(ws.data, AT, "month")
    rows: list[tuple[str, float]] = [
        ("figures: construction + supply + status + summary", median(lambda: (
            lifecycle.construction_figures(ws.data, AT, "day"), lifecycle.supply_figures(ws.data, AT),
            lifecycle.status(ws.data, AT), lifecycle.summary(ws.data, dt.date(2030, 7, 1))), args.runs)),
        ("charts: Gantt + progress curve (PNG)", median(lambda: (charts.gantt(figures),
                                                                 charts.progress_curve(figures)), args.runs)),
    ]
    for name in reports.POST_AWARD:
        rows.append((f"docx: {name}", median(lambda n=name: reports.render(ws, n, at=AS_OF.get(n)), args.runs)))
    rows.append((f"docx: all {len(reports.POST_AWARD)}, in process", median(
        lambda: [reports.render(ws, n, at=AS_OF.get(n)) for n in reports.POST_AWARD], args.runs)))
    cli_runs = max(1, args.runs // 2)
    rows.append((f"CLI: 6 commands, .docx only ({cli_runs} runs)", median(lambda: cli_all(False), cli_runs)))
    if not args.no_pdf and shutil.which("soffice"):
        rows.append((f"CLI: 6 commands, .docx + PDF, cold ({cli_runs} runs)", median(lambda: cli_all(True), cli_runs)))
    width = max(len(r[0]) for r in rows)
    print(f"{'step'.ljust(width)}  seconds (median of {args.runs})")
    print(f"{'-' * width}  -------")
    for label, seconds in rows:
        print(f"{label.ljust(width)}  {seconds:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
