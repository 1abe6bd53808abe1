from __future__ import annotations

import pandas as pd
import pytest

from toolkit import history, unified
from toolkit.errors import ConfigurationError

T = pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=3)


def frame(rows, schema):
    return unified.conform(pd.DataFrame(rows), schema)


@pytest.fixture
def ledger():
    # A consistent ledger: deposit 100, buy costs 40 (fee 0.1 USDT), withdraw 10; running balance reported.
    return frame(
        [
            {
                "exchange": "bitget",
                "account": "spot",
                "time": T,
                "id": "1",
                "asset": "USDT",
                "amount": 100.0,
                "balance": 100.0,
                "fee": 0.0,
                "fee_asset": "USDT",
                "type": "deposit",
                "raw_type": "DEPOSIT",
            },
            {
                "exchange": "bitget",
                "account": "spot",
                "time": T + pd.Timedelta(hours=30),
                "id": "2",
                "asset": "USDT",
                "amount": -40.0,
                "balance": 60.0,
                "fee": 0.1,
                "fee_asset": "USDT",
                "type": "trade",
                "raw_type": "BUY",
            },
            {
                "exchange": "bitget",
                "account": "spot",
                "time": T + pd.Timedelta(hours=50),
                "id": "3",
                "asset": "USDT",
                "amount": -10.0,
                "balance": 50.0,
                "fee": 1.0,
                "fee_asset": "USDT",
                "type": "withdrawal",
                "raw_type": "WITHDRAW",
            },
        ],
        unified.LEDGER,
    )


@pytest.fixture
def balances():
    return frame(
        [
            {
                "exchange": "bitget",
                "account": "spot",
                "asset": "USDT",
                "free": 50.0,
                "locked": 0.0,
                "total": 50.0,
                "time": T + pd.Timedelta(days=3),
            }
        ],
        unified.BALANCES,
    )


def test_balance_history_rebuilds_each_day(ledger, balances):
    df = history.balance_history(ledger, balances)
    assert list(df.columns) == ["time", "exchange", "asset", "balance"]
    assert df["balance"].tolist() == [100.0, 60.0, 50.0, 50.0]
    assert df["time"].iloc[0] == T and str(df["time"].dtype) == "datetime64[ns, UTC]"


def test_consistent_ledger_has_zero_residual(ledger, balances):
    df = history.residual(ledger, balances)
    assert df["residual"].tolist() == [0.0, 0.0, 0.0]


def test_doctored_ledger_shows_the_residual(ledger, balances):
    ledger.loc[1, "amount"] = -45.0  # an entry that no longer matches the running balance
    df = history.residual(ledger, balances)
    # Anchored on today, the books stop adding up before the doctored entry.
    assert df["residual"].tolist() == [-5.0, 0.0, 0.0]


def test_missing_entry_shows_against_todays_balance(ledger, balances):
    df = history.residual(ledger.drop(index=2), balances)
    assert df["residual"].tolist() == [10.0, 10.0]


def test_snapshots_fill_exchanges_without_ledger(ledger, balances):
    snaps = frame(
        [{"exchange": "coinw", "account": "spot", "asset": "BTC", "free": 1.0, "locked": 0.5, "total": 1.5, "time": T}],
        unified.BALANCES,
    )
    df = history.balance_history(ledger, balances, snapshots=snaps)
    coinw = df[df["exchange"] == "coinw"]
    assert coinw["balance"].tolist() == [1.5]


def test_fee_history_by_month_and_type(ledger, balances):
    df = history.fee_history(ledger)
    assert set(df["type"]) == {"trading", "withdrawal"}
    assert df.set_index("type")["fee"].to_dict() == {"trading": 0.1, "withdrawal": 1.0}
    assert (df["time"].dt.day == 1).all()
    with pytest.raises(ConfigurationError, match="freq"):
        history.fee_history(ledger, freq="fortnight")


def test_wrong_frame_is_refused(balances):
    with pytest.raises(ConfigurationError, match="lacks columns"):
        history.balance_history(pd.DataFrame({"time": []}), balances)


@pytest.mark.parametrize("freq", ["M", "ME"])
def test_fee_history_takes_the_month_spellings_pandas_users_type(ledger, freq):
    pd.testing.assert_frame_equal(history.fee_history(ledger, freq=freq), history.fee_history(ledger, freq="MS"))
