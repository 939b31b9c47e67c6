"""LibreOffice sessions (bidkit.pdf.session): started early, driven through UNO, stopped with everything they
started; without UNO the conversion falls back to ``soffice --convert-to`` with the same result."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from bidkit.pdf import session
from bidkit.pdf.convert import convert
from bidkit.pdf.session import Sessions, Unavailable
from tests.conftest import needs_soffice, needs_uno
from tests.test_convert import cjk_docx
from tests.test_office import _processes

pytestmark = [needs_soffice(), needs_uno()]


def _logging_soffice(tmp_path: Path) -> tuple[Path, Path]:
    """A ``soffice`` that records each call's arguments, then runs the real one."""
    real = shutil.which("soffice")
    assert real
    log = tmp_path / "soffice-calls.log"
    script = tmp_path / "bin" / "soffice"
    script.parent.mkdir()
    script.write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, log


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _fonts(pdf: Path) -> str:
    return subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout


def _no_longer(path: Path, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while path.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return not path.exists()


def _gone(marker: str, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    while _processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _processes(marker)


def test_convert_through_a_session_matches_convert_to(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    soffice, log = _logging_soffice(tmp_path)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(soffice))
    docs = {"technical_part": cjk_docx("技术标　第一章"), "commercial_part": cjk_docx("商务标　第二章")}
    landed: list[str] = []
    with Sessions(tmp_path / "cache", 1) as group:
        assert group.usable
        work = group.work
        assert work is not None and work.parent == tmp_path / "cache"
        pipe = Path(f"/tmp/OSL_PIPE_{os.getuid()}_{group.items[0].pipe}")
        result = convert(docs, tmp_path / "cache", sessions=group, on_converted=lambda c: landed.append(c.name))
        assert pipe.exists()  # LibreOffice listens there
    assert sorted(landed) == ["commercial_part", "technical_part"]
    calls = [c for c in log.read_text().splitlines() if "--terminate_after_init" not in c]  # profile template
    assert len(calls) == 1 and "--accept=pipe,name=bidkit-" in calls[0]  # one start, no --convert-to
    # the same conversion the fresh `soffice --convert-to` gives: CJK text in embedded Noto CJK outlines
    monkeypatch.setenv(session.DISABLE_ENV, "1")
    plain = convert({"technical_part": cjk_docx("技术标　第一章")}, tmp_path / "plain")
    assert "--convert-to" in log.read_text().splitlines()[-1]
    pdf = result["technical_part"].pdf
    assert _text(pdf) == _text(plain["technical_part"].pdf)
    fonts = _fonts(pdf)
    assert "Type 3" not in fonts and "NotoSerifCJK" in fonts and "NotoSansCJK" in fonts
    assert all(" yes " in row for row in fonts.splitlines()[2:])
    assert oct(pdf.stat().st_mode & 0o777) == "0o600"
    # closed: its processes, its folder (profile, HOME) and its UNO pipe in /tmp are gone
    assert _gone(str(work)) == []
    assert _no_longer(work) and _no_longer(pipe)


def test_without_uno_the_conversion_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    soffice, log = _logging_soffice(tmp_path)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(soffice))
    monkeypatch.setenv(session.PYTHON_ENV, sys.executable)  # bidkit's own Python has no UNO bridge
    with Sessions(tmp_path / "cache", 1) as group:
        with pytest.raises(Unavailable):
            group.run([[("price_part", tmp_path / "x.docx")]], tmp_path / "out", 60, lambda n, p: None)
    with Sessions(tmp_path / "cache", 1) as group:
        result = convert({"price_part": cjk_docx("报价")}, tmp_path / "cache", sessions=group)
    assert "报价" in _text(result["price_part"].pdf)
    assert "--convert-to" in log.read_text().splitlines()[-1]


def test_switched_off_or_no_libreoffice_starts_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(session.DISABLE_ENV, "1")
    assert not Sessions(tmp_path / "a", 1).usable
    monkeypatch.delenv(session.DISABLE_ENV)
    monkeypatch.setenv("BIDKIT_SOFFICE", str(tmp_path / "nowhere" / "soffice"))
    group = Sessions(tmp_path / "b", 1)  # no error here: a conversion that needs LibreOffice says so
    assert not group.usable and not (tmp_path / "b").exists()


def test_a_broken_document_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "technical_part.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    from bidkit.errors import ToolError

    with Sessions(tmp_path / "cache", 1) as group, pytest.raises(ToolError) as info:
        group.run([[("technical_part", bad)]], tmp_path / "out", 60, lambda n, p: None)
    assert info.value.message.startswith("LibreOffice could not convert technical_part.docx: ")
    assert not list((tmp_path / "out").glob("*.pdf"))


def test_a_killed_bidkit_leaves_no_libreoffice(tmp_path: Path) -> None:
    """SIGKILL gives bidkit no chance to clean up: the UNO helper sees its parent gone and ends LibreOffice."""
    child = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from bidkit.pdf.session import Sessions
        group = Sessions(Path({str(tmp_path / "cache")!r}), 1)
        group.items[0].wait_ready(time.monotonic() + 60, 60, "x")
        print("ready", flush=True)
        time.sleep(600)
    """)
    proc = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        marker = str(tmp_path / "cache")
        assert len(_processes(marker)) >= 2  # LibreOffice and the helper
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert _gone(marker, 15) == []
    finally:
        if proc.poll() is None:
            proc.kill()


def test_prelaunch_only_for_assemble(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    for argv in (["bidkit", "check", "ws"], ["bidkit", "assemble", "--help"], ["bidkit", "assemble", "ws", "--warm"],
                 ["bidkit"]):
        session.prelaunch(argv)
        assert session.claim() is None, argv
    session.prelaunch(["bidkit", "assemble", "ws"])
    group = session.claim()
    try:
        assert group is not None and group.usable and group.work is not None
        assert group.work.parent == tmp_path and oct(group.work.stat().st_mode & 0o777) == "0o700"
        assert session.claim() is None  # claimed once
    finally:
        if group is not None:
            group.close()
    assert _gone(str(tmp_path)) == []


def test_failed_command_stops_the_prelaunched_libreoffice(tmp_path: Path) -> None:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(tmp_path / "no-such-workspace")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 3 and "Traceback" not in proc.stderr
    assert _gone(str(tmp_path)) == []
    deadline = time.monotonic() + 10
    while list(tmp_path.glob(".session-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(tmp_path.glob(".session-*"))


def test_profile_template_made_once_then_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    docs = {"commercial_part": cjk_docx("商务标")}
    with Sessions(tmp_path / "one", 1) as group:
        assert [s.seeded for s in group.items] == [False]
        convert(docs, tmp_path / "one", sessions=group)
    templates = list((tmp_path / "xdg" / "bidkit").glob("lo-profile-*/complete"))
    assert len(templates) == 1 and (templates[0].parent / "profile" / "user").is_dir()
    with Sessions(tmp_path / "two", 1) as group:
        assert [s.seeded for s in group.items] == [True]
        result = convert(docs, tmp_path / "two", sessions=group)
    assert "商务标" in _text(result["commercial_part"].pdf)
