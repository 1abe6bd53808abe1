"""KuCoin's spot account API, served from a fictional account with a main and a trade account
(reference sheet part A).

Keys, signatures, signed passphrases and timestamps (±5 s) are checked as KuCoin documents; the
ledger keeps its 24-hour range and one year of history, pages are numbered (10 to 500 a page,
newest first), and every answer carries the ``gw-ratelimit-*`` headers of its pool's 30-second
window, with 429000 when the pool is used up. Withdrawals and universal transfers change the
account; KuCoin documents no client id for withdrawals, so a repeat pays again (as on KuCoin).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Iterator, Sequence
from typing import Any

from toolkit.core.http import Call
from toolkit.exchanges.kucoin import endpoints as ep
from toolkit.exchanges.kucoin.auth import passphrase_header, sign
from toolkit.sandbox.account import FEE_RATE, WITHDRAWAL_FEES, Entry, Transaction
from toolkit.sandbox.base import ExchangeApp, Refused, Route, split_market, text
from toolkit.sandbox.exports import when
from toolkit.sandbox.server import Request, Response

DAY_MS = 86_400_000
TOLERANCE_MS = 5_000
# The accounts the classic ledger holds (an HF account's has its own; a unified trading account's
# are read through the UA API), and those the account list shows.
CLASSIC = ("main", "trade", "margin")
LISTED = (*CLASSIC, "trade_hf")
# The ledger's bizType for each kind of entry: the display names of KuCoin's BizType table.
BIZ = {"deposit": "Deposit", "withdrawal": "Withdrawal", "trade": "Trade_Exchange", "transfer": "Transfer",
       "reward": "Rewards", "rebate": "Fee Rebate", "airdrop": "Airdrop/Fork"}  # fmt: skip
# The bizType filter's values -> the kind of entry they select.
BIZ_FILTER = {"DEPOSIT": "deposit", "WITHDRAW": "withdrawal", "TRADE_EXCHANGE": "trade", "TRANSFER": "transfer",
              "KUCOIN_BONUS": "reward"}  # fmt: skip


# Each kind of entry as KuCoin's account history export names it.
EXPORT_LABELS = {"deposit": "Deposit", "withdrawal": "Withdrawal", "trade": "Trade_Exchange", "transfer": "Transfer",
                 "reward": "Rewards", "rebate": "Fee Rebate", "airdrop": "Airdrop/Fork"}  # fmt: skip


class KucoinApp(ExchangeApp):
    exchange = "kucoin"

    @staticmethod
    def export_rows(entries: Sequence[Entry]) -> Iterator[list[str]]:
        """``entries`` as KuCoin's account history export writes them (``toolkit.imports`` reads it)."""
        yield ["UID", "Account Type", "Currency", "Side", "Amount", "Fee", "Time(UTC)", "Remark", "Type"]
        for e in entries:
            side = "Deposit" if e.amount > 0 else "Withdrawal"
            label = EXPORT_LABELS[e.kind]
            yield ["10000001", e.account.upper(), e.asset, side, f"{abs(e.amount):.8f}", f"{e.fee:.8f}", when(e),
                   label, label]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pools: dict[str, tuple[float, float]] = {}  # pool -> (window start, weight used)
        # Whether the account trades in a high-frequency trade account ("trade_hf").
        self.hf = False
        # Whether the account is a unified trading account: its "unified" and "funding" accounts are
        # read through the UA API; the classic endpoints show no account of that kind.
        self.uta = False
        self.order_ids: dict[str, str] = {}
        for endpoint, handler in (
            (ep.SERVER_TIME, lambda r, p: self.ok(self.now_ms())),
            (ep.ACCOUNTS, self.accounts),
            (ep.ACCOUNT, self.account_one),
            (ep.LEDGERS, self.ledgers),
            (ep.USER_SUMMARY, self.user_summary),
            (ep.SUB_USERS, lambda r, p: self.ok(self.paged([], r))),
            (ep.BASE_FEE, lambda r, p: self.ok({"takerFeeRate": str(FEE_RATE), "makerFeeRate": str(FEE_RATE)})),
            (ep.TRADE_FEES, self.trade_fees),
            (ep.DEPOSIT_ADDRESSES, self.deposit_addresses),
            (ep.DEPOSITS, lambda r, p: self.wallet(r, "deposit")),
            (ep.WITHDRAWALS, lambda r, p: self.wallet(r, "withdrawal")),
            (ep.HIST_DEPOSITS, lambda r, p: self.ok(self.paged([], r))),
            (ep.HIST_WITHDRAWALS, lambda r, p: self.ok(self.paged([], r))),
            (ep.WITHDRAWAL_QUOTAS, self.quotas),
            (ep.WITHDRAW, self.withdraw),
            (ep.CANCEL_WITHDRAWAL, self.cancel_withdrawal),
            (ep.TRANSFERABLE, self.transferable),
            (ep.UNIVERSAL_TRANSFER, self.universal_transfer),
            (ep.CANDLES.endpoint, self.candles),
            (ep.HF_OPENED, lambda r, p: self.ok(self.hf)),
            (ep.HF_LEDGERS, self.hf_ledgers),
            (ep.API_KEY, self.api_key),
            (ep.UA_API_KEY, self.api_key),
            (
                ep.ACCOUNT_MODE,
                lambda r, p: self.ok(
                    {
                        "selfAccountMode": "UNIFIED" if self.uta else "CLASSIC",
                        "unifiedSubAccount": [],
                        "classicSubAccount": [],
                    }
                ),
            ),
            (ep.UA_BALANCES, lambda r, p: self.ua_balances("UNIFIED", "hold")),
            (ep.UA_CLASSIC_BALANCES, lambda r, p: self.ua_balances(r.query.get("accountType", ""), "locked")),
            (ep.UA_LEDGER, self.ua_ledger),
            (ep.UA_FILLS, self.ua_fills),
        ):
            self.route(endpoint, handler)

    # ----------------------------------------------------------------- envelope, limits, checks

    def candles(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        steps = ep.CANDLES.steps
        if q.get("type") not in steps:
            self.refuse(400, "400100", "type invalid")
        step = steps[q["type"]]
        lo, hi = self.window(request, "startAt", "endAt", default_ms=100 * step, max_ms=None, scale=1000)
        rows = self.account.candles(*split_market(q.get("symbol", ""), "-"), lo, hi, step)
        if rows is None:
            # KuCoin's answer for an unknown symbol is not documented (UNCONFIRMED): 400100 here.
            return self.refuse(400, "400100", "symbol invalid")
        # At most 1500, newest first; time in seconds; KuCoin's order: open, close, high, low.
        return self.ok([[str(r[0] // 1000), text(r[1]), text(r[4]), text(r[2]), text(r[3]), text(r[5]), text(r[6])]
                        for r in reversed(rows[-ep.CANDLE_CAP:])])  # fmt: skip

    def use_model(self, model: str) -> None:
        """A unified trading account (built with "funding" and "unified" accounts), or an HF trade
        account (built with "main" and "trade_hf")."""
        if model not in ("unified", "hf"):
            super().use_model(model)
        self.uta, self.hf = model == "unified", model == "hf"

    def ok(self, data: Any) -> Response:
        return Response(200, {"code": "200000", "data": data})

    def refuse(self, status: int, code: str, message: str) -> Response:
        raise Refused(Response(status, {"code": code, "msg": message}))

    def bad_range(self, message: str) -> Response:
        return Response(400, {"code": "400100", "msg": message})

    def admit(self, route: Route) -> bool:
        # A quota per 30-second window that starts at the first request of the window.
        if not route.limits:
            return True
        limit = route.limits[0]
        now = self.monotonic()
        start, used = self.pools.get(limit.key, (now, 0.0))
        if now - start >= limit.seconds:
            start, used = now, 0.0
        if used + limit.weight > limit.count:
            self.pools[limit.key] = (start, used)
            return False
        self.pools[limit.key] = (start, used + limit.weight)
        return True

    def decorate(self, route: Route, response: Response) -> Response:
        if route.limits:
            limit = route.limits[0]
            now = self.monotonic()
            start, used = self.pools.get(limit.key, (now, 0.0))
            reset = max(0, int((start + limit.seconds - now) * 1000))
            response.headers.update(
                {"gw-ratelimit-limit": str(int(limit.count)), "gw-ratelimit-remaining": str(int(limit.count - used)),
                 "gw-ratelimit-reset": str(reset)}
            )  # fmt: skip
        return response

    def too_many(self, route: Route) -> Response:
        return Response(429, {"code": "429000", "msg": "Too many requests"})

    def check_auth(self, request: Request) -> None:
        h = request.headers
        names = ("kc-api-key", "kc-api-sign", "kc-api-timestamp", "kc-api-passphrase")
        if not all(h.get(n) for n in names):
            self.refuse(401, "400001", "Please check the URL of your request.")
        creds = self.key(h["kc-api-key"])
        if creds is None:
            self.refuse(401, "400003", "KC-API-KEY does not exist.")
            raise AssertionError
        if h.get("kc-api-key-version") not in ("2", "3"):
            self.refuse(401, "400009", "Invalid KC-API-KEY-VERSION")
        try:
            stamp = int(h["kc-api-timestamp"])
        except ValueError:
            stamp = 0
        if abs(stamp - self.now_ms()) > TOLERANCE_MS:
            self.refuse(401, "400002", "Invalid KC-API-TIMESTAMP.")
        secret = creds.api_secret
        if not hmac.compare_digest(h["kc-api-passphrase"], passphrase_header(secret, creds.passphrase or "")):
            self.refuse(401, "400004", "Invalid KC-API-PASSPHRASE.")
        call = Call(
            "", "", request.method, "", request.path, list(request.query.items()), request.body.decode() or None
        )
        if not hmac.compare_digest(sign(secret, h["kc-api-timestamp"], call), h["kc-api-sign"]):
            self.refuse(401, "400005", "Invalid KC-API-SIGN.")

    # ----------------------------------------------------------------- helpers

    def paged(self, rows: list[Any], request: Request, default_size: int = 50) -> dict[str, Any]:
        page = self.integer(request, "currentPage", 1, 1, 10**9)
        size = self.integer(request, "pageSize", default_size, ep.PAGE_SIZE_MIN, ep.PAGE_SIZE_MAX)
        pages = -(-len(rows) // size)
        return {"currentPage": page, "pageSize": size, "totalNum": len(rows), "totalPage": pages,
                "items": rows[(page - 1) * size : page * size]}  # fmt: skip

    def account_id(self, kind: str, asset: str) -> str:
        return f"demo-{kind}-{asset.lower()}"

    def _body(self, request: Request, *required: str) -> dict[str, Any]:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            self.refuse(400, "400100", "Invalid Parameter.")
        missing = [n for n in required if body.get(n) in (None, "")]
        if missing:
            self.refuse(400, "400100", f"Invalid Parameter: {', '.join(missing)}")
        return body

    # ----------------------------------------------------------------- reads

    def accounts(self, request: Request, path: dict[str, str]) -> Response:
        currency, kind = request.query.get("currency", "").upper(), request.query.get("type", "")
        with self.account.lock:
            rows = [
                {"id": self.account_id(name, asset), "currency": asset, "type": name, "balance": text(total),
                 "available": text(total), "holds": "0"}
                for (name, asset), total in sorted(self.account.balances.items())
                if name in LISTED and (not currency or asset == currency) and (not kind or name == kind)
            ]  # fmt: skip
        return self.ok(rows)

    def account_one(self, request: Request, path: dict[str, str]) -> Response:
        with self.account.lock:
            for (name, asset), total in self.account.balances.items():
                if self.account_id(name, asset) == path["accountId"]:
                    return self.ok({"currency": asset, "balance": text(total), "available": text(total), "holds": "0"})
        self.refuse(400, "400100", "account not exists")
        raise AssertionError

    def ledgers(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        now = self.now_ms()
        if q.get("startAt") and not q.get("endAt"):
            lo = int(q["startAt"])
            hi = lo + DAY_MS
        else:
            lo, hi = self.window(request, "startAt", "endAt", default_ms=DAY_MS, max_ms=DAY_MS)
        if lo < now - ep.LEDGER_HISTORY_MS - DAY_MS:
            self.refuse(400, "400100", "Only the last year of ledger can be queried")
        currencies = {c for c in q.get("currency", "").upper().split(",") if c}
        if len(currencies) > 10:
            self.refuse(400, "400100", "currency: at most 10")
        kind = BIZ_FILTER.get(q.get("bizType", ""))
        with self.account.lock:
            rows = [
                {"id": str(265_400_000_000_000 + e.id), "currency": e.asset, "amount": text(abs(e.amount)),
                 "fee": text(e.fee), "balance": "0", "accountType": e.account.upper(), "bizType": BIZ[e.kind],
                 "direction": "in" if e.amount > 0 else "out", "createdAt": e.time,
                 "context": json.dumps({"symbol": "", "orderId": e.ref}) if e.kind == "trade" else ""}
                for e in reversed(self.account.entries)
                if e.account in CLASSIC and lo <= e.time <= hi and (not currencies or e.asset in currencies)
                and (kind is None or e.kind == kind) and q.get("direction", "in" if e.amount > 0 else "out")
                == ("in" if e.amount > 0 else "out")
            ]  # fmt: skip
        return self.ok(self.paged(rows, request))

    def hf_ledgers(self, request: Request, path: dict[str, str]) -> Response:
        """The trade_hf account's ledger: a plain list, newest first, ``lastId`` and ``limit`` (<= 200);
        only the last 3 days, whatever the range asks (as KuCoin documents)."""
        q = request.query
        reach = self.now_ms() - ep.HF_LEDGER_REACH_MS
        lo = max(int(q.get("startAt") or reach), reach)
        hi = int(q.get("endAt") or self.now_ms())
        limit = self.integer(request, "limit", 100, 1, 200)
        last = int(q["lastId"]) if q.get("lastId") else None
        currencies = {c for c in q.get("currency", "").upper().split(",") if c}
        with self.account.lock:
            rows = [
                {"id": str(254_000_000_000_000 + e.id), "currency": e.asset, "amount": text(abs(e.amount)),
                 "fee": text(e.fee), "tax": "0", "balance": text(e.balance), "accountType": "TRADE_HF",
                 "bizType": {"trade": "TRADE_EXCHANGE", "transfer": "TRANSFER"}.get(e.kind, "OTHER"),
                 "direction": "in" if e.amount > 0 else "out", "createdAt": str(e.time),
                 "context": json.dumps({"symbol": "", "orderId": e.ref, "tradeId": e.ref}) if e.kind == "trade" else ""}
                for e in reversed(self.account.entries)
                if e.account == "trade_hf" and lo <= e.time <= hi and (not currencies or e.asset in currencies)
            ]  # fmt: skip
        if last is not None:
            rows = [r for r in rows if int(r["id"]) < last]
        return self.ok(rows[:limit])

    # ----------------------------------------------------------------- the key, the UA API

    def api_key(self, request: Request, path: dict[str, str]) -> Response:
        """The key's information, with the permissions a read-and-trade demo key has."""
        return self.ok(
            {"remark": "demo key", "apiKey": request.headers["kc-api-key"], "apiVersion": 3,
             "permission": "General,Unified,Spot" if self.uta else "General,Spot", "ipWhitelist": "",
             "createdAt": self.account.entries[0].time if self.account.entries else self.now_ms(), "uid": 10000001,
             "isMaster": True}
        )  # fmt: skip

    def ua_balances(self, account_type: str, held: str) -> Response:
        name = {"UNIFIED": "unified", "FUNDING": "funding", "SPOT": "trade", "TRADING": "trade"}.get(account_type)
        if name is None:
            self.refuse(400, "400100", "accountType invalid")
        with self.account.lock:
            currencies = [
                {"currency": asset, "equity": text(total), "balance": text(total), "available": text(total),
                 held: "0", "liability": "0"}
                for (account, asset), total in sorted(self.account.balances.items()) if account == name
            ]  # fmt: skip
        return self.ok({"accountType": account_type, "ts": self.now_ms(), "accounts": [{"currencies": currencies}]})

    def ua_ledger(self, request: Request, path: dict[str, str]) -> Response:
        """The UA ledger, newest first, ``lastId`` (older than) and ``pageSize``; times in nanoseconds
        (as since 2026-01-12). The unified account answers ``{lastId, items}``, the others a bare list
        (as reported; UNCONFIRMED). DEPOSIT and WITHDRAW as business types are the sandbox's own
        (KuCoin's list names none for them: UNCONFIRMED)."""
        q = request.query
        kind = q.get("accountType", "")
        name = {"UNIFIED": "unified", "FUNDING": "funding"}.get(kind)
        if name is None:
            self.refuse(400, "400100", "accountType invalid")
        lo, hi = self.window(request, "startAt", "endAt", default_ms=DAY_MS, max_ms=None)
        size = self.integer(request, "pageSize", 100, 1, 200 if kind == "UNIFIED" else 500)
        last = int(q["lastId"]) if q.get("lastId") else None
        kinds = {"trade": "TRADE_EXCHANGE", "transfer": "TRANSFER", "deposit": "DEPOSIT", "withdrawal": "WITHDRAW",
                 "rebate": "RETURNED_FEES", "reward": "OTHER", "airdrop": "OTHER"}  # fmt: skip
        with self.account.lock:
            rows = [
                {"accountType": kind, "id": str(10_000_000_000_000_000 + e.id), "currency": e.asset,
                 "direction": "IN" if e.amount > 0 else "OUT", "businessType": kinds[e.kind],
                 "amount": text(abs(e.amount)), "balance": text(e.balance), "fee": text(e.fee), "tax": "0",
                 "remark": "", "ts": e.time * 1_000_000}
                for e in reversed(self.account.entries)
                if e.account == name and lo <= e.time <= hi and (last is None or 10_000_000_000_000_000 + e.id < last)
            ][:size]  # fmt: skip
        if kind != "UNIFIED":
            return self.ok(rows)
        return self.ok({"lastId": int(rows[-1]["id"]) if rows else None, "items": rows})

    def ua_fills(self, request: Request, path: dict[str, str]) -> Response:
        q = request.query
        lo, hi = self.window(request, "startAt", "endAt", default_ms=7 * DAY_MS, max_ms=None)
        size = self.integer(request, "pageSize", 50, 1, 200)
        last = int(q["lastId"]) if q.get("lastId") else None
        with self.account.lock:
            items = [
                {"symbol": f"{t.base}-USDT", "orderId": t.ref, "orderType": "MARKET", "side": t.side.upper(),
                 "fillType": "NORMAL", "tradeId": str(t.id), "size": text(t.quantity), "value": text(t.quote_quantity),
                 "price": text(t.price), "executionTime": t.time * 1_000_000, "fee": text(t.fee),
                 "feeCurrency": t.fee_asset, "liquidityRole": "TAKER", "tax": "0"}
                for t in reversed(self.account.trades)
                if lo <= t.time <= hi and (last is None or t.id < last)
                and q.get("symbol", f"{t.base}-USDT") == f"{t.base}-USDT"
            ][:size]  # fmt: skip
        return self.ok({"lastId": int(str(items[-1]["tradeId"])) if items else None, "tradeType": q.get("tradeType"),
                        "items": items})  # fmt: skip

    def user_summary(self, request: Request, path: dict[str, str]) -> Response:
        names = ("level", "subQuantity", "spotSubQuantity", "marginSubQuantity", "futuresSubQuantity",
                 "optionSubQuantity", "maxSubQuantity", "maxDefaultSubQuantity", "maxSpotSubQuantity",
                 "maxMarginSubQuantity", "maxFuturesSubQuantity", "maxOptionSubQuantity")  # fmt: skip
        return self.ok(dict.fromkeys(names, 0))

    def trade_fees(self, request: Request, path: dict[str, str]) -> Response:
        symbols = [s for s in request.query.get("symbols", "").split(",") if s]
        if not symbols or len(symbols) > 10:
            self.refuse(400, "400100", "symbols: 1 to 10")
        return self.ok([{"symbol": s, "takerFeeRate": str(FEE_RATE), "makerFeeRate": str(FEE_RATE)} for s in symbols])

    def deposit_addresses(self, request: Request, path: dict[str, str]) -> Response:
        currency = request.query.get("currency", "").upper()
        chain = request.query.get("chain", "trx")
        return self.ok(
            [
                {
                    "address": f"demo-{currency.lower()}-{chain}-address",
                    "memo": "",
                    "chainId": chain,
                    "to": "MAIN",
                    "expirationDate": 0,
                    "currency": currency,
                    "chainName": chain.upper(),
                }
            ]
        )

    def wallet(self, request: Request, kind: str) -> Response:
        q = request.query
        lo, hi = self.window(request, "startAt", "endAt", default_ms=30 * DAY_MS, max_ms=None)
        currency = q.get("currency", "").upper()
        with self.account.lock:
            rows = [
                self._transaction(t) for t in reversed(self.account.transactions)
                if t.kind == kind and lo <= t.time <= hi and (not currency or t.asset == currency)
                and q.get("status", t.status.upper()) == t.status.upper()
            ]  # fmt: skip
        return self.ok(self.paged(rows, request))

    @staticmethod
    def _transaction(t: Transaction) -> dict[str, Any]:
        record = {
            "currency": t.asset, "chain": t.chain, "status": t.status.upper(), "address": t.address, "memo": "",
            "isInner": False, "amount": text(t.amount), "fee": text(t.fee), "walletTxId": t.txid,
            "createdAt": t.time, "updatedAt": t.time + 600_000, "remark": "",
        }  # fmt: skip
        return {"id": t.id, **record} if t.kind == "withdrawal" else {**record, "arrears": False}

    def quotas(self, request: Request, path: dict[str, str]) -> Response:
        currency = request.query.get("currency", "").upper()
        available = self.account.balance(self.account.funding, currency)
        fee = WITHDRAWAL_FEES.get(currency, 0.0)
        return self.ok(
            {"currency": currency, "limitBTCAmount": "15", "usedBTCAmount": "0", "quotaCurrency": "USDT",
             "limitQuotaCurrencyAmount": "1000000", "usedQuotaCurrencyAmount": "0",
             "remainAmount": text(available), "availableAmount": text(available), "withdrawMinFee": text(fee),
             "innerWithdrawMinFee": "0", "withdrawMinSize": text(fee * 2), "isWithdrawEnabled": True,
             "precision": 8, "chain": request.query.get("chain", ""), "reason": None, "lockedAmount": "0"}
        )  # fmt: skip

    def transferable(self, request: Request, path: dict[str, str]) -> Response:
        currency = request.query.get("currency", "").upper()
        name = request.query.get("type", "MAIN").lower()
        total = self.account.balance(name, currency)
        return self.ok({"currency": currency, "balance": text(total), "available": text(total), "holds": "0",
                        "transferable": text(total)})  # fmt: skip

    # ----------------------------------------------------------------- writes

    def withdraw(self, request: Request, path: dict[str, str]) -> Response:
        body = self._body(request, "currency", "toAddress", "amount", "withdrawType")
        try:
            record = self.account.withdraw(
                self.now_ms(), str(body["currency"]).upper(), float(body["amount"]), str(body["toAddress"]),
                str(body.get("chain") or "trx"), self.rng,
            )  # fmt: skip
        except ValueError:
            self.refuse(400, "200004", "Balance insufficient")
        return self.ok({"withdrawalId": record.id})

    def cancel_withdrawal(self, request: Request, path: dict[str, str]) -> Response:
        with self.account.lock:
            found = [t for t in self.account.transactions if t.kind == "withdrawal" and t.id == path["withdrawalId"]]
            if not found:
                self.refuse(400, "400100", "withdrawal not found")
            # Sandbox withdrawals complete at once, as small ones do: nothing is left to cancel.
            self.refuse(400, "400100", "the withdrawal is not PROCESSING")
        raise AssertionError

    def universal_transfer(self, request: Request, path: dict[str, str]) -> Response:
        body = self._body(request, "clientOid", "type", "currency", "amount", "fromAccountType", "toAccountType")
        client_id = str(body["clientOid"])
        with self.account.lock:
            if client_id in self.order_ids:
                return self.ok({"orderId": self.order_ids[client_id]})
            try:
                move = self.account.transfer(
                    self.now_ms(), str(body["currency"]).upper(), float(body["amount"]),
                    str(body["fromAccountType"]).lower(), str(body["toAccountType"]).lower(), client_id,
                )  # fmt: skip
            except ValueError:
                self.refuse(400, "200004", "Balance insufficient")
            self.order_ids[client_id] = move.id
        return self.ok({"orderId": move.id})
