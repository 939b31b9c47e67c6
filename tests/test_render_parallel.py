"""The chapters render in two processes (every other one in a forked child): the same .docx as one process
renders, in the same order, and on a failure the same first error a sequential render gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from bidkit.adapters.libreoffice import content_digest
from bidkit.core.errors import TemplateError
from bidkit.pipeline import book as book_pipeline
from bidkit.store import lock, workspace

PASSPHRASE = "demo-only-passphrase"


def _unlocked(root: Path) -> tuple[workspace.Workspace, list[book_pipeline.PlannedChapter]]:
    ws = workspace.load(root)
    return lock.with_prices(ws, PASSPHRASE), list(book_pipeline.plan(ws).chapters())


def test_two_processes_render_what_one_renders(sample_ws: Path) -> None:
    ws, chapters = _unlocked(sample_ws)
    both = book_pipeline.render_chapters(ws, chapters)
    one = book_pipeline._render_in_order(ws, chapters)
    assert list(both) == list(one) and len(both) >= 4
    assert {n: content_digest(b) for n, b in both.items()} == {n: content_digest(b) for n, b in one.items()}


def test_the_first_failing_chapter_in_order_is_named(sample_ws: Path) -> None:
    """A broken form in the child's half before a broken one in this process's half: the child's is named, as a
    sequential render names it (and not the one this process meets first)."""
    ws = workspace.load(sample_ws)  # (a price chapter's form changed would close the lock: the others only)
    chapters = [pc for pc in book_pipeline.plan(ws).chapters() if not pc.priced]
    todo = [pc for pc in chapters if pc.kind != "attachments" and not pc.pdf_file]
    odd = next(pc for i, pc in enumerate(todo) if i % 2 == 1 and pc.form)
    even = next(pc for i, pc in enumerate(todo) if i % 2 == 0 and pc.form and todo.index(odd) < i)
    for pc in (odd, even):
        path = sample_ws / "templates" / "forms" / f"{pc.form}.docx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not a word file")
    ws = workspace.load(sample_ws)
    with pytest.raises(TemplateError) as sequential:
        book_pipeline._render_in_order(ws, chapters)
    with pytest.raises(TemplateError) as parallel:
        book_pipeline.render_chapters(ws, chapters)
    assert parallel.value.message == sequential.value.message
    assert f"{odd.form}.docx" in parallel.value.message
