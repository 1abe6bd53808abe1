"""Binance WebSocket API methods (BN-WS) as data: weights (BN-B11), envelope, columns.

Every method counts against the REQUEST_WEIGHT pool of 6000 a minute per IP, shared with REST.
"""

from __future__ import annotations

from toolkit.core.endpoint import Endpoint, Envelope, Param
from toolkit.core.frames import BOOL, INT, NUM, OBJ, STR, TIME
from toolkit.core.ratelimit import Limit

PRODUCTION_URL = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3"
DOCS = "https://developers.binance.com/docs/binance-spot-api-docs/websocket-api/"
REQUEST_WEIGHT_PER_MINUTE = 6000

# {"id", "status": 200, "result": ...} or {"id", "status": 4xx, "error": {"code", "msg", "data"}}.
ENVELOPE = Envelope(code="error.code", message=("error.msg",), data="result", status="status")


def _method(name: str, weight: int, columns: dict[str, str] | None = None, **kw: object) -> Endpoint:
    limit = Limit("binance:REQUEST_WEIGHT", REQUEST_WEIGHT_PER_MINUTE, 60.0, weight)
    return Endpoint("", name, columns or {}, limits=(limit,), **kw)  # type: ignore[arg-type]


ACCOUNT_COLUMNS = {
    "asset": STR, "free": NUM, "locked": NUM, "makerCommission": INT, "takerCommission": INT,
    "buyerCommission": INT, "sellerCommission": INT, "canTrade": BOOL, "canWithdraw": BOOL, "canDeposit": BOOL,
    "commissionRates_maker": NUM, "commissionRates_taker": NUM, "commissionRates_buyer": NUM,
    "commissionRates_seller": NUM, "brokered": BOOL, "requireSelfTradePrevention": BOOL, "preventSor": BOOL,
    "updateTime": TIME, "accountType": STR, "permissions": OBJ, "uid": STR,
}  # fmt: skip
RATE_LIMIT_COLUMNS = {"rateLimitType": STR, "interval": STR, "intervalNum": INT, "limit": INT, "count": INT}

TIME_ = _method("time", 1, {"serverTime": TIME}, signed=False, docs=DOCS + "general-requests")
ACCOUNT_STATUS = _method(
    "account.status",
    20,
    ACCOUNT_COLUMNS,
    params={"omit_zero_balances": Param("omitZeroBalances")},
    docs=DOCS + "account-requests",
)
ORDER_RATE_LIMITS = _method("account.rateLimits.orders", 40, RATE_LIMIT_COLUMNS, docs=DOCS + "account-requests")
SUBSCRIBE = _method("userDataStream.subscribe.signature", 2, docs=DOCS + "user-data-stream-requests")
UNSUBSCRIBE = _method(
    "userDataStream.unsubscribe",
    2,
    params={"subscription_id": Param("subscriptionId", required=True)},
    signed=False,
    docs=DOCS + "user-data-stream-requests",
)
