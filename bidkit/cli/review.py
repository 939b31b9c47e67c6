"""``bidkit review``: request, approve, reject and show the QA review that opens the price lock."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bidkit.cli import common
from bidkit.cli.common import out
from bidkit.core import review
from bidkit.pipeline import check
from bidkit.store import keys, lock

app = typer.Typer(help="QA review of the technical and commercial parts (opens the price lock).",
                  no_args_is_help=True)

Dir = Annotated[Path, typer.Argument(help="The bid workspace folder.", show_default=False)]
Reviewer = Annotated[str, typer.Option("--reviewer", help="Your name as in the company trust file.",
                                        show_default=False)]
KeyFile = Annotated[
    Path | None,
    typer.Option("--key", help="Private key file (default: your key under the bidkit config folder)."),
]


@app.command()
def request(directory: Dir) -> None:
    """Ask QA to review the technical and commercial parts as they are now (logged under your login)."""
    ws = common.load(directory)
    check.refuse_not_pdfs(ws, "review request refused")
    req = lock.request(ws)
    out(f"review requested by {req.requested_by}: {len(req.digests)} inputs, digest "
        f"{review.combined(req.digests)[:16]}")


def _decide(directory: Path, decision: review.Decision, reviewer: str, comment: str, key: Path | None) -> None:
    ws = common.load(directory)
    if decision == "approved":
        check.refuse_not_pdfs(ws, "approval refused")
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
    if st.voucher is not None and st.state.open:
        demo = "DEMO trust — " if st.voucher.demo else ""
        out(f"  reviewer key vouched for by: {demo}{st.voucher.issuer} v{st.voucher.version} "
            f"(admin key {st.voucher.admin})")
    for name in st.state.changed:
        out(f"  changed: {name}")
    out(f"price lock: {'open' if st.state.open else 'closed'}")
    out(st.prices)


@app.command()
def audit(directory: Dir) -> None:
    """QA: compare your own record of the decisions you signed (your witness file) with the workspace's log;
    exit 6 when a decision you signed is missing or moved (the log's tail was cut or rewritten)."""
    from bidkit.core.errors import IntegrityError
    from bidkit.store import witness

    ws = common.load(directory)
    lock.chain(ws)  # the log itself first: its chain and every signed decision's place
    findings = witness.compare(ws.root, ws.data.project.code)
    if not findings:
        out(f"no decisions for project {ws.data.project.code} in your witness record "
            f"({witness.witness_file(ws.data.project.code)}) or in the log")
        return
    for f in findings:
        out(f.line)
    bad = [f for f in findings if not f.ok]
    if bad:
        raise IntegrityError(f"{len(bad)} decision(s) you signed are not in the workspace's log as signed")
