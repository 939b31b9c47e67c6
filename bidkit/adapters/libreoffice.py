"""DOCX → PDF with headless LibreOffice: private profiles, a content-addressed cache, parallel batches.

``soffice --convert-to`` in a process group of its own, with a throw-away profile, HOME and TMPDIR under a
private work folder and bidkit's fontconfig file (宋体/黑体/仿宋 come out as the embedded Noto CJK faces, never a
silent fallback); at most one batch per core, largest first, each one process with a timeout after which its
whole group is killed; the first batch may hand its files to a :class:`~bidkit.adapters.soffice.Standby` started
ahead (starting and ending the processes is :mod:`bidkit.adapters.soffice`). A converted PDF
lands in the cache under a key of its content; a job marked ``cache=False`` (a price chapter) is converted into
the private work folder instead, removed with everything in it when the :class:`LibreOffice` context ends — also
on Ctrl-C, SIGTERM and SIGHUP. The cache is a :class:`SealedCache`: an entry is used only with this user's tag on
it, through a private copy (read once), so a PDF swapped into the workspace's cache never reaches a package.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bidkit.adapters.pdf import split
from bidkit.adapters.render import join
from bidkit.adapters.sealed import SealedCache
from bidkit.adapters.soffice import (
    FONTS_CONF,
    INSTALL_HINT,
    OPTIONS,
    Standby,
    kill,
    profile_template,
    soffice_binary,
    soffice_env,
    uninterrupted,
)
from bidkit.core.errors import InputError, OutputError, ToolError

CACHE_VERSION = "bidkit-convert-3"  # bump when the conversion itself changes (options, fonts)
DEFAULT_TIMEOUT = 180.0  # seconds for one batch
PARALLEL_MIN_BYTES = 2 << 20  # below this much .docx, a second process costs more start-up than it saves
EXPORT = '{"ExportBookmarksToPDFDestination":{"type":"boolean","value":"true"}}'  # bookmarks → named dests


@dataclass(frozen=True)
class Job:
    name: str  # a file name stem, unique among the jobs
    docx: bytes
    cache: bool = True  # False: the PDF never enters the cache (confidential), it lives in the work folder
    alone: bool = False  # True: never joined with another (a bidder's own file: its page flow is its own)


@dataclass(frozen=True)
class Converted:
    name: str
    pdf: Path  # in the private work folder: gone when the LibreOffice context ends
    key: str  # the cache key of its .docx ("" for a confidential job: never cached)
    cached: bool  # taken from the cache, not converted now
    entry: Path | None = None  # its cache entry (None: a confidential job, never cached)


def timeout_seconds() -> float:
    try:
        return float(os.environ.get("BIDKIT_SOFFICE_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        raise InputError("BIDKIT_SOFFICE_TIMEOUT: not a number of seconds") from None


def content_digest(docx: bytes, name: str = "document") -> str:
    """SHA-256 of a .docx's members (names and contents), ignoring zip timestamps that change every render."""
    h = hashlib.sha256()
    try:
        with zipfile.ZipFile(io.BytesIO(docx)) as zf:
            for info in zf.infolist():
                data = zf.read(info)
                h.update(f"{info.filename}\0{len(data)}\0".encode())
                h.update(data)
    except (zipfile.BadZipFile, OSError):
        raise InputError(f"{name}.docx: not a .docx file (broken zip archive)") from None
    return h.hexdigest()


def cache_key(docx: bytes, name: str) -> str:
    digest = content_digest(docx, name)
    return hashlib.sha256(CACHE_VERSION.encode() + FONTS_CONF.read_bytes() + digest.encode()).hexdigest()


def batches(sizes: Sequence[tuple[str, int]], workers: int) -> list[list[str]]:
    """Names split into at most ``workers`` batches of about equal total size, largest first."""
    bins: list[tuple[int, list[str]]] = [(0, []) for _ in range(min(workers, len(sizes)))]
    for name, size in sorted(sizes, key=lambda x: -x[1]):
        bins.sort(key=lambda b: b[0])
        bins[0] = (bins[0][0] + size, [*bins[0][1], name])
    return [names for _, names in bins if names]


def _reason(text: str) -> str:
    noise = ("javaldx", "java may not function", "using filter", "-> ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not any(n in ln for n in noise)]
    return lines[-1][:300] if lines else "no output produced"


class LibreOffice:
    """Converts jobs into ``cache_dir``; use as a context manager, which owns the private work folder and every
    process it started. :meth:`stop` (from any thread) kills what runs."""

    def __init__(self, cache: SealedCache, *, workers: int | None = None, timeout: float | None = None,
                 join_forms: bool = True, standby: Standby | None = None) -> None:
        self.cache = cache
        self.standby = standby  # the first batch hands its files to it
        self.join = join_forms  # join what can be joined into one document (see _units)
        self.cache_dir = cache.dir.absolute()  # soffice needs absolute file URIs
        self.workers = max(1, workers or len(os.sched_getaffinity(0)))
        self.timeout = timeout if timeout is not None else timeout_seconds()
        self.work: Path | None = None
        self._procs: list[subprocess.Popen[bytes]] = []
        self.started = threading.Event()  # set once a soffice has been handed files to convert
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._busy = 0  # batches being prepared or run: the work folder is removed only once there are none
        self._stopped = False
        self._count = 0
        self._spares: set[str] = set()
        self._hits: Path | None = None  # private copies of cache hits, in $TMPDIR (the build folder may be full)

    def __enter__(self) -> LibreOffice:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        with uninterrupted():  # a Ctrl-C now would leave the private folder (a price chapter's PDF) behind
            self.stop()
            with self._idle:  # a batch still writing its files or profile would put the folder back
                self._idle.wait_for(lambda: self._busy == 0, timeout=10)
            for folder in (self.work, self._hits):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)
            self.work = self._hits = None

    def stop(self) -> None:
        """Kill every process group started here (a conversion waiting on one then fails)."""
        with self._lock:
            self._stopped = True
            procs = list(self._procs)
        for proc in procs:
            kill(proc)
        if self.standby is not None:
            self.standby.close()

    def _folder(self, name: str) -> Path:
        with self._lock:
            if self._stopped:
                raise ToolError("LibreOffice was stopped (interrupted)")
            try:
                if self.work is None:
                    self.cache_dir.mkdir(parents=True, exist_ok=True)
                    self.work = Path(tempfile.mkdtemp(prefix=".convert-", dir=self.cache_dir))  # mode 0700
                self._count += 1
                path = self.work / f"{name}-{self._count}"
                path.mkdir()
            except OSError as exc:  # a read-only or full workspace: the output error, not a crash
                raise OutputError(f"{self.cache_dir}: cannot write ({exc.strerror or exc})") from None
        return path

    def _private_copy(self, name: str, data: bytes) -> Path:
        with self._lock:
            if self._stopped:  # (the context is ending: its folders are being removed, none may come back)
                raise ToolError("LibreOffice was stopped (interrupted)")
            try:
                if self._hits is None:
                    self._hits = Path(tempfile.mkdtemp(prefix="bidkit-cache-"))  # mode 0700
                self._count += 1
                path = self._hits / f"{name}-{self._count}.pdf"
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            except OSError as exc:
                raise OutputError(f"{tempfile.gettempdir()}: cannot write ({exc.strerror or exc})") from None
        return path

    def lookup(self, jobs: Sequence[Job]) -> tuple[dict[str, Converted], dict[str, str]]:
        """The cache hits (each read once, tag checked, into a private copy), and the cache key of every job to
        convert."""
        hits: dict[str, Converted] = {}
        misses: dict[str, str] = {}
        for job in jobs:
            key = cache_key(job.docx, job.name) if job.cache else ""  # (a confidential job has no entry)
            entry = self.cache_dir / f"{job.name}-{key}.pdf"
            data = self.cache.read(entry) if job.cache else None
            if data:
                hits[job.name] = Converted(job.name, self._private_copy(job.name, data), key, True, entry)
            else:
                misses[job.name] = key
        return hits, misses

    def convert(self, jobs: Sequence[Job], on_converted: Callable[[Converted], None] | None = None,
                spare: Callable[[str], Job | None] | None = None) -> dict[str, Converted]:
        """Every job's PDF, in the order given; the misses convert in parallel batches (``on_converted`` is
        called from a worker thread as each lands). A job's older cache entries are removed once its new PDF
        is in place. ``spare(name)`` gives a job's variant that may turn out to be needed once the job's PDF
        is seen (or None); it is asked only for the jobs that convert now, and converted along with them (in
        the same process it costs no start-up of its own): it is in the result then."""
        result, misses = self.lookup(jobs)
        extra = [j for n in misses if spare is not None and (j := spare(n)) is not None]
        self._spares.update(j.name for j in extra)
        if extra:
            hits, more = self.lookup(extra)
            result.update(hits)
            misses.update(more)
            jobs = [*jobs, *extra]
        if misses:
            binary = soffice_binary()
            by_name = {j.name: j for j in jobs}
            units = self._units([by_name[n] for n in misses])
            sizes = [(str(k), sum(len(j.docx) for j in unit)) for k, unit in enumerate(units)]
            workers = self.workers if sum(s for _, s in sizes) >= PARALLEL_MIN_BYTES else 1
            groups = batches(sizes, workers)
            done = threading.Lock()

            def run(group: list[str]) -> None:
                for name, pdf in self._run_batch(binary, [units[int(k)] for k in group]).items():
                    converted = self._land(by_name[name], misses[name], pdf)
                    with done:
                        result[name] = converted
                    if on_converted is not None:
                        on_converted(converted)

            with ThreadPoolExecutor(max_workers=len(groups), thread_name_prefix="bidkit-soffice") as pool:
                futures = [pool.submit(run, g) for g in groups]
                try:
                    for future in futures:
                        future.result()
                except BaseException:
                    self.stop()  # the first failure (or an interrupt) ends every other batch too
                    raise
        return {job.name: result[job.name] for job in jobs}

    def _units(self, jobs: list[Job]) -> list[list[Job]]:
        """What converts as one document: the jobs that can be joined (:func:`join.group_key`; a confidential
        job only with confidential ones, whose fonts must not reach a cached PDF), and each other job alone."""
        groups: dict[tuple[str, bool], list[Job]] = {}
        units: list[list[Job]] = []
        for job in jobs:
            key = join.group_key(job.docx) if self.join and not job.alone else None
            if key is None:
                units.append([job])
            else:
                groups.setdefault((key, job.cache), []).append(job)
        return [*units, *groups.values()]

    def _land(self, job: Job, key: str, produced: Path) -> Converted:
        """The PDF stays in the private work folder (what the package is made of); a cached job's copy goes
        into the cache with its tag, and the job's older entries go."""
        os.chmod(produced, 0o600)
        if not job.cache:
            return Converted(job.name, produced, key, False)
        entry = self.cache_dir / f"{job.name}-{key}.pdf"
        self.cache.write(entry, produced.read_bytes())
        self.cache.drop_others(entry, job.name, ".pdf")
        return Converted(job.name, produced, key, False, entry)

    def _run_batch(self, binary: str, units: list[list[Job]]) -> dict[str, Path]:
        """One soffice run over the units (a unit of several jobs is joined into one document, and its PDF cut
        back into one per job; should that fail, its jobs convert again one by one)."""
        with self._lock:
            self._busy += 1
        try:
            return self._batch(binary, units)
        finally:
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _batch(self, binary: str, units: list[list[Job]]) -> dict[str, Path]:
        folder = self._folder("batch")
        src, out, home, profile = (folder / d for d in ("src", "out", "home", "profile"))
        paths: list[tuple[list[Job], Path, list[str]]] = []
        try:
            for d in (src, out, home):
                d.mkdir()
            for unit in units:
                blob, marks = (unit[0].docx, []) if len(unit) == 1 else \
                    join.join([j.docx for j in unit], secrets.token_hex(6))
                path = src / (f"{unit[0].name}.docx" if len(unit) == 1 else f"{unit[0].name}+{len(unit) - 1}.docx")
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(blob)
                paths.append((unit, path, marks))
        except OSError as exc:  # a full disk: the folder (with any part written) goes when the context ends
            raise OutputError(f"{self.cache_dir}: cannot write ({exc.strerror or exc})") from None
        template = profile_template(binary)
        handed = self.standby.take() if self.standby is not None else None
        seeded = handed is not None or (template / "complete").is_file()
        if seeded and handed is None:
            with contextlib.suppress(OSError):
                shutil.copytree(template / "profile", profile, symlinks=True)
        cmd = [binary, f"-env:UserInstallation={handed or profile.as_uri()}", *OPTIONS, "--convert-to",
               f"pdf:writer_pdf_Export:{EXPORT}", "--outdir", str(out), *(str(p) for _, p, _ in paths)]
        shown = [f"{j.name}.docx" for unit, _, _ in paths for j in unit if j.name not in self._spares]
        try:
            stderr = self._run(cmd, home, folder, ", ".join(shown))  # (a spare is bidkit's own business)
        finally:
            if handed is not None and self.standby is not None:
                self.standby.close()  # it converted (or was stopped): its memory goes now
        produced: dict[str, Path] = {}
        again: list[list[Job]] = []
        for unit, path, marks in paths:
            pdf = out / f"{path.stem}.pdf"
            if not pdf.is_file() or pdf.stat().st_size == 0:
                names = ", ".join(f"{j.name}.docx" for j in unit if j.name not in self._spares)
                raise ToolError(f"LibreOffice could not convert {names or path.name}: {_reason(stderr)}")
            if len(unit) == 1:
                produced[unit[0].name] = pdf
                continue
            parts = [out / f"{j.name}.pdf" for j in unit]
            try:
                cut = split.split_at(pdf, marks, parts)
            except OSError as exc:  # a full disk
                raise OutputError(f"{self.cache_dir}: cannot write ({exc.strerror or exc})") from None
            if cut:
                produced.update({j.name: part for j, part in zip(unit, parts, strict=True)})
            else:  # (not seen: LibreOffice lost a bookmark) each converts alone, as it would unjoined
                again.extend([j] for j in unit)
            pdf.unlink()
        shutil.rmtree(src, ignore_errors=True)  # the rendered .docx (a price chapter's too) goes at once
        if not seeded:
            self._keep_template(template, profile)
        if again:
            produced.update(self._batch(binary, again))
        return produced

    def _run(self, cmd: list[str], home: Path, cwd: Path, names: str) -> str:
        with self._lock:
            if self._stopped:
                raise ToolError(f"LibreOffice stopped before converting {names}")
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, env=soffice_env(home), cwd=cwd,
                                        start_new_session=True)
            except FileNotFoundError:
                raise ToolError(INSTALL_HINT) from None
            except OSError as exc:
                raise ToolError(f"LibreOffice could not be started ({exc.strerror or exc})") from None
            self._procs.append(proc)
        self.started.set()
        try:
            _, err = proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise ToolError(f"LibreOffice took longer than {self.timeout:g} s converting {names}; stopped it") \
                from None
        finally:
            kill(proc)  # whatever it left running in its group ends with it
        stderr = err.decode(errors="replace")
        if proc.returncode != 0:
            how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"failed (exit {proc.returncode})")
            raise ToolError(f"LibreOffice {how} converting {names}: {_reason(stderr)}")
        return stderr

    @staticmethod
    def _keep_template(template: Path, profile: Path) -> None:
        """Keep the first initialised profile of this installation (without its history) for later starts."""
        with contextlib.suppress(OSError):
            template.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".lo-profile-", dir=template.parent))
            try:
                shutil.copytree(profile, staging / "profile", symlinks=True,
                                ignore=shutil.ignore_patterns("registrymodifications.xcu", "backup", "*.lock"))
                (staging / "complete").touch()
                os.rename(staging, template)  # another process may have made it first: keep theirs
            finally:
                shutil.rmtree(staging, ignore_errors=True)
