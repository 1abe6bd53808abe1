"""``import toolkit`` against ``import pandas``, each in a fresh interpreter, and what it loads.

Nothing of vcrpy, yaml, the sandboxes or the demo should load until used; plotly and ipywidgets
load when a figure or widget is made.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from bench.common import Section, ratio

HEAVY = ("vcr", "yaml", "aiohttp", "toolkit.sandbox", "toolkit.cassettes", "plotly", "ipywidgets", "websockets")


def seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def run(quick: bool) -> list[Section]:
    repeats = 1 if quick else 9
    bare = [seconds("pass") for _ in range(repeats)]
    pandas = [seconds("import pandas") for _ in range(repeats)]
    toolkit = [seconds("import toolkit") for _ in range(repeats)]
    base = min(bare)  # the interpreter's own start, taken off both
    p, t = statistics.median(pandas) - base, statistics.median(toolkit) - base
    check = f"import sys, toolkit; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout.split()
    rows = [{"import": "pandas", "median s": p, "min s": min(pandas) - base, "x pandas": 1.0},
            {"import": "toolkit", "median s": t, "min s": min(toolkit) - base, "x pandas": ratio(t, p)}]  # fmt: skip
    return [
        Section(
            "import toolkit",
            " ".join((__doc__ or "").split()) + f" Medians of {repeats} fresh interpreters, less an empty one's start.",
            rows,
            [
                (f"import toolkit <= 1.15x import pandas: {ratio(t, p):.2f}x", ratio(t, p) <= 1.15),
                (f"none of {', '.join(HEAVY)} loaded: {', '.join(loaded) or 'none loaded'}", not loaded),
            ],
        )
    ]
