"""Helpers shared by the tests: the CLI's result, workspace snapshots, editing sample files by pattern, and the
LibreOffice marker. Fixtures live in conftest.py; domain kits (lockkit, pdfkit, signkit, golden) build on these."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bidkit.store.resources import sample_workspace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = sample_workspace()
DEMO_PASSPHRASE = "demo-only-passphrase"  # the sample's public DEMO secrets (samples/README)
DEMO_ENV = {"BIDKIT_PRICE_PASSPHRASE": DEMO_PASSPHRASE, "BIDKIT_SIGN_PASSWORD": "demo-only-password"}
DEMO_KEY = ROOT / "samples" / "demo-keys" / "DEMO-qa-reviewer.key"  # the sample's DEMO QA reviewer


def copy_sample(dest: Path) -> Path:
    """A copy of the bundled sample workspace at ``dest`` (without build output)."""
    shutil.copytree(SAMPLE, dest, ignore=shutil.ignore_patterns("build", "__pycache__"))
    return dest


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


CLI = Callable[..., Result]  # the ``cli`` fixture: runs bidkit in-process


NO_SOFFICE = "LibreOffice (soffice) not installed"


def needs_soffice() -> pytest.MarkDecorator:
    """Skip when LibreOffice is missing, except in CI where a missing soffice is a failure. A test with this mark
    is in the slow tier (conftest.py): the fast tier never starts LibreOffice."""
    have = shutil.which("soffice") is not None
    if not have and os.environ.get("CI"):
        pytest.fail("soffice is missing in CI: run ./setup.sh", pytrace=False)
    return pytest.mark.skipif(not have, reason=NO_SOFFICE)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes, to prove a failed command wrote nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def line_no(path: Path, pattern: str) -> int:
    """1-based number of the first line of ``path`` matching ``pattern``."""
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if re.search(pattern, line):
            return i
    raise AssertionError(f"{pattern!r} not in {path}")


def replace_once(path: Path, pattern: str, repl: str) -> None:
    """Replace the first match of ``pattern`` (multi-line mode) in ``path``; it must match."""
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, f"{pattern!r} not in {path}"
    path.write_text(new, encoding="utf-8")


def set_line(path: Path, pattern: str, new: str) -> int:
    """Replace the whole first line matching ``pattern`` with ``new``; return its 1-based number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            lines[i] = new
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return i + 1
    raise AssertionError(pattern)


def record_batches(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Record every LibreOffice batch from now on: the names of its jobs, sorted, one list per soffice run."""
    from bidkit.adapters.libreoffice import Job, LibreOffice

    batches: list[list[str]] = []
    real = LibreOffice._run_batch

    def recorded(self: LibreOffice, binary: str, units: list[list[Job]]) -> dict[str, Path]:
        batches.append(sorted(j.name for unit in units for j in unit))
        return real(self, binary, units)

    monkeypatch.setattr(LibreOffice, "_run_batch", recorded)
    return batches
