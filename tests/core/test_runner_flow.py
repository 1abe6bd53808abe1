"""How the history runner hands out its units: in order, a bounded number ahead, the cache bounded."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from toolkit.core import runner
from toolkit.core.runner import Unit, in_order


def test_units_come_back_in_order_with_at_most_ahead_started_and_not_handed_on():
    units = [Unit(i, None) for i in range(40)]
    started: list[int] = []
    handed: list[int] = []
    lock = threading.Lock()
    most_ahead = 0

    def work(unit: Unit) -> list:
        nonlocal most_ahead
        with lock:
            started.append(unit.value)
            most_ahead = max(most_ahead, len(started) - len(handed))
        time.sleep(0.02 if unit.value % 7 == 0 else 0.001)  # some units slow, as a window with pages is
        return [[{"n": unit.value}]]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for pieces in in_order(pool, work, units, ahead=4):
            with lock:
                handed.append(pieces[0][0]["n"])
    assert handed == list(range(40))
    assert most_ahead <= 4 + 1  # the ones in flight, and the one being handed on


def test_an_error_stops_what_has_not_started():
    units = [Unit(i, None) for i in range(50)]
    started: list[int] = []

    def work(unit: Unit) -> list:
        started.append(unit.value)
        if unit.value == 3:
            raise ValueError("window 3 failed")
        time.sleep(0.005)
        return [[]]

    with pytest.raises(ValueError, match="window 3"), ThreadPoolExecutor(max_workers=2) as pool:
        for _ in in_order(pool, work, units, ahead=2):
            pass
    assert max(started) < 10  # the rest never start


def test_the_window_cache_holds_at_most_its_budget_of_records(monkeypatch):
    monkeypatch.setattr(runner, "CACHE_RECORDS", 10)
    cache = runner.WindowCache()
    cache.keep(("a",), [{"id": i} for i in range(6)])
    cache.keep(("b",), [{"id": i} for i in range(6)])  # 12 > 10: not kept
    cache.keep(("c",), [{"id": i} for i in range(4)])
    assert cache.get(("a",)) == [{"id": i} for i in range(6)] and cache.get(("b",)) is None and len(cache) == 2
    cache.keep(("a",), [{"id": 0}])  # a window kept again replaces itself: room for 5 more
    cache.keep(("d",), [{"id": i} for i in range(5)])
    assert len(cache) == 3 and cache.get(("a",)) == [{"id": 0}]


def test_an_expired_window_is_not_given_and_makes_room(monkeypatch):
    monkeypatch.setattr(runner, "CACHE_RECORDS", 10)
    cache = runner.WindowCache()
    cache.keep(("a",), [{"id": i} for i in range(8)])
    monkeypatch.setattr(runner, "CACHE_SECONDS", 0.0)
    assert cache.get(("a",)) is None
    cache.keep(("b",), [{"id": i} for i in range(8)])  # full, but "a" has expired
    monkeypatch.setattr(runner, "CACHE_SECONDS", 600.0)
    assert cache.get(("b",)) is not None and cache.get(("a",)) is None
