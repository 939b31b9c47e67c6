"""What each document's template sees (pure).

Every document gets a plain, pre-formatted view of the project data. This module is the contract between the
models and the templates: a template may use only the names built here. The internal cost sheet is never put
into any context, and pricing only into the price part's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bidkit.core.models import AcceptanceKind, AcceptanceRecord, BidData, DeviationRow, Role, Tender
from bidkit.core.models.base import format_duration
from bidkit.core.money import format_amount, rmb_upper
from bidkit.core.typography import cn_quotes, sentence

if TYPE_CHECKING:
    from bidkit.core.lifecycle import Basis, ReviewCounts


class Node(dict[str, Any]):
    """A context mapping that knows its own dotted path, so an undefined name can be reported in full."""

    def __init__(self, path: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.path = path


def node(path: str, values: dict[str, Any]) -> Node:
    """Wrap nested dicts and lists of dicts as :class:`Node` with their paths; every string gets Chinese
    quotation marks (:func:`bidkit.core.typography.cn_quotes`)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, dict) and not isinstance(value, Node):
            out[key] = node(sub, value)
        elif isinstance(value, list):
            out[key] = [node(f"{sub}[]", v) if isinstance(v, dict) else cn_quotes(v) if isinstance(v, str) else v
                        for v in value]
        elif isinstance(value, str):
            out[key] = cn_quotes(value)
        else:
            out[key] = value
    return Node(path, out)


def cn_date(value: dt.date | None, empty: str = "") -> str:
    if value is None:
        return empty
    if isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value.hour:02d}:{value.minute:02d}"
    return f"{value.year}年{value.month}月{value.day}日"


def money(value: Decimal | None, empty: str = "—") -> str:
    return empty if value is None else format_amount(value)


def qty(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _company(data: BidData) -> dict[str, Any]:
    c = data.company
    return {
        "name": c.name,
        "credit_code": c.credit_code,
        "legal_rep": {"name": c.legal_rep.name, "title": c.legal_rep.title, "id_number": c.legal_rep.id_number},
        "address": c.address,
        "postcode": c.postcode,
        "phone": c.phone,
        "fax": c.fax,
        "email": c.email,
        "registered_capital": c.registered_capital,
        "founded": cn_date(c.founded),
        "bank": {"bank": c.bank.bank, "account_name": c.bank.account_name, "account_number": c.bank.account_number},
    }


def _project(data: BidData, *, with_budget: bool) -> dict[str, Any]:
    p = data.project
    out: dict[str, Any] = {
        "code": p.code,
        "name": p.name,
        "type": p.type.label,
        "location": p.location,
        "customer": {
            "name": p.customer.name,
            "address": p.customer.address,
            "contact": p.customer.contact,
            "phone": p.customer.phone,
        },
        "team": [
            {"no": i, "role": m.role.label, "name": m.name, "department": m.department, "phone": m.phone,
             "qualification": m.qualification}
            for i, m in enumerate(p.team, 1)
        ],
    }
    if with_budget:
        out["budget"] = money(p.budget)
        out["budget_upper"] = rmb_upper(p.budget)
    return out


def _tender(t: Tender) -> dict[str, Any]:
    return {
        "number": t.number,
        "project_name": t.project_name,
        "purchaser": t.purchaser,
        "agency": t.agency,
        "method": t.method.label if t.method is not None else "",
        "evaluation_method": t.evaluation_method.label if t.evaluation_method is not None else "",
        "lot": t.lot,
        "published": cn_date(t.published),
        "deadline": cn_date(t.deadline),
        "opening_place": t.opening_place,
        "bid_validity_days": t.bid_validity_days,
        "budget_amount": money(t.budget_amount),
        "budget_amount_upper": rmb_upper(t.budget_amount) if t.budget_amount is not None else "—",
        "control_price": money(t.control_price),
        "control_price_upper": rmb_upper(t.control_price) if t.control_price is not None else "—",
        "bid_bond": money(t.bid_bond),
        "bid_bond_upper": rmb_upper(t.bid_bond) if t.bid_bond is not None else "—",
        "tax_included": "含税" if t.tax_included else "不含税",
        "delivery_days": t.delivery_days or "",
        "warranty_years": t.warranty_years or "",
        "response_time": format_duration(t.response_time) if t.response_time is not None else "",
    }


def _bid(data: BidData) -> dict[str, Any]:
    b = data.responses.bid
    return {
        "date": cn_date(b.date),
        "validity_days": b.bid_validity_days,
        "delivery_days": b.delivery_days,
        "warranty_years": b.warranty_years,
        "copies": b.copies,
        "payment_terms": b.payment_terms,
    }


def _deviations(data: BidData, rows: Iterable[DeviationRow]) -> list[dict[str, Any]]:
    reqs = {r.id: r for r in data.tender.requirements}
    out = []
    for i, row in enumerate(rows, 1):
        req = reqs.get(row.requirement)
        out.append(
            {
                "no": i,
                "id": row.requirement,
                "clause": req.clause if req else "",
                "star": "★" if req and req.mandatory else "",
                "requirement": req.text if req else "",
                "response": row.response,
                "deviation": row.deviation.label if row.deviation is not None else "",
                "note": row.note,
            }
        )
    return out


def _bom(data: BidData) -> list[dict[str, Any]]:
    return [
        {"no": i, "id": b.id, "name": b.name, "brand": b.brand, "model": b.model, "spec": b.spec,
         "qty": qty(b.qty), "unit": b.unit, "origin": b.origin}
        for i, b in enumerate(data.solution.bom, 1)
    ]


def _construction(data: BidData) -> dict[str, Any]:
    c = data.solution.construction
    team: dict[str, str] = {}
    for m in data.project.team:
        if m.qualification:
            team.setdefault(m.name, m.qualification)
    organisation: list[dict[str, Any]] = []
    for s in c.staffing:
        if not s.names:
            continue  # workers by the count; the organisation names its people
        quals = s.qualification or "、".join(dict.fromkeys(team[n] for n in s.names if n in team))
        organisation.append({"no": len(organisation) + 1, "role": s.role, "names": "、".join(s.names),
                             "qualification": quals or "—", "duties": sentence(s.duties) if s.duties else "—"})
    return {
        "summary": c.summary,
        "tasks": [
            {"no": i, "id": t.id, "name": t.name, "start": cn_date(t.start), "end": cn_date(t.end),
             "days": (t.end - t.start).days + 1, "owner": t.owner}
            for i, t in enumerate(c.tasks, 1)
        ],
        "staffing": [
            {"no": i, "role": s.role, "count": s.count, "start": cn_date(s.start), "end": cn_date(s.end),
             "names": "、".join(s.names)}
            for i, s in enumerate(c.staffing, 1)
        ],
        "organisation": organisation,
        "equipment": [
            {"no": i, "name": e.name, "spec": e.spec or "—", "qty": qty(e.qty), "unit": e.unit,
             "purpose": e.purpose or "—"}
            for i, e in enumerate(c.equipment, 1)
        ],
        "emergency_plans": [
            {"no": i, "risk": p.risk, "measures": [sentence(m) for m in p.measures]}
            for i, p in enumerate(c.emergency_plans, 1)
        ],
        "quality_measures": [sentence(m) for m in c.quality_measures],
        "safety_measures": [sentence(m) for m in c.safety_measures],
        "total_days": (max(t.end for t in c.tasks) - min(t.start for t in c.tasks)).days + 1 if c.tasks else 0,
        "schedule_chart": "",  # the bid's form puts the 横道图 here (bidkit.core.forms)
    }


def _base(data: BidData, *, with_budget: bool = False) -> dict[str, Any]:
    return {
        "company": _company(data),
        "project": _project(data, with_budget=with_budget),
        "tender": _tender(data.tender),
    }


def feasibility_report(data: BidData) -> dict[str, Any]:
    ctx = _base(data, with_budget=True)
    f = data.project.feasibility
    if f is None:
        raise LookupError("project.yaml has no feasibility section")
    ctx["feasibility"] = {
        "prepared_by": f.prepared_by,
        "date": cn_date(f.date),
        "source": f.source,
        "opportunity": f.opportunity,
        "customer_needs": list(f.customer_needs),
        "competitors": [
            {"no": i, "name": c.name, "strengths": c.strengths, "weaknesses": c.weaknesses}
            for i, c in enumerate(f.competitors, 1)
        ],
        "relationship": f.relationship,
        "success_estimate": f"{f.success_estimate}%",
        "strategic_value": f.strategic_value,
        "risks": list(f.risks),
        "conclusion": f.conclusion,
        "approval": _approval(f.approval),
    }
    return ctx


def _approval(a: Any) -> dict[str, Any]:
    return {"approver": a.approver, "title": a.title, "date": cn_date(a.date), "decision": a.decision.label,
            "comment": a.comment}


def initiation_request(data: BidData) -> dict[str, Any]:
    ctx = _base(data, with_budget=True)
    ini = data.project.initiation
    if ini is None:
        raise LookupError("project.yaml has no initiation section")
    scores = [s.score for s in ini.review_meeting]
    ctx["initiation"] = {
        "requested_by": ini.requested_by,
        "date": cn_date(ini.date),
        "reason": ini.reason,
        "expected_start": cn_date(ini.expected_start),
        "expected_end": cn_date(ini.expected_end),
        "review_meeting": [
            {"no": i, "reviewer": s.reviewer, "score": s.score, "comment": s.comment}
            for i, s in enumerate(ini.review_meeting, 1)
        ],
        "average_score": f"{sum(scores) / len(scores):.1f}" if scores else "—",
        "approval": _approval(ini.approval),
    }
    return ctx


def _record(rec: AcceptanceRecord) -> dict[str, Any]:
    return {
        "id": rec.id,
        "kind": rec.kind.label,
        "date": cn_date(rec.date),
        "location": rec.location,
        "inspectors": "、".join(rec.inspectors),
        "checklist": [
            {"no": i, "item": c.item, "standard": c.standard, "result": c.result.label, "remark": c.remark}
            for i, c in enumerate(rec.checklist, 1)
        ],
        "result": rec.result.label,
        "conclusion": rec.conclusion,
    }


def _latest(data: BidData, kind: AcceptanceKind, *, failed: bool = False,
            record_id: str | None = None) -> AcceptanceRecord:
    """The last record of ``kind`` (with a rectification notice when ``failed``), or the one named ``record_id``."""
    records = [r for r in (data.acceptance.records if data.acceptance else []) if r.kind == kind]
    if failed:
        records = [r for r in records if r.rectification is not None]
    if record_id is not None:
        records = [r for r in records if r.id == record_id]
    if not records:
        what = "a failed internal acceptance with a rectification" if failed else f"a {kind.value} acceptance record"
        named = f" named {record_id}" if record_id is not None else ""
        raise LookupError(f"acceptance.yaml has no {what}{named}")
    return records[-1]


def internal_acceptance(data: BidData, *, record_id: str | None = None) -> dict[str, Any]:
    """内部验收单: the latest internal acceptance, or the one named (a failed one shows its findings)."""
    ctx = _base(data)
    ctx["record"] = _record(_latest(data, AcceptanceKind.internal, record_id=record_id))
    return ctx


def formal_acceptance(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    ctx["record"] = _record(_latest(data, AcceptanceKind.formal))
    return ctx


def rectification_notice(data: BidData, *, record_id: str | None = None) -> dict[str, Any]:
    """整改意见书 as it stood when issued: completion dates came later, so their column is left to fill in."""
    ctx = _base(data)
    rec = _latest(data, AcceptanceKind.internal, failed=True, record_id=record_id)
    notice = rec.rectification
    assert notice is not None
    ctx["record"] = _record(rec)
    ctx["notice"] = {
        "number": notice.number,
        "issued": cn_date(notice.issued),
        "items": [
            {"no": i, "problem": it.problem, "action": it.action, "responsible": it.responsible,
             "deadline": cn_date(it.deadline),
             "done": cn_date(it.done) if it.done is not None and it.done <= notice.issued else ""}
            for i, it in enumerate(notice.items, 1)
        ],
    }
    return ctx


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    title: str  # Chinese title, for messages and the package
    build: Callable[[BidData], dict[str, Any]]


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.name: spec
    for spec in (
        DocumentSpec("feasibility_report", "项目可行性分析报告", feasibility_report),
        DocumentSpec("initiation_request", "立项申请", initiation_request),
        DocumentSpec("internal_acceptance", "内部验收单", internal_acceptance),
        DocumentSpec("rectification_notice", "整改意见书", rectification_notice),
        DocumentSpec("formal_acceptance", "正式验收单", formal_acceptance),
    )
}


def build(name: str, data: BidData) -> Node:
    """The context of document ``name`` as :class:`Node` mappings."""
    return node("", DOCUMENTS[name].build(data))


# --- after the award (stages 9–14): see bidkit.core.lifecycle for the figures and the order rules ---------------


def _signed(n: int | Decimal) -> str:
    return f"+{n}" if n > 0 else f"{n}"


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


def _award(data: BidData) -> dict[str, Any]:
    a = data.award
    if a is None:
        raise LookupError("award.yaml is missing (enter the award notice and the contract first)")
    bond = a.performance_bond
    return {
        "notice_number": a.notice_number,
        "notice_date": cn_date(a.notice_date),
        "contract_number": a.contract_number,
        "contract_date": cn_date(a.contract_date),
        "contract_amount": money(a.contract_amount),
        "contract_amount_upper": rmb_upper(a.contract_amount),
        "supply_days": a.supply_days,
        "supply_deadline": cn_date(a.contract_date + dt.timedelta(days=a.supply_days)),
        "construction_days": a.construction_days,
        "construction_deadline": cn_date(a.contract_date + dt.timedelta(days=a.construction_days)),
        "warranty_years": a.warranty_years,
        "bond": {
            "amount": money(bond.amount) if bond else "—",
            "amount_upper": rmb_upper(bond.amount) if bond else "—",
            "paid": cn_date(bond.paid if bond else None, "未缴纳"),
        },
    }


def _manager(data: BidData) -> str:
    return lead_of(data, Role.project_manager)


def _report_date(data: BidData, at: dt.date | None) -> dt.date:
    """Without an explicit date: the last progress record (so the default report is reproducible)."""
    if at is not None:
        return at
    recs = data.progress.records if data.progress else []
    if recs:
        return max(r.date for r in recs)
    tasks = data.solution.construction.tasks
    return min(t.start for t in tasks) if tasks else data.responses.bid.date


def construction_plan(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["plan"] = _construction(data)
    ctx["manager"] = _manager(data)
    return ctx


def _assessment(data: BidData, at: dt.date, reviews: ReviewCounts | None) -> list[dict[str, Any]]:
    """考评: the figures the records hold about time and quality, one row per person or team and subject."""
    from bidkit.core.lifecycle import assessment

    a = assessment(data, at, reviews)
    pm = _manager(data)
    rows: list[dict[str, Any]] = []
    if a.plan_end is not None:
        end = a.actual_end
        rows.append({"who": f"项目经理 {pm}", "what": "总工期",
                     "figures": f"计划完成 {cn_date(a.plan_end)}，合同完工期限 {cn_date(a.promised_end, '—')}，"
                                f"实际完成 {cn_date(end, '未完成')}",
                     "deviation": _signed((end - a.plan_end).days) + " 天" if end else "—"})
    for o in a.owners:
        if o.due:
            rows.append({"who": o.owner, "what": "施工任务按期完成",
                         "figures": f"到期 {o.due} 项，按期完成 {o.on_time} 项，滞后 {o.late} 项",
                         "deviation": f"最多滞后 {o.max_late} 天" if o.max_late > 0 else "—"})
    for person in a.rectifications:
        rows.append({"who": person.name, "what": "整改项按期完成",
                     "figures": f"{person.items} 项，按期完成 {person.on_time} 项，未完成 {person.open} 项",
                     "deviation": "—"})
    if a.internal_rounds:
        rows.append({"who": f"项目经理 {pm}", "what": "内部验收",
                     "figures": f"{a.internal_rounds} 轮，首次{'通过' if a.first_pass else '未通过'}",
                     "deviation": "—"})
    if a.reviews is not None:
        r = a.reviews
        presales = lead_of(data, Role.presales_engineer)
        rows.append({"who": f"售前工程师 {presales}", "what": "质量管理部审核（技术标、商务标）",
                     "figures": f"提交审核 {r.requests} 次，驳回 {r.rejections} 次，通过 {r.approvals} 次",
                     "deviation": "—"})
    return [{"no": i, **row} for i, row in enumerate(rows, 1)]


def lead_of(data: BidData, role: Role) -> str:
    from bidkit.core.lifecycle import lead_name

    return lead_name(data, role)


def construction_report(data: BidData, *, at: dt.date | None = None, period: str = "month",
                        reviews: ReviewCounts | None = None) -> dict[str, Any]:
    from bidkit.core.lifecycle import PERIOD_LABELS, construction_figures

    at = _report_date(data, at)
    f = construction_figures(data, at, period)  # type: ignore[arg-type]
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    ctx["report"] = {
        "at": cn_date(at),
        "period": PERIOD_LABELS[period],
        "period_label": f.current.label,
        "period_start": cn_date(f.current.start),
        "plan_start": cn_date(f.plan_start),
        "plan_end": cn_date(f.plan_end),
        "planned": f"{f.planned}%",
        "actual": f"{f.actual}%",
        "gap": f"{_signed(f.actual - f.planned)} 个百分点",
        "late_count": len(f.late),
        "done_count": sum(1 for t in f.tasks if t.end is not None),
        "task_count": len(f.tasks),
    }
    ctx["tasks"] = [
        {"no": i, "id": t.task.id, "name": t.task.name, "plan_start": cn_date(t.task.start),
         "plan_end": cn_date(t.task.end), "start": cn_date(t.start, "—"), "end": cn_date(t.end, "—"),
         "planned": f"{t.planned}%", "actual": f"{t.actual}%", "this_period": f"+{t.actual - t.before_period}%",
         "slippage": _signed(t.slippage), "state": t.state}
        for i, t in enumerate(f.tasks, 1)
    ]
    ctx["late"] = [
        {"id": t.task.id, "name": t.task.name, "days": t.slippage, "actual": f"{t.actual}%", "state": t.state}
        for t in f.late
    ]
    ctx["curve"] = [
        {"period": c.span.label, "planned": f"{c.planned}%", "actual": _pct(c.actual),
         "gap": _signed(c.actual - c.planned) if c.actual is not None else "—"}
        for c in f.curve
    ]
    ctx["staffing"] = [
        {"no": i, "role": s.role, "planned_now": s.planned_now, "actual_now": s.actual_now,
         "planned_days": s.planned_days, "actual_days": s.actual_days,
         "gap": _signed(s.actual_days - s.planned_days), "planned_period_days": s.planned_period_days}
        for i, s in enumerate(f.staffing, 1)
    ]
    ctx["assessment"] = _assessment(data, at, reviews)
    ctx["charts"] = {"gantt": "", "curve": ""}  # bidkit.pipeline.reports puts the images here
    return ctx


WEEKDAYS = "一二三四五六日"


def construction_log(data: BidData, *, at: dt.date | None = None) -> dict[str, Any]:
    """施工日志: that day's work, people, materials, issues and weather (the day report)."""
    from bidkit.core.lifecycle import day_figures

    at = _report_date(data, at)
    f = day_figures(data, at)
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    log = f.log
    ctx["day"] = {
        "date": cn_date(at),
        "weekday": f"星期{WEEKDAYS[at.weekday()]}",
        "weather": log.weather if log else "未记录",
        "temperature": log.temperature if log and log.temperature else "—",
        "recorded_by": log.recorded_by if log and log.recorded_by else "",
        "planned": f"{f.planned}%",
        "actual": f"{f.actual}%",
        "gap": f"{_signed(f.actual - f.planned)} 个百分点",
        "people": sum(s.actual for s in f.staff),
    }
    ctx["work"] = [
        {"no": i, "id": w.task.id, "name": w.task.name, "owner": w.task.owner,
         "progress": f"{w.before}% → {w.after}%" if w.recorded else f"{w.after}%（本日无进度记录）",
         "note": w.note}
        for i, w in enumerate(f.work, 1)
    ]
    ctx["extra_work"] = list(log.work) if log else []
    ctx["staff"] = [
        {"no": i, "role": s.role, "planned": s.planned, "actual": s.actual, "gap": _signed(s.actual - s.planned)}
        for i, s in enumerate(f.staff, 1)
    ]
    # what reached the site, never from whom or at what cost (the supplier's cost is internal)
    ctx["arrivals"] = [
        {"no": i, "number": a.order.number, "name": a.bom.name, "qty": qty(a.qty), "unit": a.bom.unit,
         "defects": a.order.defects}
        for i, a in enumerate(f.arrivals, 1)
    ]
    issues = list(log.issues) if log else []
    issues += [f"{t.id} {t.name} 计划 {cn_date(t.end)} 完成，已滞后 {days} 天" for t, days in f.late_tasks]
    issues += [f"{o.number} {bom.name} 承诺 {cn_date(o.promised)} 到货，逾期 {days} 天未到"
               for o, bom, days in f.late_orders]
    ctx["issues"] = issues
    return ctx


def supply_plan(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    s = data.supply
    orders = {o.item: o for o in (s.orders if s else [])}
    ctx["supply"] = {
        "summary": s.summary if s else "",
        "inspection": list(s.inspection) if s else [],
        "logistics": list(s.logistics) if s else [],
    }
    # what the customer sees: equipment and planned arrival, never the supplier's cost
    ctx["schedule"] = [
        {"no": i, "id": b.id, "name": b.name, "brand": b.brand, "model": b.model, "qty": qty(b.qty),
         "unit": b.unit, "arrival": cn_date(orders[b.id].promised if b.id in orders else None, "随工程进度")}
        for i, b in enumerate(data.solution.bom, 1)
    ]
    return ctx


def supply_report(data: BidData, *, at: dt.date | None = None, period: str = "month") -> dict[str, Any]:
    """内部资料: the only context with supplier costs and the internal cost budget."""
    from bidkit.core.lifecycle import PERIOD_LABELS, supply_figures

    if at is None:
        dates = [d for o in (data.supply.orders if data.supply else []) for d in (o.promised, o.arrived) if d]
        at = max(dates) if dates else _report_date(data, None)
    f = supply_figures(data, at, period)  # type: ignore[arg-type]
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    variance = f.cost - f.budget if f.budget is not None else None
    ctx["report"] = {
        "at": cn_date(at),
        "period": PERIOD_LABELS[period],
        "period_label": f.current.label,
        "orders": len(f.orders),
        "arrived": sum(1 for o in f.orders if o.arrived is not None),
        "late_count": len(f.late),
        "on_time_rate": _pct(f.on_time_rate),
        "budget": money(f.budget),
        "cost": money(f.cost),
        "variance": "—" if variance is None else ("+" if variance > 0 else "") + money(variance),
        "variance_rate": "—" if variance is None or not f.budget else
        f"{_signed((variance * 100 / f.budget).quantize(Decimal('0.1')))}%",
    }
    ctx["orders"] = [
        {"no": i, "number": o.order.number, "item": o.bom.id, "name": o.bom.name, "supplier": o.order.supplier,
         "qty": qty(o.qty), "unit": o.bom.unit, "promised": cn_date(o.order.promised),
         "arrived": cn_date(o.arrived, "—"), "late_days": o.late_days or "", "state": o.state,
         "budget": money(o.budget), "cost": money(o.order.cost), "payment": o.order.payment.label,
         "defects": o.order.defects if o.arrived is not None else ""}
        for i, o in enumerate(f.orders, 1)
    ]
    ctx["late"] = [
        {"number": o.order.number, "name": o.bom.name, "supplier": o.order.supplier,
         "promised": cn_date(o.order.promised), "arrived": cn_date(o.arrived, "未到货"), "days": o.late_days,
         "note": o.order.note}
        for o in f.late
    ]
    ctx["suppliers"] = [
        {"no": i, "name": r.supplier, "orders": r.orders, "due": r.due, "on_time": r.on_time,
         "rate": _pct(r.rate), "late_days": r.late_days, "defects": r.defects, "grade": r.grade}
        for i, r in enumerate(sorted(f.suppliers, key=lambda r: (r.grade, r.supplier)), 1)
    ]
    ctx["rows"] = [
        {"period": r.span.label, "promised": r.promised, "arrived": r.arrived, "late": r.late, "cost": money(r.cost)}
        for r in f.rows
    ]
    return ctx


def _basis_text(data: BidData, basis: Basis) -> str:
    """What happened that makes the instalment due, as the request states it."""
    from bidkit.core.models import Condition

    award = data.award
    assert award is not None
    if basis.condition == Condition.contract_signed:
        return f"合同已于 {cn_date(basis.met)} 签订"
    if basis.condition == Condition.installation_done:
        return f"安装调试已于 {cn_date(basis.met)} 完成（{basis.ref}）"
    if basis.condition == Condition.acceptance_passed:
        return f"已于 {cn_date(basis.met)} 通过正式验收（验收单编号：{basis.ref}）"
    return f"质保期 {award.warranty_years} 年已于 {cn_date(basis.met - dt.timedelta(days=1))} 届满"


ATTACHMENTS = {
    "contract_signed": "合同复印件、发票",
    "installation_done": "安装调试完成确认单、发票",
    "acceptance_passed": "正式验收单复印件、发票",
    "warranty_ended": "质保期满确认函、发票",
}


def payment_request(data: BidData, *, at: dt.date | None = None, instalment: str | None = None) -> dict[str, Any]:
    """回款申请 for one instalment: its basis, this amount, what was received before and what remains."""
    from bidkit.core.lifecycle import payment_request as figures_of
    from bidkit.core.lifecycle import request_amount

    f = figures_of(data, at, instalment)  # StateError while the instalment's condition is unmet
    award = data.award
    assert award is not None
    inst = f.instalment
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    req = f.request
    pct_text = f"{inst.percent.normalize():f}%"
    share = f.amount * 100 / f.contract if f.contract else Decimal(0)
    ctx["request"] = {
        "number": req.number if req else "（待编号）",
        "date": cn_date(f.date),
        "instalment": inst.name,
        "percent": pct_text,
        "condition": inst.condition.label,
        "milestone": req.milestone if req and req.milestone
        else f"{inst.condition.label}支付合同金额的 {pct_text}（{inst.name}）",
        "basis": _basis_text(data, f.basis),
        "amount": money(f.amount),
        "amount_upper": rmb_upper(f.amount),
        "share": f"{share.quantize(Decimal('0.01')).normalize():f}%",
        "received_before": money(f.received_before),
        "received_count": f.received_count,
        "outstanding": money(f.outstanding),
        "remaining": money(f.remaining),
        "remaining_upper": rmb_upper(f.remaining) if f.remaining > 0 else "零元整",
        "attachments": ATTACHMENTS[inst.condition.value],
    }
    reqs = {award.instalment(r.instalment).name: r  # type: ignore[union-attr]
            for r in (data.payments.requests if data.payments else []) if award.instalment(r.instalment)}
    plan = []
    for i, it in enumerate(award.payment_plan(), 1):
        r = reqs.get(it.name)
        if it.name == inst.name:
            state = "本期申请"
        elif r is not None and r.date <= f.date and r.received is not None and r.received <= f.date:
            state = f"已收款（{cn_date(r.received)}）"
        elif r is not None and r.date <= f.date:
            state = "已申请，未到账"
        else:
            state = "未申请"
        amount = request_amount(award, r) if r is not None else award.instalment_amount(it)
        plan.append({"no": i, "name": it.name, "percent": f"{it.percent.normalize():f}%",
                     "condition": it.condition.label, "amount": money(amount), "state": state})
    ctx["plan"] = plan
    ctx["bank"] = ctx["company"]["bank"]
    return ctx


def bond_refund_request(data: BidData, *, at: dt.date | None = None) -> dict[str, Any]:
    from bidkit.core.lifecycle import bond_refund_date, check_bond_refund, formal_pass, warranty_end

    if at is None:
        end = warranty_end(data)
        at = end + dt.timedelta(days=1) if end else _report_date(data, None)
    on = bond_refund_date(data, at)
    end = check_bond_refund(data, on)  # StateError before the warranty period has ended
    formal = formal_pass(data, on)
    assert formal is not None
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    ctx["applicant"] = lead_of(data, Role.sales_rep)  # the sales rep requests the refund (design §2, step 14)
    rec = data.payments.bond_refund if data.payments else None
    ctx["refund"] = {
        "number": rec.number if rec else "（待编号）",
        "date": cn_date(on),
        "warranty_start": cn_date(formal.date),
        "warranty_end": cn_date(end),
        "formal_id": formal.id,
    }
    ctx["bank"] = ctx["company"]["bank"]
    return ctx


def bid_bond_refund_request(data: BidData, *, at: dt.date | None = None) -> dict[str, Any]:
    """投标保证金退回申请, from the sales rep: after the contract is signed (won) or the losing notice (lost)."""
    from bidkit.core.lifecycle import bid_bond_refund_date, check_bid_bond_refund

    reg = data.registration
    if reg is None or reg.bid_bond is None:
        raise LookupError("registration.yaml records no bid bond (bid_bond)")
    bond = reg.bid_bond
    if at is None:
        at = bond.refund_requested or (data.award.contract_date if data.award else
                                       reg.lost.notice_date if reg.lost else bond.paid or reg.date)
    on = bid_bond_refund_date(data, at)
    outcome = check_bid_bond_refund(data, on)  # StateError before the award or the losing notice
    ctx = _base(data)
    ctx["applicant"] = lead_of(data, Role.sales_rep)
    if outcome == "won":
        award = data.award
        assert award is not None
        reason = (f"我公司已于 {cn_date(award.notice_date)} 收到中标通知书（编号：{award.notice_number}），"
                  f"并于 {cn_date(award.contract_date)} 与采购人签订合同（合同编号：{award.contract_number}）")
    else:
        assert reg.lost is not None
        winner = f"，中标人为{reg.lost.winner}" if reg.lost.winner else ""
        reason = f"本项目已于 {cn_date(reg.lost.notice_date)} 公布评标结果，我公司未中标{winner}"
    ctx["bond"] = {
        "amount": money(bond.amount),
        "amount_upper": rmb_upper(bond.amount),
        "paid": cn_date(bond.paid, "—"),
        "reference": bond.reference or "—",
        "payer_account": bond.payer_account or "—",
        "date": cn_date(on),
        "reason": reason,
        "to": data.tender.agency or data.tender.purchaser,
    }
    ctx["registration"] = {"number": reg.number or "—", "date": cn_date(reg.date)}
    ctx["bank"] = ctx["company"]["bank"]
    return ctx


def performance_bond_letter(data: BidData) -> dict[str, Any]:
    """履约保证金缴纳函: the letter that goes with the performance bond to the purchaser."""
    award = data.award
    if award is None or award.performance_bond is None:
        raise LookupError("award.yaml records no performance_bond")
    bond = award.performance_bond
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    share = bond.amount * 100 / award.contract_amount if award.contract_amount else Decimal(0)
    ctx["letter"] = {
        "form": bond.form.label,
        "guarantee": bond.form.value == "guarantee",
        "reference": bond.reference or "—",
        "issuer": bond.issuer or "—",
        "valid_until": cn_date(bond.valid_until, "—"),
        "share": f"{share.quantize(Decimal('0.01')).normalize():f}%",
        "date": cn_date(bond.paid, "        年    月    日"),
    }
    ctx["bank"] = ctx["company"]["bank"]
    return ctx


def project_summary(data: BidData, *, at: dt.date | None = None,
                    reviews: ReviewCounts | None = None) -> dict[str, Any]:
    from bidkit.core.lifecycle import summary

    if at is None:
        dates = [r.date for r in (data.acceptance.records if data.acceptance else [])]
        dates += [r.received or r.date for r in (data.payments.requests if data.payments else [])]
        at = max(dates) if dates else _report_date(data, None)
    s = summary(data, at)
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    ctx["summary"] = {"at": cn_date(at)}
    ctx["stages"] = [
        {"no": i, "name": st.name, "planned_start": cn_date(st.planned_start, "—"),
         "planned_end": cn_date(st.planned_end, "—"), "actual_start": cn_date(st.actual_start, "—"),
         "actual_end": cn_date(st.actual_end, "—"),
         "deviation": "—" if st.deviation is None else _signed(st.deviation)}
        for i, st in enumerate(s.stages, 1)
    ]
    ctx["rounds"] = [
        {"no": i, "id": r.id, "kind": r.kind.label, "date": cn_date(r.date), "result": r.result.label,
         "notice": r.rectification.number if r.rectification else "—",
         "items": len(r.rectification.items) if r.rectification else 0}
        for i, r in enumerate(s.acceptance_rounds, 1)
    ]
    ctx["rectifications"] = [
        {"notice": r.rectification.number, "problem": it.problem, "responsible": it.responsible,
         "deadline": cn_date(it.deadline), "done": cn_date(it.done, "未完成"),
         "on_time": "是" if it.done is not None and it.done <= it.deadline else "否"}
        for r in s.acceptance_rounds if r.rectification for it in r.rectification.items
    ]
    internal = [r for r in s.acceptance_rounds if r.kind == AcceptanceKind.internal]
    ctx["figures"] = {
        "internal_rounds": len(internal),
        "first_pass": "是" if internal and internal[0].result.value == "passed" else "否",
        "review_requests": reviews.requests if reviews else "—",
        "review_rejections": reviews.rejections if reviews else "—",
        "review_approvals": reviews.approvals if reviews else "—",
    }
    ctx["assessment"] = _assessment(data, at, reviews)
    ctx["rates"] = [
        {"name": r.name, "on_time": r.on_time, "total": r.total, "rate": _pct(r.rate)} for r in s.rates
    ]
    return ctx


DOCUMENTS.update(
    {
        spec.name: spec
        for spec in (
            DocumentSpec("construction_plan", "施工方案", construction_plan),
            DocumentSpec("construction_report", "项目施工报告书", construction_report),
            DocumentSpec("supply_plan", "设备供货方案", supply_plan),
            DocumentSpec("supply_report", "项目设备供货报告", supply_report),  # internal
            DocumentSpec("construction_log", "施工日志", construction_log),
            DocumentSpec("payment_request", "回款申请", payment_request),
            DocumentSpec("bond_refund_request", "履约保证金退回申请", bond_refund_request),
            DocumentSpec("bid_bond_refund_request", "投标保证金退回申请", bid_bond_refund_request),
            DocumentSpec("performance_bond_letter", "履约保证金缴纳函", performance_bond_letter),
            DocumentSpec("project_summary", "项目总结", project_summary),
        )
    }
)


# --- before the price (stages 4–6): the internal cost analysis --------------------------------------------------
# Never in DOCUMENTS: no bid part, no `bidkit render` and no bid template can reach it. Its bid prices come only from
# data.pricing, which only bidkit.store.lock.with_prices fills (through the open price lock and the passphrase).


def _rate(value: Decimal | None) -> str:
    from bidkit.core.costing import rate_pct

    return "—" if value is None else f"{rate_pct(value)}%"


def _signed_money(value: Decimal) -> str:
    return ("+" if value > 0 else "") + money(value)


def cost_analysis(data: BidData) -> dict[str, Any]:
    """成本与报价分析 (内部资料): quotes, cost by category, the baseline, the feedback rounds, the findings; with the
    prices (``data.pricing``) also the bid price and the margins."""
    from bidkit.core.costing import analyse

    a = analyse(data, data.pricing)
    ctx = _base(data, with_budget=True)
    ctx["analysis"] = {
        "prices": a.with_prices,
        "basis": "含税" if a.tax_included else "不含税",
        "target": _rate(a.baseline.target_margin),
        "lines": len(a.rows),
        "costed": sum(1 for r in a.rows if r.line is not None),
        "quotes": sum(len(r.quotes) for r in a.rows),
    }
    quote_rows = []
    for r in a.rows:
        for n, q in enumerate(r.quotes):
            quote_rows.append({
                "id": r.bom.id if n == 0 else "", "name": r.bom.name if n == 0 else "",
                "qty": f"{qty(r.bom.qty)}{r.bom.unit}" if n == 0 else "",
                "supplier": q.quote.supplier, "unit_cost": money(q.quote.unit_cost), "total": money(q.total),
                "quoted": cn_date(q.quote.quoted, "—"), "valid_until": cn_date(q.quote.valid_until, "—"),
                "chosen": "选定" if q.chosen else "",
            })
    ctx["quotes"] = quote_rows
    ctx["reasons"] = [{"id": r.bom.id, "name": r.bom.name, "reason": r.line.reason}
                      for r in a.rows if r.line is not None and r.line.reason]
    ctx["lines"] = [
        {"no": r.no, "id": r.bom.id, "name": r.bom.name, "qty": qty(r.bom.qty), "unit": r.bom.unit,
         "category": r.line.category.label if r.line else "—", "supplier": r.line.supplier if r.line else "—",
         "unit_cost": money(r.line.unit_cost) if r.line else "—", "cost": money(r.cost) if r.cost is not None
         else "计入人工/管理费",
         "unit_price": money(r.unit_price), "price": money(r.price), "margin": money(r.margin),
         "margin_rate": _rate(r.margin_rate),
         "flag": "低于目标" if r.margin_rate is not None and a.baseline.target_margin is not None
         and r.margin_rate < a.baseline.target_margin else ""}
        for r in a.rows
    ]
    ctx["categories"] = [
        {"name": c.category.label, "amount": money(c.amount), "share": _rate(c.share)} for c in a.categories
    ]
    ctx["cost"] = {
        "lines": money(a.lines_cost), "labour": money(a.labour), "others": money(a.others),
        "direct": money(a.direct), "overhead_rate": percent(a.overhead_rate), "overhead": money(a.overhead),
        "total": money(a.total_cost), "total_upper": rmb_upper(a.total_cost),
        "other_items": [{"name": o.name, "category": o.category.label, "amount": money(o.amount)}
                        for o in (data.internal_cost.other_costs if data.internal_cost else [])],
    }
    b = a.baseline
    rows = [
        {"name": "成本合计", "amount": money(b.cost), "rate": "—", "note": "设备、材料、人工、分包及管理费"},
    ]
    if b.target_price is not None:
        rows.append({"name": f"标底（按目标毛利率 {_rate(b.target_margin)} 测算）", "amount": money(b.target_price),
                     "rate": _rate(b.target_margin), "note": "成本 ÷（1 − 目标毛利率）"})
    rows.append({"name": "客户预算", "amount": money(b.budget),
                 "rate": _rate((b.budget - b.cost) / b.budget) if b.budget else "—", "note": "按预算成交时的毛利率"})
    if b.control_price is not None:
        rows.append({"name": "最高限价", "amount": money(b.control_price), "rate": _rate(b.max_margin),
                     "note": "报价超过即废标；毛利率为可实现的最高值"})
    if a.bid_total is not None:
        rows.append({"name": "投标报价", "amount": money(a.bid_total), "rate": _rate(a.margin_rate),
                     "note": "报价锁已打开，按口令解密"})
    ctx["baseline"] = rows
    ctx["margin"] = {
        "bid_total": money(a.bid_total), "bid_total_upper": rmb_upper(a.bid_total) if a.bid_total is not None
        else "—", "margin": money(a.margin), "rate": _rate(a.margin_rate),
        "verdict": "—" if a.margin_rate is None or b.target_margin is None else
        ("达到目标" if a.margin_rate >= b.target_margin else "低于目标，须经总经理批准"),
    }
    ctx["feedback"] = [
        {"no": i, "date": cn_date(f.date), "source": f.source or "—", "changes": "；".join(f.changes),
         "cost_change": _signed_money(f.cost_change) if f.cost_change else "0.00", "note": f.note}
        for i, f in enumerate(a.feedback, 1)
    ]
    ctx["findings"] = [
        {"no": i, "severity": f.severity, "code": f.code, "message": f.message} for i, f in enumerate(a.findings, 1)
    ]
    ctx["sales_rep"] = lead_of(data, Role.sales_rep)
    return ctx


COST_ANALYSIS = DocumentSpec("cost_analysis", "成本与报价分析", cost_analysis)
