"""Binance's WebSocket API (account methods and the user data stream), served from a fictional account.

Requests are checked as Binance documents them (BN-WS "Request security", "Timing security"): the
API key (-2015), the signature over the sorted parameters (-1022), the timestamp against
``recvWindow`` (-1021); every answer carries ``rateLimits`` with the request weight used this
minute, and a request past 6000 is refused with -1003. ``userDataStream.subscribe.signature``
subscribes; with ``story=True`` the sandbox then plays a short story on the account, in the
documented event shapes: a deposit, a limit buy that fills, an OCO order. The story changes the
account, so ``account.status`` afterwards agrees with the events. ``drop_after`` (a fault knob)
cuts every connection without a close frame after that many requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from toolkit.core.candles import INTERVALS_MS
from toolkit.core.credentials import Credentials
from toolkit.core.timeutil import now_ms
from toolkit.core.websocket import LoopThread
from toolkit.exchanges.binance.auth import payload, verify
from toolkit.exchanges.binance.endpoints import REQUEST_WEIGHT_PER_MINUTE
from toolkit.exchanges.binance.sandbox_rest import BinanceRestApp
from toolkit.sandbox.account import FEE_RATE, Account, Entry
from toolkit.sandbox.base import demo_credentials, split_market
from toolkit.sandbox.exports import when
from toolkit.sandbox.server import HttpSandbox

WEIGHTS = {"time": 1, "account.status": 20, "account.rateLimits.orders": 40, "myTrades": 20}
# The markets of the sandbox (those of its fictional account's assets); any other is -1121.
MARKETS = frozenset({"BTCUSDT", "ETHUSDT", "ETHBTC", "BNBUSDT", "BNBBTC"})
DEFAULT_RECV_WINDOW = 5000
STORY_PAUSE = 0.3


# Each kind of entry as Binance's statement names it (its Operation); a trade's legs: trade_operation.
OPERATIONS = {"deposit": "Deposit", "withdrawal": "Withdraw", "fee": "Transaction Fee", "convert": "Binance Convert",
              "dust": "Small Assets Exchange BNB", "transfer": "Transfer Between Main and Funding Wallet",
              "earn_subscribe": "Simple Earn Flexible Subscription",
              "earn_redeem": "Simple Earn Flexible Redemption", "reward": "Simple Earn Flexible Interest"}  # fmt: skip


def trade_operation(entry: Entry) -> str:
    """A fill's legs as the statement names them: what it bought or sold, and what it spent or received."""
    bought = entry.amount > 0
    if entry.asset == "USDT":
        return "Transaction Revenue" if bought else "Transaction Spend"
    return "Transaction Buy" if bought else "Transaction Sold"


def error(status: int, code: int, message: str) -> dict[str, Any]:
    return {"status": status, "error": {"code": code, "msg": message}}


class BinanceSandbox:
    """A WebSocket API server on 127.0.0.1 over ``account``; ``url`` is where to connect."""

    def __init__(
        self,
        account: Account,
        credentials: Credentials | None = None,
        *,
        story: bool = False,
        lifetime: float = 4 * 3600,
    ) -> None:
        self.account = account
        self.keys: dict[str, Credentials] = {}
        self.rest_app = BinanceRestApp(account)
        # What the request weight's minutes are counted on (a SkippingClock's in demo mode).
        self.minute_clock: Callable[[], float] = time.time
        self.rest = HttpSandbox(self.rest_app, lifetime=lifetime)
        self.issue(credentials or demo_credentials("binance"))
        self.story = story
        self.lifetime = lifetime
        self.clock_offset_ms = 0
        self.drop_after: int | None = None
        self.locked: dict[str, float] = {}
        self.received: list[dict[str, Any]] = []
        self.url = ""
        self._weight: tuple[int, int] = (0, 0)  # (minute, weight used in it)
        self._subscriptions = 0
        self._loop: LoopThread | None = None
        self._server: Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._connections: set[ServerConnection] = set()

    def inject(self, text: str) -> None:
        """Send ``text`` as a frame to every open connection (a fault: a frame no Binance sends)."""
        assert self._loop is not None

        async def send() -> None:
            for ws in list(self._connections):
                with contextlib.suppress(ConnectionClosed):
                    await ws.send(text)

        self._loop.run(send(), timeout=5)

    def issue(self, credentials: Credentials) -> None:
        """Accept ``credentials`` from now on (here and on REST), as Binance does once a key is created."""
        self.keys[credentials.api_key] = credentials
        self.rest_app.issue(credentials)

    @property
    def rest_url(self) -> str:
        """The REST wallet endpoints (``/sapi``) of the same account."""
        return self.rest.url

    @staticmethod
    def export_rows(entries: Sequence[Entry]) -> Iterator[list[str]]:
        """``entries`` as Binance's transaction statement writes them (``toolkit.imports`` reads it)."""
        yield ["User_ID", "UTC_Time", "Account", "Operation", "Coin", "Change", "Remark"]
        for e in entries:
            operation = trade_operation(e) if e.kind == "trade" else OPERATIONS[e.kind]
            yield ["100000001", when(e), e.account.capitalize(), operation, e.asset, f"{e.amount:.8f}", ""]

    @staticmethod
    def replay(transcript: str, secret: str | None, lifetime: float) -> Any:
        """A lenient replay of a transcript of documented examples (``sandbox_replay.ReplayServer``), started."""
        from toolkit.exchanges.binance.sandbox_replay import ReplayServer

        return ReplayServer(transcript, secret=secret, lenient=True, lifetime=lifetime).start()

    def start(self) -> BinanceSandbox:
        self._loop = LoopThread("sandbox-binance")
        self._server = self._loop.run(self._serve(), timeout=5)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/ws-api/v3"
        self.rest.start()
        return self

    def stop(self) -> None:
        self.rest.stop()
        if self._loop is not None and self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                self._loop.run(self._server.wait_closed(), timeout=5)
            self._loop.stop()
            self._loop = None

    async def _serve(self) -> Server:
        server = await serve(self._handle, "127.0.0.1", 0)
        asyncio.get_running_loop().call_later(self.lifetime, server.close)
        return server

    def now_ms(self) -> int:
        return now_ms() + self.clock_offset_ms

    # ----------------------------------------------------------------- requests

    async def _handle(self, ws: ServerConnection) -> None:
        self._connections.add(ws)
        ws_closed = ws.wait_closed()
        asyncio.get_running_loop().create_task(ws_closed).add_done_callback(lambda _: self._connections.discard(ws))
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                frame = json.loads(message)
                self.received.append(frame)
                if self.drop_after is not None and len(self.received) > self.drop_after:
                    ws.transport.abort()
                    return
                answer = self.answer(frame)
                await ws.send(json.dumps({"id": frame.get("id"), **answer}))
                subscribed = frame.get("method") == "userDataStream.subscribe.signature" and answer["status"] == 200
                if subscribed and self.story:
                    task = asyncio.create_task(self._tell(ws, answer["result"]["subscriptionId"]))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)

    def _rate_limits(self, weight: int) -> tuple[bool, list[dict[str, Any]]]:
        minute = int(self.minute_clock() // 60)
        used = (self._weight[1] if self._weight[0] == minute else 0) + weight
        self._weight = (minute, used)
        limits = [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
                   "limit": REQUEST_WEIGHT_PER_MINUTE, "count": used}]  # fmt: skip
        return used <= REQUEST_WEIGHT_PER_MINUTE, limits

    def answer(self, frame: dict[str, Any]) -> dict[str, Any]:
        method = str(frame.get("method"))
        params = frame.get("params") or {}
        within, limits = self._rate_limits(WEIGHTS.get(method, 2))
        if not within:
            return {**error(429, -1003, "Too much request weight used; please use WebSocket Streams for live updates."),
                    "rateLimits": limits}  # fmt: skip
        if "signature" in params:
            refused = self._check(params)
            if refused is not None:
                return {**refused, "rateLimits": limits}
        if method == "myTrades":
            return {**self.my_trades(params), "rateLimits": limits}
        if method == "klines":
            return {**self.klines(params), "rateLimits": limits}
        handlers = {
            "time": lambda: {"serverTime": self.now_ms()},
            "account.status": lambda: self.account_status(bool(params.get("omitZeroBalances"))),
            "account.rateLimits.orders": lambda: [
                {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50, "count": 0},
                {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000, "count": 0},
            ],
            "userDataStream.subscribe.signature": self._subscribe,
            "userDataStream.unsubscribe": lambda: {},
        }
        handler = handlers.get(method)
        if handler is None:
            return {**error(400, -1102, f"Unknown method {method}."), "rateLimits": limits}
        return {"status": 200, "result": handler(), "rateLimits": limits}

    def _check(self, params: dict[str, Any]) -> dict[str, Any] | None:
        creds = self.keys.get(str(params.get("apiKey")))
        if creds is None:
            return error(401, -2015, "Invalid API-key, IP, or permissions for action.")
        if not verify(creds.api_secret, payload(params), str(params["signature"])):
            return error(400, -1022, "Signature for this request is not valid.")
        window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW)
        stamp = int(params.get("timestamp") or 0)
        if stamp > self.now_ms() + 1000 or self.now_ms() - stamp > window:
            return error(400, -1021, "Timestamp for this request is outside of the recvWindow.")
        return None

    def klines(self, params: dict[str, Any]) -> dict[str, Any]:
        step = INTERVALS_MS.get(str(params.get("interval")))
        if step is None:
            return error(400, -1120, "Invalid interval.")
        end = int(params.get("endTime") or self.now_ms())
        start = int(params.get("startTime") or end - 500 * step)
        rows = self.account.candles(*split_market(str(params.get("symbol") or ""), ""), start, end, step)
        if rows is None:
            return error(400, -1121, "Invalid symbol.")
        rows = [r for r in rows if r[0] >= start][: min(int(params.get("limit") or 500), 1000)]
        return {"status": 200, "result": [
            [r[0], *(f"{v:.8f}" for v in r[1:5]), f"{r[5]:.8f}", r[0] + step - 1, f"{r[6]:.8f}", 0, "0", "0", "0"]
            for r in rows]}  # fmt: skip

    def my_trades(self, params: dict[str, Any]) -> dict[str, Any]:
        symbol = str(params.get("symbol") or "")
        if symbol not in MARKETS:
            return error(400, -1121, "Invalid symbol.")
        start, end = params.get("startTime"), params.get("endTime")
        if start is not None and end is not None and int(end) - int(start) > 24 * 3_600_000:
            return error(400, -1127, "More than 24 hours between startTime and endTime.")
        if params.get("fromId") is not None and (start is not None or end is not None):
            return error(400, -1128, "Combination of optional parameters invalid.")
        limit = min(int(params.get("limit") or 500), 1000)
        from_id = int(params.get("fromId") or 0)
        with self.account.lock:
            fills = [t for t in self.account.trades if f"{t.base}USDT" == symbol and t.id >= from_id
                     and (start is None or t.time >= int(start)) and (end is None or t.time <= int(end))]  # fmt: skip
        rows = [
            {"symbol": symbol, "id": t.id, "orderId": 10_000_000 + t.id, "orderListId": -1,
             "price": f"{t.price:.8f}", "qty": f"{t.quantity:.8f}", "quoteQty": f"{t.quote_quantity:.8f}",
             "commission": f"{t.fee:.8f}", "commissionAsset": t.fee_asset, "time": t.time,
             "isBuyer": t.side == "buy", "isMaker": False, "isBestMatch": True}
            for t in sorted(fills, key=lambda t: t.id)[:limit]
        ]  # fmt: skip
        return {"status": 200, "result": rows}

    def _subscribe(self) -> dict[str, int]:
        subscription = self._subscriptions
        self._subscriptions += 1
        return {"subscriptionId": subscription}

    def account_status(self, omit_zero: bool) -> dict[str, Any]:
        with self.account.lock:
            assets = sorted({"BNB", *(asset for _, asset in self.account.balances)})
            balances = [self._balance(asset) for asset in assets]
            updated = self.account.entries[-1].time if self.account.entries else self.now_ms()
        if omit_zero:
            balances = [b for b in balances if float(b["free"]) or float(b["locked"])]
        rate = f"{FEE_RATE:.8f}"
        return {
            "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
            "canTrade": True, "canWithdraw": True, "canDeposit": True,
            "commissionRates": {"maker": rate, "taker": rate, "buyer": "0.00000000", "seller": "0.00000000"},
            "brokered": False, "requireSelfTradePrevention": False, "preventSor": False, "updateTime": updated,
            "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": 100000001,
        }  # fmt: skip

    def _balance(self, asset: str) -> dict[str, str]:
        total = self.account.balance("spot", asset)
        locked = self.locked.get(asset, 0.0)
        return {"asset": asset, "free": f"{total - locked:.8f}", "locked": f"{locked:.8f}"}

    # ----------------------------------------------------------------- the story

    async def _tell(self, ws: ServerConnection, subscription: int) -> None:
        """A deposit, a limit buy that fills, an OCO order: each booked, then told as events."""

        async def send(event: dict[str, Any]) -> None:
            await ws.send(json.dumps({"subscriptionId": subscription, "event": event}))

        def position(*assets: str) -> dict[str, Any]:
            now = self.now_ms()
            rows = [self._balance(a) for a in assets]
            return {"e": "outboundAccountPosition", "E": now, "u": now - 1,
                    "B": [{"a": r["asset"], "f": r["free"], "l": r["locked"]} for r in rows]}  # fmt: skip

        with contextlib.suppress(ConnectionClosed):
            await asyncio.sleep(STORY_PAUSE)
            now = self.now_ms()
            self.account.deposit(now, "USDT", 500.0, random.Random(now))
            await send({"e": "balanceUpdate", "E": now + 1, "a": "USDT", "d": "500.00000000", "T": now})
            await send(position("USDT"))

            await asyncio.sleep(STORY_PAUSE)
            closes = self.account.closes.get("BTC") or {}
            price = round(closes[max(closes)] if closes else 90_000.0, 2)
            quantity, cost = 0.01, round(0.01 * price, 8)
            order = _order(self.now_ms(), "demoOrder0001", 1000001, "BUY", quantity, price)
            self.locked["USDT"] = self.locked.get("USDT", 0.0) + cost
            await send({**order, "x": "NEW", "X": "NEW"})
            await send(position("USDT"))

            await asyncio.sleep(STORY_PAUSE)
            self.locked["USDT"] -= cost
            fill = self.account.trade(self.now_ms(), "BTC", "buy", quantity, price)
            await send({**order, "E": self.now_ms(), "x": "TRADE", "X": "FILLED", "l": f"{quantity:.8f}",
                        "z": f"{quantity:.8f}", "L": f"{price:.8f}", "n": f"{fill.fee:.8f}", "N": fill.fee_asset,
                        "t": fill.id, "w": False, "Z": f"{cost:.8f}", "Y": f"{cost:.8f}"})  # fmt: skip
            await send(position("BTC", "USDT"))

            await asyncio.sleep(STORY_PAUSE)
            now = self.now_ms()
            self.locked["BTC"] = self.locked.get("BTC", 0.0) + 0.005
            await send(position("BTC"))
            await send({"e": "listStatus", "E": now, "s": "BTCUSDT", "g": 3, "c": "OCO", "l": "EXEC_STARTED",
                        "L": "EXECUTING", "r": "NONE", "C": "demoList0001", "T": now,
                        "O": [{"s": "BTCUSDT", "i": 1000002, "c": "demoOrder0002"},
                              {"s": "BTCUSDT", "i": 1000003, "c": "demoOrder0003"}]})  # fmt: skip


def _order(now: int, client_id: str, order_id: int, side: str, quantity: float, price: float) -> dict[str, Any]:
    """An executionReport before any fill (BN-UDS field letters)."""
    return {
        "e": "executionReport", "E": now, "s": "BTCUSDT", "c": client_id, "S": side, "o": "LIMIT", "f": "GTC",
        "q": f"{quantity:.8f}", "p": f"{price:.8f}", "P": "0.00000000", "F": "0.00000000", "g": -1, "C": "",
        "x": "NEW", "X": "NEW", "r": "NONE", "i": order_id, "l": "0.00000000", "z": "0.00000000",
        "L": "0.00000000", "n": "0", "N": None, "T": now, "t": -1, "v": 3, "I": order_id * 2, "w": True,
        "m": False, "M": False, "O": now, "Z": "0.00000000", "Y": "0.00000000", "Q": "0.00000000", "W": now,
        "V": "NONE",
    }  # fmt: skip
