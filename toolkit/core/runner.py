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
    with client.reading(endpoint):
        if window is None and endpoint.time_field:
            frame = _between(frame, frames.snake_case(endpoint.time_field), start_ms, end_ms)
        frame = dedupe_and_sort(endpoint, frame)
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


def dedupe_and_sort(endpoint: Endpoint, frame: pd.DataFrame) -> pd.DataFrame:
    """Each record once (by its id, or the whole row where records have no id), in time order.

    The rows kept and their order are worked out first and taken in one copy (none when nothing
    changes): a long history is then held twice at most, not three times.
    """
    if endpoint.id_field:
        repeated = frame[frames.snake_case(endpoint.id_field)].duplicated(keep="first")
    elif frame.dtypes.map(pd.api.types.is_object_dtype).any():  # lists or objects: compare the rows' text
        repeated = frame.astype("str").duplicated(keep="first")
    else:
        repeated = frame.duplicated(keep="first")
    kept = np.flatnonzero(~repeated.to_numpy())
    if endpoint.time_field:
        times = frame[frames.snake_case(endpoint.time_field)].iloc[kept]
        # As datetime64 values (missing times last): to_numpy() alone would make a Timestamp of each.
        values = times.to_numpy(dtype="datetime64[ns]") if isinstance(times.dtype, pd.DatetimeTZDtype) else times
        kept = kept[np.argsort(values, kind="stable")]
    if len(kept) == len(frame) and (np.diff(kept) > 0).all():
        return frame
    return frame.take(kept)


def _between(frame: pd.DataFrame, column: str, start_ms: int | None, end_ms: int | None) -> pd.DataFrame:
    if start_ms is not None:
        frame = frame[frame[column] >= ms_to_timestamp(start_ms)]
    if end_ms is not None:
        frame = frame[frame[column] <= ms_to_timestamp(end_ms)]
    return frame


def _progress(client: Client, total: int, noun: str) -> Any:
    from tqdm.auto import tqdm

    return tqdm(
        total=total, desc=f"{client.exchange} history", unit=noun, disable=not client.progress or total < 2, leave=False
    )
