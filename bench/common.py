"""What every benchmark shares: interleaved repeats with every run kept, a section of RESULTS.md."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Section:
    """One part of RESULTS.md: a title, what was measured and how, a table, and the targets."""

    title: str
    method: str
    rows: list[dict[str, Any]]
    targets: list[tuple[str, bool]] = field(default_factory=list)  # (what, met?)

    def markdown(self) -> str:
        head = list(dict.fromkeys(c for row in self.rows for c in row))
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


def runs_cell(values: Iterable[float], scale: float = 1.0) -> str:
    """Every repeat's figure, in the order they ran."""
    return " ".join(f"{v * scale:.3g}" if abs(v * scale) < 100 else f"{v * scale:.0f}" for v in values)


def interleaved(
    variants: Mapping[str, Callable[[], Any]],
    repeats: int,
    *,
    calls: Mapping[str, int] | None = None,
    before: Callable[[str], None] | None = None,
) -> dict[str, list[tuple[float, float]]]:
    """Each variant's (wall, CPU) seconds a call in each of ``repeats`` repeats, the variants run in
    turn in every repeat (A B C, A B C, ...). ``calls``: how many calls of a variant a repeat times
    (one by default); ``before(name)`` runs untimed before each variant's turn (a quota reset).
    CPU time is the whole process's, every thread's."""
    found: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, func in variants.items():
            count = (calls or {}).get(name, 1)
            if before is not None:
                before(name)
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(count):
                func()
            found[name].append(((time.perf_counter() - wall) / count, (time.process_time() - cpu) / count))
    return found


def ratio(ours: float, floor: float) -> float:
    return ours / floor if floor else float("nan")


def machine() -> str:
    """The processor, its cores and the load when the bench started: a busy machine's figures say so."""
    model = ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        model = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name")), "")
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} cores{' (' + model + ')' if model else ''}, load average {load:.2f} at the start"


def have_ccxt() -> bool:
    try:
        import ccxt  # noqa: F401
    except ImportError:
        return False
    return True
