"""A KuCoin sandbox in a process of its own, as an exchange would be (in the bench's process its
threads would share the interpreter lock with the client's and slow both).

``kucoin_sandbox(latency)`` serves the toolkit's KuCoin sandbox over the demo account;
``kucoin_sandbox(latency, rows_per_day=n, days=d)`` serves a ledger of ``n`` generated rows a day
over the last ``d`` days of the demo year instead (``bench.frames.busy_ledger``), looked up by
time rather than scanned, so that a year of a busy account can be read in seconds.
``reset()`` starts the Management pool's quota again: each run of a benchmark gets a quota of its
own, as a fresh sandbox would give it. The server binds 127.0.0.1, stops by itself after
``lifetime`` seconds, and its process ends when the bench closes its stdin (or exits).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_SERVER = """
import bisect, importlib, sys
from toolkit.core.timeutil import DAY_MS
from toolkit.exchanges import descriptor
from toolkit.sandbox.account import build
from toolkit.sandbox.base import Refused
from toolkit.sandbox import server
from toolkit.sandbox.server import HttpSandbox

# socketserver listens with a backlog of 5: more connections opened at once than that are dropped
# and retried by the client's TCP a second later, which no exchange's front end would do. This
# process's server listens with a backlog as deep as the requests a benchmark has in flight.
server._Server.request_queue_size = 1024

module, name = descriptor("kucoin").sandbox.split(":")  # the exchange's stand-in app, wherever it lives
KucoinApp = getattr(importlib.import_module(module), name)

latency, rows_per_day, days, lifetime = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])


class BusyLedger(KucoinApp):
    # The ledger of a busy account: generated rows, found by bisecting their times.

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from bench.frames import busy_ledger

        self.items = busy_ledger(rows_per_day, days)  # oldest first
        self.times = [item["createdAt"] for item in self.items]

    def ledgers(self, request, path):
        q = request.query
        lo, hi = int(q["startAt"]), int(q["endAt"])
        if hi - lo > DAY_MS or lo > hi:
            raise Refused(self.bad_range("time range exceeds 1 days"))
        rows = self.items[bisect.bisect_left(self.times, lo) : bisect.bisect_right(self.times, hi)][::-1]
        return self.ok(self.paged(rows, request))


app = (BusyLedger if rows_per_day else KucoinApp)(build("kucoin"))
box = HttpSandbox(app, lifetime=lifetime).start()
box.faults.latency = latency
print(box.url, flush=True)
for line in sys.stdin:  # until the bench closes it
    if line.strip() == "reset":
        app.pools.clear()
    print("ok", flush=True)
box.stop()
"""


class Sandbox:
    def __init__(self, child: subprocess.Popen[str]) -> None:
        self.child = child
        assert child.stdout is not None
        self.url = child.stdout.readline().strip()
        if not self.url.startswith("http://127.0.0.1:"):
            raise RuntimeError(f"the sandbox did not start: {self.url!r}")

    def reset(self) -> None:
        """Start the rate limit's quota again (as a fresh sandbox would)."""
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write("reset\n")
        self.child.stdin.flush()
        assert self.child.stdout.readline().strip() == "ok"


@contextmanager
def kucoin_sandbox(latency: float, rows_per_day: int = 0, days: int = 364, lifetime: float = 1800) -> Iterator[Sandbox]:
    """A KuCoin sandbox in a child process, answering after ``latency`` seconds."""
    child = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(latency), str(rows_per_day), str(days), str(lifetime)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        yield Sandbox(child)
    finally:
        assert child.stdin is not None
        child.stdin.close()
        try:
            child.wait(10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(10)
