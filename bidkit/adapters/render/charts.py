"""Charts as PNG bytes: the 横道图 of the bid's 施工组织设计 and of the construction report (plan and actual),
drawn by :mod:`bars` (Pillow), and the report's progress curve.

The curve is drawn by matplotlib (headless, Agg), which only the construction report imports; labels use Noto
Sans CJK, so Chinese text renders instead of empty boxes.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

from bidkit.adapters.render import bars
from bidkit.core.lifecycle import ConstructionFigures, TaskStatus
from bidkit.core.models import Task

PLAN_COLOUR = "#9DB9D8"
LATE_COLOUR = "#D9534F"  # behind plan: red
ON_TIME_COLOUR = "#E8A33D"  # in progress and on plan: amber
DONE_COLOUR = "#2E7D32"
SCHEDULE_EDGE = "#3A6EA5"
DPI = bars.DPI
LABEL_PT = 8.0  # at print size: above 六号 (7.5 pt), the smallest a printed figure may use
TITLE_PT = 10.5
DATE_FORMAT = "%Y-%m-%d"
WIDTH_CM = 16.0  # a chart is drawn at the size it is printed: its labels print at their point size


@cache
def _font() -> Any:
    from matplotlib import font_manager

    path = str(bars.font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = _font()
    plt.rcParams["font.family"] = font.get_name()
    plt.rcParams["axes.unicode_minus"] = False
    return plt


def _png(fig: Any) -> bytes:
    """The figure drawn as PNG; the figure is closed (pyplot keeps every open one)."""
    buf = io.BytesIO()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a missing glyph warns; better to fail than to ship tofu
            fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    finally:
        _pyplot().close(fig)
    return buf.getvalue()


def is_late(ts: TaskStatus) -> bool:
    """Behind plan on the report date: started, ended or still open after the plan, or less done than planned."""
    return ts.slippage > 0 or (ts.end is None and ts.start is not None and ts.actual < ts.planned)


def _inches(cm: float) -> float:
    return cm / 2.54


def _date_axis(ax: Any, maxticks: int = 7) -> None:
    from matplotlib import dates as mdates

    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=maxticks))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(DATE_FORMAT))
    ax.tick_params(axis="x", labelsize=LABEL_PT, labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")


def gantt_chart(fig_data: ConstructionFigures, width_cm: float = WIDTH_CM) -> bars.BarChart:
    """One row per task: the planned bar, and below it the actual bar (to ``at`` while still open): done in
    green, on plan in amber, behind plan in red; a dashed line on the report date."""
    rows, drawn = [], []
    for i, ts in enumerate(fig_data.tasks):
        rows.append(f"{ts.task.id} {ts.task.name}")
        drawn.append(bars.Bar(i, ts.task.start, ts.task.end, PLAN_COLOUR, offset=-0.18, height=0.34))
        if ts.start is not None:
            end = ts.end or fig_data.at
            colour = DONE_COLOUR if ts.end is not None else LATE_COLOUR if is_late(ts) else ON_TIME_COLOUR
            drawn.append(bars.Bar(i, ts.start, max(end, ts.start), colour, offset=0.18, height=0.34,
                                  label=f"{ts.actual}%"))
    return bars.BarChart("施工进度横道图（计划与实际）", tuple(rows), tuple(drawn), width_cm, row_cm=0.62,
                         label_pt=LABEL_PT, title_pt=TITLE_PT,
                         marker=(fig_data.at, f"统计日 {fig_data.at:{DATE_FORMAT}}"),
                         legend=((PLAN_COLOUR, "计划"), (DONE_COLOUR, "已完成"), (ON_TIME_COLOUR, "进行中（按计划）"),
                                 (LATE_COLOUR, "滞后")), max_ticks=7)


def gantt(fig_data: ConstructionFigures, width_cm: float = WIDTH_CM) -> bytes:
    return bars.draw(gantt_chart(fig_data, width_cm))


def schedule_chart(tasks: Sequence[Task], width_cm: float = WIDTH_CM) -> bars.BarChart:
    """The plan as a 横道图 (the bid's 施工组织设计): one bar per task from its start to its end, labelled with its
    length in days; full dates on the axis."""
    return bars.BarChart("施工进度计划横道图", tuple(f"{t.id} {t.name}" for t in tasks),
                         tuple(bars.Bar(i, t.start, t.end, PLAN_COLOUR, edge=SCHEDULE_EDGE,
                                        label=f"{(t.end - t.start).days + 1} 天") for i, t in enumerate(tasks)),
                         width_cm, row_cm=0.55, label_pt=LABEL_PT, title_pt=TITLE_PT)


def schedule(tasks: Sequence[Task], width_cm: float = WIDTH_CM) -> bytes:
    return bars.draw(schedule_chart(tasks, width_cm))


def progress_curve(fig_data: ConstructionFigures, width_cm: float = WIDTH_CM) -> bytes:
    """Cumulative planned and actual progress (percent of planned task-days), day by day."""
    return _png(progress_figure(fig_data, width_cm))


def progress_figure(fig_data: ConstructionFigures, width_cm: float = WIDTH_CM) -> Any:
    plt = _pyplot()

    days = [d for d, _, _ in fig_data.daily]
    planned = [float(p) for _, p, _ in fig_data.daily]
    actual_pts = [(d, float(a)) for d, _, a in fig_data.daily if a is not None]
    fig, ax = plt.subplots(figsize=(_inches(width_cm), _inches(8.0)), layout="constrained")
    ax.plot(days, planned, color="#3A6EA5", linewidth=1.6, label="计划累计进度")
    if actual_pts:
        ax.plot([d for d, _ in actual_pts], [a for _, a in actual_pts], color=LATE_COLOUR
                if fig_data.actual < fig_data.planned else DONE_COLOUR, linewidth=2.0, label="实际累计进度")
    ax.axvline(fig_data.at, color="#555555", linestyle="--", linewidth=1)
    ax.annotate(f"{fig_data.at:{DATE_FORMAT}}\n计划 {fig_data.planned}%\n实际 {fig_data.actual}%",
                xy=(fig_data.at, float(fig_data.actual)), xytext=(8, -34), textcoords="offset points",
                fontsize=LABEL_PT)
    ax.set_ylim(0, 105)
    ax.set_ylabel("累计完成（%）", fontsize=LABEL_PT)
    ax.tick_params(labelsize=LABEL_PT)
    _date_axis(ax)
    ax.set_title("计划与实际累计进度曲线", fontsize=TITLE_PT)
    ax.grid(color="#E0E0E0", linewidth=0.6)
    ax.legend(loc="upper left", fontsize=LABEL_PT, frameon=False)
    return fig
