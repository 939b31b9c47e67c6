"""Shared fixtures: a fresh copy of the sample workspace, the CLI run in-process, LibreOffice availability."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.cli import main
from tests.helpers import ROOT, SAMPLE, Result, needs_soffice, snapshot

__all__ = ["ROOT", "SAMPLE", "Result", "needs_soffice", "snapshot"]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def sample_ws(tmp_path: Path) -> Path:
    """A private copy of the bundled sample workspace (without build output)."""
    dest = tmp_path / "ws"
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("build", "__pycache__"))
    return dest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.txt from this run")


def pytest_configure(config: pytest.Config) -> None:
    from tests import golden

    if config.getoption("--update-golden"):
        golden.UPDATE["on"] = True
