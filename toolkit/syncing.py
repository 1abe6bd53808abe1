"""``tk.sync``: bring a local store up to date, filling in whatever range it does not hold yet.

The store keeps, per exchange and stream, the ranges it holds complete (``Store.ranges``). Each
run asks for ``[start, end]`` and fetches only its gaps: what is new since the last run (from a
little before it: entries booked late, a deposit changing status), and, when ``start`` is earlier
than anything held, the older range too. A range is recorded as held only when every read behind
it proved itself complete; a failed or partial fetch leaves its gap open for the next run. Rows
are upserted by ``(exchange, id)``, so overlaps never duplicate anything. A balance snapshot is
taken on every run, which is how exchanges without a ledger (Binance, CoinW) build history.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import reconciling, unified
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.errors import ToolkitError
from toolkit.store import Store

STREAMS = ("ledger", "deposits", "withdrawals")
# How far before the end of what is held each run starts again, for entries the exchange books late.
OVERLAP = pd.Timedelta(hours=1)
# Where a first sync without ``start`` begins: a year back, less a day, so that every exchange that
# keeps a year still serves the first of it.
FIRST_SYNC = pd.Timedelta(days=364)
KEY = ["exchange", "id"]
COLUMNS = {
    "exchange": "str", "stream": "str", "fetched": "int64", "new": "int64", "complete": "bool", "missing": "object",
    "error": "str",
}  # fmt: skip


def sync(
    clients: Any,
    store: Store | str | os.PathLike[str],
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    streams: tuple[str, ...] = STREAMS,
    snapshot: bool = True,
    imports: Sequence[str | os.PathLike[str] | tuple[Any, TimeLike, TimeLike]] = (),
    errors: str = "collect",
) -> pd.DataFrame:
    """Bring ``store`` up to date for ``clients``; returns, per exchange and stream, what was
    ``fetched``, how many rows are ``new``, whether the store now holds ``[start, end]``
    ``complete``, the ranges still ``missing`` (a list of (start, end)), and the ``error`` that
    left them so.

    ``start`` defaults to a year back for a stream the store holds nothing of, else to where what
    it holds begins; ``end`` to now. ``errors="collect"`` goes on past a failed stream (a
    ``PartialResult`` warning, the error in its row); ``"raise"`` raises it. ``imports``: the
    exchanges' own export files to add first (``Store.add_export``), each a path or
    ``(path, start, end)`` with the period it was exported for: ``Store.ledger()`` is then the API's
    history and theirs, each event once, and a range the API no longer serves is complete where an
    export covers it.
    """
    unified.check_errors(errors)
    own_store = not isinstance(store, Store)
    db = store if isinstance(store, Store) else Store(store)
    end_ts = ms_to_timestamp(to_ms(end, "end") if end is not None else now_ms())
    asked = ms_to_timestamp(to_ms(start, "start")) if start is not None else None
    rows = []
    try:
        for item in imports:
            path, period = (item[0], item[1:]) if isinstance(item, tuple) else (item, (None, None))
            added = db.add_export(path, start=period[0], end=period[1])
            rows.append({"exchange": "", "stream": f"export:{Path(path).name}", "fetched": added, "new": added,
                         "complete": True, "missing": [], "error": ""})  # fmt: skip
        for client in unified.clients_of(clients):
            for stream in streams:
                if unified.mapping(client, stream) is not None:
                    rows.append(_sync_stream(client, stream, db, asked, end_ts, errors))
            if snapshot:
                rows.append(_snapshot(client, db, errors))
    finally:
        if own_store:
            db.close()
    failed = sorted({f"{r['exchange']} {r['stream']}" for r in rows if r["error"]})
    if failed:
        warnings.warn(
            f"tk.sync: {', '.join(failed)} failed; their rows say what is missing, and the next sync asks for it again",
            unified.PartialResult,
            stacklevel=2,
        )
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(COLUMNS)


def _sync_stream(
    client: Any, stream: str, db: Store, asked: pd.Timestamp | None, end: pd.Timestamp, errors: str
) -> dict[str, Any]:
    name = f"{client.exchange}:{stream}"
    held = db.ranges(name)
    begin = asked if asked is not None else held[0][0] if held else end - FIRST_SYNC
    gaps = db.missing(name, begin, end)
    if gaps and held and gaps[-1][1] == end:  # what is new: from a little before what is held ends
        gaps[-1] = (max(begin, gaps[-1][0] - OVERLAP), end)
    row = {"exchange": client.exchange, "stream": stream, "fetched": 0, "new": 0, "error": ""}
    left = []
    reports: list[dict[str, Any]] = []
    for lo, hi in gaps:
        try:
            fetched = getattr(unified, stream)(client, lo, hi, errors="raise", exact=True)
        except ToolkitError as err:
            if errors == "raise":
                raise
            row["error"] = f"{type(err).__name__}: {err}"
            left.append((lo, hi))
            continue
        row["fetched"] += len(fetched)
        row["new"] += db.append(stream, fetched, KEY) if len(fetched) else 0
        reports = fetched.attrs["coverage"].get(client.exchange, []) or reports
        if fetched.attrs["complete"].get(client.exchange, True) or _exported(db, client.exchange, stream, reports):
            db.add_range(name, lo, hi)
        else:
            left.append((lo, hi))
            row["error"] = row["error"] or "the exchange's answers did not prove the range complete (see its coverage)"
    _record_coverage(db, client.exchange, stream, reports, left, row["error"])
    return {**row, "complete": not left, "missing": left}


def _exported(db: Store, exchange: str, stream: str, reports: list[dict[str, Any]]) -> bool:
    """Whether all a ledger read lacked is what the exchange no longer serves, and the store holds it
    from the exchange's own export: the history is then complete."""
    lacking = [r for r in reports if r.get("complete") is False]
    if stream != "ledger" or not lacking or not all(r.get("unreachable") for r in lacking):
        return False
    name = f"{exchange}:ledger:export"
    return all(not db.missing(name, r["start"], r["end"]) for r in lacking)


def _record_coverage(
    db: Store, exchange: str, stream: str, reports: list[dict[str, Any]], missing: list[Any], error: str
) -> None:
    """What the store now holds of the stream (each range it holds, for each account type and
    endpoint read), and what it still lacks, for ``tk.coverage(store)``."""
    name = f"{exchange}:{stream}"
    read = [r for r in reconciling.stream_rows(exchange, stream, reports) if not r["error"]]
    if not read:
        previous = [r for r in db.coverage() if r["exchange"] == exchange and r["stream"] == stream and r["endpoint"]]
        read = previous or [{"exchange": exchange, "stream": stream, "account_type": "", "endpoint": ""}]
    seen = {(r["account_type"], r["endpoint"]): r for r in read}
    rows = [
        {**r, "start": lo, "end": hi, "complete": True, "error": ""}
        for r in seen.values()
        for lo, hi in db.ranges(name)
    ]
    rows += [
        {**r, "start": lo, "end": hi, "complete": False, "error": error} for r in seen.values() for lo, hi in missing
    ]
    db.save_coverage(name, rows)


def _snapshot(client: Any, db: Store, errors: str) -> dict[str, Any]:
    row = {"exchange": client.exchange, "stream": "snapshot", "complete": True, "missing": [], "error": ""}
    try:
        added = db.save_snapshot(unified.balances(client, errors="raise"))
    except ToolkitError as err:
        if errors == "raise":
            raise
        return {**row, "fetched": 0, "new": 0, "complete": False, "error": f"{type(err).__name__}: {err}"}
    return {**row, "fetched": added, "new": added}
