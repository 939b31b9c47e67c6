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
from typing import Any

from bidkit.core.models import AcceptanceKind, AcceptanceRecord, BidData, DeviationRow, Tender
from bidkit.core.money import format_amount, rmb_upper


class Node(dict[str, Any]):
    """A context mapping that knows its own dotted path, so an undefined name can be reported in full."""

    def __init__(self, path: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.path = path


def node(path: str, values: dict[str, Any]) -> Node:
    """Wrap nested dicts and lists of dicts as :class:`Node` with their paths."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        sub = f"{path}.{key}" if path else key
        if isinstance(value, dict) and not isinstance(value, Node):
            out[key] = node(sub, value)
        elif isinstance(value, list):
            out[key] = [node(f"{sub}[]", v) if isinstance(v, dict) else v for v in value]
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
        "published": cn_date(t.published),
        "deadline": cn_date(t.deadline),
        "opening_place": t.opening_place,
        "bid_validity_days": t.bid_validity_days,
        "control_price": money(t.control_price),
        "control_price_upper": rmb_upper(t.control_price) if t.control_price is not None else "—",
        "bid_bond": money(t.bid_bond),
        "bid_bond_upper": rmb_upper(t.bid_bond) if t.bid_bond is not None else "—",
        "tax_included": "含税" if t.tax_included else "不含税",
        "delivery_days": t.delivery_days or "",
        "warranty_years": t.warranty_years or "",
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
                "deviation": row.deviation.label,
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
        "quality_measures": list(c.quality_measures),
        "safety_measures": list(c.safety_measures),
        "total_days": (max(t.end for t in c.tasks) - min(t.start for t in c.tasks)).days + 1 if c.tasks else 0,
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


def _latest(data: BidData, kind: AcceptanceKind, *, failed: bool = False) -> AcceptanceRecord:
    records = [r for r in (data.acceptance.records if data.acceptance else []) if r.kind == kind]
    if failed:
        records = [r for r in records if r.rectification is not None]
    if not records:
        what = "a failed internal acceptance with a rectification" if failed else f"a {kind.value} acceptance record"
        raise LookupError(f"acceptance.yaml has no {what}")
    return records[-1]


def internal_acceptance(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    ctx["record"] = _record(_latest(data, AcceptanceKind.internal))
    return ctx


def formal_acceptance(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    ctx["record"] = _record(_latest(data, AcceptanceKind.formal))
    return ctx


def rectification_notice(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    rec = _latest(data, AcceptanceKind.internal, failed=True)
    assert rec.rectification is not None
    ctx["record"] = _record(rec)
    ctx["notice"] = {
        "number": rec.rectification.number,
        "issued": cn_date(rec.rectification.issued),
        "items": [
            {"no": i, "problem": it.problem, "action": it.action, "responsible": it.responsible,
             "deadline": cn_date(it.deadline), "done": cn_date(it.done, "未完成")}
            for i, it in enumerate(rec.rectification.items, 1)
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
    from bidkit.core.lifecycle import lead_name
    from bidkit.core.models import Role

    return lead_name(data, Role.project_manager)


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


def construction_report(data: BidData, *, at: dt.date | None = None, period: str = "month") -> dict[str, Any]:
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
         "gap": _signed(s.actual_days - s.planned_days)}
        for i, s in enumerate(f.staffing, 1)
    ]
    ctx["charts"] = {"gantt": "", "curve": ""}  # bidkit.pipeline.reports puts the images here
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


def payment_request(data: BidData, *, at: dt.date | None = None) -> dict[str, Any]:
    from bidkit.core.lifecycle import formal_pass
    from bidkit.core.lifecycle import payment_request as request_of

    req = request_of(data, at)  # StateError before a formal acceptance
    formal = formal_pass(data, req.date)
    assert formal is not None
    ctx = _base(data)
    ctx["award"] = _award(data)
    ctx["manager"] = _manager(data)
    earlier = [r for r in (data.payments.requests if data.payments else []) if r.date < req.date]
    ctx["request"] = {
        "number": req.number,
        "date": cn_date(req.date),
        "milestone": req.milestone,
        "amount": money(req.amount),
        "amount_upper": rmb_upper(req.amount),
        "received_before": money(sum((r.amount for r in earlier if r.received), Decimal(0))),
        "formal_id": formal.id,
        "formal_date": cn_date(formal.date),
    }
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


def project_summary(data: BidData, *, at: dt.date | None = None) -> dict[str, Any]:
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
    }
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
            DocumentSpec("payment_request", "回款申请", payment_request),
            DocumentSpec("bond_refund_request", "履约保证金退回申请", bond_refund_request),
            DocumentSpec("project_summary", "项目总结", project_summary),
        )
    }
)
