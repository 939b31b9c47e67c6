"""A warm bidkit: the warm office's supervisor also runs ``bidkit assemble --warm`` for the command line.

Re-assembling after a price change converts one part, yet a fresh ``bidkit`` process spends most of its time
starting Python and importing (typer, pydantic, pikepdf, pyHanko, weasyprint): about 2 s on two cores, for
~0.3 s of LibreOffice. ``bidkit office start`` therefore keeps, beside the warm LibreOffice, a Python with all
of that imported, listening on ``<office dir>/assemble.sock`` (0600 in a 0700 folder; same user only, checked
with SO_PEERCRED). ``bidkit assemble --warm`` (or ``$BIDKIT_WARM_OFFICE=1``) sends it its arguments, working
directory and environment, and prints what the run printed, with its exit code: the same command, the same
output, the same files, just without the start-up.

The command runs here instead whenever the warm one cannot do it as it would be done here: no server, another
bidkit version (the code changed since it started), or a secret that would have to be asked on the terminal.
Ctrl-C on the command line interrupts the run in the server, as it would here; the server then stops (an
interrupt may have landed anywhere). ``BIDKIT_WARM_TRACE=1`` prints how long the server took, on stderr.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import socket
import struct
import sys
import threading
from pathlib import Path
from typing import Any

PASSPHRASE_ENV = "BIDKIT_PRICE_PASSPHRASE"  # bidkit.secure.ENV, named here to keep cryptography out of the client
SOCKET = "assemble.sock"
SERVED = "served"  # how many assemblies the server ran (for `bidkit office status` and the tests)
MAX_REQUEST = 4 << 20
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def fingerprint() -> str:
    """The running code's identity: bidkit's version and every module's size and time (about 1 ms)."""
    from .. import __version__

    h = hashlib.sha256(__version__.encode())
    for dirpath, dirnames, filenames in os.walk(PACKAGE_DIR):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                st = os.stat(os.path.join(dirpath, name))
                h.update(f"{os.path.relpath(os.path.join(dirpath, name), PACKAGE_DIR)}\0{st.st_size}\0"
                         f"{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


# --- the command line's side ---------------------------------------------------------------------------------


def _wants_warm(argv: list[str]) -> bool:
    from ..pdf import office

    if len(argv) < 2 or argv[1] != "assemble":
        return False
    args = argv[2:]
    if any(a in ("--help", "-h", "--no-warm") for a in args):
        return False
    return "--warm" in args or office.wanted(None)


def try_remote(argv: list[str]) -> int | None:
    """Run ``bidkit assemble`` in the warm server and print its output; None when it has to run here."""
    if not _wants_warm(argv):
        return None
    from ..pdf import office

    if PASSPHRASE_ENV not in os.environ and "--draft" not in argv:
        return None  # the passphrase would be asked on this terminal
    path = office.home() / SOCKET
    if not path.exists():
        return None
    request = json.dumps({"argv": argv[1:], "cwd": os.getcwd(), "env": dict(os.environ),
                          "fingerprint": fingerprint()}).encode()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(2.0)
        conn.connect(str(path))
        conn.settimeout(None)
        conn.sendall(struct.pack("!Q", len(request)) + request)  # then wait: closing means "interrupt"
        chunks = []
        while chunk := conn.recv(1 << 16):
            chunks.append(chunk)
    except KeyboardInterrupt:  # closing the connection interrupts the run in the server
        conn.close()
        sys.stderr.write("error: interrupted\n")
        return 130
    except OSError:
        return None  # no server after all (a stale socket): run here
    finally:
        conn.close()
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        return None
    if not isinstance(answer, dict) or "fallback" in answer or not isinstance(answer.get("code"), int):
        return None
    if os.environ.get("BIDKIT_WARM_TRACE"):
        sys.stderr.write(f"warm: served in {answer.get('seconds')} s\n")
    sys.stdout.write(str(answer.get("stdout", "")))
    sys.stderr.write(str(answer.get("stderr", "")))
    return int(answer["code"])


# --- the server's side ---------------------------------------------------------------------------------------


class NeedsTerminal(BaseException):  # not an Exception: main() must not turn it into a message
    """A secret would have to be asked: the command runs on the user's side instead."""


def _no_prompt(_text: str) -> str:
    raise NeedsTerminal


class Server:
    """Serves assemblies on ``root/assemble.sock``, one at a time, in the calling (main) thread."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.path = root / SOCKET
        self.fingerprint = fingerprint()
        self.served = 0
        self.spent = False  # a run was interrupted: this process's state is unknown, it must not serve again
        from .. import package  # noqa: F401
        from ..pdf import pages, sign  # noqa: F401
        from .app import main  # the imports a fresh command would pay for, once

        self._main = main
        with contextlib.suppress(Exception):
            pages.prewarm()
        self.path.unlink(missing_ok=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            self.sock.bind(str(self.path))
        finally:
            os.umask(old)
        self.sock.listen(8)

    def fileno(self) -> int:
        return self.sock.fileno()

    def close(self) -> None:
        self.sock.close()
        self.path.unlink(missing_ok=True)

    def handle(self) -> None:
        """Accept one connection and run its command; never raises for a client's fault."""
        conn, _ = self.sock.accept()
        with conn:
            try:
                creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
                _pid, uid, _gid = struct.unpack("3i", creds)
                if uid != os.getuid():
                    return
                conn.settimeout(10.0)
                (size,) = struct.unpack("!Q", _read(conn, 8))
                if size > MAX_REQUEST:
                    return
                request = json.loads(_read(conn, size))
                conn.settimeout(None)
                answer = self.run(request, conn)
                conn.sendall(json.dumps(answer, ensure_ascii=False).encode())
                conn.close()
            except (OSError, ValueError, KeyError, TypeError, KeyboardInterrupt):
                return
        import gc

        gc.collect()  # between requests, while nobody waits

    def run(self, request: dict[str, Any], conn: socket.socket) -> dict[str, Any]:
        """Run one command as the client would have, in this process; its exit code and what it printed."""
        import gc
        import signal
        import time

        from .. import secure
        from ..pdf import sign

        if request.get("fingerprint") != self.fingerprint:
            return {"fallback": "bidkit changed since the warm office started"}
        argv = [str(a) for a in request["argv"]]
        env = {str(k): str(v) for k, v in dict(request["env"]).items()}
        began = time.perf_counter()
        saved_env, saved_cwd = dict(os.environ), os.getcwd()
        saved_prompts = secure.PROMPT["ask"], sign.PROMPT["ask"]
        saved_sigint = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C, as on the client
        stdout, stderr = io.StringIO(), io.StringIO()
        done = threading.Event()
        wake_r, wake_w = os.pipe()  # wakes the watcher the moment the run ends
        watcher = threading.Thread(target=_watch, args=(conn, done, wake_r), daemon=True)
        code = 130
        try:
            try:
                os.environ.clear()
                os.environ.update(env)
                os.chdir(str(request["cwd"]))
                secure.PROMPT["ask"] = sign.PROMPT["ask"] = _no_prompt
                watcher.start()
                gc.disable()  # a request allocates little; a full collection of this big heap would cost more
                with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                    code = self._main(argv)
            finally:
                done.set()
                gc.enable()
                secure.PROMPT["ask"], sign.PROMPT["ask"] = saved_prompts
                os.environ.clear()
                os.environ.update(saved_env)
                with contextlib.suppress(OSError):
                    os.chdir(saved_cwd)
        except NeedsTerminal:
            return {"fallback": "a secret must be asked on the terminal"}
        except KeyboardInterrupt:  # the client went away just as the run ended
            stderr.write("error: interrupted\n")
            code = 130
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        finally:
            os.write(wake_w, b"x")
            watcher.join(1.0)
            os.close(wake_w)
            os.close(wake_r)
            with contextlib.suppress(KeyboardInterrupt):  # an interrupt that came late is spent here
                signal.signal(signal.SIGINT, saved_sigint)
        self.served += 1
        self.spent = self.spent or code == 130  # an interrupt may have landed anywhere (an import, a cache)
        with contextlib.suppress(OSError):
            (self.root / SERVED).write_text(f"{self.served}\n")
        return {"code": code, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
                "seconds": round(time.perf_counter() - began, 3)}


def _watch(conn: socket.socket, done: threading.Event, wake: int) -> None:
    """Interrupt the run (as Ctrl-C would) when the command line goes away before it ends."""
    import _thread
    import select

    fd = conn.fileno()
    while not done.is_set():
        try:
            readable, _, _ = select.select([fd, wake], [], [])
        except (OSError, ValueError):
            return
        if fd in readable and not done.is_set():
            try:
                gone = conn.recv(4096) == b""  # nothing more is sent: readable means closed (or noise, dropped)
            except OSError:
                gone = True
            if gone:
                if not done.is_set():
                    _thread.interrupt_main()
                return


def _read(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(1 << 16, size - len(data)))
        if not chunk:
            raise OSError("connection closed")
        data += chunk
    return data
