"""The benchmark suite: ``python -m bench`` writes bench/RESULTS.md; ``--quick`` runs small sizes
(as CI does, to keep the suite from rotting) and writes where ``--out`` says."""

from __future__ import annotations

import argparse
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from bench import candles, frames, history, imports, memory
from bench.common import Section, have_ccxt, machine

RESULTS = Path(__file__).with_name("RESULTS.md")
# What these figures still do not show: said above them, not left to a reader to find.
LIMITS = (
    "**Limits of these figures.** The exchanges are local sandboxes: a Python HTTP server on the same 2 "
    "cores as the client, 50 ms of latency added by sleeping (no TLS, no jitter, no lost packets), so the "
    "history floors are bounded by what that server answers at once. The ledgers are generated in three "
    "shapes, not read from a real account; the memory run takes the random shape only and reads peak "
    "resident memory from Linux's `/proc`. ccxt runs on the sandbox with its market list left empty. "
    "Every repeat is shown; medians and ratios are of this run only, and a quick run's (one repeat, tiny "
    "sizes) say that each path runs, not how fast."
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (three for imports)")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write (default: {RESULTS.name})")
    options = parser.parse_args(argv)
    out = options.out or RESULTS
    sections: list[Section] = []
    where = machine()
    started = time.perf_counter()
    for module in (frames, memory, history, imports, candles):
        print(f"bench: {module.__name__} ...", end=" ", flush=True)
        began = time.perf_counter()
        sections += module.run(options.quick)
        print(f"{time.perf_counter() - began:.0f} s", flush=True)
    ccxt = "ccxt " + __import__("ccxt").__version__ if have_ccxt() else "ccxt not installed"
    head = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench{' --quick' if options.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {time.perf_counter() - started:.0f} s: Python "
        f"{platform.python_version()}, pandas {pd.__version__}, {ccxt}; a machine of {where}. "
        "Ratios are measured in the same run; absolute times vary from machine to machine.",
        "",
        LIMITS,
        "",
    ]
    out.write_text("\n".join(head) + "\n" + "\n".join(s.markdown() for s in sections), encoding="utf-8")
    missed = [what for s in sections for what, met in s.targets if not met]
    print(f"bench: wrote {out}; {len(missed)} target(s) not met" + "".join(f"\n  - {m}" for m in missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
