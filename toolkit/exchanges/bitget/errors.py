"""Bitget's error codes (reference sheet 1.5: the codes public clients quote)."""

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

ERRORS = ErrorTable(
    codes={
        **dict.fromkeys(
            (
                "40001",
                "40002",
                "40003",
                "40004",
                "40005",
                "40006",
                "40008",
                "40009",
                "40010",
                "40011",
                "40012",
                "40037",
            ),
            AuthenticationError,
        ),
        **dict.fromkeys(("40013", "40014", "40016", "40018", "40021", "40038"), PermissionDenied),
        **dict.fromkeys(("40007", "40017", "40019", "40704", "40705", "40707", "43111"), InvalidRequest),
        "40015": ExchangeUnavailable,
        # A key of the other account mode: a classic account on a v3 (UTA) endpoint (40084), a
        # unified one on a classic endpoint (40085). Seen by public clients, UNCONFIRMED in Bitget's list.
        **dict.fromkeys(("40084", "40085"), InvalidRequest),
        "43012": InsufficientFunds,
        "429": RateLimited,
    },
    # "Request timestamp expired" and "invalid ACCESS-TIMESTAMP".
    timestamp=frozenset({"40004", "40008"}),
)
CLASSIC_ACCOUNT, UNIFIED_ACCOUNT = "40084", "40085"
