"""assemble's hand_off: the main thread holds its own CPU work back until LibreOffice has the first files (their
batch's last Python steps would otherwise wait for the GIL), but never while the standby is still starting, and
never longer than its limit or past the conversion's end. And assemble's convert: the chapters the cache gives
are told at once, so their words are read while the price chapters convert, not after."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from bidkit.adapters.libreoffice import Converted, Job
from bidkit.core.book import BookPlan, PlannedChapter, PlannedVolume
from bidkit.pipeline.assemble import convert, hand_off


class Office:
    def __init__(self) -> None:
        self.started = threading.Event()


class Standby:
    def __init__(self, starting: bool) -> None:
        self.up = not starting

    def starting(self) -> bool:
        return not self.up


def timed(office: Any, conversion: Future[Any], standby: Any = None, limit: float = 2.0) -> float:
    start = time.monotonic()
    hand_off(office, conversion, standby, limit)
    return time.monotonic() - start


def test_it_waits_until_a_soffice_has_the_files() -> None:
    office = Office()
    threading.Timer(0.2, office.started.set).start()
    assert 0.15 < timed(office, Future(), Standby(starting=False)) < 1.0


def test_it_does_not_wait_for_a_conversion_that_is_over() -> None:
    done: Future[Any] = Future()
    done.set_result({})
    assert timed(Office(), done) < 0.1


def test_it_does_not_wait_while_the_standby_is_starting() -> None:
    assert timed(Office(), Future(), Standby(starting=True)) < 0.1


def test_it_waits_no_longer_than_its_limit() -> None:
    assert 0.25 < timed(Office(), Future(), None, limit=0.3) < 1.0


class Converting:
    """An office whose cache holds ``hits``: the others convert (told through ``on_converted`` as they land, as
    LibreOffice does); ``order`` records what happened when."""

    def __init__(self, hits: set[str], order: list[str]) -> None:
        self.hits, self.order, self.cache = hits, order, None

    def convert(self, jobs: list[Job], on_converted: Any = None, spare: Any = None) -> dict[str, Converted]:
        out = {}
        for job in jobs:
            cached = job.name in self.hits
            out[job.name] = Converted(job.name, Path(f"/private/{job.name}.pdf"), "", cached)
            if not cached:
                self.order.append(f"converted {job.name}")
                if on_converted is not None:
                    on_converted(out[job.name])
        return out


def test_convert_tells_of_the_cache_s_chapters_too() -> None:
    chapters = tuple(PlannedChapter(id=n, title=n, volume="v", kind="file", file=f"{n}.docx", priced=(n == "bid"))
                     for n in ("bid", "solution", "after_sales"))
    book = BookPlan((PlannedVolume("v", "卷", chapters),))
    order: list[str] = []
    told: list[str] = []

    def heard(cv: Converted) -> None:
        told.append(cv.name)
        order.append(f"told {cv.name}")

    docs = {n: b"" for n in ("bid", "solution", "after_sales")}
    got = convert(Converting({"solution", "after_sales"}, order), book, docs, heard)  # type: ignore[arg-type]
    assert sorted(told) == sorted(got) == ["after_sales", "bid", "solution"]  # each exactly once
    assert order[:2] == ["converted bid", "told bid"]  # a converted one as it lands
    assert convert(Converting({"bid"}, []), book, docs).keys() == docs.keys()  # (no listener: nothing to tell)
