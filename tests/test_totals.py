"""The price rules read the totals in the wordings tenders prescribe, not only the bundled forms' (issue 12 item 6):
the right total gives no finding, a wrong 大写 a fatal one, and a chapter with no total a warning that quotes the
searched text masked — never a false fatal, never an amount."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from bidkit.core.checks import Severity
from bidkit.core.checks.price import total_findings
from bidkit.core.checks.text import Chapter, find_totals, masked_excerpt
from bidkit.core.money import parse_upper, rmb_upper

TOTAL = Decimal("3200000.00")
WORDINGS = [
    "我方愿以人民币（大写）{upper}（¥{figure}）的投标总价，按招标文件的要求完成本项目。",
    "投标总价：人民币（大写）{upper}（小写：¥{figure}元）",
    "我方的投标报价为大写{upper}，小写{plain}元。",
    "投标总价（大写）：人民币{upper}（小写：¥{figure} 元），含增值税。",
]


def _chapter(text: str) -> Chapter:
    return Chapter("price", "投标函", [(0, text)], id="bid_letter", part_title="报价文件")


@pytest.mark.parametrize("wording", WORDINGS)
def test_each_wording_with_the_right_total(wording: str) -> None:
    text = wording.format(upper=rmb_upper(TOTAL), figure=f"{TOTAL:,}", plain=f"{TOTAL}")
    assert find_totals(text).figures == [TOTAL]
    assert [parse_upper(u) for u in find_totals(text).uppers] == [TOTAL]
    assert total_findings([_chapter(text)], TOTAL) == []


@pytest.mark.parametrize("wording", WORDINGS)
def test_each_wording_with_a_wrong_upper_is_fatal(wording: str) -> None:
    text = wording.format(upper=rmb_upper(Decimal("3020000.00")), figure=f"{TOTAL:,}", plain=f"{TOTAL}")
    rules = {(f.rule, f.severity) for f in total_findings([_chapter(text)], TOTAL)}
    assert ("price.upper_matches_figures", Severity.fatal) in rules


def test_a_bond_and_the_tax_are_not_totals() -> None:
    text = ("投标总价（大写）：人民币叁佰贰拾万元整（小写：¥3,200,000.00 元），含增值税。\n"
            "我方已提交投标保证金，金额为人民币捌万元整（¥80,000.00 元）。\n"
            "报价说明 | 分项单价含税；投标总价含增值税 ¥368,141.59 元（税率 13%）")
    totals = find_totals(text)
    assert totals.figures == [TOTAL] and totals.uppers == ["叁佰贰拾万元整"]


def test_no_total_found_is_a_masked_warning() -> None:
    text = "致：江临市公安局\n我方按附件报价，总金额详见开标一览表，共计 3,200,000.00 美元。"
    [f] = total_findings([_chapter(text.replace("共计", "约"))], TOTAL)
    assert f.severity is Severity.warning and f.rule == "price.same_total_everywhere"
    assert not re.search(r"\d", f.message)  # the quote is there, masked: never an amount
    assert "#" in f.message and len(masked_excerpt(text)) <= 80


def test_parse_upper_reads_what_rmb_upper_writes() -> None:
    for value in ("0.05", "16", "325.04", "100010", "1680.32", "107000.53", "1000000.01", "100000000",
                  "4307050.60"):
        assert parse_upper(rmb_upper(Decimal(value))) == Decimal(value)
    assert parse_upper("叁佰贰拾万元") == TOTAL  # without 整, as some formats write it
    assert parse_upper("人民币叁佰贰拾万元整") == TOTAL
    assert parse_upper("叁佰贰拾万") is None  # no 元: not an amount
    assert parse_upper("叁叁元整") is None


# pdftotext's text of a sealed package's tables: each cell a paragraph between blank lines, the tax amount in
# the cell beside the total and broken over lines (as the sample's 开标一览表 and 分项报价表 come out)
PDF_CELLS = [
    "投标人名称\n\n江临智安科技有限公司\n\n投标总价（小写）\n\n¥{figure} 元\n\n投标总价（大写）\n\n人民币{upper}\n\n"
    "报价说明\n\n分项单价含税；投标总价含增值税 ¥368,141.59 元（税率 13%）\n",
    "安装调试\n\n项\n\n1\n\n含增值税\n合计（投标总价）\n\n{figure}\n\n368,141.5\n9（税率\n13%）\n\n"
    "合计金额（大写）：人民币{upper}\n",
]


@pytest.mark.parametrize("layout", PDF_CELLS)
def test_a_package_pdf_table_layout(layout: str) -> None:
    text = layout.format(upper=rmb_upper(TOTAL), figure=f"{TOTAL:,}")
    assert find_totals(text).figures == [TOTAL]  # the tax beside the total is not a second total
    assert total_findings([_chapter(text)], TOTAL) == []


def test_literal_amounts_in_a_price_template_are_found_and_masked() -> None:
    from bidkit.core.checks.text import literal_amounts

    template = ("投标总价：人民币（大写）{{ prices.total_upper }}（小写：¥{{ prices.total }}元）\n"
                "{% if prices.note %}{{ prices.note }}{% endif %}\n"
                "投标有效期 90 日历天，税率 13%，2026年12月20日\n"
                "另加运费 1,500.00 元\n"
                "{# 旧价 3,200,000.00 #}总价叁佰贰拾万元整\n")
    assert literal_amounts(template) == ["另加运费 #,###.## 元", "总价×××××元整"]
