"""Client-side rate limiting: a sliding window per documented limit.

An endpoint names the limits it counts against (its own, plus pools shared with other
endpoints); a request waits until every one of them has room: until what was sent in the last
``seconds`` of the pool leaves room for its weight. Unlike a token bucket (a full burst, then a
steady refill: up to twice ``count`` in one window), this never exceeds a fixed-window or a
sliding-window limit, which is how the exchanges count.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Servers count a request when it arrives: one sent just as a window turns may land in the old
# one. Each window is waited out this much longer.
ARRIVAL_MARGIN_SECONDS = 0.05


@dataclass(frozen=True)
class Limit:
    """``count`` units every ``seconds`` in the pool ``key``; a request costs ``weight`` units."""

    key: str
    count: float
    seconds: float
    weight: float = 1


class Usage:
    """What each pool spent in its last window: (moment, weight) of each request, oldest first."""

    def __init__(self, margin: float = 0.0) -> None:
        self.margin = margin
        self._sent: dict[str, deque[tuple[float, float]]] = {}
        self._spent: dict[str, float] = {}  # the weights in each pool's window, summed as they come and go

    def wait(self, limit: Limit, now: float) -> float:
        """Seconds until ``limit`` has room for its weight (0 when it has now)."""
        window = limit.seconds + self.margin
        sent = self._sent.setdefault(limit.key, deque())
        while sent and sent[0][0] <= now - window:
            self._spent[limit.key] -= sent.popleft()[1]
        if not sent:
            self._spent[limit.key] = 0.0  # no drift of float weights left over
        # A weight above the whole limit waits for an empty window, then goes alone.
        excess = self._spent[limit.key] + min(limit.weight, limit.count) - limit.count
        for moment, weight in sent:  # the oldest requests leave the window first
            if excess <= 1e-9:  # a tolerance for float weights
                break
            excess -= weight
            if excess <= 1e-9:
                return moment + window - now
        return 0.0

    def spend(self, limits: Iterable[Limit], now: float) -> None:
        for limit in limits:
            self._sent.setdefault(limit.key, deque()).append((now, limit.weight))
            self._spent[limit.key] = self._spent.get(limit.key, 0.0) + limit.weight


class SkippingClock:
    """A monotonic clock that skips its waits: ``sleep(seconds)`` moves it ``seconds`` ahead at once.
    Demo mode gives it to the clients' limiters and to the sandboxes' limit counters alike, so every
    documented limit is still counted (and a wait is still said) while no one sits it out."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ahead = 0.0

    def monotonic(self) -> float:
        return time.monotonic() + self._ahead

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._ahead += max(0.0, seconds)


class WaitTooLong(Exception):
    """The room a limit would give comes later than the caller may wait: ``seconds`` from now."""

    def __init__(self, seconds: float, limit: Limit) -> None:
        super().__init__(seconds)
        self.seconds = seconds
        self.limit = limit


class RateLimiter:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._usage = Usage(ARRIVAL_MARGIN_SECONDS)
        self._blocked_until: dict[str, float] = {}

    def acquire(
        self,
        limits: Iterable[Limit],
        *,
        within: float | None = None,
        on_wait: Callable[[float, Limit], None] | None = None,
    ) -> float:
        """Wait until every limit has room, count the request, and return the seconds waited.

        ``within``: the seconds the caller may still wait in all; a wait that would pass it raises
        ``WaitTooLong`` at once, before sleeping. ``on_wait(seconds, limit)`` hears of each wait.
        """
        limits = list(limits)
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                shortfalls = [(self._shortfall(limit, now), limit) for limit in limits]
                wait, limit = max(shortfalls, key=lambda pair: pair[0], default=(0.0, None))
                if wait <= 0 or limit is None:
                    self._usage.spend(limits, now)
                    return waited
            if within is not None and waited + wait > within:
                raise WaitTooLong(wait, limit)
            if on_wait is not None:
                on_wait(wait, limit)
            self._sleep(wait)
            waited += wait

    def block(self, key: str, seconds: float) -> None:
        """Hold every request in pool ``key`` for ``seconds`` (after a 429 or a low quota)."""
        with self._lock:
            until = self._clock() + seconds
            self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)

    def _shortfall(self, limit: Limit, now: float) -> float:
        return max(self._blocked_until.get(limit.key, 0.0) - now, self._usage.wait(limit, now))
