"""Hostile-input fixtures: a sample workspace with an earlier build, and a helper that runs a command and proves
it failed cleanly (one line, non-zero exit, no traceback, build/ unchanged)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Result, snapshot


@pytest.fixture
def built_ws(sample_ws: Path, cli: Callable[..., Result]) -> Path:
    """The sample with its technical and commercial chapters already rendered (an earlier, good output)."""
    r = cli("render", sample_ws, "--only", "technical", "--only", "commercial")
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


DEMO_ENV = {"BIDKIT_PRICE_PASSPHRASE": "demo-only-passphrase",  # the sample's public DEMO secrets
            "BIDKIT_SIGN_PASSWORD": "demo-only-password"}


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
    import shutil

    dest = tmp_path / "ws"
    shutil.copytree(_packaged_once, dest, symlinks=True)
    return dest
