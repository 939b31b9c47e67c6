"""``bidkit tender``: the tender's data (requirements imported from a spreadsheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out

app = typer.Typer(help="The tender's data: import requirements from a spreadsheet.", no_args_is_help=True)

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]


@app.command("import-requirements")
def import_requirements(
    directory: Dir,
    sheet: Annotated[Path, typer.Argument(help="The .xlsx with 序号 / 条款 / ★ / 要求 (/ 类型).", show_default=False)],
) -> None:
    """Replace tender.yaml's requirements with those of SHEET (comments inside the old block are lost)."""
    from bidkit.store.requirements_sheet import import_requirements as run

    ws = common.load(directory)
    reqs = run(ws, sheet)
    stars = sum(1 for r in reqs if r.mandatory)
    tech = sum(1 for r in reqs if r.kind.value == "technical")
    out(f"imported {len(reqs)} requirements ({stars} ★; {tech} technical, {len(reqs) - tech} commercial) "
        f"into {directory / 'tender.yaml'}")
