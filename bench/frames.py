"""100,000 KuCoin ledger records: bytes of one answer -> typed frame, and its peak memory.

The toolkit's path is the client's own: ``msgspec`` decodes the bytes (numbers with a fraction
straight to ``Decimal`` when exact), ``Client.records`` finds the items, ``Client.to_frame`` types them (times to
``datetime64[ns, UTC]``, amounts to float64 or ``Decimal``). Floors on the same bytes: bare
``pandas.DataFrame(json.loads(...))``, which types nothing, and ``orjson`` + ``DataFrame``.
ccxt (when installed): ``json.loads`` + ``kucoin().parse_ledger`` + ``DataFrame``.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pandas as pd

import toolkit as tk
from bench.common import Section, have_ccxt, ratio, timed
from toolkit.core.http import Call, Reply, decode_json
from toolkit.exchanges.kucoin.endpoints import LEDGERS

CALL = Call("kucoin", LEDGERS.name, "GET", "https://api.kucoin.com", LEDGERS.path)
FAKE = tk.Credentials("FAKE-KEY-bench", "FAKE-SECRET-bench", "FAKE-PASSPHRASE-bench")


def ledger_body(n: int, seed: int = 7) -> bytes:
    """One KuCoin ledger answer of ``n`` items, in the documented shape (values made up)."""
    rng = random.Random(seed)
    start = 1_700_000_000_000
    items = [
        {
            "id": f"{0x611A1E7C6A053300067A0000 + i:024x}",
            "currency": rng.choice(["BTC", "ETH", "USDT", "SOL"]),
            "amount": f"{rng.uniform(0, 5):.8f}",
            "fee": f"{rng.uniform(0, 0.01):.8f}",
            "balance": f"{rng.uniform(0, 1000):.8f}",
            "accountType": rng.choice(["MAIN", "TRADE"]),
            "bizType": rng.choice(["Deposit", "Withdrawal", "Exchange", "Transfer"]),
            "direction": rng.choice(["in", "out"]),
            "createdAt": start + i * 60_000,
            "context": json.dumps({"orderId": f"{i:024x}", "tradeId": f"{i:016x}"}),
        }
        for i in range(n)
    ]
    page = {"currentPage": 1, "pageSize": n, "totalNum": n, "totalPage": 1, "items": items}
    return orjson.dumps({"code": "200000", "data": page})


def paths() -> dict[str, Callable[[bytes], Any]]:
    client = tk.connect("kucoin", FAKE, sync_clock=False, progress=False)

    def toolkit_path(body: bytes, exact: bool) -> pd.DataFrame:
        payload = decode_json(CALL, Reply(200, {}, body), exact=exact)
        return client.to_frame(LEDGERS, client.records(LEDGERS, payload["data"]), exact=exact, consume=True)

    found: dict[str, Callable[[bytes], Any]] = {
        "bare json + DataFrame": lambda b: pd.DataFrame(json.loads(b)["data"]["items"]),
        "orjson + DataFrame": lambda b: pd.DataFrame(orjson.loads(b)["data"]["items"]),
        "toolkit float": lambda b: toolkit_path(b, False),
        "toolkit exact": lambda b: toolkit_path(b, True),
    }
    if have_ccxt():
        import ccxt

        kucoin = ccxt.kucoin()
        found["ccxt parse_ledger + DataFrame"] = lambda b: pd.DataFrame(
            kucoin.parse_ledger(json.loads(b)["data"]["items"])
        )
    return found


# Run in a child process of its own: the peak resident memory while one path converts the body
# (read from a file first), above what the process held before; tracemalloc would miss what
# the JSON parser and Arrow allocate outside Python's allocator.
_CHILD = """
import gc, sys
from pathlib import Path
from bench.frames import paths

def kib(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field))
    return int(line.split()[1]) * 1024

convert = paths()[sys.argv[2]]
body = Path(sys.argv[1]).read_bytes()
gc.collect()
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
held = kib("VmRSS")
frame = convert(body)
print(kib("VmHWM") - held, int(frame.memory_usage(deep=True).sum()))
"""


def peak_bytes(body_file: Path, path: str) -> tuple[int, int]:
    """(peak bytes above the start, the frame's bytes) of converting ``body_file`` along ``path``."""
    done = subprocess.run([sys.executable, "-c", _CHILD, str(body_file), path], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    peak, size = done.stdout.split()
    return int(peak), int(size)


def frame_bytes(frame: pd.DataFrame) -> int:
    return int(frame.memory_usage(deep=True).sum())


def run(quick: bool) -> list[Section]:
    n = 2_000 if quick else 100_000  # quick: that every path runs, not how fast
    repeats = 1 if quick else 5
    body = ledger_body(n)
    measured = {name: timed(lambda f=f: f(body), repeats) for name, f in paths().items()}  # type: ignore[misc]
    floor = measured["bare json + DataFrame"][1]
    rows = [
        {"path": name, "min ms": mn * 1000, "median ms": md * 1000, "x bare (median)": ratio(md, floor)}
        for name, (mn, md) in measured.items()
    ]
    float_ratio = ratio(measured["toolkit float"][1], floor)
    exact_ratio = ratio(measured["toolkit exact"][1], floor)
    timing = Section(
        f"{n:,} KuCoin ledger records, bytes -> typed frame",
        __doc__.split("\n\n", 1)[1].strip() + f" Min and median of {repeats} runs.",
        rows,
        [(f"toolkit float <= 0.85x bare: {float_ratio:.2f}x", float_ratio <= 0.85),
         (f"toolkit exact <= 1.2x bare: {exact_ratio:.2f}x", exact_ratio <= 1.2)],
    )  # fmt: skip

    memory_rows = []
    with tempfile.TemporaryDirectory() as folder:
        body_file = Path(folder) / "ledger.json"
        body_file.write_bytes(body)
        bare_peak, _ = peak_bytes(body_file, "bare json + DataFrame")
        for name in ("toolkit float", "toolkit exact"):
            peak, size = peak_bytes(body_file, name)
            memory_rows.append({"path": name, "peak MiB": peak / 2**20, "frame MiB": size / 2**20,
                                "peak / frame": peak / size, "peak / bare peak": ratio(peak, bare_peak)})  # fmt: skip
    worst = max(row["peak / bare peak"] for row in memory_rows)
    memory = Section(
        f"Peak memory converting one answer of {n:,} ledger records",
        "Peak resident memory of a child process while it converts the bytes (read from a file), above "
        f"what it held before, against the frame's size (`memory_usage(deep=True)`) and against bare "
        f"`DataFrame(json.loads(...))`'s peak ({bare_peak / 2**20:.0f} MiB). The client types a large answer "
        "a batch of records at a time and drops each batch once typed (``to_frame(consume=True)``), so the "
        "decoded objects are freed in the order they were made and their memory reused for the typed values; "
        "msgspec builds no second tree while it parses.",
        memory_rows,
        [(f"one body: peak <= bare pandas' peak: {worst:.2f}x", worst <= 1.0)],
    )
    return [timing, memory]
