"""``bidkit price``: the confidential prices (encrypted in pricing.enc), entered last, only through the lock.

The passphrase comes from ``$BIDKIT_PRICE_PASSPHRASE`` or a prompt, never from the command line. ``price show``
is the only command that prints prices (to stdout).
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from bidkit.adapters import editor
from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core.errors import InputError, SecretError
from bidkit.core.models import PriceLine, Pricing
from bidkit.core.money import format_amount, rmb_upper
from bidkit.core.pricing import summarise
from bidkit.store import crypto, lock, price_sheet
from bidkit.store.files import atomic_write
from bidkit.store.workspace import Workspace

app = typer.Typer(help="Confidential prices: import, template, show, set, edit (after the QA approval).",
                  no_args_is_help=True)

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]


def _existing(ws: Workspace, passphrase: str) -> Pricing | None:
    return lock.decrypt_prices(ws, passphrase) if (ws.root / lock.PRICES).exists() else None


@app.command("template")
def template(
    directory: Dir,
    output: Annotated[Path, typer.Argument(help="The .xlsx to write.", show_default=False)],
) -> None:
    """Write the price sheet pre-filled with the BOM and empty prices (shows no price, so needs no approval)."""
    ws = common.load(directory)
    if output.suffix.lower() != ".xlsx":
        raise InputError(f"{output.name}: the price sheet must be an .xlsx file")
    title = f"{ws.data.tender.project_name} 分项报价表（{ws.data.tender.number}）"
    atomic_write(output, price_sheet.template_bytes(ws.data.solution, title), overwrite=False)
    out(f"wrote {output}: {len(ws.data.solution.bom)} BOM lines, fill 单价 and run bidkit price import")


@app.command("import")
def import_(
    directory: Dir,
    file: Annotated[Path, typer.Argument(help="prices.xlsx or a pricing .yaml.", show_default=False)],
) -> None:
    """Read prices from an Excel sheet or YAML file, check them against the BOM, encrypt into pricing.enc."""
    ws = common.load(directory)
    lock.require_open(ws)
    pricing = price_sheet.read(file, ws.data.solution, Decimal("0.13"))  # checked before any passphrase
    phrase = crypto.passphrase(confirm=not (ws.root / lock.PRICES).exists())
    with lock.changing_prices(ws):
        old = _existing(ws, phrase)
        if old is not None and file.suffix.lower() == ".xlsx":  # a sheet has no tax rate or note: keep them
            pricing = pricing.model_copy(update={"tax_rate": old.tax_rate, "extra_note": old.extra_note})
        lock.save_prices(ws, pricing, phrase, "price.import", {"source": file.name})
    out(f"imported {len(pricing.lines)} priced lines from {file.name} into {lock.PRICES} (encrypted)")
    if (ws.root / lock.PLAINTEXT).exists():
        out(f"now delete {ws.root / lock.PLAINTEXT}: plaintext prices beside {lock.PRICES} are refused")


@app.command()
def show(directory: Dir) -> None:
    """Print the itemised prices with the totals and 大写 (stdout only)."""
    ws = common.load(directory)
    pricing = lock.open_prices(ws, crypto.passphrase())
    s = summarise(ws.data.solution, pricing, tax_included=ws.data.tender.tax_included)
    out(f"{'序号':<4} {'编号':<6} {'名称':<24} {'数量':>8} {'单价':>14} {'合价':>16}")
    for ln in s.lines:
        out(f"{ln.no:<6} {ln.bom.id:<8} {ln.bom.name:<24} {ln.bom.qty.normalize():>10f} "
            f"{format_amount(ln.unit_price):>16} {format_amount(ln.total):>18}")
    out(f"小计 subtotal: {format_amount(s.subtotal)}")
    out(f"税额 tax ({s.tax_rate * 100:.0f}%, {'含税' if s.tax_included else '不含税'}): {format_amount(s.tax)}")
    out(f"投标总价 total: {format_amount(s.total)}")
    out(f"大写: 人民币{rmb_upper(s.total)}")


def _read_price(item: str) -> str:
    """The unit price: one line from stdin when it is piped, else a prompt that does not echo it."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line.strip():
            raise InputError("stdin: no unit price (pipe one line, e.g. a value in 元 such as 85.00)")
        return line.strip()
    return crypto.PROMPT["ask"](f"{item} 单价 (unit price, 元): ").strip()


@app.command("set")
def set_(
    directory: Dir,
    item: Annotated[str, typer.Argument(help="BOM line id, e.g. B07.", show_default=False)],
    refused: Annotated[str | None, typer.Argument(hidden=True, show_default=False)] = None,
) -> None:
    """Set one BOM line's unit price, typed at the prompt or piped on stdin (never on the command line)."""
    if refused is not None:  # the value is not echoed
        raise SecretError("a price is never given on the command line (the process list and shell history show "
                          "it): type it at the prompt, or pipe it on stdin")
    ws = common.load(directory)
    lock.require_open(ws)
    bom_ids = [b.id for b in ws.data.solution.bom]
    if item not in bom_ids:
        raise InputError(f"{item}: unknown BOM line")
    try:
        price = PriceLine(item=item, unit_price=_read_price(item)).unit_price
    except ValidationError:
        # the value is not echoed: a passphrase typed here by mistake must not reach the terminal log
        raise InputError("unit price: not an amount in 元 (digits, at most two decimals, e.g. 85.00)") from None
    phrase = crypto.passphrase(confirm=not (ws.root / lock.PRICES).exists())
    with lock.changing_prices(ws):
        old = _existing(ws, phrase) or Pricing()
        pricing = lock.set_price(old, item, price, bom_ids)
        lock.save_prices(ws, pricing, phrase, "price.set", {"item": item})
    out(f"set the unit price of {item} in {lock.PRICES}")


@app.command()
def edit(directory: Dir) -> None:
    """Edit the prices as YAML in $EDITOR (a private temporary copy, wiped afterwards)."""
    ws = common.load(directory)
    lock.require_open(ws)
    phrase = crypto.passphrase()
    with lock.changing_prices(ws):  # nobody else changes the prices while they are in the editor
        old = lock.decrypt_prices(ws, phrase)
        edited = editor.edit(lock.pricing_yaml(old), "pricing.yaml")
        pricing = price_sheet.read_yaml(edited, "pricing.yaml", ws.data.solution)
        if pricing == old:
            out("no change")
            return
        lock.save_prices(ws, pricing, phrase, "price.edit", {})
    out(f"saved {len(pricing.lines)} priced lines into {lock.PRICES}")
