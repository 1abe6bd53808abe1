"""Benchmark: how many candle requests valuing a year of four exchanges takes, against the fewest
the exchanges' per-call caps allow.

The four sandboxes serve the demo accounts and their candles (the same documented caps: 1000 a
call, 1500 on KuCoin); ``toolkit.valuation`` prices every asset the accounts held over the demo
year. The requests are counted at the clients (each ``get_candles`` answer's pages, or one for an
error answer). The minimum for a priced asset is ``ceil(days / cap)`` of the market that prices
it, and none when the cache holds its closed days (only today's candle, which has not closed, is
asked again). An asset no exchange lists ("NOPE") is searched along the toolkit's route: on each
exchange its market against the quote, the inverse, and through each of ``valuation.VIA`` both
ways, each refused in one request; the search's minimum is that count of markets (``search``
column). The toolkit caches answers, never refusals (a refusal may be passing), so a second search
asks each market again: the "again" row's minimum is the search once more, not zero. (A market
list per exchange would need one request an exchange; the toolkit does not read market lists.)

Run: ``python -m bench`` (the whole suite).
"""

from __future__ import annotations

import importlib
import math
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

import toolkit as tk
from bench.common import Section
from toolkit import sandbox, unified, valuation
from toolkit.core.ratelimit import SkippingClock
from toolkit.sandbox.account import demo_year
from toolkit.store import Store

EXCHANGES = ("bitget", "kucoin", "coinw", "binance")


def counting(client: Any, tally: list[int]) -> None:
    """Make ``client.get_candles`` add the requests each call sends to ``tally``."""
    original: Callable[..., pd.DataFrame] = client.get_candles

    def get_candles(*args: Any, **kwargs: Any) -> pd.DataFrame:
        try:
            frame = original(*args, **kwargs)
        except tk.errors.ToolkitError:
            tally.append(1)  # the exchange's error answer: one request
            raise
        tally.append(frame.attrs["coverage"]["pages"])
        return frame

    client.get_candles = get_candles


def cap_of(exchange: str) -> int:
    cap: int = importlib.import_module(f"toolkit.exchanges.{exchange}.endpoints").CANDLES.cap
    return cap


def run(quick: bool) -> list[Section]:
    rows = measure(quick)
    method = " ".join((__doc__ or "").split("\n\n", 1)[1].split("Run:")[0].split())

    def missed(chosen: list[dict[str, Any]]) -> str:
        over = [f"{r['case']}: {r['requests']} for {r['minimum'] + r['search']}" for r in chosen
                if r["requests"] != r["minimum"] + r["search"]]  # fmt: skip
        return "; ".join(over)

    plain = [r for r in rows if not r["search"]]
    searching = [r for r in rows if r["search"]]
    targets = [
        ("priced assets at the fewest calls the caps allow, none for closed days in the cache: "
         + (missed(plain) or f"all {len(plain)} cases at it"), not missed(plain)),
        ("an unlisted asset: one request a market the toolkit's route tries (the route's own count, not the "
         "exchanges' floor), on every search, as refusals are not cached: "
         + (missed(searching) or ", ".join(f"{r['search']} in '{r['case']}'" for r in searching)),
         not missed(searching)),
    ]  # fmt: skip
    return [Section("Candle requests to value a year of four exchanges", method, rows, targets)]


def measure(quick: bool) -> list[dict[str, Any]]:
    """``quick``: the rate limits are counted on a clock that skips its waits (the request counts
    are the same; the seconds then leave the waits out)."""
    rows = []
    clock = SkippingClock() if quick else None
    with sandbox.start(EXCHANGES, lifetime=600, clock=clock) as boxes:
        clients = []
        for exchange in EXCHANGES:
            options: dict[str, Any] = {"sync_clock": False, "progress": False}
            rest_url = getattr(boxes.server(exchange), "rest_url", None)
            if rest_url is not None:
                options["rest_base_url"] = rest_url
            client = tk.connect(exchange, boxes.credentials(exchange), base_url=boxes.url(exchange), **options)
            if clock is not None:
                client.wait_on(clock.monotonic, clock.sleep)
            clients.append(client)
        tally: list[int] = []
        for client in clients:
            counting(client, tally)
        first, today = demo_year()
        start, end = first, today - pd.Timedelta(days=1)  # closed days: today's candle is never cached
        ledger, balances = unified.ledger(clients, start, today), unified.balances(clients)

        def run(name: str, chosen: list[Any], cache: Store, assets: list[str] | None = None, *,
                warm: bool = False, until: pd.Timestamp = end) -> None:  # fmt: skip
            tally.clear()
            started = time.perf_counter()
            if assets is None:
                found = valuation.portfolio_value(chosen, start, until, ledger=ledger, balances=balances, cache=cache)
                sources = found.attrs["sources"]
            else:
                found = valuation.prices(chosen, assets, start, until, cache=cache)
                sources = found.drop_duplicates("asset").set_index("asset")["source"].to_dict()
            seconds = time.perf_counter() - started
            priced = sorted(a for a in found.loc[found["price"].notna(), "asset"].unique() if a != "USDT")
            # Each unlisted asset: on every exchange, the market against the quote and its inverse, then
            # through each VIA asset both ways (the first leg refused ends that way): one request each.
            unlisted = [a for a in (assets or []) if a not in priced and a != "USDT"]
            search = sum(2 * (1 + sum(via not in (a, "USDT") for via in valuation.VIA)) * len(chosen) for a in unlisted)
            days = len(pd.date_range(start, until, freq="D"))
            if not warm:  # each asset's market in as few calls as its cap allows
                minimum = sum(math.ceil(days / cap_of(sources[a].split()[0])) for a in priced)
            else:  # nothing, but today's candle for each asset (it has not closed)
                minimum = len(priced) if until >= today else 0
            rows.append({"case": name, "days": days, "assets priced": len(priced), "requests": sum(tally),
                         "minimum": minimum, "search": search, "seconds": round(seconds, 2)})  # fmt: skip

        cold = Store(":memory:")
        run("a year of 4 exchanges, cold cache", clients, cold)
        run("the same year again", clients, cold, warm=True)
        run("the same year and today", clients, cold, warm=True, until=today)
        for client in clients:
            run(f"{client.exchange} alone, cold cache", [client], Store(":memory:"), ["BTC", "ETH", "USDT"])
        searching = Store(":memory:")
        run("with an asset no exchange lists, cold", clients, searching, ["BTC", "ETH", "USDT", "NOPE"])
        run("with an asset no exchange lists, again", clients, searching, ["BTC", "ETH", "USDT", "NOPE"], warm=True)
        for client in clients:
            getattr(client, "close", lambda: None)()
    return rows
