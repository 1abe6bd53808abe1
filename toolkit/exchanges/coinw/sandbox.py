"""CoinW's spot account commands, served from a fictional account with a spot and a funding
("WEALTH") account (reference sheet part 2).

``api_key`` and the MD5 ``sign`` are checked as CoinW documents; each command keeps its documented
per-user limit and answers 29001 beyond it. Amounts in the deposit and withdrawal history are JSON
numbers, as in CoinW's example. CoinW takes no client id, so a repeated withdrawal pays again.
"""

from __future__ import annotations

import hmac
from typing import Any

from toolkit.exchanges.coinw import endpoints as ep
from toolkit.exchanges.coinw.auth import sign
from toolkit.sandbox.account import WITHDRAWAL_FEES
from toolkit.sandbox.base import ExchangeApp, Refused, Route, split_market, text
from toolkit.sandbox.server import Request, Response

COINS = {"BTC": ("50", "BTC"), "ETH": ("51", "ERC20"), "USDT": ("9", "TRC20@ERC20")}
ACCOUNTS = {"SPOT": "spot", "WEALTH": "funding"}


class CoinWApp(ExchangeApp):
    exchange = "coinw"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for endpoint, handler in (
            (ep.BALANCES, self.balances),
            (ep.COMPLETE_BALANCES, self.complete_balances),
            (ep.DEPOSITS_WITHDRAWALS, self.history),
            (ep.USER_TRADES, self.user_trades),
            (ep.DEPOSIT_ADDRESSES, self.deposit_addresses),
            (ep.WITHDRAW, self.withdraw),
            (ep.CANCEL_WITHDRAW, lambda r, p: self.refuse("-103", "withdrawal already processed")),
            (ep.WEALTH_TRANSFER, self.wealth_transfer),
            (ep.CURRENCIES, self.currencies),
            (ep.CANDLES.endpoint, self.candles),
        ):
            self.route(endpoint, handler)

    def ok(self, data: Any) -> Response:
        return Response(200, {"code": "200", "data": data, "msg": "SUCCESS", "success": True, "failed": False})

    def refuse(self, code: str, message: str) -> Response:
        raise Refused(Response(200, {"code": code, "msg": message, "success": False, "failed": True, "data": None}))

    def too_many(self, route: Route) -> Response:
        return Response(200, {"code": 29001, "msg": "API access frequently"})

    def bad_range(self, message: str) -> Response:
        return Response(200, {"code": "10003", "msg": message, "success": False, "failed": True})

    def check_auth(self, request: Request) -> None:
        params = [(k, v) for k, v in request.query.items() if k not in ("command", "sign")]
        creds = self.key(dict(params).get("api_key"))
        if creds is None:
            self.refuse("10006", "api_key error")
            raise AssertionError
        expected = sign(params, creds.api_secret)
        if not hmac.compare_digest(expected, request.query.get("sign", "")):
            self.refuse("10007", "signature error")

    def _totals(self, account: str) -> dict[str, float]:
        with self.account.lock:
            return {asset: total for (name, asset), total in sorted(self.account.balances.items()) if name == account}

    def balances(self, request: Request, path: dict[str, str]) -> Response:
        return self.ok({asset: text(total) for asset, total in self._totals("spot").items()})

    def complete_balances(self, request: Request, path: dict[str, str]) -> Response:
        totals = self._totals("spot")
        return self.ok({asset: {"onOrders": "0", "available": text(total)} for asset, total in totals.items()})

    def currencies(self, request: Request, path: dict[str, str]) -> Response:
        return self.ok(
            {coin: {"symbolId": symbol_id, "symbol": coin, "withDraw": "1", "recharge": "1", "maxQty": "1000000",
                    "minQty": "0.0001", "txFee": "0.0" if "fees" in self.off else text(WITHDRAWAL_FEES.get(coin, 0.0)),
                    "chain": chains}
             for coin, (symbol_id, chains) in COINS.items()}
        )  # fmt: skip

    def history(self, request: Request, path: dict[str, str]) -> Response:
        symbol = request.query.get("symbol", "").upper()
        if not symbol:
            self.refuse("10003", "symbol is required")
        number = request.query.get("depositNumber")
        with self.account.lock:
            rows = [
                {"amount": t.amount, "chain": t.chain.upper(), "side": 1 if t.kind == "deposit" else 2,
                 "depositNumber": 900_000 + int(t.id.rsplit("-", 1)[1]), "address": t.address, "txid": t.txid,
                 "memo": None, "currency": t.asset, "time": t.time, "confirmations": 12, "status": 3}
                for t in self.account.transactions
                if t.asset == symbol
            ]  # fmt: skip
        if number:
            rows = [r for r in rows if str(r["depositNumber"]) == number]
        return self.ok(rows)

    def candles(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        steps = ep.CANDLES.steps
        if q.get("period") not in steps:
            self.refuse("10003", "period invalid")
        step = steps[q["period"]]
        lo, hi = self.window(request, "start", "end", default_ms=100 * step, max_ms=None, scale=1000)
        rows = self.account.candles(*split_market(q.get("currencyPair", ""), "_"), lo, hi, step)
        if rows is None:
            # CoinW's answer for an unknown pair is not documented (UNCONFIRMED): 10003 here.
            return self.refuse("10003", "currencyPair invalid")
        # Objects of JSON numbers, oldest first, as CoinW's example.
        return self.ok([{"date": r[0], "volume": r[5], "high": r[2], "low": r[3], "close": r[4], "open": r[1]}
                        for r in rows[: ep.CANDLE_CAP]])  # fmt: skip

    def user_trades(self, request: Request, path: dict[str, str]) -> Response:
        # The newest ``limit`` fills of the range, as JSON numbers like CoinW's example; its
        # "before"/"after" cursors are the first and last trade ids here (their use is undocumented).
        symbol = request.query.get("symbol", "").upper()
        lo, hi = self.window(request, "startAt", "endAt", default_ms=30 * 86_400_000, max_ms=None)
        size = self.integer(request, "limit", 20, 1, 100)
        with self.account.lock:
            rows: list[dict[str, Any]] = [
                {"fee": t.fee, "orderId": 4_612_000_000_000_000_000 + t.id, "orderType": "LIMIT", "price": t.price,
                 "side": t.side.upper(), "size": t.quantity, "time": t.time, "tradeId": 1_000_000 + t.id}
                for t in reversed(self.account.trades)
                if (not symbol or f"{t.base}_USDT" == symbol) and lo <= t.time <= hi
            ][:size]  # fmt: skip
        ids = [r["tradeId"] for r in rows]
        return self.ok({"before": min(ids, default=0), "after": max(ids, default=0), "list": rows})

    def deposit_addresses(self, request: Request, path: dict[str, str]) -> Response:
        symbol_id, chain = request.query.get("symbolId", ""), request.query.get("chain", "")
        coin = next((c for c, (i, _) in COINS.items() if i == symbol_id), None)
        if coin is None or not chain:
            self.refuse("10003", "symbolId and chain are required")
        return self.ok([{"chainName": chain, "address": f"demo-{str(coin).lower()}-{chain.lower()}-address",
                         "memo": None, "minRechargeAmount": "0.00001"}])  # fmt: skip

    def withdraw(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        missing = [n for n in ("currency", "amount", "address") if not q.get(n)]
        if missing:
            self.refuse("10003", f"{', '.join(missing)} required")
        try:
            record = self.account.withdraw(
                self.now_ms(), q["currency"].upper(), float(q["amount"]), q["address"], q.get("chain", ""), self.rng
            )
        except ValueError:
            self.refuse("200005", "insufficient balance")
        return Response(200, {"code": "200", "data": {"depositNumber": str(900_000 + int(record.id.rsplit("-", 1)[1]))},
                              "msg": "SUCCESS"})  # fmt: skip

    def wealth_transfer(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        source, target = ACCOUNTS.get(q.get("accountType", "")), ACCOUNTS.get(q.get("targetAccountType", ""))
        if source is None or target is None or source == target:
            self.refuse("10003", "accountType and targetAccountType are SPOT or WEALTH")
        try:
            self.account.transfer(self.now_ms(), q.get("coinCode", "").upper(), float(q.get("amount", "0")),
                                  str(source), str(target))  # fmt: skip
        except ValueError:
            self.refuse("200005", "insufficient balance")
        return self.ok(True)
