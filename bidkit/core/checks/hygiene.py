"""Hygiene: no template placeholder left in the rendered text, no empty table in a required chapter, no internal
cost field reachable from a bid template."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.checks.chapters import locate
from bidkit.core.checks.text import Chapter, mask, numbered_tables

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")

# names that belong to the internal cost sheet or the customer's budget: never in a bid template
COST_NAMES = frozenset({
    "internal_cost", "cost", "costs", "unit_cost", "cost_lines", "margin", "margins", "profit", "supplier",
    "suppliers", "quote_ref", "labour", "overhead", "overhead_rate", "budget", "budget_upper",
})


def placeholder_findings(ch: Chapter) -> list[Finding]:
    for line in ch.lines:
        m = _PLACEHOLDER.search(line)
        if m:
            # masked: the line may be a price line (a stray {# in a price note sits beside the unit prices)
            snippet = mask(line[max(0, m.start() - 10): m.end() + 20].strip())
            return [Finding("hygiene.placeholder", Severity.fatal, ch.where(line),
                            f"文中残留模板占位符“{snippet}”。A template placeholder was left in the text.",
                            "检查模板中该处的 {{ }} / {% %} 是否写错（如被拆成多段格式）。")]
    return []


@rule("hygiene.placeholder", "no {{ }}, {% %} or {# #} left in the text bidkit filled")
def placeholder(inp: CheckInput) -> Iterator[Finding]:
    for volume in inp.volumes():
        for ch in inp.chapters(volume):
            if ch.filled:  # a bidder's own file converted as it is may hold literal braces (a 技术方案 on Jinja)
                yield from placeholder_findings(ch)


@rule("hygiene.empty_table", "no numbered table without rows in a chapter the tender requires")
def empty_table(inp: CheckInput) -> Iterator[Finding]:
    if not inp.texts:
        return
    for chapter in inp.data.tender.chapters:
        found, _ = locate(inp, chapter)
        if found is None:
            continue
        for table in numbered_tables(found.lines):
            if not table.rows:
                yield Finding("hygiene.empty_table", Severity.fatal, found.where(table.line),
                              f"“{chapter.title}”中的表格没有任何数据行。A table in {chapter.id} is empty.",
                              "补充该表的数据（如 responses.yaml、solution.yaml），或从模板中删除该表。")


def cost_names(names: frozenset[str]) -> list[str]:
    return sorted(n for n in names if any(seg.strip("[]") in COST_NAMES for seg in n.split(".")))


@rule("hygiene.internal_cost", "no bid template refers to internal cost, margins, suppliers or the budget")
def internal_cost(inp: CheckInput) -> Iterator[Finding]:
    for part, tv in (inp.template_vars or {}).items():
        bad = cost_names(tv.names)
        if bad:
            yield Finding("hygiene.internal_cost", Severity.fatal, tv.display,
                          f"投标模板（{part}）引用了内部成本或预算字段：{', '.join(bad)}。内部成本绝不能进入标书。"
                          f"A bid template refers to internal cost fields.",
                          "从模板中删除这些字段；内部成本只在内部成本表中使用。")
