"""Binance spot account over the WebSocket API (BN-WS: https://developers.binance.com/docs/binance-spot-api-docs/websocket-api).

Methods are synchronous for the user; the socket lives on a loop in a background thread (see
``toolkit.core.websocket`` for why). The connection opens on the first call, answers the server's
pings, reconnects with backoff after a drop, rotates before Binance's 24-hour limit and restores
user data subscriptions after each reconnection. Requests go through the same requester as every
other client (``toolkit.core.client``): signing, weights, retries of reads, error mapping.
"""

from __future__ import annotations

import asyncio
import json
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Literal, NoReturn

import pandas as pd

from toolkit.core import frames
from toolkit.core.client import DEFAULT_BUDGET, Client, Route, checked_url
from toolkit.core.credentials import Credentials
from toolkit.core.endpoint import Endpoint
from toolkit.core.frames import OBJ, STR, TIME
from toolkit.core.http import Call, HttpTransport, Reply
from toolkit.core.redact import get_logger
from toolkit.core.timeutil import TimeLike, now_ms, to_ms
from toolkit.core.vocabulary import key_summary
from toolkit.core.websocket import Frame, WebSocketTransport
from toolkit.errors import ConfigurationError, EndpointRetired, MalformedResponse, ToolkitError
from toolkit.exchanges.binance import endpoints as ep
from toolkit.exchanges.binance.auth import BinanceRestAuth, BinanceWsAuth
from toolkit.exchanges.binance.errors import ERRORS
from toolkit.exchanges.binance.events import CALLBACK_KINDS, CALLBACK_THREAD, UserDataSubscription

log = get_logger(__name__)

PRODUCTION_URL = ep.PRODUCTION_URL
TESTNET_URL = ep.TESTNET_URL
# The quotes whose markets get_my_trades asks for when no symbol is given.
QUOTES = ("USDT", "BTC")
LISTEN_KEYS_REMOVED = (
    "Binance removed listen keys (userDataStream.start/ping/stop, /api/v3/userDataStream) on 2026-02-20; "
    "the same events now come through userDataStream.subscribe.signature on the WebSocket API."
)


def markets_of(assets: Iterable[str]) -> list[str]:
    """The symbols ``get_my_trades`` asks for ``assets``: each against USDT and BTC (BTCUSDT, ETHBTC, ...)."""
    held = set(assets)
    return sorted(
        f"{a}{quote}" for a in held for quote in QUOTES if a != quote and not (a in QUOTES and quote == "BTC")
    )


class StreamWarning(UserWarning):
    """The user data stream was interrupted: a reconnection, a termination, a failed resubscription."""


class BinanceClient(Client):
    """Binance spot account on the WebSocket API, and its wallet history over signed REST.

    ``base_url`` points the WebSocket API at the testnet (``TESTNET_URL``) or a local server;
    ``rest_base_url`` the REST wallet endpoints (``/sapi``, which no testnet has) likewise. HMAC
    keys and PEM private keys (Ed25519, RSA) in ``credentials.api_secret`` both work, on both.

    Options: ``timeout`` (seconds, or ``(connect, read)``), ``max_retries`` for reads, ``budget``,
    ``sync_clock``, ``recv_window`` (ms), ``reconnect_backoff=(first, longest)`` seconds,
    ``rotate_after`` seconds (default 23.5 h, under Binance's 24 h limit), ``ping_interval``,
    ``session`` (the REST ``requests.Session``), ``progress``.
    """

    exchange = "binance"
    default_base_url = PRODUCTION_URL
    candles = ep.CANDLES
    url_schemes = ("ws", "wss")
    auth = BinanceWsAuth
    envelope = ep.ENVELOPE
    errors = ERRORS
    server_time = ep.TIME_
    default_retries = 2

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        rest_base_url: str | None = None,
        timeout: float | tuple[float, float] = 10.0,
        max_retries: int | None = None,
        budget: float = DEFAULT_BUDGET,
        sync_clock: bool = True,
        recv_window: int | None = None,
        reconnect_backoff: tuple[float, float] = (0.5, 30.0),
        rotate_after: float = 23.5 * 3600,
        ping_interval: float | None = 20.0,
        progress: bool = True,
        session: Any = None,
    ) -> None:
        open_timeout, self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        url = checked_url(base_url or PRODUCTION_URL, ("ws", "wss"))
        transport = WebSocketTransport(
            url,
            exchange=self.exchange,
            timeout=self.timeout,
            on_message=self._on_message,
            on_connect=self._restore_subscriptions,
            on_state=self._on_state,
            backoff=reconnect_backoff,
            rotate_after=rotate_after,
            open_timeout=open_timeout,
            ping_interval=ping_interval,
        )
        super().__init__(
            credentials, base_url=url, max_retries=max_retries, sync_clock=sync_clock, transport=transport,
            progress=progress, budget=budget,
        )  # fmt: skip
        self.recv_window = recv_window
        self.rest_base_url = checked_url(rest_base_url or ep.REST_URL, ("http", "https"), "rest_base_url")
        self.rest = HttpTransport(session, (open_timeout, self.timeout))
        self._rest_signer: BinanceRestAuth | None = None
        self._connection = transport.connection
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.RLock()
        self._handles: list[UserDataSubscription] = []
        self._by_id: dict[int, UserDataSubscription] = {}
        self._rate_limits: list[Mapping[str, Any]] = []
        self._shutdown_task: asyncio.Task[None] | None = None

    def __enter__(self) -> BinanceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def _loop(self) -> Any:
        return self.transport.loop

    def close(self) -> None:
        """Close the connection; subscriptions end (their events stay on the handles)."""
        with self._lock:
            for handle in self._handles:
                handle.set_status("stopped", "client closed")
            self._handles.clear()
        self.transport.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None

    # ----------------------------------------------------------------- requester hooks

    def _auth_options(self) -> dict[str, Any]:
        return {"recv_window": self.recv_window}

    def route(self, endpoint: Endpoint) -> Route:
        # WebSocket API methods are names ("myTrades"); the REST wallet endpoints are paths.
        if not endpoint.path.startswith("/"):
            return super().route(endpoint)
        return Route(self.rest, self.rest_base_url, self._rest_signer_for, ep.REST_ENVELOPE)

    def _rest_signer_for(self) -> BinanceRestAuth:
        if self._rest_signer is None or self._rest_signer.credentials is not self.credentials:
            self._rest_signer = BinanceRestAuth(self._credentials(), recv_window=self.recv_window)
        return self._rest_signer

    def _timestamp(self) -> int:
        # On the loop thread (resubscribing) a clock sync would wait on the loop itself: use the last offset.
        if self.transport.in_loop():
            return now_ms() + self.clock.offset_ms
        return self.clock.now_ms()

    def _observe(self, call: Call, endpoint: Endpoint, reply: Reply, payload: Any) -> None:
        limits = payload.get("rateLimits") if isinstance(payload, Mapping) else None
        if isinstance(limits, list):
            self._rate_limits = limits

    def _retry_after(self, reply: Reply, payload: Any, code: str | None) -> float | None:
        """A ban's end: ``error.data.retryAfter`` against ``serverTime`` (both ms) on the WebSocket
        API, the ``Retry-After`` header on REST."""
        error = payload.get("error") if isinstance(payload, Mapping) else None
        data = error.get("data") if isinstance(error, Mapping) else None
        if isinstance(data, Mapping) and "retryAfter" in data and "serverTime" in data:
            return max(0.0, (float(data["retryAfter"]) - float(data["serverTime"])) / 1000)
        return super()._retry_after(reply, payload, code)

    def to_frame(self, endpoint: Endpoint, records: Any, **kwargs: Any) -> pd.DataFrame:
        frame = super().to_frame(endpoint, records, **kwargs)
        frame.attrs["rate_limits"] = list(self._rate_limits)
        return frame

    # ----------------------------------------------------------------- account

    def get_account_info(self, omit_zero_balances: bool = False, *, exact: bool = False) -> pd.DataFrame:
        """Balances (``account.status``): one row per asset with ``free`` and ``locked``, and the
        account's scalars repeated on each row (commission rates, ``can_trade``, ``permissions``,
        ``update_time``, ``uid``, ...). ``omit_zero_balances`` leaves out empty assets."""
        result = self.call(ep.ACCOUNT_STATUS, {"omit_zero_balances": omit_zero_balances or None}, exact=exact)
        if not isinstance(result, Mapping) or not isinstance(result.get("balances", []), list):
            raise MalformedResponse(self.exchange, ep.ACCOUNT_STATUS.name, message="result is not an account object")
        with self.reading(ep.ACCOUNT_STATUS, result):
            account = frames.flatten({k: v for k, v in result.items() if k != "balances"})
            records = [
                {**account, **balance} if isinstance(balance, Mapping) else balance
                for balance in result.get("balances") or []
            ]
        return self._typed(ep.ACCOUNT_STATUS, records, exact)

    def get_order_rate_limits(self) -> pd.DataFrame:
        """The account's order-count limits and usage (``account.rateLimits.orders``): one row per
        limit with ``rate_limit_type``, ``interval``, ``interval_num``, ``limit``, ``count``."""
        result = self.call(ep.ORDER_RATE_LIMITS)
        if not isinstance(result, list):
            raise MalformedResponse(self.exchange, ep.ORDER_RATE_LIMITS.name, message="result is not a list")
        return self._typed(ep.ORDER_RATE_LIMITS, result, False)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        From ``account.status``: ``account`` is the uid, ``permissions`` the account permissions
        (``SPOT``, ...), ``can_trade``/``can_withdraw`` as Binance reports them. Binance's account
        answer says nothing about an IP whitelist, so ``ip_whitelist`` is empty.
        """
        result = self.call(ep.ACCOUNT_STATUS, {"omit_zero_balances": True})
        if not isinstance(result, Mapping):
            raise MalformedResponse(self.exchange, ep.ACCOUNT_STATUS.name, message="result is not an account object")
        uid = result.get("uid")
        with self.reading(ep.ACCOUNT_STATUS, result):
            return key_summary(
                self.exchange,
                account=None if uid is None else str(uid),
                permissions=[str(p) for p in result.get("permissions") or []],
                can_trade=result.get("canTrade"),
                can_withdraw=result.get("canWithdraw"),
                ip_whitelist=None,
            )

    @property
    def rate_limits(self) -> pd.DataFrame:
        """Request-weight usage from the last answer that reported it (``rateLimits``)."""
        limits = Endpoint("", "rateLimits", ep.RATE_LIMIT_COLUMNS)
        return self._typed(limits, list(self._rate_limits), False)

    def get_server_time(self) -> pd.DataFrame:
        """Binance's clock (``time``): one row, column ``server_time``."""
        return self._typed(ep.TIME_, [self.call(ep.TIME_)], False)

    def _typed(self, endpoint: Endpoint, records: Any, exact: bool) -> pd.DataFrame:
        if not all(isinstance(r, Mapping) for r in records):
            raise MalformedResponse(self.exchange, endpoint.name, message="records are not JSON objects")
        return self.to_frame(endpoint, records, exact=exact)

    # ----------------------------------------------------------------- history

    def get_my_trades(
        self,
        symbol: str | Sequence[str] | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """The account's fills (``myTrades``), oldest first.

        Parameters
        ----------
        symbol : str or list of str, optional
            One market (``"BTCUSDT"``) or several. Without it, every market of an asset the account
            can be seen to have held, against USDT and BTC (``markets_of``), from these reads:

            - its balances now (``account.status``, weight 20);
            - its daily snapshots (``/sapi/v1/accountSnapshot``, weight 2400), for the part of the
              range inside the last month, the only part Binance keeps: one request, none for an
              older range;
            - its deposits (``/sapi/v1/capital/deposit/hisrec``, weight 1 a 90-day window) and
              Convert trades (``/sapi/v1/convert/tradeFlow``, weight 3000 a 30-day window) in the
              range (without ``start_time``: their own defaults, the last 90 and 30 days).

            The withdrawal history (weight 18,000 a window) is not read. A market these cannot
            see must be named here: an asset bought and then sold, withdrawn or converted away
            entirely before the last month (or before the deposits and converts read), with none
            left and no deposit of it, or a market against a quote other than USDT and BTC
            (``symbol=["SOLUSDT", "SOLFDUSD"]``).
        start_time, end_time : time, optional
            Keep the fills of this range. Each market's history is walked whole, oldest first with
            ``fromId`` (1000 fills a request, weight 20 each; Binance takes no range with it).
        exact : bool
            Amounts as ``Decimal`` with every digit written.

        Returns
        -------
        DataFrame
            ``symbol``, ``id``, ``order_id``, ``price``, ``qty``, ``quote_qty``, ``commission``,
            ``commission_asset``, ``time``, ``is_buyer``, ``is_maker``, ... ``attrs["coverage"]``:
            ``symbols`` (the markets read), ``complete`` (False when any market's walk could not be
            proved complete, those named in ``partial_symbols``), ``pages``. Markets Binance does not
            list (-1121 "Invalid symbol.") are left out and named in ``attrs["not_markets"]``; the
            others are still read.
        """
        symbols = [symbol] if isinstance(symbol, str) else list(symbol) if symbol is not None else None
        if symbols is None:
            symbols = self._markets_held(start_time, end_time)
        args = {"symbol": symbols, "start_time": start_time, "end_time": end_time}
        trades = self.history(ep.MY_TRADES, args, exact=exact)
        refused = trades.attrs["coverage"].pop("refused_symbols", None)
        if refused:
            trades.attrs["not_markets"] = refused
        return trades

    def _markets_held(self, start_time: TimeLike | None, end_time: TimeLike | None) -> list[str]:
        """The markets ``get_my_trades`` reads without a symbol (its docstring says from what)."""
        assets = set(self.get_account_info(omit_zero_balances=True)["asset"])
        # Binance keeps the last month of snapshots ("within the last one month only"): only that part is asked.
        now = now_ms()
        window = ep.ACCOUNT_SNAPSHOT.window
        assert window is not None
        lo = max(now - window.max_span_ms, to_ms(start_time, "start_time") if start_time is not None else 0)
        hi = min(now, to_ms(end_time, "end_time")) if end_time is not None else now
        if lo < hi:
            days = self.get_account_snapshot(start_time=lo, end_time=hi)
            assets.update(days.loc[(days["free"] + days["locked"]) > 0, "asset"])
        paid_in = self.get_deposit_history(start_time=start_time, end_time=end_time)
        converts = self.get_convert_history(start_time=start_time, end_time=end_time)
        assets.update(paid_in["coin"].dropna(), converts["from_asset"].dropna(), converts["to_asset"].dropna())
        return markets_of(assets)

    def get_deposit_history(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Deposits (REST ``/sapi/v1/capital/deposit/hisrec``): ``id``, ``amount``, ``coin``, ``network``,
        ``status`` (1 success, 0 pending, 6 credited but locked, 7 wrong, 8 waiting, 2 rejected),
        ``address``, ``tx_id``, ``insert_time``, ... Every page of every 90-day window in
        ``[start_time, end_time]`` (default: the last 90 days), oldest first."""
        args = {"asset": asset, "start_time": start_time, "end_time": end_time}
        return self.history(ep.DEPOSIT_HISTORY, args, exact=exact)

    def get_withdrawal_history(
        self,
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Withdrawals (REST ``/sapi/v1/capital/withdraw/history``): ``id``, ``amount``,
        ``transaction_fee``, ``coin``, ``status`` (6 completed, 4 processing, 1 cancelled, ...),
        ``address``, ``tx_id``, ``apply_time``, ``network``, ... Every page of every 90-day window.
        Binance weighs this endpoint 18,000 of its 180,000 a minute per user: about ten windows a
        minute."""
        args = {"asset": asset, "start_time": start_time, "end_time": end_time}
        return self.history(ep.WITHDRAW_HISTORY, args, exact=exact)

    def get_account_snapshot(
        self, start_time: TimeLike | None = None, end_time: TimeLike | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Binance's daily spot snapshots (REST ``/sapi/v1/accountSnapshot``): one row per day and
        asset, ``update_time``, ``asset``, ``free``, ``locked``, ``total_asset_of_btc``. Binance keeps
        the last month only; windows of less than 30 days."""
        args = {"start_time": start_time, "end_time": end_time}
        window = ep.ACCOUNT_SNAPSHOT.window
        assert window is not None
        raw = replace(ep.ACCOUNT_SNAPSHOT, columns={"updateTime": TIME, "type": STR, "data": OBJ}, time_field=None)
        days = self.history(raw, args)
        records = []
        with self.reading(ep.ACCOUNT_SNAPSHOT, days):
            for day in days.itertuples():
                data = day.data if isinstance(day.data, Mapping) else {}
                for balance in data.get("balances") or []:
                    records.append({"updateTime": day.update_time.value // 1_000_000, "type": day.type,
                                    "totalAssetOfBtc": data.get("totalAssetOfBtc"), **balance})  # fmt: skip
        frame = self.to_frame(ep.ACCOUNT_SNAPSHOT, records, exact=exact)
        frame.attrs["coverage"] = days.attrs["coverage"]
        return frame.sort_values(["update_time", "asset"], kind="stable").reset_index(drop=True)

    def get_dust_log(
        self, start_time: TimeLike | None = None, end_time: TimeLike | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Small balances converted to BNB (REST ``/sapi/v1/asset/dribblet``; Binance returns the last
        100 conversions, none before 2020-12-01): one row per asset converted, ``operate_time``,
        ``from_asset``, ``amount``, ``transfered_amount`` (BNB received), ``service_charge_amount``, and
        its conversion's ``total_transfered_amount`` and ``total_service_charge_amount``."""
        return self.history(ep.DUST_LOG, {"start_time": start_time, "end_time": end_time}, exact=exact)

    def get_convert_history(
        self, start_time: TimeLike | None = None, end_time: TimeLike | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """Convert trades (REST ``/sapi/v1/convert/tradeFlow``), oldest first.

        Parameters
        ----------
        start_time, end_time : time, optional
            The range, asked in windows of 30 days (Binance's longest); default the last 30 days.
        exact : bool
            Amounts as ``Decimal`` with every digit written.

        Returns
        -------
        DataFrame
            ``quote_id``, ``order_id`` (text: ids above 2**53), ``order_status``, ``from_asset``,
            ``from_amount``, ``to_asset``, ``to_amount``, ``ratio``, ``inverse_ratio``, ``create_time``.
        """
        args = {"start_time": start_time, "end_time": end_time}
        return self.history(ep.CONVERT_HISTORY, args, exact=exact)

    def get_simple_earn_history(
        self,
        kind: Literal["subscription", "redemption", "rewards"],
        product: Literal["flexible", "locked"] = "flexible",
        asset: str | None = None,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Simple Earn subscriptions, redemptions or rewards (REST
        ``/sapi/v1/simple-earn/{product}/history/{kind}Record``), oldest first.

        Parameters
        ----------
        kind : {"subscription", "redemption", "rewards"}
        product : {"flexible", "locked"}
        asset : str, optional
            One asset (``"USDT"``); every asset when omitted.
        start_time, end_time : time, optional
            The range, asked in windows of 30 days; default the last 30 days.
        exact : bool
            Amounts as ``Decimal`` with every digit written.

        Returns
        -------
        DataFrame
            The fields Binance documents for that record, in snake_case: ``time``, ``asset``,
            ``amount`` (``rewards`` for flexible rewards), ``status``, ``type``, the record's ids, ...
        """
        endpoint = ep.SIMPLE_EARN.get((product, kind))
        if endpoint is None:
            raise ConfigurationError(
                "kind is 'subscription', 'redemption' or 'rewards' and product 'flexible' or 'locked', "
                f"got kind={kind!r}, product={product!r}."
            )
        args = {"asset": asset, "start_time": start_time, "end_time": end_time}
        return self.history(endpoint, args, exact=exact)

    def get_universal_transfer_history(
        self,
        transfer_type: str,
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Transfers between the account's wallets (REST ``/sapi/v1/asset/transfer``), oldest first.

        Parameters
        ----------
        transfer_type : str
            Binance's ``type``, from and to wallet: ``"MAIN_FUNDING"``, ``"FUNDING_MAIN"``,
            ``"MAIN_UMFUTURE"``, ...
        start_time, end_time : time, optional
            The range, asked in windows of 7 days; default the last 7 days. Binance serves the last
            6 months only.
        exact : bool
            Amounts as ``Decimal`` with every digit written.

        Returns
        -------
        DataFrame
            ``asset``, ``amount``, ``type``, ``status`` (CONFIRMED, FAILED, PENDING), ``tran_id``,
            ``timestamp``.
        """
        args = {"transfer_type": transfer_type, "start_time": start_time, "end_time": end_time}
        return self.history(ep.UNIVERSAL_TRANSFER, args, exact=exact)

    def get_simple_earn_positions(self, asset: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Simple Earn flexible positions (REST ``/sapi/v1/simple-earn/flexible/position``, every
        page): what the earn account holds, one row per product: ``asset``, ``total_amount``,
        ``product_id``, ``can_redeem``, the rates and the rewards so far (``cumulative_total_rewards``)."""
        return self.history(ep.EARN_POSITIONS, {"asset": asset}, exact=exact)

    def get_funding_assets(self, asset: str | None = None, *, exact: bool = False) -> pd.DataFrame:
        """Funding wallet balances (REST ``POST /sapi/v1/asset/get-funding-asset``, a read; Binance
        says it covers the assets of Binance Pay, Binance Card, Binance Gift Card and Stock Token).

        Parameters
        ----------
        asset : str, optional
            One asset; every asset when omitted.
        exact : bool
            Amounts as ``Decimal`` with every digit written.

        Returns
        -------
        DataFrame
            One row per asset: ``asset``, ``free``, ``locked``, ``freeze``, ``withdrawing``,
            ``btc_valuation``.
        """
        return self.request(ep.FUNDING_ASSETS, {"asset": asset}, exact=exact)

    # ----------------------------------------------------------------- user data stream

    def subscribe_to_user_data_updates(
        self,
        on_order_update: Callable[[pd.DataFrame], Any] | None = None,
        on_oco_order_update: Callable[[pd.DataFrame], Any] | None = None,
        on_account_position: Callable[[pd.DataFrame], Any] | None = None,
        on_account_balance_update: Callable[[pd.DataFrame], Any] | None = None,
        listen_key: str | None = None,
        *,
        exact: bool = False,
    ) -> UserDataSubscription:
        """Stream the account's events (``userDataStream.subscribe.signature``, any key type).

        Each callback gets one event as a DataFrame with descriptive columns: ``on_order_update``
        executionReport, ``on_oco_order_update`` listStatus, ``on_account_position``
        outboundAccountPosition (one row per asset: ``asset``, ``free``, ``locked``),
        ``on_account_balance_update`` balanceUpdate (``asset``, ``balance_delta``, ``clear_time``).
        Callbacks run in order on one background thread. ``listen_key`` is ignored: Binance
        removed listen keys on 2026-02-20. Returns a handle with ``stop()``, ``status`` and
        every event so far in ``events``.
        """
        if listen_key is not None:
            # FutureWarning rather than DeprecationWarning: Python shows it to users by default.
            log.warning("listen_key is ignored: %s", LISTEN_KEYS_REMOVED)
            warnings.warn(f"listen_key is ignored: {LISTEN_KEYS_REMOVED}", FutureWarning, stacklevel=2)
        given = {
            "on_order_update": on_order_update,
            "on_oco_order_update": on_oco_order_update,
            "on_account_position": on_account_position,
            "on_account_balance_update": on_account_balance_update,
        }
        for name, callback in given.items():
            if callback is not None and not callable(callback):
                raise ConfigurationError(f"{name} must be callable.")
        callbacks = {CALLBACK_KINDS[name]: cb for name, cb in given.items() if cb is not None}
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=CALLBACK_THREAD)
        handle = UserDataSubscription(callbacks, self._pool, self._unsubscribe, exact=exact)
        result = self.call(ep.SUBSCRIBE, on_reply=self._activator(handle, "subscribed"))
        if handle.subscription_id is None:  # the answer had no usable subscriptionId: raise for it here
            self._activate(handle, result, "subscribed")
        return handle

    def start_user_stream(self) -> NoReturn:
        """Retired: Binance removed listen keys on 2026-02-20; use ``subscribe_to_user_data_updates``."""
        raise EndpointRetired(
            self.exchange,
            "start_user_stream (userDataStream.start)",
            "subscribe_to_user_data_updates()",
            LISTEN_KEYS_REMOVED,
        )

    def keep_alive_user_stream(self, listen_key: str) -> NoReturn:
        """Retired: Binance removed listen keys on 2026-02-20; use ``subscribe_to_user_data_updates``."""
        raise EndpointRetired(
            self.exchange,
            "keep_alive_user_stream (userDataStream.ping)",
            "subscribe_to_user_data_updates()",
            LISTEN_KEYS_REMOVED,
        )

    def stop_user_stream(self, listen_key: str) -> NoReturn:
        """Retired: Binance removed listen keys on 2026-02-20; stop a subscription with its handle's ``stop()``."""
        raise EndpointRetired(
            self.exchange,
            "stop_user_stream (userDataStream.stop)",
            "subscribe_to_user_data_updates() and the handle's stop()",
            LISTEN_KEYS_REMOVED,
        )

    # ----------------------------------------------------------------- stream plumbing

    def _activator(self, handle: UserDataSubscription, reason: str) -> Callable[[Reply], None]:
        """Activates ``handle`` the moment its subscribe answer is read, before the events after it."""

        def on_reply(reply: Reply) -> None:
            answer = json.loads(reply.content)
            if answer.get("status") == 200:
                self._activate(handle, answer.get("result"), reason)

        return on_reply

    def _activate(self, handle: UserDataSubscription, result: Any, reason: str) -> None:
        """Route the subscription's events to ``handle`` and restore it after reconnections."""
        try:
            subscription_id = int(result["subscriptionId"])
        except (KeyError, TypeError, ValueError):
            raise MalformedResponse(
                self.exchange, ep.SUBSCRIBE.name, message=f"no subscriptionId in {result!r}"
            ) from None
        with self._lock:
            self._by_id[subscription_id] = handle
            if handle not in self._handles:
                self._handles.append(handle)
            handle.subscription_id = subscription_id
            handle.set_status("active", reason)

    def _unsubscribe(self, handle: UserDataSubscription) -> None:
        with self._lock:
            if handle in self._handles:
                self._handles.remove(handle)
        if handle.subscription_id is not None and self._connection.connected:
            self.call(ep.UNSUBSCRIBE, {"subscription_id": handle.subscription_id})

    def _on_message(self, frame: Frame) -> None:
        event = frame.get("event")
        if isinstance(event, Mapping):
            self._on_event(frame.get("subscriptionId"), event)
        elif frame.get("id") is None and "error" in frame:
            # An answer to no request: Binance revoking the session's key (BN-B4).
            status = frame.get("status")
            error = self.error("session", frame, Reply(status if isinstance(status, int) else None, {}, b""))
            self._announce(str(error))
            self._connection.fail_pending(error)
        else:
            log.debug("binance websocket: ignoring an unexpected frame with keys %s", sorted(frame))

    def _on_event(self, subscription_id: Any, event: Mapping[str, Any]) -> None:
        kind = event.get("e")
        if kind == "serverShutdown":
            self._announce("Binance announced a server shutdown; reconnecting")
            self._shutdown_task = asyncio.get_running_loop().create_task(
                self._connection.reconnect("server shutdown announced")
            )
            return
        if not isinstance(subscription_id, int):
            log.debug("binance websocket: %s event without a subscription id", kind)
            return
        with self._lock:
            handle = self._by_id.get(subscription_id)
            if handle is None:
                log.debug("binance websocket: %s event for unknown subscription %s", kind, subscription_id)
                return
            if kind == "eventStreamTerminated":
                del self._by_id[subscription_id]
                if handle.status != "stopped":
                    # Warn before the status changes: whoever waits on the status then also sees the warning.
                    self._announce(f"binance user data subscription {subscription_id} was terminated by Binance")
                    handle.set_status("terminated", "Binance terminated the event stream (eventStreamTerminated)")
                    if handle in self._handles:
                        self._handles.remove(handle)
                return
            handle.deliver(event)

    def _on_state(self, state: str, detail: str) -> None:
        if state not in ("reconnecting", "rotating"):
            log.info("binance websocket %s: %s", state, detail)
            return
        self._announce(f"binance websocket {detail}; reconnecting and resubscribing (events in the gap may be missed)")
        with self._lock:
            self._by_id.clear()
            for handle in self._handles:
                handle.set_status("reconnecting", detail)

    async def _restore_subscriptions(self) -> None:
        with self._lock:
            handles = list(self._handles)
        for handle in handles:
            handle.reconnects += 1
            try:
                call = self.prepare(ep.SUBSCRIBE)
                activate = self._activator(handle, "resubscribed after reconnection")

                def on_answer(answer: Any, activate: Callable[[Reply], None] = activate) -> None:
                    activate(self.transport.reply(answer))

                answer = await self._connection.request(self.transport.frame(call), self.timeout, on_answer)
                self.unwrap(call, ep.SUBSCRIBE, self.transport.reply(answer))
            except ToolkitError as err:
                handle.set_status("failed", str(err))
                self._announce(f"binance user data subscription could not be restored: {err}")

    @staticmethod
    def _announce(message: str) -> None:
        log.warning(message)
        warnings.warn(message, StreamWarning, stacklevel=2)
