"""KuCoin endpoints as data: pools and weights (rate limit 2.0), parameters, paging, windows, columns.

Facts from KuCoin's OpenAPI spec (kucoin-universal-sdk, 2025-11), its docs-new pages and its
legacy docs; see the reference sheet, part A.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from toolkit.core.candles import CandleSpec
from toolkit.core.endpoint import Endpoint, Envelope, Param, joined, ms, new_client_order_id, positive, seconds, upper
from toolkit.core.frames import BOOL, INT, NUM, OBJ, STR, TIME
from toolkit.core.paging import BY_LIMITS, Cursor, FanOut, NextCursor, PageNumber, Window
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import DAY_MS
from toolkit.errors import ConfigurationError

DOCS = "https://www.kucoin.com/docs-new/"
ENVELOPE = Envelope(code="code", ok_codes=frozenset({"200000"}), message=("msg",), data="data")

# Rate limit 2.0: each resource pool has a quota per 30 s window; every call deducts its weight.
# The quotas are VIP 0's, the lowest; the gw-ratelimit-* headers tell the real state (see the client).
SPOT, MANAGEMENT, PUBLIC = "kucoin:spot", "kucoin:management", "kucoin:public"
POOL_QUOTA = {SPOT: 4000, MANAGEMENT: 2000, PUBLIC: 2000}
POOL_SECONDS = 30.0

# Windows in flight at once for history: as many as the pool's quota lets start (BY_LIMITS). KuCoin
# documents no cap on concurrent requests, only each pool's weight per 30 s; a year of 24-hour
# ledger windows is 365 requests of weight 2, inside the Management pool's 2000, so they may all
# be asked at once (up to the client's connections), and the latency, not a fixed count, sets the pace.
CONCURRENCY = BY_LIMITS
# History KuCoin keeps for the ledger (legacy docs: "Support to obtain 1 year historical data").
LEDGER_HISTORY_MS = 365 * DAY_MS
# No window limit is documented for deposits and withdrawals: 30-day windows are a precaution
# that costs one request a month, and 30 days is KuCoin's documented default range for them.
TRANSFER_SPAN_MS = 30 * DAY_MS
PAGE_SIZE_MIN, PAGE_SIZE_MAX = 10, 500


def _endpoint(method: str, path: str, pool: str, weight: int, columns: dict[str, str], doc: str, **kw: Any) -> Endpoint:
    limit = Limit(pool, POOL_QUOTA[pool], POOL_SECONDS, weight)
    return Endpoint(method, path, columns, limits=(limit,), docs=DOCS + doc, **kw)


def _paged(size: int) -> PageNumber:
    return PageNumber("currentPage", "pageSize", size, "totalPage", "totalNum")


def _window(span_ms: int, lookback_ms: int) -> Window:
    return Window(span_ms, lookback_ms, concurrency=CONCURRENCY)


def _currency_type(value: Any, name: str) -> int:
    if value not in ("crypto", "fiat"):
        raise ConfigurationError(f"{name} is 'crypto' or 'fiat', got {value!r}.")
    return int(value == "fiat")


TIME_RANGE = {"start_time": Param("startAt", ms), "end_time": Param("endAt", ms)}
TRANSFER_HISTORY = {"asset": Param("currency"), "status": Param("status"), **TIME_RANGE}

BALANCE = {"currency": STR, "balance": NUM, "available": NUM, "holds": NUM}

SERVER_TIME = _endpoint("GET", "/api/v1/timestamp", PUBLIC, 3, {"serverTime": TIME}, "api-3470156", signed=False)
ACCOUNTS = _endpoint(
    "GET",
    "/api/v1/accounts",
    MANAGEMENT,
    5,
    {"id": STR, "type": STR, **BALANCE},
    "api-3470125",
    params={"asset": Param("currency"), "account_type": Param("type")},
    required=("currency", "balance", "available", "holds"),
)
ACCOUNT = _endpoint(
    "GET",
    "/api/v1/accounts/{accountId}",
    MANAGEMENT,
    5,
    BALANCE,
    "api-3470126",
    params={"account_id": Param("accountId", required=True, where="path")},
    one=True,
)
LEDGERS = _endpoint(
    "GET",
    "/api/v1/accounts/ledgers",
    MANAGEMENT,
    2,
    {
        "id": STR,
        "currency": STR,
        "amount": NUM,
        "fee": NUM,
        "balance": NUM,
        "accountType": STR,
        "bizType": STR,
        "direction": STR,
        "createdAt": TIME,
        "context": STR,
    },
    "api-3470121",
    params={
        "asset": Param("currency", joined),
        "direction": Param("direction"),
        "biz_type": Param("bizType"),
        **TIME_RANGE,
    },
    records=("items",),
    paging=_paged(PAGE_SIZE_MAX),
    # Legacy docs: "the start and end time range cannot exceed 24 hours".
    window=_window(DAY_MS, DAY_MS),
    id_field="id",
    time_field="createdAt",
    reach_ms=LEDGER_HISTORY_MS,
    accounts=("main", "trade", "margin"),
)
USER_SUMMARY = _endpoint(
    "GET",
    "/api/v2/user-info",
    MANAGEMENT,
    20,
    {
        "level": INT,
        "subQuantity": INT,
        "spotSubQuantity": INT,
        "marginSubQuantity": INT,
        "futuresSubQuantity": INT,
        "optionSubQuantity": INT,
        "maxSubQuantity": INT,
        "maxDefaultSubQuantity": INT,
        "maxSpotSubQuantity": INT,
        "maxMarginSubQuantity": INT,
        "maxFuturesSubQuantity": INT,
        "maxOptionSubQuantity": INT,
    },
    "api-3470119",
    one=True,
)
SUB_USERS = _endpoint(
    "GET",
    "/api/v2/sub/user",
    MANAGEMENT,
    20,
    {
        "userId": STR,
        "uid": STR,
        "subName": STR,
        "status": INT,
        "type": INT,
        "access": STR,
        "createdAt": TIME,
        "remarks": STR,
        "tradeTypes": OBJ,
        "openedTradeTypes": OBJ,
        "hostedStatus": STR,
    },
    "api-3470131",
    records=("items",),
    paging=_paged(100),
    id_field="userId",
)
FEE_RATES = {"takerFeeRate": NUM, "makerFeeRate": NUM}
BASE_FEE = _endpoint(
    "GET",
    "/api/v1/base-fee",
    SPOT,
    3,
    FEE_RATES,
    "api-3470149",
    params={"asset_type": Param("currencyType", _currency_type)},
    one=True,
)
TRADE_FEES = _endpoint(
    "GET",
    "/api/v1/trade-fees",
    SPOT,
    3,
    {"symbol": STR, **FEE_RATES, "sellTaxRate": NUM, "buyTaxRate": NUM},
    "api-3470150",
    params={"symbols": Param("symbols", joined, required=True)},
    # At most ten symbols a request.
    fan_out=FanOut("symbols", chunk=10),
)
DEPOSIT_ADDRESSES = _endpoint(
    "GET",
    "/api/v3/deposit-addresses",
    MANAGEMENT,
    5,
    {
        "address": STR,
        "memo": STR,
        "chainId": STR,
        "to": STR,
        "expirationDate": INT,
        "currency": STR,
        "contractAddress": STR,
        "chainName": STR,
    },
    "api-3470140",
    params={"asset": Param("currency", required=True), "network": Param("chain")},
)
CREATE_DEPOSIT_ADDRESS = _endpoint(
    "POST",
    "/api/v3/deposit-address/create",
    MANAGEMENT,
    20,
    {
        "address": STR,
        "memo": STR,
        "chainId": STR,
        "to": STR,
        "expirationDate": INT,
        "currency": STR,
        "chainName": STR,
    },
    "api-3470142",
    params={"asset": Param("currency", required=True), "network": Param("chain")},
    changes_state=True,
    one=True,
)
DEPOSITS = _endpoint(
    "GET",
    "/api/v1/deposits",
    MANAGEMENT,
    5,
    {
        "currency": STR,
        "chain": STR,
        "status": STR,
        "address": STR,
        "memo": STR,
        "isInner": BOOL,
        "amount": NUM,
        "fee": NUM,
        "walletTxId": STR,
        "createdAt": TIME,
        "updatedAt": TIME,
        "remark": STR,
        "arrears": BOOL,
    },
    "api-3470141",
    params=TRANSFER_HISTORY,
    records=("items",),
    paging=_paged(PAGE_SIZE_MAX),
    window=_window(TRANSFER_SPAN_MS, TRANSFER_SPAN_MS),
    time_field="createdAt",
    accounts=("main",),
)
HIST_DEPOSITS = _endpoint(
    "GET",
    "/api/v1/hist-deposits",
    MANAGEMENT,
    5,
    {"currency": STR, "createAt": TIME, "amount": NUM, "walletTxId": STR, "isInner": BOOL, "status": STR},
    "api-3470306",
    params=TRANSFER_HISTORY,
    records=("items",),
    paging=_paged(PAGE_SIZE_MAX),
    window=_window(TRANSFER_SPAN_MS, TRANSFER_SPAN_MS),
    time_field="createAt",
)
WITHDRAWALS = _endpoint(
    "GET",
    "/api/v1/withdrawals",
    MANAGEMENT,
    20,
    {
        "id": STR,
        "currency": STR,
        "chain": STR,
        "status": STR,
        "address": STR,
        "memo": STR,
        "isInner": BOOL,
        "amount": NUM,
        "fee": NUM,
        "walletTxId": STR,
        "createdAt": TIME,
        "updatedAt": TIME,
        "remark": STR,
    },
    "api-3470145",
    params=TRANSFER_HISTORY,
    records=("items",),
    paging=_paged(PAGE_SIZE_MAX),
    window=_window(TRANSFER_SPAN_MS, TRANSFER_SPAN_MS),
    id_field="id",
    time_field="createdAt",
    accounts=("main",),
)
HIST_WITHDRAWALS = _endpoint(
    "GET",
    "/api/v1/hist-withdrawals",
    MANAGEMENT,
    20,
    {
        "currency": STR,
        "createAt": TIME,
        "amount": NUM,
        "address": STR,
        "walletTxId": STR,
        "isInner": BOOL,
        "status": STR,
    },
    "api-3470308",
    params=TRANSFER_HISTORY,
    records=("items",),
    paging=_paged(PAGE_SIZE_MAX),
    window=_window(TRANSFER_SPAN_MS, TRANSFER_SPAN_MS),
    time_field="createAt",
)
WITHDRAWAL_QUOTAS = _endpoint(
    "GET",
    "/api/v1/withdrawals/quotas",
    MANAGEMENT,
    20,
    {
        "currency": STR,
        "limitBTCAmount": NUM,
        "usedBTCAmount": NUM,
        "quotaCurrency": STR,
        "limitQuotaCurrencyAmount": NUM,
        "usedQuotaCurrencyAmount": NUM,
        "remainAmount": NUM,
        "availableAmount": NUM,
        "withdrawMinFee": NUM,
        "innerWithdrawMinFee": NUM,
        "withdrawMinSize": NUM,
        "isWithdrawEnabled": BOOL,
        "precision": INT,
        "chain": STR,
        "reason": STR,
        "lockedAmount": NUM,
    },
    "api-3470143",
    params={"asset": Param("currency", required=True), "network": Param("chain")},
    one=True,
)
WITHDRAW = _endpoint(
    "POST",
    "/api/v3/withdrawals",
    MANAGEMENT,
    5,
    {"withdrawalId": STR},
    "api-3470146",
    params={
        "asset": Param("currency", required=True),
        "to_address": Param("toAddress", required=True),
        "quantity": Param("amount", positive, required=True),
        "withdraw_type": Param("withdrawType", default="ADDRESS"),
        "chain": Param("chain"),
        "memo": Param("memo"),
        "is_inner": Param("isInner"),
        "remark": Param("remark"),
        "fee_deduct_type": Param("feeDeductType"),
    },
    changes_state=True,
    one=True,
)
CANCEL_WITHDRAWAL = _endpoint(
    "DELETE",
    "/api/v1/withdrawals/{withdrawalId}",
    MANAGEMENT,
    20,
    {"withdrawalId": STR},
    "api-3470144",
    params={"withdrawal_id": Param("withdrawalId", required=True, where="path")},
    changes_state=True,
    optional_data=True,
)
TRANSFERABLE = _endpoint(
    "GET",
    "/api/v1/accounts/transferable",
    MANAGEMENT,
    20,
    {**BALANCE, "transferable": NUM},
    "api-3470148",
    params={
        "asset": Param("currency", required=True),
        "account_type": Param("type", upper, required=True),
        "tag": Param("tag"),
    },
    one=True,
)
UNIVERSAL_TRANSFER = _endpoint(
    "POST",
    "/api/v3/accounts/universal-transfer",
    MANAGEMENT,
    4,
    {"orderId": STR, "clientOid": STR},
    "api-3470147",
    fixed={"type": "INTERNAL"},
    params={
        "client_order_id": Param("clientOid", default=new_client_order_id),
        "asset": Param("currency", required=True),
        "quantity": Param("amount", positive, required=True),
        "from_": Param("fromAccountType", upper, required=True),
        "to": Param("toAccountType", upper, required=True),
        "from_tag": Param("fromAccountTag"),
        "to_tag": Param("toAccountTag"),
    },
    changes_state=True,
    # clientOid is KuCoin's "unique identifier ... to prevent duplicate" transfers.
    resend_with="client_order_id",
    one=True,
)
MARGIN_ASSET = {
    "currency": STR,
    "total": NUM,
    "available": NUM,
    "hold": NUM,
    "liability": NUM,
    "liabilityPrincipal": NUM,
    "liabilityInterest": NUM,
    "maxBorrowSize": NUM,
    "borrowEnabled": BOOL,
    "transferInEnabled": BOOL,
    # The legacy pages' names (their field tables say liability and total; their examples these).
    "borrowed": NUM,
    "totalAsset": NUM,
    "repayEnabled": BOOL,
    "transferEnabled": BOOL,
}
# KuCoin's legacy v3 margin pages document another envelope, {"success": true, "code": "200",
# "msg": "success", "retry": false, "data": ...}, which answers are still seen with.
MARGIN_ENVELOPE = Envelope(
    code="code", ok_codes=frozenset({"200000", "200"}), message=("msg",), data="data", agree={"success": True}
)


def _cross_accounts(data: Any) -> Any:
    """Cross margin in the current shape (objects with ``accounts``), from either documented answer:
    the current one object, or the legacy pages' ``items[]``, each with its ``assets[]``."""
    if isinstance(data, Mapping) and isinstance(data.get("items"), list):
        return [
            {**{k: v for k, v in item.items() if k != "assets"}, "accounts": item.get("assets")}
            if isinstance(item, Mapping) else item
            for item in data["items"]
        ]  # fmt: skip
    return None if data is None else [data]


def _listed(data: Any) -> Any:
    """Isolated margin as a list of answers: the current docs show one object, the legacy pages a list."""
    return data if data is None or isinstance(data, list) else [data]


MARGIN_ACCOUNTS = _endpoint(
    "GET",
    "/api/v3/margin/accounts",
    SPOT,
    15,
    {
        **MARGIN_ASSET,
        "totalAssetOfQuoteCurrency": NUM,
        "totalLiabilityOfQuoteCurrency": NUM,
        "debtRatio": NUM,
        "status": STR,
    },
    "api-3470127",
    fixed={"quoteCurrency": "USDT"},
    envelope=MARGIN_ENVELOPE,
    reshape=_cross_accounts,
    explode="accounts",
)
ISOLATED_ACCOUNTS = _endpoint(
    "GET",
    "/api/v3/isolated/accounts",
    SPOT,
    15,
    {
        "symbol": STR,
        "status": STR,
        "debtRatio": NUM,
        **{f"{side}Asset_{k}": kind for side in ("base", "quote") for k, kind in MARGIN_ASSET.items()},
        "totalAssetOfQuoteCurrency": NUM,
        "totalLiabilityOfQuoteCurrency": NUM,
        "timestamp": TIME,
    },
    "api-3470128",
    fixed={"quoteCurrency": "USDT"},
    params={"symbol": Param("symbol")},
    envelope=MARGIN_ENVELOPE,
    reshape=_listed,
    explode="assets",
    flatten=True,
)
RISK_LIMIT_CROSS = _endpoint(
    "GET",
    "/api/v3/margin/currencies",
    SPOT,
    20,
    {
        "timestamp": TIME,
        "currency": STR,
        "borrowMaxAmount": NUM,
        "buyMaxAmount": NUM,
        "holdMaxAmount": NUM,
        "borrowCoefficient": NUM,
        "marginCoefficient": NUM,
        "precision": INT,
        "borrowMinAmount": NUM,
        "borrowMinUnit": NUM,
        "borrowEnabled": BOOL,
    },
    "api-3470219",
    fixed={"isIsolated": False},
)
RISK_LIMIT_ISOLATED = replace(
    RISK_LIMIT_CROSS,
    fixed={"isIsolated": True},
    columns={
        "timestamp": TIME,
        "symbol": STR,
        **{
            f"{side}{name}": kind
            for name, kind in (
                ("MaxBorrowAmount", NUM),
                ("MaxBuyAmount", NUM),
                ("MaxHoldAmount", NUM),
                ("Precision", INT),
                ("BorrowMinAmount", NUM),
                ("BorrowMinUnit", NUM),
                ("BorrowEnabled", BOOL),
                ("BorrowCoefficient", NUM),
                ("MarginCoefficient", NUM),
            )
            for side in ("base", "quote")
        },
    },
)


# ----------------------------------------------------------------------------- HF trade accounts
# Facts: KuCoin's OpenAPI spec (kucoin-universal-sdk, openapi-account-account.json) and docs-new
# api-3470122 (docs/reference-additions.md, part "KuCoin HF").

# "You can only obtain data from within a 3 * 24 hour time range (i.e., from 3 * 24 hours ago up to now)."
HF_LEDGER_REACH_MS = 3 * DAY_MS
HF_OPENED = _endpoint("GET", "/api/v1/hf/accounts/opened", SPOT, 30, {"opened": BOOL}, "api-3470120")
HF_LEDGERS = _endpoint(
    "GET",
    "/api/v1/hf/accounts/ledgers",
    SPOT,
    2,
    {
        "id": STR,
        "currency": STR,
        "amount": NUM,
        "fee": NUM,
        "tax": NUM,
        "balance": NUM,
        "accountType": STR,
        "bizType": STR,
        "direction": STR,
        "createdAt": TIME,
        "context": STR,
    },
    "api-3470122",
    params={
        "asset": Param("currency", joined),
        "direction": Param("direction"),
        "biz_type": Param("bizType"),
        **TIME_RANGE,
    },
    # Newest first; lastId returns the rows older than that id, 200 at most.
    paging=Cursor("lastId", "id", 200),
    window=Window(HF_LEDGER_REACH_MS, HF_LEDGER_REACH_MS),
    id_field="id",
    time_field="createdAt",
    reach_ms=HF_LEDGER_REACH_MS,
    accounts=("trade_hf",),
)


# ----------------------------------------------------------------------------- key and account model

API_KEY_COLUMNS = {"remark": STR, "apiVersion": INT, "permission": STR, "ipWhitelist": STR, "createdAt": TIME,
                   "uid": STR, "isMaster": BOOL, "subName": STR}  # fmt: skip
# The key itself (apiKey) is left out of the frame: a frame is shown in notebooks, which get saved.
API_KEY = _endpoint("GET", "/api/v1/user/api-key", MANAGEMENT, 20, API_KEY_COLUMNS, "api-3470130", one=True)

# The unified trading account (UTA, KuCoin's "Pro API"). Paths are /api/ua/v2, as KuCoin's official
# SDK calls them (kucoin-universal-sdk, synced to the docs of 2026-09-04); KuCoin's docs now list the
# v1 families as abandoned (a third-party note: UNCONFIRMED). KuCoin's docs-new pages for these
# endpoints were not readable here: fields are the official SDK's; the cassettes are built from
# JKorf/Kucoin.Net's fixtures and say so (docs/reference-additions.md).
UA = "/api/ua/v2"
UA_DOCS = "rest/ua/"
ACCOUNT_MODE = _endpoint(
    "GET",
    f"{UA}/account/mode",
    MANAGEMENT,
    30,
    {"selfAccountMode": STR, "unifiedSubAccount": OBJ, "classicSubAccount": OBJ},
    UA_DOCS + "get-account-mode",
    one=True,
    required=("selfAccountMode",),
)
UA_API_KEY = _endpoint(
    "GET",
    f"{UA}/user/api-key",
    MANAGEMENT,
    30,
    {
        **API_KEY_COLUMNS,
        "parentUid": STR,
        "region": STR,
        "kycStatus": INT,
        "expiredAt": TIME,
        "thirdPartyApp": STR,
        "siteType": STR,
    },
    UA_DOCS + "get-apikey-info",
    one=True,
)


def _currencies(data: Any) -> Any:
    """One record per currency of each account in a UA balance answer, with the answer's and the
    account's own fields repeated (``accountType``, ``ts``; ``accountSubtype``, ``riskRatio``)."""
    accounts = data.get("accounts") if isinstance(data, Mapping) else None
    if not isinstance(accounts, list) or not all(isinstance(a, Mapping) for a in accounts):
        return data  # not this shape: ``records`` says so
    top = {k: v for k, v in data.items() if k != "accounts"}
    rows: list[Any] = []
    for account in accounts:
        own = {k: v for k, v in account.items() if k != "currencies"}
        currencies = account.get("currencies")
        if not isinstance(currencies, list):
            return data
        rows += [{**top, **own, **c} if isinstance(c, Mapping) else c for c in currencies]
    return rows


UA_CURRENCY = {
    "accountType": STR, "ts": TIME, "accountSubtype": STR, "riskRatio": NUM, "currency": STR, "equity": NUM,
    "balance": NUM, "available": NUM, "hold": NUM, "locked": NUM, "liability": NUM, "potentialBorrow": NUM,
    "collateralStatus": STR,
}  # fmt: skip
UA_BALANCES = _endpoint(
    "GET",
    f"{UA}/unified/account/balance",
    MANAGEMENT,
    5,
    UA_CURRENCY,
    UA_DOCS + "get-account-currency-assets-uta",
    reshape=_currencies,
    required=("currency", "balance"),
)
# A classic account type (FUNDING, SPOT, FUTURES, CROSS, ISOLATED) through the UA API.
UA_CLASSIC_BALANCES = _endpoint(
    "GET",
    f"{UA}/account/balance",
    MANAGEMENT,
    5,
    UA_CURRENCY,
    UA_DOCS + "get-account-currency-assets-classic",
    params={"account_type": Param("accountType", upper, required=True), "asset": Param("currency", joined)},
    reshape=_currencies,
    required=("currency", "balance"),
)


def _items(data: Any) -> Any:
    """A UA page as ``{"items": [...], "lastId": ...}``: the unified account's answer is that object;
    classic account types are reported to answer a bare list (a third-party note, UNCONFIRMED),
    whose last record's id is then the cursor."""
    if isinstance(data, list):
        last = data[-1].get("id") if data and isinstance(data[-1], Mapping) else None
        return {"items": data, "lastId": last}
    return data


UA_LEDGER = _endpoint(
    "GET",
    f"{UA}/account/ledger",
    MANAGEMENT,
    2,
    {
        "accountType": STR,
        "id": STR,
        "currency": STR,
        "direction": STR,
        "businessType": STR,
        "amount": NUM,
        "balance": NUM,
        "fee": NUM,
        "tax": NUM,
        "remark": STR,
        "ts": TIME,
    },
    UA_DOCS + "get-account-ledger",
    params={
        "account_type": Param("accountType", upper, required=True),
        "asset": Param("currency", joined),
        "direction": Param("direction", upper),
        "business_type": Param("businessType"),
        **TIME_RANGE,
    },
    reshape=_items,
    records=("items",),
    # Newest first; lastId: "ID of the last record of the previous page"; 200 a page for UNIFIED.
    paging=NextCursor("lastId", "lastId", 200, size_param="pageSize"),
    # One day a request, as a third-party client reports (UNCONFIRMED; KuCoin's classic ledger's rule).
    window=_window(DAY_MS, DAY_MS),
    id_field="id",
    time_field="ts",
)
UA_FILLS = _endpoint(
    "GET",
    f"{UA}/unified/order/execution",
    MANAGEMENT,
    4,
    {
        "symbol": STR,
        "orderId": STR,
        "orderType": STR,
        "side": STR,
        "positionSide": STR,
        "fillType": STR,
        "tradeId": STR,
        "size": NUM,
        "value": NUM,
        "price": NUM,
        "executionTime": TIME,
        "fee": NUM,
        "feeCurrency": STR,
        "liquidityRole": STR,
        "marginMode": STR,
        "tax": NUM,
    },
    UA_DOCS + "get-trade-history",
    params={
        "trade_type": Param("tradeType", upper, required=True),
        "symbol": Param("symbol"),
        "order_id": Param("orderId"),
        "side": Param("side", upper),
        **TIME_RANGE,
    },
    records=("items",),
    paging=NextCursor("lastId", "lastId", 200, size_param="pageSize"),
    # "If no time range is given, the last 7 days"; the classic accounts' filled spot orders: 7 days a query.
    window=_window(7 * DAY_MS, 7 * DAY_MS),
    id_field="tradeId",
    time_field="executionTime",
    accounts=("unified",),
)


# ----------------------------------------------------------------------------- market data

CANDLE_CAP = 1500  # "the system would return at most 1500 pieces of data"
CANDLE_ENDPOINT = _endpoint(
    "GET",
    "/api/v1/market/candles",
    PUBLIC,
    3,
    # KuCoin's own order: time (seconds), open, close, high, low, volume, turnover (amount in the quote).
    {"time": TIME, "open": NUM, "close": NUM, "high": NUM, "low": NUM, "volume": NUM, "turnover": NUM},
    "api-3470163",
    params={
        "symbol": Param("symbol", required=True),
        "interval": Param("type", required=True),
        "start_time": Param("startAt", seconds),
        "end_time": Param("endAt", seconds),
    },
    signed=False,
    positions=("time", "open", "close", "high", "low", "volume", "turnover"),
    id_field="time",
    time_field="time",
)
CANDLES = CandleSpec(
    CANDLE_ENDPOINT,
    {
        "1m": "1min",
        "5m": "5min",
        "15m": "15min",
        "30m": "30min",
        "1h": "1hour",
        "4h": "4hour",
        "1d": "1day",
        "1w": "1week",
    },
    CANDLE_CAP,
    separator="-",
    rename={"turnover": "quote_volume"},
)
