"""Issue 13 item 10, lost updates and torn logs: two ``price set`` at once (several rounds) both land, in turn, or
one is refused — a change is never lost; a short write to ``audit.log`` (the file-size limit of the process stands
in for a full disk or quota: the write stops part-way, then fails with EFBIG) makes the command fail, the log keeps
whole entries only and the price did not change; a log already torn (an old crash) stops a change before it is
made."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.store import audit, lock
from bidkit.store.workspace import load
from tests.helpers import DEMO_ENV

PASSPHRASE = DEMO_ENV["BIDKIT_PRICE_PASSPHRASE"]


def start_set(ws: Path, item: str, price: str, limit: int | None = None) -> subprocess.Popen[str]:
    """``bidkit price set WS ITEM`` with the price piped on stdin; ``limit``: the largest file it may write."""
    def preexec() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not the process
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    read, write = os.pipe()  # the price waits in the pipe: both commands start at once
    os.write(write, f"{price}\n".encode())
    os.close(write)
    try:
        return subprocess.Popen([sys.executable, "-m", "bidkit", "price", "set", str(ws), item], stdin=read,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, **DEMO_ENV}, preexec_fn=preexec)
    finally:
        os.close(read)


def prices(ws: Path) -> dict[str, Decimal]:
    return {ln.item: ln.unit_price for ln in lock.open_prices(load(ws), PASSPHRASE).lines}


@pytest.mark.slow  # over 5 s (several full checks / processes)
def test_two_price_changes_at_once_are_never_lost(sample_ws: Path) -> None:
    ws = sample_ws
    for n in range(3):
        a, b = f"{1001 + n}.11", f"{2001 + n}.22"
        first, second = start_set(ws, "B01", a), start_set(ws, "B02", b)
        results = [(p, *p.communicate(timeout=120)) for p in (first, second)]
        now = prices(ws)
        for (proc, _, err), item, price in zip(results, ("B01", "B02"), (a, b), strict=True):
            assert "Traceback" not in err
            if proc.returncode == 0:
                assert now[item] == Decimal(price), f"round {n}: {item}'s change was lost"
            else:  # refused: said in one line, and it did not land
                assert len(err.splitlines()) == 1 and err.startswith("error: "), err
                assert now[item] != Decimal(price)
        assert any(p.returncode == 0 for p, _, _ in results), [e for _, _, e in results]
        entries = audit.read(ws)  # the chain holds: one whole entry per change that landed
        landed = sum(p.returncode == 0 for p, _, _ in results)
        assert [e["action"] for e in entries[-landed:]] == ["price.set"] * landed
        assert not list(ws.glob(".pricing.enc.*"))


def test_a_short_write_to_the_audit_log_changes_nothing(sample_ws: Path) -> None:
    ws = sample_ws
    log, enc = (ws / "audit.log").read_bytes(), (ws / "pricing.enc").read_bytes()
    assert len(enc) < len(log)  # the new pricing.enc fits under the limit; the log's next entry does not
    proc = start_set(ws, "B01", "4321.09", limit=len(log) + 40)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 8, err
    assert err.splitlines() == ["error: audit.log: cannot write the audit log (short write (disk or quota full?)); "
                                "nothing was changed"] or \
        err.splitlines() == ["error: audit.log: cannot write the audit log (File too large); nothing was changed"], err
    assert out == ""
    assert (ws / "audit.log").read_bytes() == log  # no torn line: the part written was cut off again
    assert (ws / "pricing.enc").read_bytes() == enc  # the change did not take effect
    assert not list(ws.glob(".pricing.enc.*"))
    assert audit.read(ws)  # the chain still verifies
    again = start_set(ws, "B01", "4321.09")  # and the next command works
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    assert prices(ws)["B01"] == Decimal("4321.09")


def test_a_torn_log_stops_a_change_before_it_is_made(sample_ws: Path) -> None:
    ws = sample_ws
    whole = (ws / "audit.log").read_bytes()
    torn = whole + b'{"seq": 99, "time": "2026-'  # what a crash without the fix left
    (ws / "audit.log").write_bytes(torn)
    enc = (ws / "pricing.enc").read_bytes()
    proc = start_set(ws, "B01", "4321.09")
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: audit.log:"), err
    assert "Traceback" not in err
    assert (ws / "pricing.enc").read_bytes() == enc
    assert (ws / "audit.log").read_bytes() == torn
