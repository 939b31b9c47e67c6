"""DOCX → PDF with headless LibreOffice: few starts, parallel batches, a content-addressed cache.

Each soffice process gets its own throw-away profile and HOME (a shared profile loses files) and bidkit's
fontconfig file, so 宋体/黑体/仿宋 come out as the embedded Noto CJK faces instead of a silent fallback.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError, ToolError
from ..resources import fonts_conf

if TYPE_CHECKING:
    from .session import Sessions

CACHE_VERSION = "bidkit-convert-1"  # bump when the conversion itself changes (options, fonts)
DEFAULT_TIMEOUT = 180.0  # seconds for one soffice batch
WORKERS = 2
PARALLEL_MIN_BYTES = 2 << 20  # total .docx bytes from which a second soffice pays (not for the sample)
INSTALL_HINT = "LibreOffice not found: install it (apt-get install libreoffice-writer-nogui)"


@dataclass(frozen=True)
class Converted:
    name: str
    pdf: Path
    key: str
    cached: bool


MALLOC_TUNING = "glibc.malloc.hugetlb=1"


def tuned(env: dict[str, str]) -> dict[str, str]:
    """``env`` with glibc's malloc on transparent huge pages for LibreOffice: measured here, its page faults for
    one conversion of the sample's three parts fell from 336,000 to 24,000 and the run from 2.16 to 1.85 s.
    Harmless where the kernel has no huge pages; a ``GLIBC_TUNABLES`` already set is kept."""
    current = env.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" not in current:
        env["GLIBC_TUNABLES"] = f"{current}:{MALLOC_TUNING}" if current else MALLOC_TUNING
    return env


def soffice_binary() -> str:
    """The soffice executable (``$BIDKIT_SOFFICE`` wins), or :class:`ToolError` saying how to install it."""
    explicit = os.environ.get("BIDKIT_SOFFICE")
    found = shutil.which(explicit) if explicit else (shutil.which("soffice") or shutil.which("libreoffice"))
    if not found:
        raise ToolError(INSTALL_HINT)
    return found


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


def docx_headings(docx: bytes) -> list[str]:
    """The Heading 1 titles of a rendered .docx, in order: the chapters of a part."""
    from docx import Document

    doc = Document(io.BytesIO(docx))
    return [p.text.strip() for p in doc.paragraphs
            if p.style is not None and p.style.name == "Heading 1" and p.text.strip()]


def cache_key(docx: bytes, name: str) -> str:
    h = hashlib.sha256(CACHE_VERSION.encode())
    h.update(fonts_conf().read_bytes())
    h.update(content_digest(docx, name).encode())
    return h.hexdigest()


def _batches(items: list[tuple[str, int]], workers: int) -> list[list[str]]:
    """Split names into at most ``workers`` batches of about equal total size (largest first)."""
    bins: list[tuple[int, list[str]]] = [(0, []) for _ in range(min(workers, len(items)))]
    for name, size in sorted(items, key=lambda x: -x[1]):
        bins.sort(key=lambda b: b[0])
        total, names = bins[0]
        bins[0] = (total + size, [*names, name])
    return [names for _, names in bins if names]


def _stderr_reason(text: str) -> str:
    noise = ("javaldx", "java may not function", "using filter", "-> ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not any(n in ln for n in noise)]
    return lines[-1][:300] if lines else "no output produced"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _start(binary: str, work: Path, index: int, docs: list[Path]) -> subprocess.Popen[bytes]:
    profile = work / f"profile-{index}"
    home = work / f"home-{index}"
    outdir = work / f"out-{index}"
    for d in (profile, home, outdir):
        d.mkdir()
    env = tuned({
        **os.environ,
        "HOME": str(home),
        "FONTCONFIG_FILE": str(fonts_conf()),
        "TMPDIR": str(home),
        "SAL_USE_VCLPLUGIN": "svp",
    })
    env.pop("DISPLAY", None)
    cmd = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        "--convert-to", "pdf:writer_pdf_Export",
        "--outdir", str(outdir),
        *map(str, docs),
    ]
    try:
        return subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=work, start_new_session=True,  # its own process group, so a timeout ends all of it
        )
    except FileNotFoundError:
        raise ToolError(INSTALL_HINT) from None
    except OSError as exc:
        raise ToolError(f"LibreOffice could not be started ({exc.strerror or exc})") from None


def _run_batches(binary: str, work: Path, batches: list[list[Path]], timeout: float) -> None:
    procs = [_start(binary, work, i, docs) for i, docs in enumerate(batches)]
    deadline = time.monotonic() + timeout
    try:
        for i, proc in enumerate(procs):
            try:
                _, stderr = proc.communicate(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                names = ", ".join(p.name for p in batches[i])
                raise ToolError(f"LibreOffice took longer than {timeout:g} s converting {names}; stopped it") from None
            if proc.returncode != 0:
                names = ", ".join(p.name for p in batches[i])
                how = (f"was killed by signal {-proc.returncode}" if proc.returncode < 0
                       else f"failed (exit {proc.returncode})")
                reason = _stderr_reason(stderr.decode(errors="replace"))
                raise ToolError(f"LibreOffice {how} converting {names}: {reason}")
            for doc in batches[i]:
                if not (work / f"out-{i}" / f"{doc.stem}.pdf").is_file():
                    raise ToolError(
                        f"LibreOffice could not convert {doc.name}: {_stderr_reason(stderr.decode(errors='replace'))}"
                    )
    finally:
        for proc in procs:
            if proc.poll() is None:
                _kill(proc)


@contextlib.contextmanager
def _workdir(parent: Path) -> Iterator[Path]:
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".convert-", dir=parent))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _lookup(docs: dict[str, bytes], cache_dir: Path) -> tuple[dict[str, Converted], dict[str, str]]:
    """The cache hits, and the cache key of every miss."""
    hits: dict[str, Converted] = {}
    misses: dict[str, str] = {}
    for name, blob in docs.items():
        key = cache_key(blob, name)
        hit = cache_dir / f"{name}-{key}.pdf"
        if hit.is_file() and hit.stat().st_size > 0:
            hits[name] = Converted(name, hit, key, True)
        else:
            misses[name] = key
    return hits, misses


def pending(docs: dict[str, bytes], cache_dir: Path) -> list[str]:
    """The parts :func:`convert` would hand to LibreOffice (not in the cache)."""
    return list(_lookup(docs, cache_dir.absolute())[1])


def _batches_for(sizes: list[tuple[str, int]], workers: int) -> list[list[str]]:
    """One soffice start per batch costs about 1.3 s, so a second parallel batch only pays off for a big job."""
    if sum(size for _, size in sizes) < PARALLEL_MIN_BYTES:
        workers = 1
    return _batches(sizes, workers)


def convert(
    docs: dict[str, bytes], cache_dir: Path, *, timeout: float | None = None, workers: int = WORKERS,
    warm: bool | None = None, sessions: Sessions | None = None,
    on_converted: Callable[[Converted], None] | None = None,
) -> dict[str, Converted]:
    """Convert each named .docx (bytes) to PDF, reusing ``cache_dir/<name>-<key>.pdf`` when the content is known.

    The misses go, in this order of preference: to the user's warm LibreOffice when ``warm`` (or
    ``$BIDKIT_WARM_OFFICE``) asks for it and it runs (else it is started for next time); to ``sessions``
    started earlier (:mod:`bidkit.pdf.session`), in parallel; to at most ``workers`` fresh ``soffice
    --convert-to`` processes at once. ``on_converted`` is called (from a worker thread) as each new PDF lands
    in the cache. A part's older cache entries are removed once its new PDF is in place, so a superseded price
    part does not linger on disk.
    """
    from . import office
    from .session import Unavailable

    timeout = float(os.environ.get("BIDKIT_SOFFICE_TIMEOUT", timeout or DEFAULT_TIMEOUT))
    cache_dir = cache_dir.absolute()  # soffice needs absolute file URIs
    result, misses = _lookup(docs, cache_dir)
    use_warm = office.wanted(warm)

    def land(name: str, produced: Path) -> None:
        target = cache_dir / f"{name}-{misses[name]}.pdf"
        os.chmod(produced, 0o600)  # the price part is confidential
        os.replace(produced, target)
        result[name] = Converted(name, target, misses[name], False)
        for old in cache_dir.glob(f"{name}-*"):
            if old.is_file() and not old.name.startswith(target.name):
                old.unlink(missing_ok=True)
        if on_converted is not None:
            on_converted(result[name])

    if misses:
        binary = soffice_binary()
        with _workdir(cache_dir) as work:
            src = work / "src"
            src.mkdir()
            paths = {}
            for name in misses:
                paths[name] = src / f"{name}.docx"
                paths[name].write_bytes(docs[name])
            left = list(misses)
            if use_warm and office.convert(list(paths.values()), work / "out-warm", timeout):
                for name in misses:
                    land(name, work / "out-warm" / f"{name}.pdf")
                left = []
            elif sessions is not None and sessions.usable:
                groups = _batches([(n, len(docs[n])) for n in misses], len(sessions.items))
                try:
                    sessions.run([[(n, paths[n]) for n in group] for group in groups], work / "out-uno", timeout,
                                 land)
                except Unavailable:
                    pass  # no UNO here after all: soffice --convert-to for what is left
                left = [n for n in misses if n not in result]
            if left:
                groups = _batches_for([(n, len(docs[n])) for n in left], workers)
                _run_batches(binary, work, [[paths[n] for n in group] for group in groups], timeout)
                for i, group in enumerate(groups):
                    for name in group:
                        land(name, work / f"out-{i}" / f"{name}.pdf")
    if use_warm and office.status() is None:
        office.start()  # in the background, after our conversion, so the next one is warm
    return {name: result[name] for name in docs}
