"""KuCoin ledger answers, bytes -> typed frame: a page of 500 records (the most KuCoin sends) and
100,000 records in one answer, on three data shapes.

The toolkit's path is what the client does with each answer it receives: ``Client.unwrap`` (msgspec
decodes the bytes, numbers with a fraction straight to ``Decimal`` when exact; the envelope is
checked), ``Client.records`` finds the items, ``Client.to_frame`` types and checks them (times to
``datetime64[ns, UTC]``, amounts to float64 or ``Decimal``, text to ``str``, names to snake_case).
Floors on the same bytes: bare ``pandas.DataFrame(json.loads(...))`` and ``orjson`` +
``DataFrame``, which type nothing; and msgspec + the same typing (float64, or ``Decimal`` for the
exact path), written as directly as a user would who knows the fields (no checks), whose frame is
asserted equal to the toolkit's before anything is timed. ccxt (when installed, 500 records only:
it takes seconds at 100,000): ``json.loads`` + ``kucoin().parse_ledger`` + ``DataFrame``.

Shapes: ``random`` (every amount, fee and balance a random 8-place number, a short JSON context),
``zeros`` (fee "0" on nine records in ten and balance always "0", as KuCoin sends a field it
documents as no longer used; context empty but on trades), ``long ids`` (40-character ids and a
context of three long ids).
"""

from __future__ import annotations

import json
import operator
import random
import statistics
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
import numpy as np
import orjson
import pandas as pd

import toolkit as tk
from bench.common import Section, have_ccxt, interleaved, runs_cell
from toolkit.core.http import Call, Reply
from toolkit.exchanges.kucoin.endpoints import LEDGERS

CALL = Call("kucoin", LEDGERS.name, "GET", "https://api.kucoin.com", LEDGERS.path)
FAKE = tk.Credentials("FAKE-KEY-bench", "FAKE-SECRET-bench", "FAKE-PASSPHRASE-bench")
SHAPES = ("random", "zeros", "long ids")
START_MS = 1_700_000_000_000
DAY_MS = 86_400_000


def ledger_items(n: int, shape: str = "random", *, seed: int = 7, start: int = START_MS, step_ms: int = 60_000,
                 first_id: int = 0) -> list[dict[str, Any]]:  # fmt: skip
    """``n`` KuCoin ledger items in the documented shape (values made up), oldest first."""
    rng = random.Random(seed)
    items = []
    for i in range(first_id, first_id + n):
        biz = rng.choice(["Deposit", "Withdrawal", "Trade_Exchange", "Transfer"])
        if shape == "long ids":
            ident = f"{rng.getrandbits(160):040x}"
            context = json.dumps({"symbol": "BTC-USDT", "orderId": f"{rng.getrandbits(160):040x}",
                                  "tradeId": f"{rng.getrandbits(160):040x}"})  # fmt: skip
        else:
            ident = f"{0x611A1E7C6A053300067A0000 + i:024x}"
            context = json.dumps({"orderId": f"{i:024x}", "tradeId": f"{i:016x}"})
        if shape == "zeros":
            fee = "0" if rng.random() < 0.9 else f"{rng.uniform(0, 0.01):.8f}"
            balance = "0"
            context = context if biz == "Trade_Exchange" else ""
        else:
            fee, balance = f"{rng.uniform(0, 0.01):.8f}", f"{rng.uniform(0, 1000):.8f}"
        items.append(
            {"id": ident, "currency": rng.choice(["BTC", "ETH", "USDT", "SOL"]), "amount": f"{rng.uniform(0, 5):.8f}",
             "fee": fee, "balance": balance, "accountType": rng.choice(["MAIN", "TRADE"]), "bizType": biz,
             "direction": rng.choice(["in", "out"]), "createdAt": start + (i - first_id) * step_ms, "context": context}
        )  # fmt: skip
    return items


def ledger_body(n: int, shape: str = "random", seed: int = 7) -> bytes:
    """One KuCoin ledger answer of ``n`` items."""
    page = {"currentPage": 1, "pageSize": n, "totalNum": n, "totalPage": 1, "items": ledger_items(n, shape, seed=seed)}
    return orjson.dumps({"code": "200000", "data": page})


def busy_ledger(rows_per_day: int, days: int = 364) -> list[dict[str, Any]]:
    """The last ``days`` of the demo year (``toolkit.sandbox.account.demo_year``) with
    ``rows_per_day`` ledger rows each day, spread over the day, in the random shape: the ledger of a
    busy account, oldest first."""
    from toolkit.sandbox.account import demo_year

    last = demo_year()[1]
    day0 = int(last.timestamp() * 1000) - days * DAY_MS
    step = DAY_MS // rows_per_day
    items: list[dict[str, Any]] = []
    for day in range(days):
        items += ledger_items(rows_per_day, seed=day, start=day0 + day * DAY_MS + step // 2, step_ms=step,
                              first_id=day * rows_per_day)  # fmt: skip
    return items


# The floor that types as the toolkit does, written as directly as a user who knows the fields would.
_NUMBERS = [name for name, kind in LEDGERS.columns.items() if kind == "num"]
_TIMES = [name for name, kind in LEDGERS.columns.items() if kind == "time"]
_SNAKE = {name: tk.core.frames.snake_case(name) for name in LEDGERS.columns}


def typed(items: list[dict[str, Any]], exact: bool) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for name in LEDGERS.columns:
        values = list(map(operator.itemgetter(name), items))
        if name in _NUMBERS:
            data[name] = (
                pd.Series(list(map(Decimal, values)), dtype=object) if exact else np.array(list(map(float, values)))
            )
        elif name in _TIMES:
            data[name] = pd.to_datetime(np.array(values, dtype="int64"), unit="ms", utc=True).as_unit("ns")
        else:
            data[name] = pd.Series(values, dtype="str")
    return pd.DataFrame(data).rename(columns=_SNAKE)


def paths(size: int) -> dict[str, Callable[[bytes], Any]]:
    client = tk.connect("kucoin", FAKE, sync_clock=False, progress=False)

    def toolkit_path(body: bytes, exact: bool) -> pd.DataFrame:
        data = client.unwrap(CALL, LEDGERS, Reply(200, {}, body), exact=exact)
        return client.to_frame(LEDGERS, client.records(LEDGERS, data), exact=exact, consume=True)

    found: dict[str, Callable[[bytes], Any]] = {
        "bare json + DataFrame": lambda b: pd.DataFrame(json.loads(b)["data"]["items"]),
        "orjson + DataFrame": lambda b: pd.DataFrame(orjson.loads(b)["data"]["items"]),
        "msgspec + same typing (float)": lambda b: typed(msgspec.json.decode(b)["data"]["items"], False),
        "msgspec + same typing (Decimal)": lambda b: typed(msgspec.json.decode(b)["data"]["items"], True),
        "toolkit float": lambda b: toolkit_path(b, False),
        "toolkit exact": lambda b: toolkit_path(b, True),
    }
    if have_ccxt() and size <= 500:
        import ccxt

        kucoin = ccxt.kucoin()
        found["ccxt parse_ledger + DataFrame"] = lambda b: pd.DataFrame(
            kucoin.parse_ledger(json.loads(b)["data"]["items"])
        )
    return found


def check_same_typing(body: bytes, found: dict[str, Callable[[bytes], Any]]) -> None:
    """The typed floors give the toolkit's frame, value for value and dtype for dtype."""
    for ours, floor in (("toolkit float", "msgspec + same typing (float)"),
                        ("toolkit exact", "msgspec + same typing (Decimal)")):  # fmt: skip
        pd.testing.assert_frame_equal(found[ours](body), found[floor](body), check_exact=True)


def run(quick: bool) -> list[Section]:
    repeats = 1 if quick else 7
    sections = []
    for size in (500, 2_000) if quick else (500, 100_000):  # quick: that every path runs, not how fast
        # Calls a repeat times each path: enough that a page's milliseconds are measured, not timer noise.
        calls = (3 if quick else 40) if size <= 500 else 1
        rows: list[dict[str, Any]] = []
        targets: list[tuple[str, bool]] = []
        for shape in SHAPES:
            body = ledger_body(size, shape)
            found = paths(size)
            check_same_typing(body, found)
            variants = {name: (lambda f=f, b=body: f(b)) for name, f in found.items()}
            counts = {name: max(1, calls // 4) if name.startswith("ccxt") else calls for name in variants}
            runs = interleaved(variants, repeats, calls=counts)
            for name, measured in runs.items():
                walls = [wall for wall, _ in measured]
                rows.append({
                    "shape": shape, "path": name, "median ms": statistics.median(walls) * 1000,
                    "CPU ms (median)": statistics.median(cpu for _, cpu in measured) * 1000,
                    "x bare": paired(measured, runs["bare json + DataFrame"]),
                    "x msgspec typed": paired(measured, runs[_typed_floor(name)]) if "toolkit" in name else None,
                    "x bare (CPU)": paired(measured, runs["bare json + DataFrame"], 1),
                    "ms, each repeat": runs_cell(walls, 1000),
                })  # fmt: skip
            flt = paired(runs["toolkit float"], runs["bare json + DataFrame"])
            ext = paired(runs["toolkit exact"], runs["bare json + DataFrame"])
            if size <= 500:
                flt_typed = paired(runs["toolkit float"], runs["msgspec + same typing (float)"])
                ext_typed = paired(runs["toolkit exact"], runs["msgspec + same typing (Decimal)"])
                targets += [
                    (f"{shape}: toolkit float <= 1.2x bare: {flt:.2f}x", flt <= 1.2),
                    (f"{shape}: toolkit exact <= 1.2x bare: {ext:.2f}x", ext <= 1.2),
                    (f"{shape}: toolkit float <= 1.1x msgspec + same typing: {flt_typed:.2f}x", flt_typed <= 1.1),
                    (f"{shape}: toolkit exact <= 1.1x msgspec + same typing (Decimal): {ext_typed:.2f}x",
                     ext_typed <= 1.1),
                ]  # fmt: skip
            else:
                targets += [(f"{shape}: toolkit float <= 0.9x bare: {flt:.2f}x", flt <= 0.9),
                            (f"{shape}: toolkit exact <= 1.2x bare: {ext:.2f}x", ext <= 1.2)]  # fmt: skip
        method = " ".join((__doc__ or "").split("\n\n", 1)[1].split()) + (
            f" {repeats} repeat(s), the paths interleaved in each (A B C, A B C, ...); a repeat times "
            f"{calls} call(s) of each path (ccxt: a quarter as many) and the figure is the time a call. "
            "Wall and CPU time of the process; `x bare` and `x msgspec typed` are the median over repeats of "
            "each repeat's wall-time ratio to that floor in the same repeat (the targets' figures), `x bare (CPU)` "
            "the same of CPU time: where the two differ much, the machine was busy."
        )
        sections.append(Section(f"KuCoin ledger, {size:,} records in one answer, bytes -> typed frame", method, rows,
                                targets))  # fmt: skip
    return sections


def _typed_floor(name: str) -> str:
    return "msgspec + same typing (Decimal)" if "exact" in name else "msgspec + same typing (float)"


def paired(ours: list[tuple[float, float]], floor: list[tuple[float, float]], which: int = 0) -> float:
    """The median over repeats of each repeat's ratio of wall time (``which`` 1: of CPU time)."""
    return statistics.median(a[which] / b[which] for a, b in zip(ours, floor, strict=True))
