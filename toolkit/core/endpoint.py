"""Endpoints declared as data, and the pagination strategies they use.

An exchange module describes each endpoint once (method, path, documented fields, limits,
where the records sit, how to page) and its public methods stay thin: they translate the
method's keyword arguments into the exchange's parameter names and call the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from toolkit.core.ratelimit import Limit

Record = Mapping[str, Any]
# Unwrapped response data -> the list of records in it.
Extract = Callable[[Any], Sequence[Record]]
# Parameters -> unwrapped response data for one request.
Fetch = Callable[[dict[str, Any]], Any]


class Paging(Protocol):
    """How one request's worth of records is walked page by page."""

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
    """History the exchange serves in windows no wider than ``max_span_ms``."""

    start_param: str
    end_param: str
    max_span_ms: int
    default_lookback_ms: int
    # Windows in flight at once; the rate limiter still paces the requests.
    concurrency: int = 1


def split_windows(start_ms: int, end_ms: int, max_span_ms: int) -> list[tuple[int, int]]:
    """``[start, end]`` cut into consecutive windows of at most ``max_span_ms``, oldest first."""
    windows = []
    lo = start_ms
    while lo < end_ms:
        hi = min(lo + max_span_ms, end_ms)
        windows.append((lo, hi))
        lo = hi
    return windows or [(start_ms, end_ms)]


def at_path(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if data is None:
            return None
        data = data[key]
    return data


@dataclass(frozen=True)
class Endpoint:
    """One exchange endpoint, described as data."""

    method: str
    path: str
    columns: Mapping[str, str]
    signed: bool = True
    limits: tuple[Limit, ...] = ()
    # Where the records sit inside the unwrapped data; a dict there is one record.
    records: tuple[str, ...] = ()
    paging: Paging | None = None
    window: Window | None = None
    # Field that identifies a record (de-duplication) and field that orders records in time.
    id_field: str | None = None
    time_field: str | None = None
    # A nested list to spread into one row per element, with the parent's scalars repeated.
    explode: str | None = None
    flatten: bool = False
    rename: Mapping[str, str] = field(default_factory=dict)
    # Moves money or changes state: needs confirm=True, and is never retried.
    changes_state: bool = False
    docs: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"
