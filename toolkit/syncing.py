"""``tk.sync``: fetch only what is new since the last run into a local store.

Each (exchange, stream) pair keeps a cursor in the store: the end of the last fetch. The next
run fetches from a little before it (entries booked late, a deposit changing status) up to now;
rows are upserted by ``(exchange, id)``, so the overlap never duplicates anything. A balance
snapshot is taken on every run, which is how exchanges without a ledger (Binance, CoinW) build
history over time.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from toolkit import unified
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.store import Store

STREAMS = ("ledger", "deposits", "withdrawals")
# How far before the cursor each run starts again, for entries the exchange books late.
OVERLAP = pd.Timedelta(hours=1)
KEY = ["exchange", "id"]


def sync(
    clients: Any,
    store: Store | str,
    *,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    streams: tuple[str, ...] = STREAMS,
    snapshot: bool = True,
) -> pd.DataFrame:
    """Bring ``store`` up to date for ``clients``; returns what each stream fetched and added.

    ``start`` is where a stream's first sync begins (default: the exchange's default lookback);
    later syncs continue from the stored cursor. ``end`` defaults to now.
    """
    own_store = isinstance(store, str)
    db = Store(store) if isinstance(store, str) else store
    end_ts = ms_to_timestamp(to_ms(end, "end") if end is not None else now_ms())
    rows = []
    try:
        for client in unified.clients_of(clients):
            for stream in streams:
                if unified.mapping(client, stream) is None:
                    continue
                name = f"{client.exchange}:{stream}"
                cursor = db.cursor(name)
                begin = cursor - OVERLAP if cursor is not None else start
                fetched = getattr(unified, stream)(client, begin, end_ts)
                added = db.append(stream, fetched, KEY) if len(fetched) else 0
                db.set_cursor(name, end_ts)
                rows.append({"exchange": client.exchange, "stream": stream, "fetched": len(fetched), "new": added})
            if snapshot:
                added = db.save_snapshot(unified.balances(client))
                rows.append({"exchange": client.exchange, "stream": "snapshot", "fetched": added, "new": added})
    finally:
        if own_store:
            db.close()
    return pd.DataFrame(rows, columns=["exchange", "stream", "fetched", "new"]).astype(
        {"exchange": "str", "stream": "str", "fetched": "int64", "new": "int64"}
    )
