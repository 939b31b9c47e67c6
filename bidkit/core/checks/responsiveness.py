"""Responsiveness: every requirement answered, no ★ requirement answered with 负偏离, no stray answers."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.core.checks import CheckInput, Finding, Severity, rule
from bidkit.core.models import Deviation
from bidkit.core.models.base import format_duration

TABLES = {"technical": "技术偏离表", "commercial": "商务偏离表"}


def _rows(inp: CheckInput) -> Iterator[tuple[str, int, str, Deviation | None]]:
    for table in TABLES:
        for i, row in enumerate(getattr(inp.data.responses, table)):
            yield table, i, row.requirement, row.deviation


def _unanswered(inp: CheckInput) -> dict[tuple[str, str], int]:
    """Rows still to answer (no response or no deviation): (table, requirement) → row index."""
    out: dict[tuple[str, str], int] = {}
    for table in TABLES:
        for i, row in enumerate(getattr(inp.data.responses, table)):
            if not row.response.strip() or row.deviation is None:
                out.setdefault((table, row.requirement), i)
    return out


@rule("responsiveness.requirement_answered", "every tender requirement has a row in its deviation table")
def requirement_answered(inp: CheckInput) -> Iterator[Finding]:
    pending = _unanswered(inp)
    answered = {(table, req) for table, i, req, _ in _rows(inp) if (table, req) not in pending}
    for i, req in enumerate(inp.data.tender.requirements):
        table = req.kind.value
        if (table, req.id) in answered:
            continue
        star = "★" if req.mandatory else ""
        severity = Severity.fatal if req.mandatory else Severity.warning
        row = pending.get((table, req.id))
        if row is not None:
            yield Finding(
                "responsiveness.requirement_answered", severity, inp.where("responses", table, row),
                f"{star}条款 {req.clause or req.id}（{req.id}）在{TABLES[table]}中还没有作答。"
                f"Requirement {req.id} is still to answer (response and deviation empty).",
                f"在 responses.yaml 的 {table} 中为 {req.id} 填写 response（响应内容）和 deviation"
                "（无偏离/正偏离/负偏离）。",
            )
            continue
        yield Finding(
            "responsiveness.requirement_answered",
            severity,
            inp.where("tender", "requirements", i),
            f"{star}条款 {req.clause or req.id}（{req.id}）在{TABLES[table]}中没有响应。"
            f"Requirement {req.id} has no response row.",
            f"在 responses.yaml 的 {table} 中加一行 requirement: {req.id}，写明响应与偏离情况。",
        )


@rule("responsiveness.mandatory_deviation", "no ★ requirement answered with 负偏离 (an invalid bid)")
def mandatory_deviation(inp: CheckInput) -> Iterator[Finding]:
    reqs = {r.id: r for r in inp.data.tender.requirements}
    for table, i, req_id, deviation in _rows(inp):
        req = reqs.get(req_id)
        if req is not None and req.mandatory and deviation is Deviation.deviates:
            yield Finding(
                "responsiveness.mandatory_deviation", Severity.fatal,
                inp.where("responses", table, i, "deviation"),
                f"★实质性条款 {req.clause or req.id}（{req.id}）响应为负偏离，投标将被否决。"
                f"Mandatory requirement {req.id} answered with a negative deviation.",
                "★条款不允许负偏离：更换满足要求的产品或方案，使响应为无偏离或正偏离。",
            )


@rule("responsiveness.negative_deviation", "负偏离 on an ordinary requirement (points lost)")
def negative_deviation(inp: CheckInput) -> Iterator[Finding]:
    reqs = {r.id: r for r in inp.data.tender.requirements}
    for table, i, req_id, deviation in _rows(inp):
        req = reqs.get(req_id)
        if req is not None and not req.mandatory and deviation is Deviation.deviates:
            yield Finding(
                "responsiveness.negative_deviation", Severity.warning,
                inp.where("responses", table, i, "deviation"),
                f"条款 {req.clause or req.id}（{req.id}）响应为负偏离，评分时会扣分。"
                f"Requirement {req.id} answered with a negative deviation (points lost).",
                "确认无法满足后在说明中写明原因；能满足则改为无偏离。",
            )


@rule("responsiveness.unknown_requirement", "no response row answers a requirement the tender does not have")
def unknown_requirement(inp: CheckInput) -> Iterator[Finding]:
    reqs = {r.id: r.kind.value for r in inp.data.tender.requirements}
    seen: set[tuple[str, str]] = set()
    for table, i, req_id, _ in _rows(inp):
        where = inp.where("responses", table, i, "requirement")
        if req_id not in reqs:
            yield Finding("responsiveness.unknown_requirement", Severity.fatal, where,
                          f"响应行引用了招标文件中不存在的条款 {req_id}。Response to unknown requirement {req_id}.",
                          "改正条款编号，或先在 tender.yaml 中补充该条款。")
        elif reqs[req_id] != table:
            yield Finding("responsiveness.unknown_requirement", Severity.fatal, where,
                          f"条款 {req_id} 是{TABLES[reqs[req_id]]}条款，却写在{TABLES[table]}中。"
                          f"Requirement {req_id} answered in the wrong table.",
                          f"把该行移到 responses.yaml 的 {reqs[req_id]} 中。")
        elif (table, req_id) in seen:
            yield Finding("responsiveness.unknown_requirement", Severity.warning, where,
                          f"条款 {req_id} 被响应了两次。Requirement {req_id} answered twice.",
                          "删除重复的响应行，只保留一行。")
        seen.add((table, req_id))


@rule("responsiveness.bid_terms", "工期 and 售后响应时间 within, 质保期 at least what the tender asks")
def bid_terms(inp: CheckInput) -> Iterator[Finding]:
    t, b, r = inp.data.tender, inp.data.responses.bid, inp.data.responses
    if t.response_time is not None and r.response_minutes > t.response_time:
        field = "response_time" if r.response_time is not None else "response_time_hours"
        where = inp.where("responses", field) if field in r.model_fields_set else "responses.yaml response_time"
        wanted = format_duration(t.response_time)
        yield Finding("responsiveness.bid_terms", Severity.fatal, where,
                      f"承诺的售后响应时间 {r.response_time_text} 长于招标文件要求的 {wanted}。"
                      "The promised response time is longer than the tender allows.",
                      f"在 responses.yaml 中写 response_time: {wanted}（或更短）。")
    if t.delivery_days is not None and b.delivery_days > t.delivery_days:
        yield Finding("responsiveness.bid_terms", Severity.fatal, inp.where("responses", "bid", "delivery_days"),
                      f"承诺工期 {b.delivery_days} 天超过招标文件要求的 {t.delivery_days} 天。"
                      "The promised delivery time is longer than the tender allows.",
                      f"把工期改为不超过 {t.delivery_days} 日历天，并相应调整施工计划。")
    if t.warranty_years is not None and b.warranty_years < t.warranty_years:
        yield Finding("responsiveness.bid_terms", Severity.fatal, inp.where("responses", "bid", "warranty_years"),
                      f"质保期 {b.warranty_years} 年短于招标文件要求的 {t.warranty_years} 年。"
                      "The warranty is shorter than the tender asks.",
                      f"质保期至少为 {t.warranty_years} 年。")
