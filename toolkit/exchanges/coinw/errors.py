"""CoinW's error codes (reference sheet 2.5: CoinW publishes few spot codes; the rest are what ccxt
and JKorf map)."""

from __future__ import annotations

from toolkit.core.client import ErrorTable
from toolkit.errors import (
    AuthenticationError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
)

# 29001 is the start of CoinW's escalation (5-minute warning at half the limits, then a
# 30-second ban, then an 8-hour blacklist): wait longer than a ban, and try once more only.
RATE_LIMIT_CODE = "29001"
RATE_LIMIT_PAUSE_SECONDS = 30.0

ERRORS = ErrorTable(
    codes={
        RATE_LIMIT_CODE: RateLimited,
        **dict.fromkeys(("1003", "6000", "6001", "10006", "10007"), AuthenticationError),
        **dict.fromkeys(("6003", "10004", "10005"), PermissionDenied),
        **dict.fromkeys(("-103", "-3", "402", "10002", "10003"), InvalidRequest),
        "200005": InsufficientFunds,
        "-200": ExchangeUnavailable,
    }
)
