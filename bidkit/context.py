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

from .models import AcceptanceKind, AcceptanceRecord, BidData, DeviationRow, Tender
from .money import format_amount, rmb_upper
from .pricing import summarise


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


def technical_part(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    s = data.solution
    ctx["bid"] = _bid(data)
    ctx["solution"] = {
        "title": s.title,
        "overview": s.overview,
        "sections": [
            {"no": i, "title": sec.title, "paragraphs": list(sec.paragraphs), "bullets": list(sec.bullets)}
            for i, sec in enumerate(s.sections, 1)
        ],
        "bom": _bom(data),
        "construction": _construction(data),
    }
    ctx["technical_deviations"] = _deviations(data, data.responses.technical)
    return ctx


def commercial_part(data: BidData) -> dict[str, Any]:
    ctx = _base(data)
    r = data.responses
    ctx["bid"] = _bid(data)
    ctx["authorisation"] = {
        "agent": {"name": r.authorisation.agent.name, "title": r.authorisation.agent.title,
                  "id_number": r.authorisation.agent.id_number, "phone": r.authorisation.agent.phone},
        "date": cn_date(r.authorisation.date),
        "valid_until": cn_date(r.authorisation.valid_until, "本项目投标有效期结束"),
    }
    ctx["qualifications"] = [
        {"no": i, "id": q.id, "name": q.name, "number": q.number, "issuer": q.issuer,
         "valid_until": cn_date(q.valid_until, "长期有效")}
        for i, q in enumerate(data.company.qualifications, 1)
    ]
    ctx["commercial_deviations"] = _deviations(data, r.commercial)
    ctx["references"] = [
        {"no": i, "customer": ref.customer, "project": ref.project, "year": ref.year,
         "amount": money(ref.amount), "contact": ref.contact, "summary": ref.summary}
        for i, ref in enumerate(r.references, 1)
    ]
    ctx["after_sales"] = list(r.after_sales)
    ctx["response_time_hours"] = r.response_time_hours
    return ctx


def price_part(data: BidData) -> dict[str, Any]:
    if data.pricing is None:
        raise LookupError("the prices are not filled in yet")
    ctx = _base(data)
    ctx["bid"] = _bid(data)
    summary = summarise(data.solution, data.pricing, tax_included=data.tender.tax_included)
    ctx["prices"] = {
        "lines": [
            {"no": ln.no, "id": ln.bom.id, "name": ln.bom.name, "brand": ln.bom.brand, "model": ln.bom.model,
             "spec": ln.bom.spec, "qty": qty(ln.bom.qty), "unit": ln.bom.unit, "origin": ln.bom.origin,
             "unit_price": money(ln.unit_price), "total": money(ln.total), "note": ln.note}
            for ln in summary.lines
        ],
        "subtotal": money(summary.subtotal),
        "tax_rate": percent(summary.tax_rate),
        "tax": money(summary.tax),
        "tax_included": "含税" if summary.tax_included else "不含税",
        "total": money(summary.total),
        "total_upper": rmb_upper(summary.total),
        "note": data.pricing.extra_note,
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
    bid_part: bool = False  # goes into the bid package
    confidential: bool = False  # the price part: locked until QA approval


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.name: spec
    for spec in (
        DocumentSpec("feasibility_report", "项目可行性分析报告", feasibility_report),
        DocumentSpec("initiation_request", "立项申请", initiation_request),
        DocumentSpec("technical_part", "技术标", technical_part, bid_part=True),
        DocumentSpec("commercial_part", "商务标", commercial_part, bid_part=True),
        DocumentSpec("price_part", "报价", price_part, bid_part=True, confidential=True),
        DocumentSpec("internal_acceptance", "内部验收单", internal_acceptance),
        DocumentSpec("rectification_notice", "整改意见书", rectification_notice),
        DocumentSpec("formal_acceptance", "正式验收单", formal_acceptance),
    )
}


def build(name: str, data: BidData) -> Node:
    """The context of document ``name`` as :class:`Node` mappings."""
    return node("", DOCUMENTS[name].build(data))
