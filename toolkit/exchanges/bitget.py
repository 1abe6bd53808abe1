"""Bitget spot account, API v2.

The seed names v1 endpoints that Bitget has retired; each method keeps the seed's name and
parameters and calls the v2 replacement from Bitget's "V2 API Update Guide" mapping table.
Docs: https://www.bitget.com/api-doc/spot/account/Get-Account-Info and siblings.
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd
import requests

from toolkit.core.client import RestClient, key_summary, new_client_order_id, raise_for_code
from toolkit.core.endpoint import Cursor, Endpoint, Window
from toolkit.core.frames import NUM, OBJ, STR, TIME
from toolkit.core.http import Call, decode_json, retry_after_seconds
from toolkit.core.ratelimit import Limit
from toolkit.core.signing import hmac_sha256_b64, is_pem, pem_signature_b64
from toolkit.core.timeutil import DAY_MS, TimeLike
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ExchangeError,
    ExchangeUnavailable,
    InsufficientFunds,
    InvalidRequest,
    MalformedResponse,
    PermissionDenied,
    RateLimited,
)

DOCS = "https://www.bitget.com/api-doc/spot/account/"
SPAN_90_DAYS = 90 * DAY_MS


def _per_second(path: str, count: int) -> tuple[Limit, ...]:
    return (Limit(path, count, 1.0),)


def _endpoint(method: str, path: str, per_second: int, columns: dict[str, str], **kw: Any) -> Endpoint:
    return Endpoint(method, path, columns, limits=_per_second(path, per_second), **kw)


BALANCE_COLUMNS = {"coin": STR, "available": NUM, "frozen": NUM, "locked": NUM, "limitAvailable": NUM, "uTime": TIME}

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
)
ASSETS = _endpoint("GET", "/api/v2/spot/account/assets", 10, BALANCE_COLUMNS, docs=DOCS + "Get-Account-Assets")
SUBACCOUNT_ASSETS = _endpoint(
    "GET",
    "/api/v2/spot/account/subaccount-assets",
    10,
    {"userId": STR, **BALANCE_COLUMNS},
    explode="assetsList",
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
    paging=Cursor("idLessThan", "billId", 500),
    window=Window("startTime", "endTime", SPAN_90_DAYS, SPAN_90_DAYS),
    id_field="billId",
    time_field="cTime",
    docs=DOCS + "Get-Account-Bills",
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
    paging=Cursor("idLessThan", "transferId", 500),
    window=Window("startTime", "endTime", SPAN_90_DAYS, SPAN_90_DAYS),
    id_field="transferId",
    time_field="ts",
    docs=DOCS + "Get-Account-TransferRecords",
)
DEPOSIT_ADDRESS = _endpoint(
    "GET",
    "/api/v2/spot/wallet/deposit-address",
    10,
    {"coin": STR, "chain": STR, "address": STR, "tag": STR, "url": STR},
    docs=DOCS + "Get-Deposit-Address",
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
    paging=Cursor("idLessThan", "orderId", 100),
    # Bitget does not state a maximum window here; 90 days is what its other records allow.
    window=Window("startTime", "endTime", SPAN_90_DAYS, SPAN_90_DAYS),
    id_field="orderId",
    time_field="cTime",
    docs=DOCS + "Get-Deposit-Record",
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
    paging=Cursor("idLessThan", "orderId", 100),
    window=Window("startTime", "endTime", SPAN_90_DAYS, SPAN_90_DAYS),
    id_field="orderId",
    time_field="cTime",
    docs=DOCS + "Get-Withdraw-Record",
)
TRADE_RATE = _endpoint(
    "GET",
    "/api/v2/common/trade-rate",
    10,
    {"makerFeeRate": NUM, "takerFeeRate": NUM},
    docs="https://www.bitget.com/api-doc/common/public/Get-Trade-Rate",
)
WITHDRAWAL = _endpoint(
    "POST",
    "/api/v2/spot/wallet/withdrawal",
    5,
    {"orderId": STR, "clientOid": STR},
    changes_state=True,
    docs=DOCS + "Wallet-Withdrawal",
)
CANCEL_WITHDRAWAL = _endpoint(
    "POST",
    "/api/v2/spot/wallet/cancel-withdrawal",
    10,
    {"result": STR},
    changes_state=True,
    docs=DOCS + "Cancel-Withdrawal",
)
TRANSFER = _endpoint(
    "POST",
    "/api/v2/spot/wallet/transfer",
    10,
    {"transferId": STR, "clientOid": STR},
    changes_state=True,
    docs=DOCS + "Wallet-Transfer",
)
SUBACCOUNT_TRANSFER = _endpoint(
    "POST",
    "/api/v2/spot/wallet/subaccount-transfer",
    10,
    {"transferId": STR, "clientOid": STR},
    changes_state=True,
    docs=DOCS + "Sub-Transfer",
)
SERVER_TIME = Endpoint(
    "GET",
    "/api/v2/public/time",
    {"serverTime": TIME},
    signed=False,
    limits=(Limit("/api/v2/public/time", 20, 1.0),),
)

# Codes from Bitget's error list as quoted by public clients (reference sheet 1.5).
ERRORS: dict[str, type[ExchangeError]] = {
    **dict.fromkeys(
        ("40001", "40002", "40003", "40004", "40005", "40006", "40008", "40009", "40010", "40011", "40012", "40037"),
        AuthenticationError,
    ),
    **dict.fromkeys(("40013", "40014", "40016", "40018", "40021", "40038"), PermissionDenied),
    **dict.fromkeys(("40007", "40017", "40019", "40704", "40705", "40707", "43111"), InvalidRequest),
    "40015": ExchangeUnavailable,
    "43012": InsufficientFunds,
    "429": RateLimited,
}

# Authority codes (Get-Account-Info): "*ow" codes are read/write; "wwow" is withdrawal write.
TRADE_AUTHORITIES = frozenset({"trade", "stow", "smow", "coow", "cpow"})
WITHDRAW_AUTHORITIES = frozenset({"withdraw", "wwow"})

AccountType = Literal[
    "spot", "p2p", "coin_futures", "usdt_futures", "usdc_futures", "crossed_margin", "isolated_margin"
]


class BitgetClient(RestClient):
    """Bitget spot account (API v2). Every method returns a ``pandas.DataFrame``.

    Amounts are ``float64``; pass ``exact=True`` to get ``decimal.Decimal`` values with every
    digit Bitget sent.
    """

    exchange = "bitget"
    default_base_url = "https://api.bitget.com"
    timestamp_error_codes = frozenset({"40004", "40008"})

    # ----------------------------------------------------------------- hooks

    def _sign(self, call: Call, endpoint: Endpoint) -> None:
        creds = self._credentials()
        if not creds.passphrase:
            raise ConfigurationError("Bitget credentials need the passphrase set when the key was created.")
        timestamp = str(self.clock.now_ms())
        prehash = timestamp + call.method + call.path_with_query + (call.body or "")
        sign = (
            pem_signature_b64(creds.api_secret, prehash)
            if is_pem(creds.api_secret)
            else hmac_sha256_b64(creds.api_secret, prehash)
        )
        call.headers.update(
            {
                "ACCESS-KEY": creds.api_key,
                "ACCESS-SIGN": sign,
                "ACCESS-TIMESTAMP": timestamp,
                "ACCESS-PASSPHRASE": creds.passphrase,
                "Content-Type": "application/json",
                "locale": "en-US",
            }
        )

    def _unwrap(self, call: Call, endpoint: Endpoint, response: requests.Response, exact: bool) -> Any:
        payload = decode_json(call, response, exact=exact)
        code = str(payload.get("code")) if isinstance(payload, dict) and "code" in payload else None
        if response.ok and code == "00000":
            return payload.get("data")
        if code is None and response.ok:
            raise MalformedResponse(
                self.exchange, endpoint.name, http_status=response.status_code, message="no 'code' in the answer"
            )
        message = ""
        if isinstance(payload, dict):
            message = str(payload.get("msg") or payload.get("message") or "")
        raise_for_code(
            self.exchange,
            endpoint.name,
            http_status=response.status_code,
            code=code,
            message=message,
            table=ERRORS,
            retry_after=retry_after_seconds(response),
        )

    def _server_time_ms(self) -> int:
        data = self._request(SERVER_TIME)
        try:
            return int(data["serverTime"])
        except (KeyError, TypeError, ValueError):
            raise MalformedResponse(self.exchange, SERVER_TIME.name, message=f"no serverTime in {data!r}") from None

    # ----------------------------------------------------------------- account

    def get_server_time(self) -> pd.DataFrame:
        """Bitget's clock: one row, column ``server_time``."""
        return self._frame(SERVER_TIME)

    def get_api_key_info(self) -> pd.DataFrame:
        """The key's account: ``user_id``, ``ips`` (whitelist), ``authorities`` (permissions), ...

        Replaces v1 ``account/getInfo`` with ``GET /api/v2/spot/account/info``.
        """
        return self._frame(ACCOUNT_INFO)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        Columns: ``exchange``, ``account``, ``permissions`` (Bitget's authority codes),
        ``can_read``, ``can_trade``, ``can_withdraw``, ``ip_whitelist``.
        """
        info = self.get_api_key_info().iloc[0]
        authorities = [str(a) for a in (info["authorities"] or [])]
        return key_summary(
            self.exchange,
            account=info["user_id"],
            permissions=authorities,
            can_trade=any(a in TRADE_AUTHORITIES for a in authorities),
            can_withdraw=any(a in WITHDRAW_AUTHORITIES for a in authorities),
            ip_whitelist=info["ips"] or None,
        )

    def get_balances(
        self, asset: str | None = None, asset_type: Literal["hold_only", "all"] | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Spot balances: ``coin``, ``available``, ``frozen``, ``locked``, ``limit_available``, ``u_time``.

        ``asset`` asks for one coin; ``asset_type`` is ``"hold_only"`` (Bitget's default: coins
        held) or ``"all"``. When both are given Bitget lets ``asset`` win.
        """
        return self._frame(ASSETS, {"coin": asset, "assetType": asset_type}, exact=exact)

    def get_balances_lite(self, asset: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Balances of coins held only (v1 ``assets-lite``; v2 ``assets`` with ``assetType=hold_only``)."""
        return self.get_balances(asset, "hold_only", exact=exact)

    def get_sub_account_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Balances of every sub-account with assets: one row per sub-account and coin (``user_id``, ...)."""
        return self._frame(SUBACCOUNT_ASSETS, exact=exact)

    def get_bills(
        self,
        asset_id: str | None = None,
        group_type: str | None = None,
        biz_type: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        limit: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The spot ledger: ``bill_id``, ``c_time``, ``coin``, ``group_type``, ``business_type``,
        ``size`` (signed change), ``balance`` (after it), ``fees``.

        Fetches every page (500 a request, ``idLessThan`` cursor) of every 90-day window in
        ``[start_time, end_time]`` (default: the last 90 days), oldest first. ``asset_id`` is the
        coin name in v2 (e.g. ``"USDT"``); ``group_type`` and ``biz_type`` filter as Bitget's
        ``groupType`` / ``businessType``. ``limit`` keeps the most recent ``limit`` records.
        ``df.attrs["coverage"]`` reports the range, windows and pages fetched.
        """
        params = {"coin": asset_id, "groupType": group_type, "businessType": biz_type}
        return self._history(BILLS, params, start_time=start_time, end_time=end_time, exact=exact, limit=limit)

    def get_transfer_history(
        self,
        asset_id: str,
        from_type: AccountType,
        start_time: TimeLike,
        end_time: TimeLike,
        client_order_id: str | None = None,
        limit: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Transfers out of ``from_type`` for coin ``asset_id``: every page of every 90-day window."""
        params = {"coin": asset_id, "fromType": from_type, "clientOid": client_order_id}
        return self._history(
            TRANSFER_RECORDS, params, start_time=start_time, end_time=end_time, exact=exact, limit=limit
        )

    def get_user_fee_ratio(
        self, symbol: str, business_type: Literal["spot", "margin", "mix"] = "spot", *, exact: bool = False
    ) -> pd.DataFrame:
        """Maker and taker fee rates for ``symbol`` (fractions: 0.001 is 0.1 %)."""
        frame = self._frame(TRADE_RATE, {"symbol": symbol, "businessType": business_type}, exact=exact)
        frame.insert(0, "symbol", pd.Series([symbol] * len(frame), dtype="str"))
        return frame

    # ----------------------------------------------------------------- wallet

    def get_deposit_address(self, asset: str, network: str | None = None) -> pd.DataFrame:
        """Deposit address for ``asset`` on ``network`` (Bitget's ``chain``, e.g. ``"trc20"``)."""
        return self._frame(DEPOSIT_ADDRESS, {"coin": asset, "chain": network})

    def get_deposit_history(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits in ``[start_time, end_time]`` (default: the last 90 days), every page, oldest first.

        v2 replaced page numbers with a cursor; ``page``/``page_size`` select the ``page``-th
        block of ``page_size`` records counted from the newest, as v1 did.
        """
        frame = self._history(DEPOSIT_RECORDS, {"coin": asset}, start_time=start_time, end_time=end_time, exact=exact)
        return _page_slice(frame, page, page_size)

    def get_withdrawal_history(
        self,
        asset: str | None = None,
        client_order_id: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        page: int | None = None,
        page_size: int | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Withdrawals in ``[start_time, end_time]`` (default: the last 90 days), every page, oldest first.

        ``fee`` is as Bitget sends it (negative). ``page``/``page_size`` as in ``get_deposit_history``.
        """
        params = {"coin": asset, "clientOid": client_order_id}
        frame = self._history(WITHDRAWAL_RECORDS, params, start_time=start_time, end_time=end_time, exact=exact)
        return _page_slice(frame, page, page_size)

    # ----------------------------------------------------------------- money-moving

    def withdraw(
        self,
        asset: str,
        address: str,
        network: str,
        quantity: Any,
        tag: str | None = None,
        remark: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Withdraw ``quantity`` of ``asset`` on chain ``network`` to ``address`` (in the address book).

        Sends nothing unless ``confirm=True``; raises ``ConfirmationRequired`` showing the request.
        A client order id is generated when none is given, so a repeat cannot pay twice.
        """
        body = {
            "coin": asset,
            "transferType": "on_chain",
            "address": address,
            "chain": network,
            "size": _amount(quantity),
            "tag": tag,
            "remark": remark,
            "clientOid": client_order_id or new_client_order_id(),
        }
        return self._send(WITHDRAWAL, body, confirm)

    def inner_withdraw(
        self,
        asset: str,
        to_user_id: str,
        quantity: Any,
        to_type: Literal["uid", "email", "mobile"] | None = None,
        area_code: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Internal transfer to another Bitget user (v2 withdrawal with ``transferType=internal_transfer``).

        ``to_user_id`` is the UID, email or mobile number according to ``to_type`` (default uid);
        ``area_code`` is required for mobile. Needs ``confirm=True``.
        """
        if to_type == "mobile" and not area_code:
            raise ConfigurationError("inner_withdraw to a mobile number needs area_code.")
        body = {
            "coin": asset,
            "transferType": "internal_transfer",
            "address": to_user_id,
            "innerToType": to_type,
            "areaCode": area_code,
            "size": _amount(quantity),
            "clientOid": client_order_id or new_client_order_id(),
        }
        return self._send(WITHDRAWAL, body, confirm)

    def cancel_withdrawal(self, order_id: str, *, confirm: bool = False) -> pd.DataFrame:
        """Cancel a withdrawal still in its one-minute regret period or in review. Needs ``confirm=True``."""
        return self._send(CANCEL_WITHDRAWAL, {"orderId": order_id}, confirm, scalar="result")

    def transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: AccountType,
        to_type: AccountType,
        symbol: str | None = None,
        client_order_id: str | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Move funds between your own account types. ``symbol`` is needed for isolated margin.

        Needs ``confirm=True``; a repeated ``client_order_id`` returns the existing transfer.
        """
        if "isolated_margin" in (from_type, to_type) and not symbol:
            raise ConfigurationError("A transfer to or from isolated_margin needs symbol (e.g. 'BTCUSDT').")
        body = {
            "fromType": from_type,
            "toType": to_type,
            "amount": _amount(quantity),
            "coin": asset,
            "symbol": symbol,
            "clientOid": client_order_id or new_client_order_id(),
        }
        return self._send(TRANSFER, body, confirm)

    def sub_transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: AccountType,
        to_type: AccountType,
        client_order_id: str | None,
        from_user_id: str,
        to_user_id: str,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Transfer between main and sub-accounts (main-account key, IP-bound). Needs ``confirm=True``."""
        body = {
            "fromType": from_type,
            "toType": to_type,
            "amount": _amount(quantity),
            "coin": asset,
            "clientOid": client_order_id or new_client_order_id(),
            "fromUserId": from_user_id,
            "toUserId": to_user_id,
        }
        return self._send(SUBACCOUNT_TRANSFER, body, confirm)

    def _send(self, endpoint: Endpoint, body: dict[str, Any], confirm: bool, scalar: str | None = None) -> pd.DataFrame:
        self._guard(endpoint, confirm, body=body)
        data = self._request(endpoint, body=body)
        records = [{scalar: data}] if scalar else self._extract(endpoint, data)
        return self._to_frame(endpoint, records, exact=False)


def _amount(quantity: Any) -> Any:
    try:
        if float(quantity) > 0:
            return quantity
    except (TypeError, ValueError):
        pass
    raise ConfigurationError(f"quantity must be a positive number, got {quantity!r}.")


def _page_slice(frame: pd.DataFrame, page: int | None, page_size: int | None) -> pd.DataFrame:
    if page is None and page_size is None:
        return frame
    size = page_size or 20
    number = page or 1
    if size < 1 or number < 1:
        raise ConfigurationError("page and page_size start at 1.")
    newest_first = frame.iloc[::-1]
    chunk = newest_first.iloc[(number - 1) * size : number * size].iloc[::-1].reset_index(drop=True)
    chunk.attrs = {**frame.attrs, "page": number, "page_size": size}
    return chunk
