"""The history runner: every window, every page and every fan-out value of one endpoint, as one frame.

What an endpoint declares (``Endpoint.window``, ``.paging``, ``.fan_out``, ``.id_field``,
``.time_field``) decides how it is walked; the runner owns what they share: default ranges, the
split into windows, windows in flight at once, a progress bar, de-duplication, time order, a
local time filter where the exchange takes no time range, and ``df.attrs["coverage"]``.

It proves each window complete from what the server says, or raises: the paging style checks
its own rules (``toolkit.core.paging``), and the runner adds that no record comes twice within a
window and that records lie inside the range asked (records outside are dropped and counted in
``coverage["out_of_range"]``; a full page with none inside means the server ignores the range).
A window whose totals move while it is paged (entries booked meanwhile) is walked again. The
whole history keeps to a time budget (the client's ``budget`` for each round of windows in
flight), so a server that never stops sending pages ends in an error, not in hours. A failure
part-way raises with what was covered: a silently partial history is worse than none.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import msgspec
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from toolkit.core import covered, frames
from toolkit.core.endpoint import Endpoint
from toolkit.core.paging import PagingError, Record, Shifted, split_windows
from toolkit.core.redact import get_logger
from toolkit.core.timeutil import ms_to_timestamp, now_ms, to_ms
from toolkit.errors import ConfigurationError, ExchangeError, MalformedResponse, RequestTimeout, ToolkitError


class Client(Protocol):
    """What the runner needs of a client (``toolkit.core.client.Client`` is one): it is handed
    the client, and never imports it, so the client can import the runner."""

    @property
    def exchange(self) -> str: ...

    budget: float
    progress: bool
    on_wait: Callable[[str], None] | None
    history_cache: WindowCache

    def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any] | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        exact: bool = False,
        deadline: float | None = None,
    ) -> Any: ...

    def records(self, endpoint: Endpoint, data: Any) -> list[Record]: ...

    def to_frame(self, endpoint: Endpoint, records: Sequence[Record], *, exact: bool = False) -> pd.DataFrame: ...

    def reading(self, endpoint: Endpoint, what: Any = None) -> AbstractContextManager[None]: ...


log = get_logger(__name__)

BATCH = frames.BATCH  # records typed into a frame at a time, per window in flight
Piece: TypeAlias = pd.DataFrame | list[Record]
# Times a window whose totals moved while it was paged is walked again before the history fails.
REWALKS = 2
# Records this close outside a window are the server rounding its bounds (to seconds, say): kept,
# as the neighbouring window has them too and de-duplication keeps one.
ROUNDING_MS = 1_000
# Windows that ended this long ago are history that no longer changes: their records are kept for
# ``CACHE_SECONDS`` and not fetched again (an exchange that allows ten windows a minute, asked by
# the ledger, the fees and the dashboard in turn). Only small windows, and at most
# ``CACHE_RECORDS`` records a client: decoded records take about seven times their typed frame, so
# a long history's windows are not held again beside it (bench/RESULTS.md, the memory section).
SETTLED_MS = 60_000
CACHE_SECONDS = 600.0
CACHE_RECORDS = 5_000


class WindowCache:
    """A client's settled windows' records, each kept ``CACHE_SECONDS``, at most ``CACHE_RECORDS``
    records in all (a window that comes when it is full is not kept)."""

    def __init__(self) -> None:
        self._kept: dict[tuple[Any, ...], tuple[float, list[Record]]] = {}
        self._records = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> list[Record] | None:
        with self._lock:
            found = self._kept.get(key)
            return list(found[1]) if found is not None and time.monotonic() - found[0] < CACHE_SECONDS else None

    def keep(self, key: tuple[Any, ...], records: list[Record]) -> None:
        now = time.monotonic()
        with self._lock:
            self._drop(key)
            if self._records + len(records) > CACHE_RECORDS:  # full: make room of what has expired
                for old in [k for k, (when, _) in self._kept.items() if now - when >= CACHE_SECONDS]:
                    self._drop(old)
            if self._records + len(records) <= CACHE_RECORDS:
                self._kept[key] = (now, list(records))
                self._records += len(records)

    def _drop(self, key: tuple[Any, ...]) -> None:
        gone = self._kept.pop(key, None)
        if gone is not None:
            self._records -= len(gone[1])

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._records = 0

    def __len__(self) -> int:
        return len(self._kept)


@dataclass(frozen=True)
class Unit:
    """One piece of work: a fan-out value and a window (either may be None)."""

    value: Any
    span: tuple[int, int] | None


def run_history(
    client: Client, endpoint: Endpoint, args: dict[str, Any], *, exact: bool = False, limit: int | None = None
) -> pd.DataFrame:
    """Fetch ``endpoint`` over every unit of work its declaration implies; see the module docstring.

    ``args`` are the method's arguments: ``start_time``/``end_time`` (or the window's own names)
    bound the range, the fan-out argument holds the list to fan out over, the rest go to every
    request. ``limit`` keeps the most recent ``limit`` records.
    """
    return History(client, endpoint, args, exact=exact, limit=limit).run()


class History:
    """One run of ``run_history``: its range, its units of work, and what they covered."""

    def __init__(
        self, client: Client, endpoint: Endpoint, args: dict[str, Any], *, exact: bool, limit: int | None
    ) -> None:
        self.client, self.endpoint, self.exact, self.limit = client, endpoint, exact, limit
        window = endpoint.window
        self.start_name, self.end_name = (window.start, window.end) if window else ("start_time", "end_time")
        given = {name: args.pop(name, None) for name in (self.start_name, self.end_name)}
        # The range as given, for an endpoint without windows that takes one itself.
        self.given = {k: v for k, v in given.items() if v is not None and k in endpoint.params}
        self.start_ms, self.end_ms = self._range(given[self.start_name], given[self.end_name])
        self.bounds: list[tuple[int, int] | None] = [None]
        if window is not None and self.start_ms is not None and self.end_ms is not None:
            self.bounds = list(split_windows(self.start_ms, self.end_ms, window.max_span_ms))
        self.values = self._fan_out_values(args)
        self.args = args
        self.units = [Unit(value, span) for value in self.values for span in self.bounds]
        self.concurrency = endpoint.in_flight(len(self.units))
        # Every round of windows in flight gets what one call may take.
        rounds = max(1, math.ceil(len(self.units) / self.concurrency))
        self.budget = client.budget * rounds
        self.deadline = time.monotonic() + self.budget
        self.pages = 0
        self.out_of_range = 0
        self.untimed = 0
        # What the server declared but did not send (a last page short of its totals).
        self.shortfalls: list[str] = []
        # Fan-out values whose walk fell short, and those the exchange refused (``FanOut.refused``).
        self.partial: list[Any] = []
        self.refused: list[Any] = []
        self._lock = threading.Lock()

    def _range(self, start: Any, end: Any) -> tuple[int | None, int | None]:
        start_ms = to_ms(start, self.start_name) if start is not None else None
        end_ms = to_ms(end, self.end_name) if end is not None else None
        window = self.endpoint.window
        if window is not None:
            end_ms = end_ms if end_ms is not None else now_ms()
            start_ms = start_ms if start_ms is not None else end_ms - window.default_lookback_ms
        elif start_ms is not None and end_ms is None and start_ms > now_ms():
            end_ms = now_ms()  # said below as every exchange says it: nothing can be after now
        if start_ms is not None and end_ms is not None and start_ms > end_ms:
            later = f"{self.end_name} ({ms_to_timestamp(end_ms)})" if end is not None else "now"
            later = f"{later} ({ms_to_timestamp(end_ms)})" if end is None else later
            raise ConfigurationError(f"{self.start_name} ({ms_to_timestamp(start_ms)}) is after {later}.")
        return start_ms, end_ms

    def _fan_out_values(self, args: dict[str, Any]) -> list[Any]:
        fan = self.endpoint.fan_out
        if fan is None:
            return [None]
        given = args.pop(fan.arg, None)
        listed = [] if given is None else [given] if isinstance(given, str) else list(given)
        chunks = [listed[i : i + fan.chunk] for i in range(0, len(listed), fan.chunk)]
        return [chunk[0] if fan.chunk == 1 else chunk for chunk in chunks]

    # ----------------------------------------------------------------- running

    def run(self) -> pd.DataFrame:
        noun = "window" if self.endpoint.window is not None else "request"
        collected = Collected(self.client, self.endpoint, self.exact)
        done = 0
        bar = _progress(self.client, len(self.units), noun)
        waiting = self.client.on_wait
        if not bar.disable:
            self.client.on_wait = lambda text: bar.set_postfix_str(text, refresh=True)
        try:
            if self.concurrency > 1 and len(self.units) > 1:
                with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                    for pieces in in_order(pool, self.fetch_value, self.units, self.concurrency):
                        collected.keep(pieces)
                        done += 1
                        bar.update()
            else:
                for unit in self.units:
                    collected.keep(self.fetch_value(unit))
                    done += 1
                    bar.update()
        except ToolkitError as err:
            err.add_note(
                f"{self.client.exchange} history stopped after {done} of {len(self.units)} {noun}s; "
                "nothing was returned."
            )
            raise
        finally:
            self.client.on_wait = waiting
            bar.close()
        return self.frame(collected.frames())

    def fetch_value(self, unit: Unit) -> list[Piece]:
        """``fetch_unit``; a fan-out value the exchange refuses as such (an error code in
        ``FanOut.refused``) is noted and gives no records, so the other values are still read."""
        fan = self.endpoint.fan_out
        try:
            return self.fetch_unit(unit)
        except ExchangeError as err:
            if fan is None or err.code not in fan.refused:
                raise
            log.info("%s %s: %r refused (%s); the other values are read", self.client.exchange, self.endpoint.name,
                     unit.value, err)  # fmt: skip
            with self._lock:
                if unit.value not in self.refused:
                    self.refused.append(unit.value)
            return []

    def fetch_unit(self, unit: Unit) -> list[Piece]:
        """The unit's records (walked again if its totals moved while it was paged)."""
        key = self._cache_key(unit)
        cached = self.client.history_cache.get(key) if key is not None else None
        if cached is not None:
            return [cached]
        for attempt in range(REWALKS + 1):
            try:
                pieces = self._walk(unit)
            except Shifted as exc:
                if attempt == REWALKS:
                    raise self._malformed(exc, unit) from None
                log.info("%s %s: %s; walking the window again", self.client.exchange, self.endpoint.name, exc)
                continue
            except PagingError as exc:
                raise self._malformed(exc, unit) from None
            if key is not None and len(pieces) == 1 and isinstance(pieces[0], list):
                self.client.history_cache.keep(key, pieces[0])
            return pieces
        raise AssertionError("unreachable")

    def _cache_key(self, unit: Unit) -> tuple[Any, ...] | None:
        # Account history only: market data has its caller's own cache, which keeps only what passed
        # its checks (toolkit.valuation).
        settled = unit.span is not None and unit.span[1] <= now_ms() - SETTLED_MS
        if not settled or not self.endpoint.signed or self.limit is not None:
            return None
        return (*self._asked, repr(unit))

    @functools.cached_property
    def _asked(self) -> tuple[Any, ...]:
        """What the units of this run share in their cache keys (an endpoint's repr is long to make)."""
        return (self.endpoint.name, repr(self.endpoint), repr(sorted(self.args.items())), self.exact)

    def _walk(self, unit: Unit) -> list[Piece]:
        """The unit's records: typed frames of every ``BATCH`` as they arrive, then the rest as
        records (small windows are typed together, as a frame costs about a millisecond)."""
        endpoint, client = self.endpoint, self.client
        fan = endpoint.fan_out
        unit_args = dict(self.args)
        if fan is not None:
            unit_args[fan.arg] = unit.value
        if unit.span is not None:
            unit_args[self.start_name], unit_args[self.end_name] = unit.span
        else:  # an endpoint that takes a range but is asked in one request (Binance's dust log)
            unit_args.update(self.given)

        def fetch(extra: dict[str, Any]) -> Any:
            if time.monotonic() > self.deadline:
                raise self._over_budget(unit)
            return client.call(endpoint, unit_args, extra=extra, exact=self.exact, deadline=self.deadline)

        def extract(data: Any) -> Sequence[Record]:
            records = client.records(endpoint, data)
            if fan is not None and fan.column:  # the records do not name what they were asked for
                return [{**record, fan.column: unit.value} for record in records]
            return records

        if endpoint.paging is None:
            answer = self._inside(unit, extract(fetch({})), full=False)
            self._count_page()
            cap = endpoint.window.halve_at if endpoint.window is not None else None
            if cap is not None and unit.span is not None and len(answer) >= cap:
                return self._halves(unit, len(answer))
            return [list(answer)]
        typed: list[Piece] = []
        collected: list[Record] = []
        count = 0
        seen: set[Any] = set()

        def note(text: str) -> None:
            with self._lock:
                self.shortfalls.append(f"{text}{self._where(unit)}")
                if fan is not None and unit.value not in self.partial:
                    self.partial.append(unit.value)

        for number, page in enumerate(endpoint.paging.pages(fetch, {}, extract, note), start=1):
            self._unrepeated(page, seen, number)
            page = self._inside(unit, page, full=len(page) >= endpoint.paging.size)
            collected.extend(page)
            count += len(page)
            self._count_page()
            if len(collected) >= BATCH:
                typed.append(client.to_frame(endpoint, collected, exact=self.exact))
                collected = []
            if self.limit is not None and count >= self.limit:
                break
        return [*typed, collected]

    def _halves(self, unit: Unit, count: int) -> list[Piece]:
        """A capped answer without a cursor: the window asked again in halves (``Window.halve_at``)."""
        assert unit.span is not None
        lo, hi = unit.span
        if hi - lo < 2:
            raise MalformedResponse(self.client.exchange, self.endpoint.name, message=(
                f"{count} records at {ms_to_timestamp(lo)}, as many as one answer holds: the rest cannot be asked for"
            ))  # fmt: skip
        middle = (lo + hi) // 2
        return self._walk(Unit(unit.value, (lo, middle))) + self._walk(Unit(unit.value, (middle, hi)))

    def _count_page(self) -> None:
        with self._lock:
            self.pages += 1

    def _unrepeated(self, page: Sequence[Record], seen: set[Any], number: int) -> None:
        """No record twice within one window: a page that repeats or creeps, or an ignored offset."""
        id_field = self.endpoint.id_field
        for record in page:
            if id_field:
                value = record.get(id_field)
                if value is None:
                    continue  # a record without its id: typing names it
                key: Any = str(value)
                shown = f"{id_field} {key}"
            else:
                key, shown = msgspec.json.encode(record), "a record"
            if key in seen:
                raise PagingError(f"page {number} repeats {shown} of an earlier page")
            seen.add(key)

    def _inside(self, unit: Unit, records: Sequence[Record], *, full: bool) -> Sequence[Record]:
        """``records`` inside the unit's window (give or take the server's rounding); the others are
        dropped and counted. A full page with none inside: the server ignores the range."""
        field = self.endpoint.time_field
        if unit.span is None or field is None or not records:
            return records
        kind = self.endpoint.columns.get(field, frames.TIME)
        times = frames.epoch_ms([r.get(field) for r in records], kind)
        lo, hi = unit.span
        # A value that is no time at all stays: typing names it.
        outside = frames.is_time(times) & ((times < lo - ROUNDING_MS) | (times > hi + ROUNDING_MS))
        dropped = int(outside.sum())
        if not dropped:
            return records
        if full and dropped == len(records):
            raise PagingError(
                f"a full page holds only records from outside the asked range (from {ms_to_timestamp(lo)} "
                f"to {ms_to_timestamp(hi)}): the server ignores the range"
            )
        with self._lock:
            self.out_of_range += dropped
        return [record for record, out in zip(records, outside.tolist(), strict=True) if not out]

    def _malformed(self, exc: PagingError, unit: Unit) -> MalformedResponse:
        return MalformedResponse(self.client.exchange, self.endpoint.name, message=f"{exc}{self._where(unit)}")

    def _over_budget(self, unit: Unit) -> RequestTimeout:
        return RequestTimeout(
            self.client.exchange,
            self.endpoint.name,
            f"the history was not complete within its budget of {self.budget:.3g} s ({self.pages} pages so far"
            f"{self._where(unit)}; a server that never stops sending pages ends here too): pass a larger budget= "
            "to tk.connect for a history this long",
        )

    @staticmethod
    def _where(unit: Unit) -> str:
        span = unit.span
        return f" in the window {ms_to_timestamp(span[0])} to {ms_to_timestamp(span[1])}" if span else ""

    # ----------------------------------------------------------------- the frame

    def frame(self, pieces: list[pd.DataFrame]) -> pd.DataFrame:
        client, endpoint = self.client, self.endpoint
        filled = [piece for piece in pieces if len(piece)]
        frame = pd.concat(filled, ignore_index=True) if filled else client.to_frame(endpoint, [], exact=self.exact)
        pieces.clear()
        del filled
        frames.give_back_memory()  # the pieces' buffers, now copied into the frame (frames.give_back_memory says why)
        with client.reading(endpoint):
            # Where the exchange takes no time range, the range is kept here.
            between = (self.start_ms, self.end_ms) if endpoint.window is None and endpoint.time_field else None
            frame = dedupe_and_sort(endpoint, frame, between=between)
        truncated = self.limit is not None and len(frame) > self.limit
        if truncated:
            frame = frame.iloc[-self.limit :] if self.limit else frame.iloc[:0]
        frame = frame.reset_index(drop=True)
        if endpoint.time_optional and endpoint.time_field:
            self.untimed = int(frame[frames.snake_case(endpoint.time_field)].isna().sum())
        coverage = self.coverage(truncated)
        frame.attrs.update({"exchange": client.exchange, "endpoint": endpoint.name, "coverage": coverage})
        covered.report(client.exchange, endpoint.name, coverage)
        for shortfall in self.shortfalls:
            log.warning("%s %s: %s; the frame's coverage says it is not complete", client.exchange, endpoint.name,
                        shortfall)  # fmt: skip
        if self.out_of_range:
            log.warning(
                "%s %s sent %d records outside the range asked; they were left out",
                client.exchange, endpoint.name, self.out_of_range,
            )  # fmt: skip
        return frame

    def coverage(self, truncated: bool) -> dict[str, Any]:
        endpoint = self.endpoint
        coverage: dict[str, Any] = {}
        fan = endpoint.fan_out
        if fan is not None and fan.coverage:
            refused = _flat(self.refused)
            coverage[fan.coverage] = [v for v in _flat(self.values) if v not in refused]
            for key, values in ((f"partial_{fan.coverage}", self.partial), (f"refused_{fan.coverage}", refused)):
                if values:
                    coverage[key] = _flat(values)
        coverage["start"] = ms_to_timestamp(self.start_ms) if self.start_ms is not None else None
        coverage["end"] = ms_to_timestamp(self.end_ms) if self.end_ms is not None else None
        if endpoint.window is not None:
            coverage["windows"] = len(self.bounds)
        coverage["pages"] = self.pages
        if endpoint.accounts:
            coverage["account_types"] = list(endpoint.accounts)
        if endpoint.reach_ms is not None:
            coverage["reach_start"] = ms_to_timestamp(now_ms() - endpoint.reach_ms)
        if self.out_of_range:
            coverage["out_of_range"] = self.out_of_range
        if endpoint.time_optional and self.untimed:
            coverage["without_time"] = self.untimed
        if self.shortfalls:
            coverage["shortfall"] = list(self.shortfalls)
        # Without paging or windows the exchange says nothing of whether it capped what it sent.
        unknown = endpoint.paging is None and endpoint.window is None
        coverage["complete"] = None if unknown else not truncated and not self.shortfalls
        return coverage


def _flat(values: list[Any]) -> list[Any]:
    """Fan-out values, each chunk (a list of values) opened."""
    return [v for c in values for v in (c if isinstance(c, list) else [c])]


class Collected:
    """The units' pieces in the order they came (the first of two copies of a record is kept):
    typed frames as they are, and records of small units typed a ``BATCH`` at a time."""

    def __init__(self, client: Client, endpoint: Endpoint, exact: bool) -> None:
        self.client, self.endpoint, self.exact = client, endpoint, exact
        self.pieces: list[pd.DataFrame] = []
        self.waiting: list[Record] = []

    def keep(self, chunk: list[Piece]) -> None:
        for piece in chunk:
            if isinstance(piece, pd.DataFrame):
                self._flush()
                self.pieces.append(piece)
            else:
                self.waiting.extend(piece)
        if len(self.waiting) >= BATCH:
            self._flush()

    def frames(self) -> list[pd.DataFrame]:
        self._flush()
        return self.pieces

    def _flush(self) -> None:
        if self.waiting:
            self.pieces.append(self.client.to_frame(self.endpoint, self.waiting, exact=self.exact))
            self.waiting = []


def in_order(pool: ThreadPoolExecutor, work: Callable[[Unit], list[Piece]], units: list[Unit],
             ahead: int) -> Iterator[list[Piece]]:  # fmt: skip
    """``work`` of each unit in ``pool``, in the units' order, with at most ``ahead`` units started and
    not yet handed on. ``pool.map`` would start them all: the finished ones, waiting behind a slow
    one while the main thread types what came, held a history's decoded records several times over
    (a many-window history peaked at 6-7x its frame with it, 3.5x without)."""
    pending: deque[Future[list[Piece]]] = deque()
    queued = iter(units)
    try:
        for unit in itertools.islice(queued, ahead):
            pending.append(pool.submit(work, unit))
        while pending:
            done = pending.popleft().result()
            following = next(queued, None)
            if following is not None:
                pending.append(pool.submit(work, following))
            yield done
    finally:
        for future in pending:  # an error: what has not started does not start
            future.cancel()


def dedupe_and_sort(
    endpoint: Endpoint, frame: pd.DataFrame, *, between: tuple[int | None, int | None] | None = None
) -> pd.DataFrame:
    """Each record once (by its id, or the whole row where records have no id), in time order;
    with ``between`` (start, end ms), only the records of that range.

    The rows kept and their order are worked out first, then taken a column at a time, each column
    taken out of ``frame`` as it is copied (``frame`` is given away; unchanged when nothing is
    dropped or moved): a long history is held about once and a column at the peak, not twice.
    That is the history target (peak <= 2x the frame): plain pandas (``drop_duplicates`` then
    ``sort_values``) peaked at 2.68 3.08 2.79 2.71 3.30x the frame of a year of windows where this
    peaks at 1.68-2.16x, and at 3.07-3.20x where this does 1.96-1.99x on one window of 1 M rows;
    pandas' own ``duplicated`` and ``take`` instead of ``_repeated``/``_take``, still a column at a
    time, 2.55-2.70x and 2.44-2.56x (how measured: ``frames.give_back_memory``). The plain
    pandas version is the test oracle (tests/core/test_frames_oracle.py).
    """
    times = frame[frames.snake_case(endpoint.time_field)] if endpoint.time_field else None
    inside = np.ones(len(frame), dtype=bool)
    if times is not None and between is not None:
        start_ms, end_ms = between
        if start_ms is not None:
            inside &= (times >= ms_to_timestamp(start_ms)).to_numpy()
        if end_ms is not None:
            inside &= (times <= ms_to_timestamp(end_ms)).to_numpy()
    kept = np.flatnonzero(inside)

    def within(part: Any) -> Any:  # duplicates are looked for within the range
        return part if len(kept) == len(frame) else part.iloc[kept]

    if endpoint.id_field:
        repeated = _repeated(within(frame[frames.snake_case(endpoint.id_field)]))
    elif frame.dtypes.map(pd.api.types.is_object_dtype).any():  # lists or objects: compare the rows' text
        repeated = within(frame).astype("str").duplicated(keep="first").to_numpy()
    else:
        repeated = within(frame).duplicated(keep="first").to_numpy()
    kept = kept[~repeated]
    if times is not None:
        # As datetime64 values (missing times last): to_numpy() alone would make a Timestamp of each.
        values = times.iloc[kept]
        values = values.to_numpy(dtype="datetime64[ns]") if isinstance(values.dtype, pd.DatetimeTZDtype) else values
        kept = kept[np.argsort(values, kind="stable")]
    if len(kept) == len(frame) and (np.diff(kept) > 0).all():
        return frame
    if not frame.columns.is_unique:
        return frame.take(kept)
    taken = {name: _take(frame.pop(name), kept) for name in list(frame.columns)}
    return pd.DataFrame(taken, index=pd.RangeIndex(len(kept)), copy=False)


def _repeated(column: pd.Series) -> np.ndarray:
    """Whether each value was seen in an earlier row. Text is compared in Arrow, sorted: pandas
    would make a Python string of every id first, and hashing takes twice a sort's memory."""
    if not frames.is_arrow_text(column) or len(column) < 2:
        return column.duplicated(keep="first").to_numpy()
    values = frames.arrow_array(column)
    order = pc.sort_indices(values)  # a stable sort: of equal values, the earliest row first
    in_order = pc.take(values, order, memory_pool=frames.SYSTEM_POOL)
    del values
    same = pc.fill_null(pc.equal(in_order.slice(1), in_order.slice(0, len(in_order) - 1)), False)
    del in_order
    repeated = np.zeros(len(column), dtype=bool)
    repeated[order.to_numpy()[1:][same.to_numpy(zero_copy_only=False)]] = True
    return repeated


def _take(column: pd.Series, rows: np.ndarray) -> pd.Series:
    """``column`` at ``rows``; text through Arrow, whose take of a many-chunked column would first
    copy it into one (a long history's pages are one chunk each)."""
    if not frames.is_arrow_text(column):
        taken = column.take(rows).reset_index(drop=True)
        del column
        frames.give_back_memory()
        return taken
    values = frames.arrow_array(column)
    del column  # given away: with it goes the last reference to the chunks, once combined
    frames.give_back_memory()
    return frames.text_series(pc.take(values, rows, memory_pool=frames.SYSTEM_POOL))


def _progress(client: Client, total: int, noun: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total, desc=f"{client.exchange} history", unit=noun, disable=not client.progress or total < 2, leave=False
    )
