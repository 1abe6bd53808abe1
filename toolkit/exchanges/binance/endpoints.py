"""Binance WebSocket API methods (BN-WS) as data: weights (BN-B11), envelope, columns.

Every method counts against the REQUEST_WEIGHT pool of 6000 a minute per IP, shared with REST.
"""

from __future__ import annotations

from typing import Any

from toolkit.core.candles import CandleSpec
from toolkit.core.endpoint import Endpoint, Envelope, Param, ms
from toolkit.core.frames import BOOL, INT, NUM, OBJ, STR, TIME, UTC_TEXT
from toolkit.core.paging import CountedPages, FanOut, FromId, Offset, Window
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import DAY_MS

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
    required=("asset", "free", "locked"),
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

# ----------------------------------------------------------------------------- history
# Facts: binance/binance-spot-api-docs (web-socket-api.md, rest-api.md) and the wallet pages of
# developers.binance.com (docs/reference-additions.md, part "Binance").

INVALID_SYMBOL = "-1121"  # BN-ERR: "Invalid symbol."
MY_TRADES = _method(
    "myTrades",
    20,
    {
        "symbol": STR,
        "id": STR,
        "orderId": STR,
        "orderListId": STR,
        "price": NUM,
        "qty": NUM,
        "quoteQty": NUM,
        "commission": NUM,
        "commissionAsset": STR,
        "time": TIME,
        "isBuyer": BOOL,
        "isMaker": BOOL,
        "isBestMatch": BOOL,
    },
    params={"symbol": Param("symbol", required=True)},
    # One market a request (the symbol is mandatory): the runner asks each market of the list in
    # turn and says per market what it read; a market Binance does not list (-1121 "Invalid
    # symbol.") is left out and named, the others are still read.
    fan_out=FanOut("symbol", coverage="symbols", refused=(INVALID_SYMBOL,)),
    # fromId walks a symbol's whole history oldest first, 1000 a request; it cannot be combined
    # with a time range (whose span is at most 24 hours), so the range is applied to what comes back.
    paging=FromId("fromId", "id", 1000),
    # A fill's id counts within its market (fromId walks one market's ids); that ids never repeat
    # across markets is UNCONFIRMED, so no id_field: a fill is the same fill only as a whole row
    # (its symbol included), and every fill must still carry its id.
    required=("id",),
    time_field="time",
    docs=DOCS + "account-requests#account-trade-history-user_data",
)

# ----------------------------------------------------------------------------- market data

CANDLE_CAP = 1000  # "Default: 500; Maximum: 1000"
KLINES = _method(
    "klines",
    2,
    {
        "openTime": TIME,
        "open": NUM,
        "high": NUM,
        "low": NUM,
        "close": NUM,
        "volume": NUM,
        "closeTime": TIME,
        "quoteVolume": NUM,
        "trades": INT,
        "takerBuyBaseVolume": NUM,
        "takerBuyQuoteVolume": NUM,
    },
    params={
        "symbol": Param("symbol", required=True),
        "interval": Param("interval", required=True),
        "start_time": Param("startTime", ms),
        "end_time": Param("endTime", ms),
    },
    fixed={"limit": CANDLE_CAP},
    signed=False,
    # The twelfth value is "Unused field, ignore".
    positions=(
        "openTime",
        "open",
        "high",
        "low",
        "close",
        "volume",
        "closeTime",
        "quoteVolume",
        "trades",
        "takerBuyBaseVolume",
        "takerBuyQuoteVolume",
    ),
    id_field="openTime",
    time_field="openTime",
    docs=DOCS + "market-data-requests#klines",
)
CANDLES = CandleSpec(
    KLINES,
    {name: name for name in ("1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w")},
    CANDLE_CAP,
    separator="",
    rename={"open_time": "time"},
)

REST_URL = "https://api.binance.com"
REST_DOCS = "https://developers.binance.com/docs/wallet/"
# Binance's /sapi limits: per minute, 12,000 weight per IP and 180,000 per UID, each endpoint its own.
REST_ENVELOPE = Envelope(code="code", message=("msg",), data=None)
REST_TIME = Endpoint("GET", "/api/v3/time", {"serverTime": TIME}, signed=False, one=True)
NINETY_DAYS = 90 * DAY_MS - 1  # "the span must be less than 90 days"


def _sapi(path: str, per: str, weight: int, columns: dict[str, str], method: str = "GET", **kw: Any) -> Endpoint:
    limit = Limit(f"binance:sapi:{path}", 12_000 if per == "ip" else 180_000, 60.0, weight)
    return Endpoint(method, path, columns, limits=(limit,), envelope=REST_ENVELOPE, **kw)


TRANSACTION_TIME = {"start_time": Param("startTime", ms), "end_time": Param("endTime", ms)}
DEPOSIT_HISTORY = _sapi(
    "/sapi/v1/capital/deposit/hisrec",
    "ip",
    1,
    {
        "id": STR,
        "amount": NUM,
        "coin": STR,
        "network": STR,
        "status": INT,
        "address": STR,
        "addressTag": STR,
        "txId": STR,
        "insertTime": TIME,
        "completeTime": TIME,
        "transferType": INT,
        "confirmTimes": STR,
        "unlockConfirm": INT,
        "walletType": INT,
        "travelRuleStatus": INT,
    },
    params={"asset": Param("coin"), **TRANSACTION_TIME},
    paging=Offset("offset", "limit", 1000),
    window=Window(NINETY_DAYS, NINETY_DAYS),
    id_field="id",
    time_field="insertTime",
    docs=REST_DOCS + "capital/deposite-history",
)
WITHDRAW_HISTORY = _sapi(
    "/sapi/v1/capital/withdraw/history",
    "uid",
    18_000,
    {
        "id": STR,
        "amount": NUM,
        "transactionFee": NUM,
        "coin": STR,
        "status": INT,
        "address": STR,
        "txId": STR,
        "applyTime": UTC_TEXT,
        "network": STR,
        "transferType": INT,
        "withdrawOrderId": STR,
        "info": STR,
        "confirmNo": INT,
        "walletType": INT,
        "txKey": STR,
        "completeTime": UTC_TEXT,
    },
    params={"asset": Param("coin"), **TRANSACTION_TIME},
    paging=Offset("offset", "limit", 1000),
    window=Window(NINETY_DAYS, NINETY_DAYS),
    id_field="id",
    time_field="applyTime",
    docs=REST_DOCS + "capital/withdraw-history",
)
ACCOUNT_SNAPSHOT = _sapi(
    "/sapi/v1/accountSnapshot",
    "ip",
    2400,
    {"updateTime": TIME, "type": STR, "totalAssetOfBtc": NUM, "asset": STR, "free": NUM, "locked": NUM},
    fixed={"type": "SPOT", "limit": 30},
    params=TRANSACTION_TIME,
    records=("snapshotVos",),
    # "The query time period must be less then 30 days"; "within the last one month only".
    window=Window(30 * DAY_MS - 1, 30 * DAY_MS - 1),
    time_field="updateTime",
    docs=REST_DOCS + "account/daily-account-snapshoot",
)
# "Only return last 100 records", "only return records after 2020/12/01"; no paging. The longest
# span and the range served without times are UNCONFIRMED: the range is passed on as given.
DUST_LOG = _sapi(
    "/sapi/v1/asset/dribblet",
    "ip",
    1,
    {
        "operateTime": TIME,
        "transId": STR,
        "fromAsset": STR,
        "amount": NUM,
        "transferedAmount": NUM,
        "serviceChargeAmount": NUM,
        "targetAsset": STR,  # in the official SDK's example, not on the docs page
        # The conversion's totals, repeated on each of its rows (amounts, like the details').
        "totalTransferedAmount": NUM,
        "totalServiceChargeAmount": NUM,
    },
    params=TRANSACTION_TIME,
    records=("userAssetDribblets",),
    # One row per detail; a detail's transId is kept where its conversion's differs (45178372831
    # and 4359321 in the documented example): which of the two other records cite is UNCONFIRMED.
    explode="userAssetDribbletDetails",
    docs=REST_DOCS + "asset/dust-log",
)

# ----------------------------------------------------------------------------- wallet event sources
# Facts: developers.binance.com (convert, simple_earn, wallet/asset pages) and the official
# binance/binance-connector-python clients and unit tests (commit 29da3291); docs/reference-additions.md.

THIRTY_DAYS = 30 * DAY_MS
CONVERT_CAP = 1000  # "limit: Default 100, Max 1000"
CONVERT_HISTORY = _sapi(
    "/sapi/v1/convert/tradeFlow",
    "uid",
    3000,
    {
        "quoteId": STR,
        # Above 2**53 in the documented example (940708407462087195): kept as its digits, never a float.
        "orderId": STR,
        "orderStatus": STR,
        "fromAsset": STR,
        "fromAmount": NUM,
        "toAsset": STR,
        "toAmount": NUM,
        "ratio": NUM,
        "inverseRatio": NUM,
        "createTime": TIME,
    },
    fixed={"limit": CONVERT_CAP},
    params={"start_time": Param("startTime", ms, required=True), "end_time": Param("endTime", ms, required=True)},
    records=("list",),
    # "The max interval between startTime and endTime is 30 days"; both are required, so the last
    # 30 days without a start. There is no cursor, and what the answer's moreData means is
    # UNCONFIRMED: an answer as long as the limit may hide more, so its window is asked in halves.
    # How far back the history goes is UNCONFIRMED.
    window=Window(THIRTY_DAYS, THIRTY_DAYS, halve_at=CONVERT_CAP),
    id_field="orderId",
    time_field="createTime",
    docs="https://developers.binance.com/docs/convert/trade/Get-Convert-Trade-History",
)

# Simple Earn history: weight IP 150 each; current (from 1) and size ("Default:10, Max:100"),
# answers {"rows": [...], "total": N}. The longest span: the docs pages say "cannot be longer
# than 3 months", the official SDK's docstrings 30 days since its 2026-03-16 release, and users
# report -6021 "Query time range too large" (rotki issues; in no Binance error list, UNCONFIRMED):
# the safe 30 days. Without times Binance serves the last 30 days, the default here too. How far
# back the history goes, and whether an empty answer keeps "rows", are UNCONFIRMED.
EARN_PAGES = CountedPages("current", "size", 100, "total")
EARN_WINDOW = Window(THIRTY_DAYS, THIRTY_DAYS)
EARN_DOCS = "https://developers.binance.com/docs/simple_earn/flexible-locked/history/"
# The fields both products' subscriptions document (amtFromSpot and amtFromFunding only with
# sourceAccount SPOTANDFUNDING). Ids are numbers in some copies of the docs and text in others:
# STR keeps either as its digits.
SUBSCRIPTION_COLUMNS = {
    "amount": NUM, "asset": STR, "time": TIME, "purchaseId": STR, "type": STR,
    "sourceAccount": STR, "amtFromSpot": NUM, "amtFromFunding": NUM, "status": STR,
}  # fmt: skip
FLEXIBLE_REDEMPTION_COLUMNS = {
    "amount": NUM, "asset": STR, "time": TIME, "projectId": STR, "redeemId": STR, "destAccount": STR, "status": STR,
}  # fmt: skip
LOCKED_REDEMPTION_COLUMNS = {
    "positionId": STR, "redeemId": STR, "time": TIME, "asset": STR, "lockPeriod": INT, "amount": NUM,
    "originalAmount": NUM, "type": STR,
    "deliverDate": TIME,  # text of epoch ms on the docs page, a number in the SDK's example: read alike
    "lossAmount": NUM, "isComplete": BOOL, "rewardAsset": STR, "rewardAmt": NUM, "extraRewardAsset": STR,
    "estExtraRewardAmt": NUM, "status": STR,
}  # fmt: skip


def _earn(product: str, record: str, columns: dict[str, str], page: str, **kw: Any) -> Endpoint:
    return _sapi(
        f"/sapi/v1/simple-earn/{product}/history/{record}",
        "ip",
        150,
        columns,
        params={"asset": Param("asset"), **TRANSACTION_TIME},
        records=("rows",),
        paging=EARN_PAGES,
        window=EARN_WINDOW,
        time_field="time",
        docs=EARN_DOCS + page,
        **kw,
    )


SIMPLE_EARN = {
    ("flexible", "subscription"): _earn(
        "flexible",
        "subscriptionRecord",
        # productId: in the official SDK's example, not on the docs page.
        {**SUBSCRIPTION_COLUMNS, "productId": STR},
        "Get-Flexible-Subscription-Record",
        id_field="purchaseId",
    ),
    ("flexible", "redemption"): _earn(
        "flexible",
        "redemptionRecord",
        FLEXIBLE_REDEMPTION_COLUMNS,
        "Get-Flexible-Redemption-Record",
        id_field="redeemId",
    ),
    ("flexible", "rewards"): _earn(
        "flexible",
        "rewardsRecord",
        {"asset": STR, "rewards": NUM, "projectId": STR, "type": STR, "time": TIME},
        "Get-Flexible-Rewards-History",
        # The docs table marks type mandatory and its text says ALL is the default: always sent.
        fixed={"type": "ALL"},
        # No id: a reward is its whole row (the runner drops exact repeats).
    ),
    ("locked", "subscription"): _earn(
        "locked",
        "subscriptionRecord",
        {**SUBSCRIPTION_COLUMNS, "positionId": STR, "projectId": STR, "lockPeriod": INT},
        "Get-Locked-Subscription-Record",
        id_field="purchaseId",
    ),
    ("locked", "redemption"): _earn(
        "locked",
        "redemptionRecord",
        LOCKED_REDEMPTION_COLUMNS,
        "Get-Locked-Redemption-Record",
        id_field="redeemId",
    ),
    ("locked", "rewards"): _earn(
        "locked",
        "rewardsRecord",
        # A position's rewards of one day share positionId and time ("Locked Rewards", "Boost
        # Rewards"): no id, the whole row is the record. The docs example lists two rows under
        # "total": 1 (the SDK's, one): whether total counts rows is UNCONFIRMED; a page holding
        # more rows than total declares is refused, not guessed at.
        {"positionId": STR, "time": TIME, "asset": STR, "lockPeriod": INT, "amount": NUM, "type": STR},
        "Get-Locked-Rewards-History",
    ),
}

UNIVERSAL_TRANSFER = _sapi(
    "/sapi/v1/asset/transfer",
    "ip",
    1,
    {"asset": STR, "amount": NUM, "type": STR, "status": STR, "tranId": STR, "timestamp": TIME},
    params={"transfer_type": Param("type", required=True), **TRANSACTION_TIME},
    records=("rows",),
    paging=CountedPages("current", "size", 100, "total"),  # "size: Default 10, Max 100"
    # "Support query within the last 6 months only"; "If startTime and endTime not sent, return
    # records of the last 7 days by default". The longest span one request may ask is UNCONFIRMED:
    # windows of 7 days, the span Binance serves by default (each costs weight 1).
    window=Window(7 * DAY_MS, 7 * DAY_MS),
    id_field="tranId",
    time_field="timestamp",
    docs=REST_DOCS + "asset/query-user-universal-transfer",
)

# A POST that only reads. Its parameters go in the query string (Binance takes either that or a
# form body); needBtcValuation ("true or false") is always asked for, as btcValuation is one of the
# columns. What btcValuation is without it (left out or "0") is UNCONFIRMED.
FUNDING_ASSETS = _sapi(
    "/sapi/v1/asset/get-funding-asset",
    "ip",
    1,
    {"asset": STR, "free": NUM, "locked": NUM, "freeze": NUM, "withdrawing": NUM, "btcValuation": NUM},
    method="POST",
    place="query",
    fixed={"needBtcValuation": "true"},
    params={"asset": Param("asset")},
    required=("asset", "free"),
    docs=REST_DOCS + "asset/funding-wallet",
)

# The flexible products' positions: what the earn account holds (weight IP 150, as every Simple
# Earn endpoint; current/size paged on total like the history). No time parameters.
EARN_POSITIONS = _sapi(
    "/sapi/v1/simple-earn/flexible/position",
    "ip",
    150,
    {
        "totalAmount": NUM,
        "tierAnnualPercentageRate": OBJ,
        "latestAnnualPercentageRate": NUM,
        "yesterdayAirdropPercentageRate": NUM,
        "asset": STR,
        "airDropAsset": STR,
        "canRedeem": BOOL,
        "collateralAmount": NUM,
        "productId": STR,
        "yesterdayRealTimeRewards": NUM,
        "cumulativeBonusRewards": NUM,
        "cumulativeRealTimeRewards": NUM,
        "cumulativeTotalRewards": NUM,
        "autoSubscribe": BOOL,
    },
    params={"asset": Param("asset")},
    records=("rows",),
    paging=CountedPages("current", "size", 100, "total"),
    required=("asset", "totalAmount"),
    accounts=("earn",),
    docs="https://developers.binance.com/docs/simple_earn/flexible-locked/account/Get-Flexible-Product-Position",
)
