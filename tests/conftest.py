"""Shared fixtures: a fresh copy of the sample workspace, the CLI run in-process, LibreOffice availability."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bidkit.cli import main
from tests.helpers import DEMO_ENV, NO_SOFFICE, ROOT, SAMPLE, Result, copy_sample, needs_soffice, snapshot

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
    return copy_sample(tmp_path / "ws")


@pytest.fixture(scope="session")
def packaged_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample assembled once (a signed package and a draft, with the conversion cache), built by the CLI."""
    import os
    import subprocess
    import sys

    ws = copy_sample(tmp_path_factory.mktemp("packaged") / "ws")
    env = {**os.environ, **DEMO_ENV}
    for extra in ([], ["--draft"]):
        r = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws), *extra],
                           env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    return ws


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The fast tier never starts LibreOffice: a test that needs it (``needs_soffice``) or the packaged sample
    (building it converts the whole book) is slow."""
    for item in items:
        uses_soffice = any(m.kwargs.get("reason") == NO_SOFFICE for m in item.iter_markers("skipif"))
        packaged = "packaged_sample" in getattr(item, "fixturenames", ())
        if (uses_soffice or packaged) and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*.txt from this run")
    parser.addoption("--update-visual", action="store_true",
                     help="redraw tests/visual/golden/*.png and record this machine's renderer versions")


def pytest_configure(config: pytest.Config) -> None:
    import os
    import tempfile

    from tests import golden

    if config.getoption("--update-golden"):
        golden.UPDATE["on"] = True
    if config.getoption("--update-visual"):
        from tests.visual import harness

        harness.UPDATE["on"] = True
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # under pytest -n N: gw0, gw1, …
    if worker:  # each worker its own $TMPDIR, so a test that scans it never sees another worker's files
        own = tempfile.mkdtemp(prefix=f"bidkit-test-{worker}-")
        os.environ["TMPDIR"] = own
        tempfile.tempdir = own
    # a machine as setup.sh leaves it: its own config folder (never the developer's ~/.config/bidkit) with the
    # bundled DEMO trust installed — tests that need other trust point BIDKIT_CONFIG_DIR elsewhere; a worker
    # makes its own (the one it inherits is the controller's, removed when the controller ends)
    if worker or not os.environ.get("BIDKIT_TEST_CONFIG_DIR"):
        folder = tempfile.mkdtemp(prefix="bidkit-test-config-")
        os.environ["BIDKIT_TEST_CONFIG_DIR"] = folder
        os.environ["BIDKIT_CONFIG_DIR"] = folder
        from bidkit.store import trust

        trust.install_demo()


def pytest_unconfigure(config: pytest.Config) -> None:
    import os

    folder = os.environ.get("BIDKIT_TEST_CONFIG_DIR")
    if folder and os.path.basename(folder).startswith("bidkit-test-config-"):
        shutil.rmtree(folder, ignore_errors=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    own = os.environ.get("TMPDIR", "")
    if worker and os.path.basename(own).startswith(f"bidkit-test-{worker}-"):
        shutil.rmtree(own, ignore_errors=True)
