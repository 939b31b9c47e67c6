"""Faults around ``bidkit assemble``: LibreOffice missing, killed or hanging (fake ``soffice`` scripts make each
fault happen every time), a full or read-only build dir, Ctrl-C at several moments, two assemblies at once.
Each leaves build/ and the earlier packages as they were, releases the lock, and says what went wrong."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import DEMO_ENV, Result, needs_soffice, snapshot

pytestmark = [needs_soffice()]

PART = "technical_solution"
# the price chapters are never cached: they convert every time (a batch names the files in the book's order)
BATCH = "technical_solution.docx, bid_letter.docx, opening_summary.docx, itemised_prices.docx"


def force_conversion(ws: Path) -> None:
    """Drop one part from the conversion cache, so the next assembly has to hand it to LibreOffice."""
    for old in (ws / "build" / "cache").glob(f"{PART}-*.pdf"):
        old.unlink()


def fake_soffice(tmp_path: Path, body: str) -> Path:
    """An executable ``soffice`` that records its pid (and its children's) in ``pids`` and then runs ``body``."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir(exist_ok=True)
    script = bindir / "soffice"
    script.write_text(f"#!/bin/sh\necho $$ >> {tmp_path / 'pids'}\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has ended; only its parent's wait is missing


def packages(ws: Path) -> list[str]:
    return sorted(p.name for p in (ws / "build").iterdir() if p.suffix in (".pdf", ".json") or ".part" in p.name)


def lock_is_free(ws: Path) -> bool:
    import fcntl

    fd = os.open(ws / "build" / ".assemble.lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_libreoffice_missing(packaged_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             fails_cleanly: Callable[..., Result]) -> None:
    force_conversion(packaged_ws)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.delenv("BIDKIT_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(empty))
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=5,
                  line="error: LibreOffice not found: install it (apt-get install libreoffice-writer-nogui)")


def test_libreoffice_fails_with_a_message(packaged_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          fails_cleanly: Callable[..., Result]) -> None:
    force_conversion(packaged_ws)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake_soffice(tmp_path, "echo 'Error: source file could not be "
                                                                    "loaded' >&2; exit 1")))
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=5,
                  line=f"error: LibreOffice failed (exit 1) converting {BATCH}: "
                       "Error: source file could not be loaded")


def test_libreoffice_killed_mid_conversion(packaged_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           fails_cleanly: Callable[..., Result]) -> None:
    # half a PDF in the output folder, then SIGKILL (as the OOM killer would)
    body = ('while [ "$1" != "--outdir" ]; do shift; done; printf "%%PDF-1.7\\n1 0 obj" > "$2/technical_solution.pdf"\n'
            "kill -KILL $$")
    force_conversion(packaged_ws)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake_soffice(tmp_path, body)))
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=5,
                  line=f"error: LibreOffice was killed by signal 9 converting {BATCH}: no output produced")
    assert not list((packaged_ws / "build" / "cache").glob(f"{PART}-*.pdf"))


@pytest.mark.slow
def test_libreoffice_hanging_is_stopped(packaged_ws: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        fails_cleanly: Callable[..., Result]) -> None:
    # soffice starts a helper (as oosplash starts soffice.bin) and both hang
    body = f"sleep 600 & echo $! >> {tmp_path / 'pids'}\nsleep 600"
    force_conversion(packaged_ws)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake_soffice(tmp_path, body)))
    monkeypatch.setenv("BIDKIT_SOFFICE_TIMEOUT", "2")
    started = time.monotonic()
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=5,
                  line=f"error: LibreOffice took longer than 2 s converting {BATCH}; stopped it")
    assert time.monotonic() - started < 20
    pids = [int(p) for p in (tmp_path / "pids").read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if alive(p)] == []


@pytest.mark.slow
def test_run_with_real_libreoffice_leaves_no_soffice(packaged_ws: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     fails_cleanly: Callable[..., Result]) -> None:
    """The real soffice, stopped by a timeout too short for it: none of its processes outlive the run."""
    real = shutil.which("soffice")
    assert real
    force_conversion(packaged_ws)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake_soffice(tmp_path, f'exec {real} "$@"')))
    monkeypatch.setenv("BIDKIT_SOFFICE_TIMEOUT", "0.5")
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=5,
                  line=f"error: LibreOffice took longer than 0.5 s converting {BATCH}; stopped it")
    marker = str(tmp_path / "ws" / "build" / "cache")  # every process of this run has it in its command line
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        left = [p.name for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, marker)]
        if not left:
            break
        time.sleep(0.1)
    assert left == []


def _cmdline_has(proc: Path, marker: str) -> bool:
    try:
        return alive(int(proc.name)) and marker in (proc / "cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return False


# --- the build dir cannot take the package ----------------------------------------------------------------


@contextlib.contextmanager
def mounted(build: Path, *options: str) -> Iterator[None]:
    """A mount (tmpfs or bind) over ``build``; always unmounted again. Skipped only where mounting is not
    permitted (not root, no CAP_SYS_ADMIN) outside CI."""
    try:
        subprocess.run(["mount", *options], check=True, capture_output=True, text=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"mount not permitted here ({getattr(exc, 'stderr', '') or exc}); CI runs it as root")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(build)], check=False, capture_output=True)


def _used_kib(root: Path) -> int:
    return sum(p.stat().st_size // 1024 + 8 for p in root.rglob("*") if p.is_file())


def test_disk_full(packaged_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    build = packaged_ws / "build"
    keep = packaged_ws.with_name("build-before")
    shutil.copytree(build, keep, symlinks=True)
    # the earlier packages fit, a new 3 MB package does not; the conversion cache (its own disk here) has room
    size = _used_kib(build) - _used_kib(build / "cache") + 1024
    roomy = packaged_ws.with_name("cache-elsewhere")
    shutil.copytree(build / "cache", roomy, symlinks=True)
    with mounted(build, "-t", "tmpfs", "-o", f"size={size}k", "tmpfs", str(build)):
        shutil.copytree(keep, build, symlinks=True, dirs_exist_ok=True, ignore=shutil.ignore_patterns("cache"))
        (build / "cache").mkdir()
        with mounted(build / "cache", "--bind", str(roomy), str(build / "cache")):
            fails_cleanly(packaged_ws, "assemble", packaged_ws, code=8,
                          line=f"error: {build / 'JL-2026-031-v1-2.pdf'}: cannot write (No space left on device)")


def test_read_only_build_dir(packaged_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    build = packaged_ws / "build"
    with mounted(build, "--bind", "-o", "ro", str(build), str(build)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(build)], check=True, capture_output=True)
        fails_cleanly(packaged_ws, "assemble", packaged_ws, code=8,
                      line=f"error: {build}: cannot write (Read-only file system)")


@pytest.mark.slow
def test_manifest_not_written_leaves_no_package(packaged_ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                fails_cleanly: Callable[..., Result]) -> None:
    """The disk fills up between the package and its manifest: the package goes too (never one without the other)."""
    import bidkit.pipeline.assemble
    from bidkit.core.errors import OutputError

    def full(target: Path, *args: object, **kwargs: object) -> None:
        raise OutputError(f"{target}: cannot write (No space left on device)")

    monkeypatch.setattr(bidkit.pipeline.assemble, "atomic_write", full)
    fails_cleanly(packaged_ws, "assemble", packaged_ws, code=8,
                  line=f"error: {packaged_ws / 'build' / 'JL-2026-031-v1-2.manifest.json'}: cannot write "
                       "(No space left on device)")


# --- Ctrl-C and a second assembly -------------------------------------------------------------------------


def start_assemble(ws: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bidkit", "assemble", str(ws)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **DEMO_ENV, **env})


def wait_until_importing_bidkit(proc: subprocess.Popen[str]) -> None:
    """Until the CLI's own imports run (pydantic's library is mapped): a SIGINT before that lands in Python's
    start-up, which bidkit cannot catch (Python prints its own traceback) and where nothing is written yet."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(OSError):
            if "pydantic_core" in Path(f"/proc/{proc.pid}/maps").read_text():
                return
        time.sleep(0.002)
    raise AssertionError("bidkit did not start")


@pytest.mark.slow
@pytest.mark.parametrize("moment", [0.0, 0.5, 1.1, 1.7, 2.3, 2.9])
def test_ctrl_c_during_assemble(packaged_ws: Path, tmp_path: Path, moment: float) -> None:
    """SIGINT at several moments of a real assembly (the technical part really converted by LibreOffice)."""
    force_conversion(packaged_ws)
    before = snapshot(packaged_ws / "build")
    proc = start_assemble(packaged_ws)
    wait_until_importing_bidkit(proc)
    time.sleep(moment)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    after = snapshot(packaged_ws / "build")
    new = sorted(set(after) - set(before))
    if proc.returncode == 130:
        assert err.splitlines()[-1] == "error: interrupted", err
        assert [n for n in new if not n.startswith("cache/")] == []  # a finished conversion may stay cached
    else:  # it finished before the signal came
        assert proc.returncode == 0, err
        assert new in (["JL-2026-031-v1-2.manifest.json", "JL-2026-031-v1-2.pdf"],
                       ["JL-2026-031-v1-2.manifest.json", "JL-2026-031-v1-2.pdf",
                        f"cache/{next(n for n in new if n.startswith('cache/'))[6:]}"])
    assert {k: v for k, v in after.items() if k in before and not k.startswith("cache/")} == \
        {k: v for k, v in before.items() if not k.startswith("cache/")}
    assert not [n for n in after if ".part" in n or ".convert-" in n]
    assert lock_is_free(packaged_ws)
    again = start_assemble(packaged_ws)
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err


@pytest.mark.slow
def test_two_assemblies_at_once(packaged_ws: Path, tmp_path: Path, fails_cleanly: Callable[..., Result]) -> None:
    real = shutil.which("soffice")
    assert real
    force_conversion(packaged_ws)
    flag, release = tmp_path / "converting", tmp_path / "release"
    # LibreOffice waits (at most 60 s) until the second command has been refused: nothing of the first one's
    # conversion is written to build/ while the test compares it
    slow = fake_soffice(tmp_path, f'touch {flag}; i=0; while [ ! -e {release} ] && [ $i -lt 600 ]; do sleep 0.1; '
                                  f'i=$((i+1)); done; exec {real} "$@"')
    first = start_assemble(packaged_ws, BIDKIT_SOFFICE=str(slow))
    try:
        deadline = time.monotonic() + 30
        # LibreOffice starts (the flag) as the command starts; the lock is taken once the workspace is loaded
        def converting() -> bool:
            return flag.exists() and (packaged_ws / "build" / ".assemble.lock").exists() \
                and not lock_is_free(packaged_ws)

        while not converting() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert converting(), first.stderr.read() if first.stderr else ""
        fails_cleanly(packaged_ws, "assemble", packaged_ws, code=8,
                      line="error: another assembly of this workspace is running; try again when it ends")
        release.touch()
        _, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert [p for p in packages(packaged_ws) if "draft" not in p] == [
        "JL-2026-031-v1-1.manifest.json", "JL-2026-031-v1-1.pdf",
        "JL-2026-031-v1-2.manifest.json", "JL-2026-031-v1-2.pdf"]
