"""``import toolkit`` against ``import pandas``, each in a fresh interpreter, and what it loads.

Each repeat starts three fresh interpreters: an empty one (``pass``: the interpreter's own start),
one that imports pandas and one that imports the toolkit, the last two in turn first (pandas
first in odd repeats, the toolkit first in even ones), so a drift in the machine's load falls on
both. A repeat's import time is its interpreter's time less that repeat's empty one; the ratio is
the median over repeats of each repeat's toolkit / pandas. Wall time of each child and its CPU
time (user + system, from ``getrusage``). Nothing of vcrpy, yaml, the sandboxes or the demo
should load until used; plotly and ipywidgets load when a figure or widget is made.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time

from bench.common import Section, runs_cell

HEAVY = ("vcr", "yaml", "aiohttp", "toolkit.sandbox", "toolkit.cassettes", "plotly", "ipywidgets", "websockets")


def seconds(code: str) -> tuple[float, float]:
    """(wall, CPU) seconds of a fresh interpreter running ``code``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run(quick: bool) -> list[Section]:
    repeats = 3 if quick else 21
    found: dict[str, list[tuple[float, float]]] = {"pass": [], "import pandas": [], "import toolkit": []}
    for i in range(repeats):
        found["pass"].append(seconds("pass"))
        order = ("import pandas", "import toolkit") if i % 2 == 0 else ("import toolkit", "import pandas")
        for code in order:
            found[code].append(seconds(code))
    base = [wall for wall, _ in found["pass"]]
    base_cpu = [cpu for _, cpu in found["pass"]]
    net = {code: [w - b for (w, _), b in zip(found[code], base, strict=True)] for code in found}
    net_cpu = {code: [c - b for (_, c), b in zip(found[code], base_cpu, strict=True)] for code in found}
    ratios = [t / p for t, p in zip(net["import toolkit"], net["import pandas"], strict=True)]
    cpu_ratios = [t / p for t, p in zip(net_cpu["import toolkit"], net_cpu["import pandas"], strict=True)]
    ratio, cpu_ratio = statistics.median(ratios), statistics.median(cpu_ratios)
    check = f"import sys, toolkit; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout.split()
    # The import rows are less each repeat's empty interpreter; the last row is their ratio, per repeat.
    rows = [
        {"interpreter": "empty (pass)", "median s": statistics.median(base),
         "CPU s (median)": statistics.median(base_cpu), "each repeat": runs_cell(base)},
        *({"interpreter": f"{code}, less empty", "median s": statistics.median(net[code]),
           "CPU s (median)": statistics.median(net_cpu[code]), "each repeat": runs_cell(net[code])}
          for code in ("import pandas", "import toolkit")),
        {"interpreter": "toolkit / pandas (ratio, not s)", "median s": ratio, "CPU s (median)": cpu_ratio,
         "each repeat": runs_cell(ratios)},
    ]  # fmt: skip
    return [
        Section(
            "import toolkit",
            " ".join((__doc__ or "").split()) + f" {repeats} repeats.",
            rows,
            [
                (
                    f"import toolkit <= 1.15x import pandas (median of {repeats} paired repeats): {ratio:.2f}x "
                    f"(CPU {cpu_ratio:.2f}x)",
                    ratio <= 1.15,
                ),
                (f"none of {', '.join(HEAVY)} loaded: {', '.join(loaded) or 'none loaded'}", not loaded),
            ],
        )
    ]
