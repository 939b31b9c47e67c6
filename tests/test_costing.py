"""Before the price: cost by category, margin against the target (a finding when below), the baseline, and the
cost analysis kept out of every bid template, with the bid prices only through the open lock and the passphrase."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.core import book, context, costing, forms
from bidkit.core.checks.hygiene import cost_names
from bidkit.core.models import BidData, InternalCost
from bidkit.pipeline import cost as cost_stage
from bidkit.store import lock, workspace
from tests.golden import assert_golden
from tests.helpers import DEMO_PASSPHRASE, SAMPLE, Result, needs_soffice, replace_once, snapshot
from tests.hostile.test_secrets import leaks, price_figures

PASSPHRASE = DEMO_PASSPHRASE


@pytest.fixture(scope="module")
def sample() -> workspace.Workspace:
    return workspace.load(SAMPLE)


@pytest.fixture(scope="module")
def priced(sample: workspace.Workspace) -> workspace.Workspace:
    return lock.with_prices(sample, PASSPHRASE)


@pytest.fixture(scope="module")
def figures() -> list[str]:
    return price_figures(SAMPLE)


def with_target(data: BidData, target: str) -> BidData:
    return data.model_copy(update={"project": data.project.model_copy(update={"target_margin": Decimal(target)})})


def test_cost_by_category_adds_up(sample: workspace.Workspace) -> None:
    a = costing.analyse(sample.data)
    by = {c.category.value: c.amount for c in a.categories}
    assert by == {"equipment": Decimal("2626594.21"), "materials": Decimal("259072.96"),
                  "labour": Decimal("318764.29"), "subcontract": Decimal("117220.20"),
                  "other": Decimal("207706.33")}  # 2,600.00 of other costs + 205,106.33 overhead (6.17%)
    assert sum(by.values()) == a.total_cost == Decimal("3529357.99")
    assert (a.direct, a.overhead) == (Decimal("3324251.66"), Decimal("205106.33"))
    assert not a.with_prices and a.margin is None and a.bid_total is None


def test_sample_margin_meets_the_general_managers_target(priced: workspace.Workspace) -> None:
    a = costing.analyse(priced.data, priced.data.pricing)
    assert (a.bid_total, a.margin) == (Decimal("4307050.60"), Decimal("777692.61"))
    assert costing.rate_pct(a.margin_rate or Decimal(0)) == Decimal("18.06")
    assert [f.code for f in a.findings] == ["cost.not_costed"]  # B38, B40 are in labour and overhead


def test_margin_below_target_is_a_finding(priced: workspace.Workspace) -> None:
    a = costing.analyse(with_target(priced.data, "0.20"), priced.data.pricing)
    found = [f for f in a.findings if f.code == "cost.margin_below_target"]
    assert [(f.severity, f.message) for f in found] == [
        ("警告", "毛利率 18.06% 低于目标毛利率 20.00%：报价须经总经理批准。")
    ]


def test_baseline_beside_budget_and_control_price(sample: workspace.Workspace) -> None:
    b = costing.analyse(sample.data).baseline
    assert (b.cost, b.target_price, b.budget, b.control_price) == (
        Decimal("3529357.99"), Decimal("4304095.11"), Decimal("4900000.00"), Decimal("4860000.00"))
    assert costing.rate_pct(b.max_margin or Decimal(0)) == Decimal("27.38")
    # a target the control price cannot carry is said before anyone prices the bid
    a = costing.analyse(with_target(sample.data, "0.30"))
    assert "cost.target_above_control" in [f.code for f in a.findings]


def test_quote_findings(sample: workspace.Workspace) -> None:
    sheet = sample.data.internal_cost
    assert sheet is not None
    b03 = sheet.line("B03")
    b01 = sheet.line("B01")
    assert b03 is not None and b01 is not None
    lines = [b03.model_copy(update={"reason": ""}) if c.item == "B03" else
             b01.model_copy(update={"valid_until": b01.quoted}) if c.item == "B01" else c for c in sheet.lines]
    data = sample.data.model_copy(update={"internal_cost": sheet.model_copy(update={"lines": lines})})
    messages = {f.code: f.message for f in costing.analyse(data).findings}
    assert messages["cost.cheaper_quote"] == (
        "B03 400万像素红外网络高速球机：未选最低报价（江临臻视智能科技有限公司 更低），请在 reason 中说明原因。")
    assert messages["cost.quote_expired"] == (
        "B01 400万像素星光级枪型网络摄像机：选定报价有效期至 2026-11-10，早于投标截止日 2026-12-28，须请供应商续期。")


def test_an_older_cost_sheet_still_loads() -> None:
    old = {"lines": [{"item": "B01", "supplier": "S", "unit_cost": "1.00", "quote_ref": "Q1"}],
           "labour": "10.00", "overhead_rate": "0.05", "notes": "before issue 16"}
    sheet = InternalCost.model_validate(old)
    assert sheet.lines[0].category.value == "equipment" and sheet.lines[0].alternatives == []


def test_a_supplier_quoting_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="supplier 'S' quotes twice for B01"):
        InternalCost.model_validate({"lines": [{"item": "B01", "supplier": "S", "unit_cost": "1.00",
                                                "alternatives": [{"supplier": "S", "unit_cost": "2.00"}]}]})


# --- confidentiality ----------------------------------------------------------------------------------------


def test_never_reachable_from_a_bid_template(sample: workspace.Workspace) -> None:
    assert "cost_analysis" not in context.DOCUMENTS and "cost_analysis" not in book.FORMS
    data = lock.with_prices(sample, PASSPHRASE).data
    chapters = [pc for pc in book.plan(data).chapters() if pc.kind in ("form", "cover", "file")]
    assert len(chapters) >= 19
    for pc in chapters:  # every chapter of the bid book, the price chapters with the prices
        names = frozenset(_dotted(forms.build(data, pc)))
        assert cost_names(names) == [], pc.id
    # and the cost names are what the cost document is made of (so hygiene.internal_cost would catch them)
    assert {"cost.total", "margin.rate", "lines[].supplier"} <= set(_dotted(context.cost_analysis(data)))


def _dotted(values: object, prefix: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(values, dict):
        for k, v in values.items():
            out += [f"{prefix}{k}", *_dotted(v, f"{prefix}{k}.")]
    elif isinstance(values, list):
        for v in values[:1]:
            out += _dotted(v, prefix.rstrip(".") + "[].")
    return out


def test_no_price_figure_without_the_open_lock_and_passphrase(sample: workspace.Workspace,
                                                             priced: workspace.Workspace,
                                                             figures: list[str]) -> None:
    assert leaks(cost_stage.text(sample), figures) == []
    shown = leaks(cost_stage.text(priced), figures)
    assert "4,307,050.60" in shown and len(shown) > 60


@pytest.mark.slow
def test_cost_command_prices_only_through_lock_and_passphrase(cli: Callable[..., Result], sample_ws: Path,
                                                             figures: list[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BIDKIT_PRICE_PASSPHRASE", raising=False)
    r = cli("cost", sample_ws)  # lock open, no passphrase: cost only, and why
    assert r.code == 0 and r.err_lines == [
        "bid prices left out: set BIDKIT_PRICE_PASSPHRASE or give --prices to include them"]
    assert r.out.startswith("[页眉] 内部资料 注意保密") and leaks(r.out, figures) == []
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    r = cli("cost", sample_ws)
    assert r.code == 0 and r.err == "" and "毛利率 18.06%，目标毛利率 18.00%：达到目标。" in r.out
    replace_once(sample_ws / "responses.yaml", "红外补光距离 80 米", "红外补光距离 100 米")  # the lock closes
    r = cli("cost", sample_ws)
    assert r.code == 0 and leaks(r.out, figures) == []
    assert r.err_lines[0].startswith("bid prices left out: ")
    before = snapshot(sample_ws)
    r = cli("cost", sample_ws, "--prices")
    assert (r.code, r.out) == (4, "") and snapshot(sample_ws) == before


def test_the_target_margin_does_not_close_the_price_lock(cli: Callable[..., Result], sample_ws: Path) -> None:
    """No bid part shows it, so the QA review does not digest it: the general manager may change it any time."""
    replace_once(sample_ws / "project.yaml", r"^target_margin: 0\.18", "target_margin: 0.20")
    r = cli("review", "status", sample_ws)
    assert r.code == 0 and "price lock: open" in r.out
    assert workspace.load(sample_ws).data.project.target_margin == Decimal("0.20")


def test_render_refuses_the_cost_analysis(cli: Callable[..., Result], sample_ws: Path) -> None:
    r = cli("render", sample_ws, "--only", "cost_analysis")
    assert r.code == 3
    assert r.err_lines[-1].startswith("error: cost_analysis: unknown document or chapter (one of feasibility_report, ")


@pytest.mark.slow
def test_golden_without_prices(sample: workspace.Workspace) -> None:
    assert_golden("reports/cost_analysis", cost_stage.text(sample))


@pytest.mark.slow
def test_golden_with_prices(priced: workspace.Workspace) -> None:
    assert_golden("reports/cost_analysis_prices", cost_stage.text(priced))


@pytest.mark.slow
@needs_soffice()
def test_pdf_is_encrypted_and_internal_on_every_page(cli: Callable[..., Result], sample_ws: Path,
                                                     figures: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import pikepdf
    from pypdf import PdfReader

    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    r = cli("cost", sample_ws, "--pdf")
    assert r.code == 0, r.err
    target = sample_ws / "build" / "pdf" / "cost_analysis.pdf"
    lines = r.out.splitlines()
    assert lines[0] == f"{target}  成本与报价分析（内部资料，with the bid prices; AES-256 encrypted）"
    password = lines[1].removeprefix("password (shown only now, stored nowhere): ")
    assert len(password) == 23 and password not in (sample_ws / "audit.log").read_text(encoding="utf-8")
    blob = target.read_bytes()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(blob))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(blob), password=PASSPHRASE)  # not the price passphrase
    assert leaks(blob.decode("latin-1"), figures) == []
    reader = PdfReader(io.BytesIO(blob))
    assert reader.decrypt(password)
    pages = [p.extract_text() for p in reader.pages]
    assert len(pages) >= 3 and all("内部资料" in p for p in pages)
    assert "4,307,050.60" in "".join(pages)
    # nothing of it in the conversion cache, no plain copy anywhere in build/
    assert not [p for p in (sample_ws / "build").rglob("*") if "cost_analysis" in p.name and p != target]
