"""The one validation path (pure): every rule that can be decided from the workspace's files, all at once.

:func:`validate` takes the parsed YAML of each file and returns the models it could build and every
:class:`~bidkit.core.location.Problem` it found: each file's own model errors (one file's errors never hide
another's), then every reference between files. :mod:`bidkit.store.workspace` adds what needs the file system
(scans, seals, templates that must exist) and is the only caller; every command goes through it, so
``bidkit validate`` and ``bidkit status`` can never disagree. Later rules add themselves to :data:`REFERENCES`.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from bidkit.core import book
from bidkit.core.location import FieldPath, LineMap, Location, Problem
from bidkit.core.models import PART_NAMES, BidData
from bidkit.core.models.acceptance import Acceptance
from bidkit.core.models.base import Bilingual
from bidkit.core.models.company import Company
from bidkit.core.models.lifecycle import Award, Payments, Progress, Supply
from bidkit.core.models.pricing import InternalCost, Pricing
from bidkit.core.models.project import Project
from bidkit.core.models.registration import Registration
from bidkit.core.models.responses import Responses
from bidkit.core.models.solution import Solution
from bidkit.core.models.tender import Tender
from bidkit.core.models.workspace import WorkspaceConfig


@dataclass(frozen=True)
class DataFile:
    field: str  # the BidData field it fills
    name: str  # the file in the workspace
    model: type[BaseModel]
    required: bool


# every YAML file of a workspace, in the order problems are listed. Prices are not here: they live encrypted in
# pricing.enc and reach BidData.pricing only through the price lock (bidkit.store.lock).
DATA_FILES: tuple[DataFile, ...] = (
    DataFile("config", "bidkit.yaml", WorkspaceConfig, True),
    DataFile("company", "company.yaml", Company, True),
    DataFile("project", "project.yaml", Project, True),
    DataFile("tender", "tender.yaml", Tender, True),
    DataFile("solution", "solution.yaml", Solution, True),
    DataFile("responses", "responses.yaml", Responses, True),
    DataFile("internal_cost", "internal_cost.yaml", InternalCost, False),
    DataFile("registration", "registration.yaml", Registration, False),
    DataFile("acceptance", "acceptance.yaml", Acceptance, False),
    DataFile("award", "award.yaml", Award, False),
    DataFile("progress", "progress.yaml", Progress, False),
    DataFile("supply", "supply.yaml", Supply, False),
    DataFile("payments", "payments.yaml", Payments, False),
)
FILE_OF: dict[str, str] = {f.field: f.name for f in DATA_FILES} | {"pricing": "pricing.enc"}

_PLAIN = {
    "missing": "required field missing",
    "extra_forbidden": "unknown field",
    "int_parsing": "expected a whole number",
    "int_type": "expected a whole number",
    "int_from_float": "expected a whole number",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
    "date_from_datetime_parsing": "expected a date like 2026-12-28",
    "date_from_datetime_inexact": "expected a date like 2026-12-28, without a time",
    "date_parsing": "expected a date like 2026-12-28",
    "date_type": "expected a date like 2026-12-28",
    "datetime_parsing": "expected a date and time like 2026-12-28 09:30",
    "datetime_from_date_parsing": "expected a date and time like 2026-12-28 09:30",
    "datetime_type": "expected a date and time like 2026-12-28 09:30",
    "string_type": "expected text",
    "list_type": "expected a list",
    "dict_type": "expected a mapping of fields",
    "model_type": "expected a mapping of fields",
    "model_attributes_type": "expected a mapping of fields",
    "string_too_short": "must not be empty",
    "too_short": "must not be empty",
}


_DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}([ T].*)?")


_YAML11_NUMBER = re.compile(r"[-+]?(0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?"
                            r"|[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?|-0(\.0*)?)")


def problem_text(err: ErrorDetails, model: type[BaseModel] | None = None, raw: object = None) -> str:
    """A pydantic error in plain words (the validators' own messages without pydantic's prefix); with the file's
    ``model`` and parsed ``raw`` data, a fix hint where one is known (a close field name, a comma in ``{ }``)."""
    value = err.get("input")
    kind = err["type"]
    if kind == "extra_forbidden" and model is not None:
        return _unknown_field(err, model, raw)
    if value is None and kind != "missing":
        return "not filled in (empty)" + (": write [] for none" if kind == "list_type" else "")
    if kind.startswith(("date", "datetime")) and isinstance(value, str) and _DATE_LIKE.fullmatch(value):
        return f"{value} is not a date that exists"
    if isinstance(value, str) and _YAML11_NUMBER.fullmatch(value):
        return (f"'{value}' is not a plain number (YAML 1.1 would read it as base 60, hex, octal or with "
                "separators): write the number plainly, e.g. 120, 16, 1000, 0")
    if kind == "enum":
        return f"'{value}' is not one of {_choices(err, model)}"
    bound = _BOUNDS.get(kind)
    if bound is not None:
        ctx = err.get("ctx") or {}
        limit = next(iter(ctx.values()), "?")
        return f"must be {bound} {limit}"
    return _PLAIN.get(kind) or str(err["msg"]).removeprefix("Value error, ")


_BOUNDS = {"greater_than": "greater than", "greater_than_equal": "at least", "less_than": "less than",
           "less_than_equal": "at most"}

# a field name people write for one bidkit names differently (what the fix hint suggests)
SYNONYMS = {"type": "method", "procurement_method": "method", "fax_number": "fax", "telephone": "phone",
            "tel": "phone", "mobile": "phone", "bid_validity": "bid_validity_days", "validity_days":
            "bid_validity_days", "deadline_time": "deadline", "budget": "budget_amount",
            # names people guess in a template
            "total_in_words": "total_upper", "total_words": "total_upper", "amount_in_words": "amount_upper",
            "in_words": "upper", "total_chinese": "total_upper", "upper_total": "total_upper"}


def _unwrap(tp: Any) -> Any:
    """The type inside ``Annotated[…]`` and ``X | None``."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _unwrap(get_args(tp)[0])
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else tp
    return tp


def type_at(model: type[BaseModel], path: FieldPath) -> Any:
    """The declared type of the field at ``path`` inside ``model`` (None when the path leaves the model)."""
    tp: Any = model
    for part in path:
        tp = _unwrap(tp)
        if isinstance(part, int):
            if get_origin(tp) is not list:
                return None
            tp = get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, BaseModel):
            info = tp.model_fields.get(part)
            if info is None:
                return None
            tp = info.annotation
        elif get_origin(tp) is dict:
            tp = get_args(tp)[1]
        else:
            return None
    return _unwrap(tp)


def _choices(err: ErrorDetails, model: type[BaseModel] | None) -> str:
    enum = type_at(model, tuple(err["loc"])) if model is not None else None
    if isinstance(enum, type) and issubclass(enum, Bilingual):
        return ", ".join(f"{m.value} ({m.label})" if m.label != m.value else m.value for m in enum)
    ctx = err.get("ctx") or {}
    return str(ctx.get("expected", "the allowed values")).replace("'", "")


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The choice ``name`` most likely meant: a known synonym, a close spelling, or one its words begin with."""
    options = list(choices)
    if SYNONYMS.get(name) in options:
        return SYNONYMS[name]
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    starts = [o for o in options if name.startswith(o + "_") or o.startswith(name + "_")]
    return starts[0] if len(starts) == 1 else None


def _unknown_field(err: ErrorDetails, model: type[BaseModel], raw: object) -> str:
    loc = tuple(err["loc"])
    key = str(loc[-1])
    parent = _node(raw, loc[:-1])
    if isinstance(parent, LineMap) and parent.flow and parent.get(key) is None:
        keys = list(parent)
        at = keys.index(key) if key in keys else 0
        if at > 0 and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            prev = keys[at - 1]
            return (f"a comma inside {{ }} ended this value, and '{key}' after it became a field of its own: put "
                    f"the whole value in quotes: {prev}: \"{parent[prev]}, {key}\"")
    owner = type_at(model, loc[:-1])
    if isinstance(owner, type) and issubclass(owner, BaseModel):
        guess = nearest(key, owner.model_fields)
        if guess is not None:
            return f"unknown field (did you mean {guess}?)"
    return "unknown field"


def _node(raw: object, path: FieldPath) -> object:
    node = raw
    for part in path:
        if isinstance(node, Mapping) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            return None
    return node


# what to write into a list left empty, where "write [] for none" would be the wrong advice (DIR in a `bidkit …`
# command is replaced by the workspace's path when the problem is reported)
FILL_HINTS: dict[tuple[str, FieldPath], str] = {
    ("company.yaml", ("qualifications",)): "list the business licence and certificates, each with its scan (the "
                                           "example under the line shows how)",
    ("solution.yaml", ("bom",)): "list the equipment, one item each (the example under the line shows how)",
    ("tender.yaml", ("requirements",)): "import them with `bidkit tender import-requirements DIR FILE` (an .xlsx, "
                                        "or the tender's own .docx)",
}


def model_problems(exc: ValidationError, file: str, raw: object, model: type[BaseModel] | None = None
                   ) -> list[Problem]:
    """One :class:`Problem` per pydantic error of a model validated from the parsed file ``raw``."""
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        message = problem_text(err, model, raw)
        if message.startswith("not filled in") and (file, loc) in FILL_HINTS:
            message = f"not filled in (empty): {FILL_HINTS[file, loc]}"
        if message.startswith("a comma inside { }"):  # the field whose value was cut short
            parent = _node(raw, loc[:-1])
            keys = list(parent) if isinstance(parent, Mapping) else []
            if loc[-1] in keys and keys.index(loc[-1]) > 0:
                loc = (*loc[:-1], keys[keys.index(loc[-1]) - 1])
        path: FieldPath = loc or ("(top)",)
        out.append(Problem(Location.of(file, raw, loc).with_path(path), message))
    return out


@dataclass
class Checked:
    """What :func:`validate` built: the models of the files that are valid, and every problem found."""

    models: dict[str, BaseModel]
    problems: list[Problem]
    invalid: set[str] = field(default_factory=set)  # fields whose file's own model did not validate
    partials: dict[str, BaseModel] = field(default_factory=dict)  # the valid fields of each invalid file

    def known(self) -> dict[str, BaseModel]:
        """Every model, partial ones included (reading a field that did not validate raises AttributeError)."""
        return self.models | self.partials

    def data(self) -> BidData | None:
        """The whole project, when every file's model is valid (references between files may still be wrong)."""
        if self.invalid or not all(f.field in self.models for f in DATA_FILES if f.required):
            return None
        return BidData.model_validate(self.models)  # each value is its field's model already (not revalidated)


def partial(model: type[BaseModel], raw: object) -> BaseModel | None:
    """The fields of an invalid file that are valid on their own, as a model without the others (reading one of
    those raises AttributeError): the references between files are still checked where they can be."""
    if not isinstance(raw, Mapping):
        return None
    good: dict[str, Any] = {}
    bad: list[str] = []
    for name, info in model.model_fields.items():
        if name in raw:
            try:
                good[name] = TypeAdapter(info.rebuild_annotation()).validate_python(raw[name])
            except ValidationError:
                bad.append(name)
    built = model.model_construct(_fields_set=set(good), **good)
    for name in bad:  # not its default: absent
        built.__dict__.pop(name, None)
    return built


def validate(raw: Mapping[str, Any]) -> Checked:
    """Validate each parsed file (``{field: parsed YAML}``) on its own, then the references between them."""
    models: dict[str, BaseModel] = {}
    partials: dict[str, BaseModel] = {}
    problems: list[Problem] = []
    invalid: set[str] = set()
    for f in DATA_FILES:
        if f.field not in raw:
            continue
        try:
            models[f.field] = f.model.model_validate(raw[f.field])
        except ValidationError as exc:
            invalid.add(f.field)
            problems += model_problems(exc, f.name, raw[f.field], f.model)
            if (part := partial(f.model, raw[f.field])) is not None:
                partials[f.field] = part
    checked = Checked(models, problems, invalid, partials)
    problems += references(models | partials, raw)
    return checked


# --- references between files ------------------------------------------------------------------------------

Models = Mapping[str, BaseModel]
Reference = Callable[[Models, Mapping[str, Any]], Iterator[Problem]]
REFERENCES: list[Reference] = []


def reference(fn: Reference) -> Reference:
    """Register a cross-file rule; it runs on the models that validated (a rule skips when one it needs did not)."""
    REFERENCES.append(fn)
    return fn


def references(models: Models, raw: Mapping[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    for rule in REFERENCES:
        try:
            out += list(rule(models, raw))
        except AttributeError:  # a field it needs did not validate (see partial): its own problem is listed
            continue
    return out


def at(raw: Mapping[str, Any], field: str, path: FieldPath, message: str) -> Problem:
    """A problem at ``path`` inside the file of ``field``."""
    return Problem(Location.of(FILE_OF[field], raw.get(field), path), message)


def _get(models: Models, field: str, kind: type[Any]) -> Any:
    value = models.get(field)
    return value if isinstance(value, kind) else None


@reference
def _responses_answer_requirements(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    tender, responses = _get(models, "tender", Tender), _get(models, "responses", Responses)
    if tender is None or responses is None:
        return
    kind = {r.id: r.kind.value for r in tender.requirements}
    for table in ("technical", "commercial"):
        for i, row in enumerate(getattr(responses, table)):
            where = (table, i, "requirement")
            if row.requirement not in kind:
                yield at(raw, "responses", where, f"unknown requirement '{row.requirement}'")
            elif kind[row.requirement] != table:
                yield at(raw, "responses", where,
                         f"requirement '{row.requirement}' is {kind[row.requirement]}, not {table}")


@reference
def _lines_name_bom(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    solution = _get(models, "solution", Solution)
    if solution is None:
        return
    bom = {b.id for b in solution.bom}
    for name, kind in (("pricing", Pricing), ("internal_cost", InternalCost)):
        sheet = _get(models, name, kind)
        for i, line in enumerate(sheet.lines if sheet is not None else []):
            if line.item not in bom:
                yield at(raw, name, ("lines", i, "item"), f"unknown BOM line '{line.item}'")
    supply = _get(models, "supply", Supply)
    for i, order in enumerate(supply.orders if supply is not None else []):
        if order.item not in bom:
            yield at(raw, "supply", ("orders", i, "item"), f"unknown BOM line '{order.item}'")


@reference
def _attachments_name_qualifications(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    tender, company = _get(models, "tender", Tender), _get(models, "company", Company)
    if tender is None or company is None:
        return
    quals = {q.id for q in company.qualifications}
    for i, req in enumerate(tender.required_attachments):
        if req.qualification not in quals:
            yield at(raw, "tender", ("required_attachments", i, "qualification"),
                     f"unknown qualification '{req.qualification}'")


@reference
def _chapters(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    """Every chapter of the tender's list has a source bidkit can make, a known volume, and attachments that
    exist; a price chapter comes only from a form or a .docx filled from the encrypted prices."""
    tender, company, responses = (_get(models, "tender", Tender), _get(models, "company", Company),
                                  _get(models, "responses", Responses))
    if tender is None:
        return
    known = {q.id for q in company.qualifications} if company is not None else None
    if known is not None and responses is not None:
        known |= {a.id for a in responses.attachments}
    volumes = {"price", "commercial", "technical", *book.LEGACY_VOLUMES, *(v.id for v in tender.volumes)}
    for i, ch in enumerate(tender.chapters):
        form = book.form_of(ch)
        if ch.form is not None and form is None:
            yield at(raw, "tender", ("chapters", i, "form"),
                     f"unknown form '{ch.form}' (one of {', '.join(book.FORMS)})")
        elif form is None and ch.file is None and not ch.attachments:
            yield at(raw, "tender", ("chapters", i, "id"),
                     f"'{ch.id}' is not a bidkit form; give the chapter a file: (.docx or .pdf), attachments:, "
                     f"or form: (one of {', '.join(book.FORMS)})")
        if ch.part is not None and ch.part not in volumes:
            yield at(raw, "tender", ("chapters", i, "part"),
                     f"unknown part '{ch.part}' (price, commercial, technical, or a volume in tender.yaml volumes)")
        if book.volume_of(ch) == "price" and ch.file is not None:
            if ch.file.lower().endswith(".pdf"):
                yield at(raw, "tender", ("chapters", i, "file"),
                         "a price chapter cannot be a PDF: its figures must come from the encrypted prices "
                         "(a .docx with fill: true)")
            elif not ch.fill:
                yield at(raw, "tender", ("chapters", i, "fill"),
                         "a price chapter file must be a template (fill: true) whose figures come from the "
                         "encrypted prices")
        for key in ("attachments", "evidence"):
            for j, ref in enumerate(getattr(ch, key)):
                if known is not None and ref not in known:
                    yield at(raw, "tender", ("chapters", i, key, j), f"unknown attachment '{ref}'")


@reference
def _evidence_exists(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    company, responses = _get(models, "company", Company), _get(models, "responses", Responses)
    if company is None or responses is None:
        return
    known = {q.id for q in company.qualifications} | {a.id for a in responses.attachments}
    for table in ("technical", "commercial"):
        for i, row in enumerate(getattr(responses, table)):
            for j, ref in enumerate(row.evidence):
                if ref not in known:
                    yield at(raw, "responses", (table, i, "evidence", j), f"unknown attachment '{ref}'")
    for i, item in enumerate(responses.references):
        for j, ref in enumerate(item.evidence):
            if ref not in known:
                yield at(raw, "responses", ("references", i, "evidence", j), f"unknown attachment '{ref}'")


@reference
def _package_parts(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    config = _get(models, "config", WorkspaceConfig)
    for i, part in enumerate(config.package.parts if config is not None else []):
        if part not in PART_NAMES:
            yield at(raw, "config", ("package", "parts", i), f"unknown part '{part}' (one of {', '.join(PART_NAMES)})")


@reference
def _progress_names_plan(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    solution, progress = _get(models, "solution", Solution), _get(models, "progress", Progress)
    if solution is None or progress is None:
        return
    tasks = {t.id for t in solution.construction.tasks}
    roles = {s.role for s in solution.construction.staffing}
    for i, rec in enumerate(progress.records):
        if rec.task not in tasks:
            yield at(raw, "progress", ("records", i, "task"), f"unknown task '{rec.task}'")
    for i, srec in enumerate(progress.staffing):
        if srec.role not in roles:
            yield at(raw, "progress", ("staffing", i, "role"), f"unknown staffing role '{srec.role}'")


@reference
def _after_award_needs_award(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    if "award" in models or "award" in raw:  # an award.yaml that failed validation has its own problems
        return
    payments = _get(models, "payments", Payments)
    if payments is not None and payments.requests:
        yield at(raw, "payments", ("requests",), "payment requests without award.yaml (enter the award and the "
                 "contract first)")
    if payments is not None and payments.bond_refund is not None:
        yield at(raw, "payments", ("bond_refund",), "a bond refund without award.yaml (no performance bond)")
    supply = _get(models, "supply", Supply)
    if supply is not None and supply.orders:
        yield at(raw, "supply", ("orders",), "purchase orders without award.yaml (enter the award and the "
                 "contract first)")


@reference
def _bond_refund_needs_bond(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    award, payments = _get(models, "award", Award), _get(models, "payments", Payments)
    if award is None or payments is None or payments.bond_refund is None:
        return
    if award.performance_bond is None:
        yield at(raw, "payments", ("bond_refund",), "a bond refund, but award.yaml records no performance_bond")


@reference
def _instalments_name_tasks(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    award, solution = _get(models, "award", Award), _get(models, "solution", Solution)
    if award is None or solution is None:
        return
    tasks = {t.id for t in solution.construction.tasks}
    for i, inst in enumerate(award.instalments):
        if inst.task is not None and inst.task not in tasks:
            yield at(raw, "award", ("instalments", i, "task"), f"unknown task '{inst.task}'")


@reference
def _requests_name_instalments(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    award, payments = _get(models, "award", Award), _get(models, "payments", Payments)
    if award is None or payments is None:
        return
    names = [i.name for i in award.payment_plan()]
    seen: dict[str, str] = {}
    for i, req in enumerate(payments.requests):
        inst = award.instalment(req.instalment)
        if inst is None:
            what = f"unknown instalment '{req.instalment}'" if req.instalment is not None else "instalment missing"
            yield at(raw, "payments", ("requests", i, "instalment"),
                     f"{what} (one of {', '.join(names)} in award.yaml instalments)")
            continue
        if not award.instalments:  # an older award.yaml without instalments: any amount, as before
            continue
        if inst.name in seen:
            yield at(raw, "payments", ("requests", i, "instalment"),
                     f"instalment '{inst.name}' is already requested by {seen[inst.name]}")
        seen[inst.name] = req.number
        if req.amount is not None and req.amount != award.instalment_amount(inst):
            # no figure in the message: the contract amount is the bid price
            yield at(raw, "payments", ("requests", i, "amount"),
                     f"differs from the instalment '{inst.name}' ({inst.percent.normalize():f}% of the contract "
                     "amount); leave amount out to use the instalment's")


@reference
def _registration_matches_tender(models: Models, raw: Mapping[str, Any]) -> Iterator[Problem]:
    reg, tender = _get(models, "registration", Registration), _get(models, "tender", Tender)
    if reg is None:
        return
    bond = reg.bid_bond
    if tender is not None and bond is not None and tender.bid_bond is not None and bond.amount != tender.bid_bond:
        yield at(raw, "registration", ("bid_bond", "amount"),
                 "differs from the bid bond the tender asks for (tender.yaml bid_bond)")
    if reg.lost is not None and ("award" in models or "award" in raw):
        yield at(raw, "registration", ("lost",), "the bid is recorded as lost, but award.yaml records the award")


__all__ = ["DATA_FILES", "FILE_OF", "REFERENCES", "Checked", "DataFile", "model_problems", "problem_text",
           "reference", "references", "validate"]
