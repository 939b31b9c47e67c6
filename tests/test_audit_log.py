"""The hash-chained audit log: appends, and `bidkit log verify` catching removed, reordered and altered entries."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from bidkit.core.errors import IntegrityError
from bidkit.store import audit
from tests.helpers import CLI


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    for i in range(5):
        audit.append(tmp_path, "test.action", {"n": i}, actor="测试员")
    return tmp_path


def _lines(root: Path) -> list[str]:
    return (root / "audit.log").read_text(encoding="utf-8").splitlines()


def _write(root: Path, lines: list[str]) -> None:
    (root / "audit.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_entries_chain(logged: Path) -> None:
    entries = audit.read(logged)
    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0]["prev"] == audit.GENESIS
    assert all(b["prev"] == a["hash"] for a, b in itertools.pairwise(entries))
    assert all(e["time"].endswith("Z") and e["actor"] == "测试员" for e in entries)


def test_log_verify_ok(cli: CLI, logged: Path) -> None:
    r = cli("log", "verify", logged)
    assert r.code == 0 and r.out.startswith("ok: audit.log: 5 entries, chain intact (head ")
    r = cli("log", logged)
    assert len(r.out.splitlines()) == 5 and "test.action" in r.out


def test_removed_entry(cli: CLI, logged: Path) -> None:
    lines = _lines(logged)
    _write(logged, lines[:2] + lines[3:])
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:3: entry out of sequence (seq 4, expected 3): removed or reordered"
    ])


def test_reordered_entries(cli: CLI, logged: Path) -> None:
    lines = _lines(logged)
    lines[1], lines[2] = lines[2], lines[1]
    _write(logged, lines)
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:2: entry out of sequence (seq 3, expected 2): removed or reordered"
    ])


def test_altered_entry(cli: CLI, logged: Path) -> None:
    lines = _lines(logged)
    entry = json.loads(lines[3])
    entry["details"]["n"] = 99
    lines[3] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    _write(logged, lines)
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, ["error: audit.log:4: entry altered (its hash does not match its content)"])


def test_rehashed_forgery_breaks_the_chain(cli: CLI, logged: Path) -> None:
    """An entry altered and re-hashed (and renumbered) no longer matches the next entry's ``prev``."""
    lines = _lines(logged)
    entry = json.loads(lines[1])
    entry["actor"] = "别人"
    entry["hash"] = audit.entry_hash(entry)
    lines[1] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    _write(logged, lines)
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:3: chain broken (an entry before it was removed, reordered or altered)"
    ])


def test_removed_first_entry_and_renumbered(cli: CLI, logged: Path) -> None:
    lines = _lines(logged)[1:]
    entry = json.loads(lines[0])
    entry["seq"] = 1
    entry["hash"] = audit.entry_hash(entry)
    lines[0] = json.dumps(entry, sort_keys=True)
    _write(logged, lines)
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, [
        "error: audit.log:1: chain broken (an entry before it was removed, reordered or altered)"
    ])


def test_garbage_line(cli: CLI, logged: Path) -> None:
    _write(logged, [*_lines(logged), "not json"])
    r = cli("log", "verify", logged)
    assert (r.code, r.err_lines) == (6, ["error: audit.log:6: not a log entry (unreadable JSON)"])


def test_append_refuses_a_broken_log(logged: Path) -> None:
    lines = _lines(logged)
    _write(logged, lines[:1] + lines[2:])
    before = (logged / "audit.log").read_bytes()
    with pytest.raises(IntegrityError, match=r"^audit.log:2: entry out of sequence"):
        audit.append(logged, "x", {})
    assert (logged / "audit.log").read_bytes() == before


def test_appends_from_two_processes_keep_the_chain(tmp_path: Path) -> None:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_append_many, args=(tmp_path, i)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert len(audit.read(tmp_path)) == 40


def _append_many(root: Path, who: int) -> None:
    for i in range(10):
        audit.append(root, "race", {"i": i}, actor=f"p{who}")


def test_log_of_a_missing_folder(cli: CLI, tmp_path: Path) -> None:
    r = cli("log", tmp_path / "nope")
    assert (r.code, r.err_lines) == (3, [f"error: {tmp_path / 'nope'}: workspace folder not found"])
