"""Shared fixtures: a fresh copy of the sample workspace, the CLI run in-process, LibreOffice availability."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bidkit.cli import main
from bidkit.resources import sample_workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sample_workspace()


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


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


def needs_soffice() -> pytest.MarkDecorator:
    """Skip when LibreOffice is missing, except in CI where a missing soffice is a failure."""
    have = shutil.which("soffice") is not None
    if not have and os.environ.get("CI"):
        pytest.fail("soffice is missing in CI: run ./setup.sh", pytrace=False)
    return pytest.mark.skipif(not have, reason="LibreOffice (soffice) not installed")


def needs_uno() -> pytest.MarkDecorator:
    """Skip when no Python with LibreOffice's UNO bridge (python3-uno) is found, except in CI (a failure)."""
    import subprocess

    from bidkit.pdf.session import uno_python

    python = uno_python()
    have = python is not None and subprocess.run([python, "-c", "import uno"], capture_output=True).returncode == 0
    if not have and os.environ.get("CI"):
        pytest.fail("python3-uno is missing in CI: run ./setup.sh", pytrace=False)
    return pytest.mark.skipif(not have, reason="python3-uno not installed")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to prove a failed command wrote nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.txt from this run")


def pytest_configure(config: pytest.Config) -> None:
    from tests import golden

    if config.getoption("--update-golden"):
        golden.UPDATE["on"] = True
