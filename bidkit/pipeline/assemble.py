"""``bidkit assemble``: from a workspace to the one sealed PDF that is submitted, as a pipeline of stages.

    load → unlock → render → convert → compose (merge, number and stamp) → manifest → sign → write

Each stage is a typed function that can be called and tested alone; :func:`assemble` runs them in order. While
LibreOffice converts (subprocesses), the validity checks, the chapter headings, each converted part's text and
the signer are prepared in threads, so little of bidkit's own work adds to the conversion's time; fatal findings
still stop the assembly before anything is written. The package is written under a new number
(``build/<code>-v<version>-<n>.pdf``), never over an older one; one assembly per workspace at a time.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bidkit import __version__
from bidkit.adapters import libreoffice
from bidkit.adapters.libreoffice import Converted, Job, LibreOffice
from bidkit.adapters.pdf import compose as pdf
from bidkit.adapters.pdf import pages, text
from bidkit.adapters.render.text import docx_headings, docx_text
from bidkit.core import review
from bidkit.core.context import cn_date
from bidkit.core.errors import BidkitError, CheckFailed, InputError, OutputError
from bidkit.core.manifest import ManifestEntry, build_manifest
from bidkit.pipeline import check
from bidkit.pipeline.documents import render_document
from bidkit.pipeline.signing import secret_env, workspace_signer
from bidkit.store import audit, crypto, lock
from bidkit.store.files import atomic_path, atomic_write, file_sha256
from bidkit.store.workspace import Workspace
from bidkit.store.workspace import load as load_workspace

if TYPE_CHECKING:
    from bidkit.adapters.pdf.sign import Signer

PART_TITLES = {"price_part": "报价部分", "commercial_part": "商务部分", "technical_part": "技术部分"}
CONFIDENTIAL = frozenset({"price_part"})  # converted outside the cache: no plaintext price stays on disk
COPY_LABELS = ("正本", "副本")
LOCK_FILE = ".assemble.lock"

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
    parts: list[str]
    converted: list[str]  # parts LibreOffice converted this time
    cached: list[str]  # parts taken from build/cache
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, object]:
        return {
            "path": str(self.path), "manifest": str(self.manifest) if self.manifest else None,
            "pages": self.pages, "sha256": self.sha256, "seconds": round(self.seconds, 3),
            "draft": self.draft, "signed": self.signed, "parts": self.parts,
            "converted": self.converted, "cached": self.cached, "notes": self.notes,
        }


# --- the stages ------------------------------------------------------------------------------------------------


def load(root: Path | str, copy: str | None) -> tuple[Workspace, str]:
    """The workspace through the one validation path, and the cover's copy label (正本 unless ``copy``)."""
    ws = load_workspace(root)
    if copy is not None and copy not in COPY_LABELS:
        raise InputError(f"--copy: {copy} is not one of {', '.join(COPY_LABELS)}")
    return ws, copy or ws.data.config.package.original_label


def parts_of(ws: Workspace, draft: bool) -> list[str]:
    """The parts in the package's order; a draft leaves the price part out."""
    return [p for p in ws.data.config.package.parts if not (draft and p == "price_part")]


def unlock(ws: Workspace, parts: Sequence[str], passphrase: str | None) -> Workspace:
    """The price lock: with a price part, the workspace with its prices decrypted (only through the QA approval)."""
    if "price_part" not in parts:
        return ws
    lock.require_open(ws)
    if passphrase is None:
        raise ValueError("unlock(): a package with a price part needs the price passphrase")
    return lock.with_prices(ws, passphrase)


def render(ws: Workspace, parts: Sequence[str]) -> dict[str, bytes]:
    """Each part's .docx, in memory."""
    return {name: render_document(ws, name) for name in parts}


def convert(office: LibreOffice, docs: Mapping[str, bytes],
            on_converted: Callable[[Converted], None] | None = None) -> dict[str, Converted]:
    """Each part's PDF: from the cache when its content is known, else converted (price part: never cached)."""
    jobs = [Job(name, blob, cache=name not in CONFIDENTIAL) for name, blob in docs.items()]
    return office.convert(jobs, on_converted)


def run_checks(ws: Workspace, draft: bool, texts: Mapping[str, str]) -> list[str]:
    """The validity checks on the parts as rendered for this package; a fatal finding stops the assembly."""
    findings = check.run(ws, include_prices=not draft, rendered=texts)
    fatal = [f for f in findings if f.fatal]
    if fatal:
        more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
        raise CheckFailed(f"the bid would be invalid: {fatal[0]}{more}")
    return [str(f) for f in findings if f.severity.value != "info"]


def compose(ws: Workspace, parts: Sequence[str], converted: Mapping[str, Converted],
            headings: Mapping[str, list[str]], words: Mapping[str, list[text.PageText]], copy_label: str,
            draft: bool, target: Path) -> pdf.Composed:
    """Cover, 目录, the parts and the qualification scans merged, numbered and stamped into ``target``."""
    d = ws.data
    cover = pages.CoverInfo(d.tender.project_name, d.tender.number, d.company.name, cn_date(d.responses.bid.date),
                            copy_label, draft=draft)
    part_inputs = [pdf.PartInput(n, PART_TITLES.get(n, n), converted[n].pdf, headings[n], words[n]) for n in parts]
    att_inputs = [pdf.AttachmentInput(title, ws.path(rel, what="attachment"), rel) for title, rel in attachments(ws)]
    c = d.company
    legal = c.legal_rep_seal or c.legal_rep_signature
    seals = pdf.SealFiles(ws.path(c.company_seal, what="seal") if c.company_seal else None, c.company_seal or "",
                          ws.path(legal, what="seal") if legal else None, legal or "")
    config = d.config.package
    with pdf.merge(cover, part_inputs, att_inputs, config, draft=draft, front_cache=ws.build_dir / "cache") as book:
        stamps = pdf.stamp_book(book, seals, config, draft)
        return pdf.save(book, stamps, target, draft=draft, title=d.tender.project_name, author=d.company.name)


def attachments(ws: Workspace) -> list[tuple[str, str]]:
    """(title, workspace path) of the qualification scans: the tender's required ones in its order, or all."""
    quals = {q.id: q for q in ws.data.company.qualifications}
    required = [quals[r.qualification] for r in ws.data.tender.required_attachments if r.qualification in quals]
    chosen = required or list(ws.data.company.qualifications)
    return [(q.name, q.scan) for q in chosen]


def manifest(ws: Workspace, composed: pdf.Composed, draft: bool, signer: Signer | None = None) -> Manifest:
    """The package manifest: every section's page range, its source's digest, the approval it was sealed
    under (none for a draft) and the signer's certificate (fingerprint, subject, issuer; none unsigned)."""
    sources = {s.name: file_sha256(s.source) for s in composed.sections if s.source is not None}
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
        signer=signer.identity() if signer is not None else None,
    )


def seal(path: Path, manifest: Manifest, signer: Signer | None) -> Manifest:
    """Page digests into the manifest, the manifest into the PDF, and the signature (none for a draft)."""
    from bidkit.adapters.pdf import sign  # pyHanko: 0.4 s to import, so only once the package is being sealed

    return sign.seal(path, manifest, signer)


def write(ws: Workspace, draft: bool, produce: Callable[[Path], Manifest]) -> tuple[Path, Path, str, Manifest]:
    """Write the package under the next free number: ``produce(tmp)`` writes it beside its target, which it
    becomes atomically; then its manifest beside it. No package is left without its manifest."""
    stem = f"{ws.data.project.code}-v{ws.data.config.version}" + ("-draft" if draft else "")
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


def _words(cv: Converted) -> list[text.PageText]:
    """A converted part's words and boxes, kept beside its cached PDF (never for an uncached, confidential one)."""
    keep = cv.pdf.with_name(cv.pdf.name + ".words.json")
    if cv.cached:
        with contextlib.suppress(OSError):
            known = text.words_from_json(keep.read_text(encoding="utf-8"))
            if known is not None:
                return known
    words = text.page_words(cv.pdf)
    if cv.in_cache:  # (a confidential part's PDF stays in the private work folder, and so do its words)
        with contextlib.suppress(OSError):  # a cache that cannot be written only costs time next run
            atomic_write(keep, text.words_to_json(words))
    return words


def assemble(
    root: Path | str,
    *,
    draft: bool = False,
    copy: str | None = None,
    progress: Progress | None = None,
    prompter: Prompter | None = None,
    sign_prompter: Prompter | None = None,
) -> Assembled:
    """Build the package of the workspace at ``root``; return where it is and what it holds.

    LibreOffice is the long pole, so it starts as early as it can: the reviewed parts need no price, so they are
    rendered and handed to LibreOffice before the prices are decrypted and the price part rendered, which then
    converts in a second process beside the first. The lock is checked before any of it."""
    start = time.perf_counter()
    step = progress or (lambda _s: None)
    timings: dict[str, float] = {}
    mark = [start]

    def lap(name: str) -> None:
        now = time.perf_counter()
        timings[name], mark[0] = now - mark[0], now

    step("load")
    ws, copy_label = load(root, copy)
    parts = parts_of(ws, draft)
    passphrase = None
    if "price_part" in parts:  # a closed lock or a missing secret refuses before any slow work
        lock.require_open(ws)
        passphrase = crypto.passphrase(prompter=prompter)
    signer: Signer | None = None
    env = secret_env(ws.data.config.signing)
    asks = not draft and env is not None and env not in os.environ
    if asks:
        signer = workspace_signer(ws, prompter=sign_prompter)  # asks for the password or PIN before the long wait
    held: list[Signer | Future[Signer | None] | None] = [signer]
    lap("load")
    with _closing(held), exclusive(ws.build_dir), \
            ThreadPoolExecutor(max_workers=6, thread_name_prefix="bidkit-assemble") as pool, \
            LibreOffice(ws.build_dir / "cache") as office:  # (exits first: its processes end before the threads)
        words_f: dict[str, Future[list[text.PageText]]] = {}

        def read_words(cv: Converted) -> None:  # each converted part's text is read while the rest converts
            words_f[cv.name] = pool.submit(_words, cv)

        step("render")
        ws = unlock(ws, parts, passphrase)
        docs = render(ws, parts)
        # one call: LibreOffice converts them in as many processes as pay on this machine (benchmarked)
        converting = [pool.submit(convert, office, docs, read_words)]
        lap("render")

        step("convert")
        # while LibreOffice converts (subprocesses), the Python work goes on here
        checks = pool.submit(run_checks, ws, draft, {n: docx_text(b) for n, b in docs.items()})
        headings = {n: docx_headings(b) for n, b in docs.items()}
        signing = pool.submit(workspace_signer, ws, prompter=sign_prompter) if not draft and not asks else None
        held.append(signing)
        if not any((ws.build_dir / "cache").glob("front-*.pdf")):  # a first build: the cover will be laid out
            with contextlib.suppress(Exception):  # only a head start: a real problem shows in compose
                pages.prewarm()
        converted: dict[str, Converted] = {}
        try:
            for job in converting:
                converted.update(job.result())
        except BidkitError:
            problem = checks.exception()
            if isinstance(problem, BidkitError):  # the data's own problem explains more than the tool's
                raise problem from None
            raise
        converted = {name: converted[name] for name in parts}
        lap("convert")
        notes = checks.result()  # fatal findings raise here: nothing has been written yet
        words = {n: (words_f[n] if n in words_f else pool.submit(_words, cv)).result()
                 for n, cv in converted.items()}
        if signing is not None:
            signer = signing.result()
        lap("checks")
        if not draft and signer is None:
            notes.append("package not signed: bidkit.yaml has no signing.certificate or signing.pkcs11 "
                         "(bidkit keys cert makes a test certificate)")

        step("compose")
        composed: list[pdf.Composed] = []

        def produce(tmp: Path) -> Manifest:
            composed.append(compose(ws, parts, converted, headings, words, copy_label, draft, tmp))
            lap("compose")
            step("sign")
            final = seal(tmp, manifest(ws, composed[0], draft, signer), signer)
            lap("sign")
            return final

        target, manifest_path, digest, _ = write(ws, draft, produce)

    audit.append(ws.root, "assemble", {"file": str(target.relative_to(ws.root)), "sha256": digest,
                                       "pages": composed[0].pages, "draft": draft})
    timings.update({f"compose.{k}": v for k, v in composed[0].timings.items()})
    return Assembled(
        path=target, manifest=manifest_path, pages=composed[0].pages, sha256=digest,
        seconds=time.perf_counter() - start, draft=draft, signed=signer is not None, parts=parts,
        converted=[n for n, cv in converted.items() if not cv.cached],
        cached=[n for n, cv in converted.items() if cv.cached], notes=notes, timings=timings,
    )


__all__ = ["Assembled", "assemble", "attachments", "compose", "convert", "libreoffice", "load", "manifest",
           "parts_of", "render", "run_checks", "seal", "unlock", "write"]
