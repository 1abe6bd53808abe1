"""The history runner: every window, every page and every fan-out value of one endpoint, as one frame.

What an endpoint declares (``Endpoint.window``, ``.paging``, ``.fan_out``, ``.id_field``,
``.time_field``) decides how it is walked; the runner owns what they share: default ranges, the
split into windows, windows in flight at once, a progress bar, de-duplication, time order, a
local time filter where the exchange takes no time range, and ``df.attrs["coverage"]``. A failure
part-way raises with what was covered: a silently partial history is worse than none.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from toolkit.core import frames
from toolkit.core.endpoint import Endpoint, Record
from toolkit.core.paging import PagingError, split_windows
from toolkit.core.timeutil import ms_to_timestamp, now_ms, to_ms
from toolkit.errors import ConfigurationError, MalformedResponse, ToolkitError

if TYPE_CHECKING:
    from toolkit.core.client import Client

BATCH = frames.BATCH  # records typed into a frame at a time, per window in flight
Piece: TypeAlias = pd.DataFrame | list[Record]


def run_history(
    client: Client, endpoint: Endpoint, args: dict[str, Any], *, exact: bool = False, limit: int | None = None
) -> pd.DataFrame:
    """Fetch ``endpoint`` over every unit of work its declaration implies; see the module docstring.

    ``args`` are the method's arguments: ``start_time``/``end_time`` (or the window's own names)
    bound the range, the fan-out argument holds the list to fan out over, the rest go to every
    request. ``limit`` keeps the most recent ``limit`` records.
    """
    window = endpoint.window
    start_name, end_name = (window.start, window.end) if window else ("start_time", "end_time")
    start = args.pop(start_name, None)
    end = args.pop(end_name, None)
    start_ms = to_ms(start, start_name) if start is not None else None
    end_ms = to_ms(end, end_name) if end is not None else None
    if window is not None:
        end_ms = end_ms if end_ms is not None else now_ms()
        start_ms = start_ms if start_ms is not None else end_ms - window.default_lookback_ms
    if start_ms is not None and end_ms is not None and start_ms > end_ms:
        later = f"{end_name} ({ms_to_timestamp(end_ms)})" if end is not None else f"now ({ms_to_timestamp(end_ms)})"
        raise ConfigurationError(f"{start_name} ({ms_to_timestamp(start_ms)}) is after {later}.")

    bounds: list[tuple[int, int] | None] = [None]
    if window is not None and start_ms is not None and end_ms is not None:
        bounds = list(split_windows(start_ms, end_ms, window.max_span_ms))
    fan = endpoint.fan_out
    values: list[Any] = [None]
    if fan is not None:
        given = args.pop(fan.arg, None)
        listed = [] if given is None else [given] if isinstance(given, str) else list(given)
        values = [listed[i : i + fan.chunk] for i in range(0, len(listed), fan.chunk)]
        values = [v[0] if fan.chunk == 1 else v for v in values]
    units = [(value, span) for value in values for span in bounds]
    pages = 0

    def fetch_unit(unit: tuple[Any, tuple[int, int] | None]) -> list[Piece]:
        """The unit's records: typed frames of every ``BATCH`` as they arrive, then the rest as
        records (small windows are typed together, as a frame costs about a millisecond)."""
        nonlocal pages
        value, span = unit
        unit_args = dict(args)
        if fan is not None:
            unit_args[fan.arg] = value
        if span is not None:
            unit_args[start_name], unit_args[end_name] = span

        def fetch(extra: dict[str, Any]) -> Any:
            return client.call(endpoint, unit_args, extra=extra, exact=exact)

        def extract(data: Any) -> Sequence[Record]:
            records = client.records(endpoint, data)
            if fan is not None and fan.column:  # the records do not name what they were asked for
                return [{**record, fan.column: value} for record in records]
            return records

        if endpoint.paging is None:
            answer = extract(fetch({}))
            pages += 1
            cap = window.halve_at if window is not None else None
            if cap is not None and span is not None and len(answer) >= cap:
                lo, hi = span
                if hi - lo < 2:
                    raise MalformedResponse(client.exchange, endpoint.name, message=(
                        f"{len(answer)} records at {ms_to_timestamp(lo)}, as many as one answer holds: "
                        "the rest cannot be asked for"))  # fmt: skip
                middle = (lo + hi) // 2
                return fetch_unit((value, (lo, middle))) + fetch_unit((value, (middle, hi)))
            return [list(answer)]
        typed: list[Piece] = []
        collected: list[Record] = []
        count = 0
        try:
            for page in endpoint.paging.pages(fetch, {}, extract):
                collected.extend(page)
                count += len(page)
                pages += 1
                if len(collected) >= BATCH:
                    typed.append(client.to_frame(endpoint, collected, exact=exact))
                    collected = []
                if limit is not None and count >= limit:
                    break
        except PagingError as exc:
            where = f" in the window {ms_to_timestamp(span[0])} to {ms_to_timestamp(span[1])}" if span else ""
            raise MalformedResponse(client.exchange, endpoint.name, message=f"{exc}{where}") from None
        return [*typed, collected]

    noun = "window" if window is not None else "request"
    pieces: list[pd.DataFrame] = []
    waiting: list[Record] = []  # records of small units, typed a BATCH at a time

    def flush() -> None:
        nonlocal waiting
        if waiting:
            pieces.append(client.to_frame(endpoint, waiting, exact=exact))
            waiting = []

    def keep(chunk: list[Piece]) -> None:
        """Add a unit's pieces in the order they came (the first of two copies of a record is kept)."""
        for piece in chunk:
            if isinstance(piece, pd.DataFrame):
                flush()
                pieces.append(piece)
            else:
                waiting.extend(piece)
        if len(waiting) >= BATCH:
            flush()

    done = 0
    concurrency = window.concurrency if window is not None else 1
    bar = _progress(client, len(units), noun)
    try:
        if concurrency > 1 and len(units) > 1:
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                for chunk in pool.map(fetch_unit, units):
                    keep(chunk)
                    done += 1
                    bar.update()
        else:
            for unit in units:
                keep(fetch_unit(unit))
                done += 1
                bar.update()
    except ToolkitError as err:
        err.add_note(f"{client.exchange} history stopped after {done} of {len(units)} {noun}s; nothing was returned.")
        raise
    finally:
        bar.close()

    flush()
    filled = [piece for piece in pieces if len(piece)]
    frame = pd.concat(filled, ignore_index=True) if filled else client.to_frame(endpoint, [], exact=exact)
    pieces.clear()
    del filled
    frames.give_back_memory()  # the pieces' buffers, now copied into the frame
    with client.reading(endpoint):
        # Where the exchange takes no time range, the range is kept here.
        between = (start_ms, end_ms) if window is None and endpoint.time_field else None
        frame = dedupe_and_sort(endpoint, frame, between=between)
    truncated = limit is not None and len(frame) > limit
    if truncated:
        frame = frame.iloc[-limit:] if limit else frame.iloc[:0]
    frame = frame.reset_index(drop=True)
    coverage: dict[str, Any] = {}
    if fan is not None and fan.coverage:
        coverage[fan.coverage] = [v for chunk in values for v in (chunk if isinstance(chunk, list) else [chunk])]
    coverage["start"] = ms_to_timestamp(start_ms) if start_ms is not None else None
    coverage["end"] = ms_to_timestamp(end_ms) if end_ms is not None else None
    if window is not None:
        coverage["windows"] = len(bounds)
    coverage["pages"] = pages
    # Without paging or windows the exchange says nothing of whether it capped what it sent.
    coverage["complete"] = None if endpoint.paging is None and window is None else not truncated
    frame.attrs.update({"exchange": client.exchange, "endpoint": endpoint.name, "coverage": coverage})
    return frame


def dedupe_and_sort(
    endpoint: Endpoint, frame: pd.DataFrame, *, between: tuple[int | None, int | None] | None = None
) -> pd.DataFrame:
    """Each record once (by its id, or the whole row where records have no id), in time order;
    with ``between`` (start, end ms), only the records of that range.

    The rows kept and their order are worked out first, then taken a column at a time, each column
    taken out of ``frame`` as it is copied (``frame`` is given away; unchanged when nothing is
    dropped or moved): a long history is held about once and a column at the peak, not twice.
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
    frames.give_back_memory()
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
