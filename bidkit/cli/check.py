"""``bidkit check``: every mechanically checkable cause of an invalid bid, grouped by severity."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core.errors import CheckFailed, ChecksIncomplete

PASSPHRASE_ENV = "BIDKIT_PRICE_PASSPHRASE"

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]

TITLES = {"fatal": "致命 fatal", "warning": "警告 warning", "info": "提示 info"}


def check(
    directory: Dir,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    without_prices: Annotated[bool, typer.Option(
        "--without-prices", help="Check everything but the prices (exit 0 without them, not 11).")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a plain-language HTML report.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write the report as PDF.")] = None,
    package: Annotated[
        Path | None, typer.Option("--package", help="Also check the totals printed in this package PDF.")
    ] = None,
) -> None:
    """Run every validity check; exit 10 when a fatal finding exists (with --strict, also a warning), 11 when the
    price rules could not run (no approval, no pricing.enc, no passphrase) unless --without-prices.

    Prices are checked when they can be read: the QA approval is in place and the passphrase is given
    ($BIDKIT_PRICE_PASSPHRASE, or typed at the terminal when asked).
    """
    from bidkit.core.checks import RULES, counts, has_fatal
    from bidkit.pipeline import check as check_io

    start = time.perf_counter()
    ws = common.load(directory)
    result = check_io.report(ws, include_prices=not without_prices, package=package, ask=not as_json)
    findings, skipped = result.findings, result.prices_skipped
    seconds = time.perf_counter() - start
    if html is not None:
        check_io.write_html(findings, ws, html)
    if pdf is not None:
        check_io.write_pdf(findings, ws, pdf)
    n = counts(findings)
    incomplete = skipped is not None and not without_prices
    if as_json:
        out(json.dumps({"workspace": str(directory), "counts": n, "rules": len(RULES),
                        "seconds": round(seconds, 3), "prices_checked": skipped is None,
                        "complete": not incomplete, "findings": [f.to_dict() for f in findings]},
                       ensure_ascii=False, indent=2))
    else:
        for sev in ("fatal", "warning", "info"):
            group = [f for f in findings if f.severity.value == sev]
            if not group:
                continue
            out(f"{TITLES[sev]} ({len(group)})")
            for f in group:
                out(f"  [{f.rule}] {f.location}")
                out(f"      {f.message}")
                if f.advice:
                    out(f"      → {f.advice}")
        for path in (html, pdf):
            if path is not None:
                out(f"report: {path}")
        tail = ""
        if skipped is not None:
            tail = "; price rules not run (--without-prices)" if without_prices else \
                f"; NOT COMPLETE: the price rules did not run ({skipped})"
        out(f"checked {directory}: {n['fatal']} fatal, {n['warning']} warning, {n['info']} info "
            f"({len(RULES)} rules, {seconds:.1f}s){tail}")  # (one decimal: never read as an amount)
    if has_fatal(findings, strict=strict):
        what = f"{n['fatal']} fatal" + (f", {n['warning']} warning" if strict else "")
        raise CheckFailed(f"{what} finding(s): the bid would be invalid; fix them before sealing")
    if incomplete:
        raise ChecksIncomplete(f"the check is not complete: the price rules did not run ({skipped}); check again "
                               "once QA has approved and the prices are in, with the passphrase "
                               f"(${PASSPHRASE_ENV} or at the prompt), or use --without-prices for the rest only")
