"""The bid book (pure): which chapters, in which volumes, in which order, from which sources.

The tender decides the book: its chapter list (``tender.yaml`` ``chapters``) gives every chapter's title, volume
(``part``) and source, in the tender's order; volumes come in the order the tender lists them (``volumes``) or
in which its chapters first name them. A workspace without a chapter list keeps the book bidkit always made
(:data:`LEGACY_CHAPTERS`, volumes in ``bidkit.yaml`` ``package.parts`` order). Evidence a chapter cites and no
chapter attaches goes into a 证明材料 chapter at the end of the citing chapter's volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bidkit.core.models import BidData, Chapter

Kind = Literal["cover", "form", "file", "attachments"]

VOLUME_TITLES = {"price": "报价部分", "commercial": "商务部分", "technical": "技术部分"}
LEGACY_VOLUMES = {"price_part": "price", "commercial_part": "commercial", "technical_part": "technical"}
PART_OF_VOLUME = {v: k for k, v in LEGACY_VOLUMES.items()}
EVIDENCE_TITLE = "证明材料"


@dataclass(frozen=True)
class FormInfo:
    title: str  # the usual title, when the tender names none
    volume: str  # the volume it belongs to when the chapter says no part
    priced: bool = False  # shows prices: rendered only through the open lock, never cached


# the bundled bid forms (templates/forms/<id>.docx); a tender chapter names one by its id (or `form:`)
FORMS: dict[str, FormInfo] = {
    "bid_letter": FormInfo("投标函", "price", priced=True),
    "opening_summary": FormInfo("开标一览表", "price", priced=True),
    "itemised_prices": FormInfo("分项报价表", "price", priced=True),
    "legal_rep_certificate": FormInfo("法定代表人身份证明书", "commercial"),
    "authorisation_letter": FormInfo("法定代表人授权书", "commercial"),
    "qualifications": FormInfo("资格证明文件", "commercial"),
    "sme_declaration": FormInfo("中小企业声明函", "commercial"),
    "supplier_conditions": FormInfo("符合《中华人民共和国政府采购法》第二十二条规定的声明", "commercial"),
    "no_violation_declaration": FormInfo("参加政府采购活动前三年内在经营活动中没有重大违法记录的声明", "commercial"),
    "commercial_deviations": FormInfo("商务偏离表", "commercial"),
    "references": FormInfo("类似项目业绩", "commercial"),
    "after_sales": FormInfo("售后服务承诺", "commercial"),
    "technical_solution": FormInfo("技术方案", "technical"),
    "bom": FormInfo("设备清单", "technical"),
    "technical_deviations": FormInfo("技术偏离表", "technical"),
    "construction_organisation": FormInfo("施工组织设计", "technical"),
}
COVER_FORM = "volume_cover"  # the title page of each volume
ALIASES = {"construction_plan": "construction_organisation"}  # chapter ids of older tender.yaml files

# the book bidkit made before chapter lists: (id, volume, needs_seal, needs_signature)
LEGACY_CHAPTERS: tuple[tuple[str, str, bool, bool], ...] = (
    ("bid_letter", "price", True, True),
    ("opening_summary", "price", True, False),
    ("itemised_prices", "price", True, False),
    ("authorisation_letter", "commercial", True, True),
    ("qualifications", "commercial", False, False),
    ("commercial_deviations", "commercial", True, False),
    ("references", "commercial", False, False),
    ("after_sales", "commercial", False, False),
    ("technical_solution", "technical", False, False),
    ("bom", "technical", False, False),
    ("technical_deviations", "technical", True, False),
    ("construction_organisation", "technical", False, False),
)


@dataclass(frozen=True)
class PlannedChapter:
    id: str
    title: str
    volume: str
    kind: Kind
    form: str | None = None  # kind form/cover: the bundled form (or a workspace override of it)
    file: str | None = None  # kind file: the workspace path of the .docx or .pdf
    fill: bool = False
    attachments: tuple[str, ...] = ()  # after the chapter's own pages (or all it has, for kind attachments)
    stamp: bool = True
    copy_note: bool = False
    toc_depth: int = 0
    needs_seal: bool = False
    needs_signature: bool = False
    priced: bool = False  # holds prices: through the lock only, never cached, never a PDF
    index: int = -1  # its position in tender.yaml chapters (-1: not from the list)

    @property
    def pdf_file(self) -> bool:
        return self.kind == "file" and self.file is not None and self.file.lower().endswith(".pdf")

    @property
    def docx_name(self) -> str:
        """The name of its rendered .docx (and cache entry)."""
        return f"{self.volume}-{self.id}" if self.kind == "cover" else self.id


@dataclass(frozen=True)
class PlannedVolume:
    id: str
    title: str
    chapters: tuple[PlannedChapter, ...]

    @property
    def priced(self) -> bool:
        return any(c.priced for c in self.chapters)


@dataclass(frozen=True)
class BookPlan:
    volumes: tuple[PlannedVolume, ...]
    notes: tuple[str, ...] = field(default=())  # deprecations to tell the user

    def chapters(self) -> list[PlannedChapter]:
        return [c for v in self.volumes for c in v.chapters]

    def chapter(self, chapter_id: str) -> PlannedChapter | None:
        return next((c for c in self.chapters() if c.id == chapter_id and c.kind != "cover"), None)

    def only(self, volumes: list[str]) -> BookPlan:
        return BookPlan(tuple(v for v in self.volumes if v.id in volumes), self.notes)


def form_of(chapter: Chapter) -> str | None:
    """The bundled form a chapter is made from, or None (a file, or attachments only)."""
    if chapter.file is not None:
        return None
    name = chapter.form or ALIASES.get(chapter.id, chapter.id)
    return name if name in FORMS else None


def volume_of(chapter: Chapter) -> str:
    """The chapter's volume: its ``part``, else its form's, else commercial."""
    if chapter.part:
        return LEGACY_VOLUMES.get(chapter.part, chapter.part)
    form = form_of(chapter)
    if form is not None:
        return FORMS[form].volume
    return "commercial"


def tender_chapters(data: BidData) -> tuple[list[Chapter], list[str]]:
    """The chapter list that makes the book, and deprecation notes."""
    notes: list[str] = []
    legacy_parts = [LEGACY_VOLUMES.get(p, p) for p in data.config.package.parts]
    if data.tender.chapters:
        if "parts" in data.config.package.model_fields_set:
            notes.append("bidkit.yaml package.parts is deprecated: tender.yaml chapters decide the order "
                         "(each chapter's part: names its volume)")
        return list(data.tender.chapters), notes
    chapters = [Chapter(id=cid, title=FORMS[cid].title, part=vol, needs_seal=seal, needs_signature=sign)
                for cid, vol, seal, sign in LEGACY_CHAPTERS]
    order = {v: i for i, v in enumerate(legacy_parts)}
    chapters = [c for c in chapters if c.part in order]
    chapters.sort(key=lambda c: order[c.part or ""])
    return chapters, notes


def default_attachments(data: BidData) -> tuple[str, ...]:
    """The qualification scans a 资格证明文件 chapter holds when it names none: the tender's required ones, or all."""
    quals = {q.id for q in data.company.qualifications}
    required = [r.qualification for r in data.tender.required_attachments if r.qualification in quals]
    return tuple(required or [q.id for q in data.company.qualifications])


def cited_evidence(data: BidData, chapter: Chapter) -> list[str]:
    """The attachment ids a chapter cites: its own ``evidence``, and its rows' (deviation tables, references)."""
    ids = list(chapter.evidence)
    form = form_of(chapter)
    if form in ("technical_deviations", "commercial_deviations"):
        rows = data.responses.technical if form == "technical_deviations" else data.responses.commercial
        ids += [e for row in rows for e in row.evidence]
    elif form == "references":
        ids += [e for ref in data.responses.references for e in ref.evidence]
    return list(dict.fromkeys(ids))


def plan(data: BidData) -> BookPlan:
    """The book of this workspace: volumes in order, each opening with its title page, then its chapters."""
    chapters, notes = tender_chapters(data)
    volume_order: list[str] = [v.id for v in data.tender.volumes]
    titles = {v.id: v.title for v in data.tender.volumes}
    planned: dict[str, list[PlannedChapter]] = {}
    attached: set[str] = set()
    cites: dict[str, list[str]] = {}
    for index, ch in enumerate(chapters):
        volume = volume_of(ch)
        if volume not in volume_order:
            volume_order.append(volume)
        form = form_of(ch)
        atts = tuple(ch.attachments)
        if form == "qualifications" and not atts:
            atts = default_attachments(data)
        kind: Kind = "form" if form is not None else "file" if ch.file is not None else "attachments"
        priced = (form is not None and FORMS[form].priced) or (volume == "price" and kind == "file")
        planned.setdefault(volume, []).append(PlannedChapter(
            id=ch.id, title=ch.title, volume=volume, kind=kind, form=form, file=ch.file, fill=ch.fill,
            attachments=atts, stamp=ch.stamp is not False, copy_note=ch.copy_note, toc_depth=ch.toc_depth,
            needs_seal=ch.needs_seal, needs_signature=ch.needs_signature, priced=priced,
            index=index if data.tender.chapters else -1,
        ))
        attached.update(atts)
        cites.setdefault(volume, []).extend(cited_evidence(data, ch))
    volumes = []
    for vid in volume_order:
        if vid not in planned:
            continue
        title = titles.get(vid) or VOLUME_TITLES.get(vid, vid)
        cover = PlannedChapter(id="cover", title=title, volume=vid, kind="cover", form=COVER_FORM)
        missing = tuple(dict.fromkeys(e for e in cites.get(vid, []) if e not in attached))
        extra = []
        if missing:
            extra.append(PlannedChapter(id=f"{vid}-evidence", title=EVIDENCE_TITLE, volume=vid, kind="attachments",
                                        attachments=missing))
            attached.update(missing)
        volumes.append(PlannedVolume(vid, title, (cover, *planned[vid], *extra)))
    return BookPlan(tuple(volumes), tuple(notes))


@dataclass(frozen=True)
class AttachmentRef:
    id: str
    title: str
    path: str  # workspace path of the PDF
    stamp: bool = True


def attachment_index(data: BidData) -> dict[str, AttachmentRef]:
    """Every attachment a chapter can name: the company's qualification scans and the bid's own attachments."""
    out = {q.id: AttachmentRef(q.id, q.name, q.scan) for q in data.company.qualifications}
    for a in data.responses.attachments:
        out.setdefault(a.id, AttachmentRef(a.id, a.title, a.file, a.stamp))
    return out


def evidence_rows(data: BidData, chapter: PlannedChapter) -> list[tuple[int, list[str]]]:
    """The rows of a chapter's table that cite evidence: (the row's 序号, attachment ids), in the numbering the
    form prints (deviation tables, references)."""
    if chapter.form in ("technical_deviations", "commercial_deviations"):
        rows = data.responses.technical if chapter.form == "technical_deviations" else data.responses.commercial
        return [(i, list(row.evidence)) for i, row in enumerate(rows, 1) if row.evidence]
    if chapter.form == "references":
        return [(i, list(ref.evidence)) for i, ref in enumerate(data.responses.references, 1) if ref.evidence]
    return []
