"""Hostile-input fixtures: a sample workspace with an earlier build, and a helper that runs a command and proves
it failed cleanly (one line, non-zero exit, no traceback, build/ unchanged)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, snapshot


@pytest.fixture
def built_ws(sample_ws: Path, cli: Callable[..., Result]) -> Path:
    """The sample with its technical and commercial parts already rendered (an earlier, good output)."""
    r = cli("render", sample_ws, "--only", "technical_part", "--only", "commercial_part")
    assert r.code == 0, r.err
    return sample_ws


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
