"""The offset between this machine's clock and the exchange's, for signed timestamps."""

from __future__ import annotations

import threading
from collections.abc import Callable

from toolkit.core.redact import get_logger
from toolkit.core.timeutil import now_ms

log = get_logger(__name__)


class Clock:
    """Exchange time = local time + ``offset_ms``.

    ``fetch_server_ms`` asks the exchange for its time. The offset is measured on first use
    (unless ``sync=False``: trust the local clock) and again after a timestamp rejection.
    """

    def __init__(self, fetch_server_ms: Callable[[], int], *, sync: bool = True) -> None:
        self._fetch = fetch_server_ms
        self._lock = threading.Lock()
        self._synced = not sync
        self.offset_ms = 0
        self.generation = 0

    def now_ms(self) -> int:
        if not self._synced:
            with self._lock:
                # Checked again under the lock: threads that waited for the first sync use its result.
                if not self._synced:
                    self._measure()
        return now_ms() + self.offset_ms

    def resync(self, seen: int | None = None) -> int:
        """Measure the offset against the exchange (half the round trip is the transit time).

        ``seen`` is the ``generation`` the rejected request was signed in: when another thread has
        measured since, its offset is used rather than measured again.
        """
        with self._lock:
            if seen is not None and self.generation != seen:
                return self.offset_ms
            return self._measure()

    def _measure(self) -> int:
        before = now_ms()
        server = self._fetch()
        after = now_ms()
        self.offset_ms = server - (before + after) // 2
        self._synced = True
        self.generation += 1
        log.debug("clock offset %d ms (round trip %d ms)", self.offset_ms, after - before)
        return self.offset_ms
