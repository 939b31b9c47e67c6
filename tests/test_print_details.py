"""Print details of issue 15 that need no assembled package: table fitting and signature keeping in the .docx,
Chinese quotation marks and sentence ends, the copies' cover labels, charts legible at print size."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import itertools
import zipfile

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from bidkit.adapters.render import layout
from bidkit.core.errors import InputError
from bidkit.core.typography import cn_quotes, plain_quotes, sentence
from bidkit.pipeline import assemble
from bidkit.store import lock, workspace
from tests.helpers import SAMPLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- tables and signature blocks ---------------------------------------------------------------------------------


def _docx(rows: list[list[str]], widths_cm: list[float], *, signature: bool = True) -> bytes:
    doc = Document()
    doc.add_paragraph("分项报价表")
    table = doc.add_table(rows=len(rows), cols=len(widths_cm))
    table.autofit = False
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
            table.cell(r, c).width = Cm(widths_cm[c])
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=True):
        col.set(qn("w:w"), str(round(w * 567)))
    if signature:
        doc.add_paragraph("注：单价、合价均为人民币元。")
        doc.add_paragraph("投标人：测试科技有限公司（盖单位章）")
        doc.add_paragraph("法定代表人：（签字或盖章）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _document(docx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        return zf.read("word/document.xml")


def _grid(docx: bytes) -> list[float]:
    from lxml import etree

    root = etree.fromstring(_document(docx))
    return [int(g.get(f"{W}w")) / layout.TWIP for g in root.iter(f"{W}gridCol")]


def test_number_and_code_columns_sized_from_their_longest_content() -> None:
    rows = [["序号", "名称", "型号", "数量", "合价", "备注"],
            ["1", "400万像素星光级枪型网络摄像机", "JW-MC1000-SF20", "38000", "3,286,400.00", ""],
            ["2", "光纤收发器", "LT-SD4237-IR", "260", "202,800.00", ""]]
    before = [1.0, 6.0, 1.5, 0.8, 1.2, 4.0]  # 数量, 合价 and 型号 too narrow for their numbers; 备注 empty and wide
    out = layout.lay_out(_docx(rows, before))
    widths = _grid(out)
    assert abs(sum(widths) - sum(before) * 567 / layout.TWIP) < 2  # the table keeps its width
    for col, text in ((2, "JW-MC1000-SF20"), (3, "38000"), (4, "3,286,400.00")):
        assert widths[col] >= layout.text_width(text, 10.5) + 5, (col, widths)
    assert widths[5] < before[5] * 567 / layout.TWIP / 2  # the empty 备注 shrinks to its header
    assert widths[1] > widths[2]  # the text column takes the rest


def test_short_brand_and_bracketed_header_never_split() -> None:
    rows = [["品牌", "工期（天）", "说明"], ["江临智安", "130", "立杆混凝土基础 160 处，开挖及恢复路面 6.2 千米"]]
    widths = _grid(layout.lay_out(_docx(rows, [0.6, 0.6, 12.0], signature=False)))
    assert widths[0] >= layout.text_width("江临智安", 10.5) + 5
    assert widths[1] >= layout.text_width("（天）", 10.5) + 5


def test_signature_block_keeps_with_the_text_before_it() -> None:
    rows = [["序号", "合价"]] + [[str(i), f"{i},000.00"] for i in range(1, 12)]
    out = _document(layout.lay_out(_docx(rows, [2.0, 4.0])))
    from lxml import etree

    body = etree.fromstring(out).find(f"{W}body")
    assert body is not None
    paras = {("".join(t.text or "" for t in p.iter(f"{W}t"))): p for p in body.iter(f"{W}p")}
    for text in ("注：单价、合价均为人民币元。", "投标人：测试科技有限公司（盖单位章）"):
        assert paras[text].find(f"{W}pPr/{W}keepNext") is not None, text
    # the last row of the long table before it comes along, the first does not
    rows_xml = body.find(f"{W}tbl").findall(f"{W}tr")  # type: ignore[union-attr]
    assert rows_xml[-1].find(f".//{W}keepNext") is not None
    assert rows_xml[1].find(f".//{W}keepNext") is None


def test_carry_last_row_moves_it_under_a_repeated_header() -> None:
    rows = [["序号", "合价"]] + [[str(i), f"{i},000.00"] for i in range(1, 6)]
    moved = layout.carry_last_row(_docx(rows, [2.0, 4.0]))
    assert moved is not None
    from lxml import etree

    body = etree.fromstring(_document(moved)).find(f"{W}body")
    tables = body.findall(f"{W}tbl")  # type: ignore[union-attr]
    assert len(tables) == 2
    texts = ["".join(t.text or "" for t in tr.iter(f"{W}t")) for tr in tables[1].findall(f"{W}tr")]
    assert texts == ["序号合价", "55,000.00"]


# --- typography and covers ---------------------------------------------------------------------------------------


def test_chinese_quotation_marks_and_sentence_ends() -> None:
    assert cn_quotes('江临市公安局"雪亮工程"视频监控扩容项目') == "江临市公安局“雪亮工程”视频监控扩容项目"
    assert cn_quotes('1/1.8" 逐行扫描 CMOS') == '1/1.8" 逐行扫描 CMOS'  # an inch mark stays
    assert cn_quotes('say "hello"') == 'say "hello"'  # no Chinese: left alone
    assert plain_quotes("“雪亮工程”") == '"雪亮工程"'
    assert sentence("质保期内每季度巡检一次") == "质保期内每季度巡检一次。"
    assert sentence("质保期 3 年；") == "质保期 3 年；"
    assert sentence("含备件费，") == "含备件费。"


def test_copies_labelled_one_by_one_and_the_draft_cover() -> None:
    assert assemble.copy_labels(2) == ["正本", "副本一", "副本二"]
    _, label = assemble.load(SAMPLE, "副本一")
    assert label == "副本一"
    assert assemble.load(SAMPLE, "副本2")[1] == "副本二"
    assert assemble.load(SAMPLE, None, draft=True)[1] == "草稿"
    with pytest.raises(InputError, match="副本三 is not one of 正本, 副本一, 副本二"):
        assemble.load(SAMPLE, "副本三")


# --- charts ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def figures() -> object:
    from bidkit.core.lifecycle import construction_figures

    ws = lock.with_prices(workspace.load(SAMPLE), "demo-only-passphrase")
    return construction_figures(ws.data, dt.date(2027, 3, 15), "week")


def _texts(fig: object) -> list[object]:
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text().strip()]  # type: ignore[attr-defined]


def test_progress_curve_labels_legible_at_print_size_with_full_dates(figures: object) -> None:
    from bidkit.adapters.render import charts

    fig = charts.progress_figure(figures)  # type: ignore[arg-type]
    try:
        fig.canvas.draw()
        assert abs(fig.get_figwidth() * 2.54 - charts.WIDTH_CM) < 0.01  # drawn at the size it prints
        sizes = {t.get_text(): t.get_fontsize() for t in _texts(fig)}
        assert min(sizes.values()) >= 7.5, sorted(sizes.items(), key=lambda kv: kv[1])[:5]
        dates = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert dates and all(len(d) == 10 and d.startswith("2027-") for d in dates), dates
    finally:
        from matplotlib import pyplot

        pyplot.close(fig)


@pytest.mark.parametrize("kind", ["gantt", "schedule"])
def test_bar_chart_labels_legible_at_print_size_with_full_dates(figures: object, kind: str) -> None:
    from PIL import Image

    from bidkit.adapters.render import bars, charts

    ws = workspace.load(SAMPLE)
    chart = {"gantt": lambda: charts.gantt_chart(figures),  # type: ignore[arg-type]
             "schedule": lambda: charts.schedule_chart(ws.data.solution.construction.tasks)}[kind]()
    drawing = bars.plan(chart)
    png = Image.open(io.BytesIO(bars.draw(chart)))
    assert png.size == (drawing.width, drawing.height)
    assert abs(png.size[0] / bars.DPI * 2.54 - charts.WIDTH_CM) < 0.01  # drawn at the size it prints
    assert min(t.pt for t in drawing.texts) >= 7.5
    dates = [t.text for t in drawing.texts if t.text[:4].isdigit()]
    assert len(dates) >= 3 and all(len(d) == 10 and d.startswith("2027-") for d in dates), dates
    assert sorted(dates) == dates and len(set(dates)) == len(dates)
    for t in drawing.texts:  # nothing printed past the edge
        half = bars.text_width(t.text, t.pt) / 2
        assert half <= t.x <= drawing.width - half or t.anchor[0] != "m", t
    rows = [t.text for t in drawing.texts if t.anchor == "rm"]
    assert rows == [f"{task.id} {task.name}" for task in ws.data.solution.construction.tasks]


def test_gantt_late_in_red_on_plan_in_another_colour(figures: object) -> None:
    from bidkit.adapters.render import charts

    # the sample's open tasks are all behind plan on 2027-03-15: one of them put on plan, to see both colours
    tasks = list(figures.tasks)  # type: ignore[attr-defined]
    i = next(n for n, ts in enumerate(tasks) if ts.start is not None and ts.end is None)
    tasks[i] = dataclasses.replace(tasks[i], actual=int(tasks[i].planned) + 1, slippage=0)
    figures = dataclasses.replace(figures, tasks=tasks)  # type: ignore[type-var]
    chart = charts.gantt_chart(figures)  # type: ignore[arg-type]
    colours = {b.colour.upper() for b in chart.bars}
    open_tasks = [ts for ts in figures.tasks if ts.start is not None and ts.end is None]  # type: ignore[attr-defined]
    late = [ts for ts in open_tasks if charts.is_late(ts)]
    on_plan = [ts for ts in open_tasks if not charts.is_late(ts)]
    assert late and on_plan
    assert charts.LATE_COLOUR != charts.ON_TIME_COLOUR
    assert {charts.LATE_COLOUR.upper(), charts.ON_TIME_COLOUR.upper()} <= colours


def test_bar_chart_ticks_months_days_and_refused_glyphs() -> None:
    from bidkit.adapters.render import bars
    from bidkit.core.errors import ToolError

    d = dt.date
    chart = bars.BarChart("进度", ("A 任务",), (bars.Bar(0, d(2027, 1, 10), d(2027, 1, 20), "#9DB9D8"),),
                          16.0, 0.55, 8.0, 10.5)
    ticks = bars.plan(chart).ticks  # eleven days: a label every few days, none outside the axis
    assert len(ticks) >= 3 and all(d(2027, 1, 8) <= t for t in ticks)
    assert len({(b - a).days for a, b in itertools.pairwise(ticks)}) == 1
    long = dataclasses.replace(chart, bars=(bars.Bar(0, d(2027, 1, 10), d(2028, 6, 30), "#9DB9D8"),))
    assert all(t.day == 1 for t in bars.plan(long).ticks)  # eighteen months: first days of months
    assert bars.draw(chart) == bars.draw(chart)  # the same bytes (the render cache keys on them)
    with pytest.raises(ToolError, match=r"no glyph for '.' \(U\+1F600\)"):
        bars.draw(dataclasses.replace(chart, rows=("A 任务 \U0001f600",)))
