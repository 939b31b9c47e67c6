"""Documents after the award: golden text, charts as real images, internal data kept where it belongs, PDF."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from bidkit.adapters.render.text import docx_text
from bidkit.pipeline import reports
from bidkit.store import workspace
from tests.golden import assert_golden
from tests.helpers import SAMPLE, Result, needs_soffice

D = dt.date.fromisoformat
AS_OF = {
    "construction_report": D("2027-03-15"),
    "construction_log": D("2027-03-15"),
    "supply_report": D("2027-03-15"),
    "bond_refund_request": D("2030-06-15"),
    "project_summary": D("2030-07-01"),
}


@pytest.fixture(scope="module")
def sample() -> workspace.Workspace:
    return workspace.load(SAMPLE)


@pytest.fixture(scope="module")
def rendered(sample: workspace.Workspace) -> dict[str, bytes]:
    return {name: reports.render(sample, name, at=AS_OF.get(name)) for name in reports.POST_AWARD}


@pytest.mark.slow
@pytest.mark.parametrize("name", reports.POST_AWARD)
def test_golden_text(name: str, rendered: dict[str, bytes]) -> None:
    assert_golden(f"reports/{name}", docx_text(rendered[name]))


def test_weekly_report_golden(sample: workspace.Workspace) -> None:
    blob = reports.render(sample, "construction_report", at=D("2027-03-15"), period="week")
    assert_golden("reports/construction_report_week", docx_text(blob))


def test_construction_report_embeds_two_real_charts(rendered: dict[str, bytes]) -> None:
    with zipfile.ZipFile(io.BytesIO(rendered["construction_report"])) as zf:
        media = sorted(n for n in zf.namelist() if n.startswith("word/media/") and n.endswith(".png"))
        assert len(media) == 2
        document = zf.read("word/document.xml").decode()
        assert document.count("<wp:inline") == 2
        for name in media:
            blob = zf.read(name)
            assert len(blob) > 20_000, name
            with Image.open(io.BytesIO(blob)) as im:
                assert im.width > 1000 and im.height > 400
                colours = im.convert("RGB").getcolors(maxcolors=1 << 20)
                assert colours is not None and len(colours) > 50, name  # lines, bars and anti-aliased text


def test_internal_costs_only_in_the_supply_report(rendered: dict[str, bytes], sample: workspace.Workspace) -> None:
    costs = [format(o.cost, ",.2f") for o in sample.data.supply.orders] if sample.data.supply else []
    suppliers = {o.supplier for o in sample.data.supply.orders} if sample.data.supply else set()
    assert costs and suppliers
    for name, blob in rendered.items():
        text = docx_text(blob)
        leaked = [c for c in costs if c in text] + [s for s in suppliers if s in text]
        if name == "supply_report":
            assert leaked
            assert text.startswith("[页眉] 内部资料 注意保密")
        else:
            assert not leaked, (name, leaked[:3])


def test_supply_report_is_never_a_bid_chapter() -> None:
    from bidkit.core.book import FORMS
    from bidkit.pipeline.reports import INTERNAL

    assert "supply_report" in INTERNAL and "supply_report" not in FORMS


def test_report_command_writes_docx(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("report", "construction", sample_ws, "--period", "week", "--at", "2027-03-15", "--no-pdf")
    assert res.code == 0, res.err
    target = sample_ws / "build" / "docx" / "construction_report.docx"
    assert res.out == f"{target}  项目施工报告书\n"
    assert "（周报：2027年第11周（3月15日—3月21日））" in docx_text(target)


def test_bad_period_is_a_usage_error(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("report", "construction", sample_ws, "--period", "year", "--no-pdf")
    assert res.code == 2
    assert "'year' is not one of 'month', 'week', 'day'" in res.err


@pytest.mark.slow
@needs_soffice()
def test_reports_also_become_pdf(cli: Callable[..., Result], sample_ws: Path) -> None:
    from pypdf import PdfReader

    res = cli("report", "construction", sample_ws, "--at", "2027-03-15")
    assert res.code == 0, res.err
    pdf = sample_ws / "build" / "pdf" / "construction_report.pdf"
    reader = PdfReader(str(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "项目施工报告书" in text and "计划累计完成 47.2%" in text
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 2  # LibreOffice may split an image into several XObjects


@pytest.mark.slow
def test_retention_request_golden(sample: workspace.Workspace) -> None:
    """The 尾款 after the warranty: a new request, with everything received before and nothing left."""
    blob = reports.render(sample, "payment_request", at=D("2030-06-15"), instalment="尾款")
    assert_golden("reports/payment_request_retention", docx_text(blob))


@pytest.mark.slow
def test_every_acceptance_round_renders(sample: workspace.Workspace) -> None:
    """The failed first internal acceptance with its findings, and the notice as it stood when issued."""
    blobs, titles = reports.render_acceptance(sample)
    assert titles == {
        "internal_acceptance_1": "内部验收单 NY-2027-031-01（第 1 次，不合格）",
        "rectification_notice_1": "整改意见书 ZG-2027-031-01（签发时）",
        "internal_acceptance_2": "内部验收单 NY-2027-031-02（第 2 次，合格）",
        "formal_acceptance": "正式验收单",
    }
    first = docx_text(blobs["internal_acceptance_1"])
    assert_golden("reports/internal_acceptance_1", first)
    assert "2 | 前端点位在线率 | 不低于 98% | 不合格 | 实测 96.4%，西片区 15 个点位频繁掉线" in first
    notice = docx_text(blobs["rectification_notice_1"])
    assert "2027年5月23日" not in notice and "2027年5月26日 | " in notice  # deadlines, no completion dates


def test_acceptance_command_writes_every_round(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("acceptance", sample_ws, "--no-pdf")
    assert res.code == 0, res.err
    docx = sample_ws / "build" / "docx"
    assert res.out.splitlines() == [
        f"{docx / 'internal_acceptance_1.docx'}  内部验收单 NY-2027-031-01（第 1 次，不合格）",
        f"{docx / 'rectification_notice_1.docx'}  整改意见书 ZG-2027-031-01（签发时）",
        f"{docx / 'internal_acceptance_2.docx'}  内部验收单 NY-2027-031-02（第 2 次，合格）",
        f"{docx / 'formal_acceptance.docx'}  正式验收单",
    ]


def test_day_report_is_the_site_diary(cli: Callable[..., Result], sample_ws: Path) -> None:
    res = cli("report", "construction", sample_ws, "--period", "day", "--at", "2027-03-15", "--no-pdf")
    assert res.code == 0, res.err
    target = sample_ws / "build" / "docx" / "construction_log.docx"
    assert res.out == f"{target}  施工日志\n"
    text = docx_text(target)
    assert "日　　期 | 2027年3月15日 星期一 | 天　　气 | 多云" in text
    assert "累计进度" not in text  # no cumulative table in a day report


def test_bond_refunds_come_from_the_sales_rep(rendered: dict[str, bytes]) -> None:
    for name in ("bond_refund_request", "bid_bond_refund_request"):
        text = docx_text(rendered[name])
        assert "经办人（销售代表）：方振宇" in text and "周启航" not in text, name
