"""A year of KuCoin ledger from the local sandbox, 50 ms away, under KuCoin's documented limits.

The sandbox keeps the Management pool (2000 weight / 30 s; the ledger costs 2) and answers each
request after the added latency. The floor is what the requests actually needed allow: their
count in rounds of the client's 8 windows in flight, times the latency, or the rate limit's own
pace if that is slower. Next to every time: rows returned against rows on the server. Then
``tk.sync`` twice: the second run, with nothing new, should cost at most one request a stream.
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

import toolkit as tk
from bench.common import Section, have_ccxt, ratio
from toolkit.exchanges.kucoin import endpoints as kucoin
from toolkit.sandbox.account import build, demo_year
from toolkit.sandbox.base import demo_credentials

LATENCY = 0.05


# The sandbox runs in a process of its own, as an exchange would: in this one, its threads would
# share the interpreter lock with the client's and slow both.
_SERVER = """
import sys, time
from toolkit import sandbox
boxes = sandbox.start(["kucoin"], lifetime=1800)
boxes.server("kucoin").faults.latency = float(sys.argv[1])
print(boxes.url("kucoin"), flush=True)
time.sleep(1800)
"""


@contextmanager
def kucoin_sandbox(latency: float) -> Iterator[str]:
    """The base URL of a KuCoin sandbox in a child process, answering after ``latency`` seconds."""
    child = subprocess.Popen([sys.executable, "-c", _SERVER, str(latency)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip()
    finally:
        child.terminate()
        child.wait(10)


def connect(url: str) -> tuple[Any, list[str]]:
    """A KuCoin client on the sandbox that syncs its clock, and the paths it sends, in order."""
    client = tk.connect("kucoin", demo_credentials("kucoin"), base_url=url, progress=False)
    sent: list[str] = []
    client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.path_url))
    return client, sent


def floor_seconds(requests: int, weight: int, concurrency: int) -> float:
    latency_floor = math.ceil(requests / concurrency) * LATENCY
    quota = kucoin.POOL_QUOTA[kucoin.MANAGEMENT]
    rate_floor = (math.ceil(requests * weight / quota) - 1) * kucoin.POOL_SECONDS
    return max(latency_floor, rate_floor)


def on_server(start: pd.Timestamp, end: pd.Timestamp) -> int:
    """The ledger entries the sandbox's KuCoin account holds in the range (it is rebuilt the same)."""
    lo, hi = start.value // 1_000_000, end.value // 1_000_000
    return sum(lo <= entry.time <= hi for entry in build("kucoin").entries)


def ccxt_ledger(url: str, start: pd.Timestamp, end: pd.Timestamp) -> tuple[float, int, str]:
    """ccxt's KuCoin ``fetch_ledger`` with its own pagination, on the same sandbox."""
    import ccxt

    creds = demo_credentials("kucoin")
    exchange = ccxt.kucoin({"apiKey": creds.api_key, "secret": creds.api_secret, "password": creds.passphrase})
    exchange.urls["api"] = {k: url for k in exchange.urls["api"]}
    exchange.markets, exchange.markets_by_id, exchange.currencies = {}, {}, {}  # no market list on the sandbox
    exchange.options["uta"] = False  # a classic account, as the toolkit's probe finds (the sandbox has no UTA mode)
    exchange.load_markets = lambda *a, **k: {}
    started = time.perf_counter()
    try:
        rows = exchange.fetch_ledger(None, int(start.value // 1_000_000), None,
                                     {"until": int(end.value // 1_000_000), "paginate": True})  # fmt: skip
    except Exception as exc:  # what ccxt does with it is the figure
        return time.perf_counter() - started, 0, f"{type(exc).__name__}: {str(exc)[:80]}"
    return time.perf_counter() - started, len(rows), ""


def run(quick: bool) -> list[Section]:
    repeats = 1 if quick else 3
    days = 30 if quick else 364
    rows: list[dict[str, Any]] = []
    today = pd.Timestamp(demo_year()[1])
    end = today - pd.Timedelta(milliseconds=1)
    start = today - pd.Timedelta(days=days)
    expected = on_server(start, end)
    with kucoin_sandbox(LATENCY) as url:
        times, syncs, needed, returned = [], [], 0, 0
        for _ in range(repeats):
            client, sent = connect(url)
            began = time.perf_counter()
            frame = client.get_account_ledgers(start_time=start, end_time=end)
            times.append(time.perf_counter() - began)
            syncs.append(sum("/timestamp" in path for path in sent))
            ledger_requests = sum("/ledgers" in path for path in sent)
            needed = len(sent) - ledger_requests  # the clock and the account-type probe, one after the other
            returned = len(frame)
        floor = needed * LATENCY + floor_seconds(ledger_requests, 2, kucoin.CONCURRENCY)
        median = sorted(times)[len(times) // 2]
        rows.append({"who": "toolkit", "requests": ledger_requests + needed, "clock syncs": max(syncs),
                     "min s": min(times), "median s": median, "floor s": floor,
                     "x floor (median)": ratio(median, floor), "rows": f"{returned} of {expected}"})  # fmt: skip
        if have_ccxt():
            seconds, count, error = ccxt_ledger(url, start, end)
            note = f" ({error})" if error else " (no error)" if count < expected else ""
            rows.append({"who": "ccxt (paginate=True)", "requests": None, "clock syncs": None, "min s": seconds,
                         "median s": seconds, "floor s": floor, "x floor (median)": ratio(seconds, floor),
                         "rows": f"{count} of {expected}{note}"})  # fmt: skip
    with kucoin_sandbox(0.0) as url, tempfile.TemporaryDirectory() as folder:
        db = str(Path(folder) / "accounts.db")
        client, sent = connect(url)
        tk.sync(client, db, start=start)
        sent.clear()
        report = tk.sync(client, db)
        streams = len(report) + 1  # and the balance snapshot
        again = len([p for p in sent if "/timestamp" not in p])
    history = Section(
        f"{days} days of KuCoin ledger, {LATENCY * 1000:.0f} ms latency, documented limits",
        " ".join((__doc__ or "").split()) + f" Min and median of {repeats} runs; each run a new client.",
        rows,
        [(f"toolkit <= 1.10x the floor: {ratio(median, floor):.2f}x", ratio(median, floor) <= 1.10),
         (f"one clock sync per client: {max(syncs)}", max(syncs) == 1),
         (f"every row on the server returned: {returned} of {expected}", returned == expected)],
    )  # fmt: skip
    resync = Section(
        "A second tk.sync with nothing new",
        "KuCoin's ledger, deposits and withdrawals streams and the balance snapshot, synced, then synced again "
        "at once (the second run asks only from each cursor, less its one-hour overlap).",
        [{"streams (with the snapshot)": streams, "requests": again, "per stream": again / streams}],
        [(f"at most one request a stream: {again} for {streams}", again <= streams)],
    )
    return [history, resync]
