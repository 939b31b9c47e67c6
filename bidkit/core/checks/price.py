"""Price rules. Evaluators correct discrepancies by fixed rules (开标一览表 over the itemised table, 大写 over
figures, unit price × quantity over a line total) and a correction can cost the bid, so none may exist.

Messages name rows and chapters, never amounts: a check report may travel further than the prices may.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal

from bidkit.core.checks import CheckInput, Finding, Severity, rule, sort_findings
from bidkit.core.checks.chapters import price_chapter, price_chapters
from bidkit.core.checks.text import Chapter, column, find_totals, masked_excerpt, numbered_tables, parse_amount, squeeze
from bidkit.core.models import BidData
from bidkit.core.money import line_total, parse_upper
from bidkit.core.pricing import PriceSummary, summarise

TITLES = {"bid_letter": "投标函", "opening_summary": "开标一览表", "itemised_prices": "分项报价表"}
PRICES = "pricing.enc"


def _summary(data: BidData) -> PriceSummary | None:
    if data.pricing is None:
        return None
    return summarise(data.solution, data.pricing, tax_included=data.tender.tax_included)


@rule("price.readable", "prices readable, so that the price rules run")
def readable(inp: CheckInput) -> Iterator[Finding]:
    if inp.data.pricing is None:
        why = f" ({inp.prices_note})" if inp.prices_note else ""
        yield Finding(
            "price.readable", Severity.info, PRICES,
            f"价格规则未运行：无法读取报价{why}。Price rules skipped: prices not readable.",
            "设置 BIDKIT_PRICE_PASSPHRASE（价格口令）并在质量审核通过后再运行 bidkit check。"
            " Give BIDKIT_PRICE_PASSPHRASE once the QA approval is in place.",
        )


@rule("price.unit_price", "every BOM line priced; no zero unit price without a note, no negative one")
def unit_price(inp: CheckInput) -> Iterator[Finding]:
    pricing = inp.data.pricing
    if pricing is None:
        return
    priced = {p.item for p in pricing.lines}
    for i, bom in enumerate(inp.data.solution.bom):
        if bom.id not in priced:
            yield Finding(
                "price.unit_price", Severity.fatal, inp.where("solution", "bom", i),
                f"设备清单第 {i + 1} 行（{bom.id} {bom.name}）没有报价（漏项）。BOM line {bom.id} has no price.",
                "在报价中为该行填写单价（bidkit price set），或从设备清单中删除该行。",
            )
    for i, line in enumerate(pricing.lines):
        loc = f"{PRICES} lines.{i}.unit_price ({line.item})"
        if line.unit_price < 0:
            yield Finding("price.unit_price", Severity.fatal, loc,
                          f"{line.item} 的单价为负数。Unit price of {line.item} is negative.",
                          "改为正确的单价；优惠应体现在单价中，而不是负数行。")
        elif line.unit_price == 0 and not line.note.strip():
            yield Finding("price.unit_price", Severity.fatal, loc,
                          f"{line.item} 的单价为零且没有说明。Zero unit price of {line.item} without a note.",
                          "填写单价，或在 note 中写明原因（如“赠送”“已含在某项中”）。")


def _itemised(inp: CheckInput) -> Chapter | None:
    """The chapter with the itemised price table: the 分项报价表 form, else a price chapter holding such a table."""
    if not inp.texts:
        return None
    form = price_chapter(inp, "itemised_prices")
    if form is not None:
        return form
    return next((ch for ch in price_chapters(inp) if _price_rows(ch)[0]), None)


def _price_rows(ch: Chapter) -> tuple[list[tuple[int, Decimal | None, Decimal | None, Decimal | None]], int | None]:
    """(row number, qty, unit price, line total) of the itemised table, and the index of the total column."""
    for table in numbered_tables(ch.lines):
        q = column(table.header, "数量")
        u = column(table.header, "单价", "单价(元)", "含税单价")
        t = column(table.header, "合价", "合价(元)", "金额", "总价", "小计")
        if q is None or u is None or t is None:
            continue
        rows = []
        for c in table.rows:
            q_, u_, t_ = (parse_amount(c[k]) if k < len(c) else None for k in (q, u, t))
            rows.append((int(c[0]), q_, u_, t_))
        return rows, t
    return [], None


@rule("price.line_total", "every line of 分项报价表 = quantity × unit price, and what the data computes")
def line_totals(inp: CheckInput) -> Iterator[Finding]:
    summary = _summary(inp.data)
    ch = _itemised(inp)
    if summary is None or ch is None:
        return
    rows, _ = _price_rows(ch)
    for no, qty, unit, total in rows:
        where = f"{ch.where()} 第 {no} 行"
        if qty is None or unit is None or total is None:
            yield Finding("price.line_total", Severity.fatal, where,
                          f"分项报价表第 {no} 行的数量、单价或合价不是数字。Row {no}: quantity/price unreadable.",
                          "检查报价模板中该表的列（数量、单价、合价）。")
            continue
        if line_total(qty, unit) != total:
            yield Finding("price.line_total", Severity.fatal, where,
                          f"分项报价表第 {no} 行：合价不等于单价 × 数量。Row {no}: line total ≠ qty × unit price.",
                          "评标时以单价为准修正合价；检查报价模板打印的字段。")
        elif no <= len(summary.lines) and summary.lines[no - 1].total != total:
            bom = summary.lines[no - 1].bom
            yield Finding("price.line_total", Severity.fatal, where,
                          f"分项报价表第 {no} 行（{bom.id}）与报价数据不一致。Row {no} differs from the price data.",
                          "检查报价模板是否打印了错误的字段或行顺序。")


@rule("price.itemised_sum", "the rows of 分项报价表 add up to its total, and every priced line is listed")
def itemised_sum(inp: CheckInput) -> Iterator[Finding]:
    summary = _summary(inp.data)
    ch = _itemised(inp)
    if summary is None or ch is None:
        return
    rows, _ = _price_rows(ch)
    if len(rows) != len(summary.lines):
        yield Finding("price.itemised_sum", Severity.fatal, ch.where(),
                      f"分项报价表有 {len(rows)} 行，报价数据有 {len(summary.lines)} 行。"
                      f"The itemised table lists {len(rows)} rows, the prices {len(summary.lines)}.",
                      "分项报价表须逐项列出全部报价行；检查报价模板的循环。")
    printed = sum((t for _, _, _, t in rows if t is not None), Decimal(0))
    totals = find_totals(ch.text).figures
    # with prices quoted before VAT the printed total adds the tax; the rows then add up to the subtotal
    wanted = totals[0] if totals and summary.tax_included else summary.subtotal
    if rows and printed != wanted:
        yield Finding("price.itemised_sum", Severity.fatal, ch.where(),
                      "分项报价表各行合价之和不等于合计金额。The rows do not add up to the total.",
                      "评标时以分项报价修正总价；检查报价模板的合计字段。")


@rule("price.control_price", "bid total ≤ the tender's control price (最高限价) and budget (预算金额)")
def control_price(inp: CheckInput) -> Iterator[Finding]:
    summary = _summary(inp.data)
    if summary is None:
        return
    t = inp.data.tender
    if t.control_price is not None and summary.total > t.control_price:
        yield Finding("price.control_price", Severity.fatal, inp.where("tender", "control_price"),
                      "投标总价超过招标文件的最高限价，投标将被否决。The bid total exceeds the control price.",
                      "降低报价，使投标总价不超过最高限价。")
    elif t.budget_amount is not None and summary.total > t.budget_amount:
        yield Finding("price.control_price", Severity.fatal, inp.where("tender", "budget_amount"),
                      "投标总价超过采购预算金额，投标无效（政府采购货物和服务招标投标管理办法 第六十三条）。"
                      "The bid total exceeds the procurement budget.",
                      "降低报价，使投标总价不超过预算金额。")


@rule("price.tax_rate", "the VAT rate of the prices is the tender's, also where the price part prints it")
def tax_rate(inp: CheckInput) -> Iterator[Finding]:
    pricing = inp.data.pricing
    wanted = inp.data.tender.tax_rate
    if pricing is None or wanted is None:
        return
    if pricing.tax_rate != wanted:
        yield Finding("price.tax_rate", Severity.fatal, f"{PRICES} tax_rate",
                      f"报价税率与招标文件规定的 {_pct(wanted)} 不一致。The VAT rate differs from the tender's.",
                      f"按招标文件的税率 {_pct(wanted)} 报价（bidkit price import 时指定税率）。")
    for ch in price_chapters(inp):
        for pct in _printed_rates(ch.text):
            if pct != wanted:
                yield Finding("price.tax_rate", Severity.fatal, ch.where(),
                              f"{ch.heading}中写明的税率与招标文件的 {_pct(wanted)} 不一致。"
                              "A printed VAT rate differs from the tender's.",
                              "检查报价模板中的税率文字。")
                break


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _printed_rates(text: str) -> list[Decimal]:
    import re

    return [Decimal(m.group(1)) / 100 for m in re.finditer(r"税率(\d{1,2}(?:\.\d+)?)%", squeeze(text))]


# --- totals: in the rendered parts and in the final PDF --------------------------------------------------------


def total_findings(chapters: list[Chapter], expected: Decimal | None, itemised: str = "") -> list[Finding]:
    """大写 = figures within each price chapter, one total across them (and ``expected``); a chapter whose
    total cannot be found is a warning that quotes the searched paragraph masked, never a fatal."""
    out: list[Finding] = []
    seen: dict[str, Decimal] = {}
    by_id = {ch.id or ch.heading: ch for ch in chapters}
    for key, ch in by_id.items():
        title = ch.heading or key
        totals = find_totals(ch.text)
        if not totals.figures and not totals.uppers:
            out.append(Finding("price.same_total_everywhere", Severity.warning, ch.where(),
                               f"在“{title}”中找不到投标总价（已查找：“{masked_excerpt(ch.text)}”）。"
                               f"No bid total found in {title}; the total rules did not check it.",
                               "确认该章按招标文件的格式写明了投标总价的大写和小写金额。"))
            continue
        for upper in totals.uppers:
            value = parse_upper(upper)
            if value is None or value not in totals.figures:
                out.append(Finding("price.upper_matches_figures", Severity.fatal, ch.where(upper),
                                   f"{title}中大写金额与小写金额不一致。In {title} the amount in words differs "
                                   "from the figures.",
                                   "评标时以大写金额为准；检查模板打印的大写字段（应为 prices.total_upper）。"))
                break
        # an amount in words that differs from its figures is upper_matches_figures' finding, not a second total
        uppers = {v for u in totals.uppers if (v := parse_upper(u)) is not None}
        values = sorted(set(totals.figures) or uppers)
        if len(values) > 1:
            out.append(Finding("price.same_total_everywhere", Severity.fatal, ch.where(),
                               f"{title}中出现了不同的投标总价。{title} prints different totals.",
                               "一份投标文件只能有一个投标总价；检查模板。"))
        if values:
            seen[key] = (totals.figures or values)[0]
    distinct = set(seen.values())
    if len(distinct) > 1:
        names = "、".join(by_id[k].heading or k for k in seen)
        first = next(iter(seen))
        out.append(Finding("price.same_total_everywhere", Severity.fatal, by_id[first].where(),
                           f"{names}中的投标总价不一致。The bid total differs between {names}.",
                           "开标一览表优先于分项报价表，评标会修正总价；各处须完全一致。"))
    elif distinct and expected is not None and distinct != {expected}:
        first = next(iter(seen))
        out.append(Finding("price.same_total_everywhere", Severity.fatal, by_id[first].where(),
                           "打印的投标总价与按报价数据计算的总价不一致。The printed total is not the computed one.",
                           "检查报价模板打印的字段（应为 prices.total）。"))
    return out


def _price_text_findings(inp: CheckInput) -> list[Finding]:
    summary = _summary(inp.data)
    if summary is None or not inp.texts:
        return []
    return total_findings(price_chapters(inp), summary.total)


@rule("price.upper_matches_figures", "the total in 大写 equals the total in figures in each price chapter")
def upper_matches_figures(inp: CheckInput) -> Iterator[Finding]:
    yield from (f for f in _price_text_findings(inp) if f.rule == "price.upper_matches_figures")


@rule("price.same_total_everywhere", "one total in 投标函, 开标一览表 and 分项报价表, the computed one")
def same_total(inp: CheckInput) -> Iterator[Finding]:
    yield from (f for f in _price_text_findings(inp) if f.rule == "price.same_total_everywhere")


def _pages(value: str | Sequence[str] | Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    if isinstance(value, str):
        return [(0, value)]
    pages: list[tuple[int, str]] = []
    for i, item in enumerate(value, 1):
        pages.append(item if isinstance(item, tuple) else (i, item))
    return pages


def check_package_text(
    data: BidData, pdf_text_by_chapter: Mapping[str, str | Sequence[str] | Sequence[tuple[int, str]]]
) -> list[Finding]:
    """The price rules on a final PDF's text: the totals printed in the price chapters of the book.

    ``pdf_text_by_chapter`` maps a bookmark title (the tender's chapter title) to its text: one string, a list of
    page texts, or a list of ``(page number, text)``. Also looks for template placeholders left in any chapter
    bidkit filled.
    """
    from bidkit.core.book import plan
    from bidkit.core.checks.hygiene import placeholder_findings

    book = plan(data)
    chapters: list[Chapter] = []
    out: list[Finding] = []
    for pc in book.chapters():
        if not pc.priced:
            continue
        value = pdf_text_by_chapter.get(pc.title)
        if value is None:
            out.append(Finding("price.same_total_everywhere", Severity.fatal, "package",
                               f"标书中找不到“{pc.title}”。{pc.id} not found in the package.",
                               "检查标书的章节书签与报价部分。"))
            continue
        chapters.append(Chapter("package", pc.title, _pages(value), id=pc.id))
    summary = _summary(data)
    out += total_findings(chapters, summary.total if summary else None)
    own = {pc.title for pc in book.chapters() if pc.kind == "file" and not pc.fill}
    for heading, value in pdf_text_by_chapter.items():
        if heading not in own:
            out += placeholder_findings(Chapter("package", heading, _pages(value)))
    return sort_findings(out)
