"""Binance's REST wallet endpoints (``/sapi``), served from the same fictional account as the
WebSocket API sandbox: deposit and withdrawal history, daily snapshots, the dust log, Convert,
Simple Earn (flexible: its history and positions), moves between the spot and funding wallets,
and the funding wallet's balances. A source named in ``off`` answers as a key without its
permission does (-1002), so a test can show what reconciliation says when it is not read.

The key (``X-MBX-APIKEY``), the signature over the query string and body, and the timestamp are
checked as Binance documents; windows keep their documented spans (under 90 days; snapshots
under 30 days and within the last month) and pages their offset and limit (at most 1000).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from toolkit.exchanges.binance import endpoints as ep
from toolkit.exchanges.binance.auth import verify
from toolkit.sandbox.account import Transaction
from toolkit.sandbox.base import ExchangeApp, Refused, Route, text
from toolkit.sandbox.server import Request, Response

DAY_MS = 86_400_000
DEFAULT_RECV_WINDOW = 5000


def _utc_text(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


class BinanceRestApp(ExchangeApp):
    exchange = "binance"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for endpoint, handler in (
            (ep.REST_TIME, lambda r, p: Response(200, {"serverTime": self.now_ms()})),
            (ep.DEPOSIT_HISTORY, lambda r, p: self.wallet(r, "deposit")),
            (ep.WITHDRAW_HISTORY, lambda r, p: self.wallet(r, "withdrawal")),
            (ep.ACCOUNT_SNAPSHOT, self.snapshot),
            (ep.DUST_LOG, lambda r, p: self.source("dust", self.dust_log, r)),
            (ep.CONVERT_HISTORY, lambda r, p: self.source("convert", self.converts, r)),
            (ep.UNIVERSAL_TRANSFER, lambda r, p: self.source("transfer", self.transfers, r)),
            (ep.FUNDING_ASSETS, lambda r, p: self.source("funding", self.funding, r)),
            (ep.EARN_POSITIONS, lambda r, p: self.source("earn", self.earn_positions, r)),
            *[
                (endpoint, lambda r, p, kind=kind: self.source("earn", lambda q: self.earn_history(q, kind), r))
                for (product, kind), endpoint in ep.SIMPLE_EARN.items()
                if product == "flexible"
            ],
            *[
                (endpoint, lambda r, p: Response(200, {"rows": [], "total": 0}))
                for (product, _), endpoint in ep.SIMPLE_EARN.items()
                if product == "locked"
            ],
        ):
            self.route(endpoint, handler)

    def refuse(self, status: int, code: int, message: str) -> Response:
        raise Refused(Response(status, {"code": code, "msg": message}))

    def too_many(self, route: Route) -> Response:
        return Response(429, {"code": -1003, "msg": "Too many requests."}, {"Retry-After": "1"})

    def bad_range(self, message: str) -> Response:
        return Response(400, {"code": -1127, "msg": message})

    def check_auth(self, request: Request) -> None:
        creds = self.key(request.headers.get("x-mbx-apikey"))
        if creds is None:
            self.refuse(401, -2015, "Invalid API-key, IP, or permissions for action.")
            raise AssertionError
        signed, _, sent = request.raw_query.rpartition("&signature=")
        if not sent or not verify(creds.api_secret, signed + request.body.decode(), unquote(sent)):
            self.refuse(400, -1022, "Signature for this request is not valid.")
        window = int(request.query.get("recvWindow") or DEFAULT_RECV_WINDOW)
        stamp = int(request.query.get("timestamp") or 0)
        if stamp > self.now_ms() + 1000 or self.now_ms() - stamp > window:
            self.refuse(400, -1021, "Timestamp for this request is outside of the recvWindow.")

    # ----------------------------------------------------------------- wallet history

    def source(self, name: str, answer: Any, request: Request) -> Response:
        """``answer(request)``, unless the source is switched off (``off``): then Binance's answer to
        a key without the permission."""
        if name in self.off:
            return Response(401, {"code": -1002, "msg": "You are not authorized to execute this request."})
        return answer(request)

    def _paged(self, request: Request, rows: list[dict[str, Any]]) -> Response:
        """``rows`` as Binance's current/size pages with their total."""
        current = self.integer(request, "current", 1, 1, 10**6)
        size = self.integer(request, "size", 10, 1, 100)
        return Response(200, {"rows": rows[(current - 1) * size : current * size], "total": len(rows)})

    def converts(self, request: Request) -> Response:
        lo, hi = self.window(request, "startTime", "endTime", default_ms=30 * DAY_MS, max_ms=30 * DAY_MS)
        with self.account.lock:
            rows = [
                {"quoteId": f"demo{c.id:028x}", "orderId": 940_000_000_000_000_000 + c.id, "orderStatus": "SUCCESS",
                 "fromAsset": c.from_asset, "fromAmount": text(c.from_amount), "toAsset": c.to_asset,
                 "toAmount": text(c.to_amount), "ratio": text(c.to_amount / c.from_amount),
                 "inverseRatio": text(c.from_amount / c.to_amount), "createTime": c.time}
                for c in self.account.converts if lo <= c.time <= hi
            ]  # fmt: skip
        return Response(200, {"list": rows, "startTime": lo, "endTime": hi, "limit": 1000, "moreData": False})

    def dust_log(self, request: Request) -> Response:
        lo, hi = self.window(request, "startTime", "endTime", default_ms=365 * DAY_MS, max_ms=None)
        with self.account.lock:
            found = [d for d in self.account.dusts if lo <= d.time <= hi][-100:]  # "the last 100 records"
        rows = [
            {"operateTime": d.time, "totalTransferedAmount": text(sum(p[2] for p in d.parts)),
             "totalServiceChargeAmount": text(sum(p[3] for p in d.parts)), "transId": 45_000_000_000 + d.id,
             "userAssetDribbletDetails": [
                 {"transId": 45_000_000_000 + d.id, "serviceChargeAmount": text(charge), "amount": text(amount),
                  "operateTime": d.time, "transferedAmount": text(got), "fromAsset": asset}
                 for asset, amount, got, charge in d.parts]}
            for d in found
        ]  # fmt: skip
        return Response(200, {"total": len(rows), "userAssetDribblets": rows})

    def earn_history(self, request: Request, kind: str) -> Response:
        lo, hi = self.window(request, "startTime", "endTime", default_ms=30 * DAY_MS, max_ms=30 * DAY_MS)
        asset = request.query.get("asset", "").upper()
        with self.account.lock:
            found = [e for e in self.account.earn if e.kind == kind and lo <= e.time <= hi and asset in ("", e.asset)]
        if kind == "subscription":
            rows = [{"amount": text(e.amount), "asset": e.asset, "time": e.time, "purchaseId": 26_000 + e.id,
                     "productId": f"{e.asset}001", "type": "NORMAL", "sourceAccount": "SPOT", "status": "SUCCESS"}
                    for e in found]  # fmt: skip
        elif kind == "redemption":
            rows = [{"amount": text(e.amount), "asset": e.asset, "time": e.time, "projectId": f"{e.asset}001",
                     "redeemId": 40_000 + e.id, "destAccount": "SPOT", "status": "PAID"} for e in found]  # fmt: skip
        else:
            rows = [{"asset": e.asset, "rewards": text(e.amount), "projectId": f"{e.asset}001", "type": "REALTIME",
                     "time": e.time} for e in found]  # fmt: skip
        return self._paged(request, rows)

    def earn_positions(self, request: Request) -> Response:
        with self.account.lock:
            held = sorted((a, t) for (name, a), t in self.account.balances.items() if name == "earn" and t > 0)
            rewarded = {a: sum(e.amount for e in self.account.earn if e.kind == "rewards" and e.asset == a)
                        for a, _ in held}  # fmt: skip
        rows = [{"totalAmount": text(total), "tierAnnualPercentageRate": {}, "latestAnnualPercentageRate": "0.04",
                 "yesterdayAirdropPercentageRate": "0", "asset": asset, "airDropAsset": "", "canRedeem": True,
                 "collateralAmount": "0", "productId": f"{asset}001", "yesterdayRealTimeRewards": "0",
                 "cumulativeBonusRewards": "0", "cumulativeRealTimeRewards": text(rewarded[asset]),
                 "cumulativeTotalRewards": text(rewarded[asset]), "autoSubscribe": False}
                for asset, total in held]  # fmt: skip
        return self._paged(request, rows)

    def transfers(self, request: Request) -> Response:
        kinds = {("spot", "funding"): "MAIN_FUNDING", ("funding", "spot"): "FUNDING_MAIN"}
        kind = request.query.get("type", "")
        if kind not in kinds.values():
            self.refuse(400, -1102, "Mandatory parameter 'type' was not sent, was empty/null, or malformed.")
        lo, hi = self.window(request, "startTime", "endTime", default_ms=7 * DAY_MS, max_ms=None)
        with self.account.lock:
            rows = [
                {"asset": t.asset, "amount": text(t.amount), "type": kind, "status": "CONFIRMED",
                 "tranId": 13_000_000_000 + int(t.id.rsplit("-", 1)[1]), "timestamp": t.time}
                for t in reversed(self.account.transfers)
                if kinds.get((t.source, t.target)) == kind and lo <= t.time <= hi
            ]  # fmt: skip
        return self._paged(request, rows)

    def funding(self, request: Request) -> Response:
        asset = request.query.get("asset", "").upper()
        with self.account.lock:
            held = sorted((a, t) for (name, a), t in self.account.balances.items()
                          if name == "funding" and t > 0 and asset in ("", a))  # fmt: skip
        return Response(200, [{"asset": a, "free": text(t), "locked": "0", "freeze": "0", "withdrawing": "0",
                               "btcValuation": "0"} for a, t in held])  # fmt: skip

    def wallet(self, request: Request, kind: str) -> Response:
        lo, hi = self.window(request, "startTime", "endTime", default_ms=90 * DAY_MS, max_ms=90 * DAY_MS - 1)
        offset = self.integer(request, "offset", 0, 0, 10**9)
        limit = self.integer(request, "limit", 1000, 1, 1000)
        coin = request.query.get("coin", "").upper()
        with self.account.lock:
            rows = [
                self._deposit(t) if kind == "deposit" else self._withdrawal(t)
                for t in self.account.transactions
                if t.kind == kind and lo <= t.time <= hi and (not coin or t.asset == coin)
            ]
        return Response(200, rows[offset : offset + limit])

    @staticmethod
    def _deposit(t: Transaction) -> dict[str, Any]:
        return {
            "id": str(700_000_000_000 + int(t.id.rsplit("-", 1)[1])), "amount": text(t.amount), "coin": t.asset,
            "network": t.chain.upper(), "status": 1, "address": t.address, "addressTag": "", "txId": t.txid,
            "insertTime": t.time, "completeTime": t.time + 600_000, "transferType": 0, "confirmTimes": "12/12",
            "unlockConfirm": 0, "walletType": 0, "travelRuleStatus": 0,
        }  # fmt: skip

    @staticmethod
    def _withdrawal(t: Transaction) -> dict[str, Any]:
        record = {
            "id": f"demo{int(t.id.rsplit('-', 1)[1]):028x}", "amount": text(t.amount), "transactionFee": text(t.fee),
            "coin": t.asset, "status": 6, "address": t.address, "txId": t.txid, "applyTime": _utc_text(t.time),
            "network": t.chain.upper(), "transferType": 0, "info": "", "confirmNo": 12, "walletType": 0,
            "txKey": "", "completeTime": _utc_text(t.time + 600_000),
        }  # fmt: skip
        if t.client_id:
            record["withdrawOrderId"] = t.client_id
        return record

    def snapshot(self, request: Request, path: dict[str, str]) -> Response:
        if request.query.get("type") != "SPOT":
            self.refuse(400, -1102, "Mandatory parameter 'type' was not sent, was empty/null, or malformed.")
        now = self.now_ms()
        lo, hi = self.window(request, "startTime", "endTime", default_ms=7 * DAY_MS, max_ms=30 * DAY_MS - 1)
        lo = max(lo, now - 31 * DAY_MS)  # "Support query within the last one month only"
        limit = self.integer(request, "limit", 7, 7, 30)
        return Response(200, {"code": 200, "msg": "", "snapshotVos": self._days(lo, hi)[-limit:]})

    def _days(self, lo: int, hi: int) -> list[dict[str, Any]]:
        """One snapshot at the end of each UTC day in ``[lo, hi]``: the balances then."""
        day = datetime.fromtimestamp(lo / 1000, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        ends = []
        while (end := int((day + timedelta(days=1)).timestamp() * 1000) - 1) <= hi:
            if end >= lo:
                ends.append(end)
            day += timedelta(days=1)
        held: dict[str, float] = defaultdict(float)
        snapshots = []
        with self.account.lock:
            entries = [e for e in self.account.entries if e.account == "spot"]
        index = 0
        for end in ends:
            while index < len(entries) and entries[index].time <= end:
                held[entries[index].asset] = entries[index].balance
                index += 1
            balances = [{"asset": a, "free": text(b), "locked": "0.00000000"} for a, b in sorted(held.items())]
            snapshots.append(
                {
                    "data": {"balances": balances, "totalAssetOfBtc": text(self._in_btc(held, end))},
                    "type": "spot",
                    "updateTime": end,
                }
            )
        return snapshots

    def _in_btc(self, held: dict[str, float], moment: int) -> float:
        day = datetime.fromtimestamp(moment / 1000, UTC).date()
        closes = self.account.closes
        btc = closes.get("BTC", {}).get(day)
        if not btc:
            return 0.0
        usdt = sum(amount * (1.0 if asset == "USDT" else closes.get(asset, {}).get(day, 0.0))
                   for asset, amount in held.items())  # fmt: skip
        return usdt / btc
