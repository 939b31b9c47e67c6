"""Each validity rule on the sample (passing) and on a planted defect (failing), through the pure core.

The facts (rendered text, attachment facts, template names) are gathered once from the real sample with its DEMO
prices; each test changes one thing in a copy of them and runs the rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest

from bidkit.core.checks import RULES, CheckInput, Finding, Severity, TemplateVars, has_fatal, run_checks
from bidkit.core.models import Deviation, Pricing, SealPlacement
from bidkit.pipeline import check as check_io
from bidkit.store import yamlio
from bidkit.store.workspace import load
from tests.helpers import ROOT, SAMPLE, copy_sample

DEMO_PRICES = ROOT / "samples" / "city-surveillance-prices.yaml"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> CheckInput:
    root = tmp_path_factory.mktemp("checks") / "ws"
    copy_sample(root)
    ws = load(root)
    pricing = Pricing.model_validate(yamlio.parse(DEMO_PRICES.read_bytes(), DEMO_PRICES.name))
    ws.data = ws.data.model_copy(update={"pricing": pricing})
    return check_io.gather(ws, include_prices=True)


def variant(inp: CheckInput, **changes: Any) -> CheckInput:
    return dataclasses.replace(inp, _chapters={}, **changes)


def with_data(inp: CheckInput, path: str, **update: Any) -> CheckInput:
    """``inp`` with the model at dotted ``path`` (e.g. ``tender`` or ``responses.bid``) updated."""
    keys = path.split(".")

    def rebuild(model: Any, rest: list[str]) -> Any:
        if not rest:
            return model.model_copy(update=update)
        return model.model_copy(update={rest[0]: rebuild(getattr(model, rest[0]), rest[1:])})

    return variant(inp, data=rebuild(inp.data, keys))


def with_text(inp: CheckInput, chapter: str, old: str, new: str, *, within: tuple[str, str] | None = None,
              count: int = 1) -> CheckInput:
    """``inp`` with ``old`` replaced in a chapter's text (only between two markers when ``within`` is given)."""
    assert inp.texts is not None
    part = chapter
    text = inp.texts[part]
    start, end = 0, len(text)
    if within:
        start = text.index(within[0])
        end = text.index(within[1], start) if within[1] else len(text)
    chunk = text[start:end]
    assert old in chunk, f"{old!r} not in {part}"
    text = text[:start] + chunk.replace(old, new, count) + text[end:]
    return variant(inp, texts={**inp.texts, part: text})


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def run(inp: CheckInput, rule: str) -> list[Finding]:
    return run_checks(inp, only=[rule])


def line_of(name: str, pattern: str) -> int:
    for i, line in enumerate((SAMPLE / name).read_text(encoding="utf-8").splitlines(), 1):
        if re.search(pattern, line):
            return i
    raise AssertionError(pattern)


# --- the sample passes every rule ------------------------------------------------------------------------------


def test_sample_has_no_fatal_and_only_the_known_warnings(base: CheckInput) -> None:
    findings = run_checks(base)
    assert not has_fatal(findings)
    assert [(f.rule, f.severity) for f in findings if f.severity is not Severity.info] == [
        ("responsiveness.negative_deviation", Severity.warning),  # T-07 is answered 负偏离 on purpose
    ]


def test_every_rule_has_an_id_in_its_family() -> None:
    families = {spec.family for spec in RULES.values()}
    assert families == {"price", "responsiveness", "completeness", "dates", "identity", "seals", "hygiene"}
    assert all(re.fullmatch(r"[a-z]+\.[a-z_]+", rid) for rid in RULES)


def test_findings_never_quote_prices(base: CheckInput) -> None:
    bad = with_data(base, "tender", control_price=Decimal("1000000.00"))
    bad = with_text(bad, "itemised_prices", "| 91,200.00 |", "| 91,300.00 |")
    text = " ".join(f"{f.location} {f.message} {f.advice}" for f in run_checks(bad))
    assert "4,307,050.60" not in text and "4307050.6" not in text and "91,200" not in text


# --- price -----------------------------------------------------------------------------------------------------


def test_price_readable(base: CheckInput) -> None:
    assert run(base, "price.readable") == []
    locked = variant(base, data=base.data.model_copy(update={"pricing": None}),
                     prices_note="give BIDKIT_PRICE_PASSPHRASE")
    [f] = run(locked, "price.readable")
    assert f.severity is Severity.info and "BIDKIT_PRICE_PASSPHRASE" in f.message
    # without prices no other price rule says anything
    assert [f.rule for f in run_checks(locked, only=["price"])] == ["price.readable"]


def test_price_unit_price(base: CheckInput) -> None:
    assert run(base, "price.unit_price") == []
    assert base.data.pricing is not None
    lines = list(base.data.pricing.lines)
    lines[1] = lines[1].model_copy(update={"unit_price": Decimal("0")})
    lines[2] = lines[2].model_copy(update={"unit_price": Decimal("0"), "note": "赠送"})
    lines[3] = lines[3].model_copy(update={"unit_price": Decimal("-5.00")})
    del lines[4]
    bad = with_data(base, "pricing", lines=lines)
    found = {(f.location, f.severity) for f in run(bad, "price.unit_price")}
    assert found == {
        ("pricing.enc lines.1.unit_price (B02)", Severity.fatal),
        ("pricing.enc lines.3.unit_price (B04)", Severity.fatal),
        (f"solution.yaml:{line_of('solution.yaml', 'id: B05')} bom.4", Severity.fatal),
    }


def test_price_line_total(base: CheckInput) -> None:
    assert run(base, "price.line_total") == []
    bad = with_text(base, "itemised_prices", "| 91,200.00 |", "| 91,300.00 |")
    [f] = run(bad, "price.line_total")
    assert (f.severity, f.location) == (Severity.fatal, "分项报价表（报价文件） 第 2 行")
    # consistent within the row, but not what the prices say: the template printed another line's figures
    swapped = with_text(base, "itemised_prices", "| 2,280.00 | 91,200.00 |", "| 2,290.00 | 91,600.00 |")
    [g] = run(swapped, "price.line_total")
    assert "与报价数据不一致" in g.message


def test_price_itemised_sum(base: CheckInput) -> None:
    assert run(base, "price.itemised_sum") == []
    bad = with_text(base, "itemised_prices", "| 91,200.00 |", "| 91,300.00 |")
    [f] = run(bad, "price.itemised_sum")
    assert f.location == "分项报价表（报价文件）" and "之和" in f.message
    row = re.search(r"\n2 \| 800万.*", base.texts["itemised_prices"]).group(0)  # type: ignore[index, union-attr]
    missing_row = with_text(base, "itemised_prices", row, "")
    assert any("行" in f.message and "报价数据有 40 行" in f.message for f in run(missing_row, "price.itemised_sum"))


def test_price_control_price(base: CheckInput) -> None:
    assert run(base, "price.control_price") == []
    bad = with_data(base, "tender", control_price=Decimal("4000000.00"))
    [f] = run(bad, "price.control_price")
    assert (f.severity, f.location) == (Severity.fatal, f"tender.yaml:{line_of('tender.yaml', '^control_price')} "
                                                        "control_price")


def test_price_above_the_budget_amount(base: CheckInput) -> None:
    """预算金额: a bid above the published budget is invalid too, when there is no lower control price."""
    bad = with_data(base, "tender", control_price=None, budget_amount=Decimal("4000000.00"))
    [f] = run(bad, "price.control_price")
    assert (f.severity, f.location) == (Severity.fatal, f"tender.yaml:{line_of('tender.yaml', '^budget_amount')} "
                                                        "budget_amount")
    assert "预算金额" in f.message


def test_price_tax_rate(base: CheckInput) -> None:
    assert run(base, "price.tax_rate") == []
    bad = with_data(base, "tender", tax_rate=Decimal("0.09"))
    locations = [f.location for f in run(bad, "price.tax_rate")]
    assert locations[0] == "pricing.enc tax_rate"
    assert "开标一览表（报价文件）" in locations  # the printed 税率 13% no longer matches either


def test_price_upper_matches_figures(base: CheckInput) -> None:
    assert run(base, "price.upper_matches_figures") == []
    bad = with_text(base, "bid_letter", "投标总价（大写）：人民币肆佰叁拾万柒仟零伍拾元陆角",
                    "投标总价（大写）：人民币肆佰叁拾万柒仟零伍拾元整")
    [f] = run(bad, "price.upper_matches_figures")
    assert (f.severity, f.location) == (Severity.fatal, "投标函（报价文件）")


def test_price_same_total_everywhere(base: CheckInput) -> None:
    assert run(base, "price.same_total_everywhere") == []
    bad = with_text(base, "opening_summary", "投标总价（小写） | ¥4,307,050.60 元",
                    "投标总价（小写） | ¥4,307,005.60 元")
    found = run(bad, "price.same_total_everywhere")
    # one finding across the chapters; the 大写 left unchanged beside it is upper_matches_figures' finding
    assert [f.location for f in found] == ["投标函（报价文件）"]
    assert "投标函、开标一览表、分项报价表" in found[0].message
    assert [f.location for f in run(bad, "price.upper_matches_figures")] == ["开标一览表（报价文件）"]
    # the tax amount printed beside the total is not taken for a total
    assert "含增值税 ¥495,501.40" in base.texts["opening_summary"]  # type: ignore[index]
    all_wrong = base
    for chapter, old in (("bid_letter", "¥4,307,050.60 元）"), ("opening_summary", "¥4,307,050.60 元"),
                         ("itemised_prices", "| 4,307,050.60 |")):
        all_wrong = with_text(all_wrong, chapter, old, old.replace("4,307,050.60", "4,307,005.60"))
    for chapter in ("bid_letter", "opening_summary", "itemised_prices"):
        all_wrong = with_text(all_wrong, chapter, "人民币肆佰叁拾万柒仟零伍拾元陆角", "人民币肆佰叁拾万柒仟零伍元陆角")
    [g] = run(all_wrong, "price.same_total_everywhere")
    assert "按报价数据计算" in g.message


def test_check_package_text_pages_and_totals(base: CheckInput) -> None:
    from bidkit.core.checks import check_package_text

    assert base.texts is not None
    chapters = {title: [(3 + i, base.texts[cid])] for i, (cid, title) in enumerate(
        [("bid_letter", "投标函"), ("opening_summary", "开标一览表"), ("itemised_prices", "分项报价表")])}
    assert check_package_text(base.data, chapters) == []
    heading = "开标一览表"
    bad = dict(chapters)
    bad[heading] = [(4, chapters[heading][0][1].replace("¥4,307,050.60", "¥4,307,050.06"))]
    found = check_package_text(base.data, bad)
    assert {(f.rule, f.location) for f in found} == {
        ("price.upper_matches_figures", "开标一览表 p.4"),
        ("price.same_total_everywhere", "投标函 p.3"),
    }
    placeholder = dict(chapters)
    placeholder[heading] = [(4, chapters[heading][0][1] + "\n{{ prices.total }}")]
    assert [f.rule for f in check_package_text(base.data, placeholder)] == ["hygiene.placeholder"]


# --- responsiveness --------------------------------------------------------------------------------------------


def test_requirement_answered(base: CheckInput) -> None:
    assert run(base, "responsiveness.requirement_answered") == []
    rows = [r for r in base.data.responses.technical if r.requirement not in ("T-01", "T-02")]
    found = run(with_data(base, "responses", technical=rows), "responsiveness.requirement_answered")
    assert [(f.severity, f.location) for f in found] == [
        (Severity.fatal, f"tender.yaml:{line_of('tender.yaml', 'id: T-01')} requirements.0"),
        (Severity.warning, f"tender.yaml:{line_of('tender.yaml', 'id: T-02')} requirements.1"),
    ]


def test_rows_still_to_answer(base: CheckInput) -> None:
    """A row import-requirements added (no response, no deviation) is a requirement not answered yet, named at
    its row."""
    rows = list(base.data.responses.technical)
    rows[0] = rows[0].model_copy(update={"response": "", "deviation": None})
    rows[1] = rows[1].model_copy(update={"deviation": None})
    found = run(with_data(base, "responses", technical=rows), "responsiveness.requirement_answered")
    assert [(f.severity, f.location) for f in found] == [
        (Severity.fatal, f"responses.yaml:{line_of('responses.yaml', 'requirement: T-01')} technical.0"),
        (Severity.warning, f"responses.yaml:{line_of('responses.yaml', 'requirement: T-02')} technical.1"),
    ]
    assert "还没有作答" in found[0].message and "T-01" in found[0].message


def test_mandatory_deviation(base: CheckInput) -> None:
    assert run(base, "responsiveness.mandatory_deviation") == []
    rows = list(base.data.responses.technical)
    rows[0] = rows[0].model_copy(update={"deviation": Deviation.deviates})
    [f] = run(with_data(base, "responses", technical=rows), "responsiveness.mandatory_deviation")
    assert f.severity is Severity.fatal
    assert re.fullmatch(r"responses\.yaml:\d+ technical\.0\.deviation", f.location)
    assert "★" in f.message and "T-01" in f.message


def test_negative_deviation_is_a_warning(base: CheckInput) -> None:
    [f] = run(base, "responsiveness.negative_deviation")
    assert f.severity is Severity.warning and "T-07" in f.message


def test_unknown_requirement(base: CheckInput) -> None:
    assert run(base, "responsiveness.unknown_requirement") == []
    rows = list(base.data.responses.technical)
    rows[3] = rows[3].model_copy(update={"requirement": "T-99"})
    rows[4] = rows[4].model_copy(update={"requirement": "C-01"})
    rows.append(rows[0])
    found = run(with_data(base, "responses", technical=rows), "responsiveness.unknown_requirement")
    assert [(f.severity, f.location.split(" ")[1]) for f in found] == [
        (Severity.fatal, "technical.3.requirement"),
        (Severity.fatal, "technical.4.requirement"),
        (Severity.warning, f"technical.{len(rows) - 1}.requirement"),
    ]


def test_bid_terms(base: CheckInput) -> None:
    assert run(base, "responsiveness.bid_terms") == []
    bad = with_data(base, "responses.bid", delivery_days=200, warranty_years=2)
    assert [f.location.split(" ")[1] for f in run(bad, "responsiveness.bid_terms")] == [
        "bid.delivery_days", "bid.warranty_years"]
    slow = with_data(base, "responses", response_time=180)  # the tender allows 2 小时
    [f] = run(slow, "responsiveness.bid_terms")
    assert f.location == f"responses.yaml:{line_of('responses.yaml', '^response_time:')} response_time"
    assert "3 小时" in f.message and "2 小时" in f.message


# --- completeness ----------------------------------------------------------------------------------------------


def test_chapter_present(base: CheckInput) -> None:
    assert run(base, "completeness.chapter_present") == []
    assert base.texts is not None
    # the book is made from the tender's list, so a chapter is there under the tender's own title
    assert base.texts["technical_deviations"].startswith("技术参数偏离表\n")
    empty = variant(base, texts={**base.texts, "construction_organisation": "施工组织设计\n"
                                 "投标人：江临智安科技有限公司（盖单位章）\n"})
    [g] = [f for f in run(empty, "completeness.chapter_present") if f.fatal]
    assert (g.location, "内容为空" in g.message) == ("施工组织设计（技术文件）", True)
    gone = variant(base, texts={k: v for k, v in base.texts.items() if k != "after_sales"})
    [f] = [f for f in run(gone, "completeness.chapter_present") if f.fatal]
    assert f.location == f"tender.yaml:{line_of('tender.yaml', 'title: 售后服务承诺')} chapters.11.title"


def test_chapter_not_checked_without_prices(base: CheckInput) -> None:
    texts = {k: v for k, v in (base.texts or {}).items()
             if k not in ("bid_letter", "opening_summary", "itemised_prices")}
    locked = variant(base, texts=texts, data=base.data.model_copy(update={"pricing": None}))
    found = run(locked, "completeness.chapter_present")
    assert not has_fatal(found) and sum("未检查" in f.message for f in found) == 3


def test_part_renders(base: CheckInput) -> None:
    assert run(base, "completeness.part_renders") == []
    bad = variant(base, render_errors={"after_sales": "templates/after_sales.docx: undefined variable 'x'"})
    [f] = run(bad, "completeness.part_renders")
    assert (f.severity, f.location) == (Severity.fatal, "售后服务承诺")


def test_attachment(base: CheckInput) -> None:
    assert run(base, "completeness.attachment") == []
    facts = dict(base.attachments or {})
    facts["attachments/iso9001.pdf"] = {"exists": True, "pdf_ok": False, "pages": 0, "problem": "encrypted"}
    facts["attachments/its_service.pdf"] = {"exists": False, "pdf_ok": False, "pages": 0, "problem": "not a file"}
    found = run(variant(base, attachments=facts), "completeness.attachment")
    assert [(f.location, f.fatal) for f in found] == [
        (f"company.yaml:{line_of('company.yaml', 'scan: attachments/iso9001.pdf')} qualifications.2.scan", True),
        (f"company.yaml:{line_of('company.yaml', 'scan: attachments/its_service.pdf')} qualifications.3.scan", True),
    ]
    assert "encrypted" in found[0].message


def test_attachment_changed_by_sealing_is_a_warning_naming_the_page(base: CheckInput) -> None:
    """A scan with active content (issue 13 item 13) or a repaired one is sealed, changed: a warning says how."""
    facts = dict(base.attachments or {})
    note = "page 1: removed a JavaScript action on opening the page, a launch action"
    facts["attachments/iso9001.pdf"] = {"exists": True, "pdf_ok": True, "pages": 1, "problem": "", "notes": [note]}
    [f] = run(variant(base, attachments=facts), "completeness.attachment")
    assert (f.location, f.fatal) == (
        f"company.yaml:{line_of('company.yaml', 'scan: attachments/iso9001.pdf')} qualifications.2.scan", False)
    assert note in f.message and "attachments/iso9001.pdf" in f.message


# --- dates -----------------------------------------------------------------------------------------------------


def _qual(inp: CheckInput, index: int, valid_until: dt.date) -> CheckInput:
    quals = list(inp.data.company.qualifications)
    quals[index] = quals[index].model_copy(update={"valid_until": valid_until})
    return with_data(inp, "company", qualifications=quals)


def test_qualification_deadline(base: CheckInput) -> None:
    assert run(base, "dates.qualification_deadline") == []
    [f] = run(_qual(base, 4, dt.date(2026, 12, 27)), "dates.qualification_deadline")
    assert (f.severity, f.location) == (
        Severity.fatal, f"company.yaml:{line_of('company.yaml', 'valid_until: 2028-01-09')} "
                        "qualifications.4.valid_until")
    assert run(_qual(base, 4, dt.date(2026, 12, 28)), "dates.qualification_deadline") == []  # valid that day


def test_qualification_validity(base: CheckInput) -> None:
    assert run(base, "dates.qualification_validity") == []
    [f] = run(_qual(base, 1, dt.date(2027, 3, 1)), "dates.qualification_validity")
    assert f.severity is Severity.warning and f.location.endswith("qualifications.1.valid_until")
    assert run(_qual(base, 1, dt.date(2027, 3, 28)), "dates.qualification_validity") == []  # deadline + 90 days


def test_authorisation(base: CheckInput) -> None:
    assert run(base, "dates.authorisation") == []
    bad = with_data(base, "responses.authorisation", date=dt.date(2026, 12, 29))
    found = run(bad, "dates.authorisation")
    assert [(f.severity, f.location.split(" ")[1]) for f in found] == [
        (Severity.fatal, "authorisation.date"), (Severity.warning, "authorisation.date")]
    short = with_data(base, "responses.authorisation", valid_until=dt.date(2027, 1, 31))
    assert [f.severity for f in run(short, "dates.authorisation")] == [Severity.warning]


def test_bid_validity_days(base: CheckInput) -> None:
    assert run(base, "dates.bid_validity_days") == []
    [f] = run(with_data(base, "responses.bid", bid_validity_days=60), "dates.bid_validity_days")
    assert f.fatal and f.location.endswith("bid.bid_validity_days") and "90" in f.message


# --- identity --------------------------------------------------------------------------------------------------


def test_identity_bidder(base: CheckInput) -> None:
    assert run(base, "identity.bidder") == []
    bad = with_text(base, "qualifications", "统一社会信用代码 | 91990100MA1JL00A07",
                    "统一社会信用代码 | 91990100MA1JL00A99")
    [f] = run(bad, "identity.bidder")
    assert (f.fatal, f.location) == (True, "资格证明文件（商务文件）") and "91990100MA1JL00A99" in f.message
    rep = with_text(base, "qualifications", "法定代表人 | 林志远", "法定代表人 | 林志达")
    assert [f.location for f in run(rep, "identity.bidder")] == ["资格证明文件（商务文件）"]
    name = with_text(base, "technical_deviations", "投标人：江临智安科技有限公司（盖单位章）",
                     "投标人：江临智安科技公司（盖单位章）")
    assert [f.location for f in run(name, "identity.bidder")] == ["技术参数偏离表（技术文件）"]


def test_identity_tender(base: CheckInput) -> None:
    assert run(base, "identity.tender") == []
    bad = with_text(base, "opening_summary", "招标编号：JLZC-2026-GK-0318", "招标编号：JLZC-2026-GK-0381")
    [f] = run(bad, "identity.tender")
    assert (f.fatal, f.location) == (True, "开标一览表（报价文件）")
    cover = with_text(base, "technical-cover", '江临市公安局“雪亮工程”视频监控扩容项目\n招标编号', "招标编号")
    cover = with_text(cover, "technical-cover", '[页眉] 江临市公安局“雪亮工程”视频监控扩容项目', "[页眉] ")
    assert [f.location for f in run(cover, "identity.tender")] == ["封面（技术文件）"]


# --- seals -----------------------------------------------------------------------------------------------------


def test_chapter_seal(base: CheckInput) -> None:
    assert run(base, "seals.chapter_seal") == []
    bad = with_text(base, "bid_letter", "投标人：江临智安科技有限公司（盖单位章）", "投标人：江临智安科技有限公司")
    [f] = run(bad, "seals.chapter_seal")
    assert (f.fatal, f.location) == (True, "投标函（报价文件）")
    placed = with_data(bad, "config.package", extra_seals=[SealPlacement(part="bid_letter", page=1)])
    assert run(placed, "seals.chapter_seal") == []


def test_chapter_signature(base: CheckInput) -> None:
    assert run(base, "seals.chapter_signature") == []
    bad = with_text(base, "authorisation_letter", "法定代表人：（签字或盖章）", "法定代表人：")
    [f] = run(bad, "seals.chapter_signature")
    assert (f.fatal, f.location) == (True, "法定代表人授权委托书（商务文件）")
    no_image = with_data(base, "company", legal_rep_seal=None, legal_rep_signature=None)
    [g] = run(no_image, "seals.chapter_signature")
    assert g.severity is Severity.warning and g.location.startswith("company.yaml")


# --- hygiene ---------------------------------------------------------------------------------------------------


def test_placeholder(base: CheckInput) -> None:
    assert run(base, "hygiene.placeholder") == []
    bad = with_text(base, "qualifications", "传　　真 | 0000-0000001", "传　　真 | {{ company.fax }}")
    [f] = run(bad, "hygiene.placeholder")
    assert (f.fatal, f.location) == (True, "资格证明文件（商务文件）")
    # the bidder's own Word chapter may hold literal braces (a 技术方案 about templates): not a placeholder
    own = variant(base, texts={**(base.texts or {}), "technical_solution": "技术方案\n配置示例 {{ host }}\n"})
    assert run(own, "hygiene.placeholder") == []


def test_empty_table(base: CheckInput) -> None:
    assert run(base, "hygiene.empty_table") == []
    text = base.texts["references"]  # type: ignore[index]
    rows = re.findall(r"\n\d \| .*", text)
    bad = base
    for row in rows:
        bad = with_text(bad, "references", row, "")
    [f] = run(bad, "hygiene.empty_table")
    assert (f.fatal, f.location) == (True, "类似项目业绩（商务文件）")


def test_internal_cost(base: CheckInput) -> None:
    assert run(base, "hygiene.internal_cost") == []
    tv = dict(base.template_vars or {})
    tv["itemised_prices"] = TemplateVars("templates/itemised_prices.docx",
                                         frozenset({"prices.total", "ln.unit_cost"}))
    tv["bom"] = TemplateVars("templates/bom.docx", frozenset({"internal_cost.lines"}))
    found = run(variant(base, template_vars=tv), "hygiene.internal_cost")
    assert sorted((f.location, f.fatal) for f in found) == [
        ("templates/bom.docx", True), ("templates/itemised_prices.docx", True)]


def test_bundled_templates_use_no_cost_names(base: CheckInput) -> None:
    names = set().union(*(tv.names for tv in (base.template_vars or {}).values()))
    assert "prices.total" in names and "company.credit_code" in names
    assert not {n for n in names if "cost" in n or "budget" in n}

