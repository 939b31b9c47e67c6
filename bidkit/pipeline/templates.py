"""Template tooling: ``bidkit templates check`` (every template the workspace uses, rendered leniently once, every
undefined name with the nearest valid one) and ``bidkit templates vars`` (every variable a template can use)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from bidkit.core import book as book_mod
from bidkit.core import context as ctx_mod
from bidkit.core import forms, template_vars
from bidkit.core.book import PlannedChapter
from bidkit.core.errors import BidkitError
from bidkit.core.models import PriceLine, Pricing
from bidkit.core.template_vars import Var
from bidkit.pipeline import book as book_pipeline
from bidkit.pipeline import documents
from bidkit.store.resources import sample_workspace
from bidkit.store.templates import find_template
from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_ws

PLACEHOLDER_PRICE = Decimal("1.00")


def with_placeholder_prices(ws: Workspace) -> Workspace:
    """The workspace with every BOM line at a placeholder unit price (never a real one: no approval, no
    passphrase, nothing written), so that price chapters render for a check of their names."""
    tax = ws.data.tender.tax_rate if ws.data.tender.tax_rate is not None else Decimal("0.13")
    pricing = Pricing(tax_rate=tax, lines=[PriceLine(item=b.id, unit_price=PLACEHOLDER_PRICE)
                                           for b in ws.data.solution.bom])
    return dataclasses.replace(ws, data=ws.data.model_copy(update={"pricing": pricing}))


@dataclass(frozen=True)
class TemplateReport:
    name: str  # the document or chapter
    display: str  # where its template is
    priced: bool
    undefined: tuple[documents.Undefined, ...] = ()
    error: str = ""  # it could not be checked at all (syntax, not a .docx, …)

    @property
    def ok(self) -> bool:
        return not self.undefined and not self.error


def check_one(ws: Workspace, name: str) -> TemplateReport:
    """One document or chapter's template: every name it uses that its context lacks (never raises for a bad
    template: the report says what is wrong)."""
    chapter = documents.chapters(ws).get(name)
    display, priced = name, bool(chapter and chapter.priced)
    try:
        source = book_pipeline.source_of(ws, chapter) if chapter is not None else find_template(ws, name)
        display = source.display if source is not None else display
        display, found = documents.undefined(ws, name)
        return TemplateReport(name, display, priced, tuple(found))
    except LookupError as exc:
        return TemplateReport(name, display, priced, error=str(exc.args[0]))
    except BidkitError as exc:
        return TemplateReport(name, display, priced, error=exc.message)


def check_all(ws: Workspace) -> list[TemplateReport]:
    """Every template the workspace uses, price chapters included (with placeholder prices)."""
    ws = with_placeholder_prices(ws)
    chapters = documents.chapters(ws)
    return [check_one(ws, name) for name in documents.available(ws)
            if name not in chapters or book_pipeline.source_of(ws, chapters[name]) is not None]


# --- the variables a template can use ----------------------------------------------------------------------------

COMMON_ALL = ("company", "project", "tender")  # what every template sees
COMMON_FORM = ("company", "project", "tender", "bid", "chapter")  # what every bid form sees


@dataclass(frozen=True)
class Group:
    title: str
    names: tuple[str, ...]  # the templates it is about
    variables: tuple[Var, ...]


def _reference() -> tuple[Workspace, dict[str, PlannedChapter]]:
    """A complete data set to build every context on: the bundled sample, with placeholder prices."""
    ws = with_placeholder_prices(load_ws(sample_workspace(), check_files=False))
    planned: dict[str, PlannedChapter] = {}
    for pc in book_mod.plan(ws.data).chapters():
        if pc.form is not None:
            planned.setdefault(pc.form, pc)
    by_form = {}
    for form in (book_mod.COVER_FORM, *book_mod.FORMS):  # every form, also one the sample's tender does not use
        info = book_mod.FORMS.get(form)
        by_form[form] = planned.get(form) or PlannedChapter(
            id=form, title=info.title if info else form, volume=info.volume if info else "price", kind="form",
            form=form, priced=bool(info and info.priced))
    return ws, by_form


def template_names() -> list[str]:
    return [book_mod.COVER_FORM, *book_mod.FORMS, *ctx_mod.DOCUMENTS]


def variables_of(name: str) -> list[Var]:
    """Every variable template ``name`` (a bid form or a document) can use; KeyError for an unknown name."""
    ws, by_form = _reference()
    if name in by_form:
        return template_vars.variables(forms.build(ws.data, by_form[name]))
    if name in ctx_mod.DOCUMENTS:
        return template_vars.variables(ctx_mod.build(name, ws.data))
    raise KeyError(name)


def groups() -> list[Group]:
    """The variables of every template: what every template sees, what every bid form and every price chapter
    adds, then what each form and document adds to those."""
    ws, by_form = _reference()
    letter = forms.build(ws.data, by_form["bid_letter"])
    base = template_vars.variables({k: v for k, v in letter.items() if k in COMMON_ALL})
    bid = template_vars.variables({k: v for k, v in letter.items() if k in COMMON_FORM and k not in COMMON_ALL})
    prices = template_vars.variables({"prices": letter["prices"]})
    out = [Group("every template (bid forms, a chapter's own .docx with fill: true, documents)",
                 tuple(template_names()), tuple(base)),
           Group("every bid form, and a chapter's own .docx with fill: true", tuple(by_form), tuple(bid)),
           Group("price chapters (bid_letter, opening_summary, itemised_prices, a price chapter's own .docx)",
                 tuple(n for n, pc in by_form.items() if pc.priced), tuple(prices))]
    seen = {v.path for v in (*base, *bid, *prices)}
    for form, pc in by_form.items():
        extra = [v for v in template_vars.variables(forms.build(ws.data, pc)) if v.path not in seen]
        if extra:
            title = book_mod.FORMS[form].title if form in book_mod.FORMS else "each volume's title page"
            out.append(Group(f"{form} ({title})", (form,), tuple(extra)))
    common = {v.path for v in base}
    for name, spec in ctx_mod.DOCUMENTS.items():
        extra = [v for v in template_vars.variables(ctx_mod.build(name, ws.data)) if v.path not in common]
        out.append(Group(f"{name} ({spec.title})", (name,), tuple(extra)))
    return out


def listing(variables: list[Var]) -> list[str]:
    width = max((len(v.path) for v in variables), default=0)
    return [f"{v.path:<{width}}  {v.kind}  {v.description}".rstrip() for v in variables]


def markdown() -> str:
    """The list for templates/README.md (a test keeps it equal to what the contexts hold)."""
    lines = []
    for g in groups():
        lines += [f"#### {g.title}", "", "| variable | type | 说明 |", "| --- | --- | --- |"]
        lines += [f"| `{v.path}` | {v.kind} | {v.description} |" for v in g.variables]
        lines.append("")
    return "\n".join(lines)
