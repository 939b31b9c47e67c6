"""``bidkit assemble``: the sealed PDF bid package."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import err, out

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]

STEPS = ("load", "price lock", "render", "convert", "compose", "sign")


def assemble(
    directory: Dir,
    draft: Annotated[bool, typer.Option("--draft", help="Without the price part, watermarked 草稿 / 未审核, unsigned.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a machine-readable summary.")] = False,
    copy: Annotated[str | None, typer.Option("--copy", help="Cover label: 正本 or 副本 (default from bidkit.yaml).")]
    = None,
    warm: Annotated[bool | None, typer.Option(
        "--warm/--no-warm", help="Convert through a LibreOffice kept running between calls (started when missing; "
        "default from $BIDKIT_WARM_OFFICE). See `bidkit office`.", show_default=False)] = None,
) -> None:
    """Build the sealed PDF bid package into DIR/build/."""
    from ..package import assemble as run

    if sys.stderr.isatty() and not as_json:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("assemble", total=len(STEPS))

            def step(name: str) -> None:
                done = STEPS.index(name) if name in STEPS else 0
                bar.update(task, description=name, completed=done)

            result = run(directory, draft=draft, copy=copy, progress=step, warm=warm)
    else:
        result = run(directory, draft=draft, copy=copy, warm=warm)
    if as_json:
        out(json.dumps(result.summary(), ensure_ascii=False))
        return
    for note in result.notes:
        err(f"note: {note}")
    kind = "draft package" if result.draft else "package"
    out(f"{kind}: {result.path} ({result.pages} pages, {result.seconds:.1f}s, "
        f"converted {len(result.converted)}, cached {len(result.cached)})")
    out(f"sha256: {result.sha256}")
    if result.manifest:
        out(f"manifest: {result.manifest}")


office_app = typer.Typer(help="A LibreOffice kept running between calls, for fast re-assembly (opt-in).",
                         no_args_is_help=True)


@office_app.command("start")
def office_start() -> None:
    """Start the warm LibreOffice (stops by itself after $BIDKIT_OFFICE_IDLE seconds unused, default 600)."""
    from ..pdf import office

    st = office.start(wait=True)
    assert st is not None
    out(f"LibreOffice running (pid {st.soffice}, profile {st.directory / 'profile'})")


@office_app.command("stop")
def office_stop() -> None:
    """Stop the warm LibreOffice."""
    from ..pdf import office

    out("LibreOffice stopped" if office.stop() else "LibreOffice was not running")


@office_app.command("status")
def office_status() -> None:
    """Say whether the warm LibreOffice runs; exit 1 when it does not."""
    from ..pdf import office

    st = office.status()
    if st is None:
        out("LibreOffice not running")
        raise typer.Exit(1)
    state = "ready" if st.ready else "starting"
    out(f"LibreOffice {state} (pid {st.soffice}, idle {st.idle:.0f} s of {office.idle_limit():.0f} s, "
        f"profile {st.directory / 'profile'})")
