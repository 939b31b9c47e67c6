"""A warm LibreOffice: one headless instance per user, kept running between bidkit calls (opt-in).

The instance listens on a private UNO pipe: bidkit's UNO helper (:mod:`bidkit.pdf.session`) hands it each
.docx directly, so a warm conversion costs the conversion alone. Without ``python3-uno``, a second ``soffice
--convert-to`` with the same ``-env:UserInstallation`` forwards its job to the running instance instead and
returns in about 0.5 s instead of the 1.3 s a fresh start costs. The instance keeps a small
document open: without one it quits after the first forwarded conversion closes the last window.

A detached supervisor (``python -m bidkit.pdf.office serve``, its own session) starts the instance, stops it
after ``$BIDKIT_OFFICE_IDLE`` seconds without use (default 600) or on ``bidkit office stop``, and cleans up when
it dies. Forwarded conversions hold ``office/lock``; each writes into a new, empty folder and every PDF must be
complete (``%%EOF``, size stable) or the caller converts with a fresh start instead: never a stale PDF.
Once LibreOffice is up, the supervisor also serves ``bidkit assemble --warm`` itself (:mod:`bidkit.cli.warm`),
with everything imported already; ``ready`` appears when both take work.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ToolError

ENV = "BIDKIT_WARM_OFFICE"  # "1": assemble converts through the warm instance (and starts it when missing)
DIR_ENV = "BIDKIT_OFFICE_DIR"  # where the instance lives; default $XDG_CACHE_HOME/bidkit/office
IDLE_ENV = "BIDKIT_OFFICE_IDLE"
DEFAULT_IDLE = 600.0
FORWARD_TIMEOUT = 60.0  # one forwarded batch; longer means the instance hangs: stop it, convert afresh
START_TIMEOUT = 30.0
KEEPALIVE = "keepalive.txt"


def wanted(flag: bool | None = None) -> bool:
    """Whether conversions should go through the warm instance: ``flag`` if given, else ``$BIDKIT_WARM_OFFICE``."""
    if flag is not None:
        return flag
    return os.environ.get(ENV, "").strip().lower() in ("1", "true", "yes", "on")


def home() -> Path:
    explicit = os.environ.get(DIR_ENV)
    if explicit:
        return Path(explicit).absolute()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache).absolute() / "bidkit" / "office"


def idle_limit() -> float:
    try:
        return max(5.0, float(os.environ.get(IDLE_ENV, DEFAULT_IDLE)))
    except ValueError:
        return DEFAULT_IDLE


@dataclass(frozen=True)
class Status:
    supervisor: int
    soffice: int
    ready: bool
    idle: float  # seconds since the last conversion (or the start)
    directory: Path


def _profile(root: Path) -> Path:
    return root / "profile"


def pipe_name(root: Path) -> str:
    """The UNO pipe the instance of ``root`` listens on (per user and folder)."""
    import hashlib

    return f"bidkit-office-{os.getuid()}-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}"


def env(root: Path) -> dict[str, str]:
    """soffice's environment: a private HOME/TMPDIR and bidkit's fontconfig file, as for a fresh start."""
    from .session import office_env

    return office_env(root / "home")


def _alive(pid: int, marker: str) -> bool:
    """``pid`` runs and its command line mentions ``marker`` (not a recycled pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return marker in cmdline and state not in ("Z", "X")


def _read_state(root: Path) -> dict[str, int] | None:
    try:
        data = json.loads((root / "state.json").read_text())
        return {"supervisor": int(data["supervisor"]), "soffice": int(data["soffice"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def status() -> Status | None:
    """The running instance, or None (no instance, or only the stale traces of a dead one)."""
    root = home()
    state = _read_state(root)
    if state is None:
        return None
    if not (_alive(state["supervisor"], str(root)) and _alive(state["soffice"], _profile(root).as_uri())):
        return None
    try:
        used = (root / "used").stat().st_mtime
    except OSError:
        used = 0.0
    return Status(state["supervisor"], state["soffice"], (root / "ready").exists(), max(0.0, time.time() - used),
                  root)


@contextlib.contextmanager
def _locked(root: Path, timeout: float) -> Iterator[bool]:
    """Hold ``root/lock`` (one forwarded conversion, start or stop at a time); yields False on timeout."""
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(root / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    yield False
                    return
                time.sleep(0.05)
        yield True
    finally:
        os.close(fd)


def start(*, wait: bool = False) -> Status | None:
    """Start the instance in the background unless it runs; with ``wait``, return once it takes jobs."""
    from .convert import soffice_binary

    root = home()
    if status() is None:
        stop()  # the remains of a dead instance: its supervisor must not clean up after the new one
    with _locked(root, START_TIMEOUT) as got:
        current = status()
        if current is None and got:
            soffice_binary()  # a missing LibreOffice is the caller's error, not a dead supervisor's
            for stale in ("state.json", "ready"):
                (root / stale).unlink(missing_ok=True)
            src = Path(__file__).resolve().parents[2]
            child_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)}
            supervisor = subprocess.Popen(
                [sys.executable, "-m", "bidkit.pdf.office", "serve", str(root), str(idle_limit())],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env=child_env, cwd=root, start_new_session=True, close_fds=True,
            )
            # hold the lock until it has said who it is, or a second start would run a second instance
            began = time.monotonic()
            while time.monotonic() - began < 10 and supervisor.poll() is None:
                state = _read_state(root)
                if state is not None and state["supervisor"] == supervisor.pid:
                    break
                time.sleep(0.02)
    if not wait:
        return status()
    began = time.monotonic()
    while time.monotonic() - began < START_TIMEOUT:
        st = status()
        if st is not None and st.ready:
            return st
        if st is None and time.monotonic() - began > 5:
            break  # the supervisor or LibreOffice gave up
        time.sleep(0.1)
    raise ToolError(f"LibreOffice did not start within {START_TIMEOUT:g} s (profile {_profile(root)})")


def stop(timeout: float = 10.0) -> bool:
    """Stop the instance and its supervisor; True when one was running."""
    _close_helpers()  # this process's UNO helper for it, kept for the next conversion
    root = home()
    state = _read_state(root)
    if state is None:
        return False
    was = False
    if _alive(state["supervisor"], str(root)):
        was = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(state["supervisor"], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(state["supervisor"], str(root)):
            time.sleep(0.05)
    if _alive(state["soffice"], _profile(root).as_uri()):  # the supervisor died or did not manage: end it here
        was = True
        _kill_group(state["soffice"])
    for stale in ("state.json", "ready"):
        (root / stale).unlink(missing_ok=True)
    return was


def _kill_group(pgid: int, grace: float = 5.0) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _complete(pdf: Path, deadline: float) -> bool:
    """The PDF exists, ends with ``%%EOF`` and its size no longer changes (the forwarded job is done)."""
    last = -1
    while True:
        try:
            size = pdf.stat().st_size
            with open(pdf, "rb") as fh:
                fh.seek(max(0, size - 1024))
                tail = fh.read()
        except OSError:
            size, tail = -1, b""
        if size > 0 and size == last and b"%%EOF" in tail:
            return True
        if time.monotonic() > deadline:
            return False
        last = size
        time.sleep(0.02)


def convert(docs: list[Path], outdir: Path, timeout: float) -> bool:
    """Convert ``docs`` into the new folder ``outdir`` through the running instance.

    False (nothing to trust in ``outdir``) when no instance is ready, it is busy beyond ``timeout``, or it
    fails or hangs (then it is stopped); the caller converts with a fresh start.
    """
    root = home()
    limit = min(timeout, FORWARD_TIMEOUT)
    with _locked(root, limit) as got:
        st = status()
        if not got or st is None or not st.ready or st.idle > idle_limit():
            return False
        (root / "used").touch()
        outdir.mkdir()
        outcome = _convert_uno(root, docs, outdir, limit)
        if outcome is None:  # no UNO here: a second soffice forwards the job
            outcome = _forward(root, docs, outdir, limit)
        if outcome == "hung":
            _kill_group(st.soffice, grace=1.0)  # a hung instance is of no further use
        (root / "used").touch()
    if outcome == "hung":
        stop()  # the supervisor, once it has the lock back
    return outcome == "ok"


def _forward(root: Path, docs: list[Path], outdir: Path, limit: float) -> str:
    """``soffice --convert-to`` with the instance's profile, which hands the job to the instance."""
    from .convert import soffice_binary

    cmd = [soffice_binary(), f"-env:UserInstallation={_profile(root).as_uri()}", "--headless", "--norestore",
           "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir), *map(str, docs)]
    deadline = time.monotonic() + limit
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env(root), cwd=outdir, start_new_session=True)
    except OSError:
        return "failed"
    try:
        proc.wait(timeout=limit)
    except subprocess.TimeoutExpired:
        return "hung"
    finally:
        if proc.poll() is None:
            _kill_group(proc.pid, grace=1.0)
    complete = proc.returncode == 0 and all(
        _complete(outdir / f"{doc.stem}.pdf", min(deadline, time.monotonic() + 10)) for doc in docs)
    return "ok" if complete else "failed"


_helpers: dict[str, Any] = {}  # pipe → a connected UNO helper, kept for the process's next conversion


def _helper(root: Path, python: str) -> Any:
    """A UNO helper connected to the instance of ``root``: the one kept from before, or a new one."""
    import atexit

    from .convert import soffice_binary
    from .session import Session

    pipe = pipe_name(root)
    kept = _helpers.pop(pipe, None)
    if kept is not None and kept.helper is not None and kept.helper.poll() is None:
        return kept
    if kept is not None:
        kept.close()
    if not _helpers:
        atexit.register(_close_helpers)
    return Session(root, 0, soffice_binary(), python, attach=pipe, connect_limit=5)


def _close_helpers() -> None:
    while _helpers:
        _helpers.popitem()[1].close()


def _convert_uno(root: Path, docs: list[Path], outdir: Path, limit: float) -> str | None:
    """Convert through the instance's UNO pipe: "ok", "failed", "hung" (no answer within ``limit``), or None
    when UNO is not available here (forward the job instead)."""
    from .session import Unavailable, uno_python

    python = uno_python()
    if python is None:
        return None
    deadline = time.monotonic() + limit
    reused = pipe_name(root) in _helpers
    try:
        session = _helper(root, python)
    except (Unavailable, ToolError):
        return None
    try:
        try:
            for doc in docs:
                session.convert(doc, outdir / f"{doc.stem}.pdf", deadline, limit, doc.name)
        except ToolError:
            if not reused or time.monotonic() >= deadline:
                raise
            session.close()  # kept from an instance since restarted: connect afresh, once
            session = _helper(root, python)
            for doc in docs:
                session.convert(doc, outdir / f"{doc.stem}.pdf", deadline, limit, doc.name)
    except Unavailable:
        session.close()
        return None  # an instance from before the pipe existed, or no bridge: forward instead
    except ToolError:  # the caller converts with a fresh start
        session.close()
        return "hung" if time.monotonic() >= deadline else "failed"
    except BaseException:
        session.close()
        raise
    _helpers[pipe_name(root)] = session  # connected and idle: the next conversion skips its start
    return "ok"


def serve(root: Path, idle: float) -> int:
    """The supervisor: run the instance until it is idle too long, told to stop, or dies."""
    from .convert import soffice_binary

    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    (root / "home").mkdir(exist_ok=True)
    keep = root / KEEPALIVE
    keep.write_text("bidkit keeps LibreOffice running while this file is open\n")
    lockfile = root / f".~lock.{KEEPALIVE}#"  # LibreOffice writes it once the document is open: ready
    lockfile.unlink(missing_ok=True)
    (root / "used").touch()
    stopping = False

    def on_term(_sig: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    cmd = [soffice_binary(), f"-env:UserInstallation={_profile(root).as_uri()}", "--headless", "--norestore",
           "--nologo", "--nodefault", "--nolockcheck",
           f"--accept=pipe,name={pipe_name(root)};urp;StarOffice.ComponentContext", str(keep)]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env(root), cwd=root, start_new_session=True)
    server = None
    try:
        tmp = root / "state.json.part"
        tmp.write_text(json.dumps({"supervisor": os.getpid(), "soffice": proc.pid}))
        os.replace(tmp, root / "state.json")
        while not stopping and proc.poll() is None:
            if not (root / "ready").exists() and lockfile.exists():
                server = _serve_assemblies(root)
                (root / "ready").touch()
            try:
                used = (root / "used").stat().st_mtime
            except OSError:
                used = 0.0
            if time.time() - used > idle:
                break
            if server is None:
                time.sleep(0.1 if not (root / "ready").exists() else 1.0)
            elif select.select([server], [], [], 1.0)[0] and not stopping:
                (root / "used").touch()
                with contextlib.suppress(Exception):  # one bad request must not end the warm office
                    server.handle()
                (root / "used").touch()
                if server.spent:
                    break  # after an interrupted run, start afresh rather than serve from a doubtful state
    finally:
        if server is not None:
            server.close()  # first: a command that finds no socket runs by itself
        with _locked(root, 30.0):  # never in the middle of a forwarded conversion
            _kill_group(proc.pid)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
            state = _read_state(root)
            if state is None or state["supervisor"] == os.getpid():
                for name in ("state.json", "ready", lockfile.name):
                    (root / name).unlink(missing_ok=True)
    return 0


def _serve_assemblies(root: Path) -> Any:
    """The warm bidkit beside the warm LibreOffice (:mod:`bidkit.cli.warm`), or None if it cannot start."""
    try:
        from ..cli.warm import Server

        return Server(root)
    except Exception:  # the warm LibreOffice alone still serves conversions
        return None


def clear() -> None:
    """Remove the instance's folder (profile included); only when it is stopped."""
    stop()
    shutil.rmtree(home(), ignore_errors=True)


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "serve":
    sys.exit(serve(Path(sys.argv[2]), float(sys.argv[3])))
