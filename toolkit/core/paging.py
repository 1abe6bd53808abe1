"""How history is walked: time windows, pages within a window, and fan-out over a list of values.

An endpoint declares its strategy (``Endpoint.window``, ``.paging``, ``.fan_out``); the runner in
``toolkit.core.runner`` executes it. Paging works on wire parameters (the cursor names are the
exchange's own); windows and fan-out work on the method's arguments, which the endpoint's
``params`` then format (milliseconds, seconds, comma-joined lists).

Each paging style proves what it can from what the server says, and raises ``PagingError`` the
moment a page contradicts it: a page number the server did not serve, totals that change or
disagree, a page shorter than the totals promise, a cursor that does not move. The runner adds
what every style shares: no record twice within a window, and records inside the asked range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from toolkit.core.http import CONNECTIONS

# One record as the exchange sent it (a JSON object).
Record = Mapping[str, Any]

# Extra wire parameters -> the unwrapped data of one request.
Fetch = Callable[[dict[str, Any]], Any]
# Unwrapped data -> the records in it.
Extract = Callable[[Any], Sequence[Record]]

# Pages one window may take before the walk is called runaway (5 million records at 500 a page):
# a server that never runs out of pages is not served forever. (The history's time budget,
# ``toolkit.core.runner``, usually ends such a walk long before.)
MAX_PAGES = 10_000


class PagingError(ValueError):
    """The pages do not advance as the exchange documents (a repeat, a creep, no end); the runner
    turns it into ``MalformedResponse`` with the window and page."""


class Shifted(PagingError):
    """The records changed while the window was being paged (its totals moved): entries booked
    meanwhile. The runner walks the window again from its first page."""


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise PagingError(f"{what} is not an integer: {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise PagingError(f"{what} is not an integer: {value!r}") from None
    if number < 0:
        raise PagingError(f"{what} is negative: {value!r}")
    return number


# Told what a walk could not prove while nothing contradicts it (fewer records than declared).
Note = Callable[[str], None]


class Paging(Protocol):
    """How one window's records are read page by page; ``size`` records make a full page."""

    size: int

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]: ...


@dataclass(frozen=True)
class Cursor:
    """Cursor paging to older records: pass the smallest id seen as ``param`` (Bitget ``idLessThan``,
    KuCoin's HF ``lastId``)."""

    param: str
    id_field: str
    size: int
    size_param: str = "limit"

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        cursor: int | None = None
        for number in range(1, MAX_PAGES + 1):
            query = {**params, self.size_param: self.size}
            if cursor is not None:
                query[self.param] = cursor
            records = list(extract(fetch(query)))
            ids = [_integer(r.get(self.id_field), f"{self.id_field} of a record") for r in records]
            # Anything newer than the cursor means a repeated or creeping page: the exchange did
            # not honour it. The record at the cursor itself may come again: it is left out here.
            if cursor is not None and ids and (max(ids) > cursor or min(ids) >= cursor):
                raise PagingError(
                    f"page {number} is not older than {self.param}={cursor} (ids {min(ids)} to {max(ids)})"
                )
            full = len(records) >= self.size
            if cursor is not None and cursor in ids:
                records = [r for r, i in zip(records, ids, strict=True) if i != cursor]
            yield records
            if not full:
                return
            cursor = min(ids)
        raise PagingError(f"more than {MAX_PAGES} pages in one window")


@dataclass(frozen=True)
class PageNumber:
    """Numbered pages, 1-based, until ``total_field`` pages are read (KuCoin ``currentPage``).

    ``count_field`` (KuCoin ``totalNum``) is the number of records the server says the range
    holds: the pages must add up to it, each but the last full, and neither total may change.
    """

    page_param: str
    size_param: str
    size: int
    total_field: str
    count_field: str | None = None

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        declared: tuple[int, int | None] | None = None
        size = self.size
        for page in range(1, MAX_PAGES + 1):
            data = fetch({**params, self.page_param: page, self.size_param: self.size})
            if not isinstance(data, Mapping):
                raise PagingError(f"page {page} is not a paged answer")
            echoed = data.get(self.page_param)
            if echoed is not None and _integer(echoed, self.page_param) != page:
                raise PagingError(f"asked for page {page}, got page {echoed}")
            if data.get(self.total_field) is None:
                raise PagingError(f"page {page} has no {self.total_field}")
            totals = (
                _integer(data.get(self.total_field), self.total_field),
                _integer(data.get(self.count_field), self.count_field) if self.count_field else None,
            )
            if declared is None:
                declared = totals
                size = _integer(data.get(self.size_param) or self.size, self.size_param) or self.size
                self._agree(totals, size)
            elif totals != declared:
                raise Shifted(f"the totals changed from {self._said(declared)} to {self._said(totals)} while paging")
            pages, count = declared
            records = extract(data)
            if page < pages and len(records) != size:
                raise PagingError(
                    f"page {page} of {pages} holds {len(records)} records where a page holds {size} "
                    f"({self._said(declared)})"
                )
            if page == pages and count is not None and len(records) != count - (pages - 1) * size:
                # Nothing contradicts the totals so far, but the last page does not make them up.
                received = (pages - 1) * size + len(records)
                if received > count or note is None:
                    raise PagingError(f"{received} records arrived where {self.count_field}={count}")
                note(f"{received} of the {count} records that {self.count_field} declares arrived")
            yield records
            if page >= pages or (count is None and not records):
                return
        raise PagingError(f"more than {MAX_PAGES} pages in one window")

    def _agree(self, totals: tuple[int, int | None], size: int) -> None:
        pages, count = totals
        if count is not None and pages != -(-count // size):
            raise PagingError(f"{self._said(totals)} do not agree at {size} records a page")

    def _said(self, totals: tuple[int, int | None]) -> str:
        pages, count = totals
        said = f"{self.total_field}={pages}"
        return f"{said} and {self.count_field}={count}" if self.count_field else said


@dataclass(frozen=True)
class CountedPages:
    """Numbered pages, 1-based, until the records add up to ``count_field`` (Binance's ``current``
    and ``size`` with ``total``): the server says how many records the range holds, not how many
    pages, so ``PageNumber`` (which needs the page count) does not apply.

    Each page but the last must be full, the count must not change while paging, and the pages
    must add up to it: more records than declared is an error, fewer is noted (not complete).
    """

    page_param: str
    size_param: str
    size: int
    count_field: str

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        declared: int | None = None
        for page in range(1, MAX_PAGES + 1):
            data = fetch({**params, self.page_param: page, self.size_param: self.size})
            if not isinstance(data, Mapping):
                raise PagingError(f"page {page} is not a paged answer")
            if data.get(self.count_field) is None:
                raise PagingError(f"page {page} has no {self.count_field}")
            count = _integer(data.get(self.count_field), self.count_field)
            if declared is None:
                declared = count
            elif count != declared:
                raise Shifted(f"{self.count_field} changed from {declared} to {count} while paging")
            pages = max(1, -(-count // self.size))
            records = extract(data)
            if page < pages and len(records) != self.size:
                raise PagingError(
                    f"page {page} of {pages} holds {len(records)} records where a page holds {self.size} "
                    f"({self.count_field}={count})"
                )
            if page == pages:
                received = (page - 1) * self.size + len(records)
                if received > count or (received < count and note is None):
                    raise PagingError(f"{received} records arrived where {self.count_field}={count}")
                if received < count and note is not None:
                    note(f"{received} of the {count} records that {self.count_field} declares arrived")
            yield records
            if page >= pages:
                return
        raise PagingError(f"more than {MAX_PAGES} pages in one window")


@dataclass(frozen=True)
class Offset:
    """Pages by offset: ``offset`` = records already read, until a page is short (Binance's wallet).
    A server that ignores the offset sends the same page again: the runner's repeat check ends it."""

    param: str
    size_param: str
    size: int

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        offset = 0
        for _ in range(MAX_PAGES):
            records = extract(fetch({**params, self.param: offset, self.size_param: self.size}))
            yield records
            if len(records) < self.size:
                return
            offset += len(records)
        raise PagingError(f"more than {MAX_PAGES} pages in one window")


@dataclass(frozen=True)
class FromId:
    """Pages forward by id: ``param`` = the largest id seen + 1, oldest first (Binance ``fromId``)."""

    param: str
    id_field: str
    size: int
    size_param: str = "limit"

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        start = 0
        for number in range(1, MAX_PAGES + 1):
            records = extract(fetch({**params, self.param: start, self.size_param: self.size}))
            ids = [_integer(r.get(self.id_field), f"{self.id_field} of a record") for r in records]
            if ids and min(ids) < start:
                raise PagingError(f"page {number} is not newer than {self.param}={start} (ids from {min(ids)})")
            yield records
            if len(records) < self.size:
                return
            start = max(ids) + 1
        raise PagingError(f"more than {MAX_PAGES} pages")


@dataclass(frozen=True)
class NextCursor:
    """Pages by a cursor the answer carries (``field`` beside the records), passed back as ``param``
    until a page is short or the cursor comes back empty (Bitget's v3 ``cursor``)."""

    param: str
    field: str
    size: int
    size_param: str = "limit"

    def pages(
        self, fetch: Fetch, params: dict[str, Any], extract: Extract, note: Note | None = None
    ) -> Iterator[Sequence[Record]]:
        cursor: Any = None
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            query = {**params, self.size_param: self.size}
            if cursor is not None:
                query[self.param] = cursor
            data = fetch(query)
            records = extract(data)
            yield records
            following = data.get(self.field) if isinstance(data, Mapping) else None
            if len(records) < self.size or following in (None, ""):
                return
            if str(following) in seen:
                raise PagingError(f"page {number} hands back cursor {following!r} again")
            seen.add(str(following))
            cursor = following
        raise PagingError(f"more than {MAX_PAGES} pages in one window")


# ``Window.concurrency`` for "as many windows in flight as the rate limits allow", at most
# ``MAX_IN_FLIGHT``: the connections a client keeps (past them a thread waits for one anyway).
BY_LIMITS = 0
MAX_IN_FLIGHT = CONNECTIONS


@dataclass(frozen=True)
class Window:
    """History served in windows no wider than ``max_span_ms``; ``default_lookback_ms`` back from the
    end when no start is given.

    ``start`` and ``end`` name the method's arguments that carry each window's bounds (in epoch
    milliseconds; the endpoint's params format them). ``concurrency`` windows are in flight at
    once (a documented or chosen cap), or with ``BY_LIMITS`` as many as the endpoint's rate limits
    let start at once (``Endpoint.in_flight``); the rate limiter still paces the requests.

    ``halve_at``: for a capped answer without a documented cursor (CoinW's ``getUserTrades``, 100
    records, "before"/"after" of unstated direction), an answer that many records long may hide
    more, so its window is halved and each half asked until every answer is short.
    """

    max_span_ms: int
    default_lookback_ms: int
    start: str = "start_time"
    end: str = "end_time"
    concurrency: int = 1
    halve_at: int | None = None


@dataclass(frozen=True)
class FanOut:
    """One request per value (or per ``chunk`` values) of the list argument ``arg``.

    ``coverage`` is the key under which ``df.attrs["coverage"]`` lists the values read (and
    ``partial_<coverage>`` those whose walk could not be proved complete); where the records do not
    name the value they were asked for (CoinW's fills, their market), ``column`` is the field the
    runner writes it into. ``refused``: the exchange's error codes that refuse one value itself
    (Binance's -1121, no such market): that value is left out and listed under
    ``refused_<coverage>``, and the other values are still read.
    """

    arg: str
    chunk: int = 1
    coverage: str | None = None
    column: str | None = None
    refused: tuple[str, ...] = ()


def split_windows(start_ms: int, end_ms: int, max_span_ms: int) -> list[tuple[int, int]]:
    """``[start, end]`` cut into consecutive windows of at most ``max_span_ms``, oldest first."""
    windows = []
    lo = start_ms
    while lo < end_ms:
        hi = min(lo + max_span_ms, end_ms)
        windows.append((lo, hi))
        lo = hi
    return windows or [(start_ms, end_ms)]
