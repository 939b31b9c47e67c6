"""``bidkit award DIR``: record the award notice, the contract, the performance bond and the contract's instalments
in award.yaml, through the same checks as a hand edit; ``--letter`` renders the 履约保证金缴纳函."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from bidkit.cli.common import out
from bidkit.core.errors import InputError
from bidkit.core.models import Award
from bidkit.core.money import format_amount
from bidkit.pipeline import reports
from bidkit.store import workspace

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]
Date = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], show_default=False, metavar="YYYY-MM-DD")]
Text = Annotated[str | None, typer.Option(show_default=False)]
Amount = Annotated[str | None, typer.Option(show_default=False, metavar="YUAN")]
Int = Annotated[int | None, typer.Option(show_default=False)]

HEADER = ("# 中标与合同：中标通知书、合同、履约保证金、合同付款分期。由 bidkit award 写入（同样的校验；注释不保留）。\n"
          "# Award and contract, written by `bidkit award` (the checks of a hand edit; comments are not kept).\n")


def _instalment(text: str) -> dict[str, Any]:
    parts = text.split(":")
    if len(parts) not in (3, 4) or not all(parts):
        raise InputError(f"--instalment {text}: expected NAME:PERCENT:CONDITION[:TASK], e.g. 预付款:30:contract_signed")
    value: dict[str, Any] = {"name": parts[0], "percent": parts[1], "condition": parts[2]}
    if len(parts) == 4:
        value["task"] = parts[3]
    return value


def award(
    directory: Dir,
    notice_number: Annotated[str | None, typer.Option(help="中标通知书 number.", show_default=False)] = None,
    notice_date: Date = None,
    contract_number: Text = None,
    contract_date: Date = None,
    amount: Annotated[str | None, typer.Option(help="Contract amount in 元.", show_default=False,
                                               metavar="YUAN")] = None,
    supply_days: Int = None,
    construction_days: Int = None,
    warranty_years: Int = None,
    signed_by: Text = None,
    contract_scan: Annotated[str | None, typer.Option(help="The signed contract's scan, inside the workspace.",
                                                      show_default=False)] = None,
    bond_amount: Amount = None,
    bond_paid: Date = None,
    bond_form: Annotated[str | None, typer.Option(help="transfer or guarantee.", show_default=False)] = None,
    bond_reference: Text = None,
    bond_issuer: Text = None,
    bond_valid_until: Date = None,
    instalment: Annotated[
        list[str] | None,
        typer.Option(help="NAME:PERCENT:CONDITION[:TASK], repeatable; replaces the instalments. CONDITION: "
                          "contract_signed, installation_done, acceptance_passed, warranty_ended.",
                     show_default=False),
    ] = None,
    letter: Annotated[bool, typer.Option("--letter", help="Also render the 履约保证金缴纳函.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Convert the letter to PDF with LibreOffice.")] = True,
) -> None:
    """Record the award notice, the contract, the performance bond and the instalments in award.yaml (only the
    fields given change); print the record."""
    root = Path(directory)
    current = workspace.raw_file(root, "award") if root.is_dir() else None
    value: dict[str, Any] = dict(current or {})
    top = {"notice_number": notice_number, "notice_date": notice_date, "contract_number": contract_number,
           "contract_date": contract_date, "contract_amount": amount, "supply_days": supply_days,
           "construction_days": construction_days, "warranty_years": warranty_years, "signed_by": signed_by,
           "contract_scan": contract_scan}
    bond = {"amount": bond_amount, "paid": bond_paid, "form": bond_form, "reference": bond_reference,
            "issuer": bond_issuer, "valid_until": bond_valid_until}
    changed = False
    for key, given in top.items():
        if given is not None:
            value[key] = given.date() if isinstance(given, dt.datetime) else given
            changed = True
    if any(v is not None for v in bond.values()):
        merged = dict(value.get("performance_bond") or {})
        for key, given in bond.items():
            if given is not None:
                merged[key] = given.date() if isinstance(given, dt.datetime) else given
        value["performance_bond"] = merged
        changed = True
    if instalment:
        value["instalments"] = [_instalment(t) for t in instalment]
        changed = True
    if changed:
        ws = workspace.replace_file(root, "award", value, HEADER)
        out(f"recorded {root / 'award.yaml'}")
    else:
        ws = workspace.load(root)
        if ws.data.award is None:
            raise InputError("award.yaml is missing: give the award notice and the contract (see bidkit award --help)")
    assert ws.data.award is not None
    for line in summary(ws.data.award):
        out(line)
    if letter:
        outputs = reports.render_all(ws, ["performance_bond_letter"], pdf=pdf)
        for o in outputs:
            out(f"{o.docx}  {o.title}")
            if o.pdf is not None:
                out(f"{o.pdf}  {o.title} PDF")


def summary(a: Award) -> list[str]:
    lines = [
        f"award notice {a.notice_number} of {a.notice_date}; contract {a.contract_number} of {a.contract_date}, "
        f"¥{format_amount(a.contract_amount)}",
        f"supply within {a.supply_days} days, construction within {a.construction_days} days, "
        f"warranty {a.warranty_years} years from the formal acceptance",
    ]
    b = a.performance_bond
    if b is not None:
        paid = f"paid {b.paid}" if b.paid else "not paid yet"
        lines.append(f"performance bond ¥{format_amount(b.amount)} ({b.form.label}), {paid}")
    plan = "; ".join(f"{i.name} {i.percent.normalize():f}% {i.condition.label}" + (f" ({i.task})" if i.task else "")
                     + f" ¥{format_amount(a.instalment_amount(i))}" for i in a.payment_plan())
    lines.append(f"instalments: {plan}")
    return lines
