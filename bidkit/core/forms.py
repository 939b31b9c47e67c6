"""What each bid form's template sees (pure): one context per chapter of the book.

Every form gets the company, the project (never its budget), the tender, the bid terms and ``chapter`` (its id
and the tender's title for it, which the form prints as its heading). The price forms also get ``prices``; no
form ever gets the internal cost. Pictures (ID card copies) are named by path (:class:`ImageRef`); the pipeline
reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from bidkit.core.book import FORMS, PlannedChapter, attachment_index
from bidkit.core.context import (
    Node,
    _base,
    _bid,
    _bom,
    _construction,
    _deviations,
    cn_date,
    money,
    node,
    percent,
    qty,
)
from bidkit.core.models import BidData, Person
from bidkit.core.money import rmb_upper
from bidkit.core.pricing import summarise
from bidkit.core.templates import ChartRef, ImageRef
from bidkit.core.typography import sentence

SCHEDULE_CM = 16.0  # the 横道图 across the text width of an A4 page
ID_CARD_CM = 7.6  # a 身份证 copy at its own size is 8.56 × 5.4 cm; a little smaller fits two in a box row

Builder = Callable[[BidData, PlannedChapter], dict[str, Any]]


def _common(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _base(data)
    ctx["bid"] = _bid(data)
    ctx["chapter"] = {"id": ch.id, "title": ch.title}
    return ctx


def _prices(data: BidData) -> dict[str, Any]:
    if data.pricing is None:
        raise LookupError("the prices are not filled in yet")
    summary = summarise(data.solution, data.pricing, tax_included=data.tender.tax_included)
    return {
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


def priced(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    """投标函, 开标一览表, 分项报价表, and a price chapter file filled as a template."""
    ctx = _common(data, ch)
    ctx["prices"] = _prices(data)
    return ctx


def _id_card(person: Person) -> dict[str, Any]:
    return {
        "front": ImageRef(person.id_card_front, ID_CARD_CM) if person.id_card_front else "",
        "back": ImageRef(person.id_card_back, ID_CARD_CM) if person.id_card_back else "",
    }


def _person(person: Person) -> dict[str, Any]:
    return {"name": person.name, "title": person.title, "id_number": person.id_number, "phone": person.phone,
            "id_card": _id_card(person)}


def legal_rep_certificate(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    ctx["legal_rep"] = _person(data.company.legal_rep)
    return ctx


def authorisation_letter(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    a = data.responses.authorisation
    ctx["legal_rep"] = _person(data.company.legal_rep)
    ctx["authorisation"] = {
        "agent": _person(a.agent),
        "date": cn_date(a.date),
        "valid_until": cn_date(a.valid_until, "本项目投标有效期结束"),
    }
    return ctx


def qualifications(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    """投标人基本情况表 and the list of the copies this chapter attaches (its attachments, in order)."""
    ctx = _common(data, ch)
    quals = {q.id: q for q in data.company.qualifications}
    index = attachment_index(data)
    rows = []
    for i, att in enumerate(ch.attachments, 1):
        q = quals.get(att)
        rows.append({"no": i, "id": att, "name": q.name if q else index[att].title,
                     "number": q.number if q else "", "issuer": q.issuer if q else "",
                     "valid_until": cn_date(q.valid_until, "长期有效") if q else ""})
    ctx["qualifications"] = rows
    return ctx


def sme_declaration(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    sme = data.responses.sme_declaration
    if sme is None:
        raise LookupError("responses.yaml has no sme_declaration (标的、所属行业、制造商及其规模)")
    ctx = _common(data, ch)
    verb = {"goods": "提供的货物全部由符合政策要求的中小企业制造",
            "works": "工程的施工单位全部为符合政策要求的中小企业",
            "services": "服务全部由符合政策要求的中小企业承接"}[sme.kind]
    maker = {"goods": "制造商", "works": "承建单位", "services": "承接企业"}[sme.kind]
    ctx["sme"] = {
        "statement": verb,
        "items": [
            {"no": i, "name": it.name, "industry": it.industry, "maker_label": maker, "manufacturer": it.manufacturer,
             "employees": it.employees, "revenue": f"{it.revenue_wan:f}", "assets": f"{it.assets_wan:f}",
             "size": it.size.label}
            for i, it in enumerate(sme.items, 1)
        ],
    }
    return ctx


def declaration(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    """The standard statements (政府采购法第二十二条, 无重大违法记录): company, tender, date."""
    return _common(data, ch)


def deviations(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    table = "technical" if ch.form == "technical_deviations" else "commercial"
    ctx["rows"] = _deviations(data, getattr(data.responses, table))
    return ctx


def references(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    ctx["references"] = [
        {"no": i, "customer": ref.customer, "project": ref.project, "year": ref.year,
         "amount": money(ref.amount), "contact": ref.contact, "summary": ref.summary}
        for i, ref in enumerate(data.responses.references, 1)
    ]
    return ctx


def after_sales(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    ctx["after_sales"] = [sentence(item) for item in data.responses.after_sales]
    ctx["response_time"] = data.responses.response_time_text  # "30 分钟", "2 小时"
    ctx["response_time_hours"] = f"{Decimal(data.responses.response_minutes) / 60:g}"  # older overrides: 0.5, 2
    return ctx


def technical_solution(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    s = data.solution
    ctx["solution"] = {
        "title": s.title,
        "overview": s.overview,
        "sections": [
            {"no": i, "title": sec.title, "paragraphs": list(sec.paragraphs), "bullets": list(sec.bullets)}
            for i, sec in enumerate(s.sections, 1)
        ],
    }
    return ctx


def bom(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    ctx["bom"] = _bom(data)
    return ctx


def construction_organisation(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    """施工组织设计: schedule with its 横道图, the project management organisation, staffing, equipment, quality,
    safety and emergency plans."""
    ctx = _common(data, ch)
    ctx["construction"] = _construction(data)
    if data.solution.construction.tasks:
        ctx["construction"]["schedule_chart"] = ChartRef("schedule", SCHEDULE_CM)
    return ctx


def volume_cover(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    ctx = _common(data, ch)
    ctx["volume"] = {"id": ch.volume, "title": ch.title}
    return ctx


def user_file(data: BidData, ch: PlannedChapter) -> dict[str, Any]:
    """A bidder's own .docx filled as a template (``fill: true``): what a form sees, prices in a price chapter."""
    return priced(data, ch) if ch.priced else _common(data, ch)


BUILDERS: dict[str, Builder] = {
    "bid_letter": priced,
    "opening_summary": priced,
    "itemised_prices": priced,
    "legal_rep_certificate": legal_rep_certificate,
    "authorisation_letter": authorisation_letter,
    "qualifications": qualifications,
    "sme_declaration": sme_declaration,
    "supplier_conditions": declaration,
    "no_violation_declaration": declaration,
    "commercial_deviations": deviations,
    "technical_deviations": deviations,
    "references": references,
    "after_sales": after_sales,
    "technical_solution": technical_solution,
    "bom": bom,
    "construction_organisation": construction_organisation,
    "volume_cover": volume_cover,
}
assert set(BUILDERS) == set(FORMS) | {"volume_cover"}, "every form has its context"


def build(data: BidData, ch: PlannedChapter) -> Node:
    """The context of a chapter made from a form (or a user file filled as a template)."""
    builder = BUILDERS[ch.form] if ch.form is not None else user_file
    return node("", builder(data, ch))


def image_refs(value: object) -> Iterable[ImageRef]:
    """Every :class:`ImageRef` in a context, for the pipeline to read."""
    if isinstance(value, ImageRef):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from image_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from image_refs(item)
