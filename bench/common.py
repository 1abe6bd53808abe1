"""What every benchmark shares: repeats with min and median, a section of RESULTS.md."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    """One part of RESULTS.md: a title, what was measured and how, a table, and the targets."""

    title: str
    method: str
    rows: list[dict[str, Any]]
    targets: list[tuple[str, bool]] = field(default_factory=list)  # (what, met?)

    def markdown(self) -> str:
        head = list(self.rows[0]) if self.rows else []
        lines = [f"## {self.title}", "", self.method, ""]
        if head:
            lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            lines += ["| " + " | ".join(_cell(row.get(c)) for c in head) + " |" for row in self.rows]
            lines.append("")
        for what, met in self.targets:
            lines.append(f"- {'met' if met else '**NOT met**'}: {what}")
        return "\n".join(lines).rstrip() + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def timed(func: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """(min, median) seconds of ``repeats`` calls of ``func``."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")


def have_ccxt() -> bool:
    try:
        import ccxt  # noqa: F401
    except ImportError:
        return False
    return True
