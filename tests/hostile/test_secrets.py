"""Secrets: the price passphrase wrong, empty or typed as an option is refused with advice; an internal error in
the pricing code shows no price or passphrase even with --verbose; after a full run no price figure of the sample
is anywhere it does not belong (audit log, build/ outside the price part and the package, stderr, manifest)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from bidkit.adapters.render.text import docx_text
from bidkit.core import pricing
from bidkit.core.money import format_amount, rmb_upper
from bidkit.store import lock
from bidkit.store.workspace import load
from tests.helpers import DEMO_ENV, Result, needs_soffice

PASSPHRASE = DEMO_ENV["BIDKIT_PRICE_PASSPHRASE"]
ADVICE = ("secrets are never given on the command line (shell history, process list); "
          "set BIDKIT_PRICE_PASSPHRASE or BIDKIT_SIGN_PASSWORD, or type it at the prompt")


def price_figures(ws: Path) -> list[str]:
    """Every price figure of the workspace: unit prices, line totals, subtotal, tax and total, each as
    "4,307,050.60" and "4307050.60", and the total in 大写."""
    w = load(ws)
    s = pricing.summarise(w.data.solution, lock.open_prices(w, PASSPHRASE), tax_included=w.data.tender.tax_included)
    amounts: set[Decimal] = {s.subtotal, s.tax, s.total}
    for line in s.lines:
        amounts |= {line.unit_price, line.total}
    figures = {rmb_upper(s.total)}
    for a in amounts:
        figures |= {format_amount(a), f"{a:.2f}"}
    return sorted(figures, key=len, reverse=True)


def leaks(text: str, figures: list[str]) -> list[str]:
    # a figure counts only as a whole number: 85.00 is not found inside 1,285.005 or 2026-85.00x
    return [f for f in figures if re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d])", text)]


# --- the passphrase ---------------------------------------------------------------------------------------


def test_wrong_passphrase(packaged_ws: Path, monkeypatch: pytest.MonkeyPatch,
                          fails_cleanly: Callable[..., Result]) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", "not-the-passphrase")
    for args in (("price", "show", packaged_ws), ("render", packaged_ws, "--only", "price"),
                 ("assemble", packaged_ws)):
        r = fails_cleanly(packaged_ws, *args, code=7, line="error: pricing.enc: wrong passphrase")
        assert (r.out, len(r.err_lines)) == ("", 1)
        assert "not-the-passphrase" not in r.err


def test_empty_passphrase(packaged_ws: Path, monkeypatch: pytest.MonkeyPatch,
                          fails_cleanly: Callable[..., Result]) -> None:
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", "")
    for args in (("price", "show", packaged_ws), ("assemble", packaged_ws)):
        r = fails_cleanly(packaged_ws, *args, code=7, line="error: empty price passphrase refused")
        assert r.out == ""


@pytest.mark.parametrize("option", ["--passphrase", "--password", "--passphrase=x", "--sign-password"])
def test_secret_on_the_command_line(packaged_ws: Path, fails_cleanly: Callable[..., Result], option: str) -> None:
    name = option.split("=")[0]
    args = [option] if "=" in option else [option, "hunter2-secret"]
    for cmd in (("price", "show", packaged_ws, *args), ("assemble", packaged_ws, *args)):
        r = fails_cleanly(packaged_ws, *cmd, code=7, line=f"error: {name}: {ADVICE}")
        assert "hunter2" not in r.err + r.out


def test_secret_as_a_price_file_argument(packaged_ws: Path, fails_cleanly: Callable[..., Result]) -> None:
    """Covered in tests/test_lock_cli.py; here through the suite's assertions."""
    r = fails_cleanly(packaged_ws, "price", "import", packaged_ws, "hunter2-secret", code=3,
                      line="error: price file must be an .xlsx or .yaml file (a passphrase is never given on the "
                           "command line: set BIDKIT_PRICE_PASSPHRASE or type it at the prompt)")
    assert "hunter2" not in r.err


# --- an internal error while prices are in memory ----------------------------------------------------------


@pytest.mark.parametrize("where", ["pricing.line_total", "secure.decrypt"])
def test_forced_traceback_shows_no_price_or_passphrase(packaged_ws: Path, monkeypatch: pytest.MonkeyPatch,
                                                      cli: Callable[..., Result], where: str) -> None:
    import bidkit.core.pricing
    import bidkit.store.crypto

    figures = price_figures(packaged_ws)
    module, name = where.split(".")
    target = {"pricing": bidkit.core.pricing, "secure": bidkit.store.crypto}[module]
    real = getattr(target, name)

    def exploding(*args: Any, **kwargs: Any) -> Any:
        got = real(*args, **kwargs)
        secret = os.environ["BIDKIT_PRICE_PASSPHRASE"]
        raise RuntimeError(f"bug near {got!r}, {args!r}, {figures[0]}, {figures[-1]}, passphrase {secret}")

    monkeypatch.setattr(target, name, exploding)
    for cmd in (("price", "show", packaged_ws), ("render", packaged_ws, "--only", "price"),
                ("assemble", packaged_ws)):
        r = cli("--verbose", *cmd)
        assert r.code == 70, r.err
        assert r.err_lines[-1] == ("error: internal error (RuntimeError); please report it "
                                   "(rerun with --verbose for details)")
        assert "Traceback" not in r.err and 'File "' in r.err  # the frames, as --verbose promises
        shown = r.out + r.err
        assert PASSPHRASE not in shown
        assert leaks(shown, figures) == []


# --- a full run, then look everywhere ---------------------------------------------------------------------

PRICE_CHAPTERS = ("bid_letter", "opening_summary", "itemised_prices")  # the sample's 报价文件 forms


@pytest.mark.slow
@needs_soffice()
def test_no_price_figure_outside_the_price_chapters(tmp_path: Path) -> None:
    ws = tmp_path / "bid"
    tmp = tmp_path / "tmp"  # every command's temporary files
    tmp.mkdir()
    env = {**os.environ, **DEMO_ENV, "TMPDIR": str(tmp)}
    stderr: list[tuple[str, str]] = []

    def bidkit(*args: str | Path, stdout: Any = subprocess.PIPE) -> str:
        r = subprocess.run([sys.executable, "-m", "bidkit", *map(str, args)], env=env, stdout=stdout,
                           stderr=subprocess.PIPE, text=True, timeout=300)
        assert r.returncode == 0, (args, r.stderr)
        stderr.append((" ".join(map(str, args[:2])), r.stderr))
        return r.stdout or ""

    bidkit("init", ws)
    bidkit("review", "status", ws)
    bidkit("price", "show", ws, stdout=subprocess.DEVNULL)
    bidkit("render", ws)
    bidkit("cost", ws, stdout=subprocess.DEVNULL)  # the cost analysis with the prices: stdout only
    bidkit("cost", ws, "--pdf", stdout=subprocess.DEVNULL)  # or encrypted, under a one-time password
    bidkit("assemble", ws)
    package = next((ws / "build").glob("*-v1-1.pdf"))
    bidkit("verify", package)
    check_json = bidkit("check", ws, "--json")
    log = bidkit("log", ws)

    figures = price_figures(ws)
    assert "4,307,050.60" in figures and "4307050.60" in figures and len(figures) > 60
    found: dict[str, list[str]] = {}
    for command, text in stderr:
        found[f"stderr of bidkit {command}"] = leaks(text, figures)
    found["bidkit log"] = leaks(log, figures)
    found["audit.log"] = leaks((ws / "audit.log").read_text(encoding="utf-8"), figures)
    found["check --json"] = leaks(check_json, figures)
    scanned = []
    for path in sorted((ws / "build").rglob("*")):
        rel = path.relative_to(ws / "build").as_posix()
        if not path.is_file() or rel.startswith("cache/") or path == package or path.stem in PRICE_CHAPTERS:
            continue  # the package and the price chapters legitimately carry the prices
        text = docx_text(path.read_bytes()) if path.suffix == ".docx" else path.read_bytes().decode("utf-8", "replace")
        found[rel] = leaks(text, figures)
        scanned.append(rel)
    assert {"docx/price-cover.docx", "docx/references.docx", "docx/bom.docx", "docx/technical_solution.docx",
            package.stem + ".manifest.json", "pdf/cost_analysis.pdf"} <= set(scanned)
    for path in sorted(tmp.rglob("*")):
        if path.is_file():
            found[f"$TMPDIR/{path.relative_to(tmp)}"] = leaks(path.read_bytes().decode("utf-8", "replace"), figures)
    assert {k: v for k, v in found.items() if v} == {}
    # the price chapters are never written to the workspace: they exist only inside the sealed package
    assert [name for name in PRICE_CHAPTERS if list((ws / "build").rglob(f"{name}.*"))] == []
    # and the scanner does find the prices where they belong
    shown = leaks("".join(page.extract_text() or "" for page in PdfReader(package).pages), figures)
    assert "4,307,050.60" in shown or "4307050.60" in shown
