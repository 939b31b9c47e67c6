"""The check report as a plain-language HTML page a manager can read (pure: findings in, HTML text out)."""

from __future__ import annotations

import datetime as dt

import jinja2

from bidkit.core.checks import RULES, Finding, Severity, counts
from bidkit.core.models import BidData

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>投标文件检查报告 — {{ project }}</title>
<style>
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans CJK SC", "Noto Serif CJK SC", sans-serif; font-size: 10.5pt; color: #222;
       max-width: 60em; margin: 0 auto; line-height: 1.5; }
h1 { font-size: 17pt; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.verdict { padding: 0.6em 1em; border-radius: 4px; font-weight: bold; font-size: 12pt; }
.verdict.bad { background: #fde2e1; color: #8a1c14; }
.verdict.ok { background: #e3f4e1; color: #1d5e20; }
h2 { font-size: 13pt; border-bottom: 2px solid #ccc; padding-bottom: 0.2em; margin-top: 1.4em; }
h2.fatal { border-color: #c0392b; } h2.warning { border-color: #e0a800; } h2.info { border-color: #7f8c8d; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ccc; padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f3f3f3; font-weight: normal; }
.rule { font-family: monospace; font-size: 8.5pt; color: #555; }
.where { font-size: 9pt; color: #333; word-break: break-all; }
.advice { color: #1d4f91; }
.summary td { border: none; padding: 0 1.2em 0 0; }
</style></head><body>
<h1>投标文件检查报告</h1>
<p class="meta">{{ project }}（招标编号 {{ number }}）· 投标人 {{ bidder }}
 · 投标截止 {{ deadline }} · 检查时间 {{ now }}</p>
{% if n.fatal %}
<p class="verdict bad">发现 {{ n.fatal }} 个致命问题：按现状递交将被判为废标，必须先改正。</p>
{% else %}
<p class="verdict ok">没有发现导致废标的问题{% if n.warning %}；有 {{ n.warning }} 个警告请确认{% endif %}。</p>
{% endif %}
<table class="summary"><tr><td>致命 {{ n.fatal }}</td><td>警告 {{ n.warning }}</td><td>提示 {{ n.info }}</td>
<td>共检查 {{ rule_count }} 条规则</td></tr></table>
{% for sev, title, items in groups %}{% if items %}
<h2 class="{{ sev }}">{{ title }}（{{ items|length }}）</h2>
<table><tr><th style="width:32%">问题</th><th style="width:22%">位置</th><th>怎么办</th></tr>
{% for f in items %}<tr><td>{{ f.message }}<div class="rule">{{ f.rule }}</div></td>
<td class="where">{{ f.location }}</td><td class="advice">{{ f.advice }}</td></tr>
{% endfor %}</table>
{% endif %}{% endfor %}
<p class="meta">致命：会导致投标无效（废标），bidkit assemble 拒绝封标。
警告：可能失分或有风险，请确认。提示：未检查的项目或说明。</p>
</body></html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_html(findings: list[Finding], data: BidData, now: dt.datetime | None = None) -> str:
    groups = [
        (s.value, {"fatal": "致命问题（必须改正）", "warning": "警告（请确认）", "info": "提示"}[s.value],
         [f for f in findings if f.severity is s])
        for s in Severity
    ]
    t = data.tender
    return _ENV.from_string(_PAGE).render(
        project=t.project_name, number=t.number, bidder=data.company.name,
        deadline=f"{t.deadline:%Y-%m-%d %H:%M}", now=f"{(now or dt.datetime.now()):%Y-%m-%d %H:%M}",
        n=counts(findings), groups=groups, rule_count=len(RULES),
    )
