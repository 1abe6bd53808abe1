"""Peak memory of a year-like paged history, over HTTP, through the public history call.

A KuCoin sandbox in a process of its own (``bench.sandbox``) serves a busy account's ledger:
``ROWS_PER_DAY`` generated rows a day (the random shape of ``bench.frames``), so every 24-hour
window is two pages of at most 500. A child process connects a client to it and calls
``client.get_account_ledgers(start_time=..., end_time=...)`` over the whole range, as a user
would: the windows and their pages over HTTP, typing, the final concatenate, de-duplication and
sort (after a one-day call of the same, so that what loads once on first use, modules, the clock
sync, the account probe, connections, is not counted). Its peak resident memory (``VmHWM``) above
what it held just before the call is set against the size of the frame it returns
(``memory_usage(deep=True)``); the rows returned are counted against the rows on the server.
Each run is a fresh child on a fresh rate-limit quota (the sandbox's pool reset before it).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from typing import Any

from bench.common import Section, runs_cell
from bench.sandbox import ROOT, kucoin_sandbox

ROWS_PER_DAY = 900

_CHILD = """
import gc, sys, time
from pathlib import Path
import pandas as pd
import toolkit as tk
from toolkit.sandbox.account import demo_year
from toolkit.sandbox.base import demo_credentials

url, days = sys.argv[1], int(sys.argv[2])

def kib(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field))
    return int(line.split()[1]) * 1024

today = pd.Timestamp(demo_year()[1])
client = tk.connect("kucoin", demo_credentials("kucoin"), base_url=url, progress=False)
# One day first: what loads on first use (modules, the clock sync, the account probe, connections)
# is not the history's memory.
client.get_account_ledgers(start_time=today - pd.Timedelta(days=1), end_time=today - pd.Timedelta(milliseconds=1))
gc.collect()
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
held = kib("VmRSS")
began, cpu = time.perf_counter(), time.process_time()
start, end = today - pd.Timedelta(days=days), today - pd.Timedelta(milliseconds=1)
frame = client.get_account_ledgers(start_time=start, end_time=end)
seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
print(kib("VmHWM") - held, int(frame.memory_usage(deep=True).sum()), len(frame), frame["id"].nunique(), seconds, cpu)
"""


def one_run(url: str, days: int) -> tuple[int, int, int, int, float, float]:
    done = subprocess.run([sys.executable, "-c", _CHILD, url, str(days)], capture_output=True, text=True,
                          check=True, cwd=ROOT)  # fmt: skip
    peak, size, rows, unique, seconds, cpu = done.stdout.split()
    return int(peak), int(size), int(rows), int(unique), float(seconds), float(cpu)


def run(quick: bool) -> list[Section]:
    days, per_day, repeats = (20, 600, 1) if quick else (364, ROWS_PER_DAY, 3)
    expected = days * per_day
    runs = []
    with kucoin_sandbox(0.0, rows_per_day=per_day, days=days) as box:
        for _ in range(repeats):
            box.reset()
            runs.append(one_run(box.url, days))
    ratios = [peak / size for peak, size, *_ in runs]
    complete = all(rows == unique == expected for _, _, rows, unique, *_ in runs)
    rows: list[dict[str, Any]] = [
        {"run": i + 1, "rows": f"{rows:,} of {expected:,}", "peak MiB": peak / 2**20, "frame MiB": size / 2**20,
         "peak / frame": peak / size, "wall s": seconds, "CPU s": cpu}
        for i, (peak, size, rows, _, seconds, cpu) in enumerate(runs)
    ]  # fmt: skip
    worst = max(ratios)
    method = " ".join((__doc__ or "").split("\n\n", 1)[1].split()).replace("``ROWS_PER_DAY``", f"{per_day:,}")
    method += (
        f" {days} days, {repeats} run(s), every one shown (peak / frame each run: {runs_cell(ratios)}; median "
        f"{statistics.median(ratios):.2f}x). The sandbox answers at once (no added latency): latency changes "
        "the time, not what is held."
    )
    return [
        Section(
            f"Peak memory of {days} days of a busy KuCoin ledger over HTTP ({expected:,} rows)",
            method,
            rows,
            [
                (f"paged history over HTTP: peak <= 2x the frame, every run: worst {worst:.2f}x", worst <= 2.0),
                (f"every row on the server returned, once, every run: {complete}", complete),
            ],
        )
    ]
