"""Bitget's spot account API (v2), served from a fictional account (reference sheet part 1).

Signatures, keys, passphrases and timestamps (±30 s) are checked as Bitget documents; bills,
deposit, withdrawal and transfer records are newest first with the ``idLessThan`` cursor, the
documented page sizes and the 90-day range; limits are those the client declares (429 beyond).
Withdrawals and transfers change the account; a repeated ``clientOid`` returns the first order.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Sequence
from typing import Any

from toolkit.core.signing import hmac_sha256_b64
from toolkit.exchanges.bitget import endpoints as ep
from toolkit.sandbox.account import FEE_RATE, Entry, Transaction
from toolkit.sandbox.base import ExchangeApp, Refused, Route, page_of, split_market, text
from toolkit.sandbox.exports import when
from toolkit.sandbox.server import Request, Response

DAY_MS = 86_400_000
GROUPS = {"deposit": "deposit", "withdrawal": "withdraw", "trade": "transaction", "transfer": "transfer",
          "rebate": "other", "airdrop": "other"}  # fmt: skip
TOLERANCE_MS = 30_000
# A withdrawal can be cancelled during its one-minute "regret period".
REGRET_MS = 60_000


def business_type(entry: Entry) -> str:
    if entry.kind == "trade":
        return entry.side  # "buy" / "sell", the older doc's lower-case values
    if entry.kind == "transfer":
        return f"transfer-{entry.side}"
    return {"deposit": "deposit", "withdrawal": "withdraw", "rebate": "rebate rewards", "airdrop": "airdrop rewards"}[
        entry.kind
    ]


# Each kind of entry as Bitget's financial record export names it: (Type, Action).
EXPORT_LABELS = {"deposit": ("Deposit", ""), "withdrawal": ("Withdrawal", ""), "trade": ("Trading", ""),
                 "transfer": ("Fund transfer", "Transfer in/out"),
                 "rebate": ("Financial management", "Rebate rewards"),
                 "airdrop": ("Financial management", "Airdrop rewards")}  # fmt: skip


class BitgetApp(ExchangeApp):
    exchange = "bitget"

    @staticmethod
    def export_rows(entries: Sequence[Entry]) -> Iterator[list[str]]:
        """``entries`` as Bitget's financial record export writes them, its times at UTC+8."""
        yield ["Type", "Action", "Creation timestamp (+8 UTC)", "Coin", "Quantity", "Fees"]
        for e in entries:
            kind, action = EXPORT_LABELS[e.kind]
            yield [kind, action, when(e, hours=8), e.asset, f"{e.amount:.8f}", f"{e.fee:.8f}"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.transfer_ids: dict[str, str] = {}
        # A unified trading account: the v3 endpoints answer, the classic ones refuse (and back).
        self.uta = False
        for endpoint, handler in (
            (ep.SERVER_TIME, self.server_time),
            (ep.ACCOUNT_INFO, self.account_info),
            (ep.ASSETS, self.assets),
            (ep.SUBACCOUNT_ASSETS, lambda r, p: self.ok([])),
            (ep.BILLS, self.bills),
            (ep.TRANSFER_RECORDS, self.transfer_records),
            (ep.DEPOSIT_ADDRESS, self.deposit_address),
            (ep.DEPOSIT_RECORDS, lambda r, p: self.wallet_records(r, "deposit")),
            (ep.WITHDRAWAL_RECORDS, lambda r, p: self.wallet_records(r, "withdrawal")),
            (ep.TRADE_RATE, self.trade_rate),
            (ep.WITHDRAWAL, self.withdraw),
            (ep.CANCEL_WITHDRAWAL, self.cancel_withdrawal),
            (ep.TRANSFER, self.transfer),
            (ep.SUBACCOUNT_TRANSFER, lambda r, p: self.refuse(400, "40014", "Incorrect permissions")),
            (ep.CANDLES.endpoint, self.candles),
            (ep.UTA_ASSETS, self.uta_assets),
            (ep.UTA_ACCOUNT_INFO, self.uta_account_info),
            (ep.UTA_FEE_RATE, lambda r, p: self.ok({"makerFeeRate": str(FEE_RATE), "takerFeeRate": str(FEE_RATE)})),
            (ep.FINANCIAL_RECORDS, self.financial_records),
            (ep.UTA_DEPOSIT_RECORDS, lambda r, p: self.uta_wallet(r, "deposit")),
            (ep.UTA_WITHDRAWAL_RECORDS, lambda r, p: self.uta_wallet(r, "withdrawal")),
        ):
            self.route(endpoint, handler)

    def use_model(self, model: str) -> None:
        if model != "unified":
            super().use_model(model)
        self.uta = True

    def handle(self, request: Request) -> Response:
        v3, signed = request.path.startswith("/api/v3/"), not request.path.startswith("/api/v2/public/")
        if signed and v3 != self.uta:
            # The codes and wording public clients report from Bitget's live answers (no Bitget page
            # lists them; the HTTP status 400 is UNCONFIRMED).
            code, mine, other = ("40084", "Classic", "Unified") if v3 else ("40085", "Unified", "Classic")
            message = f"You are in {mine} Account mode, and the {other} Account API is not supported at this time"
            return Response(400, {"code": code, "msg": message, "data": None, "requestTime": self.now_ms()})
        return super().handle(request)

    # ----------------------------------------------------------------- envelope and checks

    def ok(self, data: Any) -> Response:
        return Response(200, {"code": "00000", "msg": "success", "requestTime": self.now_ms(), "data": data})

    def refuse(self, status: int, code: str, message: str) -> Response:
        raise Refused(Response(status, {"code": code, "msg": message, "requestTime": self.now_ms(), "data": None}))

    def too_many(self, route: Route) -> Response:
        return Response(429, {"code": "429", "msg": "Too Many Requests", "requestTime": self.now_ms(), "data": None})

    def bad_range(self, message: str) -> Response:
        return Response(400, {"code": "40017", "msg": message, "requestTime": self.now_ms(), "data": None})

    def check_auth(self, request: Request) -> None:
        headers = request.headers
        for name, code in (("access-key", "40001"), ("access-sign", "40003"), ("access-passphrase", "40011")):
            if not headers.get(name):
                self.refuse(401, code, f"{name.upper()} cannot be empty")
        creds = self.key(headers["access-key"])
        if creds is None:
            self.refuse(401, "40006", "Invalid ACCESS_KEY")
            raise AssertionError
        try:
            stamp = int(headers.get("access-timestamp", ""))
        except ValueError:
            self.refuse(401, "40005", "Invalid ACCESS_TIMESTAMP")
        if abs(stamp - self.now_ms()) > TOLERANCE_MS:
            self.refuse(401, "40004", "Request timestamp expired")
        if headers["access-passphrase"] != creds.passphrase:
            self.refuse(401, "40012", "apikey/password is incorrect")
        prehash = headers["access-timestamp"] + request.method + request.path_with_query + request.body.decode()
        expected = hmac_sha256_b64(creds.api_secret, prehash)
        if not hmac.compare_digest(expected, headers["access-sign"]):
            self.refuse(401, "40009", "sign signature error")

    # ----------------------------------------------------------------- reads

    def server_time(self, request: Request, path: dict[str, str]) -> Response:
        return self.ok({"serverTime": str(self.now_ms())})

    def account_info(self, request: Request, path: dict[str, str]) -> Response:
        return self.ok(
            {"userId": "1000000001", "inviterId": "", "ips": "127.0.0.1", "authorities": ["trade", "readonly"],
             "parentId": 1000000001, "traderType": "not_trader", "channelCode": "", "channel": "",
             "regisTime": str(self.account.entries[0].time - DAY_MS)}
        )  # fmt: skip

    def assets(self, request: Request, path: dict[str, str]) -> Response:
        coin = request.query.get("coin", "").upper()
        hold_only = request.query.get("assetType", "hold_only") != "all"
        with self.account.lock:
            last = {e.asset: e.time for e in self.account.entries}
            rows = [
                {"coin": asset.lower(), "available": text(total), "frozen": "0", "locked": "0",
                 "limitAvailable": "0", "uTime": str(last[asset])}
                for (name, asset), total in sorted(self.account.balances.items())
                if name == "spot" and (not coin or asset == coin) and (total > 0 or not hold_only or coin)
            ]  # fmt: skip
        return self.ok(rows)

    def bills(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        lo, hi = self.window(request, "startTime", "endTime", default_ms=90 * DAY_MS, max_ms=90 * DAY_MS)
        size = self.integer(request, "limit", 100, 1, 500)
        coin = q.get("coin", "").upper()
        with self.account.lock:
            rows = [
                {"cTime": str(e.time), "coin": e.asset.lower(), "groupType": GROUPS[e.kind],
                 "businessType": business_type(e), "size": text(e.amount), "balance": text(e.balance),
                 "fees": text(-e.fee), "billId": str(1_100_000_000_000_000_000 + e.id)}
                for e in reversed(self.account.entries)
                if e.account == "spot" and lo <= e.time <= hi and (not coin or e.asset == coin)
                and q.get("groupType", GROUPS[e.kind]) == GROUPS[e.kind]
                and q.get("businessType", business_type(e)) == business_type(e)
            ]  # fmt: skip
        return self.ok(page_of(rows, size, _before(q, "billId")))

    def wallet_records(self, request: Request, kind: str) -> Response:
        q = request.query
        if not q.get("startTime") or not q.get("endTime"):
            self.refuse(400, "40019", "Parameter startTime cannot be empty")
        lo, hi = self.window(request, "startTime", "endTime", default_ms=90 * DAY_MS, max_ms=None)
        size = self.integer(request, "limit", 20, 1, 100)
        coin = q.get("coin", "").upper()
        with self.account.lock:
            rows = [
                self._transaction(t) for t in reversed(self.account.transactions)
                if t.kind == kind and lo <= t.time <= hi and (not coin or t.asset == coin)
                and q.get("clientOid", t.client_id) == t.client_id
            ]  # fmt: skip
        return self.ok(page_of(rows, size, _before(q, "orderId")))

    def _transaction(self, t: Transaction) -> dict[str, Any]:
        order_id = self.order_id(t.id)
        status = "pending" if t.status == "success" and self.now_ms() - t.time < REGRET_MS else t.status
        common = {
            "orderId": order_id, "tradeId": t.txid, "coin": t.asset, "size": text(t.amount), "status": status,
            "toAddress": t.address, "dest": "on_chain", "chain": t.chain, "fromAddress": "", "cTime": str(t.time),
            "uTime": str(t.time + 600_000),
        }  # fmt: skip
        if t.kind == "deposit":
            return {**common, "type": "deposit"}
        return {**common, "type": "withdraw", "clientOid": t.client_id, "tag": "", "fee": text(-t.fee), "confirm": "12"}

    def order_id(self, ref: str) -> str:
        # Wallet order ids grow with time, as the cursor paging expects.
        return str(1_200_000_000_000 + int(ref.rsplit("-", 1)[1]))

    def transfer_records(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        if not q.get("coin") or not q.get("fromType"):
            self.refuse(400, "40019", "Parameter coin and fromType cannot be empty")
        lo, hi = self.window(request, "startTime", "endTime", default_ms=90 * DAY_MS, max_ms=90 * DAY_MS)
        size = self.integer(request, "limit", 100, 1, 500)
        with self.account.lock:
            rows = [
                {"coin": m.asset.lower(), "status": "Successful", "toType": m.target, "toSymbol": "",
                 "fromType": m.source, "fromSymbol": "", "size": text(m.amount), "ts": str(m.time),
                 "clientOid": m.client_id, "transferId": str(1_300_000_000_000 + int(m.id.rsplit("-", 1)[1]))}
                for m in reversed(self.account.transfers)
                if lo <= m.time <= hi and m.asset == q["coin"].upper() and m.source == q["fromType"]
                and q.get("clientOid", m.client_id) == m.client_id
            ]  # fmt: skip
        return self.ok(page_of(rows, size, _before(q, "transferId")))

    def deposit_address(self, request: Request, path: dict[str, str]) -> Response:
        coin = request.query.get("coin", "").upper()
        if not coin:
            self.refuse(400, "40019", "Parameter coin cannot be empty")
        chain = request.query.get("chain", {"USDT": "trc20", "BTC": "btc", "ETH": "erc20"}.get(coin, coin.lower()))
        return self.ok({"address": f"demo-{coin.lower()}-{chain}-address", "chain": chain, "coin": coin, "tag": "",
                        "url": ""})  # fmt: skip

    def trade_rate(self, request: Request, path: dict[str, str]) -> Response:
        if not request.query.get("symbol"):
            self.refuse(400, "40019", "Parameter symbol cannot be empty")
        return self.ok({"makerFeeRate": str(FEE_RATE), "takerFeeRate": str(FEE_RATE)})

    # ----------------------------------------------------------------- market data

    def candles(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        steps = ep.CANDLES.steps
        if q.get("granularity") not in steps:
            self.refuse(400, "40019", "Parameter granularity cannot be empty")
        step = steps[q["granularity"]]
        lo, hi = self.window(request, "startTime", "endTime", default_ms=100 * step, max_ms=None)
        rows = self.account.candles(*split_market(q.get("symbol", ""), ""), lo, hi, step)
        if rows is None:
            # Bitget's code for an unknown symbol is not in its list (UNCONFIRMED): 40034 here.
            return self.refuse(400, "40034", "Parameter symbol does not exist")
        limit = self.integer(request, "limit", 100, 1, ep.CANDLE_CAP)
        return self.ok([[str(r[0]), *(text(v) for v in r[1:]), text(r[6])] for r in rows[:limit]])

    # ----------------------------------------------------------------- unified trading account

    def uta_assets(self, request: Request, path: dict[str, str]) -> Response:
        with self.account.lock:
            held = [(asset, total) for (name, asset), total in sorted(self.account.balances.items())
                    if name == "spot" and total > 0]  # fmt: skip
        assets = [{"coin": a, "equity": text(t), "usdValue": "0", "balance": text(t), "available": text(t),
                   "debt": "0", "locked": "0"} for a, t in held]  # fmt: skip
        return self.ok({"accountEquity": "0", "usdtEquity": "0", "btcEquity": "0", "unrealisedPnl": "0",
                        "usdtUnrealisedPnl": "0", "btcUnrealizedPnl": "0", "effEquity": "0", "mmr": "0",
                        "imr": "0", "mgnRatio": "0", "positionMgnRatio": "0", "assets": assets})  # fmt: skip

    def uta_account_info(self, request: Request, path: dict[str, str]) -> Response:
        """A read-and-trade demo key's account (the "userId" version of Bitget's example)."""
        return self.ok({"userId": "10000001", "inviterId": "", "parentId": "", "channelCode": "", "channel": "",
                        "ips": "", "permType": "read-and-write", "permissions": ["uta_mgt", "uta_trade"],
                        "regisTime": str(self.account.entries[0].time)})  # fmt: skip

    def financial_records(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        if q.get("category") not in ("SPOT", "MARGIN", "USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES", "OTHER"):
            self.refuse(400, "40019", "Parameter category cannot be empty")
        lo, hi = self.window(request, "startTime", "endTime", default_ms=30 * DAY_MS, max_ms=30 * DAY_MS)
        lo = max(lo, self.now_ms() - 90 * DAY_MS)  # "within the last 90 days"
        size = self.integer(request, "limit", 100, 1, 100)
        types = {("trade", True): "ORDER_DEALT_IN", ("trade", False): "ORDER_DEALT_OUT", ("transfer", True):
                 "TRANSFER_IN", ("transfer", False): "TRANSFER_OUT", ("deposit", True): "DEPOSIT",
                 ("withdrawal", False): "WITHDRAW"}  # fmt: skip
        with self.account.lock:
            rows = [
                {"category": "SPOT", "id": str(1_300_000_000_000_000 + e.id), "symbol": "", "coin": e.asset,
                 "type": types.get((e.kind, e.amount > 0), "OTHER"), "amount": text(e.amount), "fee": text(-e.fee),
                 "balance": text(e.balance), "ts": str(e.time)}
                for e in reversed(self.account.entries)
                if q["category"] == "SPOT" and e.account == "spot" and lo <= e.time <= hi
                and q.get("coin", e.asset).upper() == e.asset
            ]  # fmt: skip
        if q.get("cursor"):
            rows = [r for r in rows if int(r["id"]) < int(q["cursor"])]
        page = rows[:size]
        return self.ok({"list": page, "cursor": page[-1]["id"] if len(page) == size else ""})

    def uta_wallet(self, request: Request, kind: str) -> Response:
        q = request.query
        if not q.get("startTime") or not q.get("endTime"):
            self.refuse(400, "40019", "Parameter startTime cannot be empty")
        lo, hi = self.window(request, "startTime", "endTime", default_ms=30 * DAY_MS, max_ms=None)
        size = self.integer(request, "limit", 20, 1, 100)
        with self.account.lock:
            rows = []
            for t in reversed(self.account.transactions):
                if t.kind == kind and lo <= t.time <= hi and q.get("coin", t.asset).upper() == t.asset:
                    row = {"orderId": self.order_id(t.id), "recordId": t.txid, "coin": t.asset.lower(),
                           "type": "deposit" if kind == "deposit" else "withdraw", "dest": "on_chain",
                           "size": text(t.amount), "status": "success", "fromAddress": "",
                           "toAddress": t.address, "chain": t.chain, "createdTime": str(t.time),
                           "updatedTime": str(t.time + 600_000)}  # fmt: skip
                    if kind == "withdrawal":
                        row.update({"clientOid": t.client_id, "fee": text(t.fee), "confirm": "12", "tag": ""})
                    rows.append(row)
        if q.get("cursor"):
            rows = [r for r in rows if int(r["orderId"]) < int(q["cursor"])]
        return self.ok(rows[:size])

    # ----------------------------------------------------------------- writes

    def _body(self, request: Request, *required: str) -> dict[str, Any]:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            self.refuse(400, "40017", "Parameter verification failed")
        for name in required:
            if body.get(name) in (None, ""):
                self.refuse(400, "40019", f"Parameter {name} cannot be empty")
        return body

    def withdraw(self, request: Request, path: dict[str, str]) -> Response:
        body = self._body(request, "coin", "transferType", "address", "size")
        client_id = str(body.get("clientOid") or "")
        with self.account.lock:
            for t in self.account.transactions:
                if client_id and t.kind == "withdrawal" and t.client_id == client_id:
                    return self.ok({"orderId": self.order_id(t.id), "clientOid": client_id})
            try:
                record = self.account.withdraw(
                    self.now_ms(), str(body["coin"]).upper(), float(body["size"]), str(body["address"]),
                    str(body.get("chain") or "internal"), self.rng, client_id,
                )  # fmt: skip
            except ValueError:
                self.refuse(400, "43012", "Insufficient balance")
        return self.ok({"orderId": self.order_id(record.id), "clientOid": client_id})

    def cancel_withdrawal(self, request: Request, path: dict[str, str]) -> Response:
        order_id = str(self._body(request, "orderId")["orderId"])
        with self.account.lock:
            found = [t for t in self.account.transactions if t.kind == "withdrawal" and self.order_id(t.id) == order_id]
            if not found:
                self.refuse(400, "40017", "withdrawal order does not exist")
            record = found[0]
            if record.status != "success" or self.now_ms() - record.time >= REGRET_MS:
                return self.ok("fail")
            record.status = "cancel"
            self.account.book(
                Entry(
                    self.now_ms(),
                    self.account.funding,
                    record.asset,
                    round(record.amount + record.fee, 8),
                    0.0,
                    "withdrawal",
                    ref=record.id,
                )
            )
        return self.ok("success")

    def transfer(self, request: Request, path: dict[str, str]) -> Response:
        body = self._body(request, "fromType", "toType", "amount", "coin")
        client_id = str(body.get("clientOid") or "")
        with self.account.lock:
            if client_id in self.transfer_ids:
                return self.ok({"transferId": self.transfer_ids[client_id], "clientOid": client_id})
            try:
                move = self.account.transfer(self.now_ms(), str(body["coin"]).upper(), float(body["amount"]),
                                             str(body["fromType"]), str(body["toType"]), client_id)  # fmt: skip
            except ValueError:
                self.refuse(400, "43012", "Insufficient balance")
            transfer_id = str(1_300_000_000_000 + int(move.id.rsplit("-", 1)[1]))
            if client_id:
                self.transfer_ids[client_id] = transfer_id
        return self.ok({"transferId": transfer_id, "clientOid": client_id})


def _before(query: dict[str, str], field: str) -> Any:
    cursor = query.get("idLessThan")
    if not cursor:
        return None
    return lambda row: int(row[field]) < int(cursor)
