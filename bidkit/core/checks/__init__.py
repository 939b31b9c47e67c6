"""Validity checks (pure): every mechanically checkable cause of an invalid bid (废标), as findings.

Each rule is a small function over a :class:`CheckInput` (the project data plus facts an adapter gathered:
the rendered parts' text, the attachments, the templates' variables) that returns :class:`Finding` objects.
Nothing here reads files or renders; :mod:`bidkit.pipeline.check` gathers the facts. Findings never quote a price.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypedDict

from bidkit.core.book import BookPlan
from bidkit.core.book import plan as book_plan
from bidkit.core.checks.text import Chapter
from bidkit.core.location import line_of
from bidkit.core.models import BidData
from bidkit.core.validation import FILE_OF


class Severity(str, Enum):
    fatal = "fatal"  # the bid would be rejected: assemble refuses
    warning = "warning"  # a risk or lost points: look at it
    info = "info"  # what was not checked, or a remark

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return {"fatal": "致命", "warning": "警告", "info": "提示"}[self.value]


SEVERITY_ORDER = {Severity.fatal: 0, Severity.warning: 1, Severity.info: 2}


@dataclass(frozen=True)
class Finding:
    rule: str  # e.g. price.upper_matches_figures
    severity: Severity
    location: str  # e.g. "responses.yaml:41 technical.7.deviation" or "投标函 p.3"
    message: str  # what is wrong, in words a sales rep understands
    advice: str = ""  # what to do

    @property
    def fatal(self) -> bool:
        return self.severity is Severity.fatal

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "severity": self.severity.value, "location": self.location,
                "message": self.message, "advice": self.advice}

    def __str__(self) -> str:
        return f"[{self.rule}] {self.location}: {self.message}"


class AttachmentFacts(TypedDict):
    exists: bool
    pdf_ok: bool
    pages: int
    problem: str
    notes: list[str]  # what sealing changes in it (repaired, encryption dropped, form flattened, links removed)


@dataclass(frozen=True)
class TemplateVars:
    display: str  # where the template is, e.g. templates/price_part.docx or bundled:price_part.docx
    names: frozenset[str]  # dotted names the template uses, e.g. internal_cost.lines


@dataclass(frozen=True)
class UsedFile:
    """A workspace file the data names that is a copy of a bundled sample's DEMO file."""

    key: str  # the data file's field (company, config, responses, …)
    path: tuple[str | int, ...]  # where the data names it
    rel: str  # the workspace file
    sample_file: str  # the sample's file it is a copy of (e.g. city-surveillance/seals/company_seal.png)


@dataclass(frozen=True)
class MaterialFacts:
    """DEMO and TEST material the workspace uses, found by content (never by a flag the workspace sets)."""

    demo_codes: frozenset[str]  # the project codes DEMO material serves (the bundled samples' own)
    demo_files: tuple[UsedFile, ...] = ()
    certificate: Mapping[str, str] | None = None  # the signing certificate: sha256, subject, issuer
    certificate_is_demo_file: bool = False  # its file is the sample's DEMO certificate (also when unreadable)


@dataclass
class CheckInput:
    """Everything the rules look at. Facts left ``None`` were not gathered: rules needing them say so."""

    data: BidData
    raw: Mapping[str, Any] = field(default_factory=dict)  # parsed YAML per model field, for line numbers
    texts: Mapping[str, str] | None = None  # chapter (docx_name) → its text as rendered or converted
    attachments: Mapping[str, AttachmentFacts] | None = None  # attachment path → facts
    template_vars: Mapping[str, TemplateVars] | None = None  # chapter → the variables its template uses
    render_errors: Mapping[str, str] = field(default_factory=dict)  # chapter → why it did not render
    prices_note: str = ""  # why prices are not readable, when data.pricing is None
    book: BookPlan | None = None  # the chapters of the bid; None: the book of this data
    material: MaterialFacts | None = None  # DEMO/TEST material in use; None: not gathered
    _chapters: dict[str, list[Chapter]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.book is None:
            self.book = book_plan(self.data)

    def where(self, key: str, *path: str | int) -> str:
        """``file:line dotted.path`` for a field of the workspace's YAML."""
        line = line_of(self.raw.get(key), tuple(path)) if key in self.raw else None
        name = FILE_OF.get(key, key)
        dotted = ".".join(str(p) for p in path)
        head = f"{name}:{line}" if line else name
        return f"{head} {dotted}" if dotted else head

    def volumes(self) -> list[str]:
        """The volumes of the book with at least one chapter's text."""
        assert self.book is not None
        return [v.id for v in self.book.volumes if self.chapters(v.id)]

    def chapters(self, volume: str) -> list[Chapter]:
        """The rendered chapters of a volume, its title page first; empty when none was rendered."""
        if self.texts is None or self.book is None:
            return []
        if volume not in self._chapters:
            vol = next((v for v in self.book.volumes if v.id == volume), None)
            out = []
            for pc in vol.chapters if vol is not None else ():
                text = self.texts.get(pc.docx_name)
                if text is None:
                    continue
                out.append(Chapter(volume, "" if pc.kind == "cover" else pc.title, [(0, text)], id=pc.id,
                                   part_title=vol.title if vol else "", filled=pc.kind != "file" or pc.fill))
            if out and out[0].heading:  # no title page rendered: the list still starts with one
                out.insert(0, Chapter(volume, "", [(0, "")], part_title=vol.title if vol else ""))
            self._chapters[volume] = out
        return self._chapters[volume]

    def chapter(self, chapter_id: str) -> Chapter | None:
        """A chapter of the book by its id, as rendered (None when it was not)."""
        assert self.book is not None
        pc = self.book.chapter(chapter_id)
        if pc is None:
            return None
        return next((c for c in self.chapters(pc.volume)[1:] if c.id == chapter_id), None)

    def deadline(self) -> dt.date:
        return self.data.tender.deadline.date()


Rule = Callable[[CheckInput], Iterable[Finding]]


@dataclass(frozen=True)
class RuleSpec:
    id: str
    family: str
    summary: str
    fn: Rule


RULES: dict[str, RuleSpec] = {}


def rule(rule_id: str, summary: str) -> Callable[[Rule], Rule]:
    """Register a rule under ``family.name``; its findings carry that id."""

    def register(fn: Rule) -> Rule:
        RULES[rule_id] = RuleSpec(rule_id, rule_id.split(".", 1)[0], summary, fn)
        return fn

    return register


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.rule, f.location))


def run_checks(inp: CheckInput, only: Iterable[str] | None = None) -> list[Finding]:
    """Every registered rule (or the ids/families in ``only``), findings sorted fatal → warning → info."""
    wanted = set(only) if only else None
    findings: list[Finding] = []
    for spec in RULES.values():
        if wanted is not None and spec.id not in wanted and spec.family not in wanted:
            continue
        findings.extend(spec.fn(inp))
    return sort_findings(findings)


def has_fatal(findings: Iterable[Finding], *, strict: bool = False) -> bool:
    """Whether the findings stop the bid (with ``strict`` warnings do too)."""
    stop = {Severity.fatal, Severity.warning} if strict else {Severity.fatal}
    return any(f.severity in stop for f in findings)


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


# the rule modules register themselves on import
from bidkit.core.checks import completeness, dates, hygiene, identity, price, responsiveness, seals  # noqa: E402
from bidkit.core.checks.price import check_package_text  # noqa: E402

__all__ = [
    "RULES",
    "AttachmentFacts",
    "CheckInput",
    "Finding",
    "MaterialFacts",
    "RuleSpec",
    "Severity",
    "TemplateVars",
    "UsedFile",
    "check_package_text",
    "completeness",
    "counts",
    "dates",
    "has_fatal",
    "hygiene",
    "identity",
    "price",
    "responsiveness",
    "rule",
    "run_checks",
    "seals",
    "sort_findings",
]
