"""What each history read covered, for whoever is listening: the runner reports every history it
finishes (its exchange, endpoint and ``coverage``), and a caller that wants to know what a whole
piece of work read (``toolkit.unified``: whether an exchange's ledger came complete) listens with
``listening()``. Listeners nest; each hears the reads made inside it, on its own thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from toolkit.errors import ToolkitError

T = TypeVar("T")

_listeners: ContextVar[tuple[list[dict[str, Any]], ...]] = ContextVar("toolkit_covered", default=())
# Whether a source that fails is reported and left out (True) or raised (False): see ``attempt``.
_collecting: ContextVar[bool] = ContextVar("toolkit_collecting", default=False)


@contextmanager
def listening(*, collect: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Collect, in the list it yields, a report of every history read inside the ``with`` block;
    ``collect``: a source that fails inside it (``attempt``) is reported and left out, not raised."""
    heard: list[dict[str, Any]] = []
    token = _listeners.set((*_listeners.get(), heard))
    mode = _collecting.set(collect)
    try:
        yield heard
    finally:
        _collecting.reset(mode)
        _listeners.reset(token)


def attempt(
    exchange: str, endpoint: str, accounts: tuple[str, ...], read: Callable[[], T], empty: Callable[[], T]
) -> T:
    """``read()`` one of several sources of an answer (Binance's ledger reads seven): when it fails
    and the listener collects, the failure is reported (with the accounts it would have moved) and
    ``empty()`` stands in, so the other sources still count; otherwise the error is raised."""
    try:
        return read()
    except ToolkitError as err:
        if not _collecting.get():
            raise
        report(exchange, endpoint, {"complete": False, "account_types": list(accounts),
                                    "error": f"{type(err).__name__}: {err}"})  # fmt: skip
        return empty()


def report(exchange: str, endpoint: str, coverage: Mapping[str, Any]) -> None:
    """Tell every listener of this thread that a read of ``endpoint`` covered ``coverage``."""
    for heard in _listeners.get():
        heard.append({"exchange": exchange, "endpoint": endpoint, **coverage})


def complete(reports: list[dict[str, Any]]) -> bool:
    """Whether every read reported proves its range complete (a read that cannot say, None, counts
    as complete: a single answer with nothing to page)."""
    return all(r.get("complete") is not False for r in reports)


def unreachable(exchange: str, endpoint: Any, start: Any, reach: Any) -> dict[str, Any]:
    """Report (and return) that ``endpoint`` (an ``Endpoint``) was not read from ``start`` to
    ``reach``: the exchange serves it from ``reach`` only. What is read from there is reported by
    the read itself."""
    gap = {
        "start": start,
        "end": reach,
        "complete": False,
        "unreachable": True,
        "account_types": list(endpoint.accounts),
        "reason": f"{exchange} serves {endpoint.name} from {reach} only",
    }
    report(exchange, endpoint.name, gap)
    return gap
