"""Binance's error codes (BN-B10); anything else falls back on the HTTP-like status of the answer."""

from __future__ import annotations

from toolkit.core.client import ErrorTable
from toolkit.errors import (
    AuthenticationError,
    ExchangeUnavailable,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
)

ERRORS = ErrorTable(
    codes={
        "-1002": PermissionDenied,
        "-1003": RateLimited,
        "-1007": ExchangeUnavailable,
        "-1008": ExchangeUnavailable,
        "-1015": RateLimited,
        "-1021": AuthenticationError,
        "-1022": AuthenticationError,
        "-1102": InvalidRequest,
        "-1125": InvalidRequest,
        "-2014": AuthenticationError,
        "-2015": AuthenticationError,
        "-2035": InvalidRequest,
        "-2036": InvalidRequest,
        "-2042": InvalidRequest,
    },
    # "Timestamp for this request is outside of the recvWindow."
    timestamp=frozenset({"-1021"}),
    # "Way too much request weight used; IP banned until ..." (with the ban's end in its data).
    bans=frozenset({"-1003"}),
)
