"""Bans: when an exchange bans this IP (HTTP 418, or a ban code), no request goes to that server
from this process until the ban ends; each one that would is refused at once as ``RateLimited``.

Bans are kept per base URL: a ban from a testnet or a local sandbox says nothing of the exchange's
real servers.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from toolkit.errors import RateLimited

# A ban without a stated end (a 418 with no Retry-After) lasts at least this long (Binance: 2 min).
DEFAULT_BAN_SECONDS = 120.0

_until: dict[str, float] = {}  # base URL -> time.time() the ban ends
_lock = threading.Lock()


def note(base_url: str, err: RateLimited, codes: frozenset[str]) -> None:
    """Remember a ban of ``base_url`` if ``err`` is one (its wait is already bounded)."""
    if err.http_status != 418 and (err.code or "") not in codes:
        return
    seconds = err.retry_after if err.retry_after is not None else DEFAULT_BAN_SECONDS
    with _lock:
        _until[base_url] = max(_until.get(base_url, 0.0), time.time() + seconds)


def check(base_url: str, exchange: str, endpoint: str) -> None:
    """Refuse, before anything is sent, a request to a server whose ban has not ended."""
    with _lock:
        ends = _until.get(base_url, 0.0)
    left = ends - time.time()
    if left > 0:
        when = datetime.fromtimestamp(ends, UTC)
        raise RateLimited(
            exchange,
            endpoint,
            message=(
                f"not sent: {exchange} ({base_url}) banned this IP until {when:%Y-%m-%d %H:%M:%S} UTC "
                f"({left:.0f} s from now)"
            ),
            retry_after=left,
        )


def lift(base_url: str | None = None) -> None:
    """Forget the ban of ``base_url`` (or every ban): for tests, or after the exchange lifted it."""
    with _lock:
        if base_url is None:
            _until.clear()
        else:
            _until.pop(base_url, None)
