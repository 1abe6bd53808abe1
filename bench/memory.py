"""Peak memory of a paged history: 1,000,000 KuCoin ledger rows in pages of 500, typed as they come.

A child process runs the real history runner (``Client.history`` over KuCoin's ledger endpoint)
with the exchange's answers decoded from bytes page by page, as they would arrive (no network:
the figure is the conversion's memory, not the server's). Its peak resident memory above what it
held before is set against the size of the frame it returns.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.common import Section

_CHILD = """
import gc, sys
from pathlib import Path
import orjson
import toolkit as tk
from bench.frames import FAKE, ledger_body
from toolkit.exchanges.kucoin.endpoints import LEDGERS

rows, size = int(sys.argv[1]), 500
total = rows // size
client = tk.connect("kucoin", FAKE, sync_clock=False, progress=False)
template = orjson.loads(ledger_body(size))["data"]["items"]

def page(n):
    items = [{**item, "id": f"{n:08d}{i:016x}"} for i, item in enumerate(template)]
    return orjson.dumps({"currentPage": n, "pageSize": size, "totalNum": rows, "totalPage": total, "items": items})

client.call = lambda endpoint, args, extra=None, exact=False, **_: orjson.loads(page(extra["currentPage"]))

def kib(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field))
    return int(line.split()[1]) * 1024

gc.collect()
Path("/proc/self/clear_refs").write_text("5")
held = kib("VmRSS")
frame = client.history(LEDGERS, {"start_time": 1_700_000_000_000, "end_time": 1_700_000_000_000 + 86_399_999})
assert len(frame) == rows, len(frame)
print(kib("VmHWM") - held, int(frame.memory_usage(deep=True).sum()))
"""


def run(quick: bool) -> list[Section]:
    rows = 50_000 if quick else 1_000_000
    done = subprocess.run([sys.executable, "-c", _CHILD, str(rows)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    peak, size = (int(v) for v in done.stdout.split())
    ratio = peak / size
    return [
        Section(
            f"Peak memory of a paged history of {rows:,} ledger rows",
            " ".join((__doc__ or "").split()) + " What keeps it down: pages typed a batch at a time as they "
            "come; the rows kept and their order worked out before anything is copied; text ids compared by "
            "an Arrow sort rather than as a Python string each; the sorted copy made a column at a time, each "
            "source column dropped as it is copied, text in the system allocator and the C heap's free pages "
            "given back (glibc keeps them resident otherwise).",
            [{"rows": rows, "peak MiB": peak / 2**20, "frame MiB": size / 2**20, "peak / frame": ratio}],
            [(f"paged history: peak <= 2x the frame: {ratio:.2f}x", ratio <= 2.0)],
        )
    ]
