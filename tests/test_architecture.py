"""The layers of design §6 hold: import contracts (import-linter) and the size of the LibreOffice adapter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    proc = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                           "sys.exit(lint_imports_command())"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 2 kept, 0 broken." in proc.stdout


def test_libreoffice_adapter_stays_small() -> None:
    """The adapter of LibreOffice: the conversion (libreoffice.py) and its processes (soffice.py)."""
    lines = {name: (ROOT / "bidkit" / "adapters" / name).read_text(encoding="utf-8").count("\n")
             for name in ("libreoffice.py", "soffice.py")}
    assert max(lines.values()) <= 500 and sum(lines.values()) <= 600, lines
