"""Hostile-input fixtures: a sample workspace with an earlier build, and a helper that runs a command and proves
it failed cleanly (one line, non-zero exit, no traceback, build/ unchanged)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.cli import main
from tests.helpers import DEMO_ENV, Result, copy_sample, snapshot


@pytest.fixture(scope="session")
def _built_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with its technical and commercial chapters rendered by the CLI, once per session."""
    ws = copy_sample(tmp_path_factory.mktemp("built") / "ws")
    assert main(["render", str(ws), "--only", "technical", "--only", "commercial"]) == 0
    assert (ws / "build").is_dir()
    return ws


@pytest.fixture
def built_ws(_built_once: Path, tmp_path: Path) -> Path:
    """A private copy of the sample with its technical and commercial chapters already rendered (an earlier, good
    output)."""
    dest = tmp_path / "ws"
    shutil.copytree(_built_once, dest, symlinks=True)
    return dest


@pytest.fixture
def fails_cleanly(cli: Callable[..., Result]) -> Callable[..., Result]:
    def run(ws: Path, *args: str | Path, code: int, line: str) -> Result:
        before = snapshot(ws / "build") if (ws / "build").exists() else {}
        r = cli(*args)
        assert "Traceback" not in r.err
        assert r.code == code, r.err
        assert r.err_lines[-1] == line, r.err
        after = snapshot(ws / "build") if (ws / "build").exists() else {}
        assert after == before
        return r

    return run


@pytest.fixture
def demo_secrets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for k, v in DEMO_ENV.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("BIDKIT_VIEWER", "true")  # render --only price: "looked at" and wiped
    return dict(DEMO_ENV)


@pytest.fixture(scope="session")
def _packaged_once(packaged_sample: Path) -> Path:
    """The sample assembled once (a signed package and a draft, with the conversion cache): tests/conftest.py."""
    return packaged_sample


@pytest.fixture
def packaged_ws(_packaged_once: Path, tmp_path: Path, demo_secrets: dict[str, str]) -> Path:
    """A private copy of the sample with an earlier signed package and draft in build/ (and the cache)."""
    dest = tmp_path / "ws"
    shutil.copytree(_packaged_once, dest, symlinks=True)
    return dest
