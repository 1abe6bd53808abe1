"""A year of KuCoin ledger from the local sandbox, 50 ms away, under KuCoin's documented limits.

The sandbox (a process of its own, ``bench.sandbox``) keeps KuCoin's Management pool (VIP 0: 2000
weight a 30-second window; the ledger costs 2), its 24-hour range per request and pages of at
most 500, and answers each request after the added latency. Before every run of every variant its
pool's quota starts again, so no run waits out a limit another spent.

The floor is a real run of plain ``requests`` with threads: one signed request per 24-hour window
(and one per further page), ``json``, then ``pandas.DataFrame`` of every item. How many in flight:
KuCoin documents no limit on requests in flight, only the pool's weight (reference sheet A5: 2000
a 30-second window at VIP 0; the ledger's weight is 2, A7), so its 1000 requests a window cover a
year's 364 windows at once: the documented limits allow all of them in flight. Plain requests runs
with 32 threads, with 64 and with one thread a window (364: thread start-up and connection set-up
cost something too, so more is not always faster), and the floor is the fastest of them in the
run. ccxt (when installed) runs ``fetch_ledger`` with ``paginate=True``, and looped over the
24-hour windows (a page at a time within one) with each of the floor's thread counts, one ccxt
instance a thread. Next to every time: the rows returned against the rows on the server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pandas as pd
import requests

import toolkit as tk
from bench.common import Section, have_ccxt, interleaved, runs_cell
from bench.sandbox import kucoin_sandbox
from toolkit.sandbox.account import build, demo_year
from toolkit.sandbox.base import demo_credentials

LATENCY = 0.05
DAY_MS = 86_400_000
LEDGER = "/api/v1/accounts/ledgers"
PAGE = 500


def on_server(start_ms: int, end_ms: int) -> int:
    """The ledger entries the sandbox's KuCoin account holds in the range (it is rebuilt the same)."""
    return sum(start_ms <= entry.time <= end_ms for entry in build("kucoin").entries)


def windows(start_ms: int, end_ms: int) -> list[tuple[int, int]]:
    """24-hour windows covering [start_ms, end_ms], each ending a millisecond before the next starts."""
    return [(lo, min(lo + DAY_MS - 1, end_ms)) for lo in range(start_ms, end_ms + 1, DAY_MS)]


def plain_requests(url: str, start_ms: int, end_ms: int, threads: int) -> pd.DataFrame:
    """The floor: KuCoin's documented signing, ``requests`` sessions (one a thread), every window's
    first page at once, then any further pages, and a DataFrame of every item."""
    creds = demo_credentials("kucoin")
    secret = creds.api_secret.encode()
    passphrase = base64.b64encode(hmac.new(secret, (creds.passphrase or "").encode(), hashlib.sha256).digest())
    local = threading.local()

    def get(params: dict[str, int]) -> dict[str, Any]:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        path = f"{LEDGER}?{urlencode(params)}"
        stamp = str(int(time.time() * 1000))
        sign = base64.b64encode(hmac.new(secret, (stamp + "GET" + path).encode(), hashlib.sha256).digest())
        headers = {"KC-API-KEY": creds.api_key, "KC-API-SIGN": sign.decode(), "KC-API-TIMESTAMP": stamp,
                   "KC-API-PASSPHRASE": passphrase.decode(), "KC-API-KEY-VERSION": "3"}  # fmt: skip
        reply = session.get(url + path, headers=headers, timeout=30)
        reply.raise_for_status()
        body = reply.json()
        if body.get("code") != "200000":
            raise RuntimeError(f"KuCoin answered {body}")
        data: dict[str, Any] = body["data"]
        return data

    def page(lo: int, hi: int, number: int) -> dict[str, Any]:
        return get({"startAt": lo, "endAt": hi, "currentPage": number, "pageSize": PAGE})

    spans = windows(start_ms, end_ms)
    with ThreadPoolExecutor(threads) as pool:
        firsts = list(pool.map(lambda span: page(span[0], span[1], 1), spans))
        rest = [pool.submit(page, span[0], span[1], n) for span, first in zip(spans, firsts, strict=True)
                for n in range(2, int(first["totalPage"]) + 1)]  # fmt: skip
        items = [item for data in firsts + [f.result() for f in rest] for item in data["items"]]
    return pd.DataFrame(items)


def ccxt_exchange(url: str) -> Any:
    """ccxt's KuCoin on the sandbox, as a classic account with no market list to load."""
    import ccxt

    creds = demo_credentials("kucoin")
    exchange = ccxt.kucoin({"apiKey": creds.api_key, "secret": creds.api_secret, "password": creds.passphrase})
    exchange.urls["api"] = {k: url for k in exchange.urls["api"]}
    exchange.markets, exchange.markets_by_id, exchange.currencies = {}, {}, {}  # no market list on the sandbox
    exchange.options["uta"] = False  # a classic account, as the toolkit's probe finds (the sandbox has no UTA mode)
    exchange.load_markets = lambda *a, **k: {}
    return exchange


def ccxt_paginated(url: str, start_ms: int, end_ms: int) -> list[Any]:
    rows: list[Any] = ccxt_exchange(url).fetch_ledger(None, start_ms, None, {"until": end_ms, "paginate": True})
    return rows


def ccxt_looped(url: str, start_ms: int, end_ms: int, threads: int) -> list[Any]:
    """``fetch_ledger`` a 24-hour window at a time (and a page at a time within one), ``threads`` at once."""
    local = threading.local()

    def window(span: tuple[int, int]) -> list[Any]:
        exchange = getattr(local, "exchange", None)
        if exchange is None:
            exchange = local.exchange = ccxt_exchange(url)
        found: list[Any] = []
        for number in range(1, 10**6):
            batch = exchange.fetch_ledger(None, span[0], PAGE, {"until": span[1], "currentPage": number})
            found += batch
            if len(batch) < PAGE:
                return found
        return found

    with ThreadPoolExecutor(threads) as pool:
        return [row for rows in pool.map(window, windows(start_ms, end_ms)) for row in rows]


def run(quick: bool) -> list[Section]:
    repeats = 1 if quick else 7
    days = 30 if quick else 364
    today = int(demo_year()[1].timestamp() * 1000)
    start_ms, end_ms = today - days * DAY_MS, today - 1
    expected = on_server(start_ms, end_ms)
    spans = len(windows(start_ms, end_ms))
    counts: dict[str, list[tuple[int, int]]] = {}  # variant -> (rows, unique ids) of each run
    syncs: list[int] = []

    def note(key: str, rows: int, unique: int) -> None:
        counts.setdefault(key, []).append((rows, unique))

    with kucoin_sandbox(LATENCY) as box:

        def toolkit_run() -> None:
            client = tk.connect("kucoin", demo_credentials("kucoin"), base_url=box.url, progress=False)
            sent: list[str] = []
            client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.path_url))
            frame = client.get_account_ledgers(start_time=pd.Timestamp(start_ms, unit="ms", tz="UTC"),
                                               end_time=pd.Timestamp(end_ms, unit="ms", tz="UTC"))  # fmt: skip
            syncs.append(sum("/timestamp" in path for path in sent))
            note("toolkit", len(frame), frame["id"].nunique())
            note("toolkit requests", len(sent), sum(LEDGER in path for path in sent))

        def floor(threads: int) -> Callable[[], None]:
            def go() -> None:
                frame = plain_requests(box.url, start_ms, end_ms, threads)
                note(f"requests {threads}", len(frame), frame["id"].nunique() if len(frame) else 0)

            return go

        variants: dict[str, Callable[[], None]] = {"toolkit": toolkit_run}
        threads = tuple(sorted({min(n, spans) for n in (32, 64, spans)}))
        for n in threads:
            variants[f"plain requests, {n} threads"] = floor(n)
        if have_ccxt():

            def paginated() -> None:
                rows = ccxt_paginated(box.url, start_ms, end_ms)
                note("ccxt paginate", len(rows), len({r["id"] for r in rows}))

            def looped(n: int) -> Callable[[], None]:
                def go() -> None:
                    rows = ccxt_looped(box.url, start_ms, end_ms, n)
                    note(f"ccxt looped {n}", len(rows), len({r["id"] for r in rows}))

                return go

            variants["ccxt fetch_ledger, paginate=True"] = paginated
            for n in threads:
                variants[f"ccxt fetch_ledger looped over windows, {n} threads"] = looped(n)
        runs = interleaved(variants, repeats, before=lambda name: box.reset())
    medians = {name: statistics.median(w for w, _ in measured) for name, measured in runs.items()}
    floor_name = min((f"plain requests, {n} threads" for n in threads), key=medians.__getitem__)
    floor_s = medians[floor_name]
    keys = {"toolkit": "toolkit", "ccxt fetch_ledger, paginate=True": "ccxt paginate"}
    for n in threads:
        keys[f"plain requests, {n} threads"] = f"requests {n}"
        keys[f"ccxt fetch_ledger looped over windows, {n} threads"] = f"ccxt looped {n}"
    rows = []
    for name, measured in runs.items():
        got = counts.get(keys[name], [(0, 0)])
        rows.append({
            "who": name, "median s": medians[name], "CPU s (median)": statistics.median(c for _, c in measured),
            "x floor": medians[name] / floor_s, "rows of " + str(expected): rows_cell(got),
            "s, each repeat": runs_cell(w for w, _ in measured),
        })  # fmt: skip
    ours = medians["toolkit"] / floor_s
    sent, ledger_requests = counts["toolkit requests"][-1]
    ours_complete = all(rows == unique == expected for rows, unique in counts["toolkit"])
    floor_complete = all(rows == unique == expected for rows, unique in counts[keys[floor_name]])
    method = " ".join((__doc__ or "").split("\n\n", 1)[1].split()) + (
        f" {days} days: {spans} windows. {repeats} repeat(s), the variants interleaved in each, every repeat's "
        f"time shown; each toolkit run a new client (its clock sync and account probe included: {sent} requests, "
        f"{ledger_requests} of them the ledger's). CPU time is the bench process's (the sandbox runs in another)."
    )
    history = Section(
        f"{days} days of KuCoin ledger, {LATENCY * 1000:.0f} ms latency, documented limits",
        method,
        rows,
        [(f"toolkit <= 1.5x plain requests at the concurrency the limits allow ({floor_name}): {ours:.2f}x",
          ours <= 1.5),
         (f"the floor returned every row, once, every repeat: {rows_cell(counts[keys[floor_name]])} of {expected}",
          floor_complete),
         (f"one clock sync per client: {max(syncs)}", max(syncs) == 1),
         (f"every row on the server returned, once, every repeat: {rows_cell(counts['toolkit'])} of {expected}",
          ours_complete)],
    )  # fmt: skip
    return [history, resync(start_ms)]


def rows_cell(runs: list[tuple[int, int]]) -> str:
    """Rows each repeat returned (once if all the same), and any returned twice."""
    shown = [f"{rows}" + (f" ({rows - unique} twice)" if rows != unique else "") for rows, unique in runs]
    return shown[0] if len(set(shown)) == 1 else " ".join(shown)


def resync(start_ms: int) -> Section:
    """``tk.sync`` twice; the second, with nothing new, should cost at most one request a stream."""
    with kucoin_sandbox(0.0) as box, tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "accounts.db")
        client = tk.connect("kucoin", demo_credentials("kucoin"), base_url=box.url, progress=False)
        sent: list[str] = []
        client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.path_url))
        tk.sync(client, db, start=pd.Timestamp(start_ms, unit="ms", tz="UTC"))
        sent.clear()
        report = tk.sync(client, db)
        streams = list(report["stream"])  # every stream synced, the balance snapshot among them
        again = len([p for p in sent if "/timestamp" not in p])
    return Section(
        "A second tk.sync with nothing new",
        "KuCoin's streams synced, then synced again at once (the second run asks only from each cursor, less "
        "its one-hour overlap). Requests are counted at the client (clock syncs left out) and divided by the "
        f"streams the second sync's report lists: {', '.join(streams)}.",
        [{"streams synced": len(streams), "requests": again, "per stream": again / len(streams)}],
        [(f"at most one request a stream: {again} for {len(streams)}", again <= len(streams))],
    )
