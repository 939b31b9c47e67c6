"""A private LibreOffice started early and driven through its UNO API, so its start-up hides behind bidkit's work.

``soffice --convert-to`` can only start once the .docx files exist, and its ~1 s start-up then sits on the
critical path. A session starts ``soffice --accept=pipe,...`` (own throw-away profile, HOME and bidkit's
fontconfig file, as a fresh ``--convert-to`` has) as soon as the workspace is loaded; while bidkit decrypts
prices and renders, LibreOffice starts, and a small helper (``uno_worker.py``, run by a Python with Debian's
``python3-uno``) connects and then converts each .docx the moment it is handed over.

The profile is copied from a template made once per LibreOffice installation (``--terminate_after_init``,
0.1 s), which saves about 0.25 s of every start. When UNO is not available (no ``python3-uno``, or soffice
quits before it listens) :class:`Unavailable` tells the caller to use ``soffice --convert-to`` instead; a
conversion that fails or outlasts its timeout is a :class:`ToolError`, as with ``--convert-to``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ..errors import ToolError

PYTHON_ENV = "BIDKIT_UNO_PYTHON"  # a Python that can ``import uno``; default /usr/bin/python3
DISABLE_ENV = "BIDKIT_NO_UNO"  # "1": never start a session (always soffice --convert-to)
WORKER = Path(__file__).with_name("uno_worker.py")


class Unavailable(Exception):
    """The UNO route cannot be used here; convert with ``soffice --convert-to`` instead (not a user error)."""


def uno_python() -> str | None:
    """The interpreter that runs the UNO helper, or None when sessions are switched off or none is found."""
    if os.environ.get(DISABLE_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    explicit = os.environ.get(PYTHON_ENV)
    if explicit:
        return shutil.which(explicit)
    return "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else None


def office_env(home: Path) -> dict[str, str]:
    """soffice's environment: private HOME/TMPDIR, bidkit's fontconfig file, no display, tuned malloc."""
    from ..resources import fonts_conf
    from .convert import tuned

    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home), "FONTCONFIG_FILE": str(fonts_conf()),
           "SAL_USE_VCLPLUGIN": "svp"}
    env.pop("DISPLAY", None)
    return tuned(env)


def kill_group(proc: subprocess.Popen[bytes], grace: float = 0.0) -> None:
    """End ``proc`` and everything in its process group (it was started in a session of its own)."""
    if grace and proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(grace)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


# --- the profile template ------------------------------------------------------------------------------------


def _template_dir(binary: str) -> Path:
    real = os.path.realpath(binary)
    try:
        st = os.stat(real)
        stamp = f"{real}\0{st.st_size}\0{st.st_mtime_ns}"
    except OSError:
        stamp = real
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bidkit" / f"lo-profile-{hashlib.sha256(stamp.encode()).hexdigest()[:16]}"


def seed_profile(binary: str, profile: Path) -> bool:
    """Copy the installation's profile template to ``profile`` (a new folder); False when there is none yet."""
    template = _template_dir(binary) / "profile"
    if not (template.parent / "complete").is_file():
        return False
    try:
        shutil.copytree(template, profile, symlinks=True)
        return True
    except OSError:
        shutil.rmtree(profile, ignore_errors=True)
        return False


def make_template(binary: str) -> None:
    """Make the profile template of this LibreOffice installation unless it exists (best effort, ~0.1 s)."""
    target = _template_dir(binary)
    if (target / "complete").is_file():
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".lo-profile-", dir=target.parent))
    except OSError:
        return
    try:
        (work / "home").mkdir()
        proc = subprocess.run(
            [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
             "--nologo", "--nodefault", "--nolockcheck", "--terminate_after_init"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=office_env(work / "home"), cwd=work, timeout=30, check=False, start_new_session=True,
        )
        if proc.returncode == 0 and (work / "profile" / "user").is_dir():
            shutil.rmtree(work / "home", ignore_errors=True)
            (work / "complete").touch()
            with contextlib.suppress(OSError):
                os.rename(work, target)  # another process may have made it first: keep theirs
    except (OSError, subprocess.SubprocessError):
        pass
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- one session ---------------------------------------------------------------------------------------------


class Session:
    """One LibreOffice listening on a private pipe, and the UNO helper that drives it.

    ``attach``: connect to an instance somebody else runs (bidkit's warm office) instead of starting one.
    """

    def __init__(self, work: Path, index: int, binary: str, python: str, *, attach: str | None = None,
                 connect_limit: float = 600.0) -> None:
        self.work = work
        self.started = time.monotonic()
        self.office: subprocess.Popen[bytes] | None = None
        self.helper: subprocess.Popen[bytes] | None = None
        self.seeded = False
        self.binary = binary
        self._buffer = b""
        self.ready = False
        self.dir = work / f"s{index}"  # profile, HOME and log of this session only
        self.log = self.dir / "session.log"
        try:
            self._start(index, binary, python, attach, connect_limit)
        except BaseException:
            self.close()  # nothing started here outlives a failed (or interrupted) start
            raise

    def _start(self, index: int, binary: str, python: str, attach: str | None, connect_limit: float) -> None:
        work = self.work
        if attach is None:
            self.pipe = f"bidkit-{os.getpid()}-{index}-{secrets.token_hex(6)}"
            profile = self.dir / "profile"
            home = self.dir / "home"
            home.mkdir(parents=True)
            self.seeded = seed_profile(binary, profile)
            cmd = [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"]
            try:
                with open(self.log, "wb") as log:
                    self.office = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                                   env=office_env(home), cwd=work, start_new_session=True)
            except FileNotFoundError:
                raise ToolError("LibreOffice not found: install it (apt-get install libreoffice-writer-nogui)") \
                    from None
            except OSError as exc:
                raise ToolError(f"LibreOffice could not be started ({exc.strerror or exc})") from None
        else:
            self.pipe = attach
        owned = self.office.pid if self.office is not None else 0
        try:
            self.helper = subprocess.Popen(
                [python, str(WORKER), self.pipe, f"{connect_limit:g}", str(owned),
                 str(self.dir if attach is None else work)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=work,
                start_new_session=True,
            )
        except OSError:
            raise Unavailable("the UNO helper could not be started") from None

    # the helper's answers, one JSON object per line, read with a deadline
    def _answer(self, deadline: float) -> dict[str, object] | None:
        assert self.helper is not None and self.helper.stdout is not None
        fd = self.helper.stdout.fileno()
        while b"\n" not in self._buffer:
            if self.office is not None and self.office.poll() is not None and not self.ready:
                return {"fatal": "exited"}
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([fd], [], [], min(remaining, 0.05))
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    return {"fatal": "helper ended"}
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError:
            return {"fatal": "unreadable answer"}
        return answer if isinstance(answer, dict) else {"fatal": "unreadable answer"}

    def _office_reason(self) -> str:
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            text = ""
        noise = ("javaldx", "java may not function", "using filter", "-> ")
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not any(n in ln for n in noise)]
        return lines[-1][:300] if lines else "no output produced"

    def _dead(self) -> str | None:
        """How the instance ended, when it has (a started one only)."""
        if self.office is None or self.office.poll() is None:
            return None
        code = self.office.returncode
        return f"was killed by signal {-code}" if code < 0 else f"failed (exit {code})"

    def wait_ready(self, deadline: float, timeout: float, names: str) -> None:
        """Block until the helper is connected; :class:`Unavailable` if this route cannot work."""
        if self.ready:
            return
        answer = self._answer(deadline)
        if answer is None:
            raise ToolError(f"LibreOffice took longer than {timeout:g} s converting {names}; stopped it")
        if answer.get("ready") is True:
            self.ready = True
            return
        raise Unavailable(str(answer.get("fatal", "no answer")))

    def convert(self, src: Path, out: Path, deadline: float, timeout: float, names: str) -> int:
        """Convert one .docx to ``out``; the page count LibreOffice laid out (0 if it did not say).

        ``names``: the batch, for the timeout message (the deadline is the batch's).
        """
        self.wait_ready(deadline, timeout, names)
        assert self.helper is not None and self.helper.stdin is not None
        try:
            self.helper.stdin.write(json.dumps({"src": str(src), "out": str(out)}).encode() + b"\n")
            self.helper.stdin.flush()
        except OSError:
            answer: dict[str, object] | None = {"fatal": "helper ended"}
        else:
            answer = self._answer(deadline)
        if answer is None:
            raise ToolError(f"LibreOffice took longer than {timeout:g} s converting {names}; stopped it")
        if answer.get("ok") is True and out.is_file() and out.stat().st_size > 0:
            pages = answer.get("pages")
            return pages if isinstance(pages, int) else 0
        time.sleep(0.05)  # a bridge that broke because LibreOffice died: let its exit be seen
        if (how := self._dead()) is not None:
            raise ToolError(f"LibreOffice {how} converting {src.name}: {self._office_reason()}")
        if "fatal" in answer:
            raise ToolError(f"LibreOffice stopped while converting {src.name}: {answer['fatal']}")
        raise ToolError(f"LibreOffice could not convert {src.name}: {answer.get('error') or 'no output produced'}")

    def close(self) -> None:
        """End the helper and (unless attached) LibreOffice with its whole process group."""
        helper = self.helper
        if helper is not None:
            with contextlib.suppress(OSError):
                if helper.stdin is not None:
                    helper.stdin.close()
            kill_group(helper)
            if helper.stdout is not None:
                helper.stdout.close()
        if self.office is not None:
            kill_group(self.office)
            with contextlib.suppress(OSError):  # killed, it could not remove its pipe: ours is known
                os.unlink(f"/tmp/OSL_PIPE_{os.getuid()}_{self.pipe}")
        self.helper = self.office = None


# --- a group of sessions -------------------------------------------------------------------------------------


class Sessions:
    """``count`` sessions started now in a new folder under ``parent``, for :func:`bidkit.pdf.convert.convert`.

    Never raises for a missing LibreOffice or UNO bridge: the group is then simply not :attr:`usable`, and the
    conversion (if any is needed) goes the ``--convert-to`` way, which reports the problem.
    """

    def __init__(self, parent: Path, count: int) -> None:
        from .convert import soffice_binary

        self.items: list[Session] = []
        self.work: Path | None = None
        self.binary = ""
        self.succeeded = False
        python = uno_python()
        if python is None or count < 1:
            return
        try:
            self.binary = soffice_binary()
            parent.mkdir(parents=True, exist_ok=True)
            self.work = Path(tempfile.mkdtemp(prefix=".session-", dir=parent))
            for i in range(count):
                self.items.append(Session(self.work, i, self.binary, python))
        except (ToolError, Unavailable, OSError):
            self.close()
        except BaseException:
            self.close()
            raise

    @property
    def usable(self) -> bool:
        return bool(self.items)

    def run(self, batches: list[list[tuple[str, Path]]], outdir: Path, timeout: float,
            land: Callable[[str, Path], None]) -> None:
        """Convert each batch in its own session, in parallel; ``land(name, pdf)`` as each PDF is written.

        :class:`Unavailable` when the sessions cannot be used (nothing was landed then only if no session got
        ready); :class:`ToolError` for a failed or timed-out conversion, after stopping every session.
        """
        from concurrent.futures import ThreadPoolExecutor

        outdir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + timeout

        def one(session: Session, batch: list[tuple[str, Path]]) -> None:
            names = ", ".join(src.name for _, src in batch)
            for name, src in batch:
                out = outdir / f"{name}.pdf"
                session.convert(src, out, deadline, timeout, names)
                land(name, out)

        jobs = list(zip(self.items, batches, strict=False))  # the caller makes no more batches than sessions
        with ThreadPoolExecutor(max_workers=max(1, len(jobs)), thread_name_prefix="bidkit-uno") as pool:
            futures = [pool.submit(one, session, batch) for session, batch in jobs]
            first: BaseException | None = None
            for future in futures:
                try:
                    future.result()
                except BaseException as exc:  # the first failure stops every session
                    if first is None:
                        first = exc
                        self.stop()  # the other sessions' helpers see their end and give up
            if first is not None:
                raise first
        self.succeeded = True

    def stop(self) -> None:
        """Kill every process of the group (their pipes stay open until :meth:`close`)."""
        for session in self.items:
            if session.helper is not None:
                kill_group(session.helper)
            if session.office is not None:
                kill_group(session.office)

    def close(self) -> None:
        """Stop every session at once (measured: asking LibreOffice to terminate costs 0.05-1.3 s, which the cold
        build's time cannot spare). Nothing of them is left when this returns but LibreOffice's own
        SingleOfficeIPC socket in /tmp."""
        for session in self.items:
            session.close()
        self.items = []
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None

    def __enter__(self) -> Sessions:
        return self

    def __exit__(self, *exc: object) -> None:
        seeded = all(s.seeded for s in self.items)
        self.close()
        if self.succeeded and not seeded and self.binary:
            make_template(self.binary)  # once per LibreOffice installation: later starts are faster


# --- started before the command line is even parsed ----------------------------------------------------------

_prelaunched: Sessions | None = None


def prelaunch(argv: list[str]) -> None:
    """For ``bidkit assemble``, start one session right at process start, before the CLI's own imports
    (~0.3 s) and the workspace's loading: LibreOffice's start-up then overlaps all of them. Anything else
    (another command, ``--help``, a warm office in use) starts nothing. Its folder is under ``$TMPDIR``
    (0700), since the workspace is not known yet; :func:`claim` hands it to the assembly.
    """
    global _prelaunched
    if len(argv) < 2 or argv[1] != "assemble" or any(a in ("--help", "-h", "--warm") for a in argv[2:]):
        return
    from .office import wanted

    if wanted(None) and "--no-warm" not in argv:
        return
    try:
        _prelaunched = Sessions(Path(tempfile.gettempdir()), 1)
    except Exception:  # only a head start: assemble starts its own or converts without
        _prelaunched = None


def claim() -> Sessions | None:
    """The session :func:`prelaunch` started, now owned by the caller (None when there is none)."""
    global _prelaunched
    group, _prelaunched = _prelaunched, None
    return group if group is not None and group.usable else None


def discard() -> None:
    """Stop a prelaunched session nobody claimed (the command failed before it needed LibreOffice)."""
    group = claim()
    if group is not None:
        group.close()
