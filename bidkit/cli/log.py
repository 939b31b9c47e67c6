"""``bidkit log DIR`` prints the audit log; ``bidkit log verify DIR`` checks its hash chain."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli.common import out
from bidkit.core.errors import InputError
from bidkit.store import audit


def log(
    first: Annotated[str, typer.Argument(help="The workspace folder, or 'verify'.", show_default=False,
                                         metavar="[verify] DIR")],
    second: Annotated[Path | None, typer.Argument(hidden=True)] = None,
) -> None:
    """Print the workspace's audit log, or check it with: bidkit log verify DIR."""
    if second is not None and first != "verify":
        raise InputError("usage: bidkit log DIR | bidkit log verify DIR")
    root = Path(second if second is not None else first)
    if not root.is_dir():
        raise InputError(f"{root}: workspace folder not found")
    if second is not None:
        from bidkit.pipeline.logcheck import verify_log

        report = verify_log(root)
        out(f"ok: {audit.LOG_NAME}: {report.entries} entries, chain intact (head {report.head}); "
            f"{report.decisions} signed QA decision(s) at their places, {report.checkpoints} sealed package(s) "
            "agree")
        for note in report.notes:
            out(f"  {note}")
        return
    entries = audit.read(root)
    for entry in entries:
        out(audit.format_entry(entry))
