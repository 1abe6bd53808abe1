"""Binance spot account over the WebSocket API (BN-WS: https://developers.binance.com/docs/binance-spot-api-docs/websocket-api).

Methods are synchronous for the user; the socket lives on a loop in a background thread (see
``toolkit.core.websocket`` for why). The connection opens on the first call, answers the server's
pings, reconnects with backoff after a drop, rotates before Binance's 24-hour limit and restores
user data subscriptions after each reconnection.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NoReturn

import pandas as pd

from toolkit import demo_mode
from toolkit.core import frames
from toolkit.core.client import MAX_BACKOFF_SECONDS, RestClient, key_summary, raise_for_code
from toolkit.core.clock import Clock
from toolkit.core.frames import BOOL, INT, NUM, OBJ, STR, TIME
from toolkit.core.ratelimit import Limit, RateLimiter
from toolkit.core.redact import get_logger
from toolkit.core.timeutil import now_ms
from toolkit.core.websocket import Connection, Frame, LoopThread
from toolkit.credentials import Credentials
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    EndpointRetired,
    ExchangeError,
    ExchangeUnavailable,
    InvalidRequest,
    MalformedResponse,
    PermissionDenied,
    RateLimited,
    RequestTimeout,
    ToolkitError,
    TransportError,
)
from toolkit.exchanges.binance import auth
from toolkit.exchanges.binance.events import CALLBACK_KINDS, UserDataSubscription
from toolkit.exchanges.binance.replay import ReplayServer

log = get_logger(__name__)

PRODUCTION_URL = "wss://ws-api.binance.com:443/ws-api/v3"
TESTNET_URL = "wss://ws-api.testnet.binance.vision/ws-api/v3"
LISTEN_KEYS_REMOVED = (
    "Binance removed listen keys (userDataStream.start/ping/stop, /api/v3/userDataStream) on 2026-02-20; "
    "the same events now come through userDataStream.subscribe.signature on the WebSocket API."
)
# BN-B10 codes; anything else falls back on the HTTP-like status of the answer.
ERRORS: dict[str, type[ExchangeError]] = {
    "-1002": PermissionDenied,
    "-1003": RateLimited,
    "-1007": ExchangeUnavailable,
    "-1008": ExchangeUnavailable,
    "-1015": RateLimited,
    "-1021": AuthenticationError,
    "-1022": AuthenticationError,
    "-1102": InvalidRequest,
    "-1125": InvalidRequest,
    "-2014": AuthenticationError,
    "-2015": AuthenticationError,
    "-2035": InvalidRequest,
    "-2036": InvalidRequest,
    "-2042": InvalidRequest,
}
TIMESTAMP_ERROR = "-1021"
SUBSCRIBE = "userDataStream.subscribe.signature"
# Request weights (BN-B11); the 6000-per-minute pool is shared with REST, per IP.
WEIGHTS = {"account.status": 20, "account.rateLimits.orders": 40, "time": 1}
REQUEST_WEIGHT_PER_MINUTE = 6000

ACCOUNT_COLUMNS = {
    "asset": STR,
    "free": NUM,
    "locked": NUM,
    "makerCommission": INT,
    "takerCommission": INT,
    "buyerCommission": INT,
    "sellerCommission": INT,
    "canTrade": BOOL,
    "canWithdraw": BOOL,
    "canDeposit": BOOL,
    "commissionRates_maker": NUM,
    "commissionRates_taker": NUM,
    "commissionRates_buyer": NUM,
    "commissionRates_seller": NUM,
    "brokered": BOOL,
    "requireSelfTradePrevention": BOOL,
    "preventSor": BOOL,
    "updateTime": TIME,
    "accountType": STR,
    "permissions": OBJ,
    "uid": STR,
}
RATE_LIMIT_COLUMNS = {"rateLimitType": STR, "interval": STR, "intervalNum": INT, "limit": INT, "count": INT}


class StreamWarning(UserWarning):
    """The user data stream was interrupted: a reconnection, a termination, a failed resubscription."""


class BinanceClient:
    """Binance spot account on the WebSocket API.

    ``base_url`` points at the testnet (``TESTNET_URL``) or a local server; in demo mode without
    one, a local replay server plays ``cassettes/binance/ws/demo.jsonl``. HMAC keys and PEM
    private keys (Ed25519, RSA) in ``credentials.api_secret`` both work.

    Options: ``timeout`` (seconds, or ``(connect, read)``), ``max_retries`` for reads,
    ``sync_clock``, ``recv_window`` (ms), ``reconnect_backoff=(first, longest)`` seconds,
    ``rotate_after`` seconds (default 23.5 h, under Binance's 24 h limit), ``ping_interval``.
    ``progress`` and ``session`` are REST options and are accepted and ignored.
    """

    exchange = "binance"
    default_base_url = PRODUCTION_URL

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        timeout: float | tuple[float, float] = 10.0,
        max_retries: int = 2,
        sync_clock: bool = True,
        recv_window: int | None = None,
        reconnect_backoff: tuple[float, float] = (0.5, 30.0),
        rotate_after: float = 23.5 * 3600,
        ping_interval: float | None = 20.0,
        progress: bool = True,
        session: Any = None,
    ) -> None:
        if credentials is not None and not isinstance(credentials, Credentials):
            raise ConfigurationError("credentials must be a toolkit.Credentials.")
        self.credentials = credentials
        self._replay: ReplayServer | None = None
        if base_url is None and demo_mode.active():
            secret = credentials.api_secret if credentials else None
            self._replay = ReplayServer("demo", secret=secret, lenient=True, lifetime=4 * 3600).start()
            base_url = self._replay.url
        self.base_url = base_url or PRODUCTION_URL
        open_timeout, self.timeout = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        self.max_retries = max_retries
        self.recv_window = recv_window
        self.limiter = RateLimiter()
        self.clock = Clock(self._server_time_ms, sync=sync_clock)
        self._sleep: Callable[[float], None] = time.sleep
        self._connection = Connection(
            self.base_url,
            exchange=self.exchange,
            on_message=self._on_message,
            on_connect=self._restore_subscriptions,
            on_state=self._on_state,
            backoff=reconnect_backoff,
            rotate_after=rotate_after,
            open_timeout=open_timeout,
            ping_interval=ping_interval,
        )
        self._loop: LoopThread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.RLock()
        self._handles: list[UserDataSubscription] = []
        self._by_id: dict[int, UserDataSubscription] = {}
        self._rate_limits: list[Mapping[str, Any]] = []
        self._shutdown_task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        who = "with credentials" if self.credentials else "without credentials"
        return f"<{type(self).__name__} {self.base_url} {who}>"

    def __enter__(self) -> BinanceClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection; subscriptions end (their events stay on the handles)."""
        with self._lock:
            for handle in self._handles:
                handle.set_status("stopped", "client closed")
            self._handles.clear()
        if self._loop is not None:
            try:
                self._loop.run(self._connection.close(), timeout=5)
            except (ToolkitError, TimeoutError):
                log.warning("binance websocket did not close cleanly")
            self._loop.stop()
            self._loop = None
        if self._pool is not None:
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._replay is not None:
            self._replay.stop()
            self._replay = None

    # ----------------------------------------------------------------- account

    def get_account_info(self, omit_zero_balances: bool = False, *, exact: bool = False) -> pd.DataFrame:
        """Balances (``account.status``): one row per asset with ``free`` and ``locked``, and the
        account's scalars repeated on each row (commission rates, ``can_trade``, ``permissions``,
        ``update_time``, ``uid``, ...). ``omit_zero_balances`` leaves out empty assets."""
        params = {"omitZeroBalances": True} if omit_zero_balances else None
        result = self._call("account.status", params)
        if not isinstance(result, Mapping):
            raise MalformedResponse(self.exchange, "account.status", message="result is not an object")
        account = frames.flatten({k: v for k, v in result.items() if k != "balances"})
        records = [
            {**account, **balance} if isinstance(balance, Mapping) else balance
            for balance in result.get("balances") or []
        ]
        return self._to_frame("account.status", records, ACCOUNT_COLUMNS, exact)

    def get_order_rate_limits(self) -> pd.DataFrame:
        """The account's order-count limits and usage (``account.rateLimits.orders``): one row per
        limit with ``rate_limit_type``, ``interval``, ``interval_num``, ``limit``, ``count``."""
        result = self._call("account.rateLimits.orders")
        if not isinstance(result, list):
            raise MalformedResponse(self.exchange, "account.rateLimits.orders", message="result is not a list")
        return self._to_frame("account.rateLimits.orders", result, RATE_LIMIT_COLUMNS, False)

    def describe_key(self) -> pd.DataFrame:
        """What this key reaches and may do, in the toolkit's cross-exchange shape (one row).

        From ``account.status``: ``account`` is the uid, ``permissions`` the account permissions
        (``SPOT``, ...), ``can_trade``/``can_withdraw`` as Binance reports them. Binance's account
        answer says nothing about an IP whitelist, so ``ip_whitelist`` is empty.
        """
        result = self._call("account.status", {"omitZeroBalances": True})
        uid = result.get("uid")
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
        return self._to_frame("rateLimits", list(self._rate_limits), RATE_LIMIT_COLUMNS, False)

    def get_server_time(self) -> pd.DataFrame:
        """Binance's clock (``time``): one row, column ``server_time``."""
        return self._to_frame("time", [self._call("time", signed=False)], {"serverTime": TIME}, False)

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
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="binance-callbacks")
        handle = UserDataSubscription(callbacks, self._pool, self._unsubscribe, exact=exact)
        result = self._call(SUBSCRIBE, on_answer=self._activator(handle, "subscribed"))
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

    # ----------------------------------------------------------------- requests

    def _credentials(self) -> Credentials:
        if self.credentials is None:
            raise ConfigurationError(
                "binance: this call needs API credentials; pass tk.Credentials(...) "
                "or set BINANCE_API_KEY / BINANCE_API_SECRET."
            )
        return self.credentials

    def _timestamp(self) -> int:
        # On the loop thread (resubscribing) a clock sync would wait on the loop itself: use the last offset.
        if self._loop is not None and self._loop.in_loop():
            return now_ms() + self.clock.offset_ms
        return self.clock.now_ms()

    def _request_frame(self, method: str, params: Mapping[str, Any] | None, signed: bool) -> Frame:
        sent = {k: v for k, v in (params or {}).items() if v is not None}
        if signed:
            creds = self._credentials()
            sent["apiKey"] = creds.api_key
            sent["timestamp"] = self._timestamp()
            if self.recv_window is not None:
                sent["recvWindow"] = self.recv_window
            sent["signature"] = auth.signature(creds.api_secret, auth.payload(sent))
        frame: Frame = {"id": str(uuid.uuid4()), "method": method}
        if sent:
            frame["params"] = sent
        return frame

    def _call(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        *,
        signed: bool = True,
        on_answer: Callable[[Frame], None] | None = None,
    ) -> Any:
        """Send one request and return its ``result``.

        A -1021 (timestamp) answer resyncs the clock once and retries; rate limits, unavailability
        and lost connections are retried up to ``max_retries`` times with backoff, unless Binance
        asks for a wait longer than a minute (an IP ban).
        """
        attempt = 0
        resynced = False
        while True:
            weight = WEIGHTS.get(method, 2)
            self.limiter.acquire([Limit("REQUEST_WEIGHT", REQUEST_WEIGHT_PER_MINUTE, 60.0, weight)])
            frame = self._request_frame(method, params, signed)
            try:
                answer = self._run(self._connection.request(frame, self.timeout, on_answer), method)
                return self._result(method, answer)
            except AuthenticationError as err:
                if not signed or resynced or err.code != TIMESTAMP_ERROR:
                    raise
                log.warning("binance rejected the timestamp (%s); resyncing the clock once", err.code)
                self.clock.resync()
                resynced = True
            except (RateLimited, ExchangeUnavailable, TransportError) as err:
                retry_after = getattr(err, "retry_after", None)
                if attempt >= self.max_retries or (retry_after or 0) > MAX_BACKOFF_SECONDS:
                    raise
                wait = RestClient._backoff(attempt, retry_after)
                log.warning("%s; retry %d of %d in %.1f s", err, attempt + 1, self.max_retries, wait)
                self._sleep(wait)
                attempt += 1

    def _run(self, coro: Any, method: str) -> Frame:
        if self._loop is None:
            self._loop = LoopThread("binance-websocket")
        try:
            answer: Frame = self._loop.run(coro, timeout=self.timeout + self._connection.open_timeout + 1)
        except TimeoutError:
            raise RequestTimeout(self.exchange, method, f"no answer within {self.timeout} s") from None
        return answer

    def _result(self, method: str, answer: Frame) -> Any:
        limits = answer.get("rateLimits")
        if isinstance(limits, list):
            self._rate_limits = limits
        if answer.get("status") == 200 and "result" in answer:
            return answer["result"]
        raise self._error(method, answer)

    def _error(self, method: str, answer: Frame) -> ExchangeError:
        status = answer.get("status")
        http_status = status if isinstance(status, int) else None
        error = answer.get("error")
        if not isinstance(error, Mapping):
            return MalformedResponse(self.exchange, method, http_status=http_status, message="no result and no error")
        code = error.get("code")
        data = error.get("data")
        if not isinstance(data, Mapping):
            data = {}
        retry_after = None
        if "retryAfter" in data and "serverTime" in data:
            retry_after = max(0.0, (float(data["retryAfter"]) - float(data["serverTime"])) / 1000)
        try:
            raise_for_code(
                self.exchange,
                method,
                http_status=http_status,
                code=None if code is None else str(code),
                message=str(error.get("msg") or ""),
                table=ERRORS,
                retry_after=retry_after,
            )
        except ExchangeError as err:
            return err
        raise AssertionError("raise_for_code always raises")

    def _server_time_ms(self) -> int:
        result = self._call("time", signed=False)
        try:
            return int(result["serverTime"])
        except (KeyError, TypeError, ValueError):
            raise MalformedResponse(self.exchange, "time", message=f"no serverTime in {result!r}") from None

    def _to_frame(self, method: str, records: Any, columns: Mapping[str, str], exact: bool) -> pd.DataFrame:
        if not all(isinstance(r, Mapping) for r in records):
            raise MalformedResponse(self.exchange, method, message="records are not JSON objects")
        try:
            frame = frames.to_frame(records, columns, exact=exact)
        except frames.ConversionError as exc:
            raise MalformedResponse(self.exchange, method, message=str(exc)) from None
        frame.attrs.update({"exchange": self.exchange, "endpoint": method, "rate_limits": list(self._rate_limits)})
        return frame

    # ----------------------------------------------------------------- stream plumbing (loop thread)

    def _activator(self, handle: UserDataSubscription, reason: str) -> Callable[[Frame], None]:
        """Activates ``handle`` the moment its subscribe answer is read, before the events after it."""

        def on_answer(answer: Frame) -> None:
            if answer.get("status") == 200:
                self._activate(handle, answer.get("result"), reason)

        return on_answer

    def _activate(self, handle: UserDataSubscription, result: Any, reason: str) -> None:
        """Route the subscription's events to ``handle`` and restore it after reconnections."""
        try:
            subscription_id = int(result["subscriptionId"])
        except (KeyError, TypeError, ValueError):
            raise MalformedResponse(self.exchange, SUBSCRIBE, message=f"no subscriptionId in {result!r}") from None
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
            self._call("userDataStream.unsubscribe", {"subscriptionId": handle.subscription_id}, signed=False)

    def _on_message(self, frame: Frame) -> None:
        event = frame.get("event")
        if isinstance(event, Mapping):
            self._on_event(frame.get("subscriptionId"), event)
        elif frame.get("id") is None and "error" in frame:
            # An answer to no request: Binance revoking the session's key (BN-B4).
            error = self._error("session", frame)
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
        with self._lock:
            handle = self._by_id.get(subscription_id) if isinstance(subscription_id, int) else None
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
            frame = self._request_frame(SUBSCRIBE, None, True)
            try:
                answer = await self._connection.request(
                    frame, self.timeout, self._activator(handle, "resubscribed after reconnection")
                )
                self._result(SUBSCRIBE, answer)
            except ToolkitError as err:
                handle.set_status("failed", str(err))
                self._announce(f"binance user data subscription could not be restored: {err}")

    @staticmethod
    def _announce(message: str) -> None:
        log.warning(message)
        warnings.warn(message, StreamWarning, stacklevel=2)
