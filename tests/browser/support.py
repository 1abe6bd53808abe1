"""Plain helpers for the browser check (the fixtures built on them live in conftest.py).

Only the standard library is imported here: the main test environment collects this folder too
(and deselects it), and it has neither Playwright nor JupyterLab.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; Playwright's own download cannot work here
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each Plotly figure: its .main-svg layers, the traces it drew, and the visible traces it was given
# (_fullData is what Plotly attaches to the div once it has processed the figure).
_FIGURES_JS = """
(selector) => Array.from(document.querySelectorAll(selector)).map((div) => ({
    id: div.id || '(no id)',
    svgs: div.querySelectorAll('.main-svg').length,
    drawn: div.querySelectorAll('.main-svg .trace').length,
    given: (div._fullData || []).filter((t) => t.visible === true).length,
    notes: div.querySelectorAll('.annotation').length,
}))
"""
# Drawn: an SVG with every trace it was given; or, for a figure that is only a note by design
# (no data, or a residual of zeros said in one sentence), no traces and its note.
_DRAWN_JS = "(f) => f.svgs > 0 && ((f.given > 0 && f.drawn >= f.given) || (f.given === 0 && f.notes > 0))"


class Deadline:
    """One time budget for a whole test, so that no sequence of waits can hang CI."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; fails the test once the budget is spent."""
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"the browser test used up its {self.seconds:.0f} s budget")
        return remaining

    def ms(self, cap: float | None = None) -> float:
        """Milliseconds left (at most ``cap`` seconds), the unit Playwright's timeouts take."""
        left = self.left() if cap is None else min(self.left(), cap)
        return left * 1000


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM if pytest dies without its teardown (e.g. an outer `timeout` kill)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _children(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from /proc), so that those in sessions of their own are found too."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            # The command name in field 2 may hold spaces and brackets: the parent pid follows the last ')'.
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        todo += kids
    return found


def _kill(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended with its group
        os.kill(pid, sig)


def stop_process_tree(proc: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """Stop a process started with ``start_new_session=True``: its group, then any straggler.

    Jupyter starts each kernel in a session of its own (so it can interrupt it), so killing the
    server's process group alone could leave a kernel behind if the server itself had to be killed.
    """
    if proc.poll() is not None:
        return
    descendants = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGTERM)  # Jupyter shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace)
    for pid in descendants:
        _kill(pid, signal.SIGKILL)


def block_network(page: Page, allowed: Callable[[str], bool]) -> list[str]:
    """Abort every request whose URL ``allowed`` refuses; returns the list of refused URLs as they come."""
    refused: list[str] = []

    def handle(route: Route) -> None:
        url = route.request.url
        if allowed(url):
            route.continue_()
        else:
            refused.append(url)
            route.abort("blockedbyclient")

    page.route("**/*", handle)
    return refused


def evaluate_within(page: Page, function: str, arg: Any = None, seconds: float = 30.0) -> Any:
    """``page.evaluate`` of an async JS function, given up after ``seconds``: evaluate itself never times out."""
    race = """async ({fn, arg, ms}) => Promise.race([
        (0, eval)(fn)(arg),
        new Promise((_, fail) => setTimeout(() => fail(new Error(`no answer in ${ms} ms`)), ms)),
    ])"""
    return page.evaluate(race, {"fn": function, "arg": arg, "ms": int(seconds * 1000)})


def plotly_figures(page: Page, selector: str) -> list[dict[str, Any]]:
    """For each element matching ``selector``: its id, .main-svg layers, traces drawn and traces given."""
    return list(page.evaluate(_FIGURES_JS, selector))


def wait_for_figures(page: Page, selector: str, count: int, timeout_ms: float) -> list[dict[str, Any]]:
    """Wait until ``count`` figures have drawn every trace they were given (or their note), then describe them.

    Returns the description either way, for the caller's assertion message.
    """
    js = f"(s) => ({_FIGURES_JS})(s).filter({_DRAWN_JS}).length >= {count}"
    try:
        page.wait_for_function(js, arg=selector, timeout=timeout_ms)
    except Exception as exc:  # a Playwright TimeoutError: the caller's assertion explains what was there
        if type(exc).__name__ != "TimeoutError":
            raise
    return plotly_figures(page, selector)


def unrendered(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The figures that drew no SVG, fewer traces than they were given, or (given none) no note."""
    traces_drawn = [f["given"] > 0 and f["drawn"] >= f["given"] for f in figures]
    note_drawn = [f["given"] == 0 and f.get("notes", 0) > 0 for f in figures]
    return [f for f, t, n in zip(figures, traces_drawn, note_drawn, strict=True) if not (f["svgs"] > 0 and (t or n))]
