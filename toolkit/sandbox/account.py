"""The synthetic accounts the sandboxes serve: a seeded, made-up year of activity per exchange.

Every value here is SYNTHETIC: invented, seeded, the same on every run for the same dates. A year
of deposits, trades with fees, withdrawals with fees and transfers between a funding and a trading
account is booked entry by entry, each with the running balance after it, so that every view the
sandboxes give (balances, ledgers, deposit and withdrawal histories, trades, prices) agrees with
every other. Each exchange's profile adds the other kinds of event its users meet (``EVENTS``):
Binance's Convert, small-balance conversions to BNB, Simple Earn subscriptions, rewards and
redemptions, moves to and from the funding wallet and fees paid in BNB; KuCoin's and Bitget's
rewards, rebates and airdrops. State-changing calls (a withdrawal, a transfer) book more entries at the moment they
are made, under a lock: a notebook can try them and see them in every history.

Modelling choices a real account may not share (the exchanges' docs do not settle them): a
trade's fee is taken from what it buys; an entry's ``amount`` includes its fee; prices follow a
seeded daily random walk that the trades use, so candles and trades agree.
"""

from __future__ import annotations

import hashlib
import random
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from toolkit.exchanges import descriptor, descriptors

FEE_RATE = 0.001  # 0.1 % maker and taker: the standard spot rate of the exchanges served
OPENING_PRICES = {"BTC": 94_000.0, "ETH": 3_300.0}  # in USDT, on the first day of the year
# BNB (what Binance's small balances turn into, and its fees may be paid in): its own walk, so that
# the others' walks stay what they were.
BNB_OPENING_PRICE = 700.0
# Binance's discount on fees paid in BNB; Binance's charge on converting small balances to BNB.
BNB_FEE_DISCOUNT, DUST_CHARGE = 0.75, 0.02
# What the kinds of event the profiles add are, by name (``simulate``'s ``events``).
EVENTS = ("convert", "dust", "earn", "funding", "bnb_fees", "rewards", "rebates", "airdrop")
CHAINS = {"USDT": ("trc20", "T"), "BTC": ("btc", "bc1q"), "ETH": ("erc20", "0x")}
WITHDRAWAL_FEES = {"USDT": 1.0, "BTC": 0.0002, "ETH": 0.002}
SEED = 2025
# Moves between the demo user's own exchanges (each exchange's profile's ``sends``: day of the demo
# year, to which exchange, asset, amount): the withdrawal leaves at 07:10 and arrives 20 minutes
# later as a deposit of what was sent, with the same chain txid (the fee stays with the sending
# exchange), so transfer pairing has pairs to find.
MOVE_ARRIVES = timedelta(minutes=20)
Move = tuple[int, str, str, str, float]  # (day of the demo year, from, to, asset, amount)


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def demo_year(today: date | None = None) -> tuple[datetime, datetime]:
    """The demo year: the 364 days up to and including yesterday (UTC), as ``[start, end)``, so that
    nothing in it is older than any exchange keeps (a year) and nothing is still being booked."""
    today = today or datetime.now(UTC).date()
    end = datetime(today.year, today.month, today.day, tzinfo=UTC)
    return end - timedelta(days=364), end


@dataclass
class Entry:
    """One change of one balance: what a ledger line says."""

    time: int
    account: str  # "spot" (one account), "main" / "trade" (funding and trading), "funding", "earn", ...
    asset: str
    amount: float  # signed, fee included
    fee: float  # >= 0, part of amount
    # deposit, withdrawal, trade, transfer, convert, dust, earn_subscribe, earn_redeem, reward, rebate,
    # airdrop, fee (the ledger vocabulary's names)
    kind: str
    side: str = ""  # buy / sell for trades, in / out for transfers
    ref: str = ""  # the deposit / withdrawal / trade / transfer this line belongs to
    balance: float = 0.0
    id: int = 0  # grows with time, as cursor paging expects


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
    status: str = "success"
    client_id: str = ""


@dataclass
class Trade:
    """One fill: ``quantity`` of ``base`` bought or sold at ``price`` in USDT; the fee in ``fee_asset``."""

    id: int
    time: int
    base: str
    side: str  # buy / sell
    price: float
    quantity: float
    quote_quantity: float
    fee: float
    fee_asset: str
    ref: str


# (open ms, open, high, low, close, volume in the base, volume in the quote)
Candle = tuple[int, float, float, float, float, float, float]


@dataclass
class Transfer:
    id: str
    time: int
    asset: str
    amount: float
    source: str
    target: str
    client_id: str = ""


@dataclass
class Convert:
    """A Convert order (Binance): ``from_amount`` of ``from_asset`` for ``to_amount`` of ``to_asset``."""

    id: int
    time: int
    from_asset: str
    from_amount: float
    to_asset: str
    to_amount: float


@dataclass
class Dust:
    """Small balances converted to BNB (Binance): per asset, (asset, amount, BNB received, charge in BNB)."""

    id: int
    time: int
    parts: list[tuple[str, float, float, float]]


@dataclass
class Earn:
    """A Simple Earn flexible record (Binance): a subscription, a redemption or a reward."""

    id: int
    time: int
    kind: str  # subscription / redemption / rewards
    asset: str
    amount: float


@dataclass
class Account:
    """One exchange's fictional account: entries, wallet transactions, trades, transfers, prices."""

    funding: str
    trading: str
    # Whether a fill's fee is paid in USDT whichever side it is (CoinW's example), not in what it buys.
    fees_in_quote: bool = False
    entries: list[Entry] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    trades: list[Trade] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    converts: list[Convert] = field(default_factory=list)
    dusts: list[Dust] = field(default_factory=list)
    earn: list[Earn] = field(default_factory=list)
    # Whether a fill's fee is paid in BNB when the account holds enough of it (Binance).
    fees_in_bnb: bool = False
    balances: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    # asset -> UTC day -> close in USDT
    closes: dict[str, dict[date, float]] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _ids: int = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def book(self, entry: Entry) -> None:
        with self.lock:
            key = (entry.account, entry.asset)
            self.balances[key] = round(self.balances[key] + entry.amount, 8)
            if self.balances[key] < -1e-9:
                raise ValueError(f"{entry.asset} in {entry.account} would go negative at {entry.time}")
            entry.balance = self.balances[key]
            entry.id = self.next_id()
            self.entries.append(entry)

    def balance(self, account: str, asset: str) -> float:
        with self.lock:
            return self.balances.get((account, asset), 0.0)

    def assets(self) -> list[str]:
        with self.lock:
            return sorted({asset for _, asset in self.balances})

    # ----------------------------------------------------------------- what a user can do to it

    def deposit(
        self, when: int, asset: str, amount: float, rng: random.Random, txid: str = "", address: str = ""
    ) -> Transaction:
        with self.lock:
            chain, _ = CHAINS.get(asset, (asset.lower(), ""))
            ref = f"demo-dep-{self.next_id()}"
            record = Transaction(ref, when, asset, amount, 0.0, chain, address or _address(rng, asset),
                                 txid or _txid(rng), "deposit")  # fmt: skip
            self.transactions.append(record)
            self.book(Entry(when, self.funding, asset, amount, 0.0, "deposit", ref=ref))
            return record

    def transfer(self, when: int, asset: str, amount: float, source: str, target: str, client_id: str = "") -> Transfer:
        """Move ``amount`` between two of the account's own accounts (``ValueError`` if short)."""
        with self.lock:
            if self.balance(source, asset) + 1e-12 < amount:
                raise ValueError("insufficient balance")
            move = Transfer(f"demo-trf-{self.next_id()}", when, asset, amount, source, target, client_id)
            self.book(Entry(when, source, asset, -amount, 0.0, "transfer", side="out", ref=move.id))
            self.book(Entry(when, target, asset, amount, 0.0, "transfer", side="in", ref=move.id))
            self.transfers.append(move)
            return move

    def withdraw(
        self,
        when: int,
        asset: str,
        amount: float,
        address: str,
        chain: str,
        rng: random.Random,
        client_id: str = "",
        txid: str = "",
    ) -> Transaction:
        """Pay ``amount`` (plus the asset's fee) out of the funding account (``ValueError`` if short)."""
        with self.lock:
            fee = WITHDRAWAL_FEES.get(asset, 0.0)
            if self.balance(self.funding, asset) + 1e-12 < amount + fee:
                raise ValueError("insufficient balance")
            ref = f"demo-wd-{self.next_id()}"
            record = Transaction(ref, when, asset, amount, fee, chain, address, txid or _txid(rng), "withdrawal",
                                 client_id=client_id)  # fmt: skip
            self.transactions.append(record)
            self.book(Entry(when, self.funding, asset, -round(amount + fee, 8), fee, "withdrawal", ref=ref))
            return record

    def trade(self, when: int, base: str, side: str, quantity: float, price: float) -> Trade:
        """A fill on the trading account at ``price`` USDT; the fee comes out of what it buys (or,
        ``fees_in_quote``, out of the USDT side; or, ``fees_in_bnb`` and enough BNB held, in BNB)."""
        with self.lock:
            ref = f"demo-trade-{self.next_id()}"
            quote = round(quantity * price, 8)
            bnb_price = self.close("BNB", when)
            bnb_fee = round(quote * FEE_RATE * BNB_FEE_DISCOUNT / bnb_price, 8) if self.fees_in_bnb and bnb_price else 0
            if bnb_fee and self.balance(self.trading, "BNB") >= bnb_fee:
                signed = 1 if side == "buy" else -1
                self.book(Entry(when, self.trading, base, signed * quantity, 0.0, "trade", side, ref))
                self.book(Entry(when, self.trading, "USDT", -signed * quote, 0.0, "trade", side, ref))
                self.book(Entry(when, self.trading, "BNB", -bnb_fee, bnb_fee, "fee", side, ref))
                fill = Trade(self.next_id(), when, base, side, price, quantity, quote, bnb_fee, "BNB", ref)
                self.trades.append(fill)
                return fill
            if side == "buy" and self.fees_in_quote:
                fee = round(quote * FEE_RATE, 8)
                self.book(Entry(when, self.trading, "USDT", -round(quote + fee, 8), fee, "trade", "buy", ref))
                self.book(Entry(when, self.trading, base, quantity, 0.0, "trade", "buy", ref))
                fee_asset = "USDT"
            elif side == "buy":
                fee = round(quantity * FEE_RATE, 8)
                self.book(Entry(when, self.trading, "USDT", -quote, 0.0, "trade", "buy", ref))
                self.book(Entry(when, self.trading, base, round(quantity - fee, 8), fee, "trade", "buy", ref))
                fee_asset = base
            else:
                fee = round(quote * FEE_RATE, 8)
                self.book(Entry(when, self.trading, base, -quantity, 0.0, "trade", "sell", ref))
                self.book(Entry(when, self.trading, "USDT", round(quote - fee, 8), fee, "trade", "sell", ref))
                fee_asset = "USDT"
            fill = Trade(self.next_id(), when, base, side, price, quantity, quote, fee, fee_asset, ref)
            self.trades.append(fill)
            return fill

    def close(self, coin: str, when: int) -> float | None:
        """``coin``'s close in USDT on the day of ``when`` (None where the account has no price)."""
        return self.closes.get(coin, {}).get(datetime.fromtimestamp(when / 1000, tz=UTC).date())

    def convert(self, when: int, from_asset: str, amount: float, to_asset: str) -> Convert:
        """Convert ``amount`` of ``from_asset`` into ``to_asset`` at the day's closes (Binance Convert)."""
        with self.lock:
            price_from = 1.0 if from_asset == "USDT" else self.close(from_asset, when)
            price_to = 1.0 if to_asset == "USDT" else self.close(to_asset, when)
            assert price_from and price_to
            got = round(amount * price_from / price_to, 8)
            order = Convert(self.next_id(), when, from_asset, amount, to_asset, got)
            self.book(Entry(when, self.trading, from_asset, -amount, 0.0, "convert", ref=f"demo-convert-{order.id}"))
            self.book(Entry(when, self.trading, to_asset, got, 0.0, "convert", ref=f"demo-convert-{order.id}"))
            self.converts.append(order)
            return order

    def dust(self, when: int, assets: dict[str, float]) -> Dust:
        """Turn small amounts of ``assets`` into BNB at the day's closes, less Binance's charge."""
        with self.lock:
            bnb = self.close("BNB", when)
            assert bnb
            parts = []
            for asset, amount in assets.items():
                worth = amount * (self.close(asset, when) or 0.0) / bnb
                charge = round(worth * DUST_CHARGE, 8)
                parts.append((asset, amount, round(worth - charge, 8), charge))
            record = Dust(self.next_id(), when, parts)
            ref = f"demo-dust-{record.id}"
            for asset, amount, got, charge in parts:
                self.book(Entry(when, self.trading, asset, -amount, 0.0, "dust", ref=ref))
                self.book(Entry(when, self.trading, "BNB", got, charge, "dust", ref=ref))
            self.dusts.append(record)
            return record

    def simple_earn(self, when: int, kind: str, asset: str, amount: float) -> Earn:
        """A Simple Earn flexible subscription (trading -> earn), redemption (earn -> trading) or
        reward (credited to the earn position)."""
        with self.lock:
            record = Earn(self.next_id(), when, kind, asset, amount)
            ref = f"demo-earn-{record.id}"
            if kind == "subscription":
                self.book(Entry(when, self.trading, asset, -amount, 0.0, "earn_subscribe", ref=ref))
                self.book(Entry(when, "earn", asset, amount, 0.0, "earn_subscribe", ref=ref))
            elif kind == "redemption":
                self.book(Entry(when, "earn", asset, -amount, 0.0, "earn_redeem", ref=ref))
                self.book(Entry(when, self.trading, asset, amount, 0.0, "earn_redeem", ref=ref))
            else:
                self.book(Entry(when, "earn", asset, amount, 0.0, "reward", ref=ref))
            self.earn.append(record)
            return record

    def credit(self, when: int, account: str, asset: str, amount: float, kind: str) -> Entry:
        """A reward, a rebate or an airdrop: ``amount`` of ``asset`` into ``account``."""
        entry = Entry(when, account, asset, amount, 0.0, kind, ref=f"demo-{kind}-{self.next_id()}")
        self.book(entry)
        return entry

    def candles(self, base: str, quote: str, lo_ms: int, hi_ms: int, step_ms: int) -> list[Candle] | None:
        """Synthetic candles of ``base`` in ``quote`` (USDT, or another coin of the account) whose
        period meets ``[lo_ms, hi_ms]``, oldest first: (open ms, open, high, low, close, volume
        in the base, in the quote). Each day's close is the one its trades were made at; a candle
        within a day stays at it (open = the previous close, at midnight), and today's is the last
        close. None for a market the account's prices do not make."""

        def close(coin: str, day: date) -> float | None:
            if coin == "USDT":
                return 1.0
            series = self.closes.get(coin) or {}
            known = [d for d in series if d <= day]
            return series[max(known)] if known else None

        if base == quote or base not in self.closes or (quote != "USDT" and quote not in self.closes):
            return None
        rows = []
        first = (lo_ms // step_ms) * step_ms
        for opened in range(first, hi_ms + 1, step_ms):
            day = datetime.fromtimestamp(opened / 1000, tz=UTC).date()
            now, before = close(base, day), close(base, day - timedelta(days=1))
            quote_now, quote_before = close(quote, day), close(quote, day - timedelta(days=1))
            if now is None or quote_now is None or day > datetime.now(UTC).date():
                continue
            price = round(now / quote_now, 8)
            previous = round(before / quote_before, 8) if before and quote_before else price
            midnight = opened % 86_400_000 == 0
            open_ = previous if midnight else price
            rows.append((opened, open_, max(open_, price), min(open_, price), price, 0.0, 0.0))
        return rows


def _address(rng: random.Random, asset: str) -> str:
    prefix = CHAINS.get(asset, ("", "x"))[1]
    return prefix + "".join(rng.choice("abcdef0123456789") for _ in range(30)) + "-demo"


def _txid(rng: random.Random) -> str:
    return "".join(rng.choice("abcdef0123456789") for _ in range(64))


def simulate(
    rng: random.Random,
    start: datetime,
    end: datetime,
    *,
    market: random.Random,
    funding: str,
    trading: str,
    trades_per_week: float,
    monthly_usdt: float,
    fees_in_quote: bool = False,
    events: tuple[str, ...] = (),
    exchange: str = "",
    moves: Sequence[Move] = (),
) -> Account:
    """A year of activity: an opening deposit, monthly savings, trades, transfers, withdrawals,
    and the kinds of event named in ``events`` (``EVENTS``), each on its own days and hours.

    ``funding`` is where deposits land and withdrawals leave from, ``trading`` where trades
    happen; when they differ (a main and a trade account) money is transferred between them.
    ``moves`` are the demo user's moves between exchanges; those from or to ``exchange`` are booked.
    """
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise ValueError(f"unknown events {sorted(unknown)}")
    account = Account(funding, trading, fees_in_quote, fees_in_bnb="bnb_fees" in events)
    prices = dict(OPENING_PRICES)
    account.closes = {coin: {} for coin in [*prices, "BNB"]}
    bnb, bnb_walk = BNB_OPENING_PRICE, random.Random(f"{SEED}:bnb")

    def moment(day: datetime, hours: tuple[int, int]) -> int:
        # Each kind of event has its own hours, in the order they are booked below, so that the
        # running balances (kept in booking order) are also in time order.
        return ms(day + timedelta(seconds=rng.randrange(hours[0] * 3600, hours[1] * 3600)))

    def deposit(when: int, amount: float, txid: str = "", address: str = "") -> None:
        account.deposit(when, "USDT", amount, rng, txid, address)
        if trading != funding:
            account.transfer(when + 60_000, "USDT", amount, funding, trading)

    def withdraw(when: int, asset: str, amount: float, txid: str = "", address: str = "") -> None:
        fee = WITHDRAWAL_FEES[asset]
        if trading != funding:
            account.transfer(when - 60_000, asset, round(amount + fee, 8), trading, funding)
        account.withdraw(when, asset, amount, address or _address(rng, asset), CHAINS[asset][0], rng, txid=txid)

    def book_moves(day: datetime) -> None:
        """The day's moves to and from the user's other exchanges (hour 7): no random draw, so the
        rest of each account is what it was without them."""
        for number, (on, source, target, asset, amount) in enumerate(moves):
            if day != start + timedelta(days=on) or exchange not in (source, target):
                continue
            txid = hashlib.sha256(f"{SEED}:move:{number}".encode()).hexdigest()
            leaves = day + timedelta(hours=7, minutes=10)
            address = f"{CHAINS[asset][1]}{target}-demo-deposit-address"
            if exchange == source:
                withdraw(ms(leaves), asset, amount, txid, address)
            else:
                deposit(ms(leaves + MOVE_ARRIVES), amount, txid, address)

    def trade(when: int, coin: str) -> None:
        usdt = account.balance(trading, "USDT")
        held = account.balance(trading, coin)
        price = round(prices[coin], 2)
        if rng.random() < 0.6 and usdt > 50:
            spend = round(min(usdt * rng.uniform(0.05, 0.25), usdt - 1), 2)
            account.trade(when, coin, "buy", round(spend / price, 6), price)
        elif held * price > 20:
            account.trade(when, coin, "sell", round(held * rng.uniform(0.2, 0.6), 6), price)

    def before(day: datetime) -> None:
        """The day's events booked before its deposits and trades (hours 0 to 7)."""
        usdt = account.balance(trading, "USDT")
        if "funding" in events and day.day == 15 and usdt > 100:
            account.transfer(moment(day, (0, 1)), "USDT", round(usdt * 0.05, 2), trading, "funding")
        if "funding" in events and day.day == 27 and account.balance("funding", "USDT") > 2:
            account.transfer(moment(day, (0, 1)), "USDT", round(account.balance("funding", "USDT") / 2, 2), "funding",
                             trading)  # fmt: skip
        if "earn" in events and day.day == 5 and usdt > 200:
            account.simple_earn(moment(day, (1, 2)), "subscription", "USDT", round(usdt * 0.1, 2))
        if "earn" in events and day.weekday() == 0 and account.balance("earn", "USDT") > 1:
            account.simple_earn(
                moment(day, (2, 3)), "rewards", "USDT", round(account.balance("earn", "USDT") * 0.0008, 8)
            )
        if "earn" in events and day.day == 28 and day.month % 3 == 2 and account.balance("earn", "USDT") > 2:
            account.simple_earn(
                moment(day, (3, 4)), "redemption", "USDT", round(account.balance("earn", "USDT") / 2, 8)
            )
        if "rewards" in events and day.day == 12:
            account.credit(moment(day, (4, 5)), funding, "USDT", 0.5, "reward")
        if "rebates" in events and day.day == 18:
            account.credit(moment(day, (5, 6)), trading, "USDT", 0.1, "rebate")
        if "airdrop" in events and day == start + timedelta(days=150):
            account.credit(moment(day, (6, 7)), funding, "ETH", 0.002, "airdrop")

    def after(day: datetime) -> None:
        """The day's events booked after its withdrawals (hours 21 to 24)."""
        usdt = account.balance(trading, "USDT")
        if "convert" in events and day.day == 25 and usdt > 100:
            account.convert(moment(day, (21, 22)), "USDT", round(min(30.0, usdt * 0.02), 2), "BNB")
        if "dust" in events and day.day == 10 and day.month % 3 == 2:
            small = {c: a for c, a in (("BTC", 0.0001), ("ETH", 0.001)) if account.balance(trading, c) > 2 * a}
            if small:
                account.dust(moment(day, (22, 23)), small)

    day = start
    deposit(moment(day, (8, 10)), 5_000.0)
    while day < end:
        for coin in prices:  # a made-up daily random walk; the day's trades use the day's price
            prices[coin] *= 1 + market.gauss(0.0005, 0.025)
            account.closes[coin][day.date()] = round(prices[coin], 2)
        bnb *= 1 + bnb_walk.gauss(0.0005, 0.02)
        account.closes["BNB"][day.date()] = round(bnb, 2)
        before(day)
        book_moves(day)
        if day.day == 3 and day > start + timedelta(days=7):
            deposit(moment(day, (8, 10)), monthly_usdt)
        if rng.random() < trades_per_week / 7:
            trade(moment(day, (11, 15)), rng.choice(list(prices)))
        if day.day == 20 and day.month % 3 == 0:
            withdraw(moment(day, (16, 18)), "USDT", round(monthly_usdt * 0.6, 2))
        if day.month == 8 and day.day == 12 and account.balance(trading, "BTC") > 0.01:
            withdraw(moment(day, (19, 21)), "BTC", round(account.balance(trading, "BTC") * 0.5 - 0.0002, 6))
        after(day)
        day += timedelta(days=1)
    if [e.time for e in account.entries] != sorted(e.time for e in account.entries):
        raise AssertionError("entries were booked out of time order")
    return account


def moves_between_exchanges() -> list[Move]:
    """The demo user's moves between its exchanges, in day order: each exchange's profile ``sends``."""
    return sorted(
        (day, found.id, target, asset, amount)
        for found in descriptors()
        for day, target, asset, amount in found.demo_profile.get("sends", ())
    )


def build(exchange: str, *, seed: int = SEED, today: date | None = None, model: str = "classic") -> Account:
    """The fictional account of ``exchange`` for the demo year ending yesterday (or before ``today``),
    in one of its account ``model``s (``classic``, ``unified``, ``hf``)."""
    start, end = demo_year(today)
    rng = random.Random(f"{seed}:{exchange}")
    # One market for every exchange: the same seeded daily walk of prices (as arbitrage keeps them).
    market = random.Random(f"{seed}:prices")
    # How its fictional account is made (accounts, activity, and in its other account ``models``
    # the accounts that differ): the exchange's descriptor says.
    profile = dict(descriptor(exchange).demo_profile)
    profile.update(profile.pop("models", {}).get(model, {}))
    profile.pop("sends", None)
    return simulate(rng, start, end, market=market, exchange=exchange, moves=moves_between_exchanges(), **profile)
