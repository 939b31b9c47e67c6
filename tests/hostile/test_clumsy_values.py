"""Issue 13 item 12, clumsy values that crashed (exit 70): a date that does not exist, periods and quantities out
of range, dates far in the future, YAML 1.1 number forms, seal pictures that are decompression bombs, a read-only
workspace. Each is one input error line naming the file, its line and the field (exit 3), or "cannot write …"
with the output-error exit code (8); never a traceback, and nothing is written."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import DEMO_ENV, Result, line_no, replace_once, snapshot
from tests.hostile.test_faults import mounted

BIG = "1" + "0" * 30  # 10**30
NOT_PLAIN = ("is not a plain number (YAML 1.1 would read it as base 60, hex, octal or with separators): write the "
             "number plainly, e.g. 120, 16, 1000, 0")


def refused(cli: Callable[..., Result], ws: Path, args: tuple[str, ...], problem: str) -> None:
    """``bidkit ARGS`` (WS: the workspace) exits 3 with ``problem`` as its one problem line and the count;
    nothing is written."""
    log = (ws / "audit.log").read_bytes()
    before = snapshot(ws / "build") if (ws / "build").exists() else None
    r = cli(*(ws if a == "WS" else a for a in args))
    assert r.code == 3, r.err
    assert r.err_lines == [problem, "error: 1 problem found"], r.err
    assert "Traceback" not in r.err and " object at 0x" not in r.err
    assert (snapshot(ws / "build") if (ws / "build").exists() else None) == before
    assert (ws / "audit.log").read_bytes() == log


COMMANDS = [("check", "WS"), ("assemble", "WS", "--draft"), ("review", "status", "WS")]


@pytest.mark.parametrize(
    ("file", "pattern", "new", "field", "problem"),
    [
        ("tender.yaml", r"^published: .*$", "published: 2026-02-30", "published",
         "2026-02-30 is not a date that exists"),
        ("tender.yaml", r"^bid_validity_days: .*$", f"bid_validity_days: {BIG}", "bid_validity_days",
         "must be at most 3650"),
        ("tender.yaml", r"^deadline: .*$", "deadline: 9999-12-31", "deadline",
         "9999-12-31 is outside 1990–2100 (a typing error?)"),
        ("tender.yaml", r"^deadline: .*$", "deadline: 9999-12-31 09:30", "deadline",
         "9999-12-31 is outside 1990–2100 (a typing error?)"),
        ("solution.yaml", r"qty: 260$", f"qty: {BIG}", "bom.0.qty", "quantity too large (at most 1,000,000,000)"),
        ("responses.yaml", r"^response_time: 1 小时.*$", "response_time: 2:00", "response_time",
         f"'2:00' {NOT_PLAIN}"),
        ("registration.yaml", r'amount: "80000.00"', "amount: 0x10", "bid_bond.amount", f"'0x10' {NOT_PLAIN}"),
        ("internal_cost.yaml", r'amount: "2600.00"', "amount: 1_000", "other_costs.0.amount", f"'1_000' {NOT_PLAIN}"),
        ("internal_cost.yaml", r'amount: "2600.00"', "amount: -0", "other_costs.0.amount", f"'-0' {NOT_PLAIN}"),
        ("internal_cost.yaml", r'amount: "2600.00"', 'amount: "-0.00"', "other_costs.0.amount",
         f"'-0.00' {NOT_PLAIN}"),
    ],
    ids=["date that does not exist", "validity 10**30", "deadline 9999-12-31", "deadline 9999-12-31 09:30",
         "BOM qty 10**30", "hours 2:00", "amount 0x10", "amount 1_000", "amount -0", "amount '-0.00'"],
)
def test_a_clumsy_value_is_one_input_error(sample_ws: Path, cli: Callable[..., Result],
                                           demo_secrets: dict[str, str], file: str, pattern: str, new: str,
                                           field: str, problem: str) -> None:
    replace_once(sample_ws / file, pattern, new)
    line = line_no(sample_ws / file, re.escape(new))
    for args in COMMANDS:
        refused(cli, sample_ws, args, f"{file}:{line} {field}: {problem}")


def test_a_clumsy_quantity_cannot_be_approved_or_priced(sample_ws: Path, cli: Callable[..., Result],
                                                        demo_secrets: dict[str, str]) -> None:
    """A BOM quantity of 10**30 was accepted and approvable, after which every price command failed."""
    replace_once(sample_ws / "solution.yaml", r"qty: 260$", f"qty: {BIG}")
    problem = (f"solution.yaml:{line_no(sample_ws / 'solution.yaml', f'qty: {BIG}')} bom.0.qty: quantity too large "
               "(at most 1,000,000,000)")
    for args in (("review", "request", "WS"), ("price", "show", "WS"), ("price", "template", "WS", "p.xlsx")):
        refused(cli, sample_ws, args, problem)
    assert not (sample_ws / "p.xlsx").exists()


def png(path: Path, width: int, height: int) -> None:
    """A PNG whose header says ``width`` × ``height``: all the pixels (one colour) would compress to a few hundred
    KB; a decoder would need width × height × 3 bytes. Its data stream is short — it must never be decoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\0" * (width * 3 + 1) * 4)) + chunk(b"IEND", b""))


@pytest.mark.parametrize(("seal", "size"), [("company_seal", 20000), ("company_seal", 12000),
                                            ("legal_rep_seal", 12000)])
def test_a_seal_bomb_is_refused_before_decoding(sample_ws: Path, cli: Callable[..., Result],
                                                demo_secrets: dict[str, str], seal: str, size: int) -> None:
    png(sample_ws / "seals" / f"{seal}.png", size, size)
    problem = (f"company.yaml:{line_no(sample_ws / 'company.yaml', f'^{seal}:')} {seal}: seal image too large "
               f"({size} × {size} pixels; at most 25 million): a 42 mm seal needs about 1000 × 1000 "
               f"(seals/{seal}.png)")
    for args in (*COMMANDS, ("assemble", "WS")):
        refused(cli, sample_ws, args, problem)
    assert not (sample_ws / "build").exists()  # refused when the workspace loads: nothing converted or decoded


# --- a read-only workspace ------------------------------------------------------------------------------------


def bidkit(*args: str | Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bidkit", *map(str, args)], input=stdin, capture_output=True,
                          text=True, env={**os.environ, **DEMO_ENV, "BIDKIT_VIEWER": "true"}, timeout=300)


@pytest.mark.slow  # over 5 s (several full checks / processes)
def test_a_read_only_workspace_is_an_output_error(sample_ws: Path, cli: Callable[..., Result],
                                                  demo_secrets: dict[str, str]) -> None:
    ws = sample_ws
    with mounted(ws, "--bind", str(ws), str(ws)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(ws)], check=True, capture_output=True)
        before = snapshot(ws)
        cases: list[tuple[tuple[str | Path, ...], str, str]] = [
            (("render", ws, "--only", "technical"), "", f"{ws / 'build'}"),
            (("review", "request", ws), "", "audit.log: cannot write the audit log (Read-only file system)"),
            (("price", "set", ws, "B01"), "5000.00\n", f"{ws / 'pricing.enc'}: cannot write (Read-only file system)"),
            (("price", "template", ws, ws / "prices.xlsx"), "",
             f"{ws / 'prices.xlsx'}: cannot write (Read-only file system)"),
            (("check", ws, "--html", ws / "check.html"), "",
             f"{ws / 'check.html'}: cannot write (Read-only file system)"),
            (("report", "summary", ws), "", f"{ws / 'build'}"),
        ]
        for args, stdin, expected in cases:
            if stdin:  # the price is piped: a process of its own
                done = bidkit(*args, stdin=stdin)
                code, err = done.returncode, done.stderr
            else:
                r = cli(*args)
                code, err = r.code, r.err
            lines = err.splitlines()
            assert code == 8, (args, err)
            assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], (args, err)
            assert "cannot write" in lines[0] and "Read-only file system" in lines[0], (args, err)
            assert "Traceback" not in err
        assert snapshot(ws) == before
