"""``bidkit assemble``: the sealed PDF bid package."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import err, out

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]

STEPS = ("load", "price lock", "render", "convert", "compose", "sign")


def assemble(
    directory: Dir,
    draft: Annotated[bool, typer.Option("--draft", help="Without the price part, watermarked 草稿 / 未审核, unsigned.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    copy: Annotated[str | None, typer.Option(
        "--copy", help="Cover label: 正本, or the copy 副本一, 副本二 … (default from bidkit.yaml).")] = None,
    split_parts: Annotated[bool, typer.Option(
        "--split-parts", help="One package per volume (e.g. the price part sealed apart), each signed.")] = False,
) -> None:
    """Build the sealed PDF bid package into DIR/build/."""
    from bidkit.pipeline.assemble import assemble as run

    if sys.stderr.isatty() and not as_json:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("assemble", total=len(STEPS))

            def step(name: str) -> None:
                done = STEPS.index(name) if name in STEPS else 0
                bar.update(task, description=name, completed=done)

            results = run(directory, draft=draft, copy=copy, progress=step, split=split_parts)
    else:
        results = run(directory, draft=draft, copy=copy, split=split_parts)
    if as_json:
        summaries = [r.summary() for r in results]
        out(json.dumps(summaries if split_parts else summaries[0], ensure_ascii=False))
        return
    for note in results[0].notes:
        err(f"note: {note}")
    for result in results:
        kind = "draft package" if result.draft else "package"
        out(f"{kind}: {result.path} ({result.pages} pages, {result.seconds:.1f}s, "
            f"converted {len(result.converted)}, cached {len(result.cached)})")
        out(f"sha256: {result.sha256}")
        if result.manifest:
            out(f"manifest: {result.manifest}")
