"""The chapters render in two processes (every other one in a forked child): the same .docx as one process
renders, in the same order, and on a failure the same first error a sequential render gives."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bidkit.adapters.libreoffice import Job, LibreOffice, content_digest
from bidkit.core.errors import TemplateError
from bidkit.pipeline import book as book_pipeline
from bidkit.pipeline.assemble import assemble
from bidkit.store import lock, workspace
from tests.helpers import needs_soffice, record_batches

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
    from bidkit.adapters.sealed import SealedCache

    cache = SealedCache(sample_ws / "build" / "cache", b"r" * 32)
    with pytest.raises(TemplateError) as parallel:
        book_pipeline.render_chapters(ws, chapters, cache=cache)
    assert parallel.value.message == sequential.value.message
    assert f"{odd.form}.docx" in parallel.value.message
    assert not list(cache.dir.glob("render-*"))  # a refused render keeps nothing of what did render


@needs_soffice()
@pytest.mark.slow
def test_what_surely_converts_goes_to_libreoffice_while_the_rest_renders(sample_ws: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Assemble the sample: the 技术方案 (the bidder's .docx, converted as it is) is handed to LibreOffice before
    the forms are rendered; the forms follow in one process, with the carried variants of the forms that have a
    table before their signature block; nothing converts after that. On a rebuild the price chapters (never
    cached) are handed over first too, and they are all that converts."""
    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")
    events: list[tuple[str, list[str]]] = []
    real_batch, real_render = LibreOffice._run_batch, book_pipeline.render_chapters

    def batch(self: LibreOffice, binary: str, units: list[list[Job]]) -> dict[str, Path]:
        events.append(("convert", sorted(j.name for unit in units for j in unit)))
        return real_batch(self, binary, units)

    def render(ws: workspace.Workspace, chapters: Iterable[book_pipeline.PlannedChapter], first: Any = (),
               ready: Any = None, cache: Any = None) -> dict[str, bytes]:
        def handed(blobs: dict[str, bytes]) -> None:
            events.append(("ready", sorted(blobs)))
            ready(blobs)

        out = real_render(ws, chapters, first, handed if ready else None, cache)
        events.append(("rendered", sorted(out)))
        return out

    monkeypatch.setattr(LibreOffice, "_run_batch", batch)
    monkeypatch.setattr(book_pipeline, "render_chapters", render)
    (done,) = assemble(sample_ws)
    assert [e for e in events if e[0] != "convert"] == [("ready", ["technical_solution"]),
                                                        ("rendered", sorted(done.converted))]
    converts = [names for kind, names in events if kind == "convert"]
    assert converts[0] == ["technical_solution"] and len(converts) == 2, events  # nothing converts after the two
    assert {"bid_letter", "itemised_prices", "commercial_deviations.carried"} <= set(converts[1])
    order = [pc.docx_name for pc in book_pipeline.plan(workspace.load(sample_ws)).chapters()]
    assert done.converted == [n for n in order if n in done.converted]  # the book's order, spares left out
    events.clear()
    (again,) = assemble(sample_ws)
    priced = ["bid_letter", "itemised_prices", "opening_summary"]
    assert events[0] == ("ready", sorted([*priced, "technical_solution"]))
    converts = [names for kind, names in events if kind == "convert"]
    # none of the sample's price forms needed its carried variant last time: they convert without them now
    assert converts == [priced], events
    assert sorted(again.converted) == priced


@needs_soffice()
@pytest.mark.slow
def test_a_price_chapter_that_needs_its_carried_variant_after_all_gets_it(sample_ws: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The price forms convert without their carried variants when the last assembly did not need them; when a
    new price makes the signature block land alone on the last page after all, the variant is converted then
    (and is in the package), and the next assembly converts it along with the form again."""
    from bidkit.adapters.pdf import place
    from bidkit.pipeline import assemble as assemble_stage

    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")
    converts = record_batches(monkeypatch)
    assemble(sample_ws)
    cache = assemble_stage.conversion_cache(workspace.load(sample_ws))
    assert assemble_stage.carry_needed(cache, "itemised_prices") is False
    real_alone, real_carry = place.signature_alone, assemble_stage.carry

    def carry(ws: Any, book: Any, office: Any, docs: Any, converted: Any, words: Any) -> list[str]:
        last = words["itemised_prices"][-1]  # the 分项报价表's signature block alone on its last page, this time
        monkeypatch.setattr(place, "signature_alone", lambda page, anchors: page is last or real_alone(page, anchors))
        try:
            return real_carry(ws, book, office, docs, converted, words)
        finally:
            monkeypatch.setattr(place, "signature_alone", real_alone)

    monkeypatch.setattr(assemble_stage, "carry", carry)
    converts.clear()
    (again,) = assemble(sample_ws)
    assert converts[0] == ["bid_letter", "itemised_prices", "opening_summary"], converts
    assert converts[1:] == [["itemised_prices.carried"]], converts  # converted after all, at once
    assert assemble_stage.carry_needed(cache, "itemised_prices") is True
    assert "itemised_prices" in again.converted
    monkeypatch.setattr(assemble_stage, "carry", real_carry)
    converts.clear()
    assemble(sample_ws)
    assert converts == [["bid_letter", "itemised_prices", "itemised_prices.carried", "opening_summary"]], converts


def test_seal_spots_on_copies_are_kept_tagged_and_recomputed_when_forged(sample_ws: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The quiet corners of the scanned copies are computed once per file (and seal size): a rebuild reads them
    from the cache; an entry edited in the workspace is not used but computed again."""
    from bidkit.adapters.pdf import raster
    from bidkit.pipeline import assemble as assemble_mod

    monkeypatch.setenv("BIDKIT_PRICE_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("BIDKIT_SIGN_PASSWORD", "demo-only-password")
    calls: list[str] = []
    real = raster.quiet_spots

    def counted(pdf: Path, seal_pt: float) -> list[tuple[float, float]]:
        calls.append(pdf.name)
        return real(pdf, seal_pt)

    monkeypatch.setattr(raster, "quiet_spots", counted)
    ws = workspace.load(sample_ws)
    plan = book_pipeline.plan(ws)
    first = assemble_mod.spots(ws, plan)
    assert calls and len(calls) == len(first)
    calls.clear()
    assert assemble_mod.spots(ws, plan) == first and calls == []  # from the cache
    entry = next((sample_ws / "build" / "cache").glob("spots-*.json"))
    entry.write_text("[[1.0, 1.0]]", encoding="utf-8")  # forged: its tag no longer fits
    assert assemble_mod.spots(ws, plan) == first and len(calls) == 1


def test_a_chapter_without_prices_renders_once_for_its_inputs(sample_ws: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """With the (tagged) cache, a second render of the same inputs renders only the price chapters, which are
    never kept; a changed input renders its chapters again; an entry edited in the workspace is not used."""
    from bidkit.adapters.sealed import SealedCache
    from tests.helpers import replace_once

    monkeypatch.setattr(book_pipeline.os, "sched_getaffinity", lambda _pid: {0})  # one process: count here
    rendered: list[str] = []
    real = book_pipeline.render_bytes

    def counted(source: Any, context: dict[str, Any], *, layout: bool = True) -> bytes:
        rendered.append(source.name)
        return real(source, context, layout=layout)

    monkeypatch.setattr(book_pipeline, "render_bytes", counted)
    cache = SealedCache(tmp_path / "cache", b"r" * 32)
    ws, chapters = _unlocked(sample_ws)
    priced = sorted(pc.docx_name for pc in chapters if pc.priced)
    first = book_pipeline.render_chapters(ws, chapters, cache=cache)
    forms = len(rendered)
    assert forms >= 12
    rendered.clear()
    again = book_pipeline.render_chapters(ws, chapters, cache=cache)
    assert sorted(rendered) == sorted(pc.form or pc.id for pc in chapters if pc.priced)
    assert {n: content_digest(b) for n, b in again.items()} == {n: content_digest(b) for n, b in first.items()}
    kept = sorted(p.name.split("-")[1] for p in cache.dir.glob("render-*.docx"))
    assert not set(kept) & set(priced) and len(kept) == forms - len(priced)

    rendered.clear()  # the after-sales promise changes (which closes the lock): its chapter renders again, no other
    replace_once(sample_ws / "responses.yaml", r"配备专职运维工程师 4 名", "配备专职运维工程师 5 名")
    ws2 = workspace.load(sample_ws)
    unpriced = [pc for pc in chapters if not pc.priced]
    book_pipeline.render_chapters(ws2, unpriced, cache=cache)
    assert rendered == ["after_sales"]

    rendered.clear()  # an entry swapped in the workspace (no tag of this user's key) is rendered again
    entry = next(cache.dir.glob("render-bom-*.docx"))
    entry.write_bytes(first["after_sales"])
    third = book_pipeline.render_chapters(ws2, unpriced, cache=cache)
    assert rendered == ["bom"] and content_digest(third["bom"]) == content_digest(first["bom"])
