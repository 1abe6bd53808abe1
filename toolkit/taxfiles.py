"""Tax tools' import files from the unified ledger: ``tk.export(ledger, path, format=...)``.

Formats: ``"koinly"`` (Koinly's universal CSV), ``"cointracking"`` (CoinTracking's CSV import),
``"cointracking-export"`` (the layout of CoinTracking's trade-list export, which rotki's
CoinTracking importer reads) and ``"bittytax"`` (BittyTax's transaction records). Sources: Koinly's
"How to create a custom CSV file with your data" (https://support.koinly.io/en/articles/9489976)
and its tags page; CoinTracking's CSV import (https://cointracking.info/import/import_csv/) and
transaction types; rotki's ``rotkehlchen/data_import/importers/cointracking.py``; BittyTax's README
("Transaction Records") and its ``t_row.py``. What they leave undocumented is in
docs/reference-additions.md, "Tax-tool files".

What each event of the ledger becomes (``EVENTS``, the README's table):

- a trade's legs are found by the exchange's trade id (``trade_id``; a convert's order, a dust
  conversion's transId), never by time alone; only where the exchange gives none are the legs of
  one account in one second a trade, and only when they are one asset given and one received (else
  a ``TaxFileWarning`` names them and each leg is written on its own). A fee paid in a third asset
  for the trade (Binance's BNB) is that trade's fee: a disposal of the fee asset. A second fee of
  one trade gets a fee row of its own.
- deposits and withdrawals matched by ``tk.unified.transfer_pairs`` (passed as ``transfers=``) are
  moves between the user's own wallets, with the chain txid in the hash column; unmatched ones came
  from or went to someone else (or a wallet the file does not hold): each format's neutral
  acquisition and disposal.
- moves between one exchange's own accounts (transfers, Simple Earn subscriptions and
  redemptions): left out where a file's wallet is the exchange (Koinly, CoinTracking), and a
  withdrawal and a deposit between the accounts' wallets in BittyTax, whose wallet is the account.
  A transfer whose other side is not in the ledger (a sub-account, futures) is a move to or from an
  own wallet not read.
- rewards, airdrops and rebates (a positive fee entry is a rebate) are each format's income kinds.

Amounts are written from exact decimals, in plain notation, every digit the ledger has; an event
that moves nothing is not written. Times are UTC.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.core.pairing import ledger_legs
from toolkit.core.vocabulary import LEDGER, conform
from toolkit.errors import ConfigurationError
from toolkit.exchanges import REGISTRY, descriptor

TAX_COLUMNS = {
    "koinly": ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency", "Fee Amount",
               "Fee Currency", "Net Worth Amount", "Net Worth Currency", "Label", "Description", "TxHash"),
    "cointracking": ("Type", "Buy Amount", "Buy Currency", "Sell Amount", "Sell Currency", "Fee", "Fee Currency",
                     "Exchange", "Trade-Group", "Comment", "Date", "Tx-ID"),
    "cointracking-export": ("Type", "Buy", "Cur.", "Sell", "Cur.", "Fee", "Cur.", "Exchange", "Group", "Comment",
                            "Date"),
    "bittytax": ("Type", "Buy Quantity", "Buy Asset", "Buy Value in GBP", "Sell Quantity", "Sell Asset",
                 "Sell Value in GBP", "Fee Quantity", "Fee Asset", "Fee Value in GBP", "Wallet", "Timestamp", "Note"),
}  # fmt: skip
TAX_FORMATS = tuple(TAX_COLUMNS)
# Each event's type in each format (Koinly: its tag; "" is none). ``outside_*``: a deposit from or
# a withdrawal to someone else; ``own_*``: a move between the user's own wallets.
EVENTS: dict[str, dict[str, str]] = {
    "trade": {"koinly": "", "cointracking": "Trade", "cointracking-export": "Trade", "bittytax": "Trade"},
    "fee": {"koinly": "Cost", "cointracking": "Other Fee", "cointracking-export": "Withdrawal", "bittytax": "Spend"},
    "own_in": {"koinly": "", "cointracking": "Deposit", "cointracking-export": "Deposit", "bittytax": "Deposit"},
    "own_out": {"koinly": "", "cointracking": "Withdrawal", "cointracking-export": "Withdrawal",
                "bittytax": "Withdrawal"},
    "outside_in": {"koinly": "", "cointracking": "Deposit", "cointracking-export": "Deposit",
                   "bittytax": "Gift-Received"},
    "outside_out": {"koinly": "", "cointracking": "Withdrawal", "cointracking-export": "Withdrawal",
                    "bittytax": "Spend"},
    "reward": {"koinly": "Reward", "cointracking": "Income", "cointracking-export": "Income", "bittytax": "Income"},
    "airdrop": {"koinly": "Airdrop", "cointracking": "Airdrop", "cointracking-export": "Income",
                "bittytax": "Airdrop"},
    "rebate": {"koinly": "Fee refund", "cointracking": "Reward / Bonus", "cointracking-export": "Income",
               "bittytax": "Fee-Rebate"},
}  # fmt: skip
# With ``unmatched="transfer"``: a deposit or withdrawal no pair explains is taken as a move between
# the user's own wallets (for a file completed with the other wallets' records).
UNMATCHED = ("outside", "transfer")
TRADES = ("trade", "convert", "dust")
BETWEEN_ACCOUNTS = ("transfer", "earn_subscribe", "earn_redeem")
# Within this, a transfer's out and in entries on two accounts of one exchange are one move.
SAME_MOVE = pd.Timedelta(seconds=5)
# Formats that take the fee beside the amounts (a given amount net of a fee paid in it, a received
# amount before a fee taken from it); CoinTracking's own import takes it inside them.
FEE_BESIDE = ("koinly", "cointracking-export", "bittytax")
# Formats whose wallet is the exchange: moves between its accounts are not written.
WALLET_IS_EXCHANGE = ("koinly", "cointracking", "cointracking-export")
ZERO = Decimal(0)

Side = tuple[str, Decimal]


class TaxFileWarning(UserWarning):
    """A ledger shape a tax file cannot say exactly: what was written instead, and why."""


@dataclass(frozen=True)
class Event:
    """One row of a tax file, in the ledger's terms: what came in, what went out (each net, as the
    balance moved), the fee (in its own asset, already part of ``came``/``gone`` where it is the
    same asset), the wallet (exchange and account)."""

    time: pd.Timestamp
    exchange: str
    account: str
    kind: str  # a key of EVENTS
    came: Side | None = None
    gone: Side | None = None
    fee: Side | None = None  # after ``_in_format``: the one fee the row's columns hold
    ids: str = ""
    txid: str = ""
    note: str = ""
    internal: bool = False  # a move between two accounts of one exchange, both in the ledger
    fees: tuple[Side, ...] = ()  # every fee paid for it, each in its own asset


def tax_rows(
    ledger: pd.DataFrame, format: str, *, transfers: pd.DataFrame | None = None, unmatched: str = "outside"
) -> pd.DataFrame:
    """The unified ``ledger`` as the rows of a tax tool's import file (``format``: one of
    ``TAX_FORMATS``), each value text as the file holds it. ``transfers``: ``tk.unified.transfer_pairs``
    of the same accounts, so that moves between them are transfers; ``unmatched``: ``"outside"``
    (default) or ``"transfer"`` for deposits and withdrawals no pair explains (see the module)."""
    if format not in TAX_COLUMNS:
        raise ConfigurationError(f"format must be one of {', '.join(TAX_FORMATS)}, got {format!r}.")
    if unmatched not in UNMATCHED:
        raise ConfigurationError(f"unmatched is one of {', '.join(UNMATCHED)}, got {unmatched!r}.")
    missing = [c for c in ("exchange", "account", "time", "id", "asset", "amount", "fee", "type") if c not in ledger]
    if missing:
        raise ConfigurationError(f"a tax file is made from toolkit.unified.ledger(...); this frame lacks {missing}.")
    if len(ledger) and ledger["amount"].dtype == "float64":
        warnings.warn(
            "the ledger's amounts are floats: a tax file keeps every digit of tk.unified.ledger(..., exact=True)",
            TaxFileWarning,
            stacklevel=3,
        )
    events = sorted(events_of(ledger, transfers, unmatched), key=lambda e: e.time)
    if format in WALLET_IS_EXCHANGE:
        events = [e for e in events if not e.internal]
    events = [part for event in events for part in _in_format(event, format)]
    write = _WRITERS[format]
    rows = [write(event, format) for event in events if _moves_something(event)]
    return pd.DataFrame(rows, columns=range(len(TAX_COLUMNS[format]))).set_axis(list(TAX_COLUMNS[format]), axis=1)


def write(
    ledger: pd.DataFrame,
    path: Path,
    format: str,
    *,
    transfers: pd.DataFrame | None = None,
    unmatched: str = "outside",
) -> Path | list[Path]:
    """Write the tax file(s) of ``ledger`` at ``path``. Koinly imports one file into one wallet: a
    ledger of several exchanges is written as one file per exchange beside ``path``
    (``koinly-binance.csv``, ...), and the list of them returned."""
    if path.suffix.lower() != ".csv":
        raise ConfigurationError(f"A {format} file is CSV: name it .csv, not {path.name!r}.")
    exchanges = sorted(set(ledger["exchange"])) if "exchange" in ledger else []
    if format == "koinly" and len(exchanges) > 1:
        paths = []
        for name in exchanges:
            rows = tax_rows(ledger[ledger["exchange"] == name], format, transfers=transfers, unmatched=unmatched)
            paths.append(_write_csv(rows, path.with_name(f"{path.stem}-{name}{path.suffix}"), format))
        return paths
    return _write_csv(tax_rows(ledger, format, transfers=transfers, unmatched=unmatched), path, format)


def _write_csv(rows: pd.DataFrame, path: Path, format: str) -> Path:
    # rotki reads the trade-list layout with every field quoted; the others as csv writes them.
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file, quoting=csv.QUOTE_ALL if format == "cointracking-export" else csv.QUOTE_MINIMAL)
        out.writerow(TAX_COLUMNS[format])
        out.writerows(rows.itertuples(index=False, name=None))
    return path


# ----------------------------------------------------------------------------- events


def events_of(ledger: pd.DataFrame, transfers: pd.DataFrame | None, unmatched: str) -> Iterator[Event]:
    """Every event of ``ledger`` (see the module docstring)."""
    entries = conform(ledger.assign(**{c: None for c in LEDGER if c not in ledger}), LEDGER, exact=True)
    entries["fee"] = [fee if fee is not None else ZERO for fee in entries["fee"]]
    entries = entries[entries["amount"].notna()]
    legs = ledger_legs(entries, transfers) if transfers is not None else {}
    trading = entries["type"].isin(TRADES) | ((entries["type"] == "fee") & entries["trade_id"].notna())
    yield from _trades(entries[trading])
    yield from _between_accounts(entries[entries["type"].isin(BETWEEN_ACCOUNTS)])
    for index, entry in entries[~trading & ~entries["type"].isin(BETWEEN_ACCOUNTS)].iterrows():
        yield _single(entry, legs.get(index), unmatched)


def _base(entry: Any, kind: str, **sides: Any) -> Event:
    return Event(entry.time, entry.exchange, entry.account, kind, ids=str(entry.id), **sides)


def _single(entry: Any, leg: dict[str, Any] | None, unmatched: str) -> Event:
    """A ledger entry that is an event on its own."""
    amount, fee, asset = entry.amount, entry.fee, entry.asset
    side = (asset, abs(amount))
    fee_side = ((entry.fee_asset if isinstance(entry.fee_asset, str) else asset, fee),) if fee else ()
    kind = entry.type
    if kind == "fee" and amount > 0:  # money back: a rebate
        kind = "rebate"
    if kind in ("reward", "airdrop", "rebate") and amount > 0:
        return _base(entry, kind, came=side, fees=fee_side)
    if kind in ("fee", "rebate"):
        return _base(entry, "fee", gone=side)
    if kind in ("deposit", "withdrawal", "other", "reward", "airdrop"):
        into = amount > 0
        own = (leg is not None and leg["matched"]) or unmatched == "transfer"
        label = ("own" if own else "outside") + ("_in" if into else "_out")
        note = "" if kind in ("deposit", "withdrawal") else f"unclassified: {entry.raw_type}"
        if leg is None and kind in ("deposit", "withdrawal") and unmatched == "outside":
            note = "not matched with a move from or to another of your accounts"
        txid = leg["txid"] if leg else ""
        return replace(_base(entry, label, **({"came": side} if into else {"gone": side}), fees=fee_side),
                       txid=txid, note=note)  # fmt: skip
    raise ConfigurationError(f"ledger entry {entry.id} has type {kind!r}, not one of the ledger's types")


def _between_accounts(moves: pd.DataFrame) -> Iterator[Event]:
    """Transfers between an exchange's own accounts: each out entry with its in entry (same asset and
    amount, another account, within ``SAME_MOVE``) is a pair; one without its other side went to (or
    came from) an own account the ledger does not hold."""
    used: set[Any] = set()
    for index, out in moves[moves["amount"] < 0].iterrows():
        found = moves[(moves["exchange"] == out.exchange) & (moves["asset"] == out.asset)
                      & (moves["amount"] == -out.amount) & (moves["account"] != out.account)
                      & ((moves["time"] - out.time).abs() <= SAME_MOVE) & ~moves.index.isin(list(used))]  # fmt: skip
        if len(found):
            into = found.iloc[0]
            used.update({index, found.index[0]})
            yield replace(_base(out, "own_out", gone=(out.asset, -out.amount)), internal=True,
                          note=f"to {out.exchange} {into.account}")  # fmt: skip
            yield replace(_base(into, "own_in", came=(into.asset, into.amount)), internal=True,
                          note=f"from {out.exchange} {out.account}")  # fmt: skip
    for _, alone in moves[~moves.index.isin(list(used))].iterrows():
        into = alone.amount > 0
        side = (alone.asset, abs(alone.amount))
        note = f"{'from' if into else 'to'} an account of {alone.exchange} the ledger does not hold ({alone.raw_type})"
        yield replace(_base(alone, "own_in" if into else "own_out", **{"came" if into else "gone": side}), note=note)


def _trades(entries: pd.DataFrame) -> Iterator[Event]:
    """The trades of the ledger, each from its legs (see the module docstring)."""
    known = entries["trade_id"].notna() & (entries["trade_id"] != "")
    for has_id, keys in ((True, "trade_id"), (False, "time")):
        for (exchange, account, key), legs in entries[known == has_id].groupby(
            ["exchange", "account", keys], sort=False
        ):
            yield from _trade(legs, exchange, account, key, has_id)


def _trade(legs: pd.DataFrame, exchange: str, account: str, key: Any, has_id: bool) -> Iterator[Event]:
    paid = legs[legs["type"] == "fee"]  # fees paid for the trade in another asset
    moved = legs[legs["type"] != "fee"]
    net: dict[str, Decimal] = {}
    for asset, amount in zip(moved["asset"], moved["amount"], strict=True):
        net[asset] = net.get(asset, ZERO) + amount
    fees = [(a or asset, f) for asset, a, f in zip(moved["asset"], moved["fee_asset"], moved["fee"], strict=True) if f]
    fees += [(asset, -amount) for asset, amount in zip(paid["asset"], paid["amount"], strict=True) if amount]
    given = [(a, -v) for a, v in net.items() if v < 0]
    got = [(a, v) for a, v in net.items() if v > 0]
    first = legs.iloc[0]
    ids = ",".join(legs["id"].astype(str))
    if moved.empty:  # a fee for a trade the ledger holds no leg of (read from another range)
        for asset, amount in fees:
            yield Event(first.time, exchange, account, "fee", gone=(asset, amount), ids=ids, note=f"fee of trade {key}")
        return
    if len(given) == 1 and len(got) == 1:
        yield Event(first.time, exchange, account, "trade", came=got[0], gone=given[0], fees=tuple(fees), ids=ids,
                    note=f"trade {key}" if has_id else "")  # fmt: skip
        return
    warnings.warn(
        f"{exchange} {account} {'trade ' + str(key) if has_id else str(key)}: {len(given)} assets given and "
        f"{len(got)} received {'in one trade' if has_id else 'in one second without a trade id'}; each leg is "
        "written on its own",
        TaxFileWarning,
        stacklevel=4,
    )
    for asset, amount in given:
        yield Event(
            first.time, exchange, account, "outside_out", gone=(asset, amount), ids=ids, note="unpaired trade leg"
        )
    for asset, amount in got:
        yield Event(
            first.time, exchange, account, "outside_in", came=(asset, amount), ids=ids, note="unpaired trade leg"
        )
    for asset, amount in fees:
        yield Event(first.time, exchange, account, "fee", gone=(asset, amount), ids=ids, note="fee of unpaired legs")


def _in_format(event: Event, format: str) -> list[Event]:
    """``event`` as ``format`` writes it: its amounts by the format's fee rule (``FEE_BESIDE``: the
    given amount net of the fees paid in it, the received amount before those taken from it;
    CoinTracking's import: the ledger's own, fees inside), the row's one fee, and a fee row for
    each fee the row cannot hold (a second fee; in CoinTracking, one in a third asset)."""
    if not event.fees:
        return [event]
    came, gone = event.came, event.gone
    if format == "koinly" and gone is None:  # Koinly's deposits carry no fee: what was credited, net
        return [replace(event, fees=())]
    inside = {side[0] for side in (came, gone) if side is not None}
    if format in FEE_BESIDE:
        paid = {asset: sum((f for a, f in event.fees if a == asset), ZERO) for asset in inside}
        came = (came[0], came[1] + paid[came[0]]) if came is not None else None
        gone = (gone[0], gone[1] - paid[gone[0]]) if gone is not None else None
        row_fee: Side | None = event.fees[0]
        apart = event.fees[1:]
    else:
        own = [f for f in event.fees if f[0] in inside]
        row_fee, apart = (own[0] if own else None), tuple(f for f in event.fees if f[0] not in inside)
    fee_rows = [replace(event, kind="fee", came=None, gone=fee, fees=(), note="a fee of the same event")
                for fee in apart]  # fmt: skip
    return [replace(event, came=came, gone=gone, fee=row_fee, fees=()), *fee_rows]


def _moves_something(event: Event) -> bool:
    return any(side is not None and side[1] != 0 for side in (event.came, event.gone, event.fee))


# ----------------------------------------------------------------------------- rows


def _amount(side: Side | None) -> str:
    """An amount as the file holds it: plain decimal notation, every digit, no sign."""
    if side is None:
        return ""
    return format(abs(side[1]).normalize(), "f")


def _asset(side: Side | None) -> str:
    return "" if side is None else str(side[0])


def _label(exchange: str) -> str:
    return descriptor(exchange).label if exchange in REGISTRY else exchange


def _reference(event: Event) -> str:
    """What an event is, for a comment: its kind, the ledger ids, its note."""
    parts = [
        f"{event.exchange} {event.account} {event.kind.replace('_', ' ')}",
        f"ids {event.ids}" if event.ids else "",
    ]
    return "; ".join(p for p in (*parts, event.note) if p)


def _koinly(event: Event, format: str) -> list[str]:
    came, gone, fee = event.came, event.gone, event.fee
    return [f"{event.time:%Y-%m-%d %H:%M:%S} UTC", _amount(gone), _asset(gone), _amount(came), _asset(came),
            _amount(fee), _asset(fee), "", "", EVENTS[event.kind][format], _reference(event), event.txid]  # fmt: skip


def _cointracking(event: Event, format: str) -> list[str]:
    came, gone, fee = event.came, event.gone, event.fee
    return [EVENTS[event.kind][format], _amount(came), _asset(came), _amount(gone), _asset(gone), _amount(fee),
            _asset(fee), _label(event.exchange), "", _reference(event), f"{event.time:%Y-%m-%d %H:%M:%S}",
            event.txid or event.ids]  # fmt: skip


def _cointracking_export(event: Event, format: str) -> list[str]:
    came, gone, fee = event.came, event.gone, event.fee
    kind = EVENTS[event.kind][format]
    comment = "; ".join(p for p in (_reference(event), f"txid {event.txid}" if event.txid else "") if p)
    return [kind, _amount(came), _asset(came), _amount(gone), _asset(gone), _amount(fee), _asset(fee),
            _label(event.exchange), "", comment, f"{event.time:%d.%m.%Y %H:%M:%S}"]  # fmt: skip


def _bittytax(event: Event, format: str) -> list[str]:
    came, gone, fee = event.came, event.gone, event.fee
    txid = f"txid {event.txid}" if event.txid else ""
    return [EVENTS[event.kind][format], _amount(came), _asset(came), "", _amount(gone), _asset(gone), "",
            _amount(fee), _asset(fee), "", f"{_label(event.exchange)} {event.account}",
            f"{event.time:%Y-%m-%dT%H:%M:%S} UTC", "; ".join(p for p in (txid, _reference(event)) if p)]  # fmt: skip


_WRITERS: dict[str, Callable[[Event, str], list[str]]] = {
    "koinly": _koinly,
    "cointracking": _cointracking,
    "cointracking-export": _cointracking_export,
    "bittytax": _bittytax,
}
