"""CoinW spot account: ``POST /api/v1/private?command=<command>``, MD5-signed.

Every private command shares one URL and is told apart by its ``command`` query parameter, so
each endpoint here is a ``Command``: the usual ``Endpoint`` plus the command name, which also
goes into ``endpoint.name`` so that errors say which command failed.
Docs: https://www.coinw.com/api-doc/en/spot-trading/account/get-spot-account-balance and siblings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import pandas as pd
import requests
from tqdm.auto import tqdm

from toolkit.core.client import RestClient, key_summary, raise_for_code
from toolkit.core.endpoint import Endpoint, Record
from toolkit.core.frames import BOOL, INT, NUM, STR, TIME
from toolkit.core.http import Call, decode_json, retry_after_seconds
from toolkit.core.ratelimit import Limit
from toolkit.core.signing import md5_upper
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.credentials import Credentials
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
    ToolkitError,
)

DOCS = "https://www.coinw.com/api-doc/en/spot-trading/account/"
PRIVATE = "/api/v1/private"
PUBLIC = "/api/v1/public"

# 29001 is the start of CoinW's escalation (5-minute warning at half the limits, then a
# 30-second ban, then an 8-hour blacklist): wait longer than a ban, and try once more only.
RATE_LIMIT_PAUSE_SECONDS = 30.0
RATE_LIMIT_CODE = "29001"

# Global spot limits, from a third-party summary of CoinW's limits page (UNCONFIRMED).
IP_LIMIT = Limit("coinw:ip", 100, 1.0)
UID_LIMIT = Limit("coinw:uid", 300, 1.0)


@dataclass(frozen=True)
class Command(Endpoint):
    """A CoinW command: ``path?command=<command>``."""

    command: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}?command={self.command}"


def _command(command: str, columns: dict[str, str], count: int = 3, seconds: float = 1.0, **kw: Any) -> Command:
    """A private command with its own per-UID limit of ``count`` requests every ``seconds``."""
    limit = Limit(f"coinw:{command}", count, seconds)
    return Command("POST", PRIVATE, columns, limits=(limit,), command=command, **kw)


BALANCES = _command("returnBalances", {"asset": STR, "available": NUM}, docs=DOCS + "get-spot-account-balance")
COMPLETE_BALANCES = _command(
    "returnCompleteBalances",
    {"asset": STR, "available": NUM, "onOrders": NUM},
    count=5,
    seconds=2.0,
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
    id_field="depositNumber",
    time_field="time",
    docs="https://www.coinw.com/api-doc/spot-trading/account/ (Chinese copy: returnDepositsWithdrawals)",
)
DEPOSIT_ADDRESSES = _command(
    "returnDepositAddresses",
    {"chainName": STR, "address": STR, "memo": STR, "minRechargeAmount": NUM},
    docs=DOCS + "get-deposit-withdrawal-address",
)
WITHDRAW = _command("doWithdraw", {"depositNumber": STR}, changes_state=True, docs=DOCS + "initiate-withdrawal")
CANCEL_WITHDRAW = _command("cancelWithdraw", {"id": STR, "success": BOOL}, changes_state=True)
WEALTH_TRANSFER = _command(
    "spotWealthTransfer",
    {"bizType": STR, "coinCode": STR, "amount": NUM, "success": BOOL},
    count=1,
    changes_state=True,
    docs=DOCS + "transfer-assets",
)
CURRENCIES = Command(
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
    signed=False,
    limits=(Limit("coinw:returnCurrencies", 80, 1.0), IP_LIMIT),
    command="returnCurrencies",
)

# Reference sheet 2.5: CoinW publishes few spot codes; the rest are what ccxt and JKorf map.
ERRORS: dict[str, type[ExchangeError]] = {
    RATE_LIMIT_CODE: RateLimited,
    **dict.fromkeys(("1003", "6000", "6001", "10006", "10007"), AuthenticationError),
    **dict.fromkeys(("6003", "10004", "10005"), PermissionDenied),
    **dict.fromkeys(("-103", "-3", "402", "10002", "10003"), InvalidRequest),
    "200005": InsufficientFunds,
    "-200": ExchangeUnavailable,
}

ACCOUNT_TYPES = {"spot": "SPOT", "funding": "WEALTH", "wealth": "WEALTH"}
INNER_TO_TYPES = {"uid": 1, "mobile": 2, "email": 3}


def sign(params: Iterable[tuple[str, str]], secret: str) -> str:
    """CoinW's spot signature of ``params`` (which include ``api_key``, not ``command`` or ``sign``).

    The pairs are sorted by name and joined as ``k=v&...``; ``&secret_key=<secret>`` is appended
    and the MD5 is given in upper-case hex. The joined text holds the secret: it is never kept.
    """
    text = "&".join(f"{k}={v}" for k, v in sorted(params, key=lambda kv: kv[0]))
    return md5_upper(f"{text}&secret_key={secret}")


class CoinWClient(RestClient):
    """CoinW spot account. Every method returns a ``pandas.DataFrame``.

    CoinW sends some amounts as JSON numbers; they are always parsed without binary floats, so
    ``exact=True`` gives ``decimal.Decimal`` values with every digit sent, and large ids stay exact.
    """

    exchange = "coinw"
    default_base_url = "https://api.coinw.com"
    global_limits = (IP_LIMIT, UID_LIMIT)

    def __init__(self, credentials: Credentials | None = None, *, max_retries: int = 1, **options: Any) -> None:
        # Every retried failure risks another 29001 strike on the way to a ban: one retry by default.
        super().__init__(credentials, max_retries=max_retries, **options)
        self._currencies: pd.DataFrame | None = None

    # ----------------------------------------------------------------- hooks

    def _build(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        path_params: Mapping[str, Any] | None,
    ) -> Call:
        command = endpoint.command if isinstance(endpoint, Command) else None
        return super()._build(endpoint, {"command": command, **(params or {})}, body, path_params)

    def _sign(self, call: Call, endpoint: Endpoint) -> None:
        creds = self._credentials()
        command = [(k, v) for k, v in call.params if k == "command"]
        signed = sorted([*(p for p in call.params if p[0] != "command"), ("api_key", creds.api_key)])
        # CoinW's own examples: command first, the signed parameters, then sign; empty body.
        call.params = [*command, *signed, ("sign", sign(signed, creds.api_secret))]

    def _unwrap(self, call: Call, endpoint: Endpoint, response: requests.Response, exact: bool) -> Any:
        # Always exact: JSON numbers become Decimal and integers stay Python ints; the frame
        # conversion decides between float64 and Decimal.
        payload = decode_json(call, response, exact=True)
        if not isinstance(payload, dict) or "code" not in payload:
            if response.ok:
                raise MalformedResponse(
                    self.exchange, endpoint.name, http_status=response.status_code, message="no 'code' in the answer"
                )
            payload = {}
        code = str(payload["code"]) if "code" in payload else None
        # "success"/"failed" are absent from some documented answers; when present they must agree.
        if response.ok and code == "200" and payload.get("success") is not False and payload.get("failed") is not True:
            return payload.get("data")
        retry_after = retry_after_seconds(response)
        if code == RATE_LIMIT_CODE:
            retry_after = max(retry_after or 0.0, RATE_LIMIT_PAUSE_SECONDS)
            # Pause every CoinW request, not only this command's: the limits counted are per user.
            for limit in self.global_limits:
                self.limiter.block(limit.key, retry_after)
        raise_for_code(
            self.exchange,
            endpoint.name,
            http_status=response.status_code,
            code=code,
            message=str(payload.get("msg") or payload.get("message") or ""),
            table=ERRORS,
            retry_after=retry_after,
        )

    def _server_time_ms(self) -> int:
        # Spot signing carries no timestamp and CoinW documents no server-time command.
        return now_ms()

    def _extract(self, endpoint: Endpoint, data: Any) -> Sequence[Record]:
        return _exact_ints(super()._extract(endpoint, data), endpoint.columns)

    # ----------------------------------------------------------------- account

    def get_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Available spot balances (``returnBalances``): one row per asset, ``asset``, ``available``.

        An account that holds nothing gives an empty frame with the same columns.
        """
        data = self._request(BALANCES, exact=exact)
        records = [{"asset": asset, "available": amount} for asset, amount in _coin_map(BALANCES, data).items()]
        return self._to_frame(BALANCES, _exact_ints(records, BALANCES.columns), exact=exact)

    def get_complete_balances(self, *, exact: bool = False) -> pd.DataFrame:
        """Spot balances with the part frozen by open orders (``returnCompleteBalances``).

        Columns ``asset``, ``available``, ``on_orders``.
        """
        data = self._request(COMPLETE_BALANCES, exact=exact)
        records = []
        for asset, amounts in _coin_map(COMPLETE_BALANCES, data).items():
            if not isinstance(amounts, Mapping):
                raise MalformedResponse(self.exchange, COMPLETE_BALANCES.name, message=f"{asset}: not an object")
            records.append({"asset": asset, "available": amounts.get("available"), "onOrders": amounts.get("onOrders")})
        return self._to_frame(COMPLETE_BALANCES, _exact_ints(records, COMPLETE_BALANCES.columns), exact=exact)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        CoinW has no command that describes the caller's key. A ``returnBalances`` call proves
        the key can read; account, trade and withdraw permissions and the IP whitelist are None.
        """
        self._request(BALANCES)
        return key_summary(
            self.exchange, account=None, permissions=["read"], can_trade=None, can_withdraw=None, ip_whitelist=None
        )

    def get_currencies(self, *, exact: bool = False) -> pd.DataFrame:
        """CoinW's coins (public ``returnCurrencies``): ``symbol``, ``symbol_id`` (CoinW's numeric
        coin id), ``with_draw``/``recharge`` (withdrawals/deposits open), ``max_qty``, ``min_qty``,
        ``tx_fee`` (CoinW says to ignore it), ``chain`` (``@``-separated chain names).
        """
        data = self._request(CURRENCIES, exact=exact)
        coins = _coin_map(CURRENCIES, data)
        if not all(isinstance(coin, Mapping) for coin in coins.values()):
            raise MalformedResponse(self.exchange, CURRENCIES.name, message="coins are not JSON objects")
        records = [{"symbol": name, **coin} for name, coin in coins.items()]
        return self._to_frame(CURRENCIES, _exact_ints(records, CURRENCIES.columns), exact=exact)

    # ----------------------------------------------------------------- wallet

    def get_deposit_addresses(self, asset: str, network: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Deposit addresses for ``asset`` (``returnDepositAddresses``), one row per chain.

        CoinW wants its numeric coin id and a chain: both are looked up by name in the public
        ``returnCurrencies`` (fetched once per client). ``network`` picks one chain (e.g.
        ``"TRC20"``); without it every chain CoinW lists for the coin is asked, one request each.
        Columns ``asset``, ``chain_name``, ``address``, ``memo``, ``min_recharge_amount``.
        """
        symbol_id, chains = self._coin(asset)
        records: list[Record] = []
        for chain in [network] if network else chains:
            data = self._request(DEPOSIT_ADDRESSES, {"symbolId": symbol_id, "chain": chain}, exact=exact)
            records.extend(self._extract(DEPOSIT_ADDRESSES, data))
        frame = self._to_frame(DEPOSIT_ADDRESSES, records, exact=exact, attrs={"symbol_id": symbol_id})
        frame.insert(0, "asset", pd.Series([asset.upper()] * len(frame), index=frame.index, dtype="str"))
        return frame

    def _coin(self, asset: str) -> tuple[str, list[str]]:
        """CoinW's coin id and chain names for ``asset``, from ``returnCurrencies``."""
        if self._currencies is None:
            self._currencies = self.get_currencies()
        found = self._currencies[self._currencies["symbol"].str.upper() == asset.upper()]
        if found.empty:
            raise ConfigurationError(f"coinw lists no coin {asset!r} in returnCurrencies.")
        row = found.iloc[0]
        chains = [c for c in str(row["chain"] if pd.notna(row["chain"]) else "").split("@") if c]
        if not chains:
            raise ConfigurationError(f"coinw lists no chain for {asset!r}; pass network=... explicitly.")
        return str(row["symbol_id"]), chains

    def get_deposit_withdrawal_history(
        self,
        asset: str | Sequence[str] | None = None,
        deposit_number: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits and withdrawals (``returnDepositsWithdrawals``), oldest first.

        ``side`` is 1 for a deposit and 2 for a withdrawal; ``deposit_number`` is the record id
        (also the withdrawal id for ``cancel_withdrawal``). CoinW asks for one coin per request
        and documents no paging or time range: ``asset`` may be a coin, a list of coins, or None
        for every coin in ``get_complete_balances()`` (a coin no longer held is then not asked
        for). ``start_time``/``end_time`` filter what CoinW returned. ``df.attrs["coverage"]``
        lists the assets asked; ``complete`` is None because CoinW does not say whether it caps
        the number of records.
        """
        if asset is None:
            assets = self.get_complete_balances()["asset"].tolist()
        else:
            assets = [asset] if isinstance(asset, str) else list(asset)
        start_ms = to_ms(start_time, "start_time") if start_time is not None else None
        end_ms = to_ms(end_time, "end_time") if end_time is not None else None
        if start_ms is not None and end_ms is not None and start_ms > end_ms:
            raise ConfigurationError("start_time is after end_time.")

        records: list[Record] = []
        done = 0
        bar = tqdm(
            assets, desc="coinw history", unit="asset", disable=not self.progress or len(assets) < 2, leave=False
        )
        try:
            for coin in bar:
                params = {"symbol": coin, "depositNumber": deposit_number}
                data = self._request(DEPOSITS_WITHDRAWALS, params, exact=exact)
                records.extend(self._extract(DEPOSITS_WITHDRAWALS, data))
                done += 1
        except ToolkitError as err:
            err.add_note(f"coinw history stopped after {done} of {len(assets)} assets; nothing was returned.")
            raise
        finally:
            bar.close()

        frame = self._to_frame(DEPOSITS_WITHDRAWALS, records, exact=exact)
        if start_ms is not None:
            frame = frame[frame["time"] >= ms_to_timestamp(start_ms)]
        if end_ms is not None:
            frame = frame[frame["time"] <= ms_to_timestamp(end_ms)]
        frame = self._dedupe_and_sort(DEPOSITS_WITHDRAWALS, frame).reset_index(drop=True)
        frame.attrs.update(
            {
                "exchange": self.exchange,
                "endpoint": DEPOSITS_WITHDRAWALS.name,
                "coverage": {
                    "assets": assets,
                    "start": ms_to_timestamp(start_ms) if start_ms is not None else None,
                    "end": ms_to_timestamp(end_ms) if end_ms is not None else None,
                    "pages": done,
                    "complete": None,
                },
            }
        )
        return frame

    # ----------------------------------------------------------------- money-moving

    def withdraw(
        self,
        asset: str,
        address: str,
        network: str,
        quantity: Any,
        memo: str | None = None,
        to_type: Literal["uid", "mobile", "email"] | None = None,
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Withdraw ``quantity`` of ``asset`` on chain ``network`` (``doWithdraw``).

        With ``to_type`` it is an internal transfer to another CoinW user and ``address`` is
        their UID, mobile number or email. Returns ``deposit_number``, the withdrawal id.
        Sends nothing unless ``confirm=True``. CoinW takes no client order id, so a failed or
        timed-out call is never repeated: look in ``get_deposit_withdrawal_history`` first.
        """
        params: dict[str, Any] = {
            "currency": asset,
            "amount": _positive(quantity),
            "address": address,
            "chain": network,
            "memo": memo,
            "type": "internal_transfer" if to_type else "ordinary_withdraw",
        }
        if to_type:
            if to_type not in INNER_TO_TYPES:
                raise ConfigurationError(f"to_type must be one of {', '.join(INNER_TO_TYPES)}, got {to_type!r}.")
            params["innerToType"] = INNER_TO_TYPES[to_type]
        self._guard(WITHDRAW, confirm, params=params)
        data = self._request(WITHDRAW, params)
        return self._to_frame(WITHDRAW, self._extract(WITHDRAW, data), exact=False)

    def cancel_withdrawal(self, withdrawal_id: str, *, confirm: bool = False) -> pd.DataFrame:
        """Cancel a pending withdrawal (``cancelWithdraw``); ``withdrawal_id`` is its ``deposit_number``.

        Needs ``confirm=True``. Returns ``id`` and ``success`` (CoinW answers with no data).
        """
        params = {"id": withdrawal_id}
        self._guard(CANCEL_WITHDRAW, confirm, params=params)
        self._request(CANCEL_WITHDRAW, params)
        return self._to_frame(CANCEL_WITHDRAW, [{"id": str(withdrawal_id), "success": True}], exact=False)

    def transfer(
        self,
        asset: str,
        quantity: Any,
        from_type: Literal["spot", "funding"],
        to_type: Literal["spot", "funding"],
        *,
        confirm: bool = False,
    ) -> pd.DataFrame:
        """Move ``quantity`` of ``asset`` between spot and funding (CoinW "WEALTH"), ``spotWealthTransfer``.

        Needs ``confirm=True``. Returns what was moved (``biz_type``, ``coin_code``, ``amount``)
        and ``success`` (CoinW's ``data``). CoinW takes no client order id: never repeat blindly.
        """
        try:
            source, target = ACCOUNT_TYPES[from_type.lower()], ACCOUNT_TYPES[to_type.lower()]
        except (KeyError, AttributeError):
            raise ConfigurationError("from_type and to_type are 'spot' or 'funding'.") from None
        if source == target:
            raise ConfigurationError("from_type and to_type must differ.")
        params = {
            "accountType": source,
            "targetAccountType": target,
            "bizType": f"{source}_TO_{target}",
            "coinCode": asset,
            "amount": _positive(quantity),
        }
        self._guard(WEALTH_TRANSFER, confirm, params=params)
        data = self._request(WEALTH_TRANSFER, params)
        record = {"bizType": params["bizType"], "coinCode": asset, "amount": params["amount"], "success": data is True}
        return self._to_frame(WEALTH_TRANSFER, [record], exact=False)


def _coin_map(endpoint: Command, data: Any) -> Mapping[str, Any]:
    """The ``{coin: ...}`` object CoinW answers with; nothing held may come back empty or null."""
    if data is None or data == [] or data == "":
        return {}
    if not isinstance(data, Mapping):
        raise MalformedResponse(CoinWClient.exchange, endpoint.name, message="data is not a {coin: ...} object")
    return data


def _exact_ints(records: Sequence[Record], columns: Mapping[str, str]) -> list[Record]:
    """JSON integers made safe from pandas, which turns an int column with a gap into float64:
    ids become their digits, amounts become ``Decimal``."""
    kinds = {name: kind for name, kind in columns.items() if kind in (STR, NUM)}
    fixed: list[Record] = []
    for record in records:
        row = dict(record)
        for name, kind in kinds.items():
            value = row.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                row[name] = str(value) if kind == STR else Decimal(value)
        fixed.append(row)
    return fixed


def _positive(quantity: Any) -> Any:
    try:
        if Decimal(str(quantity)) > 0:
            return quantity
    except (ArithmeticError, ValueError, TypeError):
        pass
    raise ConfigurationError(f"quantity must be a positive number, got {quantity!r}.")
