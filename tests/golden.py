"""Golden-text comparison: extracted text is compared with ``==`` against ``tests/golden/NAME.txt``.

Update deliberately with ``pytest --update-golden`` (or ``BIDKIT_UPDATE_GOLDEN=1``). On a mismatch the actual
text is kept beside the golden file as ``NAME.actual.txt`` (git-ignored) so the evidence survives the run.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
UPDATE = {"on": os.environ.get("BIDKIT_UPDATE_GOLDEN") == "1"}


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN_DIR / f"{name}.txt"
    actual = GOLDEN_DIR / f"{name}.actual.txt"
    if UPDATE["on"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        actual.unlink(missing_ok=True)
        return
    actual.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        actual.write_text(text, encoding="utf-8")
        pytest.fail(f"no golden file {path.name}; review {actual} and run pytest --update-golden", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        actual.write_text(text, encoding="utf-8")
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True), text.splitlines(keepends=True), str(path), str(actual), n=1
            )
        )
        pytest.fail(f"text differs from {path.name} (actual kept in {actual}):\n{diff[:4000]}", pytrace=False)
    actual.unlink(missing_ok=True)
