"""Benchmark: 100,000 ledger records from raw JSON bytes to a typed DataFrame.

Compares the toolkit's path (orjson + ``frames.to_frame`` with Bitget's bill columns: times
parsed, amounts to float64, ids kept as strings) with the floor of bare
``pandas.DataFrame(json.loads(raw))`` on the same bytes, which types nothing. Target: within 1.5x.

Run: ``python bench/bench_frames.py`` (prints a Markdown row for bench/RESULTS.md).
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import time

import orjson
import pandas as pd

from toolkit.core.frames import to_frame
from toolkit.exchanges.bitget import BILLS

N = 100_000
REPEATS = 7


def ledger_bytes(n: int = N, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    start = 1_700_000_000_000
    records = [
        {
            "cTime": str(start + i * 60_000),
            "coin": rng.choice(["BTC", "ETH", "USDT", "SOL"]),
            "groupType": rng.choice(["deposit", "withdraw", "transaction", "transfer"]),
            "businessType": rng.choice(["BUY", "SELL", "DEPOSIT", "WITHDRAW", "TRANSFER_IN"]),
            "size": f"{rng.uniform(-5, 5):.8f}",
            "balance": f"{rng.uniform(0, 1000):.8f}",
            "fees": f"{-rng.uniform(0, 0.01):.8f}",
            "billId": str(10**15 + i),
        }
        for i in range(n)
    ]
    return json.dumps(records).encode()


def best_of(func, raw: bytes) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        func(raw)
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def floor(raw: bytes) -> pd.DataFrame:
    return pd.DataFrame(json.loads(raw))


def toolkit_path(raw: bytes) -> pd.DataFrame:
    return to_frame(orjson.loads(raw), BILLS.columns)


def main() -> None:
    raw = ledger_bytes()
    typed = toolkit_path(raw)
    assert str(typed["c_time"].dtype) == "datetime64[ns, UTC]" and typed["size"].dtype == "float64"
    floor_best, floor_median = best_of(floor, raw)
    ours_best, ours_median = best_of(toolkit_path, raw)
    ratio = ours_median / floor_median
    print(f"{len(raw) / 1e6:.1f} MB, {N} records, best/median of {REPEATS}")
    print(f"floor  pandas.DataFrame(json.loads(raw)): {floor_best * 1000:.0f} / {floor_median * 1000:.0f} ms")
    print(f"toolkit orjson + to_frame (typed):        {ours_best * 1000:.0f} / {ours_median * 1000:.0f} ms")
    print(f"ratio (median): {ratio:.2f}x (target <= 1.5x)")
    print(
        f"| {time.strftime('%Y-%m-%d')} | {platform.python_version()} | pandas {pd.__version__} | "
        f"{floor_median * 1000:.0f} ms | {ours_median * 1000:.0f} ms | {ratio:.2f}x |"
    )


if __name__ == "__main__":
    main()
