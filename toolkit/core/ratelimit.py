"""Client-side rate limiting: one token bucket per documented limit.

An endpoint names the limits it counts against (its own, plus pools shared with other
endpoints); a request waits until every one of them has room. Buckets start full, as the
exchanges' windows do, and refill continuously, which never exceeds a fixed-window limit.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """``count`` units every ``seconds`` in the pool ``key``; a request costs ``weight`` units."""

    key: str
    count: float
    seconds: float
    weight: float = 1


class RateLimiter:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._stamp: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}

    def acquire(self, limits: Iterable[Limit]) -> float:
        """Wait until every limit has room, take the tokens, and return the seconds waited."""
        limits = list(limits)
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                wait = max((self._shortfall(limit, now) for limit in limits), default=0.0)
                if wait <= 0:
                    for limit in limits:
                        self._tokens[limit.key] -= limit.weight
                    return waited
            self._sleep(wait)
            waited += wait

    def block(self, key: str, seconds: float) -> None:
        """Hold every request in pool ``key`` for ``seconds`` (after a 429 or a low quota)."""
        with self._lock:
            until = self._clock() + seconds
            self._blocked_until[key] = max(self._blocked_until.get(key, 0.0), until)
            self._tokens[key] = min(self._tokens.get(key, 0.0), 0.0)

    def _shortfall(self, limit: Limit, now: float) -> float:
        """Seconds until ``limit`` can pay its weight (0 when it can now); refills the bucket."""
        blocked = self._blocked_until.get(limit.key, 0.0) - now
        rate = limit.count / limit.seconds
        tokens = self._tokens.get(limit.key, limit.count)
        last = self._stamp.get(limit.key, now)
        tokens = min(limit.count, tokens + (now - last) * rate)
        self._tokens[limit.key] = tokens
        self._stamp[limit.key] = now
        if blocked > 0:
            return blocked
        needed = min(limit.weight, limit.count) - tokens
        # A tolerance, because float refills can leave a shortfall too small to ever sleep off.
        return needed / rate if needed > 1e-9 else 0.0
