"""CLI plumbing: entry points, init, usage errors, and how unexpected errors are shown."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit import __version__
from tests.helpers import Result


def test_python_dash_m(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "bidkit", "version"], capture_output=True, text=True, cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (0, f"bidkit {__version__}\n")


STARTUP = """
import atexit, gc, sys
atexit.register(lambda: print(gc.isenabled(), gc.get_freeze_count(), len(gc.get_objects()), gc.get_threshold()))
sys.argv = ["bidkit", "version"]
from bidkit.cli import run
run()
"""


def test_the_modules_objects_are_left_out_of_garbage_collection(tmp_path: Path) -> None:
    """What importing bidkit made lives as long as the process: it is frozen, so no collection looks through it
    again (a big bid's rebuild spent 0.07-0.13 s in collections, 0.04 s now); the collector itself is on and
    collects as often as before (a scan's PDF objects are freed as soon as before: tests/hostile/
    test_attachments.py bounds the memory of checking a 200 MB scan)."""
    proc = subprocess.run([sys.executable, "-c", STARTUP], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    enabled, frozen, tracked, threshold = proc.stdout.splitlines()[-1].split(" ", 3)
    assert (enabled, threshold) == ("True", "(700, 10, 10)")
    assert int(frozen) > 50_000 > int(tracked)  # (the command's own objects are not: only what the import made)


def test_init_copies_the_sample_without_build_output(cli: Callable[..., Result], tmp_path: Path) -> None:
    target = tmp_path / "新项目 ws"
    r = cli("init", target)
    assert (r.code, r.out) == (0, f"created workspace {target} (from sample city-surveillance)\n"
                                  "a demo workspace: its seals, certificate, reviewer key and scans are DEMO material "
                                  "for the sample's project only; start a real bid with `bidkit new DIR`\n")
    assert (target / "bidkit.yaml").read_text(encoding="utf-8").startswith("# 演示工作区")
    for name in ("bidkit.yaml", "company.yaml", "tender.yaml", "attachments", "seals", "templates", "build"):
        assert (target / name).exists(), name
    assert list((target / "build").iterdir()) == []
    assert cli("validate", target).code == 0


def test_init_refuses_a_non_empty_folder(cli: Callable[..., Result], tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    r = cli("init", tmp_path)
    assert (r.code, r.err_lines) == (8, [f"error: {tmp_path}: folder exists and is not empty"])
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_unknown_command_is_a_usage_error(cli: Callable[..., Result]) -> None:
    r = cli("frobnicate")
    assert r.code == 2
    assert "No such command 'frobnicate'" in r.err


def test_unknown_document(cli: Callable[..., Result], sample_ws: Path) -> None:
    r = cli("render", sample_ws, "--only", "menu")
    assert r.code == 3
    assert r.err_lines[0].startswith("error: menu: unknown document or chapter (one of feasibility_report, ")


SECRET = "unit price " + "4,307,050.60" + " passphrase " + "hunter2"


@pytest.mark.parametrize("verbose", [False, True])
def test_internal_errors_never_print_their_message(
    cli: Callable[..., Result], sample_ws: Path, monkeypatch: pytest.MonkeyPatch, verbose: bool
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr("bidkit.pipeline.documents.render_document", boom)
    args = ["--verbose"] if verbose else []
    r = cli(*args, "render", sample_ws, "--only", "technical_part")
    assert r.code == 70
    assert r.err_lines[-1] == (
        "error: internal error (RuntimeError); please report it (rerun with --verbose for details)"
    )
    assert "4,307,050.60" not in r.err + r.out and "hunter2" not in r.err + r.out
    assert ("documents.py" in r.err) is verbose  # the frames, without the message
