"""Bitget spot account endpoints (API v2) as data.

The seed names v1 endpoints that Bitget retired; each is replaced by the v2 endpoint from
Bitget's "V2 API Update Guide" mapping table (reference sheet 1.6). Limits are Bitget's
per-endpoint requests per second (per UID for private endpoints).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from toolkit.core.candles import CandleSpec
from toolkit.core.endpoint import Endpoint, Envelope, Param, ms, new_client_order_id, positive
from toolkit.core.frames import NUM, OBJ, STR, TIME
from toolkit.core.paging import Cursor, NextCursor, Window
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import DAY_MS

DOCS = "https://www.bitget.com/api-doc/spot/account/"
SPAN_90_DAYS = 90 * DAY_MS

ENVELOPE = Envelope(code="code", ok_codes=frozenset({"00000"}), message=("msg", "message"), data="data")


def _endpoint(method: str, path: str, per_second: int, columns: dict[str, str], **kw: Any) -> Endpoint:
    return Endpoint(method, path, columns, limits=(Limit(path, per_second, 1.0),), **kw)


def _history(id_field: str, time_field: str, page_size: int) -> dict[str, Any]:
    """Newest first, ``idLessThan`` cursor, 90-day windows (Bitget states none for wallet records;
    90 days is what its other records allow)."""
    return {
        "paging": Cursor("idLessThan", id_field, page_size),
        "window": Window(SPAN_90_DAYS, SPAN_90_DAYS),
        "id_field": id_field,
        "time_field": time_field,
    }


TIME_RANGE = {"start_time": Param("startTime", ms), "end_time": Param("endTime", ms)}
CLIENT_OID = Param("clientOid", default=new_client_order_id)
BALANCE_COLUMNS = {"coin": STR, "available": NUM, "frozen": NUM, "locked": NUM, "limitAvailable": NUM, "uTime": TIME}

SERVER_TIME = _endpoint("GET", "/api/v2/public/time", 20, {"serverTime": TIME}, signed=False, one=True)
ACCOUNT_INFO = _endpoint(
    "GET",
    "/api/v2/spot/account/info",
    1,
    {
        "userId": STR,
        "inviterId": STR,
        "channelCode": STR,
        "channel": STR,
        "ips": STR,
        "authorities": OBJ,
        "parentId": STR,
        "traderType": STR,
        "regisTime": TIME,
    },
    docs=DOCS + "Get-Account-Info",
    one=True,
)
ASSETS = _endpoint(
    "GET",
    "/api/v2/spot/account/assets",
    10,
    BALANCE_COLUMNS,
    params={"asset": Param("coin"), "asset_type": Param("assetType")},
    required=("coin", "available"),
    docs=DOCS + "Get-Account-Assets",
)
SUBACCOUNT_ASSETS = _endpoint(
    "GET",
    "/api/v2/spot/account/subaccount-assets",
    10,
    {"userId": STR, **BALANCE_COLUMNS},
    explode="assetsList",
    required=("coin", "available"),
    docs=DOCS + "Get-Subaccount-Assets",
)
BILLS = _endpoint(
    "GET",
    "/api/v2/spot/account/bills",
    10,
    {
        "billId": STR,
        "cTime": TIME,
        "coin": STR,
        "groupType": STR,
        "businessType": STR,
        "size": NUM,
        "balance": NUM,
        "fees": NUM,
    },
    params={
        "asset_id": Param("coin"),
        "group_type": Param("groupType"),
        "biz_type": Param("businessType"),
        **TIME_RANGE,
    },
    **_history("billId", "cTime", 500),
    docs=DOCS + "Get-Account-Bills",
    accounts=("spot",),
)
TRANSFER_RECORDS = _endpoint(
    "GET",
    "/api/v2/spot/account/transferRecords",
    20,
    {
        "transferId": STR,
        "ts": TIME,
        "coin": STR,
        "status": STR,
        "fromType": STR,
        "fromSymbol": STR,
        "toType": STR,
        "toSymbol": STR,
        "size": NUM,
        "clientOid": STR,
    },
    params={
        "asset_id": Param("coin"),
        "from_type": Param("fromType"),
        "client_order_id": Param("clientOid"),
        **TIME_RANGE,
    },
    **_history("transferId", "ts", 500),
    docs=DOCS + "Get-Account-TransferRecords",
    accounts=("spot",),
)
DEPOSIT_ADDRESS = _endpoint(
    "GET",
    "/api/v2/spot/wallet/deposit-address",
    10,
    {"coin": STR, "chain": STR, "address": STR, "tag": STR, "url": STR},
    params={"asset": Param("coin", required=True), "network": Param("chain")},
    docs=DOCS + "Get-Deposit-Address",
    one=True,
)
DEPOSIT_RECORDS = _endpoint(
    "GET",
    "/api/v2/spot/wallet/deposit-records",
    10,
    {
        "orderId": STR,
        "tradeId": STR,
        "coin": STR,
        "type": STR,
        "size": NUM,
        "status": STR,
        "toAddress": STR,
        "dest": STR,
        "chain": STR,
        "fromAddress": STR,
        "cTime": TIME,
        "uTime": TIME,
    },
    params={"asset": Param("coin"), **TIME_RANGE},
    **_history("orderId", "cTime", 100),
    docs=DOCS + "Get-Deposit-Record",
    accounts=("spot",),
)
WITHDRAWAL_RECORDS = _endpoint(
    "GET",
    "/api/v2/spot/wallet/withdrawal-records",
    10,
    {
        "orderId": STR,
        "tradeId": STR,
        "coin": STR,
        "dest": STR,
        "clientOid": STR,
        "type": STR,
        "tag": STR,
        "size": NUM,
        "fee": NUM,
        "status": STR,
        "toAddress": STR,
        "fromAddress": STR,
        "confirm": STR,
        "chain": STR,
        "cTime": TIME,
        "uTime": TIME,
    },
    params={"asset": Param("coin"), "client_order_id": Param("clientOid"), **TIME_RANGE},
    **_history("orderId", "cTime", 100),
    docs=DOCS + "Get-Withdraw-Record",
    accounts=("spot",),
)
TRADE_RATE = _endpoint(
    "GET",
    "/api/v2/common/trade-rate",
    10,
    {"makerFeeRate": NUM, "takerFeeRate": NUM},
    params={"symbol": Param("symbol", required=True), "business_type": Param("businessType", default="spot")},
    docs="https://www.bitget.com/api-doc/common/public/Get-Trade-Rate",
    one=True,
)
WITHDRAWAL = _endpoint(
    "POST",
    "/api/v2/spot/wallet/withdrawal",
    5,
    {"orderId": STR, "clientOid": STR},
    fixed={"transferType": "on_chain"},
    params={
        "asset": Param("coin", required=True),
        "address": Param("address", required=True),
        "network": Param("chain"),
        "quantity": Param("size", positive, required=True),
        "tag": Param("tag"),
        "remark": Param("remark"),
        "client_order_id": CLIENT_OID,
    },
    changes_state=True,
    # Bitget refuses a second request with the same clientOid: a timestamp rejection is resent with it.
    resend_with="client_order_id",
    docs=DOCS + "Wallet-Withdrawal",
    one=True,
)
# The same endpoint, to another Bitget user: transferType=internal_transfer (v1 "inner withdraw").
INNER_WITHDRAWAL = replace(
    WITHDRAWAL,
    fixed={"transferType": "internal_transfer"},
    params={
        "asset": Param("coin", required=True),
        "to_user_id": Param("address", required=True),
        "to_type": Param("innerToType"),
        "area_code": Param("areaCode"),
        "quantity": Param("size", positive, required=True),
        "client_order_id": CLIENT_OID,
    },
)
CANCEL_WITHDRAWAL = _endpoint(
    "POST",
    "/api/v2/spot/wallet/cancel-withdrawal",
    10,
    {"result": STR},
    params={"order_id": Param("orderId", required=True)},
    changes_state=True,
    docs=DOCS + "Cancel-Withdrawal",
)
TRANSFER = _endpoint(
    "POST",
    "/api/v2/spot/wallet/transfer",
    10,
    {"transferId": STR, "clientOid": STR},
    params={
        "from_type": Param("fromType", required=True),
        "to_type": Param("toType", required=True),
        "quantity": Param("amount", positive, required=True),
        "asset": Param("coin", required=True),
        "symbol": Param("symbol"),
        "client_order_id": CLIENT_OID,
    },
    changes_state=True,
    # Bitget refuses a second request with the same clientOid: a timestamp rejection is resent with it.
    resend_with="client_order_id",
    docs=DOCS + "Wallet-Transfer",
    one=True,
)
SUBACCOUNT_TRANSFER = _endpoint(
    "POST",
    "/api/v2/spot/wallet/subaccount-transfer",
    10,
    {"transferId": STR, "clientOid": STR},
    params={
        "from_type": Param("fromType", required=True),
        "to_type": Param("toType", required=True),
        "quantity": Param("amount", positive, required=True),
        "asset": Param("coin", required=True),
        "client_order_id": CLIENT_OID,
        "from_user_id": Param("fromUserId", required=True),
        "to_user_id": Param("toUserId", required=True),
    },
    changes_state=True,
    # Bitget refuses a second request with the same clientOid: a timestamp rejection is resent with it.
    resend_with="client_order_id",
    docs=DOCS + "Sub-Transfer",
    one=True,
)


# ----------------------------------------------------------------------------- unified trading account
# Facts: Bitget's UTA pages (https://www.bitget.com/api-doc/uta/account/...), read on Bitget's
# mirror domains; docs/reference-additions.md, part "Bitget UTA".

UTA_DOCS = "https://www.bitget.com/api-doc/uta/account/"
# "Query financial records within the last 90 days"; "must not exceed 30 days" between the times.
UTA_RECORDS_REACH_MS = 90 * DAY_MS
# The account's totals, beside each of its assets (the explode repeats them on every row).
UTA_TOTALS = ("accountEquity", "usdtEquity", "btcEquity", "unrealisedPnl", "usdtUnrealisedPnl", "btcUnrealizedPnl",
              "effEquity", "mmr", "imr", "mgnRatio", "positionMgnRatio")  # fmt: skip
UTA_ASSETS = _endpoint(
    "GET",
    "/api/v3/account/assets",
    20,
    {
        "coin": STR,
        "equity": NUM,
        "usdValue": NUM,
        "balance": NUM,
        "available": NUM,
        "debt": NUM,
        "locked": NUM,
        **dict.fromkeys(UTA_TOTALS, NUM),
    },
    one=True,
    explode="assets",
    required=("coin", "equity"),
    docs=UTA_DOCS + "Get-Account",
)
# The key's account and permissions on a UTA (the classic v2 account info answers a UTA key with
# 40085). Bitget's page shows the user id as "userId" in one version of its example and "uid" in
# another: both are read.
UTA_ACCOUNT_INFO = _endpoint(
    "GET",
    "/api/v3/account/info",
    5,
    {
        "userId": STR,
        "uid": STR,
        "inviterId": STR,
        "parentId": STR,
        "channelCode": STR,
        "channel": STR,
        "ips": STR,
        "permType": STR,
        "permissions": OBJ,
        "regisTime": TIME,
    },
    one=True,
    docs=UTA_DOCS + "Get-Account-Info",
)
UTA_FEE_RATE = _endpoint(
    "GET",
    "/api/v3/account/fee-rate",
    3,
    {"makerFeeRate": NUM, "takerFeeRate": NUM},
    params={"symbol": Param("symbol", required=True), "category": Param("category", required=True)},
    one=True,
    docs=UTA_DOCS + "Get-Account-Fee-Rate",
)
FINANCIAL_RECORDS = _endpoint(
    "GET",
    "/api/v3/account/financial-records",
    20,
    {
        "id": STR,
        "category": STR,
        "symbol": STR,
        "coin": STR,
        "type": STR,
        "amount": NUM,
        "fee": NUM,
        "balance": NUM,
        "ts": TIME,
    },
    params={
        "category": Param("category", default="SPOT"),
        "asset": Param("coin"),
        "kind": Param("type"),
        **TIME_RANGE,
    },
    records=("list",),
    paging=NextCursor("cursor", "cursor", 100),
    window=Window(30 * DAY_MS, 30 * DAY_MS),
    id_field="id",
    time_field="ts",
    docs=UTA_DOCS + "Get-Financial-Records",
    accounts=("unified",),
)
UTA_WALLET_COLUMNS = {
    "orderId": STR,
    "recordId": STR,
    "coin": STR,
    "type": STR,
    "dest": STR,
    "size": NUM,
    "status": STR,
    "fromAddress": STR,
    "toAddress": STR,
    "chain": STR,
    "createdTime": TIME,
    "updatedTime": TIME,
}
UTA_DEPOSIT_RECORDS = _endpoint(
    "GET",
    "/api/v3/account/deposit-records",
    10,
    UTA_WALLET_COLUMNS,
    params={"asset": Param("coin"), **TIME_RANGE},
    # The span Bitget allows here is not stated: 30 days, as its financial records allow.
    paging=Cursor("cursor", "orderId", 100),
    window=Window(30 * DAY_MS, 30 * DAY_MS),
    id_field="orderId",
    time_field="createdTime",
    docs=UTA_DOCS + "deposit/Get-Deposit-Records",
    accounts=("unified",),
)
UTA_WITHDRAWAL_RECORDS = replace(
    UTA_DEPOSIT_RECORDS,
    # The doc page prints "withdrawl-records"; public clients call the spelling below (UNCONFIRMED).
    path="/api/v3/account/withdrawal-records",
    limits=(Limit("/api/v3/account/withdrawal-records", 10, 1.0),),
    columns={**UTA_WALLET_COLUMNS, "clientOid": STR, "fee": NUM, "confirm": STR, "tag": STR},
    params={"asset": Param("coin"), "client_order_id": Param("clientOid"), **TIME_RANGE},
    docs=UTA_DOCS + "withdraw/Get-Withdrawl-Records",
)


# ----------------------------------------------------------------------------- market data
# Facts: https://www.bitget.com/api-doc/spot/market/Get-Candle-Data (docs/reference-additions.md,
# part "Candles").

CANDLE_CAP = 1000  # "limit: default 100, max 1000"
CANDLE_ENDPOINT = _endpoint(
    "GET",
    "/api/v2/spot/market/candles",
    20,
    {
        "ts": TIME,
        "open": NUM,
        "high": NUM,
        "low": NUM,
        "close": NUM,
        "baseVolume": NUM,
        "usdtVolume": NUM,
        "quoteVolume": NUM,
    },
    params={
        "symbol": Param("symbol", required=True),
        "interval": Param("granularity", required=True),
        **TIME_RANGE,
    },
    fixed={"limit": CANDLE_CAP},
    signed=False,
    # Which of the last two is the USDT and which the quote volume differs between copies of the
    # page (UNCONFIRMED); they are equal for USDT markets.
    positions=("ts", "open", "high", "low", "close", "baseVolume", "usdtVolume", "quoteVolume"),
    id_field="ts",
    time_field="ts",
    docs="https://www.bitget.com/api-doc/spot/market/Get-Candle-Data",
)
CANDLES = CandleSpec(
    CANDLE_ENDPOINT,
    # Days and weeks in their UTC-aligned form (the plain "1day" / "1week" appear to close at
    # UTC+8 midnight).
    {
        "1m": "1min",
        "5m": "5min",
        "15m": "15min",
        "30m": "30min",
        "1h": "1h",
        "4h": "4h",
        "1d": "1Dutc",
        "1w": "1Wutc",
    },
    CANDLE_CAP,
    separator="",
    rename={"ts": "time", "base_volume": "volume"},
)
