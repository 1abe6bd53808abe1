"""CoinW spot account commands as data: ``POST /api/v1/private?command=<command>``.

Every private command shares one URL and is told apart by its ``command`` query parameter, which
is each endpoint's ``address`` and so part of its name: errors say which command failed.
Docs: https://www.coinw.com/api-doc/en/spot-trading/account/get-spot-account-balance and siblings.
"""

from __future__ import annotations

from typing import Any

from toolkit.core.candles import CandleSpec
from toolkit.core.endpoint import Endpoint, Envelope, Param, ms, positive, seconds
from toolkit.core.frames import BOOL, INT, NUM, STR, TIME
from toolkit.core.paging import FanOut, Window
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import DAY_MS

DOCS = "https://www.coinw.com/api-doc/en/spot-trading/account/"
PRIVATE = "/api/v1/private"
PUBLIC = "/api/v1/public"

# "success"/"failed" are absent from some documented answers; when present they must agree.
ENVELOPE = Envelope(
    code="code", ok_codes=frozenset({"200"}), message=("msg", "message"), data="data",
    agree={"success": True, "failed": False},
)  # fmt: skip

# Global spot limits, from a third-party summary of CoinW's limits page (UNCONFIRMED).
IP_LIMIT = Limit("coinw:ip", 100, 1.0)
UID_LIMIT = Limit("coinw:uid", 300, 1.0)


def _command(command: str, columns: dict[str, str], count: int = 3, seconds: float = 1.0, **kw: Any) -> Endpoint:
    """A private command with its own per-UID limit of ``count`` requests every ``seconds``."""
    return Endpoint(
        "POST", PRIVATE, columns, address={"command": command}, place="query",
        limits=(Limit(f"coinw:{command}", count, seconds),), **kw,
    )  # fmt: skip


BALANCES = _command(
    "returnBalances",
    {"asset": STR, "available": NUM},
    keyed="asset",
    keyed_value="available",
    required=("asset", "available"),
    docs=DOCS + "get-spot-account-balance",
)
COMPLETE_BALANCES = _command(
    "returnCompleteBalances",
    {"asset": STR, "available": NUM, "onOrders": NUM},
    count=5,
    seconds=2.0,
    keyed="asset",
    required=("asset", "available", "onOrders"),
    docs=DOCS + "get-total-spot-account-balance",
)
DEPOSITS_WITHDRAWALS = _command(
    "returnDepositsWithdrawals",
    {
        "depositNumber": STR,
        "currency": STR,
        "side": INT,
        "amount": NUM,
        "chain": STR,
        "address": STR,
        "txid": STR,
        "memo": STR,
        "time": TIME,
        "confirmations": STR,
        "status": STR,
        "dest": STR,
        "fromAddress": STR,
        "toAddress": STR,
    },
    params={"asset": Param("symbol", required=True), "deposit_number": Param("depositNumber")},
    # CoinW asks for one coin per request and documents no paging or time range.
    fan_out=FanOut("asset", coverage="assets"),
    id_field="depositNumber",
    time_field="time",
    # CoinW's own documented example has records without a time: read, and counted in the coverage.
    time_optional=True,
    docs="https://www.coinw.com/api-doc/spot-trading/account/ (Chinese copy: returnDepositsWithdrawals)",
    accounts=("spot",),
)
USER_TRADES = _command(
    "getUserTrades",
    {
        "tradeId": STR,
        "orderId": STR,
        "price": NUM,
        "size": NUM,
        "side": STR,
        "orderType": STR,
        "time": TIME,
        # "Handling fee"; CoinW names no currency for it (see unified.py).
        "fee": NUM,
        # Not in CoinW's rows: the market asked for, written in by the runner.
        "symbol": STR,
    },
    count=10,
    seconds=2.0,
    params={
        "symbol": Param("symbol", required=True),
        "start_time": Param("startAt", ms),
        "end_time": Param("endAt", ms),
    },
    fixed={"limit": 100},
    records=("list",),
    # The rows do not name their market, so one market per request.
    fan_out=FanOut("symbol", coverage="symbols", column="symbol"),
    # "up to 100 records per request"; the span CoinW allows is not documented (30 days asked).
    window=Window(30 * DAY_MS, 30 * DAY_MS, halve_at=100),
    id_field="tradeId",
    time_field="time",
    docs="https://www.coinw.com/api-doc/en/spot-trading/check/get-historical-orders",
    accounts=("spot",),
)
DEPOSIT_ADDRESSES = _command(
    "returnDepositAddresses",
    {"chainName": STR, "address": STR, "memo": STR, "minRechargeAmount": NUM},
    params={"symbol_id": Param("symbolId", required=True), "network": Param("chain", required=True)},
    docs=DOCS + "get-deposit-withdrawal-address",
)
WITHDRAW = _command(
    "doWithdraw",
    {"depositNumber": STR},
    params={
        "asset": Param("currency", required=True),
        "quantity": Param("amount", positive, required=True),
        "address": Param("address", required=True),
        "network": Param("chain"),
        "memo": Param("memo"),
        "kind": Param("type", required=True),
        "inner_to_type": Param("innerToType"),
    },
    changes_state=True,
    docs=DOCS + "initiate-withdrawal",
    one=True,
)
CANCEL_WITHDRAW = _command(
    "cancelWithdraw",
    {"id": STR, "success": BOOL},
    params={"withdrawal_id": Param("id", required=True)},
    changes_state=True,
    optional_data=True,
)
WEALTH_TRANSFER = _command(
    "spotWealthTransfer",
    {"bizType": STR, "coinCode": STR, "amount": NUM, "success": BOOL},
    count=1,
    optional_data=True,
    params={
        "source": Param("accountType", required=True),
        "target": Param("targetAccountType", required=True),
        "biz_type": Param("bizType", required=True),
        "asset": Param("coinCode", required=True),
        "quantity": Param("amount", positive, required=True),
    },
    changes_state=True,
    docs=DOCS + "transfer-assets",
)
CURRENCIES = Endpoint(
    "GET",
    PUBLIC,
    {
        "symbol": STR,
        "symbolId": STR,
        "withDraw": BOOL,
        "recharge": BOOL,
        "maxQty": NUM,
        "minQty": NUM,
        "txFee": STR,
        "chain": STR,
    },
    address={"command": "returnCurrencies"},
    signed=False,
    limits=(Limit("coinw:returnCurrencies", 80, 1.0), IP_LIMIT),
    keyed="symbol",
)


# Candles: "period" in seconds. The documented list is "such as: 60, 180, 300, 900, 1800, 7200,
# 14400"; 3600, 86400 and 604800 are not in it (UNCONFIRMED; other public clients send them).
# No cap per call is documented: 1000 is assumed (UNCONFIRMED), as is the rate limit below.
CANDLE_CAP = 1000
CANDLE_ENDPOINT = Endpoint(
    "GET",
    PUBLIC,
    {"date": TIME, "open": NUM, "high": NUM, "low": NUM, "close": NUM, "volume": NUM},
    address={"command": "returnChartData"},
    params={
        "symbol": Param("currencyPair", required=True),
        "interval": Param("period", required=True),
        "start_time": Param("start", seconds),
        "end_time": Param("end", seconds),
    },
    signed=False,
    limits=(Limit("coinw:returnChartData", 10, 1.0), IP_LIMIT),
    id_field="date",
    time_field="date",
    docs="https://github.com/coinw-dev/coinwapi (source/en/index.html.md, K-line data)",
)
CANDLES = CandleSpec(
    CANDLE_ENDPOINT,
    {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400, "1w": 604800},
    CANDLE_CAP,
    separator="_",
    rename={"date": "time"},
)
