"""``bidkit assemble``: from a workspace to the sealed PDF that is submitted, as a pipeline of stages.

    load → plan the book → unlock → render → convert → compose (merge, number and stamp) → manifest → sign → write

The book is the tender's chapter list (:mod:`bidkit.core.book`). Each stage is a typed function that can be called
and tested alone; :func:`assemble` runs them in order. While LibreOffice converts (subprocesses), the validity
checks, the chapter headings, each converted chapter's text, the quiet spots for the seals on copies and the
signer are prepared in threads, so little of bidkit's own work adds to the conversion's time; fatal findings
still stop the assembly before anything is written. A package is written under a new number
(``build/<code>-v<version>[-<volume>]-<n>.pdf``), never over an older one; one assembly per workspace at a time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bidkit import __version__
from bidkit.adapters.libreoffice import Converted, Job, LibreOffice
from bidkit.adapters.pdf import compose as pdf
from bidkit.adapters.pdf import pages, place, raster, text
from bidkit.adapters.render import layout
from bidkit.adapters.render.text import docx_headings
from bidkit.adapters.sealed import SealedCache
from bidkit.adapters.soffice import Standby
from bidkit.core import book as book_mod
from bidkit.core import review
from bidkit.core.book import BookPlan, PlannedVolume
from bidkit.core.context import cn_date
from bidkit.core.errors import BidkitError, CheckFailed, InputError, OutputError
from bidkit.core.manifest import ManifestEntry, build_manifest
from bidkit.core.typography import cn_quotes
from bidkit.pipeline import book as book_pipeline
from bidkit.pipeline import check
from bidkit.pipeline.signing import secret_env, workspace_signer
from bidkit.store import audit, crypto, keys, lock, snapshot
from bidkit.store.files import atomic_path, atomic_write, file_sha256
from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_workspace

if TYPE_CHECKING:
    from bidkit.adapters.pdf.sign import Signer

ORIGINAL = "正本"
DRAFT_LABEL = "草稿"
_NUMERALS = "一二三四五六七八九十"
LOCK_FILE = ".assemble.lock"
CARRIED = ".carried"  # the conversion of a chapter whose table's last row is carried to its signature page

Progress = Callable[[str], None]
Prompter = Callable[[str], str]
Manifest = dict[str, Any]  # JSON: see bidkit.core.manifest


@dataclass
class Assembled:
    path: Path
    manifest: Path | None
    pages: int
    sha256: str
    seconds: float
    draft: bool
    signed: bool
    parts: list[str]  # the volumes it holds
    converted: list[str]  # chapters LibreOffice converted this time
    cached: list[str]  # chapters taken from build/cache
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, list[int]] = field(default_factory=dict)  # attachment → [first, last] printed page

    def summary(self) -> dict[str, object]:
        return {
            "path": str(self.path), "manifest": str(self.manifest) if self.manifest else None,
            "pages": self.pages, "sha256": self.sha256, "seconds": round(self.seconds, 3),
            "draft": self.draft, "signed": self.signed, "volumes": self.parts,
            "converted": self.converted, "cached": self.cached, "notes": self.notes, "evidence": self.evidence,
        }


# --- the stages ------------------------------------------------------------------------------------------------


def copy_labels(copies: int) -> list[str]:
    """The cover labels of a bid's copies: 正本, then 副本一, 副本二 … (one per copy the bid letter promises)."""
    return [ORIGINAL] + [f"副本{_NUMERALS[i - 1] if i <= len(_NUMERALS) else i}" for i in range(1, copies + 1)]


def load(root: Path | str, copy: str | None, draft: bool = False) -> tuple[Workspace, str]:
    """The workspace through the one validation path, and the cover's copy label: 草稿 for a draft, else 正本
    unless ``copy`` names one of the copies (副本一, 副本二 …; 副本2 is read as 副本二)."""
    ws = load_workspace(root)
    if draft:
        return ws, DRAFT_LABEL
    if copy is None:
        return ws, ws.data.config.package.original_label
    labels = copy_labels(ws.data.responses.bid.copies)
    wanted = copy.strip()
    if wanted.startswith("副本") and wanted[2:].isdigit() and 1 <= int(wanted[2:]) <= len(_NUMERALS):
        wanted = f"副本{_NUMERALS[int(wanted[2:]) - 1]}"
    if wanted not in labels:
        raise InputError(f"--copy: {copy} is not one of {', '.join(labels)} (responses.yaml bid.copies: "
                         f"{ws.data.responses.bid.copies} 副本)")
    return ws, wanted


def plan(ws: Workspace, draft: bool, volumes: Sequence[str] | None = None) -> BookPlan:
    """The book to seal: every volume (or those named), without the priced chapters for a draft."""
    book = book_mod.plan(ws.data)
    if volumes:
        unknown = [v for v in volumes if v not in {vol.id for vol in book.volumes}]
        if unknown:
            raise InputError(f"--volume: {unknown[0]} is not a volume of this bid "
                             f"(one of {', '.join(v.id for v in book.volumes)})")
        book = book.only(list(volumes))
    if draft:
        book = BookPlan(tuple(
            PlannedVolume(v.id, v.title, tuple(c for c in v.chapters if not c.priced))
            for v in book.volumes if any(not c.priced and c.kind != "cover" for c in v.chapters)), book.notes)
    return book


def unlock(ws: Workspace, book: BookPlan, passphrase: str | None, opened: lock.Status | None = None,
           ahead: crypto.KeyAhead | None = None) -> Workspace:
    """The price lock: with a priced chapter, the workspace with its prices decrypted (only through the QA
    approval; ``opened``: what :func:`bidkit.store.lock.open_status` found for this snapshot; ``ahead``: the
    price file's key, derived while the workspace loaded)."""
    if not any(c.priced for c in book.chapters()):
        return ws
    if passphrase is None:
        raise ValueError("unlock(): a package with priced chapters needs the price passphrase")
    return lock.with_prices(ws, passphrase, opened, ahead)


def render(ws: Workspace, book: BookPlan, ready: Callable[[dict[str, bytes]], None] | None = None, *,
           first_build: bool = False) -> dict[str, bytes]:
    """Each chapter's .docx, in memory (by its ``docx_name``, in the book's order); PDF chapters and attachments
    have none. With ``ready``, what LibreOffice should start on is rendered first and handed to it while the
    other chapters render: the bidder's own .docx taken as they are (nothing to render; a 300-page 技术方案 is the
    longest conversion of all) and, on a rebuild, the price chapters (never cached, they are what converts then;
    on a ``first_build`` every form converts, and they go with the others: one LibreOffice start less)."""
    first = {pc.docx_name for pc in book.chapters()
             if (pc.priced and not first_build)
             or (pc.kind == "file" and not pc.pdf_file and book_pipeline.source_of(ws, pc) is None)}
    return book_pipeline.render_chapters(ws, book.chapters(), first if ready else (), ready,
                                         conversion_cache(ws))


def convert(office: LibreOffice, book: BookPlan, docs: Mapping[str, bytes],
            on_converted: Callable[[Converted], None] | None = None) -> dict[str, Converted]:
    """Each chapter's PDF: from the cache when its content is known, else converted; a priced chapter is never
    cached (it converts in a private folder that goes with the command). A bidder's own file converts alone;
    bidkit's forms may be joined. ``on_converted`` hears of each PDF converted as it lands, then of those the
    cache gave (a rebuild's other chapters: their words are read while the price chapters convert)."""
    priced = {c.docx_name for c in book.chapters() if c.priced}
    own = {c.docx_name for c in book.chapters() if c.kind == "file"}
    jobs = [Job(name, blob, cache=name not in priced, alone=name in own) for name, blob in docs.items()]
    out = office.convert(jobs, on_converted, spare=carried(book, docs, office.cache))
    if on_converted is not None:
        for cv in out.values():
            if cv.cached:
                on_converted(cv)
    return out


def carried(book: BookPlan, docs: Mapping[str, bytes], cache: SealedCache | None = None
            ) -> Callable[[str], Job | None]:
    """For a bidkit form with a table before its signature block, the variant :func:`carry` needs when the
    signature block lands alone on the last page, to convert with the form when the form converts (in the same
    LibreOffice process it adds about 0.05 s a form, where converting it afterwards costs a start-up, about
    1 s, on the critical path). A bidder's own file is carried only when needed. A price chapter (converted on
    every assembly) goes without its variant when its last assembly did not need it (:func:`carry_needed`): the
    big bid's three price forms convert in 0.50 s instead of 0.75 s with their variants; should a new price
    change the layout, :func:`carry` converts the variant after all."""
    forms = {pc.docx_name: pc.priced for pc in book.chapters() if pc.kind != "file" and pc.docx_name in docs}
    return lambda name: _carried_job(name, docs[name], forms[name]) \
        if name in forms and not (forms[name] and carry_needed(cache, name) is False) else None


def _carried_job(name: str, docx: bytes, priced: bool, own: bool = False) -> Job | None:
    """The job of the chapter with its table's last row carried onto the signature page (None: no such table);
    cached under a name of its own, so the chapter's own entry stays for next time; a bidder's ``own`` file
    converts alone."""
    moved = layout.carry_last_row(docx)
    return Job(f"{name}{CARRIED}", moved, cache=not priced, alone=own) if moved is not None else None


TEXTS_VERSION = "bidkit-text-1"  # bump when chapter_text changes


def texts(ws: Workspace, book: BookPlan, docs: Mapping[str, bytes], cache: SealedCache | None = None
          ) -> dict[str, str]:
    """What the checks read of each chapter (rendered .docx text, a PDF chapter's text). With ``cache``, the
    text of a .docx without prices is kept by the digest of its bytes (a cached render gives the same bytes
    again; the text of a 300-page 技术方案 takes about a second to read)."""
    out = {}
    for pc in book.chapters():
        blob = docs.get(pc.docx_name)
        if cache is not None and blob is not None and not pc.priced:
            def make(pc: book_mod.PlannedChapter = pc, blob: bytes = blob) -> str:
                value = book_pipeline.chapter_text(ws, pc, blob)
                assert value is not None  # (a .docx always has a text)
                return value

            key = hashlib.sha256(f"{TEXTS_VERSION}\0{pc.kind}\0".encode() + blob).hexdigest()
            out[pc.docx_name] = cache.remembered(f"text-{pc.docx_name}", key, ".txt", make,
                                                 lambda v: v.encode("utf-8"), lambda b: b.decode("utf-8"))
            continue
        value = book_pipeline.chapter_text(ws, pc, blob)
        if value is not None:
            out[pc.docx_name] = value
    return out


def wants_words(ws: Workspace, pc: book_mod.PlannedChapter, chapter_text: str | None) -> bool:
    """Does composing need the chapter's words and their places: a seal or signature anchor in its text, or
    evidence page numbers to write into its table (a PDF chapter's text is not known before: always)."""
    if pc.pdf_file:
        return True
    if chapter_text is None:
        return False
    if book_mod.evidence_rows(ws.data, pc):
        return True
    config = ws.data.config.package
    flat = "".join(chapter_text.split())
    return any("".join(a.split()) in flat for a in (*config.seal_anchors, *config.legal_rep_anchors))


def carry_needed(cache: SealedCache | None, name: str) -> bool | None:
    """Whether the price chapter ``name`` needed its carried variant when it was last assembled (None: not known).
    Kept in the conversion cache, tagged: a layout's yes or no, no figure of the chapter's."""
    known = cache.read(cache.dir / f"carry-{name}.flag") if cache is not None else None
    return {b"yes": True, b"no": False}.get(known) if known is not None else None


def carry(ws: Workspace, book: BookPlan, office: LibreOffice, docs: Mapping[str, bytes],
          converted: dict[str, Converted], words: dict[str, list[text.PageText]]) -> list[str]:
    """A chapter whose last page holds nothing but its signature block (LibreOffice keeps a paragraph with the
    next one, but not a table's last row with the paragraph after the table) is converted again with the
    table's last row carried onto that page; ``converted`` and ``words`` are updated. Returns the chapters.
    For each price chapter, whether it needed that is kept for the next assembly (:func:`carried`)."""
    config = ws.data.config.package
    anchors = [*config.seal_anchors, *config.legal_rep_anchors]
    jobs = []
    priced = {c.docx_name for c in book.chapters() if c.priced}
    own = {c.docx_name for c in book.chapters() if c.kind == "file"}
    ready: dict[str, Converted] = {}
    for name, pages_ in words.items():
        if name in docs and pages_ and place.signature_alone(pages_[-1], anchors):
            spare = converted.get(f"{name}{CARRIED}")
            if spare is not None:  # converted along with the chapter (see :func:`carried`)
                ready[f"{name}{CARRIED}"] = spare
                continue
            job = _carried_job(name, docs[name], name in priced, name in own)
            if job is not None:
                jobs.append(job)
    again = {**ready, **(office.convert(jobs) if jobs else {})}
    for job_name, cv in again.items():
        name = job_name.removesuffix(CARRIED)
        converted[name] = cv
        words[name] = _words(cv, office.cache)
    for unused in [n for n in converted if n.endswith(CARRIED)]:
        del converted[unused]  # the unused variants are not chapters
    done = sorted(n.removesuffix(CARRIED) for n in again)
    for name in priced & set(words):
        if name in docs and carry_needed(office.cache, name) != (name in done):
            office.cache.write(office.cache.dir / f"carry-{name}.flag", b"yes" if name in done else b"no")
    return done


OUTLINE_VERSION = "bidkit-outline-1"  # bump when docx_headings changes


def outline(book: BookPlan, docs: Mapping[str, bytes], cache: SealedCache | None = None
            ) -> dict[str, list[tuple[int, str]]]:
    """The headings of each chapter the 目录 lists (its ``toc_depth`` levels of the chapter's own Word headings).
    With ``cache``, kept by the digest of the .docx (reading a 300-page 技术方案's headings takes 0.2-0.4 s of
    Python on every rebuild otherwise, while the price chapters are being handed to LibreOffice)."""
    out: dict[str, list[tuple[int, str]]] = {}
    for pc in book.chapters():
        blob = docs.get(pc.docx_name)
        if not pc.toc_depth or blob is None:
            continue
        if cache is None or pc.priced:
            out[pc.docx_name] = docx_headings(blob, pc.toc_depth)
            continue
        key = hashlib.sha256(f"{OUTLINE_VERSION}\0{pc.toc_depth}\0".encode() + blob).hexdigest()
        out[pc.docx_name] = cache.remembered(
            f"outline-{pc.docx_name}", key, ".json",
            functools.partial(docx_headings, blob, pc.toc_depth),
            lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8"),
            lambda b: [(int(level), str(text)) for level, text in json.loads(b)])
    return out


def run_checks(ws: Workspace, draft: bool, texts: Mapping[str, str], cache: SealedCache | None = None) -> list[str]:
    """The validity checks on the parts as rendered for this package; a fatal finding stops the assembly."""
    findings = check.run(ws, include_prices=not draft, rendered=texts, cache=cache)
    fatal = [f for f in findings if f.fatal]
    if fatal:
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise CheckFailed(f"the bid would be invalid: {fatal[0]}{more}")
    return [str(f) for f in findings if f.severity.value != "info"]


def cover_info(ws: Workspace, copy_label: str, draft: bool) -> pages.CoverInfo:
    d = ws.data
    return pages.CoverInfo(cn_quotes(d.tender.project_name), d.tender.number, cn_quotes(d.company.name),
                           cn_date(d.responses.bid.date), copy_label, draft=draft)


def volume_inputs(ws: Workspace, book: BookPlan, converted: Mapping[str, Converted],
                  headings: Mapping[str, list[tuple[int, str]]], words: Mapping[str, list[text.PageText]]
                  ) -> list[pdf.VolumeInput]:
    """Every volume's chapters with their attachments, as the PDF stage takes them (before the conversion, with
    ``converted`` empty, a converted chapter's PDF is None: enough for the 目录's lines)."""
    d = ws.data
    index = book_mod.attachment_index(d)
    volumes = []
    for vol in book.volumes:
        chapters = []
        for pc in vol.chapters:
            own = converted[pc.docx_name].pdf if pc.docx_name in converted else book_pipeline.chapter_file(ws, pc)
            atts = [pdf.AttachmentInput(a, cn_quotes(index[a].title), ws.path(index[a].path, what="attachment"),
                                        index[a].path, stamp=pc.stamp and index[a].stamp) for a in pc.attachments]
            chapters.append(pdf.ChapterInput(
                pc.docx_name, cn_quotes(pc.title), own, words.get(pc.docx_name),
                list(headings.get(pc.docx_name, [])), atts,
                needs_seal=pc.needs_seal, copy_note=pc.copy_note, evidence_rows=book_mod.evidence_rows(d, pc),
                cover=pc.kind == "cover", read_words=pc.docx_name in words))
        volumes.append(pdf.VolumeInput(vol.id, cn_quotes(vol.title), chapters))
    return volumes


def front_ahead(ws: Workspace, book: BookPlan, headings: Mapping[str, list[tuple[int, str]]], copy_label: str,
                draft: bool) -> pages.FrontLayout:
    """Cover and 目录 laid out while the chapters convert (their page numbers are written in by :func:`compose`)."""
    return pdf.front_layout(cover_info(ws, copy_label, draft), volume_inputs(ws, book, {}, headings, {}),
                            ws.data.config.package, draft=draft, cache=conversion_cache(ws))


def compose(ws: Workspace, book: BookPlan, converted: Mapping[str, Converted],
            headings: Mapping[str, list[tuple[int, str]]], words: Mapping[str, list[text.PageText]],
            copy_spots: Mapping[str, list[tuple[float, float]]], copy_label: str, draft: bool, target: Path,
            front: pages.FrontLayout | None = None) -> pdf.Composed:
    """Cover, 目录 (``front``, when laid out ahead) and every volume's chapters with their attachments, merged,
    numbered and stamped into ``target``."""
    d = ws.data
    volumes = volume_inputs(ws, book, converted, headings, words)
    c = d.company
    legal = c.legal_rep_seal or c.legal_rep_signature
    seals = pdf.SealFiles(ws.path(c.company_seal, what="seal") if c.company_seal else None, c.company_seal or "",
                          ws.path(legal, what="seal") if legal else None, legal or "")
    config = d.config.package
    with pdf.merge(cover_info(ws, copy_label, draft), volumes, config, draft=draft,
                   front_cache=conversion_cache(ws), front=front) as merged:
        stamps = pdf.stamp_book(merged, seals, config, draft, dict(copy_spots), company_mm=c.company_seal_mm,
                                legal_mm=c.legal_rep_seal_mm)
        return pdf.save(merged, stamps, target, draft=draft, title=cn_quotes(d.tender.project_name),
                        author=d.company.name)


SPOTS_VERSION = "bidkit-spots-1"  # bump when raster.quiet_spots changes


def spots(ws: Workspace, book: BookPlan) -> dict[str, list[tuple[float, float]]]:
    """For every attachment stamped as a copy: where on each of its pages the seal covers the least (kept in
    the conversion cache by the file's digest and the seal's size: rasterising 150 scanned pages takes about a
    second, every time otherwise)."""
    index = book_mod.attachment_index(ws.data)
    cache = conversion_cache(ws)
    seal_pt = ws.data.company.company_seal_mm * raster.MM
    out: dict[str, list[tuple[float, float]]] = {}
    for pc in book.chapters():
        for a in pc.attachments:
            if pc.stamp and index[a].stamp and a not in out:
                path = ws.path(index[a].path, what="attachment")
                key = hashlib.sha256(f"{SPOTS_VERSION}\0{seal_pt!r}\0{file_sha256(path)}".encode()).hexdigest()
                tag = hashlib.sha256(a.encode()).hexdigest()[:16]  # (an id is not a file name)
                out[a] = cache.remembered(f"spots-{tag}", key, ".json",
                                          functools.partial(raster.quiet_spots, path, seal_pt),
                                          lambda v: json.dumps(v).encode(),
                                          lambda b: [(float(x), float(y)) for x, y in json.loads(b)])
    return out


def manifest(ws: Workspace, composed: pdf.Composed, draft: bool, signer: Signer | None = None,
             status: lock.Status | None = None) -> Manifest:
    """The package manifest: every section's page range, its source's digest, the approval it was sealed
    under (none for a draft) and the signer's certificate (fingerprint, subject, issuer; none unsigned).
    ``status``: the lock's status of this snapshot, read at the start (its file digests are the sources')."""
    known = status.digests if status is not None else {}

    def digest(path: Path) -> str:
        with contextlib.suppress(ValueError):
            rel = path.resolve().relative_to(ws.root.resolve()).as_posix()
            if (found := known.get(review.file_input(rel))) is not None:
                return found
        return file_sha256(path)

    sources = {s.name: digest(s.source) for s in composed.sections if s.source is not None}
    entries = [ManifestEntry(s.name, s.title, s.kind, sources.get(s.name), s.first, s.last, s.notes)
               for s in composed.sections]
    approval = None
    if not draft:
        status = status or lock.status(ws)
        st = status.decision
        if st is not None and st.decision == "approved" and status.voucher is not None:
            approval = {"reviewer": st.reviewer, "time": st.time, "decision": st.decision,
                        "digest": review.combined(st.digests), "statement": st.model_dump(mode="json"),
                        "trust": status.voucher.model_dump(mode="json"), "demo": status.voucher.demo,
                        "log_head": audit.head(ws.root)}
    return build_manifest(
        project_code=ws.data.project.code, version=ws.data.config.version, bidkit_version=__version__,
        front=[e for e in entries if e.kind == "front"], parts=[e for e in entries if e.kind == "chapter"],
        attachments=[e for e in entries if e.kind == "attachment"], approval=approval, draft=draft,
        signer=signer.identity() if signer is not None else None,
    )


def seal(path: Path, manifest: Manifest, signer: Signer | None) -> Manifest:
    """Page digests into the manifest, the manifest into the PDF, and the signature (none for a draft)."""
    from bidkit.adapters.pdf import sign  # pyHanko: 0.4 s to import, so only once the package is being sealed

    return sign.seal(path, manifest, signer)


def write(ws: Workspace, draft: bool, produce: Callable[[Path], Manifest], volume: str | None = None
          ) -> tuple[Path, Path, str, Manifest]:
    """Write the package under the next free number: ``produce(tmp)`` writes it beside its target, which it
    becomes atomically; then its manifest beside it. No package is left without its manifest."""
    stem = f"{ws.data.project.code}-v{ws.data.config.version}" + (f"-{volume}" if volume else "") \
        + ("-draft" if draft else "")
    n = 1
    while (ws.build_dir / f"{stem}-{n}.pdf").exists() or (ws.build_dir / f"{stem}-{n}.manifest.json").exists():
        n += 1
    target = ws.build_dir / f"{stem}-{n}.pdf"
    with atomic_path(target, overwrite=False) as tmp:
        final = produce(tmp)
        digest = file_sha256(tmp)
    final["sha256"] = digest
    manifest_path = target.with_name(target.stem + ".manifest.json")
    try:
        atomic_write(manifest_path, json.dumps(final, ensure_ascii=False, indent=2) + "\n", overwrite=False)
    except BaseException:  # disk full or Ctrl-C between the two files: no package without its manifest
        target.unlink(missing_ok=True)
        raise
    return target, manifest_path, digest, final


# --- the whole run ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def exclusive(build: Path) -> Iterator[None]:
    """Hold ``build/.assemble.lock``; a second assembly of the same workspace is refused, not mixed in."""
    try:
        build.mkdir(parents=True, exist_ok=True)
        fd = os.open(build / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise OutputError(f"{build}: cannot write ({exc.strerror or exc})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputError("another assembly of this workspace is running; try again when it ends") from None
            raise
        yield
    finally:
        os.close(fd)  # closing releases the lock, also on Ctrl-C


def hand_off(office: LibreOffice, conversion: Future[dict[str, Converted]], standby: Standby | None,
             limit: float = 2.0) -> None:
    """Wait until LibreOffice has the files of ``conversion`` before the checks, the headings and the signer
    start: the last steps of a batch before its soffice starts (looking the jobs up, joining the forms, writing
    them: 0.1-0.2 s of Python) otherwise wait for the GIL behind those threads (measured: LibreOffice started
    0.45 s later on the big bid's rebuild, 0.35 s later on a cold assembly of forms only). Not while the standby
    is still starting up: the Python work goes on meanwhile."""
    deadline = time.monotonic() + limit
    while not office.started.wait(0.005) and not conversion.done() and time.monotonic() < deadline:
        if standby is not None and standby.starting():
            return


@contextlib.contextmanager
def _closing(held: list[Signer | Future[Signer | None] | None]) -> Iterator[None]:
    """Close the signer when the assembly ends, also when it failed (a token's session ends with the command);
    ``held`` has the signer, or the future that loads it (done by then: the thread pool exits first)."""
    try:
        yield
    finally:
        for item in held:
            if isinstance(item, Future):
                if not item.done() or item.cancelled() or item.exception() is not None:
                    continue
                item = item.result()
            if item is not None:
                item.close()


def _refuse_demo_signer(ws: Workspace, signer: Signer | None) -> None:
    """A DEMO certificate on a token (tools/demo_token.py) signs only the samples' own projects."""
    if signer is not None and (refused := check.signer_refusals(ws, signer.identity())):
        raise check.refusal(refused)


def conversion_cache(ws: Workspace) -> SealedCache:
    """The workspace's conversion cache, tagged under this user's cache key (see :mod:`bidkit.adapters.sealed`)."""
    return SealedCache(ws.build_dir / "cache", keys.cache_secret())


def _words(cv: Converted, cache: SealedCache) -> list[text.PageText]:
    """A converted part's words and boxes, kept (tagged) beside its cache entry; never for a confidential part,
    which has none."""
    keep = cv.entry.with_name(cv.entry.name + ".words.json") if cv.entry is not None else None
    if cv.cached and keep is not None:
        data = cache.read(keep)
        known = text.words_from_json(data.decode("utf-8", "replace")) if data else None
        if known is not None:
            return known
    words = text.page_words(cv.pdf)
    if keep is not None:
        cache.write(keep, text.words_to_json(words).encode("utf-8"))
    return words


def _key_ahead(root: Path, draft: bool) -> contextlib.AbstractContextManager[crypto.KeyAhead | None]:
    """The price file's key derived in a thread while the workspace loads, its snapshot is made and the lock is
    checked (scrypt: 0.1 s, outside the GIL) when the passphrase is in the environment; decrypting the snapshot's
    price file uses it only for the same passphrase, salt and parameters (see :class:`crypto.KeyAhead`)."""
    secret = os.environ.get(crypto.ENV)
    if draft or not secret:
        return contextlib.nullcontext()
    try:
        with open(root / lock.PRICES, "rb") as fh:
            blob = fh.read(crypto.MAX_FILE + 1)
    except OSError:
        return contextlib.nullcontext()
    return crypto.KeyAhead(blob, secret)


def assemble(
    root: Path | str,
    *,
    draft: bool = False,
    copy: str | None = None,
    progress: Progress | None = None,
    prompter: Prompter | None = None,
    sign_prompter: Prompter | None = None,
    split: bool = False,
) -> list[Assembled]:
    """Build the package of the workspace at ``root`` (with ``split``, one package per volume, each signed);
    return where they are and what they hold.

    LibreOffice is the long pole: one soffice starts at once (a :class:`Standby`, for the first conversion to hand
    its files to), secrets are asked and the lock checked, then every chapter is rendered and handed to
    LibreOffice; while it converts, the checks, headings, the seals' places on copies and the signer are prepared
    here."""
    start = time.perf_counter()
    step = progress or (lambda _s: None)
    timings: dict[str, float] = {}
    mark = [start]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name], mark[0] = now - mark[0], now

    step("load")
    with Standby() as standby, _key_ahead(Path(root), draft) as ahead:
        ws, copy_label = load(root, copy, draft)
        if not draft and (refused := check.demo_refusals(ws)):  # the sample's DEMO seals or certificate: at once
            raise check.refusal(refused)
        with snapshot.snapshot(ws) as snap:  # read once: every later stage reads this private copy
            return _assemble(snap, copy_label, draft=draft, step=step, lap=lap, timings=timings, start=start,
                             prompter=prompter, sign_prompter=sign_prompter, split=split, standby=standby,
                             ahead=ahead)


def _assemble(ws: Workspace, copy_label: str, *, draft: bool, step: Progress, lap: Callable[[str], None],
              timings: dict[str, float], start: float, prompter: Prompter | None, sign_prompter: Prompter | None,
              split: bool, standby: Standby | None = None, ahead: crypto.KeyAhead | None = None
              ) -> list[Assembled]:
    book = plan(ws, draft)
    notes = list(book.notes)
    passphrase = None
    # the lock's status, read once: the snapshot cannot change (its file digests serve the manifest too)
    status = lock.status(ws) if not draft else None
    if any(c.priced for c in book.chapters()):  # a closed lock or a missing secret refuses before any slow work
        status = lock.open_status(ws, status)
        passphrase = crypto.passphrase(prompter=prompter)
    signer: Signer | None = None
    env = secret_env(ws.data.config.signing)
    asks = not draft and env is not None and env not in os.environ
    if asks:
        signer = workspace_signer(ws, prompter=sign_prompter)  # asks for the password or PIN before the long wait
        try:
            _refuse_demo_signer(ws, signer)
        except BaseException:
            if signer is not None:
                signer.close()
            raise
    held: list[Signer | Future[Signer | None] | None] = [signer]
    lap("load")
    with _closing(held), exclusive(ws.build_dir), \
            ThreadPoolExecutor(max_workers=6, thread_name_prefix="bidkit-assemble") as pool, \
            LibreOffice(conversion_cache(ws), standby=standby) as office:  # (exits first: its processes end first)
        words_f: dict[str, Future[list[text.PageText]]] = {}

        wanted: set[str] | None = None  # the chapters whose words composing needs (known once their text is)
        done: list[Converted] = []
        guard = threading.Lock()

        def read_words(cv: Converted) -> None:  # each converted chapter's words are read while the rest converts
            with guard:
                if wanted is None:
                    done.append(cv)
                elif cv.name in wanted:
                    words_f[cv.name] = pool.submit(_words, cv, office.cache)

        step("render")
        ws = unlock(ws, book, passphrase, status, ahead)
        first: list[Future[dict[str, Converted]]] = []
        early: dict[str, bytes] = {}

        signing: Future[Signer | None] | None = None
        first_build = not any((ws.build_dir / "cache").glob("*.pdf"))

        def convert_early(blobs: dict[str, bytes]) -> None:  # while the other chapters render
            early.update(blobs)
            first.append(pool.submit(convert, office, book, blobs, read_words))

        docs = render(ws, book, convert_early, first_build=first_build)
        rest = pool.submit(convert, office, book, {n: b for n, b in docs.items() if n not in early}, read_words)
        lap("render")
        hand_off(office, first[0] if first else rest, standby)  # (a first build without a bidder's file: the rest)

        step("convert")
        # while LibreOffice converts (subprocesses), the Python work goes on here
        chapter_texts = texts(ws, book, docs, office.cache)
        with guard:
            wanted = {pc.docx_name for pc in book.chapters() if wants_words(ws, pc, chapter_texts.get(pc.docx_name))}
            for cv in done:
                if cv.name in wanted:
                    words_f[cv.name] = pool.submit(_words, cv, office.cache)
        checks = pool.submit(run_checks, ws, draft, chapter_texts, office.cache)
        pool.submit(place.warm)
        seal_spots = pool.submit(spots, ws, book) if not draft else None
        headings = outline(book, docs, office.cache)
        if not draft and not asks:  # (pyHanko's import, 0.5 s of Python: started earlier, on a rebuild, it held
            # back the preparation of the price chapters' conversion by as much; measured 0.3-0.6 s later end)
            signing = pool.submit(workspace_signer, ws, prompter=sign_prompter)
            held.append(signing)
        parts = [BookPlan((v,), book.notes) for v in book.volumes] if split else [book]
        fronts: dict[int, pages.FrontLayout] = {}  # each package's cover and 目录, laid out while LibreOffice works
        for i, part in enumerate(parts):
            with contextlib.suppress(Exception):  # only a head start: a real problem shows in compose
                fronts[i] = front_ahead(ws, part, headings, copy_label, draft)
        try:
            both = {**(first[0].result() if first else {}), **rest.result()}
            converted = {n: both[n] for n in [*docs, *both] if n in both}  # the book's order (then the spares)
        except BidkitError:
            problem = checks.exception()
            if isinstance(problem, BidkitError):  # the data's own problem explains more than the tool's
                raise problem from None
            raise
        lap("convert")
        notes += checks.result()  # fatal findings raise here: nothing has been written yet
        words = {n: (words_f[n] if n in words_f else pool.submit(_words, cv, office.cache)).result()
                 for n, cv in converted.items() if wanted is not None and n in wanted}
        converted = dict(converted)
        carry(ws, book, office, docs, converted, words)
        for pc in book.chapters():
            path = book_pipeline.chapter_file(ws, pc)
            if path is not None:
                words[pc.docx_name] = text.page_words(path)
        copy_spots = seal_spots.result() if seal_spots is not None else {}
        if signing is not None:
            signer = signing.result()
            _refuse_demo_signer(ws, signer)
        lap("checks")
        if not draft and signer is None:
            notes.append("package not signed: bidkit.yaml has no signing.certificate or signing.pkcs11 "
                         "(bidkit keys cert makes a test certificate)")

        results: list[tuple[Path, Path, str, pdf.Composed, str | None]] = []
        for i, part in enumerate(parts):
            step("compose")
            composed: list[pdf.Composed] = []

            def produce(tmp: Path, part: BookPlan = part, composed: list[pdf.Composed] = composed,
                        front: pages.FrontLayout | None = fronts.get(i)) -> Manifest:
                composed.append(compose(ws, part, converted, headings, words, copy_spots, copy_label, draft, tmp,
                                        front))
                lap("compose")
                step("sign")
                final = seal(tmp, manifest(ws, composed[0], draft, signer, status), signer)
                lap("sign")
                return final

            volume = part.volumes[0].id if split else None
            target, manifest_path, digest, _ = write(ws, draft, produce, volume)
            notes += [n for n in composed[0].notes if n not in notes]
            results.append((target, manifest_path, digest, composed[0], volume))

    out = []
    for target, manifest_path, digest, composed_one, volume in results:
        audit.append(ws.home, "assemble", {"file": str(target.relative_to(ws.home)), "sha256": digest,
                                           "pages": composed_one.pages, "draft": draft,
                                           **({"volume": volume} if volume else {})})
        out.append(Assembled(
            path=target, manifest=manifest_path, pages=composed_one.pages, sha256=digest,
            seconds=time.perf_counter() - start, draft=draft, signed=signer is not None,
            parts=[v.id for v in (book.volumes if volume is None else book.only([volume]).volumes)],
            converted=[n for n, cv in converted.items() if not cv.cached],
            cached=[n for n, cv in converted.items() if cv.cached], notes=notes,
            timings={**timings, **{f"compose.{k}": v for k, v in composed_one.timings.items()}},
            evidence={k: list(v) for k, v in composed_one.evidence.items()},
        ))
    return out


__all__ = ["Assembled", "assemble", "compose", "convert", "load", "manifest", "outline", "plan", "render",
           "run_checks", "seal", "spots", "texts", "unlock", "write"]
