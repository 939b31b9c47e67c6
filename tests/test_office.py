"""The warm LibreOffice (bidkit.pdf.office) with real soffice: forwarded conversions, a dead or hung instance
falls back to a fresh start with a correct PDF, idle timeout and stop leave no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bidkit.pdf import office
from bidkit.pdf.convert import convert
from tests.conftest import needs_soffice, needs_uno
from tests.test_convert import cjk_docx


def _processes(marker: str) -> list[int]:
    """Live processes whose command line mentions ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if marker in cmdline and state not in ("Z", "X"):
            found.append(int(entry.name))
    return found


@pytest.fixture
def office_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private office folder; whatever the test started is stopped, and nothing may be left running."""
    root = tmp_path / "office"
    monkeypatch.setenv(office.DIR_ENV, str(root))
    monkeypatch.delenv(office.ENV, raising=False)
    try:
        yield root
    finally:
        office.stop()
        deadline = time.monotonic() + 10
        while _processes(str(root)) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _processes(str(root))
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert left == []


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_wanted_follows_flag_then_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(office.ENV, raising=False)
    assert office.wanted() is False and office.wanted(True) is True
    monkeypatch.setenv(office.ENV, "1")
    assert office.wanted() is True and office.wanted(False) is False


def test_nothing_running_nothing_started(office_dir: Path, tmp_path: Path) -> None:
    assert office.status() is None and office.stop() is False
    assert office.convert([tmp_path / "x.docx"], tmp_path / "out", 10) is False  # no instance: caller converts
    assert not (tmp_path / "out").exists()


@needs_soffice()
def test_forwarded_conversion_is_complete_and_instance_stays(office_dir: Path, tmp_path: Path) -> None:
    st = office.start(wait=True)
    assert st is not None and st.ready
    for text in ("第一份价格", "第二份价格"):  # the instance outlives a forwarded conversion
        result = convert({"price_part": cjk_docx(text)}, tmp_path / "cache", warm=True)["price_part"]
        assert not result.cached
        assert text in _text(result.pdf)
        assert result.pdf.read_bytes().rstrip().endswith(b"%%EOF")
        again = office.status()
        assert again is not None and again.soffice == st.soffice and again.idle < 5
    assert office.stop() is True
    assert office.status() is None and _processes(str(office_dir)) == []


@needs_soffice()
def test_dead_instance_falls_back_and_restarts(office_dir: Path, tmp_path: Path) -> None:
    st = office.start(wait=True)
    assert st is not None
    os.killpg(st.soffice, signal.SIGKILL)
    time.sleep(0.3)
    result = convert({"price_part": cjk_docx("死后重来")}, tmp_path / "cache", warm=True)["price_part"]
    assert "死后重来" in _text(result.pdf)
    new = office.start(wait=True)  # convert started a new one for next time
    assert new is not None and new.soffice != st.soffice


@needs_soffice()
def test_hung_instance_is_stopped_and_a_fresh_start_converts(
    office_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st = office.start(wait=True)
    assert st is not None
    monkeypatch.setattr(office, "FORWARD_TIMEOUT", 2.0)
    os.killpg(st.soffice, signal.SIGSTOP)
    start = time.monotonic()
    result = convert({"price_part": cjk_docx("卡住之后")}, tmp_path / "cache", warm=True)["price_part"]
    assert time.monotonic() - start < 30
    assert "卡住之后" in _text(result.pdf)
    assert not any(str(st.soffice) == str(pid) for pid in _processes(str(office_dir / "profile")))


@needs_soffice()
def test_idle_instance_stops_by_itself(office_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(office.IDLE_ENV, "5")
    assert office.start(wait=True) is not None
    deadline = time.monotonic() + 20
    while office.status() is not None and time.monotonic() < deadline:
        time.sleep(0.5)
    assert office.status() is None
    while _processes(str(office_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes(str(office_dir)) == []


def test_not_wanted_never_starts_one(office_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a failing fake soffice: the conversion fails, and no warm instance was started for next time
    fake = tmp_path / "soffice"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(fake))
    with pytest.raises(Exception):  # noqa: B017 - the error itself is test_convert's business
        convert({"price_part": cjk_docx()}, tmp_path / "cache")
    assert office.status() is None and not (office_dir / "state.json").exists()


def _logging_soffice(tmp_path: Path) -> tuple[Path, Path]:
    from tests.test_session import _logging_soffice as make

    return make(tmp_path)


@needs_soffice()
@needs_uno()
def test_warm_conversion_goes_through_uno(office_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    soffice, log = _logging_soffice(tmp_path)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(soffice))
    assert office.start(wait=True) is not None
    result = convert({"price_part": cjk_docx("经由管道")}, tmp_path / "cache", warm=True)["price_part"]
    assert "经由管道" in _text(result.pdf)
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and f"--accept=pipe,name={office.pipe_name(office_dir)}" in calls[0]
    assert "--convert-to" not in log.read_text()


@needs_soffice()
def test_warm_conversion_forwards_without_uno(office_dir: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    soffice, log = _logging_soffice(tmp_path)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(soffice))
    monkeypatch.setenv("BIDKIT_NO_UNO", "1")
    st = office.start(wait=True)
    assert st is not None
    result = convert({"price_part": cjk_docx("转交实例")}, tmp_path / "cache", warm=True)["price_part"]
    assert "转交实例" in _text(result.pdf)
    calls = log.read_text().splitlines()
    assert len(calls) == 2 and "--convert-to" in calls[1]  # forwarded to the running instance
    again = office.status()
    assert again is not None and again.soffice == st.soffice
