"""``bidkit assemble``: from a workspace to the one sealed PDF that is submitted.

load → price lock → render .docx → convert (cached) → cover + TOC → merge, number, seal → manifest, sign →
``build/<code>-v<version>-<n>.pdf``, written atomically under a new number, never over an older package.
LibreOffice is a subprocess started before anything else (:mod:`bidkit.pdf.session`): weasyprint's warm-up
loads in a thread while it starts; the signer, the validity checks (on the .docx just rendered) and each
converted part's text run while it converts; fatal findings still stop the assembly before anything is written.
One assembly per workspace at a time (``build/.assemble.lock``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .context import cn_date
from .errors import BidkitError, CheckFailed, InputError, OutputError
from .memo import Bounded, file_sha256
from .workspace import Workspace, atomic_path, atomic_write
from .workspace import load as load_ws

PART_TITLES = {"price_part": "报价部分", "commercial_part": "商务部分", "technical_part": "技术部分"}
COPY_LABELS = ("正本", "副本")
LOCK_FILE = ".assemble.lock"

Progress = Callable[[str], None]


@dataclass
class Assembled:
    path: Path
    manifest: Path | None
    pages: int
    sha256: str
    seconds: float
    draft: bool
    signed: bool
    parts: list[str]
    converted: list[str]  # parts LibreOffice converted this time
    cached: list[str]  # parts taken from build/cache
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "manifest": str(self.manifest) if self.manifest else None,
            "pages": self.pages, "sha256": self.sha256, "seconds": round(self.seconds, 3),
            "draft": self.draft, "signed": self.signed, "parts": self.parts,
            "converted": self.converted, "cached": self.cached, "notes": self.notes,
        }


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


def package_name(ws: Workspace, draft: bool) -> tuple[str, str]:
    """Stem and suffix of the package file: ``<code>-v<version>[-draft]`` and the number comes between."""
    stem = f"{ws.data.project.code}-v{ws.data.config.version}" + ("-draft" if draft else "")
    return stem, ".pdf"


def next_target(build: Path, stem: str, suffix: str) -> Path:
    n = 1
    while (build / f"{stem}-{n}{suffix}").exists() or (build / f"{stem}-{n}.manifest.json").exists():
        n += 1
    return build / f"{stem}-{n}{suffix}"


SIGN_PASSWORD_ENV = "BIDKIT_SIGN_PASSWORD"  # bidkit.pdf.sign.ENV, named here to avoid importing pyHanko early


_read_cache = Bounded(12)  # (what, content digest) → result, for a process that assembles again


def _read_docx(what: str, blob: bytes) -> Any:
    """The text (``"text"``) or the chapter headings (``"headings"``) of a rendered .docx, remembered by its
    content: the warm bidkit re-reads only the parts that changed (the price part, after a price change)."""
    from .pdf.convert import content_digest, docx_headings
    from .render.text import docx_text

    key = (what, content_digest(blob))
    value = _read_cache.get(key)
    if value is None:
        value = docx_text(blob) if what == "text" else docx_headings(blob)
        _read_cache.put(key, value)  # (the checks and the headings read in two threads: Bounded locks)
    return value


def _run_checks(ws: Workspace, draft: bool, docs: dict[str, bytes] | None = None) -> list[str]:
    """The validity checks (``bidkit.check_io.run``) on the parts in ``docs`` as rendered for the package;
    fatal findings stop the assembly."""
    from . import check_io

    rendered = {name: _read_docx("text", blob) for name, blob in (docs or {}).items()}
    findings = list(check_io.run(ws, include_prices=not draft, rendered=rendered))
    fatal = [f for f in findings if getattr(f, "fatal", False)]
    if fatal:
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise CheckFailed(f"the bid would be invalid: {fatal[0]}{more}")
    return [str(f) for f in findings if str(getattr(f, "severity", "")) != "info"]


def _with_prices(ws: Workspace, prompter: Callable[[str], str] | None) -> Workspace:
    from . import lock, secure

    lock.require_open(ws)
    return lock.with_prices(ws, secure.passphrase(prompter=prompter))


def _prewarm() -> None:
    from .pdf.pages import prewarm

    with contextlib.suppress(Exception):  # only a head start: any real problem shows up in render_front
        prewarm()


def _signer_needs_asking(ws: Workspace, draft: bool) -> bool:
    """Whether loading the signer may ask the user, so it happens before the long work, not during it."""
    return not draft and ws.data.config.signing is not None and SIGN_PASSWORD_ENV not in os.environ


def _load_signer(ws: Workspace, prompter: Callable[[str], str] | None) -> Any:
    from .pdf.sign import workspace_signer

    return workspace_signer(ws, prompter=prompter)


@contextlib.contextmanager
def _early_office(ws: Workspace, warm: bool | None) -> Iterator[Any]:
    """A LibreOffice session started before the parts exist (:mod:`bidkit.pdf.session`): the one the command
    line started at process start, or one started now; None when the warm office will convert.

    One session, not two: on two cores, a second LibreOffice starting beside bidkit's own work (decrypting,
    rendering, checks) slowed everything more than its parallel conversion gained (benchmarks/bench_assemble.py).
    """
    from .pdf import office
    from .pdf.session import Sessions, claim

    group = claim()
    if office.wanted(warm) and office.status() is not None:
        if group is not None:
            group.close()
        yield None
        return
    with group or Sessions(ws.build_dir / "cache", 1) as sessions:
        yield sessions


def _part_words(pdf: Path) -> Any:
    """The words and boxes of a converted part (``page_words``), kept beside the cached PDF."""
    from .pdf.text import page_words, words_from_json, words_to_json

    keep = pdf.with_name(pdf.name + ".words.json")
    with contextlib.suppress(OSError):
        cached = words_from_json(keep.read_text(encoding="utf-8"))
        if cached is not None:
            return cached
    words = page_words(pdf)
    with contextlib.suppress(OSError):  # a cache that cannot be written only costs time next run
        fd, tmp = tempfile.mkstemp(prefix=f".{keep.name}.", dir=keep.parent)  # 0600: the price part's words
        with os.fdopen(fd, "w", encoding="utf-8") as fh:  # are its prices
            fh.write(words_to_json(words))
        os.replace(tmp, keep)
    return words


def _attachments(ws: Workspace) -> list[tuple[str, str]]:
    """(title, workspace path) of the qualification scans: the tender's required ones in its order, or all."""
    quals = {q.id: q for q in ws.data.company.qualifications}
    required = [quals[r.qualification] for r in ws.data.tender.required_attachments if r.qualification in quals]
    chosen = required or list(ws.data.company.qualifications)
    return [(q.name, q.scan) for q in chosen]


_sha256_file = file_sha256


def _manifest(ws: Workspace, composed: Any, sources: dict[str, str], draft: bool) -> dict[str, Any]:
    """The package manifest (bidkit.manifest): every section's page range, source digest and the approval."""
    from . import lock, review
    from .manifest import ManifestEntry, build_manifest

    entries = [ManifestEntry(s.name, s.title, s.kind, sources.get(s.name), s.first, s.last)
               for s in composed.sections]
    approval = None
    if not draft:
        st = lock.read_decision(ws)
        if st is not None and st.decision == "approved":
            approval = {"reviewer": st.reviewer, "time": st.time, "decision": st.decision,
                        "digest": review.combined(st.digests)}
    return build_manifest(
        project_code=ws.data.project.code, version=ws.data.config.version, bidkit_version=__version__,
        front=[e for e in entries if e.kind == "front"], parts=[e for e in entries if e.kind == "part"],
        attachments=[e for e in entries if e.kind == "attachment"], approval=approval, draft=draft,
    )


def assemble(
    root: Path | str,
    *,
    draft: bool = False,
    copy: str | None = None,
    progress: Progress | None = None,
    prompter: Callable[[str], str] | None = None,
    sign_prompter: Callable[[str], str] | None = None,
    warm: bool | None = None,
) -> Assembled:
    """Build the package of the workspace at ``root``; return where it is and what it holds.

    ``warm``: convert through the user's running LibreOffice (:mod:`bidkit.pdf.office`); None follows
    ``$BIDKIT_WARM_OFFICE``.
    """
    from .pdf.compose import AttachmentInput, PartInput, SealFiles, compose
    from .pdf.convert import convert, pending
    from .pdf.pages import CoverInfo
    from .render.docx import render_document

    start = time.perf_counter()
    step = progress or (lambda _s: None)
    timings: dict[str, float] = {}
    notes: list[str] = []

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    step("load")
    ws = load_ws(root)
    config = ws.data.config.package
    copy_label = copy or config.original_label
    if copy_label not in COPY_LABELS and copy is not None:
        raise InputError(f"--copy: {copy} is not one of {', '.join(COPY_LABELS)}")
    t = lap("load", start)

    parts = list(config.parts)
    if draft:
        parts = [p for p in parts if p != "price_part"]

    with exclusive(ws.build_dir), _early_office(ws, warm) as sessions, \
            ThreadPoolExecutor(max_workers=4, thread_name_prefix="bidkit-assemble") as pool:
        # LibreOffice starts now, in the background, and is ready about when the parts are rendered; weasyprint's
        # import (needed for the cover and TOC of a first build) fills that wait
        cache = ws.build_dir / "cache"
        if sessions is not None and not any(cache.glob("front-*.pdf")):
            pool.submit(_prewarm)  # a first build here: the cover and TOC will be laid out
        signer = None
        signing: Future[Any] | None = None
        signer_early = _signer_needs_asking(ws, draft)
        if not draft and "price_part" in parts:
            step("price lock")
            ws = _with_prices(ws, prompter)
        if signer_early:
            signer = _load_signer(ws, sign_prompter)  # asks for the password before the long work
        t = lap("lock", t)

        # a LibreOffice that is already running (a session, the warm office) converts in a thread of its own
        # while the checks and the rest go on here; `soffice --convert-to` is started here instead
        running = sessions is None or sessions.usable
        background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bidkit-convert")
        job: Future[dict[str, Any]] | None = None
        words_f: dict[str, Future[Any]] = {}

        def read_words(cv: Any) -> None:  # each new PDF's words are read while the next converts
            words_f[cv.name] = pool.submit(_part_words, cv.pdf)

        try:
            step("render")
            docs: dict[str, bytes] = {}
            for name in parts:
                docs[name] = render_document(ws, name)
            if running:  # converts (largest part first) while the checks and the rest go on here
                job = background.submit(convert, docs, cache, warm=warm, sessions=sessions, on_converted=read_words)
            t = lap("render", t)

            step("convert")
            if not running and not pending(docs, cache) and sessions is not None:
                sessions.close()  # everything is cached: the early LibreOffice is not needed
            # Python work runs while LibreOffice (a subprocess) converts; the GIL is free while we wait on it
            checks: Future[list[str]] = pool.submit(_run_checks, ws, draft, docs)
            headings_f = pool.submit(lambda: {name: _read_docx("headings", blob) for name, blob in docs.items()})
            if not draft and not signer_early:  # (measured: loading it earlier slows decrypting and rendering)
                signing = pool.submit(_load_signer, ws, sign_prompter)
            try:
                if job is not None:
                    converted = job.result()
                else:
                    converted = convert(docs, cache, warm=warm, sessions=sessions, on_converted=read_words)
            except BidkitError:
                for f in (headings_f, signing, *words_f.values()):
                    if f is not None:
                        f.cancel()
                problem = checks.exception()
                if isinstance(problem, BidkitError):  # the data's own problem explains more than the tool's
                    raise problem from None
                raise
        finally:
            background.shutdown(wait=False, cancel_futures=True)
            if sessions is not None and job is not None and not job.done():
                sessions.stop()  # something failed: a conversion still running ends with its LibreOffice
            background.shutdown(wait=True)
            if sessions is not None:
                sessions.close()  # before anything is written: an interrupt in its ~0.05 s leaves no package
        t = lap("convert", t)
        for name, cv in converted.items():
            if name not in words_f:
                words_f[name] = pool.submit(_part_words, cv.pdf)
        notes += checks.result()  # fatal findings raise here: nothing has been written yet
        headings = headings_f.result()
        words = {name: f.result() for name, f in words_f.items()}
        if signing is not None:
            signer = signing.result()
        t = lap("checks", t)
        if not draft and signer is None:
            notes.append("package not signed: bidkit.yaml has no signing.certificate "
                         "(bidkit keys cert makes a test certificate)")

        step("compose")
        d = ws.data
        cover = CoverInfo(d.tender.project_name, d.tender.number, d.company.name, cn_date(d.responses.bid.date),
                          copy_label, draft=draft)
        part_inputs = [PartInput(n, PART_TITLES.get(n, n), converted[n].pdf, headings[n], words[n]) for n in parts]
        att_inputs = [AttachmentInput(title, ws.path(rel, what="attachment"), rel) for title, rel in _attachments(ws)]
        c = d.company
        seals = SealFiles(
            ws.path(c.company_seal, what="seal") if c.company_seal else None, c.company_seal or "",
            ws.path(rel, what="seal") if (rel := c.legal_rep_seal or c.legal_rep_signature) else None, rel or "",
        )
        stem, suffix = package_name(ws, draft)
        target = next_target(ws.build_dir, stem, suffix)
        with atomic_path(target, overwrite=False) as tmp:
            composed = compose(cover, part_inputs, att_inputs, seals, config, tmp, draft=draft,
                               title=d.tender.project_name, author=d.company.name,
                               front_cache=ws.build_dir / "cache")
            t = lap("compose", t)
            sources = {s.name: _sha256_file(s.source) for s in composed.sections if s.source is not None}
            step("sign")
            from .pdf.sign import seal

            manifest = seal(tmp, _manifest(ws, composed, sources, draft), signer)
            signed = signer is not None
            t = lap("sign", t)
            digest = _sha256_file(tmp)
        manifest["sha256"] = digest
        manifest_path = target.with_name(target.stem + ".manifest.json")
        try:
            atomic_write(manifest_path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", overwrite=False)
        except BaseException:  # disk full or Ctrl-C between the two files: no package without its manifest
            target.unlink(missing_ok=True)
            raise

    with contextlib.suppress(ImportError):
        from . import audit

        audit.append(ws.root, "assemble", {"file": str(target.relative_to(ws.root)), "sha256": digest,
                                           "pages": composed.pages, "draft": draft})
    seconds = time.perf_counter() - start
    timings.update({f"compose.{k}": v for k, v in composed.timings.items()})
    return Assembled(
        path=target, manifest=manifest_path, pages=composed.pages, sha256=digest, seconds=seconds, draft=draft,
        signed=signed, parts=parts, converted=[n for n, cv in converted.items() if not cv.cached],
        cached=[n for n, cv in converted.items() if cv.cached], notes=notes, timings=timings,
    )
