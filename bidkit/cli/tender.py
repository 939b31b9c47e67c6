"""``bidkit tender``: the tender's data (requirements imported from a spreadsheet or the tender's .docx)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import err, out

app = typer.Typer(help="The tender's data: import its requirements.", no_args_is_help=True)

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]


class Kind(str, Enum):
    technical = "technical"
    commercial = "commercial"


@app.command("import-requirements")
def import_requirements(
    directory: Dir,
    source: Annotated[Path, typer.Argument(
        help="An .xlsx with 序号 / 条款 / ★ / 要求 (/ 类型), or the tender's .docx (its 采购需求 tables).",
        show_default=False)],
    kind: Annotated[Kind | None, typer.Option(
        "--kind", help="The kind of the rows no 类型 column or 技术/商务 heading names (else guessed, with a "
                       "warning).")] = None,
) -> None:
    """Replace tender.yaml's requirements with those of SOURCE, and add a row to answer for each new one to
    responses.yaml (comments inside the old requirements block are lost). Needs only tender.yaml."""
    from bidkit.pipeline.requirements import import_requirements as run

    result = run(directory, source, kind.value if kind is not None else None)
    for line in result.warnings:
        err(line)
    reqs = result.requirements
    stars = sum(1 for r in reqs if r.mandatory)
    tech = sum(1 for r in reqs if r.kind.value == "technical")
    out(f"imported {len(reqs)} requirements ({stars} ★; {tech} technical, {len(reqs) - tech} commercial) "
        f"into {directory / 'tender.yaml'}")
    if result.added:
        out(f"rows to answer added to {directory / 'responses.yaml'}: {result.added.get('technical', 0)} technical, "
            f"{result.added.get('commercial', 0)} commercial (fill in response and deviation)")
    if gone := sum(result.removed.values()):
        out(f"rows still to answer removed from {directory / 'responses.yaml'}: {gone} (their requirements are no "
            "longer in the tender or changed kind)")
