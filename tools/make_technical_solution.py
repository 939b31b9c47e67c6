"""Generate the sample workspace's own 技术方案 chapter (samples/city-surveillance/chapters/技术方案.docx).

Run from the repository root::

    .venv/bin/python tools/make_technical_solution.py [output.docx]

The chapter is written the way a pre-sales engineer writes it in Word: A4, 宋体 小四 body at 1.5 line spacing,
黑体 headings in Word's built-in "Heading 1/2/3" styles numbered in the text, tables with a shaded header row that
repeats on every page, and two pictures (the system architecture and the network topology, drawn with matplotlib).
The products, quantities, tasks and team come from the sample's ``solution.yaml``, ``tender.yaml`` and
``responses.yaml``; everything is fictional and marked as a demo (演示样例).

The output is deterministic: fixed document properties and zip member timestamps, no random numbers, so running the
script twice gives identical bytes. It borrows the document builder of ``build_templates.py`` (styles, explicit
East Asian fonts on every style and run, no theme fonts, table borders, zip normalisation).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from docx.shared import Cm, Pt, RGBColor
from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_templates import (
    HEI,
    SAN,
    SI,
    SONG,
    WU,
    XIAO_SI,
    Builder,
    Col,
    set_fonts,
)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "city-surveillance"
OUT = SAMPLE / "chapters" / "技术方案.docx"

sys.path.insert(0, str(ROOT))
from bidkit.store import yamlio  # noqa: E402

AUTHOR = "江临智安科技有限公司 售前部（演示）"
DOC_TIME = dt.datetime(2026, 12, 18, 9, 0, 0)
DEMO_NOTE = "（演示样例：本技术方案为 bidkit 示例数据，内容均为虚构）"
FIG_WIDTH_CM = 16.0

# ----------------------------------------------------------------------------------------------------
# the sample's numbers (front-end points by police station and scene, bit rates)

STATIONS = [  # (派出所, 所属区, 施工片区)
    ("江滨派出所", "江滨区", "东片区"),
    ("城东派出所", "江滨区", "东片区"),
    ("云栖派出所", "高新区", "西片区"),
    ("高新派出所", "高新区", "西片区"),
    ("城西派出所", "城西区", "西片区"),
    ("滨湖派出所", "城西区", "西片区"),
    ("临江派出所", "临江新区", "东片区"),
    ("新港派出所", "临江新区", "东片区"),
]
CAMS = ("gun4", "gun8", "dome", "face", "pano")
CAM_NAMES = {"gun4": "400万枪机", "gun8": "800万智能枪机", "dome": "高速球机", "face": "人脸抓拍机", "pano": "高点全景"}
RATE_MBPS = {"gun4": 4, "gun8": 8, "dome": 4, "face": 8, "pano": 16}  # H.265 main stream
# scene: (camera mix, weight of each station in STATIONS order); the totals are solution.yaml's
SCENES: list[tuple[str, dict[str, int], list[int]]] = [
    ("主次干道交叉口", {"gun4": 32, "gun8": 40, "dome": 24}, [16, 14, 10, 10, 14, 8, 14, 10]),
    ("学校医院周边", {"gun4": 40, "dome": 8, "face": 16}, [9, 10, 8, 7, 9, 6, 9, 6]),
    ("商圈及人员密集场所", {"gun4": 32, "dome": 8, "face": 28, "pano": 4}, [14, 10, 9, 12, 8, 5, 9, 5]),
    ("城乡结合部及出入城卡口", {"gun4": 46, "dome": 8, "face": 4}, [3, 8, 4, 6, 9, 10, 8, 10]),
    ("沿江及公园", {"gun4": 110, "dome": 12, "pano": 4}, [22, 10, 8, 6, 12, 18, 30, 20]),
]


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, ties to the first)."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    base = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - base[i]), i))
    for i in order[: total - sum(base)]:
        base[i] += 1
    return base


def point_grid() -> dict[tuple[str, str], dict[str, int]]:
    grid: dict[tuple[str, str], dict[str, int]] = {}
    for scene, mix, weights in SCENES:
        for cam, n in mix.items():
            for (station, _, _), k in zip(STATIONS, apportion(n, weights), strict=True):
                cell = grid.setdefault((station, scene), dict.fromkeys(CAMS, 0))
                cell[cam] += k
    return grid


def station_totals(grid: dict[tuple[str, str], dict[str, int]]) -> dict[str, dict[str, int]]:
    out = {}
    for station, _, _ in STATIONS:
        out[station] = {c: sum(grid[(station, s)][c] for s, _, _ in SCENES) for c in CAMS}
    return out


def bandwidth(counts: dict[str, int]) -> dict[str, float]:
    """Uplink of one station: main streams, 30 % previewed (2 Mbps sub stream), 10 % played back, pictures."""
    n = sum(counts.values())
    main = sum(counts[c] * RATE_MBPS[c] for c in CAMS)
    preview = 0.3 * n * 2
    playback = 0.1 * n * 4
    pictures = counts["face"] * 1.5 + counts["gun8"] * 0.5
    peak = (main + preview + playback + pictures) * 1.2
    return {"n": n, "main": main, "preview": preview, "playback": playback, "pictures": pictures, "peak": peak}


def fmt(x: float, digits: int = 1) -> str:
    return f"{x:,.{digits}f}"


# ----------------------------------------------------------------------------------------------------
# pictures (matplotlib, deterministic PNG: no Software/date metadata)

BOX_EDGE = "#33475b"


def _box(ax, x: float, y: float, w: float, h: float, text: str, fc: str, *, size: float = 8,
         bold: bool = False, colour: str = "#1d2b36", ec: str = BOX_EDGE) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=0.6", fc=fc, ec=ec, lw=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, color=colour,
            fontweight="bold" if bold else "normal", linespacing=1.25)


def _arrow(ax, x1: float, y1: float, x2: float, y2: float, *, style: str = "<|-|>", colour: str = "#4a6274",
           lw: float = 1.2) -> None:
    ax.add_patch(FancyArrowPatch((x1, y1), (x2, y2), arrowstyle=style, mutation_scale=9, color=colour, lw=lw,
                                 shrinkA=0, shrinkB=0))


def _canvas(height_cm: float, ymax: float):
    plt.rcParams["font.family"] = ["Noto Sans CJK SC"]
    plt.rcParams["axes.unicode_minus"] = False
    fig = plt.figure(figsize=(FIG_WIDTH_CM / 2.54, height_cm / 2.54), dpi=200)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 160)
    ax.set_ylim(0, ymax)
    ax.axis("off")
    return fig, ax


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def architecture_png() -> bytes:
    fig, ax = _canvas(11.5, 115)
    ax.text(80, 109, "江临市公安局“雪亮工程”视频监控扩容项目  系统总体架构", ha="center", va="center",
            fontsize=9.5, fontweight="bold")
    layers = [
        ("应用层", 82, "#e8f1fb", ["实时调阅\n与轮巡", "录像回放\n与下载", "人脸比对\n布控", "视频结构化\n检索",
                                   "视频质量\n诊断", "GIS\n电子地图", "级联共享\n（省/市）"]),
        ("平台层", 58, "#eaf6ee", ["视频管理平台\nZS-VMS V5.2", "人脸比对引擎\n（100 万底库）",
                                   "结构化分析\n（GPU×16）", "视频云存储\n6 节点 3,072 TB", "运维巡检\n与日志审计"]),
        ("网络层", 34, "#fff4e0", ["前端接入\n光纤收发器/PoE", "派出所汇聚\n12 台 万兆上联", "市局核心\n双机虚拟化",
                                   "安全接入网关\n+ 防火墙"]),
        ("感知层", 10, "#fbecec", ["高清枪机\n300 路", "高速球机\n60 路", "人脸抓拍机\n48 路", "高点全景\n8 路",
                                   "防雷/供电\n立杆/设备箱"]),
    ]
    x0, x1, h = 22, 138, 19
    for name, y, fc, items in layers:
        ax.add_patch(FancyBboxPatch((x0, y), x1 - x0, h, boxstyle="round,pad=0,rounding_size=1.2", fc=fc,
                                    ec="#7a8a99", lw=0.8))
        _box(ax, x0 + 1.5, y + 2, 9, h - 4, "\n".join(name), BOX_EDGE, size=8.5, bold=True, colour="white")
        gap = 1.6
        w = (x1 - x0 - 14 - gap) / len(items) - gap
        for i, text in enumerate(items):
            _box(ax, x0 + 12.5 + i * (w + gap), y + 3, w, h - 6, text, "white", size=6.6)
    for ya, yb in ((29, 34), (53, 58), (77, 82)):
        for xx in (45, 80, 115):
            _arrow(ax, xx, ya + 0.2, xx, yb - 0.2)
    _box(ax, 3, 10, 15, 91, "安\n全\n保\n障\n体\n系\n\n等保三级\nGB 35114", "#f1f3f5", size=7.2)
    _box(ax, 142, 10, 15, 91, "运\n维\n管\n理\n体\n系\n\n标准规范\nGB/T 28181", "#f1f3f5", size=7.2)
    ax.text(80, 3.5, "演示样例：bidkit 示例数据，内容均为虚构", ha="center", fontsize=6.5, color="#8a8a8a")
    return _png(fig)


def topology_png() -> bytes:
    fig, ax = _canvas(12.5, 125)
    ax.text(80, 120, "传输网络拓扑示意", ha="center", va="center", fontsize=9.5, fontweight="bold")
    _box(ax, 6, 95, 34, 14, "省级视频图像\n共享平台", "#f1f3f5", size=7)
    _box(ax, 120, 95, 34, 14, "市局现有视频平台\n（存量 2,300 路）", "#f1f3f5", size=7)
    _box(ax, 52, 94, 56, 16, "市局平台\n视频管理 / 人脸比对 / 结构化", "#e8f1fb", size=7.5, bold=True)
    _box(ax, 52, 72, 25, 11, "核心交换机 A", "#fff4e0", size=7)
    _box(ax, 83, 72, 25, 11, "核心交换机 B", "#fff4e0", size=7)
    ax.plot([77, 83], [77.5, 77.5], color="#c0392b", lw=2.2)
    ax.text(80, 85, "双机虚拟化", ha="center", fontsize=5.8, color="#c0392b")
    _box(ax, 120, 70, 34, 15, "存储集群\n6 节点 · RAID 6", "#eaf6ee", size=7)
    _box(ax, 6, 70, 34, 15, "安全接入网关\n+ 下一代防火墙", "#fbecec", size=7)
    for x in (64.5, 95.5):
        _arrow(ax, x, 83, x, 94)
    _arrow(ax, 108, 77.5, 120, 77.5)
    _arrow(ax, 40, 77.5, 52, 77.5)
    _arrow(ax, 23, 85, 23, 95)
    _arrow(ax, 137, 85, 137, 95)
    cx, cy, a, b = 80, 55, 77, 8  # the video network, an ellipse
    ax.add_patch(Ellipse((cx, cy), 2 * a, 2 * b, fc="#f7f9fb", ec="#7a8a99", lw=0.9, ls="--"))
    ax.text(cx, cy, "视频专网（万兆汇聚，双归属上联）", ha="center", va="center", fontsize=7.5)
    for x in (64.5, 95.5):
        top = cy + b * (1 - ((x - cx) / a) ** 2) ** 0.5
        _arrow(ax, x, top, x, 72)
    w = 16
    gap = (156 - 8 * w) / 7
    for i, (station, _, _) in enumerate(STATIONS):
        x = 2 + i * (w + gap)
        mid = x + w / 2
        _box(ax, x, 30, w, 10, f"汇聚交换机\n{station[:2]}所", "#fff4e0", size=5.6)
        bottom = cy - b * max(0.0, 1 - ((mid - cx) / a) ** 2) ** 0.5
        _arrow(ax, mid, 40, mid, bottom)
        _arrow(ax, mid, 25, mid, 30)
        _box(ax, x, 17, w, 8, "收发器 / PoE", "white", size=5.4)
        for k in range(3):
            px = x + 2.7 + k * 5.3
            _arrow(ax, px, 12, px, 17, style="-", colour="#8795a1", lw=0.7)
            ax.add_patch(FancyBboxPatch((px - 2, 6.5), 4, 5, boxstyle="round,pad=0,rounding_size=0.6",
                                        fc="#fbecec", ec="#a05050", lw=0.6))
    ax.text(80, 2, "前端点位（枪机 / 球机 / 人脸抓拍 / 全景）共 416 路，单模光纤接入      演示样例 · 内容虚构",
            ha="center", fontsize=6.3, color="#555555")
    return _png(fig)


# ----------------------------------------------------------------------------------------------------
# the document


class Chapter:
    """Builder of the chapter: numbered headings, body paragraphs, numbered items, tables and figures."""

    def __init__(self) -> None:
        self.b = Builder(title="技术方案（演示样例）", header="技术方案（演示样例 · 内容虚构）", bid_part=False)
        self.doc = self.b.doc
        self._restyle()
        self.numbers = [0, 0, 0]
        self.tables = 0
        self.figures = 0
        self.titles = {"bom": "设备清单", "technical_deviations": "技术偏离表", "after_sales": "售后服务承诺"}

    def ref(self, chapter_id: str) -> str:
        """Another chapter of the bid, by the title the tender gives it: 《技术参数偏离表》."""
        return f"《{self.titles[chapter_id]}》"

    def _restyle(self) -> None:
        styles = self.doc.styles
        h1 = styles["Heading 1"]
        h1.font.size = Pt(SAN)
        h1.paragraph_format.page_break_before = False
        h1.paragraph_format.space_before = Pt(18)
        h1.paragraph_format.space_after = Pt(12)
        styles["Heading 2"].font.size = Pt(SI)
        styles["Heading 2"].paragraph_format.space_before = Pt(12)
        styles["Heading 3"].font.size = Pt(XIAO_SI)
        # no page number in the chapter: the bid package numbers its pages
        footer = self.doc.sections[0].footer.paragraphs[0]._p
        for child in list(footer):
            if child is not footer.pPr:
                footer.remove(child)
        cp = self.doc.core_properties
        cp.author = AUTHOR
        cp.last_modified_by = AUTHOR
        cp.title = "技术方案（演示样例）"
        cp.subject = "江临市公安局“雪亮工程”视频监控扩容项目"
        cp.keywords = "演示; 样例; bidkit"
        cp.comments = "bidkit 示例数据，内容均为虚构"
        cp.created = DOC_TIME
        cp.modified = DOC_TIME
        cp.last_printed = DOC_TIME

    # -- text --

    def h(self, level: int, text: str) -> None:
        self.numbers[level - 1] += 1
        for i in range(level, 3):
            self.numbers[i] = 0
        number = ".".join(str(n) for n in self.numbers[:level])
        getattr(self.b, f"h{level}")(f"{number} {text}")

    def h1(self, text: str) -> None:
        self.h(1, text)

    def h2(self, text: str) -> None:
        self.h(2, text)

    def h3(self, text: str) -> None:
        self.h(3, text)

    def p(self, *texts: str) -> None:
        for text in texts:
            self.b.p(text)

    def items(self, texts: Sequence[str], *, lead: str | None = None) -> None:
        """A numbered list the way Chinese documents write it: （1）…（2）…, hanging under the body text."""
        if lead:
            self.b.p(lead)
        for i, text in enumerate(texts, 1):
            end = "" if text.endswith(("。", "；", "：")) else "。"
            self.b.p(f"（{i}）{text}{end}")

    def note(self, text: str) -> None:
        para = self.b.p(text, style="BK Note")
        para.paragraph_format.space_before = Pt(3)
        para.paragraph_format.space_after = Pt(6)

    # -- tables and figures --

    def table(self, title: str, cols: Sequence[tuple[str, float, str]], rows: Sequence[Sequence[object]], *,
              bold_last: bool = False, note: str | None = None) -> None:
        self.tables += 1
        cap = self.b.p(f"表{self.tables} {title}", style="BK Center", east=HEI, size=WU)
        cap.paragraph_format.space_before = Pt(6)
        cap.paragraph_format.space_after = Pt(3)
        cap.paragraph_format.keep_with_next = True
        table = self.b.table([Col(t, w, "", a) for t, w, a in cols])
        for i, row in enumerate(rows):
            last = bold_last and i == len(rows) - 1
            self.b.add_row(table, [str(c) for c in row], aligns=[a for _, _, a in cols],
                           bold=[True] * len(cols) if last else None,
                           fills=["F2F2F2"] * len(cols) if last else None)
        if note:
            self.note(note)
        else:
            self.b.gap(4)

    def figure(self, png: bytes, caption: str, width_cm: float = FIG_WIDTH_CM) -> None:
        self.figures += 1
        para = self.b.p("", style="BK Center")
        para.paragraph_format.space_before = Pt(6)
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.line_spacing = 1.0
        run = para.add_run()
        set_fonts(run._r, SONG)
        run.add_picture(io.BytesIO(png), width=Cm(width_cm))
        cap = self.b.p(f"图{self.figures} {caption}", style="BK Center", east=HEI, size=WU)
        cap.paragraph_format.space_after = Pt(6)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.b.save(path)


def front_matter(c: Chapter, tender: dict) -> None:
    title = c.b.p("技术方案", style="Title")
    title.paragraph_format.space_before = Pt(12)
    c.b.p(tender["project_name"].replace('"', "“", 1).replace('"', "”", 1), style="BK Center", size=SI)
    c.b.p(f"招标编号 {tender['number']}", style="BK Center", size=XIAO_SI)
    demo = c.b.p(DEMO_NOTE, style="BK Center", size=WU)
    demo.runs[0].font.color.rgb = RGBColor(0x80, 0x80, 0x80)
    demo.paragraph_format.space_after = Pt(12)
    c.p(
        "本技术方案依据招标文件第五章“采购需求”编制，针对江临市主城区及临江新区的视频监控扩容建设，"
        "从需求分析、总体架构、前端感知、传输网络、存储计算、视频管理平台、网络与数据安全、系统集成、施工组织、"
        "培训运维等方面说明我方的设计思路与实施措施。方案中的设备型号、数量与"
        f"{c.ref('bom')}一致，逐条响应情况见{c.ref('technical_deviations')}。",
    )


# ----------------------------------------------------------------------------------------------------
# 1 项目概述与建设目标


def chapter_overview(c: Chapter, solution: dict) -> None:
    c.h1("项目概述与建设目标")
    c.h2("建设背景")
    c.p(
        "“雪亮工程”是以县、乡、村三级综治中心为指挥平台，以视频监控联网应用为重点的群众性治安防控工程。"
        "江临市自启动“雪亮工程”以来，已分两期建成覆盖主城区主要道路和重点单位的视频监控点位约 2,300 路，"
        "建成市局视频监控平台和 8 个派出所分控中心，在打击街面犯罪、寻人找物、交通疏导和重大活动安保中发挥了"
        "重要作用。",
        "随着城市向东拓展，临江新区已成为人口导入最快的片区，新建学校、医院、商业综合体和滨江公园陆续投用，"
        "但相应的视频监控建设明显滞后；主城区部分老旧点位分辨率低、夜间成像差，城乡结合部和出入城通道仍存在"
        "盲区。与此同时，公安部对重点区域录像保存时间、联网共享和视频安全提出了新的要求，现有存储容量和平台能力"
        "已不能满足。",
        "为此，江临市公安局组织实施“雪亮工程”视频监控扩容项目，在补齐点位的同时扩容中心存储、升级平台并引入人脸"
        "比对和视频结构化能力，使全市公共安全视频监控由“看得见”向“看得清、认得出、查得快”转变。",
    )
    c.h2("建设范围")
    c.p(solution["overview"])
    c.items(
        [
            "前端感知：新建高清枪机 300 路（其中 800 万像素智能枪机 40 路）、高速球机 60 路、人脸抓拍摄像机 48 路、"
            "高点全景摄像机 8 路，配套补光灯、立杆 160 根、室外设备箱、防雷接地和前端供电。",
            "传输网络：新建前端至派出所的单模光纤接入网，派出所汇聚交换机 12 台，市局核心交换机 2 台双机部署，"
            "新敷设 12 芯主干光缆 38 千米、4 芯接入光缆 26 千米。",
            "存储计算：市局新增 6 台视频云存储节点（216 块 16 TB 监控级硬盘），8 个派出所各配置 64 路 NVR；"
            "新增 2 台 GPU 智能分析服务器。",
            "平台应用：视频管理平台升级至 ZS-VMS V5.2，本期接入授权 416 路，新增人脸比对布控、视频结构化检索、"
            "视频质量诊断和 GIS 电子地图功能，实现与现有平台及省级平台的级联。",
            "安全保障：视频专网边界部署视频图像信息安全接入网关和下一代防火墙，前端设备启用 GB 35114 安全接入，"
            "系统按网络安全等级保护第三级要求建设。",
            "配套工程：指挥中心 3×4 液晶拼接屏及解码器、市局中心 20 kVA UPS 及机柜、土建与管道施工、系统集成调试、"
            "用户培训和三年质保服务。",
        ],
        lead="本期建设内容包括以下六个部分：",
    )
    c.h2("建设目标")
    c.p(
        "本项目的总体目标是：以“全域覆盖、全网共享、全时可用、全程可控”为方向，建成与主城区存量系统一体化运行的"
        "视频监控扩容系统，为治安防控、侦查破案和城市管理提供可靠的视频图像支撑。具体指标如下：",
    )
    c.items(
        [
            "覆盖：治安重点区域新增点位 416 路，主次干道交叉口、学校医院周边、商圈、出入城通道和沿江公园的视频盲区"
            "基本消除。",
            "清晰：前端全部采用 400 万像素及以上摄像机，重点路口和人员密集通道采用 800 万像素，夜间星光级全彩成像。",
            "存储：全部新建点位 7×24 小时连续录像，中心保存不少于 90 天；人脸抓拍图片及结构化数据保存 180 天。",
            "在线：系统建成后前端设备在线率不低于 98%，录像完整率不低于 99%，平台年可用率不低于 99.9%。",
            "共享：新建平台与市局现有平台级联，统一调阅新建和存量约 2,716 路点位，并向省级平台推送目录与视频。",
            "安全：满足等保三级要求，前端设备通过 GB 35114 A 级检测并全部启用安全接入。",
        ]
    )
    c.h2("编制依据")
    c.p("本方案依据招标文件及下列现行国家、行业标准编制，标准以最新有效版本为准：")
    c.items(
        [
            "GB 50348-2018《安全防范工程技术标准》；",
            "GB 50395-2007《视频安防监控系统工程设计规范》；",
            "GB/T 28181-2022《公共安全视频监控联网系统信息传输、交换、控制技术要求》；",
            "GB 35114-2017《公共安全视频监控联网信息安全技术要求》；",
            "GB/T 25724-2017《公共安全视频监控数字视音频编解码技术要求》；",
            "GB/T 22239-2019《信息安全技术 网络安全等级保护基本要求》；",
            "GA/T 1400《公安视频图像信息应用系统》系列标准；",
            "GB 50311-2016《综合布线系统工程设计规范》及 GB/T 50312-2016《综合布线系统工程验收规范》；",
            "GB 50343-2012《建筑物电子信息系统防雷技术规范》；",
            "GB 50174-2017《数据中心设计规范》；",
            "GB 50168-2018《电气装置安装工程 电缆线路施工及验收标准》。",
        ]
    )
    c.h2("设计原则")
    c.p(
        "方案设计遵循“统一规划、标准先行、安全可控、适度超前”的思路，在满足招标要求的前提下兼顾与存量系统的衔接"
        "和后续扩展。",
    )
    c.items(
        [
            "实用性与先进性相结合：选用经过大规模部署验证的成熟产品，同时采用 H.265 编码、深度学习算法和对象存储等"
            "主流技术，避免为追求新概念而增加运维负担。",
            "标准化与开放性：前端接入、平台级联全部遵循 GB/T 28181-2022，视图数据遵循 GA/T 1400，不依赖单一厂商的"
            "私有协议，便于今后接入其他品牌设备。",
            "可靠性：核心交换机双机、链路双归属、存储 RAID 6 加节点冗余、平台服务集群化，消除单点故障；派出所 NVR "
            "作为本地冗余，中心故障时基层仍可调阅。",
            "安全性：按等保三级和 GB 35114 要求进行一体化设计，做到设备可信接入、数据加密传输、操作全程留痕。",
            "可扩展性：平台授权可在线扩展至 5,000 路，存储按节点横向扩容，核心交换机预留不少于 50% 槽位与端口。",
            "易维护性：平台内置视频质量诊断和运维巡检，“一点一档”管理前端资产，日常故障可远程定位。",
        ]
    )


# ----------------------------------------------------------------------------------------------------
# 2 需求分析


def chapter_requirements(c: Chapter, tender: dict, responses: dict) -> None:
    c.h1("需求分析")
    c.h2("现状分析")
    c.p(
        "经前期现场踏勘和与科技信息化处的多次交流，现有系统的基本情况如下：市局中心部署视频监控平台一套，接入一期、"
        "二期建设的存量点位约 2,300 路，以 200 万像素枪机为主，部分 2017 年以前建设的点位仍为 130 万像素；平台"
        "协议版本为 GB/T 28181-2016，尚不支持 H.265 码流级联；中心存储采用 IP SAN 架构，按 30 天设计，目前剩余容量"
        "不足 15%；各派出所分控中心配置的 NVR 多数已运行超过六年，硬盘故障率逐年上升。",
        "存量系统主要存在以下问题：一是临江新区及城乡结合部覆盖不足，部分案件因缺少视频线索而侦破周期延长；二是"
        "录像只保存 30 天，不满足延长录像保存期的要求；三是缺少人脸比对和结构化检索能力，查找视频线索主要依靠人工"
        "回看；四是前端设备未启用安全接入，存在被仿冒接入和视频被篡改的风险；五是运维手段落后，点位离线往往依赖"
        "民警发现后报修。",
    )
    c.h2("业务需求")
    c.p(
        "视频监控系统的用户主要是市局指挥中心、刑侦、治安、交警等警种及各派出所。通过与用户座谈，我们将业务需求"
        "归纳为四类：",
    )
    c.items(
        [
            "治安防控：指挥中心需要对重点区域进行实时巡查和视频轮巡，在发生警情时快速调取周边点位，并与 110 警情"
            "联动显示在电子地图上。",
            "侦查破案：刑侦部门需要按时间、地点快速回放和下载录像，按人脸照片检索嫌疑人轨迹，按车辆颜色、车型或"
            "人员衣着等特征筛选线索。",
            "社会治理：为交警、城管、应急管理等部门按权限共享视频资源，支撑交通疏导、占道经营治理和防汛巡查。",
            "重大活动安保：节假日、大型活动期间对会场周边、交通要道和人员密集场所实施重点布控和大屏调度。",
        ]
    )
    c.h2("功能需求")
    c.p(
        "结合招标文件第五章的要求，系统应具备设备接入与管理、实时预览、录像存储与回放、云台控制、电子地图、人脸"
        "比对布控、视频结构化、视频质量诊断、用户权限与日志审计、平台级联等功能。其中人脸比对要求支持不少于 50 万"
        "人脸底库、检索响应不大于 3 秒；平台须具备视频质量诊断，自动检测信号丢失、遮挡、偏色、模糊和画面冻结；"
        "电子地图须支持点位上图、框选调阅与轨迹回放。",
    )
    c.h2("性能需求")
    c.items(
        [
            "实时性：前端到市局平台的视频延时不大于 500 ms，云台控制响应不大于 300 ms，实时视频切换时间不大于 1 s。",
            "并发能力：平台支持不少于 500 路实时视频并发转发、200 路并发回放，支持 100 个客户端同时在线。",
            "存储：416 路 7×24 小时连续录像保存不少于 90 天，录像完整率不低于 99%。",
            "检索：人脸以图搜图在 100 万底库中单次检索不大于 1 秒，结构化数据亿级记录条件检索不大于 5 秒。",
            "扩展：平台可平滑扩展至不少于 3,000 路，本方案可扩展至 5,000 路。",
        ]
    )
    c.h2("安全需求")
    c.p(
        "系统承载公安视频图像信息，须满足网络安全等级保护第三级要求。视频专网与公安信息网、互联网之间应有明确的"
        "边界，专网边界部署视频图像信息安全接入网关；前端设备应支持 GB 35114 身份认证，防止仿冒设备接入；平台操作"
        "日志（调阅、下载、云台控制）保存不少于 180 天；人脸数据按照最小必要原则采集和使用。",
    )
    c.h2("实质性条款响应概览")
    c.p(
        "招标文件中标注“★”的技术条款为实质性要求，任何一项不满足均将导致投标无效。我方逐条核对后，全部★条款均"
        f"满足或优于要求，对应的设计章节如下表所示；全部条款的逐条响应见{c.ref('technical_deviations')}。",
    )
    answers = {row["requirement"]: row for row in responses["technical"]}
    where = {"T-01": "4.3", "T-04": "8.2", "T-08": "4.3", "T-15": "5.4", "T-18": "6.2", "T-22": "9.2", "T-27": "8.3"}
    rows = []
    for req in tender["requirements"]:
        if req["kind"] != "technical" or not req.get("mandatory"):
            continue
        ans = answers[req["id"]]
        label = {"complies": "满足", "exceeds": "优于", "deviates": "偏离"}[ans["deviation"]]
        rows.append([len(rows) + 1, req["clause"], req["text"].lstrip("★"), ans["response"], label,
                     where.get(req["id"], "—")])
    c.table(
        "★技术条款响应概览表",
        [("序号", 1.0, "center"), ("条款号", 1.3, "center"), ("招标要求", 5.0, "left"), ("本方案响应", 5.4, "left"),
         ("响应", 1.2, "center"), ("章节", 1.3, "center")],
        rows,
    )


# ----------------------------------------------------------------------------------------------------
# 3 总体架构设计


def chapter_architecture(c: Chapter) -> None:
    c.h1("总体架构设计")
    c.h2("设计思路")
    c.p(
        "本期系统不是孤立的新建系统，而是现有“雪亮工程”的扩容和升级。设计时我们坚持三点：第一，新建与存量统一"
        "管理，新平台通过国标级联接入存量平台，用户在一个客户端内调阅全部点位；第二，中心集中与基层分布相结合，"
        "录像以市局集中存储为主、派出所 NVR 为辅，既便于统一管理，又保证基层在网络中断时仍可使用；第三，能力按需"
        "分层部署，智能分析集中在市局 GPU 服务器，前端只对重点路口和人员密集通道配置智能相机，控制总体投资和运维"
        "复杂度。",
    )
    c.h2("总体架构")
    c.p(
        "系统总体采用“前端感知—传输汇聚—存储计算—平台应用”四层架构，安全保障体系和运维管理体系贯穿各层，"
        "标准规范体系作为各层互联互通的依据，如图1所示。",
    )
    c.figure(architecture_png(), "系统总体架构图")
    c.h3("感知层")
    c.p(
        "感知层由高清枪机、智能枪机、高速球机、人脸抓拍摄像机和高点全景摄像机组成，负责视频图像和人脸、车辆等"
        "结构化信息的采集。点位按“点、线、面”结合布设：路口以枪机加球机形成交叉覆盖，出入口和人员密集通道部署"
        "人脸抓拍机，城区制高点部署全景摄像机形成大场景监控，三者在平台上实现联动。",
    )
    c.h3("网络层")
    c.p(
        "网络层采用前端接入、派出所汇聚、市局核心三级组网。前端到派出所以单模光纤点对点或经室外 PoE 交换机汇接，"
        "派出所汇聚交换机以万兆光口双归属上联市局两台核心交换机。视频专网独立组网，仅通过安全接入网关与公安信息网"
        "进行受控的数据交换。",
    )
    c.h3("平台层")
    c.p(
        "平台层包括视频管理平台、人脸比对引擎、视频结构化引擎、视频云存储和运维管理子系统。视频管理平台负责设备"
        "接入、信令控制、流媒体转发和用户权限；智能引擎对实时视频和抓拍图片进行分析；视频云存储负责录像和图片的"
        "统一存储与检索。各组件以服务化方式部署，通过统一的接入认证和消息总线协同工作。",
    )
    c.h3("应用层")
    c.p(
        "应用层面向指挥中心、各警种和派出所用户，提供实时调阅与轮巡、录像回放与下载、人脸布控、以图搜图、"
        "结构化检索、视频质量诊断、GIS 电子地图和上下级级联共享等应用，支持 C/S 客户端、B/S 浏览器和大屏三种使用"
        "方式。",
    )
    c.h3("安全保障与运维管理体系")
    c.p(
        "安全保障体系覆盖物理环境、通信网络、区域边界、计算环境和安全管理中心五个层面，详见第 8 章。运维管理体系"
        "以平台内置的视频质量诊断和设备巡检为基础，配合常驻服务团队和工单流程，实现故障的主动发现、快速定位和闭环"
        "处理，详见第 11 章。",
    )
    c.h2("部署架构")
    c.p(
        "系统按“一个中心、八个分控、四百余个前端”部署。市局中心机房部署核心交换机、安全接入网关、防火墙、视频"
        "管理平台服务器 4 台、人脸及结构化分析服务器 2 台、视频云存储节点 6 台，以及 20 kVA UPS；指挥中心部署"
        "3×4 液晶拼接屏和视频解码器。8 个派出所分控中心各部署汇聚交换机（点位较多的 4 个所两台堆叠）、64 路 NVR "
        "和光纤收发器机架。前端点位按现场条件采用新建立杆、利用现有杆件或墙面安装。",
        "平台服务器按功能分为接入管理、流媒体转发、数据库和 Web 服务四个角色，其中数据库采用主备方式，流媒体服务"
        "采用负载均衡集群，任一服务器故障时业务自动切换到其他节点，切换过程中已建立的实时视频不中断。",
    )
    c.h2("关键技术路线")
    c.items(
        [
            "视频编码：前端统一采用 H.265 编码并开启智能编码，同等画质下码流较 H.264 降低约 50%，在保证 90 天存储的"
            "同时显著降低带宽和硬盘数量。",
            "安全接入：前端设备内置安全芯片和设备证书，基于 SM2 与平台双向身份认证，信令采用国密算法保护，重点点位"
            "可启用 SM4 视频加密。",
            "云存储：采用对象存储架构，元数据与数据分离，支持节点级纠删与 RAID 6 双重保护，按节点横向扩容。",
            "智能分析：采用“前端抓拍 + 中心比对”的方式，人脸抓拍机在前端完成检测和优选，中心 GPU 服务器完成特征"
            "提取、比对和结构化分析。",
            "标准互联：设备接入与平台级联遵循 GB/T 28181-2022，人脸和结构化数据按 GA/T 1400 视图库标准对外共享。",
        ]
    )


# ----------------------------------------------------------------------------------------------------
# 4 前端感知系统


def chapter_front_end(c: Chapter, grid: dict, totals: dict) -> None:
    c.h1("前端感知系统")
    c.h2("点位设计原则")
    c.p(
        "前端点位依据公安机关提出的治安重点区域清单确定。我方项目组于投标前对清单中的区域进行了逐点踏勘，记录每个"
        "点位的监控目标、安装方式、取电和光缆路由条件，并与辖区派出所民警共同确认监控方向。点位设计遵循以下原则：",
    )
    c.items(
        [
            "先重点后一般：优先覆盖案件高发、人员密集和进出城通道，再补充背街小巷和公园绿地。",
            "看全与看清兼顾：大场景由全景摄像机和球机负责“看全”，出入口、通道由枪机和人脸抓拍机负责“看清”。",
            "避免逆光和遮挡：摄像机尽量顺光安装，避开树冠、广告牌和路灯直射，人脸抓拍机俯角控制在 15° 以内。",
            "充分利旧：能利用现有监控杆、路灯杆和建筑外墙的点位不再新建立杆，减少道路开挖和审批工作量。",
        ]
    )
    c.h2("点位分布")
    c.p(
        "本期新建点位 416 路，按场景分为主次干道交叉口 96 路、学校医院周边 64 路、商圈及人员密集场所 72 路、城乡"
        "结合部及出入城卡口 58 路、沿江及公园 126 路，分属 8 个派出所辖区：江滨、城东派出所位于江滨区，云栖、高新"
        "派出所位于高新区，城西、滨湖派出所位于城西区，临江、新港派出所位于临江新区。各辖区、各场景的点位和设备"
        f"类型分布见表{c.tables + 1}。",
    )
    rows: list[list[object]] = []
    for station, _, _ in STATIONS:
        for scene, _, _ in SCENES:
            cell = grid[(station, scene)]
            if sum(cell.values()):
                rows.append([len(rows) + 1, station, scene,
                             *[cell[k] or "—" for k in CAMS], sum(cell.values())])
    col_tot = {k: sum(t[k] for t in totals.values()) for k in CAMS}
    rows.append(["", "合计", "", *[col_tot[k] for k in CAMS], sum(col_tot.values())])
    c.table(
        "前端点位分布表",
        [("序号", 1.0, "center"), ("派出所", 2.4, "left"), ("场景类别", 5.0, "left"),
         ("400万枪机", 1.3, "center"), ("800万智能枪机", 1.3, "center"), ("高速球机", 1.3, "center"),
         ("人脸抓拍", 1.3, "center"), ("高点全景", 1.3, "center"), ("小计", 1.3, "center")],
        rows,
        bold_last=True,
        note="注：点位数量为投标阶段踏勘结果，开工后经现场复勘与采购人确认，可在总数不变的前提下在辖区之间微调。",
    )
    c.h2("设备选型")
    c.h3("400 万像素星光级枪型摄像机")
    c.p(
        "一般道路、学校医院周边和沿江公园采用臻视 ZS-IPC4426-I 400 万像素星光级枪机，共 260 台。该机采用 1/1.8 英寸"
        "逐行扫描 CMOS，分辨率 2688×1520，高于招标要求的 2560×1440；最低照度彩色 0.002 Lux，在路灯照明条件下夜间"
        "可保持彩色成像，便于辨认衣着和车身颜色；红外补光距离 80 米，整机防护等级 IP67。设备支持 H.265/H.264 双编码、"
        "三码流输出，主码流用于存储，子码流用于预览和手机端调阅。",
    )
    c.h3("800 万像素智能枪型摄像机")
    c.p(
        "40 个重点路口配置臻视 ZS-IPC8636-AI 800 万像素智能枪机，分辨率 3840×2160。相机内置深度学习算法，可在前端"
        "完成人、机动车、非机动车的检测与属性提取，结构化结果随视频流一并上传平台，减轻中心算力压力。对于路口这类"
        "目标密集的场景，4K 分辨率可在一台相机中同时看清多条车道和两侧人行道。",
    )
    c.h3("高速球机")
    c.p(
        "路口、广场和江岸等开阔区域配置联瞳 LT-SD4237-IR 400 万像素红外高速球机 60 台，37 倍光学变倍，红外距离 200 米，"
        "预置位 300 个，可设置多条巡航路径。需要说明的是，该型号水平旋转速度为 240°/s，低于招标要求的 300°/s，"
        f"已在{c.ref('technical_deviations')}中如实列为负偏离；实际使用中预置位调用由电机以最高速度直接定位，巡航和联动跟踪功能不受"
        "影响。",
    )
    c.h3("人脸抓拍摄像机")
    c.p(
        "学校、医院、商圈出入口和出入城通道配置臻视 ZS-FC8032-AI 人脸抓拍机 48 台，800 万像素，8~32 mm 电动变焦。"
        "相机在前端完成人脸检测、跟踪和优选，单帧最多抓拍 30 张人脸，抓拍率不低于 99%，并输出性别、年龄段、是否"
        "戴口罩、是否戴眼镜等属性。每台抓拍机配置一台 60 W LED 频闪补光灯，与快门同步触发，夜间抓拍不产生持续"
        "眩光，对行人和驾驶员影响小。",
        "抓拍机安装高度一般为 3.5~4.5 米，距抓拍区域 12~20 米，通道宽度不超过 8 米；对宽度较大的出入口采用两台"
        "相机分区覆盖。安装时以实测瞳距不小于 40 像素为验收标准。",
    )
    c.h3("高点全景摄像机")
    c.p(
        "在城区 8 处制高点部署联瞳 LT-PN1600-4S 全景拼接摄像机，由 4 个 400 万像素镜头拼接形成 180° 水平视场，并内置"
        "细节球机。用户在全景画面上点击或框选目标，细节球机自动转向并放大，实现“一览全局、细节可查”，适用于广场、"
        "江滩和大型路口的整体态势监控。",
    )
    c.h2("主要设备技术参数")
    params = [
        ("400万星光级枪机\nZS-IPC4426-I", [
            ("图像传感器", "1/1.8 英寸逐行扫描 CMOS"), ("最大分辨率", "2688×1520，25 fps"),
            ("视频编码", "H.265 / H.264，支持智能编码，三码流"), ("最低照度", "彩色 0.002 Lux，黑白 0.0002 Lux"),
            ("红外距离", "80 米"), ("防护等级", "IP67，工作温度 -30 ℃~60 ℃"),
            ("协议与安全", "GB/T 28181-2022、ONVIF；GB 35114 A 级"),
        ]),
        ("800万智能枪机\nZS-IPC8636-AI", [
            ("最大分辨率", "3840×2160，25 fps"), ("智能功能", "人、机动车、非机动车检测与属性结构化"),
            ("最低照度", "彩色 0.001 Lux"), ("视频编码", "H.265 / H.264"), ("防护等级", "IP67"),
        ]),
        ("红外高速球机\nLT-SD4237-IR", [
            ("分辨率", "400 万像素"), ("光学变倍", "37 倍"), ("红外距离", "200 米"),
            ("旋转范围与速度", "水平 360° 连续，240°/s；垂直 -20°~90°"), ("预置位", "300 个，8 条巡航"),
            ("防护等级", "IP66，6 kV 防浪涌"),
        ]),
        ("人脸抓拍机\nZS-FC8032-AI", [
            ("分辨率", "800 万像素"), ("镜头", "8~32 mm 电动变焦"), ("抓拍性能", "单帧最多 30 张人脸，抓拍率 ≥ 99%"),
            ("属性输出", "性别、年龄段、口罩、眼镜等"), ("补光", "配 60 W LED 频闪补光灯同步触发"),
        ]),
        ("高点全景摄像机\nLT-PN1600-4S", [
            ("成像", "4×400 万像素拼接，水平视场角 180°"), ("联动", "内置细节球机，全景框选联动跟踪"),
        ]),
        ("汇聚交换机\nJW-S5730-28X", [
            ("端口", "24 个千兆 SFP 光口 + 4 个万兆 SFP+ 光口"), ("可靠性", "双电源，支持堆叠"),
        ]),
        ("核心交换机\nJW-S9706", [
            ("架构", "机框式，双主控、双电源"), ("交换容量", "≥ 100 Tbps"), ("板卡", "48 口万兆光接口板 ×2"),
        ]),
        ("视频云存储节点\nPS-CS3600", [
            ("硬件", "4U 36 盘位，双路 CPU，128 GB 内存"), ("接口", "4×万兆"),
            ("可靠性", "RAID 6 与节点级冗余，单节点故障业务不中断"),
        ]),
        ("智能分析服务器\nHY-G5800-8", [
            ("算力", "8 块推理 GPU 卡，512 GB 内存"), ("能力", "100 万人脸库，200 路视频结构化"),
        ]),
        ("安全接入网关\nDA-VSG3000", [
            ("安全能力", "支持 GB 35114 A 级，国密 SM2/SM4"), ("吞吐", "≥ 10 Gbps"),
        ]),
    ]
    rows = []
    for device, items in params:
        for j, (item, value) in enumerate(items):
            rows.append([len(rows) + 1, device if j == 0 else "〃", item, value])
    c.table(
        "主要设备技术参数表",
        [("序号", 1.0, "center"), ("设备名称及型号", 3.8, "left"), ("参数项", 3.0, "left"), ("技术参数", 8.4, "left")],
        rows,
    )
    c.h2("立杆与设备箱")
    c.p(
        "新建立杆 160 根，其中 6 米直杆 120 根用于一般点位，8 米 L 型双臂杆 40 根用于需要同时覆盖两个方向的路口。"
        "立杆采用 Q235 钢材，整体热镀锌后静电喷塑，6 米立杆壁厚 4 mm，基础采用 C25 混凝土现浇并预埋地笼和接地极。"
        "立杆位置避开地下管线、消防通道和盲道，与道路边缘保持不小于 0.5 米的距离。",
        "每个新建立杆点位配置不锈钢室外一体化设备箱，尺寸 600×450×250 mm，防护等级 IP55，箱内集成 PDU、空气开关、"
        "光纤终端盒、防雷器和光纤收发器或 PoE 交换机。设备箱安装防撬锁和门磁，开门时向平台发送告警，便于发现"
        "人为破坏。",
    )
    c.h2("防雷接地与供电")
    c.p(
        "前端设备大多位于空旷的路口和江边，是雷击损坏的高发区域。每个点位配置视频（网络）/电源/控制三合一防雷器，"
        "标称放电电流 10 kA；立杆设置独立接地，接地电阻不大于 4 Ω，土壤电阻率较高的沿江点位采用降阻剂和增加接地极"
        "的方式处理，完工后逐点实测并记录。",
        "前端供电优先就近取自市政路灯或公安已有供电点，采用独立回路和计量；路灯夜间供电的点位加装 1 kVA 在线式 "
        "UPS（共 40 台），保证白天持续供电和短时停电时录像不中断。电源线采用 RVV 3×2.5 铜芯软电缆，穿管敷设。",
    )


# ----------------------------------------------------------------------------------------------------
# 5 传输网络


def chapter_network(c: Chapter, totals: dict) -> None:
    c.h1("传输网络")
    c.h2("组网架构")
    c.p(
        "传输网络采用“前端接入—派出所汇聚—市局核心”三级星型结构，各级之间全部采用单模光纤，网络拓扑如图2所示。"
        "视频专网与公安信息网逻辑隔离，两者之间只通过安全接入网关交换经授权的视频和数据。",
    )
    c.figure(topology_png(), "传输网络拓扑图")
    c.h2("接入层设计")
    c.p(
        "单独分布的点位采用千兆单模单纤光纤收发器点对点回传至派出所，局端收发器插入 16 槽机架集中供电和管理；点位"
        "较集中的路口和广场设置室外工业级 PoE 交换机（4 个千兆 PoE 电口 + 2 个千兆光口），摄像机以六类网线就近"
        "接入，交换机经 4 芯光缆上联。室外光纤收发器和交换机均为工业级，工作温度 -40 ℃~75 ℃，可在夏季设备箱内"
        "高温和冬季低温条件下稳定运行。",
        "接入交换机启用端口与 MAC 地址绑定、未使用端口关闭和 802.1X 准入，防止在前端私接电脑等非法设备。",
    )
    c.h2("汇聚层设计")
    biggest = sorted(STATIONS, key=lambda st: (-sum(totals[st[0]].values()), st[0]))[:4]
    names = "、".join(st[0].removesuffix("派出所") for st in biggest)
    c.p(
        "每个派出所部署汇聚交换机，提供 24 个千兆 SFP 光口和 4 个万兆 SFP+ 上联光口；点位最多的"
        f"{names} 4 个派出所各部署两台并堆叠，共 12 台。汇聚交换机以两条万兆链路分别上联两台核心交换机，采用"
        "链路聚合，任一链路或任一核心交换机故障时业务自动切换。派出所 NVR 和分控客户端接入汇聚交换机，本地预览"
        "和回放流量不经过市局核心。",
    )
    c.h2("核心层设计")
    c.p(
        "市局中心部署 2 台机框式核心交换机，双主控、双电源，交换容量不小于 100 Tbps，高于招标要求的 80 Tbps；两台"
        "设备通过集群技术虚拟化为一台逻辑设备，控制平面统一，数据平面双活，倒换时间小于 50 ms。每台配置 2 块 48 口"
        "万兆光接口板，用于连接汇聚交换机、存储节点、平台服务器和安全设备，端口使用率不足 40%，槽位和端口均为后续"
        "扩容留有余量。",
    )
    c.h2("带宽测算")
    c.p(
        "主码流按 H.265 编码计算：400 万像素摄像机（枪机、球机）4 Mbps，800 万像素摄像机（智能枪机、人脸抓拍机）"
        "8 Mbps，全景摄像机 16 Mbps。派出所上行带宽在主码流之外，按 30% 点位同时预览（子码流 2 Mbps）、10% 点位同时"
        "回放（4 Mbps）以及抓拍图片流计算，再乘以 1.2 的突发系数。各派出所测算结果见下表。",
    )
    rows: list[list[object]] = []
    peak_max = 0.0
    sums = {"n": 0.0, "main": 0.0, "preview": 0.0, "playback": 0.0, "pictures": 0.0, "peak": 0.0}
    for station, _, _ in STATIONS:
        bw = bandwidth(totals[station])
        peak_max = max(peak_max, bw["peak"])
        for k in sums:
            sums[k] += bw[k]
        rows.append([len(rows) + 1, station, int(bw["n"]), fmt(bw["main"], 0), fmt(bw["preview"]),
                     fmt(bw["playback"]), fmt(bw["pictures"]), fmt(bw["peak"]), f"{bw['peak'] / 20000:.1%}"])
    rows.append(["", "合计", int(sums["n"]), fmt(sums["main"], 0), fmt(sums["preview"]), fmt(sums["playback"]),
                 fmt(sums["pictures"]), fmt(sums["peak"]), "—"])
    c.table(
        "网络带宽测算表（单位：Mbps）",
        [("序号", 1.0, "center"), ("派出所", 2.4, "left"), ("点位数", 1.3, "center"), ("主码流", 1.6, "right"),
         ("预览", 1.5, "right"), ("回放", 1.5, "right"), ("图片流", 1.5, "right"), ("上行峰值", 1.9, "right"),
         ("上联利用率", 2.0, "center")],
        rows,
        bold_last=True,
        note="注：上联利用率按两条万兆链路聚合（20 Gbps）计算；主码流合计即中心录像写入带宽。",
    )
    c.p(
        f"测算表明，单个派出所上行峰值约 {peak_max:.0f} Mbps，万兆上联的利用率不足 3%，即使其中一条链路中断，"
        f"剩余链路的利用率仍低于 6%；市局核心全部录像写入带宽约 {sums['main'] / 1000:.2f} Gbps，加上平台转发和"
        "智能分析取流，核心交换机背板和存储接入带宽都有充足余量。前端接入方面，单台 PoE 交换机最多接入 4 路"
        "摄像机，上行千兆光口利用率不超过 10%。",
    )
    c.h2("IP 地址与 VLAN 规划")
    c.p(
        "视频专网统一使用 10.64.0.0/12 私有地址段，按“市局中心、派出所、设备类型”分段规划，每个派出所的前端摄像机、"
        "网络设备和 NVR 分属不同 VLAN，便于访问控制和故障定位。地址与 VLAN 规划如下，开工后与采购人现网规划核对"
        "后最终确定。",
    )
    ip_rows: list[list[object]] = [
        [1, "市局中心", "核心互联与网管", "10.64.0.0/24", 10, "网络设备管理地址、互联地址"],
        [2, "市局中心", "平台服务器", "10.64.1.0/24", 11, "视频管理平台、数据库、Web 服务"],
        [3, "市局中心", "智能分析服务器", "10.64.2.0/24", 12, "人脸比对、结构化分析"],
        [4, "市局中心", "视频云存储", "10.64.4.0/23", 14, "存储业务网，万兆"],
        [5, "市局中心", "安全设备", "10.64.6.0/24", 16, "安全接入网关、防火墙、审计"],
        [6, "市局中心", "解码与大屏", "10.64.7.0/24", 17, "解码器、大屏控制"],
        [7, "市局中心", "运维客户端", "10.64.8.0/24", 18, "指挥中心及运维终端"],
    ]
    for i, (station, _, _) in enumerate(STATIONS):
        ip_rows.append([len(ip_rows) + 1, station, "前端摄像机", f"10.65.{i * 4}.0/22", 100 + i * 10,
                        f"本期 {sum(totals[station].values())} 路，预留扩展"])
    for i, (station, _, _) in enumerate(STATIONS):
        ip_rows.append([len(ip_rows) + 1, station, "网络设备/NVR", f"10.66.{i}.0/24", 101 + i * 10,
                        "汇聚/接入交换机管理、NVR、分控客户端"])
    c.table(
        "IP 地址与 VLAN 规划表",
        [("序号", 1.0, "center"), ("位置", 2.4, "left"), ("用途", 3.0, "left"), ("地址段", 3.2, "center"),
         ("VLAN", 1.5, "center"), ("说明", 5.2, "left")],
        ip_rows,
    )
    c.h2("光缆线路与时钟同步")
    c.p(
        "主干光缆采用 12 芯 GYTA 层绞式铠装光缆，约 38 千米；接入光缆采用 4 芯 GYXTW 中心束管式光缆，约 26 千米，"
        "纤芯均为 G.652D 单模光纤。光缆路由优先利用公安和通信运营商的现有管道，需要新建管道时，在人行道采用开挖"
        "方式，穿越主干道采用非开挖顶管，避免中断交通。光缆每隔 50 米及在人井、转弯处设置标识牌，接头盒全部安装"
        "在人井内并做好防水处理。熔接点平均损耗控制在 0.08 dB 以内，逐芯 OTDR 测试并存档。",
        "全网设置统一的 NTP 授时：市局中心部署主、备两台时钟源（北斗/GPS 双模），平台、存储、交换机和前端设备统一"
        "向其同步，时钟误差不大于 1 秒，保证不同点位录像时间的一致性，满足证据使用要求。",
    )


# ----------------------------------------------------------------------------------------------------
# 6 存储与计算


def chapter_storage(c: Chapter, totals: dict) -> None:
    c.h1("存储与计算")
    c.h2("存储架构")
    c.p(
        "中心存储采用分布式视频云存储，由 6 台 4U 36 盘位存储节点组成一个资源池。存储系统采用对象存储架构，元数据"
        "服务与数据服务分离，视频流由平台直接写入存储节点，不经过中间转发服务器；每个节点内部配置 2 组 RAID 6（16+2），"
        "节点之间通过数据分布和冗余策略实现节点级保护。存储资源池对平台呈现为统一命名空间，录像按点位和时间组织，"
        "支持秒级定位回放。",
    )
    c.h2("容量计算")
    c.p(
        "录像容量按 416 路、7×24 小时连续录像、保存 90 天计算。单路每天的数据量 = 码率（Mbps）× 86,400 秒 ÷ 8 ÷ "
        "1,000（GB），即每 1 Mbps 每天约 10.8 GB。计算过程如下表。",
    )
    counts = {k: sum(t[k] for t in totals.values()) for k in CAMS}
    calc_table = c.tables + 1
    rows: list[list[object]] = []
    total_tb = 0.0
    total_mbps = 0
    for k in CAMS:
        per_day = RATE_MBPS[k] * 86400 / 8 / 1000
        tb = counts[k] * per_day * 90 / 1000
        total_tb += tb
        total_mbps += counts[k] * RATE_MBPS[k]
        rows.append([len(rows) + 1, CAM_NAMES[k], counts[k], RATE_MBPS[k], fmt(per_day), 90, fmt(tb)])
    rows.append(["", "合计", sum(counts.values()), fmt(total_mbps / 1000, 3) + " Gbps", "", "", fmt(total_tb)])
    c.table(
        "录像存储容量计算表",
        [("序号", 1.0, "center"), ("设备类型", 3.2, "left"), ("路数", 1.5, "center"), ("码率(Mbps)", 2.2, "center"),
         ("单路日数据量(GB)", 2.9, "center"), ("保存天数", 1.8, "center"), ("容量(TB)", 3.2, "right")],
        rows,
        bold_last=True,
    )
    pictures_tb = 48 * 3000 * 0.3 * 180 / 1e6 + 40 * 20000 * 0.02 * 180 / 1e6
    need = total_tb + pictures_tb
    raw = 216 * 16
    usable = 6 * 2 * 16 * 16
    effective = usable * 0.95
    config_rows = [
        [1, "存储节点", "6 台，每台 36 盘位", "PS-CS3600"],
        [2, "硬盘", "16 TB 监控级硬盘 216 块", "单盘年负载 550 TB"],
        [3, "裸容量", f"{fmt(raw, 0)} TB", "216 × 16 TB"],
        [4, "RAID 方式", "每节点 2 组 RAID 6（16+2）", "每组可同时损坏 2 块盘"],
        [5, "可用容量", f"{fmt(usable, 0)} TB", "6 × 2 × 16 × 16 TB"],
        [6, "有效容量", f"{fmt(effective)} TB", "扣除文件系统及元数据开销约 5%"],
        [7, "录像容量需求", f"{fmt(total_tb)} TB", f"表{calc_table} 合计，90 天"],
        [8, "图片及结构化数据", f"{fmt(pictures_tb)} TB", "人脸图片及结构化数据保存 180 天"],
        [9, "需求合计", f"{fmt(need)} TB", "录像 + 图片"],
        [10, "预留 20% 余量后", f"{fmt(need * 1.2)} TB", f"小于有效容量，余量 {effective / need - 1:.0%}"],
    ]
    c.table(
        "存储配置校核表",
        [("序号", 1.0, "center"), ("项目", 3.6, "left"), ("配置或数值", 5.6, "left"), ("说明", 5.6, "left")],
        config_rows,
    )
    c.p(
        f"按上述配置，录像与图片需求合计约 {fmt(need, 0)} TB，预留 20% 余量后约 {fmt(need * 1.2, 0)} TB，小于存储"
        f"有效容量 {fmt(effective, 0)} TB，满足招标文件“全部新建点位视频图像存储时间不少于 90 天”的★要求。人脸"
        "抓拍图片按每路每天 3,000 张、每张约 300 KB（含全景图和人脸小图）估算，结构化数据按每路智能枪机每天约"
        "两万条记录估算。",
    )
    c.h2("可靠性设计")
    c.items(
        [
            "磁盘级：每组 RAID 6 可容忍同时损坏 2 块硬盘；配置全局热备策略，硬盘故障后自动重构，重构期间录像写入"
            "不中断。",
            "节点级：存储资源池采用节点间冗余分布，任一节点整机故障时，平台自动将该节点承担的写入任务迁移到其他"
            "节点，已存录像仍可读取，满足“单节点故障时录像业务不中断”的要求。",
            "链路级：每个存储节点以 4 个万兆口分别接入两台核心交换机，业务网与管理网分离。",
            "数据级：重要录像支持手动或按案件锁定，锁定后不被循环覆盖；锁定录像可导出并附带数字水印和校验值。",
        ]
    )
    c.h2("派出所分控存储")
    largest = max(STATIONS, key=lambda st: (bandwidth(totals[st[0]])["main"], st[0]))[0]
    main = bandwidth(totals[largest])["main"]
    need_nvr = main * 10.8 * 15 / 1000
    c.p(
        "8 个派出所各配置 1 台 64 路 8 盘位 NVR，配置 8 TB 监控级硬盘 8 块，采用盘组方式管理，保存本辖区点位最近 "
        "15 天的录像。NVR 从前端直接取流录像，与中心存储互为冗余：当派出所至市局的链路中断时，本地录像不受影响，"
        "民警可在分控中心预览和回放；链路恢复后平台可按需从 NVR 补录中断期间的录像。",
        f"按录像码率最高的{largest}计算（主码流合计 {main:.0f} Mbps），15 天约需 {need_nvr:.1f} TB；每台 NVR 裸容量 "
        f"64 TB，扣除格式化开销后约 {64 * 0.95:.1f} TB，可满足全部派出所 15 天的本地存储要求。",
    )
    c.h2("智能分析算力")
    c.p(
        "市局部署 2 台 GPU 智能分析服务器，每台配置 8 块推理 GPU 卡和 512 GB 内存，两台合计可支撑 100 万人脸底库的"
        "实时比对和 200 路视频结构化分析。48 路人脸抓拍机的抓拍图片全部进入比对队列，高峰期每秒约 20 张，单台服务器"
        "即可处理，另一台承担结构化分析和以图搜图，两者互为备份。平台采用算力池化调度，可根据实战需要临时调整布控"
        "和结构化任务的算力分配。",
    )
    c.h2("中心机房配套")
    c.p(
        "市局中心机房新增 42U 标准机柜 8 台，按核心网络、安全设备、平台服务器、智能分析和存储分柜布置，强弱电分离"
        "走线。配置 20 kVA 在线式 UPS 一套，含 12 V 100 Ah 蓄电池 64 节，满载后备 3 小时，优于招标要求的 2 小时。"
        "指挥中心新增 3×4 拼接的 46 英寸液晶拼接屏，拼缝 3.5 mm，由 2 台 16 路 4K 解码器驱动，支持任意开窗、漫游和"
        "预案一键上墙。",
    )


# ----------------------------------------------------------------------------------------------------
# 7 视频管理平台与智能分析


def chapter_platform(c: Chapter) -> None:
    c.h1("视频管理平台与智能分析")
    c.h2("平台架构")
    c.p(
        "视频管理平台采用臻视 ZS-VMS V5.2，B/S 与 C/S 相结合：指挥中心和专业用户使用功能完整的 C/S 客户端，"
        "派出所和共享部门使用免安装的浏览器客户端。平台后台由接入网关、信令服务、流媒体服务、存储管理、智能分析"
        "调度、用户与权限、运维管理、级联网关等服务组成，服务之间通过消息总线通信，支持按服务独立扩容。本期配置"
        "平台服务器 4 台，接入授权 416 路，平台可平滑扩展至 5,000 路。",
    )
    c.h2("基础功能")
    c.h3("设备接入与管理")
    c.p(
        "平台支持 GB/T 28181-2022、ONVIF 以及主流厂商私有协议接入，新建前端全部以国标方式接入。设备以“一点一档”"
        "管理：每个点位记录名称、编码、经纬度、安装方式、所属派出所、IP、光路和设备序列号，并关联安装照片。平台"
        "支持按区域、场景和设备类型的多级目录，可批量修改参数、批量升级固件和批量校时。",
    )
    c.h3("实时预览与轮巡")
    c.p(
        "客户端支持 1/4/9/16/25/36 等多种分屏，支持自定义分组轮巡和按预案轮巡。实时预览可在主码流和子码流之间"
        "自动切换：小画面使用子码流，放大到单画面时自动切换主码流，既节省带宽又保证清晰度。球机支持鼠标拖动、"
        "3D 定位和预置位调用，多个用户同时控制同一球机时按用户级别抢占。",
    )
    c.h3("录像回放与下载")
    c.p(
        "支持按时间、事件、标签检索录像，支持多路同步回放、倍速回放（1/16~16 倍）、逐帧回放和录像剪辑。录像下载"
        "需经审批流程，下载文件自动加入数字水印，记录下载人、时间和用途，防止视频外泄后无法追溯。",
    )
    c.h3("用户权限与日志")
    c.p(
        "平台按“用户—角色—资源”三级授权，资源可细化到单个点位和单项操作（预览、回放、下载、云台控制）。系统管理员、"
        "安全管理员和审计管理员三员分立。所有登录、调阅、下载、云台控制操作均记录日志，日志保存 180 天，审计员"
        "可按人员、点位、时间组合查询并导出报表。",
    )
    c.h2("人脸比对布控")
    c.p(
        "人脸比对子系统由前端人脸抓拍机、GPU 分析服务器和平台应用组成。抓拍机输出的人脸小图和全景图进入比对服务，"
        "提取特征后与布控库实时比对，相似度超过阈值时产生告警，并推送至指挥中心客户端和电子地图。布控库支持不少于 "
        "100 万人脸，可按案件、专题建立多个库，分别设置阈值、布控时段和接收人。",
        "以图搜图功能支持用户上传一张照片，在 180 天内的抓拍库中检索相似人脸，单次检索响应不大于 1 秒，结果按"
        "相似度和时间排序，可一键生成轨迹并在地图上回放。为防止误用，布控与检索须填写事由并经审批，全过程留痕。",
    )
    c.h2("视频结构化")
    c.p(
        "40 路智能枪机在前端完成结构化分析，其余点位可按需将视频流调度至中心 GPU 服务器进行分析，两台服务器合计"
        "支持 200 路并发。结构化内容包括：行人的性别、年龄段、上下衣颜色、是否背包、是否骑车；机动车的车牌、"
        "车型、颜色、品牌；非机动车的类型、颜色及驾乘人数。用户可按任意特征组合检索，快速从海量录像中筛选目标，"
        "检索结果可直接跳转到对应录像片段。",
    )
    c.h2("视频质量诊断与运维巡检")
    c.p(
        "平台内置视频质量诊断模块，每天按计划对全部点位轮检，自动检测信号丢失、画面遮挡、偏色、模糊、画面冻结、"
        "亮度异常、噪声和云台失控等问题，检测结果以红黄绿三色标注在目录和地图上。运维巡检模块同时采集设备在线"
        "状态、录像完整率、硬盘健康度和网络丢包率，每天生成在线率报表，每月生成运维统计，异常情况自动生成工单"
        "推送给运维工程师。",
    )
    c.h2("电子地图")
    c.p(
        "平台提供 GIS 电子地图，可加载采购人现有的地图服务，也可使用离线地图。全部点位按坐标上图，图标区分设备"
        "类型和在线状态，并显示球机和枪机的可视范围。用户在地图上框选、圈选或沿道路选择区域，即可批量调阅区域内"
        "的实时视频和录像；人脸比对和结构化检索的结果可在地图上生成轨迹并按时间回放。",
    )
    c.h2("主要性能指标")
    perf = [
        ["接入能力", "本期授权 416 路，可扩展至 5,000 路", "平台授权"],
        ["实时视频延时", "≤ 500 ms（前端至客户端）", "局域网环境"],
        ["实时视频切换", "≤ 1 s", ""],
        ["云台控制响应", "≤ 300 ms", ""],
        ["并发转发", "≥ 500 路实时视频，≥ 200 路回放", "流媒体集群"],
        ["在线客户端", "≥ 100 个", ""],
        ["人脸布控库", "≥ 100 万人脸", "招标要求 ≥ 50 万"],
        ["人脸检索响应", "≤ 1 s", "招标要求 ≤ 3 s"],
        ["结构化分析", "≥ 200 路并发", "含前端智能 40 路"],
        ["结构化检索", "亿级记录条件检索 ≤ 5 s", ""],
        ["操作日志保存", "≥ 180 天", ""],
        ["平台可用性", "≥ 99.9%，关键服务集群部署", "年度统计"],
    ]
    c.table(
        "平台主要性能指标表",
        [("序号", 1.0, "center"), ("指标项", 3.4, "left"), ("本方案指标", 7.2, "left"), ("备注", 4.6, "left")],
        [[i, *r] for i, r in enumerate(perf, 1)],
    )


# ----------------------------------------------------------------------------------------------------
# 8 网络与数据安全


def chapter_security(c: Chapter) -> None:
    c.h1("网络与数据安全")
    c.h2("安全设计思路")
    c.p(
        "视频监控系统点位多、分布广、暴露在公共场所，是网络攻击的薄弱环节：摄像机可能被仿冒接入、弱口令被利用、"
        "视频在传输中被截取或篡改。本方案从“设备可信、传输可靠、边界可控、操作可审”四个方面进行安全设计，并以"
        "网络安全等级保护第三级和 GB 35114-2017 作为基本依据，做到安全与系统同步规划、同步建设、同步使用。",
    )
    c.h2("GB 35114 安全接入")
    c.p(
        "GB 35114-2017 规定了公共安全视频监控联网中设备身份认证、信令和视频数据保护的技术要求，按安全强度由低到高"
        "分为 A、B、C 三级。本项目前端摄像机通过 GB 35114 A 级检测（检测报告见投标文件附件），并支持基于国密 SM4 的"
        "视频数据加密，可对重点点位按需启用。具体措施如下：",
    )
    c.items(
        [
            "设备身份：每台摄像机内置安全芯片和由公安视频图像信息系统数字证书体系签发的设备证书，私钥不出芯片。",
            "双向认证：设备注册时与平台基于 SM2 算法进行双向身份认证，未通过认证的设备不能注册，杜绝仿冒设备接入。",
            "信令保护：注册、目录查询、点播、云台控制等信令采用 SM3 摘要和 SM2 签名保护完整性与来源真实性，防止"
            "信令被篡改或重放。",
            "媒体加密：启用加密的点位，视频流以 SM4 算法加密传输，密钥由平台定期更新，解密在平台或授权客户端完成。",
            "安全接入网关：视频专网边界部署 DA-VSG3000 安全接入网关，支持 GB 35114 A 级，吞吐不低于 10 Gbps，负责"
            "外部视频的认证接入和协议检查。",
        ]
    )
    c.h2("等级保护设计")
    c.p(
        "系统按等保三级要求，从技术和管理两个方面落实控制措施。技术措施的主要落实情况如下表，安全管理制度、人员"
        "和运维管理要求将在试运行期间协助采购人完善，并配合测评机构完成等级测评。",
    )
    rows = [
        ["安全物理环境", "机房访问控制", "中心机房门禁与视频监控，设备箱防撬锁及开门告警"],
        ["安全物理环境", "电力供应", "20 kVA UPS 后备 3 小时，前端 UPS 保障短时断电"],
        ["安全通信网络", "网络架构", "视频专网独立组网，核心双机、链路冗余，业务与管理分离"],
        ["安全通信网络", "通信传输", "GB 35114 信令保护，重点点位 SM4 视频加密，管理采用 SSH/HTTPS"],
        ["安全区域边界", "边界防护", "安全接入网关 + 下一代防火墙，专网与其他网络逻辑隔离"],
        ["安全区域边界", "访问控制", "最小化策略，按业务端口放行，默认拒绝"],
        ["安全区域边界", "入侵防范", "防火墙开启入侵防御与病毒过滤，特征库三年升级"],
        ["安全区域边界", "接入控制", "接入端口 MAC 绑定、802.1X 准入，空闲端口关闭"],
        ["安全计算环境", "身份鉴别", "平台登录数字证书 + 口令双因子，口令复杂度与定期更换"],
        ["安全计算环境", "访问控制", "三员分立，点位级、操作级授权"],
        ["安全计算环境", "安全审计", "调阅、下载、云台控制全程留痕，日志保存 180 天"],
        ["安全计算环境", "数据完整性与保密性", "录像导出加水印与校验值，敏感数据加密存储"],
        ["安全计算环境", "恶意代码防范", "服务器部署主机防护，前端设备固件签名校验"],
        ["安全管理中心", "集中管控", "统一运维审计、网管与日志汇聚，安全事件集中告警"],
    ]
    c.table(
        "等级保护三级主要技术措施表",
        [("序号", 1.0, "center"), ("层面", 2.8, "left"), ("控制点", 3.2, "left"), ("本方案措施", 9.2, "left")],
        [[i, *r] for i, r in enumerate(rows, 1)],
    )
    c.h2("边界防护与访问控制")
    c.p(
        "视频专网与公安信息网之间部署视频图像信息安全接入网关和两台下一代防火墙（主备），只允许平台级联、视图库"
        "数据推送等经审批的业务流量通过，其余一律阻断。交警、城管等部门的视频共享通过市局平台级联实现，共享用户"
        "只能访问授权范围内的点位，不能直接访问前端设备和存储。前端设备全部修改出厂默认口令，关闭 Telnet、FTP 等"
        "不必要的服务，仅保留国标注册所需端口。",
    )
    c.h2("数据安全与个人信息保护")
    c.p(
        "人脸图像属于敏感个人信息。本方案按照最小必要原则设计：人脸抓拍点位仅部署在招标文件确定的重点场所，"
        "抓拍数据仅保存 180 天；布控库的建立、调整和撤销须经审批；以图搜图须填写事由并留痕；导出的人脸图片加盖"
        "水印，限定用途。平台对身份证号、手机号等字段脱敏显示，数据库中的敏感字段加密存储，备份介质专人保管。",
        "系统建设过程中，我方所有参与人员签署保密承诺书；调试期间使用的测试账号在交付前全部注销，设备调试记录和"
        "图纸资料按涉密资料要求管理，项目结束后移交采购人。",
    )


# ----------------------------------------------------------------------------------------------------
# 9 系统集成与接口


def chapter_integration(c: Chapter) -> None:
    c.h1("系统集成与接口")
    c.h2("集成总体思路")
    c.p(
        "本期新建平台需要与市局现有视频监控平台、省级视频图像共享平台和公安大数据平台对接，并为交警、城管等部门"
        "提供视频共享。集成遵循“标准优先、接口收敛”的原则：视频类对接一律采用 GB/T 28181-2022，图像和结构化数据"
        "采用 GA/T 1400 视图库接口，业务系统调用采用平台开放的 RESTful API，不为个别系统定制私有接口。",
    )
    c.h2("GB/T 28181-2022 级联对接")
    c.p(
        "新建平台作为下级平台向市局现有平台注册，同时作为上级平台接入各派出所 NVR。级联对接包括注册与心跳保活、"
        "目录同步与订阅、实时视频点播、历史录像检索与回放、云台控制、校时、报警订阅和设备状态上报等功能。与 2016 "
        "版相比，GB/T 28181-2022 增加了 H.265 编码、TCP 主动与被动传输模式、多码流选择和图像抓拍等内容；现有平台"
        "尚为 2016 版时，新平台以兼容模式与其对接，并在采购人安排存量平台升级后切换到 2022 版全部功能。",
        "为保证新建和存量点位统一调阅，国标编码按采购人统一规划分配：行政区划码、行业码、类型码和序号四段，新建"
        "416 个点位在开工前一次性申请编码并录入平台，保证级联后目录层级清晰、编码不冲突。",
    )
    c.h2("省级平台对接")
    c.p(
        "按照省级视频图像共享平台的接入规范，新建平台通过市局级联网关向省级平台推送目录和视频资源，接受省级平台的"
        "点播、回放和云台控制请求。对接前我方将提交接入申请材料，配合完成联网测试和安全检测，对接后每月统计共享"
        "点位的在线率，并按省级平台要求上报。",
    )
    c.h2("公安大数据平台对接")
    c.p(
        "人脸抓拍和视频结构化数据按 GA/T 1400 标准推送至公安大数据平台视图库，推送内容包括人脸小图、全景图、属性、"
        "抓拍时间和点位编码。推送采用订阅方式，网络中断时数据在本地缓存，恢复后断点续传，保证数据不丢失。",
    )
    c.h2("开放接口")
    c.p(
        "平台提供标准 RESTful API 和 SDK，涵盖资源目录、实时预览地址获取、录像检索、云台控制、告警订阅、人脸检索"
        "和结构化检索等能力，并提供完整的接口文档和调用示例。第三方系统调用接口须申请应用标识和密钥，平台按应用"
        "授权资源范围并记录调用日志。",
    )
    c.h2("联调测试")
    tests = [
        ["现有视频平台", "GB/T 28181 注册与心跳", "注册成功，心跳 60 s，断线 3 次自动重连", "平台工程师"],
        ["现有视频平台", "目录同步", "新建 416 路目录完整同步，层级与编码正确", "平台工程师"],
        ["现有视频平台", "实时点播与回放", "双向点播成功，回放拖动、倍速正常", "平台工程师"],
        ["现有视频平台", "云台控制", "上级控制新建球机，响应 ≤ 300 ms", "平台工程师"],
        ["现有视频平台", "校时与报警订阅", "时钟一致，告警 3 s 内上报", "平台工程师"],
        ["省级平台", "资源推送", "按规范推送目录，省级可点播", "技术负责人"],
        ["省级平台", "安全检测", "通过省级平台接入安全检测", "技术负责人"],
        ["公安大数据平台", "视图库推送", "人脸及结构化数据按 GA/T 1400 推送，断点续传", "平台工程师"],
        ["派出所 NVR", "下级接入", "8 台 NVR 接入平台，录像可检索", "网络工程师"],
        ["解码上墙", "预案上墙", "预案一键上墙，12 屏拼接显示正常", "平台工程师"],
        ["安全接入网关", "GB 35114 认证", "未认证设备无法注册，已认证设备正常取流", "网络工程师"],
        ["共享部门", "按权限共享", "共享用户仅可访问授权点位", "平台工程师"],
    ]
    c.table(
        "系统联调测试项目表",
        [("序号", 1.0, "center"), ("对接对象", 2.8, "left"), ("测试项目", 3.4, "left"), ("通过标准", 6.6, "left"),
         ("负责人", 2.4, "center")],
        [[i, *r] for i, r in enumerate(tests, 1)],
    )


# ----------------------------------------------------------------------------------------------------
# 10 施工与质量保障


def chapter_construction(c: Chapter, solution: dict, tender: dict) -> None:
    cons = solution["construction"]
    days = (max(t["end"] for t in cons["tasks"]) - min(t["start"] for t in cons["tasks"])).days + 1
    c.h1("施工与质量保障")
    c.h2("施工组织原则")
    c.p(cons["summary"])
    c.p(
        f"招标文件要求的工期为合同签订后 {tender['delivery_days']} 日历天，本方案计划工期 {days} 日历天，"
        f"比要求提前 {tender['delivery_days'] - days} 天，"
        "为冬春季雨雪天气、道路审批等不确定因素预留了缓冲。施工组织上采取三项措施保证工期：一是开工即启动设备"
        "采购，与现场复勘同步进行；二是土建施工提前锁定两支施工队，立杆基础和管道施工分片区同时展开；三是中心"
        "平台部署与前端施工并行，每个片区完工后立即接入平台调试，避免问题集中到后期。",
    )
    c.h2("项目组织与人员")
    c.p(
        "我方成立以项目经理为负责人的项目部，下设技术组、施工组、质量安全组和资料组，实行项目经理负责制。项目经理"
        "和技术负责人全程驻场，主要人员配置如下表。",
    )
    rows = []
    for s in cons["staffing"]:
        names = "、".join(s.get("names", [])) or "按施工计划调配"
        rows.append([len(rows) + 1, s["role"], s["count"], names, f"{s['start']:%Y-%m-%d} 至 {s['end']:%Y-%m-%d}"])
    c.table(
        "项目主要人员配置表",
        [("序号", 1.0, "center"), ("岗位", 3.8, "left"), ("人数", 1.3, "center"), ("人员", 4.4, "left"),
         ("在场时间", 5.7, "center")],
        rows,
    )
    c.h2("进度计划与里程碑")
    row_of = {t["id"]: i for i, t in enumerate(cons["tasks"], 1)}
    milestones = {"T3": "设备全部到货", "T6": "中心机房具备条件", "T10": "平台上线", "T11": "全部点位接入",
                  "T12": "级联对接完成", "T13": "试运行完成", "T14": "具备验收条件"}
    rows = []
    for t in cons["tasks"]:
        days = (t["end"] - t["start"]).days + 1
        before = "、".join(str(row_of[d]) for d in t.get("depends_on", [])) or "—"
        rows.append([len(rows) + 1, t["name"], f"{t['start']:%m-%d}", f"{t['end']:%m-%d}", days, t["owner"],
                     before, milestones.get(t["id"], "")])
    c.table(
        f"施工进度里程碑表（{cons['tasks'][0]['start'].year} 年）",
        [("序号", 1.0, "center"), ("工作内容", 4.6, "left"), ("开始", 1.6, "center"), ("结束", 1.6, "center"),
         ("天数", 1.1, "center"), ("责任人", 2.2, "center"), ("紧前工作", 1.9, "center"), ("里程碑", 2.3, "left")],
        rows,
        note="注：“紧前工作”填写本表序号；天数为日历天，含首尾两日。",
    )
    c.h2("主要施工工艺")
    c.h3("立杆基础")
    c.p(
        "按设计坐标放线定位，人工配合小型机械开挖基坑，6 米杆基坑尺寸 0.8×0.8×1.2 米，8 米 L 型杆 1.0×1.0×1.5 米。"
        "地笼和接地极安装后经监理检查方可浇筑，混凝土强度等级 C25，振捣密实并留置试块，养护 7 天后立杆。立杆垂直"
        "度偏差不大于杆高的 3‰，法兰螺栓加装双螺母并做防盗处理。",
    )
    c.h3("管道与光缆敷设")
    c.p(
        "人行道开挖采用切割机切缝、分段开挖、当天回填的方式，管道埋深不小于 0.7 米，穿越车行道处采用顶管并加"
        "保护套管。光缆敷设前进行单盘检验，敷设时牵引力不超过光缆允许值，弯曲半径不小于光缆外径的 20 倍。熔接"
        "完成后逐芯进行 OTDR 双向测试，测试曲线和数据随竣工资料归档。",
    )
    c.h3("前端设备安装")
    c.p(
        "摄像机安装前在项目部集中进行通电测试、升级固件、修改口令并写入国标编码，贴好点位标签后再出库，减少现场"
        "调试时间。安装时按踏勘确定的方向调整角度，人脸抓拍机以实测瞳距和抓拍率验收；线缆进出设备箱处做滴水弯"
        "和防水封堵，所有外露金属件做好接地。",
    )
    c.h3("中心机房与分控中心")
    c.p(
        "机柜按规划分区布置，强电与弱电分槽走线，线缆两端标识清楚。服务器和存储上架后先进行加电自检和压力测试，"
        "存储节点完成 RAID 初始化和 72 小时老化测试后再接入业务。割接存量系统相关配置时安排在夜间业务低谷进行，"
        "事先制定回退方案并经采购人确认。",
    )
    c.h2("质量保障措施")
    c.items(list(cons["quality_measures"]))
    c.p(
        "质量控制的关键在于过程留痕。项目部建立施工日志和质量检查记录，隐蔽工程（基础、接地、管道）在覆盖前拍照并"
        "经监理签认；每周召开质量例会，对发现的问题明确整改人和完成时间，整改完成后复查闭环。",
    )
    c.h2("安全文明施工")
    c.items(list(cons["safety_measures"]))
    c.p(
        "文明施工方面，施工现场做到工完料清，开挖渣土当天清运，破损路面按原标准恢复；临近学校、医院和居民区的"
        "点位避开上下学高峰和夜间休息时间施工，噪声较大的切割作业安排在白天进行。",
    )
    c.h2("主要风险与应对")
    risks = [
        ["道路开挖审批周期长", "提前办理交警、城管、市政审批；优先利用现有管道，必要时调整为架空或顶管方案"],
        ["冬春季雨雪天气影响土建", "土建工作前移并分片区同时施工；关注天气预报，雨雪天转为室内设备安装和调试"],
        ["地下管线情况不明", "开挖前调阅管线资料并请产权单位现场确认，必要时人工探挖，严禁盲目开挖"],
        ["设备到货延迟", "合同签订即下单，关键设备分批到货；与厂家约定供货期和备货量，每周跟踪"],
        ["与存量平台对接不顺利", "开工初期即开展对接测试，提前发现协议兼容问题；厂家研发人员驻场支持"],
        ["市电取电困难", "提前与供电部门沟通报装；个别点位临时采用就近取电加 UPS 过渡"],
        ["施工扰民与安全事故", "合理安排作业时间；设置围挡和警示，专人疏导交通，每日班前安全讲话"],
        ["人员变动影响进度", "关键岗位设 AB 角，项目经理和技术负责人不随意更换，变更须经采购人同意"],
    ]
    c.table(
        "主要风险及应对措施表",
        [("序号", 1.0, "center"), ("风险", 4.2, "left"), ("应对措施", 11.0, "left")],
        [[i, *r] for i, r in enumerate(risks, 1)],
    )


# ----------------------------------------------------------------------------------------------------
# 11 培训与运维


def chapter_service(c: Chapter, responses: dict) -> None:
    c.h1("培训与运维")
    c.h2("培训计划")
    c.p(
        "培训的目标是让采购人的运维人员能够独立完成日常操作和一般故障处理，让业务民警熟练使用平台的实战功能。"
        "培训分为集中授课、现场实操和上岗考核三个环节，总学时 42 学时，高于招标要求的 40 学时。培训地点安排在"
        "市局指挥中心和一个派出所分控中心，教材由我方编写并提供电子版和纸质版。",
    )
    courses = [
        ["系统总体架构与业务流程", "系统组成、点位分布、数据流向、日常管理制度", "运维人员、管理人员", 2, "集中授课"],
        ["前端设备原理与维护", "摄像机参数设置、镜头清洁、补光与防雷检查", "运维人员", 4, "授课 + 现场实操"],
        ["传输网络与光纤维护", "交换机配置备份、光功率测试、常见链路故障", "网络运维人员", 4, "授课 + 现场实操"],
        ["视频管理平台操作", "预览、回放、下载审批、云台控制、电子地图", "业务民警、值班人员", 6, "上机操作"],
        ["人脸布控与结构化检索", "布控库管理、告警处置、以图搜图、特征检索", "业务民警", 6, "上机操作 + 案例演练"],
        ["存储系统管理", "存储状态监控、硬盘更换、录像锁定与导出", "运维人员", 4, "授课 + 上机操作"],
        ["网络安全与等保运维", "账号与口令管理、日志审计、安全设备策略", "安全管理员、审计员", 4, "集中授课"],
        ["视频质量诊断与运维平台", "巡检计划、报表解读、工单处理流程", "运维人员", 4, "上机操作"],
        ["典型故障排查实操", "离线、花屏、录像缺失等故障的定位与处理", "运维人员", 6, "现场实操"],
        ["考核与答疑", "理论与实操考核，颁发培训合格证明", "全体学员", 2, "考核"],
    ]
    total = sum(r[3] for r in courses)
    c.table(
        "培训计划表",
        [("序号", 1.0, "center"), ("培训课程", 3.4, "left"), ("主要内容", 5.4, "left"), ("培训对象", 2.8, "left"),
         ("学时", 1.1, "center"), ("方式", 2.5, "center")],
        [*[[i, *r] for i, r in enumerate(courses, 1)], ["", "合计", "", "", total, ""]],
        bold_last=True,
    )
    c.h2("运维服务体系")
    c.p(
        "我方在江临市高新区设有常驻售后服务中心，本项目配备专职运维工程师 4 名，其中 2 名常驻市局指挥中心，2 名"
        "负责前端巡检和故障处理，服务车辆 2 辆。运维工作依托平台的视频质量诊断和运维巡检模块，由“被动报修”转为"
        "“主动发现”：平台每天自动巡检，发现离线或图像异常时生成工单，运维工程师接单处理并回填结果，形成闭环。",
    )
    c.items(
        [
            "日常巡检：每日查看在线率报表，每周抽查录像完整性，每季度对全部前端点位现场巡检一次，清洁镜头、紧固"
            "支架、检查防雷和设备箱密封。",
            "定期报告：每月向采购人提交点位在线率、录像完整率和故障处理情况报告，每季度提交系统运行分析和优化"
            "建议。",
            "重大保障：重大活动和节假日期间派驻工程师在指挥中心现场值守，提前对活动区域点位进行专项检查。",
            "软件升级：质保期内平台软件免费升级，升级前在测试环境验证并制定回退方案。",
        ]
    )
    c.h2("售后响应")
    promise = responses.get("after_sales", [])
    c.p(
        f"我方提供 7×24 小时服务热线，接到报修后 {responses.get('response_time_hours', 1)} 小时内响应，城区 2 小时内、"
        "郊区 4 小时内到达现场，一般故障 24 小时内修复；无法现场修复的设备先以同型号备机替换，保证点位不掉线。"
        "质保期 3 年，自最终验收合格之日起计算。售后服务承诺的完整内容见"
        f"{c.ref('after_sales')}，主要条款如下：",
    )
    c.items(list(promise[:4]))
    c.h2("备品备件")
    c.p("为保证故障设备能够及时替换，我方在江临售后服务中心储备不少于 5% 的易损备件，主要备件如下表。")
    spares = [
        ["400万星光级枪机", "ZS-IPC4426-I", 260, 13],
        ["800万智能枪机", "ZS-IPC8636-AI", 40, 2],
        ["红外高速球机", "LT-SD4237-IR", 60, 3],
        ["人脸抓拍摄像机", "ZS-FC8032-AI", 48, 3],
        ["LED 频闪补光灯", "LT-FL60W", 48, 3],
        ["千兆光纤收发器（对）", "JW-MC1000-SF20", 160, 8],
        ["室外 PoE 接入交换机", "JW-IS2006P", 40, 2],
        ["三合一防雷器", "LD-3IN1-POE", 416, 21],
        ["监控级硬盘 16TB", "PS-HD16T-SV", 216, 11],
        ["NVR 监控级硬盘 8TB", "PS-HD8T-SV", 64, 4],
        ["万兆光模块", "SFP+ 10G 单模", 96, 5],
        ["前端 UPS 电源", "HY-UPS1K", 40, 2],
    ]
    c.table(
        "备品备件配置表",
        [("序号", 1.0, "center"), ("备件名称", 4.2, "left"), ("型号", 4.0, "left"), ("本期数量", 2.2, "center"),
         ("备件数量", 2.2, "center"), ("比例", 2.6, "center")],
        [[i, n, m, q, s, f"{s / q:.1%}"] for i, (n, m, q, s) in enumerate(spares, 1)],
    )
    c.h2("系统验收")
    c.p(
        "系统完成安装调试和试运行后，我方提交竣工资料并申请验收。验收由采购人组织，依据国家及行业标准和合同约定"
        "进行，验收费用由我方承担。验收分为设备到货验收、隐蔽工程验收、初步验收和最终验收四个阶段，主要测试项目"
        "如下表。",
    )
    checks = [
        ["前端点位", "点位数量、位置、监控方向与设计一致", "逐点检查"],
        ["图像质量", "白天、夜间图像清晰，满足 GB 50348 主观评价 4 级以上", "抽查 ≥ 20%"],
        ["人脸抓拍", "抓拍率 ≥ 99%，瞳距 ≥ 40 像素", "全部抓拍点位"],
        ["防雷接地", "接地电阻 ≤ 4 Ω", "逐点实测"],
        ["光缆", "熔接损耗 ≤ 0.08 dB，OTDR 曲线正常", "全部纤芯"],
        ["网络", "链路冗余切换、丢包率 ≤ 0.1%、时延 ≤ 10 ms", "全部派出所"],
        ["存储", "90 天录像容量核算、单节点故障不中断", "演示测试"],
        ["平台功能", "预览、回放、下载、云台、地图、诊断", "逐项测试"],
        ["智能应用", "人脸比对、以图搜图、结构化检索响应时间", "逐项测试"],
        ["级联对接", "与现有平台、省级平台、视图库对接", "逐项测试"],
        ["安全", "GB 35114 认证、三员分立、日志 180 天", "逐项测试"],
        ["竣工资料", "竣工图、测试记录、一点一档、操作手册", "全部资料"],
    ]
    c.table(
        "系统验收测试项目表",
        [("序号", 1.0, "center"), ("验收项目", 2.8, "left"), ("验收内容与标准", 9.0, "left"), ("方法", 3.4, "center")],
        [[i, *r] for i, r in enumerate(checks, 1)],
    )
    c.p(
        "我方承诺，验收中发现的问题在 7 日内整改完毕并复验；质保期内因设备质量原因导致的故障均由我方免费处理，"
        "确保系统长期稳定运行。",
    )


# ----------------------------------------------------------------------------------------------------


def build(out: Path) -> Chapter:
    solution = yamlio.parse((SAMPLE / "solution.yaml").read_bytes(), "solution.yaml")
    tender = yamlio.parse((SAMPLE / "tender.yaml").read_bytes(), "tender.yaml")
    responses = yamlio.parse((SAMPLE / "responses.yaml").read_bytes(), "responses.yaml")
    grid = point_grid()
    totals = station_totals(grid)

    c = Chapter()
    for ch in tender.get("chapters", []):
        if ch["id"] in c.titles:
            c.titles[ch["id"]] = ch["title"]
    front_matter(c, tender)
    chapter_overview(c, solution)
    chapter_requirements(c, tender, responses)
    chapter_architecture(c)
    chapter_front_end(c, grid, totals)
    chapter_network(c, totals)
    chapter_storage(c, totals)
    chapter_platform(c)
    chapter_security(c)
    chapter_integration(c)
    chapter_construction(c, solution, tender)
    chapter_service(c, responses)
    c.save(out)
    return c


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    c = build(out)
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"{shown}  {out.stat().st_size // 1024} KB  ({c.figures} figures, {c.tables} tables)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

