"""``bidkit cost DIR``: the internal 成本与报价分析 (before the price), for the sales rep only.

Without ``--pdf`` the document's text goes to stdout, as ``bidkit price show`` prints the prices; with ``--pdf`` it is
written as a PDF encrypted under a one-time password that is shown once. It is never written in plaintext.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import err, out
from bidkit.pipeline import cost as cost_stage

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]


def cost(
    directory: Dir,
    prices: Annotated[
        bool | None,
        typer.Option("--prices/--no-prices", show_default=False,
                     help="Include the bid prices and margins (default: when the price lock is open and "
                          "BIDKIT_PRICE_PASSPHRASE is set; --prices asks for the passphrase)."),
    ] = None,
    pdf: Annotated[bool, typer.Option("--pdf", help="Write an encrypted PDF instead of printing the text.")] = False,
) -> None:
    """成本与报价分析 (internal): supplier quotes, cost by category, margin against the target, the baseline (标底)
    beside the budget and the control price, the customer feedback rounds, findings."""
    ws, note = cost_stage.with_prices(common.load(directory), prices)
    if note:
        err(note)
    if not pdf:
        out(cost_stage.text(ws).rstrip("\n"))
        return
    written = cost_stage.write_pdf(ws)
    what = "with the bid prices" if written.prices else "without the bid prices"
    out(f"{written.path}  成本与报价分析（内部资料，{what}; AES-256 encrypted）")
    out(f"password (shown only now, stored nowhere): {written.password}")
