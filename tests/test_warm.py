"""The warm bidkit (bidkit.cli.warm): `bidkit assemble --warm` runs in the warm office's supervisor with the
same output, exit code and files as a local run; it runs locally when the server cannot run it as it would be
run here; a client that goes away interrupts the run."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bidkit.cli import warm
from bidkit.pdf import office
from tests.conftest import needs_soffice, needs_uno
from tests.test_office import _processes

pytestmark = [needs_soffice(), needs_uno()]
ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "demo-only-passphrase"  # the sample's public DEMO secrets
SIGN_PASSWORD = "demo-only-password"


@pytest.fixture
def warm_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "office"
    monkeypatch.setenv(office.DIR_ENV, str(root))
    monkeypatch.delenv(office.ENV, raising=False)
    try:
        assert office.start(wait=True) is not None
        assert (root / warm.SOCKET).exists()
        yield root
    finally:
        office.stop()
        deadline = time.monotonic() + 10
        while _processes(str(root)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _processes(str(root)) == []
    assert not (root / warm.SOCKET).exists()


def _served(root: Path) -> int:
    try:
        return int((root / warm.SERVED).read_text())
    except FileNotFoundError:
        return 0


def _bidkit(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None,
            ) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "bidkit", *map(str, args)], capture_output=True, text=True,
                          env=full, cwd=cwd, timeout=180)


@pytest.fixture
def ws(sample_ws: Path) -> Path:
    return sample_ws


def test_assemble_runs_in_the_warm_bidkit(warm_office: Path, ws: Path, tmp_path: Path) -> None:
    secrets = {"BIDKIT_PRICE_PASSPHRASE": PASSPHRASE, "BIDKIT_SIGN_PASSWORD": SIGN_PASSWORD}
    first = _bidkit("assemble", ws.name, "--warm", "--json", env=secrets, cwd=ws.parent)  # a relative path
    assert first.returncode == 0, first.stderr
    assert _served(warm_office) == 1
    summary = json.loads(first.stdout)
    assert summary["path"] == "ws/build/JL-2026-031-v1-1.pdf" and summary["pages"] == 41  # as given, as here
    assert summary["signed"] is True
    # the same command run here writes the next package with the same parts
    local = _bidkit("assemble", ws, "--no-warm", "--json", env=secrets)
    assert local.returncode == 0, local.stderr
    assert _served(warm_office) == 1
    assert json.loads(local.stdout)["pages"] == 41
    check = _bidkit("verify", ws / "build" / "JL-2026-031-v1-1.pdf", "--workspace", ws)
    assert check.returncode == 0, check.stdout + check.stderr
    # its errors are the local ones: a closed price lock says so with exit 4
    (ws / "review" / "approval.json").unlink()
    locked = _bidkit("assemble", ws, "--warm", env=secrets)
    assert _served(warm_office) == 2
    here = _bidkit("assemble", ws, "--no-warm", env=secrets)
    assert (locked.returncode, locked.stdout, locked.stderr) == (here.returncode, here.stdout, here.stderr)
    assert locked.returncode == 4 and locked.stderr.startswith("error: ")


def test_a_secret_to_ask_runs_the_command_here(warm_office: Path, ws: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BIDKIT_SIGN_PASSWORD"}
    env["BIDKIT_PRICE_PASSPHRASE"] = PASSPHRASE
    result = subprocess.run([sys.executable, "-m", "bidkit", "assemble", str(ws), "--warm"], capture_output=True,
                            text=True, env={**env, "PYTHONPATH": str(ROOT)}, timeout=180)
    # the server would have had to ask for the certificate password: the command ran here, where it can't either
    assert _served(warm_office) == 0
    assert result.returncode == 7 and "password" in result.stderr
    assert not list((ws / "build").glob("*.pdf"))
    # no passphrase in the environment: not even sent
    del env["BIDKIT_PRICE_PASSPHRASE"]
    assert warm.try_remote(["bidkit", "assemble", str(ws), "--warm"]) is None


def test_changed_code_is_never_run_by_an_older_server(warm_office: Path, ws: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", SIGN_PASSWORD)
    monkeypatch.setattr(warm, "fingerprint", lambda: "another bidkit")
    assert warm.try_remote(["bidkit", "assemble", str(ws), "--warm"]) is None
    assert _served(warm_office) == 0


def test_only_assemble_with_warm_goes_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(office.ENV, raising=False)
    assert not warm._wants_warm(["bidkit", "assemble", "ws"])
    assert warm._wants_warm(["bidkit", "assemble", "ws", "--warm"])
    assert not warm._wants_warm(["bidkit", "check", "ws", "--warm"])
    assert not warm._wants_warm(["bidkit", "assemble", "--help", "--warm"])
    monkeypatch.setenv(office.ENV, "1")
    assert warm._wants_warm(["bidkit", "assemble", "ws"])
    assert not warm._wants_warm(["bidkit", "assemble", "ws", "--no-warm"])


def test_a_client_that_goes_away_interrupts_the_run(warm_office: Path, ws: Path) -> None:
    """Ctrl-C on the command line closes the connection: the run stops and nothing is written."""
    env = {**os.environ, "BIDKIT_PRICE_PASSPHRASE": PASSPHRASE, "BIDKIT_SIGN_PASSWORD": SIGN_PASSWORD}
    shutil.rmtree(ws / "build", ignore_errors=True)  # a cold build: long enough to be interrupted
    request = json.dumps({"argv": ["assemble", str(ws), "--warm"], "cwd": str(ws), "env": env,
                          "fingerprint": warm.fingerprint()}).encode()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(str(warm_office / warm.SOCKET))
    conn.sendall(struct.pack("!Q", len(request)) + request)
    time.sleep(0.3)
    conn.close()
    deadline = time.monotonic() + 30
    while _served(warm_office) < 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _served(warm_office) == 1
    assert not list((ws / "build").glob("*.pdf")) and not list((ws / "build").glob("*.part"))
    # an interrupt may land anywhere (an import, a cache): the warm office stops rather than serve on from there
    deadline = time.monotonic() + 15
    while office.status() is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert office.status() is None and not (warm_office / warm.SOCKET).exists()
    again = _bidkit("assemble", ws, "--no-warm", env=env)  # and the next command runs as usual
    assert again.returncode == 0, again.stderr
    assert (ws / "build" / "JL-2026-031-v1-1.pdf").exists()
