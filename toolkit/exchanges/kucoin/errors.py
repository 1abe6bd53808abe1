"""KuCoin's error codes (reference A4: legacy docs, v2 docs and the docs-new gateway table)."""

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
            ("400001", "400002", "400003", "400004", "400005", "400008", "400009", "400011", "400012", "400201"),
            AuthenticationError,
        ),
        **dict.fromkeys(("400006", "400007", "400010", "400202", "400301", "411100"), PermissionDenied),
        **dict.fromkeys(("400100", "404000", "415000", "260210", "260325"), InvalidRequest),
        **dict.fromkeys(("429000", "200002", "1015"), RateLimited),
        "200004": InsufficientFunds,
        "500000": ExchangeUnavailable,
    },
    timestamp=frozenset({"400002"}),
    # 400100 is "Parameter Error", except that KuCoin reports a short balance with it too.
    by_message={"400100": ("account.available.amount", InsufficientFunds)},
)
