"""`pip install .` (a wheel, not an editable install) must ship the templates and samples, and find them."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (path,) = out.glob("bidkit-*.whl")
    return path


def test_wheel_ships_templates_samples_and_fonts(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for tpl in (ROOT / "templates").glob("*.docx"):
        assert f"bidkit/_data/templates/{tpl.name}" in names
    assert "bidkit/_data/samples/city-surveillance/tender.yaml" in names
    assert "bidkit/adapters/fonts/fonts.conf" in names
    assert not [n for n in names if "/build/" in n or n.endswith(".part")]
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "bidkit = bidkit.cli:run" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_package_finds_its_data(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from bidkit.store.resources import templates_dir, sample_workspace;"
        "print(templates_dir()); print(sample_workspace())"
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-c", code, str(site)], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    tdir, sdir = (Path(line) for line in proc.stdout.splitlines())
    assert tdir == site / "bidkit" / "_data" / "templates"
    assert (sdir / "company.yaml").exists()
