"""Starting and ending soffice processes: the binary, their environment (private HOME, bidkit's fonts), the
initialised profile each start copies, the single-instance pipe, process groups killed whole, and the
:class:`Standby` started ahead for the first conversion to hand its files to. The conversion itself (jobs, the
sealed cache, batches) is :mod:`bidkit.adapters.libreoffice`."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bidkit.core.errors import ToolError

INSTALL_HINT = "LibreOffice not found: install it (apt-get install libreoffice-writer-nogui)"
FONTS_CONF = Path(__file__).resolve().parent / "fonts" / "fonts.conf"
OPTIONS = ("--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck")


def soffice_binary() -> str:
    """The soffice executable (``$BIDKIT_SOFFICE`` wins), or :class:`ToolError` saying how to install it."""
    explicit = os.environ.get("BIDKIT_SOFFICE")
    found = shutil.which(explicit) if explicit else (shutil.which("soffice") or shutil.which("libreoffice"))
    if not found:
        raise ToolError(INSTALL_HINT)
    return found


def soffice_env(home: Path) -> dict[str, str]:
    """soffice's environment: private HOME/TMPDIR, bidkit's fonts, no display, glibc malloc on huge pages
    (measured: 336,000 → 24,000 page faults for the sample's parts, 2.2 → 1.8 s)."""
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(home), "FONTCONFIG_FILE": str(FONTS_CONF),
           "SAL_USE_VCLPLUGIN": "svp"}
    env.pop("DISPLAY", None)
    tunables = env.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" not in tunables:
        env["GLIBC_TUNABLES"] = f"{tunables}:glibc.malloc.hugetlb=1".lstrip(":")
    return env


def profile_template(binary: str) -> Path:
    """Where this LibreOffice installation's initialised profile is kept (copying it saves ~0.25 s a start)."""
    real = os.path.realpath(binary)
    with contextlib.suppress(OSError):
        st = os.stat(real)
        real = f"{real}\0{st.st_size}\0{st.st_mtime_ns}"
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "bidkit" / f"lo-profile-{hashlib.sha256(real.encode()).hexdigest()[:16]}"


class Standby:
    """One soffice started ahead on a profile of its own, for the first batch to hand its files to: LibreOffice's
    single-instance pipe passes a second soffice's arguments (``--convert-to …``) to the one already running on
    that profile, and the second waits until they are converted. The start-up (about 0.8 s) then overlaps
    bidkit's loading and rendering. Used once; a batch that finds it taken, gone or not up in time starts its own
    process. A context manager: its process group, profile and pipe go with it. ``BIDKIT_SOFFICE_STANDBY=0``: off."""

    WAIT = 5.0  # seconds the first batch waits for the standby's pipe (it is starting up meanwhile)

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.folder: Path | None = None
        self.url = ""  # its profile's file URL
        self._taken = False
        self._closed = False
        self._lock = threading.Lock()
        self._launcher: threading.Thread | None = None

    def __enter__(self) -> Standby:
        if os.environ.get("BIDKIT_SOFFICE_STANDBY") != "0":
            self._launcher = threading.Thread(target=self._launch, name="bidkit-standby", daemon=True)
            self._launcher.start()
        return self

    def _launch(self) -> None:
        """Copy the profile and start soffice, beside the caller (the copy took 15-50 ms of bidkit's main thread,
        before it could load the workspace). Once the standby is closed, nothing is started and nothing left."""
        folder = None
        try:
            binary = soffice_binary()
            template = profile_template(binary)
            if not (template / "complete").is_file():  # no profile yet: the first batch makes it
                return
            folder = Path(tempfile.mkdtemp(prefix="bidkit-standby-"))  # mode 0700
            shutil.copytree(template / "profile", folder / "profile", symlinks=True)
            (folder / "home").mkdir()
            url = (folder / "profile").as_uri()
            with self._lock:
                if self._closed:
                    return
                self.proc = subprocess.Popen([binary, f"-env:UserInstallation={url}", *OPTIONS],
                                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                             stderr=subprocess.DEVNULL, env=soffice_env(folder / "home"),
                                             start_new_session=True)
                self.url, self.folder, folder = url, folder, None  # (close() removes it from now on)
        except (ToolError, OSError):  # no LibreOffice, a full disk: batches start their own
            pass
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)

    def launched(self, timeout: float = WAIT) -> bool:
        """Wait (at most ``timeout`` seconds) until the launch is over; whether it started a soffice (that has not
        been closed since)."""
        if (launcher := self._launcher) is not None and launcher is not threading.current_thread():
            launcher.join(timeout)
        return self.proc is not None

    def __exit__(self, *exc: object) -> None:
        with uninterrupted():
            self.close()

    def take(self) -> str | None:
        """The profile URL to hand a batch over with, once the standby's pipe is up (None: taken, gone, late)."""
        deadline = time.monotonic() + self.WAIT
        self.launched(self.WAIT)
        with self._lock:
            proc, self._taken = (None if self._taken else self.proc), True
        while proc is not None and proc.poll() is None and time.monotonic() < deadline:
            if any(p.exists() for p in pipes(self.url)):
                return self.url
            time.sleep(0.02)
        return None

    def starting(self) -> bool:  # its process runs, its pipe is not up yet (a batch handed to it waits meanwhile)
        if (launcher := self._launcher) is not None and launcher.is_alive():
            return True
        return (proc := self.proc) is not None and proc.poll() is None and not any(p.exists() for p in pipes(self.url))

    def close(self) -> None:
        """End the standby (a batch it converted is done, or bidkit stops)."""
        self.launched(10.0)  # (copying a small profile and starting a process: milliseconds)
        with self._lock:
            self._closed = True
            proc, folder, self.proc, self.folder = self.proc, self.folder, None, None
        if proc is not None:
            kill(proc)
        if folder is not None:
            for pipe in pipes(folder.joinpath("profile").as_uri()):  # (killed, LibreOffice leaves it in /tmp)
                with contextlib.suppress(OSError):
                    pipe.unlink()
            shutil.rmtree(folder, ignore_errors=True)


def pipes(url: str) -> list[Path]:
    """Where LibreOffice puts the single-instance pipe of the profile at ``url`` (named after the MD5 of its
    UTF-16 form, each byte in hex without its leading zero)."""
    digest = "".join(f"{b:x}" for b in hashlib.md5(url.encode("utf-16-le"), usedforsecurity=False).digest())
    return [Path(d) / f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{digest}" for d in ("/tmp", "/var/tmp")]


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP until the block is done, then act on one that came (its handler runs: in
    bidkit's command line it raises, as it would have). Only the main thread can set handlers: elsewhere the
    block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    before = {sig: signal.signal(sig, lambda signum, _frame: came.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in before.items():
            if handler is not None:  # (None: a handler set outside Python, which cannot be put back)
                signal.signal(sig, handler)
        if came:
            signal.raise_signal(came[0])


def kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)
