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
    entries = audit.read(root)
    if second is not None:
        last = entries[-1]["hash"][:16] if entries else "-"
        out(f"ok: {audit.LOG_NAME}: {len(entries)} entries, chain intact (head {last})")
        return
    for entry in entries:
        out(audit.format_entry(entry))
