"""Withdrawals on one of the user's exchanges (or accounts) matched with the deposits they became
on another: the moves between the user's own wallets, which are not disposals.

A withdrawal and a deposit are one move when their chain transaction ids (``txid``) are equal
(and the asset is); failing that, when neither names a different transaction, the asset is the
same, the deposit is what was sent (the withdrawal's amount, or that amount less its fee, as
exchanges differ in which they report) and it arrived within ``WITHIN`` after the withdrawal (a
few minutes before counts: the exchanges' clocks differ). Each record is in one move at most; the
closest in time wins. Everything else stays a deposit or a withdrawal, from or to outside.

``ledger_legs`` finds the ledger entries those records booked, so that a tax file can tell a
move between the user's wallets from money that came from or went to someone else.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from toolkit.core.vocabulary import FLOAT, TEXT, UTC_TIME, conform

PAIRS = {
    "asset": TEXT, "txid": TEXT, "matched_by": TEXT,
    "from_exchange": TEXT, "from_account": TEXT, "withdrawal_id": TEXT, "sent": UTC_TIME, "sent_amount": FLOAT,
    "fee": FLOAT,
    "to_exchange": TEXT, "to_account": TEXT, "deposit_id": TEXT, "received": UTC_TIME, "received_amount": FLOAT,
}  # fmt: skip
WITHIN = pd.Timedelta(hours=12)  # a chain transfer arrives within this (Koinly pairs within 12 hours too)
EARLY = pd.Timedelta(minutes=5)  # a deposit stamped this much before its withdrawal is still the same move
# A wallet record and the ledger entry it booked are this close in time (their timestamps differ).
BOOKED_WITHIN = pd.Timedelta(hours=1)


def _txid(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _amount(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def pair_moves(deposits: pd.DataFrame, withdrawals: pd.DataFrame, *, exact: bool = False) -> pd.DataFrame:
    """The ``PAIRS`` rows of ``tk.unified.deposits`` and ``tk.unified.withdrawals`` frames: one
    per move matched (``matched_by`` ``"txid"`` or ``"amount and time"``), then one per withdrawal
    and one per deposit left unmatched (``matched_by`` empty; the other side's columns empty)."""
    sent = list(withdrawals.sort_values("time", kind="stable").itertuples(index=False))
    got = list(deposits.sort_values("time", kind="stable").itertuples(index=False))
    taken: dict[int, tuple[int, str]] = {}  # deposit index -> (withdrawal index, how)
    for by_txid in (True, False):
        for w_index, out in enumerate(sent):
            if any(w == w_index for w, _ in taken.values()):
                continue
            found = _best(out, got, taken, by_txid)
            if found is not None:
                taken[found] = (w_index, "txid" if by_txid else "amount and time")
    matched = {w: (d, how) for d, (w, how) in taken.items()}
    rows = []
    for w_index, out in enumerate(sent):
        pair = matched.get(w_index)
        into = got[pair[0]] if pair else None
        received = _received(into) if into is not None else {}
        txid = _txid(out.txid) or (_txid(into.txid) if into is not None else "")
        rows.append({**_sent(out), **received, "matched_by": pair[1] if pair else "", "txid": txid})
    rows += [{**_received(into), "matched_by": "", "txid": _txid(into.txid)} for d, into in enumerate(got)
             if d not in taken]  # fmt: skip
    out = conform(pd.DataFrame(rows), PAIRS, exact=exact)
    return out.sort_values("sent", kind="stable", na_position="last").reset_index(drop=True)


def _best(out: Any, got: list[Any], taken: dict[int, tuple[int, str]], by_txid: bool) -> int | None:
    """The deposit ``out`` became: its index in ``got``, or None."""
    sent_txid, amount, fee = _txid(out.txid), _amount(out.amount), _amount(out.fee) or Decimal(0)
    best: tuple[pd.Timedelta, int] | None = None
    for index, into in enumerate(got):
        if index in taken or into.asset != out.asset or (into.exchange, into.account) == (out.exchange, out.account):
            continue
        got_txid = _txid(into.txid)
        if by_txid and not (sent_txid and sent_txid == got_txid):
            continue
        if not by_txid:
            if sent_txid and got_txid:  # two different transactions
                continue
            if amount is None or _amount(into.amount) not in (amount, amount - fee):
                continue
            if not (out.time - EARLY <= into.time <= out.time + WITHIN):
                continue
        gap = abs(into.time - out.time)
        if best is None or gap < best[0]:
            best = (gap, index)
    return best[1] if best else None


def _sent(out: Any) -> dict[str, Any]:
    return {"asset": out.asset, "from_exchange": out.exchange, "from_account": out.account,
            "withdrawal_id": out.id, "sent": out.time, "sent_amount": out.amount, "fee": out.fee}  # fmt: skip


def _received(into: Any) -> dict[str, Any]:
    return {"asset": into.asset, "to_exchange": into.exchange, "to_account": into.account, "deposit_id": into.id,
            "received": into.time, "received_amount": into.amount}  # fmt: skip


def ledger_legs(ledger: pd.DataFrame, pairs: pd.DataFrame) -> dict[Any, dict[str, Any]]:
    """Ledger index -> ``{"matched": bool, "txid": str}`` for each deposit and withdrawal entry a
    row of ``pairs`` booked: same exchange, account and asset, the record's amount (a withdrawal's
    with or without its fee), within ``BOOKED_WITHIN`` of the record's time, the closest first."""
    legs: dict[Any, dict[str, Any]] = {}
    for row in pairs.itertuples(index=False):
        matched = bool(row.matched_by)
        if isinstance(row.from_exchange, str) and row.from_exchange:
            amount, fee = _amount(row.sent_amount), _amount(row.fee) or Decimal(0)
            sizes: tuple[Decimal, ...] = () if amount is None else (amount, amount + fee)
            _link(ledger, legs, (row.from_exchange, row.from_account, row.asset, row.sent), "withdrawal", sizes,
                  {"matched": matched, "txid": _txid(row.txid)})  # fmt: skip
        if isinstance(row.to_exchange, str) and row.to_exchange:
            amount = _amount(row.received_amount)
            sizes = () if amount is None else (amount,)
            _link(ledger, legs, (row.to_exchange, row.to_account, row.asset, row.received), "deposit", sizes,
                  {"matched": matched, "txid": _txid(row.txid)})  # fmt: skip
    return legs


def _link(
    ledger: pd.DataFrame,
    legs: dict[Any, dict[str, Any]],
    where: tuple[Any, ...],
    kind: str,
    sizes: tuple[Decimal, ...],
    mark: dict[str, Any],
) -> None:
    exchange, account, asset, when = where
    near = ledger[(ledger["exchange"] == exchange) & (ledger["account"] == account) & (ledger["asset"] == asset)
                  & (ledger["type"] == kind) & ((ledger["time"] - when).abs() <= BOOKED_WITHIN)]  # fmt: skip
    candidates = [(abs(entry.time - when), index) for index, entry in zip(near.index, near.itertuples(), strict=True)
                  if index not in legs and abs(_amount(entry.amount) or Decimal(0)) in sizes]  # fmt: skip
    if candidates:
        legs[min(candidates)[1]] = mark
