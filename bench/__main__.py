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
from bench.common import Section, have_ccxt

RESULTS = Path(__file__).with_name("RESULTS.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, one or three repeats")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write (default: {RESULTS.name})")
    options = parser.parse_args(argv)
    out = options.out or RESULTS
    sections: list[Section] = []
    started = time.perf_counter()
    for module in (frames, memory, history, imports, candles):
        print(f"bench: {module.__name__} ...", flush=True)
        sections += module.run(options.quick)
    ccxt = "ccxt " + __import__("ccxt").__version__ if have_ccxt() else "ccxt not installed"
    head = [
        "# Benchmark results",
        "",
        f"Written by `python -m bench{' --quick' if options.quick else ''}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {time.perf_counter() - started:.0f} s: Python "
        f"{platform.python_version()}, pandas {pd.__version__}, {ccxt}; a machine of 2 cores. "
        "Ratios are measured in the same run; absolute times vary from machine to machine.",
        "",
    ]
    out.write_text("\n".join(head) + "\n".join(s.markdown() for s in sections), encoding="utf-8")
    missed = [what for s in sections for what, met in s.targets if not met]
    print(f"bench: wrote {out}; {len(missed)} target(s) not met" + "".join(f"\n  - {m}" for m in missed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
