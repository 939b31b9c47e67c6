"""Issue 13 item 7, left behind on signals: SIGTERM (kill) and SIGHUP (terminal closed) sent to a real
``bidkit assemble`` while LibreOffice converts the price chapters, and to ``bidkit price edit`` while the editor
is open. Afterwards no soffice of that run is left, no ``.convert-*`` folder, no editor copy, and no file under
$TMPDIR (pointed at a folder of the test) or build/ holds any price figure of the sample (formatted, plain or the
total in 大写); the command ends with the signal's exit code and one line."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.adapters.render.text import docx_text
from tests.helpers import DEMO_ENV, needs_soffice, snapshot
from tests.hostile.test_faults import alive, force_conversion, lock_is_free
from tests.hostile.test_secrets import leaks, price_figures

SIGNALS = [signal.SIGTERM, signal.SIGHUP]


def start(args: list[str], tmpdir: Path, **env: str) -> subprocess.Popen[str]:
    tmpdir.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "bidkit", *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **DEMO_ENV, "TMPDIR": str(tmpdir), **env})


def text_of(path: Path) -> str:
    """What a reader of the file sees: a PDF's text, a .docx's text, anything else as UTF-8."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        r = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, text=True, timeout=60)
        return r.stdout + data.decode("latin-1")
    if data.startswith(b"PK"):
        with contextlib.suppress(Exception):
            return docx_text(data)
    return data.decode("utf-8", errors="replace")


def price_leaks(files: list[Path], figures: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in files:
        hits = leaks(text_of(path), figures)
        if hits:
            found[str(path)] = hits
    return found


def processes_with(marker: str) -> list[int]:
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and alive(int(proc.name)):
            out.append(int(proc.name))
    return out


def wait_until(condition: object, proc: subprocess.Popen[str], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        if proc.poll() is not None:
            raise AssertionError(f"ended before the moment came: {proc.communicate()[1]}")
        time.sleep(0.02)
    raise AssertionError("the moment never came")


def wait_while(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Give what bidkit ended (a process group, an editor) up to ``seconds`` to go; the caller asserts it went."""
    deadline = time.monotonic() + seconds
    while condition() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.slow
@needs_soffice()
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_signal_during_conversion_leaves_no_price_and_no_soffice(packaged_ws: Path, tmp_path: Path,
                                                                 signum: signal.Signals) -> None:
    ws, tmpdir = packaged_ws, tmp_path / "tmpdir"
    figures = price_figures(ws)
    force_conversion(ws)
    cache = ws / "build" / "cache"
    before = snapshot(ws / "build")
    proc = start(["assemble", str(ws)], tmpdir)

    def converting_prices() -> bool:  # soffice runs on a batch whose sources include a price chapter (alone, or
        # first of the price chapters joined into one document: bid_letter+5.docx)
        priced = ("bid_letter", "opening_summary", "itemised_prices")
        return bool(processes_with(str(cache))) and any(
            p.name.startswith(priced) for p in cache.glob(".convert-*/*/src/*.docx"))

    try:
        wait_until(converting_prices, proc)
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err
    assert err.splitlines()[-1] == f"error: terminated ({signum.name})", err
    assert "Traceback" not in err
    wait_while(lambda: bool(processes_with(str(cache))))
    assert processes_with(str(cache)) == []
    assert list(cache.glob(".convert-*")) == []
    after = snapshot(ws / "build")
    written = [ws / "build" / k for k, v in after.items() if before.get(k) != v]
    assert [p.name for p in written if not str(p).startswith(str(cache))] == [], written
    scanned = [*written, *(p for p in cache.rglob("*") if p.is_file()),
               *(p for p in tmpdir.rglob("*") if p.is_file())]
    assert price_leaks(scanned, figures) == {}
    assert list(tmpdir.rglob("*")) == []  # bidkit's own temporary files went too
    assert lock_is_free(ws)


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_signal_while_editing_prices_leaves_no_copy(sample_ws: Path, tmp_path: Path,
                                                    signum: signal.Signals) -> None:
    ws, tmpdir = sample_ws, tmp_path / "tmpdir"
    figures = price_figures(ws)
    before = snapshot(ws)
    opened = tmp_path / "opened"
    editor = tmp_path / "editor.sh"  # an editor that keeps the file open until it is killed
    editor.write_text(f'#!/bin/sh\necho "$$ $1" > {opened}.tmp && mv {opened}.tmp {opened}\nexec sleep 120\n',
                      encoding="utf-8")
    editor.chmod(0o755)
    proc = start(["price", "edit", str(ws)], tmpdir, EDITOR=str(editor))
    try:
        wait_until(opened.exists, proc)
        pid, copy = opened.read_text(encoding="utf-8").split(maxsplit=1)
        copy_path = Path(copy.strip())
        assert copy_path.is_relative_to(tmpdir)  # the private copy really was under $TMPDIR
        assert leaks(copy_path.read_text(encoding="utf-8"), figures)  # and it held the prices
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum, err
    assert err.splitlines() == [f"error: terminated ({signum.name})"], err
    wait_while(lambda: alive(int(pid)))
    assert not alive(int(pid)), "the editor outlived bidkit"
    assert not copy_path.exists()
    assert [p for p in tmpdir.rglob("*")] == []  # the private folder went with its copy
    assert snapshot(ws) == before  # the prices, the log, everything as it was


def test_what_a_signal_breaks_off_is_not_reported_as_a_crash(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Seen in CI: a Ctrl-C while pyHanko signed stopped asyncio making its event loop; the half-made loop's
    finalizer then failed ("Exception ignored … Traceback … no attribute '_thread_id'") above "error: interrupted".
    Once a signal came, such a finalizer's error is not printed; without one it is, as Python prints it."""
    import warnings

    import bidkit.cli as cli_mod

    class HalfMade:
        def __del__(self) -> None:
            raise AttributeError("'_UnixSelectorEventLoop' object has no attribute '_thread_id'")

    monkeypatch.setattr(sys, "unraisablehook", cli_mod._unraisable)
    monkeypatch.setattr(cli_mod, "INTERRUPTED", [])
    HalfMade()
    assert "_thread_id" in capsys.readouterr().err  # no signal: Python's own report
    with warnings.catch_warnings():  # (the handler silences warnings for the rest of the process)
        with pytest.raises(KeyboardInterrupt):
            cli_mod._interrupt(signal.SIGINT, None)
        assert cli_mod.INTERRUPTED == [signal.SIGINT]
        HalfMade()
        assert capsys.readouterr().err == ""
