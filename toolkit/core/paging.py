"""How history is walked: time windows, pages within a window, and fan-out over a list of values.

An endpoint declares its strategy (``Endpoint.window``, ``.paging``, ``.fan_out``); the runner in
``toolkit.core.runner`` executes it. Paging works on wire parameters (the cursor names are the
exchange's own); windows and fan-out work on the method's arguments, which the endpoint's
``params`` then format (milliseconds, seconds, comma-joined lists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from toolkit.core.endpoint import Record

# Extra wire parameters -> the unwrapped data of one request.
Fetch = Callable[[dict[str, Any]], Any]
# Unwrapped data -> the records in it.
Extract = Callable[[Any], Sequence[Record]]


class Paging(Protocol):
    """How one window's records are read page by page."""

    def pages(self, fetch: Fetch, params: dict[str, Any], extract: Extract) -> Iterator[Sequence[Record]]: ...


@dataclass(frozen=True)
class Cursor:
    """Cursor paging to older records: pass the smallest id seen as ``param`` (Bitget ``idLessThan``)."""

    param: str
    id_field: str
    size: int
    size_param: str = "limit"

    def pages(self, fetch: Fetch, params: dict[str, Any], extract: Extract) -> Iterator[Sequence[Record]]:
        cursor: int | None = None
        while True:
            query = {**params, self.size_param: self.size}
            if cursor is not None:
                query[self.param] = cursor
            records = extract(fetch(query))
            yield records
            if len(records) < self.size:
                return
            smallest = min(int(r[self.id_field]) for r in records)
            if cursor is not None and smallest >= cursor:
                # The exchange ignored the cursor; stop rather than loop on the same page.
                return
            cursor = smallest


@dataclass(frozen=True)
class PageNumber:
    """Numbered pages, 1-based, until ``total_field`` pages are read (KuCoin ``currentPage``)."""

    page_param: str
    size_param: str
    size: int
    total_field: str

    def pages(self, fetch: Fetch, params: dict[str, Any], extract: Extract) -> Iterator[Sequence[Record]]:
        page = 1
        while True:
            data = fetch({**params, self.page_param: page, self.size_param: self.size})
            records = extract(data)
            yield records
            total = int((data or {}).get(self.total_field) or 0)
            if page >= total or not records:
                return
            page += 1


@dataclass(frozen=True)
class Window:
    """History served in windows no wider than ``max_span_ms``; ``default_lookback_ms`` back from the
    end when no start is given.

    ``start`` and ``end`` name the method's arguments that carry each window's bounds (in epoch
    milliseconds; the endpoint's params format them). ``concurrency`` windows are in flight at
    once; the rate limiter still paces the requests.
    """

    max_span_ms: int
    default_lookback_ms: int
    start: str = "start_time"
    end: str = "end_time"
    concurrency: int = 1


@dataclass(frozen=True)
class FanOut:
    """One request per value (or per ``chunk`` values) of the list argument ``arg``.

    ``coverage`` is the key under which ``df.attrs["coverage"]`` lists the values asked.
    """

    arg: str
    chunk: int = 1
    coverage: str | None = None


def split_windows(start_ms: int, end_ms: int, max_span_ms: int) -> list[tuple[int, int]]:
    """``[start, end]`` cut into consecutive windows of at most ``max_span_ms``, oldest first."""
    windows = []
    lo = start_ms
    while lo < end_ms:
        hi = min(lo + max_span_ms, end_ms)
        windows.append((lo, hi))
        lo = hi
    return windows or [(start_ms, end_ms)]
