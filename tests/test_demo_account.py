"""The synthetic demo accounts the sandboxes serve: reproducible, and consistent with themselves."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit import demo_mode, history, unified
from toolkit.sandbox.account import WITHDRAWAL_FEES, build, demo_year


@pytest.fixture(scope="module")
def account():
    """Ledger, balances, deposits and withdrawals of the demo accounts (Bitget, KuCoin, CoinW)."""
    tk.demo()
    try:
        clients = [tk.connect(name, progress=False) for name in ("bitget", "kucoin", "coinw")]
        return {
            "ledger": unified.ledger(clients, *demo_mode.PERIOD),
            "balances": unified.balances(clients),
            "deposits": unified.deposits(clients, *demo_mode.PERIOD),
            "withdrawals": unified.withdrawals(clients, *demo_mode.PERIOD),
        }
    finally:
        tk.demo(False)


def test_the_accounts_reproduce_from_their_seed():
    first, again = build("bitget"), build("bitget")
    assert [(e.time, e.asset, e.amount, e.balance) for e in first.entries] == [
        (e.time, e.asset, e.amount, e.balance) for e in again.entries
    ]
    assert build("kucoin").entries[0].time != build("coinw").entries[0].time  # one account per exchange
    start, end = demo_year()
    assert start.date().isoformat() == demo_mode.PERIOD[0] and end.date().isoformat() == demo_mode.PERIOD[1]
    assert end.date() == pd.Timestamp.now(tz="UTC").date()  # the year ends with yesterday


def test_a_year_of_every_kind_of_activity(account):
    ledger = account["ledger"]
    counts = ledger.groupby(["exchange", "type"]).size()
    assert counts["bitget"][["deposit", "trade", "withdrawal"]].min() >= 4
    assert counts["kucoin"][["deposit", "trade", "withdrawal", "transfer"]].min() >= 4
    first, last = ledger["time"].min(), ledger["time"].max()
    assert first >= pd.Timestamp(demo_mode.PERIOD[0], tz="UTC") and last < pd.Timestamp(demo_mode.PERIOD[1], tz="UTC")
    assert (last - first).days > 330
    assert set(account["withdrawals"]["exchange"]) == {"bitget", "kucoin", "coinw"}


def test_history_rebuilt_from_the_demo_ledger_matches_its_balances(account):
    ledger, balances = account["ledger"], account["balances"]
    residual = history.residual(ledger, balances)
    assert set(residual["exchange"]) == {"bitget"}  # KuCoin's ledger reports no usable balance
    assert residual["residual"].abs().max() < 1e-8
    # Both accounts opened empty: today's balances minus every entry leaves nothing, per asset.
    opening = (
        balances.groupby(["exchange", "asset"])["total"]
        .sum()
        .sub(ledger.groupby(["exchange", "asset"])["amount"].sum(), fill_value=0.0)
    )
    assert opening[["bitget", "kucoin"]].abs().max() < 1e-8


def test_a_doctored_ledger_shows_the_residual(account):
    ledger, balances = account["ledger"], account["balances"]
    trades = ledger[(ledger["exchange"] == "bitget") & (ledger["type"] == "trade") & (ledger["asset"] == "USDT")]
    dropped = trades.iloc[len(trades) // 2]
    residual = history.residual(ledger.drop(index=dropped.name), balances)
    wrong = residual[residual["residual"].abs() > 1e-8]
    assert set(wrong["asset"]) == {"USDT"}
    # Every day before the missing entry is off by exactly its amount; every day after is right.
    assert wrong["time"].max() < dropped["time"].normalize()
    assert wrong["residual"].to_numpy() == pytest.approx(-dropped["amount"])


def test_deposits_and_withdrawals_agree_with_the_ledger(account):
    ledger, deposits, withdrawals = account["ledger"], account["deposits"], account["withdrawals"]
    for exchange in ("bitget", "kucoin"):
        booked = ledger[(ledger["exchange"] == exchange) & (ledger["type"] == "deposit")]
        listed = deposits[deposits["exchange"] == exchange]
        assert booked["amount"].sum() == pytest.approx(listed["amount"].sum())
        out = ledger[(ledger["exchange"] == exchange) & (ledger["type"] == "withdrawal")]
        taken = withdrawals[withdrawals["exchange"] == exchange]
        assert -out["amount"].sum() == pytest.approx((taken["amount"] + taken["fee"]).sum())
    # CoinW's history lists no withdrawal fee: each is its currency's fee (tx_fee), so the ledger
    # ends at the balances and each withdrawal's fee is the demo's.
    coinw = balances_of(account, "coinw")
    booked = ledger[ledger["exchange"] == "coinw"].groupby("asset")["amount"].sum()
    for asset, total in coinw.items():
        assert booked[asset] == pytest.approx(total, abs=1e-8)
    taken = withdrawals[withdrawals["exchange"] == "coinw"]
    assert len(taken) and (taken["fee"] == taken["asset"].map(WITHDRAWAL_FEES)).all()


def balances_of(account, exchange):
    rows = account["balances"][account["balances"]["exchange"] == exchange]
    return rows.groupby("asset")["total"].sum()
