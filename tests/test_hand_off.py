"""assemble's hand_off: the main thread holds its own CPU work back until LibreOffice has the first files (their
batch's last Python steps would otherwise wait for the GIL), but never while the standby is still starting, and
never longer than its limit or past the conversion's end."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from typing import Any

from bidkit.pipeline.assemble import hand_off


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
