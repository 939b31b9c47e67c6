"""Charts of the construction report as PNG bytes: a Gantt chart (plan and actual) and the progress curve.

matplotlib runs headless (Agg) and labels use Noto Sans CJK, so Chinese text renders instead of empty boxes.
"""

from __future__ import annotations

import io
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from bidkit.core.errors import ToolError
from bidkit.core.lifecycle import ConstructionFigures

FONT_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/truetype/noto"))
FONT_FILE = "NotoSansCJK-Regular.ttc"
PLAN_COLOUR = "#9DB9D8"
ACTUAL_COLOUR = "#D9534F"
DONE_COLOUR = "#2E7D32"
DPI = 150


@cache
def _font() -> Any:
    from matplotlib import font_manager

    for d in FONT_DIRS:
        path = d / FONT_FILE
        if path.exists():
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path))
    raise ToolError(f"CJK font {FONT_FILE} not found in {', '.join(map(str, FONT_DIRS))} (install fonts-noto-cjk)")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    plt.rcParams["font.family"] = font.get_name()
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph warns; better to fail than to ship tofu
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def gantt(fig_data: ConstructionFigures) -> bytes:
    """One row per task: the planned bar, and below it the actual bar (to ``at`` while still open)."""
    plt = _pyplot()
    from matplotlib import dates as mdates
    from matplotlib.patches import Patch

    tasks = fig_data.tasks
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(tasks) + 1.6))
    try:
        for i, ts in enumerate(tasks):
            y = len(tasks) - 1 - i
            start = mdates.date2num(ts.task.start)
            ax.barh(y + 0.18, (ts.task.end - ts.task.start).days + 1, left=start, height=0.34, color=PLAN_COLOUR)
            if ts.start is not None:
                end = ts.end or fig_data.at
                colour = DONE_COLOUR if ts.end is not None else ACTUAL_COLOUR
                ax.barh(y - 0.18, max((end - ts.start).days + 1, 1), left=mdates.date2num(ts.start), height=0.34,
                        color=colour)
                ax.text(mdates.date2num(end) + 1.5, y - 0.18, f"{ts.actual}%", va="center", fontsize=7)
        ax.axvline(mdates.date2num(fig_data.at), color="#555555", linestyle="--", linewidth=1)
        ax.text(mdates.date2num(fig_data.at), len(tasks) - 0.2, f"统计日 {fig_data.at:%m-%d}", fontsize=8,
                ha="center")
        ax.set_yticks(range(len(tasks)))
        ax.set_yticklabels([f"{t.task.id} {t.task.name}" for t in reversed(tasks)], fontsize=8)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=12))
        ax.tick_params(axis="x", labelsize=8)
        ax.set_title("施工进度横道图（计划与实际）", fontsize=11)
        ax.grid(axis="x", color="#E0E0E0", linewidth=0.6)
        handles = [Patch(color=c, label=n) for c, n in
                   ((PLAN_COLOUR, "计划"), (DONE_COLOUR, "实际（已完成）"), (ACTUAL_COLOUR, "实际（进行中）"))]
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=False, ncol=3)
        return _png(fig)
    finally:
        plt.close(fig)


def progress_curve(fig_data: ConstructionFigures) -> bytes:
    """Cumulative planned and actual progress (percent of planned task-days), day by day."""
    plt = _pyplot()
    from matplotlib import dates as mdates

    days = [d for d, _, _ in fig_data.daily]
    planned = [float(p) for _, p, _ in fig_data.daily]
    actual_pts = [(d, float(a)) for d, _, a in fig_data.daily if a is not None]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    try:
        ax.plot(days, planned, color="#3A6EA5", linewidth=1.8, label="计划累计进度")
        if actual_pts:
            ax.plot([d for d, _ in actual_pts], [a for _, a in actual_pts], color=ACTUAL_COLOUR, linewidth=2.2,
                    label="实际累计进度")
        ax.axvline(fig_data.at, color="#555555", linestyle="--", linewidth=1)
        ax.annotate(f"计划 {fig_data.planned}%\n实际 {fig_data.actual}%", xy=(fig_data.at, float(fig_data.actual)),
                    xytext=(8, -28), textcoords="offset points", fontsize=8)
        ax.set_ylim(0, 105)
        ax.set_ylabel("累计完成（%）", fontsize=9)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
        ax.tick_params(labelsize=8)
        ax.set_title("计划与实际累计进度曲线", fontsize=11)
        ax.grid(color="#E0E0E0", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        return _png(fig)
    finally:
        plt.close(fig)


