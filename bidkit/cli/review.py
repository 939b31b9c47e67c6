"""``bidkit review``: request, approve, reject and show the QA review that opens the price lock."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core import review
from bidkit.store import keys, lock

app = typer.Typer(help="QA review of the technical and commercial parts (opens the price lock).",
                  no_args_is_help=True)

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]
Reviewer = Annotated[str, typer.Option("--reviewer", help="Your name as in reviewers.yaml.", show_default=False)]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key", help="Private key file (default: your key under the bidkit config folder)."),
]


@app.command()
def request(
    directory: Dir,
    by: Annotated[str | None, typer.Option("--by", help="Who asks (default $BIDKIT_USER or login).")] = None,
) -> None:
    """Ask QA to review the technical and commercial parts as they are now."""
    ws = common.load(directory)
    req = lock.request(ws, by)
    out(f"review requested by {req.requested_by}: {len(req.digests)} inputs, digest "
        f"{review.combined(req.digests)[:16]}")


def _decide(directory: Path, decision: review.Decision, reviewer: str, comment: str, key: Path | None) -> None:
    ws = common.load(directory)
    private = keys.load_private(key or keys.key_path(reviewer))
    st = lock.decide(ws, decision, reviewer, comment, private)
    out(f"{decision} by {st.reviewer} at {st.time} ({len(st.digests)} inputs signed)")


@app.command()
def approve(
    directory: Dir,
    reviewer: Reviewer,
    comment: Annotated[str, typer.Option("--comment", help="Optional remark.")] = "",
    key: KeyFile = None,
) -> None:
    """Approve (signed with your key): the price lock opens for exactly these inputs."""
    _decide(directory, "approved", reviewer, comment, key)


@app.command()
def reject(
    directory: Dir,
    reviewer: Reviewer,
    comment: Annotated[str, typer.Option("--comment", help="What must change.", show_default=False)],
    key: KeyFile = None,
) -> None:
    """Reject (signed with your key), saying what must change."""
    _decide(directory, "rejected", reviewer, comment, key)


@app.command()
def status(directory: Dir) -> None:
    """Show the review state: not requested, pending, approved, stale (what changed) or rejected."""
    ws = common.load(directory)
    st = lock.status(ws)
    out(f"QA review: {st.state.describe()}")
    for name in st.state.changed:
        out(f"  changed: {name}")
    out(f"price lock: {'open' if st.state.open else 'closed'}")
    out(st.prices)
