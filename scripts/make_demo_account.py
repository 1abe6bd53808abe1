"""Write the demo mode's synthetic accounts: ``cassettes/<exchange>/demo/*.yaml``.

    python scripts/make_demo_account.py [--seed 2025] [--out cassettes]

The exchanges' documented examples are single records that do not add up to an account, so the
demo needs a fictional one. This script invents a year of consistent activity (deposits, trades
with fees, withdrawals with fees, transfers between accounts) for Bitget, KuCoin and CoinW, keeps
every running balance, and answers the toolkit's own requests the way each exchange documents its
endpoints (time windows, paging, envelopes), in the documented response shapes and field names.
Every value is SYNTHETIC: made up here, seeded, and the same on every run.

The requests are the ones the toolkit really sends: each client runs the demo's calls (those of
``toolkit.demo_mode.DEMO_CALLS``) through a fake transport that answers from the fictional
account, and each (request, answer) pair becomes a cassette interaction. Binance is left out: its
WebSocket API has no history, and its demo transcript (``cassettes/binance/ws/demo.jsonl``) is
written by hand.

Modelling choices a real account may not share (the docs do not settle them):
- Bitget bills: ``size`` is the whole change of the balance (fee included), ``fees`` the fee part
  (negative), ``balance`` the balance after; a trade books one bill per coin.
- KuCoin ledgers: ``amount`` includes the fee (as documented); ``balance`` is "0", as in the
  documented example (KuCoin calls the field deprecated; the toolkit does not read it).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from vcr.request import Request

import toolkit as tk
from toolkit import demo_mode
from toolkit.cassettes import CASSETTES, InlineFilteredYaml, scrub_request
from toolkit.core.http import Call, Reply
from toolkit.core.ratelimit import RateLimiter

HEADER = (
    "# SYNTHETIC demo account, written by scripts/make_demo_account.py (seed {seed}): every value is\n"
    "# made up, in the documented response shapes. Do not edit by hand; run the script again.\n"
)
START = datetime.fromisoformat(demo_mode.PERIOD[0]).replace(tzinfo=UTC)
END = datetime.fromisoformat(demo_mode.PERIOD[1]).replace(tzinfo=UTC)
FEE_RATE = 0.001  # 0.1 % maker and taker: the standard spot rate of all three
PAIRS = {"BTC": 94_000.0, "ETH": 3_300.0}  # opening prices in USDT of a made-up random walk


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def text(amount: float, places: int = 8) -> str:
    return f"{amount:.{places}f}"


# ---------------------------------------------------------------- the fictional year


@dataclass
class Entry:
    """One change of one balance: what a ledger line says."""

    time: int
    account: str  # "spot" (Bitget, CoinW), "main" / "trade" (KuCoin)
    asset: str
    amount: float  # signed, fee included
    fee: float  # >= 0, part of amount
    kind: str  # deposit, withdrawal, trade, transfer
    side: str = ""  # buy / sell for trades, in / out for transfers
    ref: str = ""  # the deposit / withdrawal / trade this line belongs to
    balance: float = 0.0


@dataclass
class Transaction:
    """A deposit or a withdrawal as the wallet history lists it."""

    id: str
    time: int
    asset: str
    amount: float  # what arrived, or what left for the address (fee not included)
    fee: float
    chain: str
    address: str
    txid: str
    kind: str  # deposit / withdrawal


@dataclass
class Account:
    entries: list[Entry] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    balances: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))

    def book(self, entry: Entry) -> None:
        key = (entry.account, entry.asset)
        self.balances[key] = round(self.balances[key] + entry.amount, 8)
        if self.balances[key] < -1e-9:
            raise AssertionError(f"{entry.asset} in {entry.account} would go negative at {entry.time}")
        entry.balance = self.balances[key]
        self.entries.append(entry)


CHAINS = {"USDT": ("trc20", "T"), "BTC": ("btc", "bc1q"), "ETH": ("erc20", "0x")}
WITHDRAWAL_FEES = {"USDT": 1.0, "BTC": 0.0002, "ETH": 0.002}


def _address(rng: random.Random, asset: str) -> str:
    prefix = CHAINS[asset][1]
    return prefix + "".join(rng.choice("abcdef0123456789") for _ in range(30)) + "-demo"


def _txid(rng: random.Random) -> str:
    return "".join(rng.choice("abcdef0123456789") for _ in range(64))


def simulate(rng: random.Random, *, accounts: tuple[str, str], trades_per_week: float, monthly_usdt: float) -> Account:
    """A year of activity: an opening deposit, monthly savings, trades, transfers, withdrawals.

    ``accounts`` is (where deposits land, where trading happens): the same for Bitget, KuCoin has
    a main (funding) and a trade account, with transfers between them.
    """
    funding, trading = accounts
    account = Account()
    prices = dict(PAIRS)
    ids = iter(range(1, 1_000_000))

    def moment(day: datetime, hours: tuple[int, int]) -> int:
        # Each kind of event has its own hours, in the order they are booked below, so that the
        # running balances (kept in booking order) are also in time order.
        return ms(day + timedelta(seconds=rng.randrange(hours[0] * 3600, hours[1] * 3600)))

    def deposit(when: int, asset: str, amount: float) -> None:
        ref = f"demo-dep-{next(ids)}"
        chain, _ = CHAINS[asset]
        account.transactions.append(
            Transaction(ref, when, asset, amount, 0.0, chain, _address(rng, asset), _txid(rng), "deposit")
        )
        account.book(Entry(when, funding, asset, amount, 0.0, "deposit", ref=ref))
        if trading != funding:
            transfer(when + 60_000, asset, amount, funding, trading)

    def transfer(when: int, asset: str, amount: float, source: str, target: str) -> None:
        ref = f"demo-trf-{next(ids)}"
        account.book(Entry(when, source, asset, -amount, 0.0, "transfer", side="out", ref=ref))
        account.book(Entry(when, target, asset, amount, 0.0, "transfer", side="in", ref=ref))

    def withdraw(when: int, asset: str, amount: float) -> None:
        fee = WITHDRAWAL_FEES[asset]
        if trading != funding:
            transfer(when - 60_000, asset, amount + fee, trading, funding)
        ref = f"demo-wd-{next(ids)}"
        chain, _ = CHAINS[asset]
        account.transactions.append(
            Transaction(ref, when, asset, amount, fee, chain, _address(rng, asset), _txid(rng), "withdrawal")
        )
        account.book(Entry(when, funding, asset, -(amount + fee), fee, "withdrawal", ref=ref))

    def trade(when: int, coin: str) -> None:
        usdt = account.balances[(trading, "USDT")]
        held = account.balances[(trading, coin)]
        price = round(prices[coin], 2)
        ref = f"demo-trade-{next(ids)}"
        if rng.random() < 0.6 and usdt > 50:  # buy: pay USDT, receive the coin less the fee
            spend = round(min(usdt * rng.uniform(0.05, 0.25), usdt - 1), 2)
            bought = round(spend / price, 6)
            fee = round(bought * FEE_RATE, 8)
            account.book(Entry(when, trading, "USDT", -round(bought * price, 8), 0.0, "trade", "buy", ref))
            account.book(Entry(when, trading, coin, round(bought - fee, 8), fee, "trade", "buy", ref))
        elif held * price > 20:  # sell: give the coin, receive USDT less the fee
            sold = round(held * rng.uniform(0.2, 0.6), 6)
            proceeds = round(sold * price, 8)
            fee = round(proceeds * FEE_RATE, 8)
            account.book(Entry(when, trading, coin, -sold, 0.0, "trade", "sell", ref))
            account.book(Entry(when, trading, "USDT", round(proceeds - fee, 8), fee, "trade", "sell", ref))

    day = START
    deposit(moment(day, (8, 10)), "USDT", 5_000.0)
    while day < END - timedelta(days=1):
        for coin in prices:  # a made-up daily random walk
            prices[coin] *= 1 + rng.gauss(0.0005, 0.025)
        if day.day == 3 and day > START + timedelta(days=7):
            deposit(moment(day, (8, 10)), "USDT", monthly_usdt)
        if rng.random() < trades_per_week / 7:
            trade(moment(day, (11, 15)), rng.choice(list(prices)))
        if day.day == 20 and day.month % 3 == 0:
            withdraw(moment(day, (16, 18)), "USDT", round(monthly_usdt * 0.6, 2))
        if day.month == 8 and day.day == 12 and account.balances[(trading, "BTC")] > 0.01:
            withdraw(moment(day, (19, 21)), "BTC", round(account.balances[(trading, "BTC")] * 0.5 - 0.0002, 6))
        day += timedelta(days=1)
    if [e.time for e in account.entries] != sorted(e.time for e in account.entries):
        raise AssertionError("entries were booked out of time order")
    return account


# ---------------------------------------------------------------- the exchanges, answering


def _in_window(when: int, query: dict[str, str], start: str, end: str) -> bool:
    return int(query.get(start, 0)) <= when <= int(query.get(end, 2**62))


class Bitget:
    """Answers the v2 spot endpoints from an Account, as documented (newest first, idLessThan)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        # Ids grow with time, as the cursor paging expects; bills and wallet records apart.
        self.bills = [(str(1_100_000_000_000_000_000 + n), e) for n, e in enumerate(account.entries)]
        self.wallet = {t.id: str(1_200_000_000_000 + n) for n, t in enumerate(account.transactions)}

    def answer(self, path: str, query: dict[str, str]) -> Any:
        if path.endswith("/account/assets"):
            last = {e.asset: e.time for e in self.account.entries}
            return [
                {"coin": asset.lower(), "available": text(total), "frozen": "0", "locked": "0",
                 "limitAvailable": "0", "uTime": str(last[asset])}
                for (_, asset), total in sorted(self.account.balances.items())
            ]  # fmt: skip
        if path.endswith("/account/bills"):
            rows = [
                {"cTime": str(e.time), "coin": e.asset.lower(), "groupType": _BITGET_GROUP[e.kind],
                 "businessType": _bitget_business(e), "size": text(e.amount), "balance": text(e.balance),
                 "fees": text(-e.fee), "billId": bill_id}
                for bill_id, e in self.bills
                if _in_window(e.time, query, "startTime", "endTime")
            ]  # fmt: skip
            return self._page(rows, query, "billId")
        if path.endswith("/deposit-records") or path.endswith("/withdrawal-records"):
            kind = "deposit" if "deposit" in path else "withdrawal"
            rows = [
                self._transaction(t) for t in self.account.transactions
                if t.kind == kind and _in_window(t.time, query, "startTime", "endTime")
                and query.get("coin", t.asset) == t.asset
            ]  # fmt: skip
            return self._page(rows, query, "orderId")
        if path.endswith("/common/trade-rate"):
            return {"makerFeeRate": str(FEE_RATE), "takerFeeRate": str(FEE_RATE)}
        raise LookupError(path)

    @staticmethod
    def _page(rows: list[dict[str, Any]], query: dict[str, str], id_field: str) -> list[dict[str, Any]]:
        rows = sorted(rows, key=lambda r: int(r[id_field]), reverse=True)
        if "idLessThan" in query:
            rows = [r for r in rows if int(r[id_field]) < int(query["idLessThan"])]
        return rows[: int(query.get("limit", 100))]

    def _transaction(self, t: Transaction) -> dict[str, Any]:
        common = {
            "orderId": self.wallet[t.id], "tradeId": t.txid, "coin": t.asset, "size": text(t.amount),
            "status": "success", "toAddress": t.address, "dest": "on_chain", "chain": t.chain,
            "fromAddress": "", "cTime": str(t.time), "uTime": str(t.time + 600_000),
        }  # fmt: skip
        if t.kind == "deposit":
            return {**common, "type": "deposit"}
        return {**common, "type": "withdraw", "clientOid": "", "tag": "", "fee": text(-t.fee), "confirm": "12"}


_BITGET_GROUP = {"deposit": "deposit", "withdrawal": "withdraw", "trade": "transaction", "transfer": "transfer"}


def _bitget_business(entry: Entry) -> str:
    if entry.kind == "trade":
        return entry.side  # "buy" / "sell", the older doc's lower-case values
    if entry.kind == "transfer":
        return f"transfer-{entry.side}"
    return {"deposit": "deposit", "withdrawal": "withdraw"}[entry.kind]


class KuCoin:
    """Answers the v1 account endpoints from an Account (numbered pages, newest first)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.ids = {id(e): str(265_400_000_000_000 + n) for n, e in enumerate(account.entries)}

    def answer(self, path: str, query: dict[str, str]) -> Any:
        if path == "/api/v1/accounts":
            return [
                {"id": f"demo-{kind}-{asset.lower()}", "currency": asset, "type": kind, "balance": text(total),
                 "available": text(total), "holds": "0"}
                for (kind, asset), total in sorted(self.account.balances.items())
            ]  # fmt: skip
        if path == "/api/v1/accounts/ledgers":
            rows = [
                {"id": self.ids[id(e)], "currency": e.asset, "amount": text(abs(e.amount)), "fee": text(e.fee),
                 "balance": "0", "accountType": e.account.upper(), "bizType": _KUCOIN_BIZ[e.kind],
                 "direction": "in" if e.amount > 0 else "out", "createdAt": e.time,
                 "context": json.dumps({"symbol": "", "orderId": e.ref}) if e.kind == "trade" else ""}
                for e in reversed(self.account.entries)
                if _in_window(e.time, query, "startAt", "endAt") and query.get("currency", e.asset) == e.asset
            ]  # fmt: skip
            return self._page(rows, query)
        if path in ("/api/v1/deposits", "/api/v1/withdrawals"):
            kind = "deposit" if path.endswith("deposits") else "withdrawal"
            rows = [
                self._transaction(t) for t in reversed(self.account.transactions)
                if t.kind == kind and _in_window(t.time, query, "startAt", "endAt")
                and query.get("currency", t.asset) == t.asset
            ]  # fmt: skip
            return self._page(rows, query)
        if path == "/api/v1/base-fee":
            return {"takerFeeRate": str(FEE_RATE), "makerFeeRate": str(FEE_RATE)}
        if path == "/api/v1/trade-fees":
            return [{"symbol": symbol, "takerFeeRate": str(FEE_RATE), "makerFeeRate": str(FEE_RATE)}
                    for symbol in query["symbols"].split(",")]  # fmt: skip
        raise LookupError(path)

    @staticmethod
    def _page(rows: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        page, size = int(query.get("currentPage", 1)), int(query.get("pageSize", 50))
        pages = max(1, -(-len(rows) // size))
        return {"currentPage": page, "pageSize": size, "totalNum": len(rows), "totalPage": pages,
                "items": rows[(page - 1) * size : page * size]}  # fmt: skip

    @staticmethod
    def _transaction(t: Transaction) -> dict[str, Any]:
        record = {
            "currency": t.asset, "chain": t.chain, "status": "SUCCESS", "address": t.address, "memo": "",
            "isInner": False, "amount": text(t.amount), "fee": text(t.fee), "walletTxId": t.txid,
            "createdAt": t.time, "updatedAt": t.time + 600_000, "remark": "",
        }  # fmt: skip
        return {"id": t.id, **record} if t.kind == "withdrawal" else {**record, "arrears": False}


_KUCOIN_BIZ = {"deposit": "Deposit", "withdrawal": "Withdrawal", "trade": "Trade_Exchange", "transfer": "Transfer"}


class CoinW:
    """Answers returnCompleteBalances / returnBalances / returnDepositsWithdrawals from an Account."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def answer(self, path: str, query: dict[str, str]) -> Any:
        command = query.get("command")
        totals = {asset: total for (_, asset), total in sorted(self.account.balances.items())}
        if command == "returnCompleteBalances":
            return {asset: {"onOrders": "0", "available": text(total)} for asset, total in totals.items()}
        if command == "returnBalances":
            return {asset: text(total) for asset, total in totals.items()}
        if command == "returnDepositsWithdrawals":
            return [
                {"amount": t.amount, "chain": t.chain.upper(), "side": 1 if t.kind == "deposit" else 2,
                 "depositNumber": 900_000 + n, "address": t.address, "txid": t.txid, "memo": None,
                 "currency": t.asset, "time": t.time, "confirmations": 12, "status": 3}
                for n, t in enumerate(self.account.transactions)
                if t.asset == query.get("symbol")
            ]  # fmt: skip
        raise LookupError(command)


def envelope(exchange: str, data: Any) -> dict[str, Any]:
    if exchange == "bitget":
        return {"code": "00000", "msg": "success", "requestTime": ms(END), "data": data}
    if exchange == "kucoin":
        return {"code": "200000", "data": data}
    return {"code": "200", "data": data, "msg": "SUCCESS", "success": True, "failed": False}


# ---------------------------------------------------------------- recording the toolkit's requests


class Recorder:
    """A stand-in for the client's transport: answers each Call and keeps it as an interaction."""

    def __init__(self, exchange: str, server: Any) -> None:
        self.exchange = exchange
        self.server = server
        self.interactions: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.seen: set[tuple[str, str, Any]] = set()

    def send(self, call: Call) -> Reply:
        parts = urlsplit(call.url)
        query = dict(parse_qsl(parts.query))
        if call.body:
            query.update(dict(parse_qsl(call.body)))
        body = json.dumps(envelope(self.exchange, self.server.answer(parts.path, query)), separators=(",", ":"))
        request = scrub_request(Request(call.method, call.url, call.body, dict(call.headers)))
        key = (request.method, request.uri, request.body)
        if key not in self.seen:  # the demo's calls overlap (balances for several views)
            self.seen.add(key)
            name = query.get("command") or parts.path.rstrip("/").rsplit("/", 1)[-1]
            self.interactions[name].append(
                {"request": {"body": request.body, "headers": {}, "method": request.method, "uri": request.uri},
                 "response": {"status": {"code": 200, "message": "OK"},
                              "headers": {"Content-Type": ["application/json"]}, "body": {"string": body}}}
            )  # fmt: skip
        return Reply(200, {"Content-Type": "application/json"}, body.encode())


def build(seed: int) -> dict[str, Account]:
    rng = random.Random(seed)
    return {
        "bitget": simulate(rng, accounts=("spot", "spot"), trades_per_week=3, monthly_usdt=500.0),
        "coinw": simulate(rng, accounts=("spot", "spot"), trades_per_week=0, monthly_usdt=200.0),
        "kucoin": simulate(rng, accounts=("main", "trade"), trades_per_week=2, monthly_usdt=300.0),
    }


SERVERS = {"bitget": Bitget, "kucoin": KuCoin, "coinw": CoinW}


def _instant_clock() -> tuple[Any, Any]:
    """A clock whose sleeps pass at once, so the rate limiter paces nothing in real time."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return (lambda: now[0]), sleep


def record(seed: int) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Run the demo's calls against each fictional account; interactions by exchange and file name."""
    recorded = {}
    for exchange, account in build(seed).items():
        client = tk.connect(exchange, demo_mode.credentials(exchange), sync_clock=False, progress=False)
        client.limiter = RateLimiter(*_instant_clock())  # nothing to wait for here
        recorder = Recorder(exchange, SERVERS[exchange](account))
        client.transport.send = recorder.send
        for call in demo_mode.DEMO_CALLS:
            call(client)
        recorded[exchange] = recorder.interactions
    return recorded


def write(out: Path, seed: int) -> list[Path]:
    written = []
    for exchange, files in record(seed).items():
        folder = out / exchange / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.yaml"):
            old.unlink()
        for name, interactions in sorted(files.items()):
            path = folder / f"{name}.yaml"
            # Windows are fetched from threads: sort so that every run writes the same file.
            interactions.sort(key=lambda i: (i["request"]["method"], i["request"]["uri"], i["request"]["body"] or ""))
            cassette = {"interactions": interactions, "version": 1}
            path.write_text(HEADER.format(seed=seed) + InlineFilteredYaml.serialize(cassette))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=demo_mode.SEED)
    parser.add_argument("--out", type=Path, default=CASSETTES)
    args = parser.parse_args(argv)
    for path in write(args.out, args.seed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
