"""The one validation path (pure): every rule that can be decided from the workspace's files, all at once.

:func:`validate` takes the parsed YAML of each file and returns the models it could build and every
:class:`~bidkit.core.location.Problem` it found: each file's own model errors (one file's errors never hide
another's), then every reference between files. :mod:`bidkit.store.workspace` adds what needs the file system
(scans, seals, templates that must exist) and is the only caller; every command goes through it, so
``bidkit validate`` and ``bidkit status`` can never disagree. Later rules add themselves to :data:`REFERENCES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from bidkit.core import book
from bidkit.core.location import FieldPath, Location, Problem
from bidkit.core.models import PART_NAMES, BidData
from bidkit.core.models.acceptance import Acceptance
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


def problem_text(err: ErrorDetails) -> str:
    """A pydantic error in plain words (the validators' own messages without pydantic's prefix)."""
    value = err.get("input")
    if err["type"].startswith(("date", "datetime")) and isinstance(value, str) and _DATE_LIKE.fullmatch(value):
        return f"{value} is not a date that exists"
    if isinstance(value, str) and _YAML11_NUMBER.fullmatch(value):
        return (f"'{value}' is not a plain number (YAML 1.1 would read it as base 60, hex, octal or with "
                "separators): write the number plainly, e.g. 120, 16, 1000, 0")
    return _PLAIN.get(err["type"]) or str(err["msg"]).removeprefix("Value error, ")


def model_problems(exc: ValidationError, file: str, raw: object) -> list[Problem]:
    """One :class:`Problem` per pydantic error of a model validated from the parsed file ``raw``."""
    out = []
    for err in exc.errors():
        path: FieldPath = tuple(err["loc"]) or ("(top)",)
        out.append(Problem(Location.of(file, raw, tuple(err["loc"])).with_path(path), problem_text(err)))
    return out


@dataclass
class Checked:
    """What :func:`validate` built: the models of the files that are valid, and every problem found."""

    models: dict[str, BaseModel]
    problems: list[Problem]
    invalid: set[str] = field(default_factory=set)  # fields whose file's own model did not validate

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
            problems += model_problems(exc, f.name, raw[f.field])
            if (part := partial(f.model, raw[f.field])) is not None:
                partials[f.field] = part
    checked = Checked(models, problems, invalid)
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
