from __future__ import annotations

import pandas as pd
import pytest

import toolkit as tk
from toolkit import unified
from toolkit.errors import ConfigurationError


@pytest.fixture
def demo():
    tk.demo()
    yield
    tk.demo(False)


def test_balances_concatenate_across_exchanges_with_one_dtype_per_column(demo):
    df = unified.balances([tk.connect("bitget"), tk.connect("coinw")])
    assert list(df.columns) == list(unified.BALANCES)
    assert df.dtypes.astype(str).tolist() == ["str", "str", "str", "float64", "float64", "float64", "datetime64[ns, UTC]"]
    assert set(df["exchange"]) == {"bitget", "coinw"}
    coinw_usdt = df[(df["exchange"] == "coinw") & (df["asset"] == "USDT")].iloc[0]
    assert coinw_usdt["free"] == pytest.approx(257.51830114) and coinw_usdt["locked"] == 0
    assert df[df["exchange"] == "bitget"]["asset"].tolist() == ["USDT"]  # upper-cased from "usdt"


def test_ledger_maps_bitget_bills(demo):
    df = unified.ledger(tk.connect("bitget"), "2021-06-01", "2021-06-30")
    row = df.iloc[0]
    assert (row["exchange"], row["account"], row["id"], row["asset"], row["type"], row["raw_type"]) == (
        "bitget", "spot", "1291", "USDT", "deposit", "transfer-in")
    assert (row["amount"], row["balance"], row["fee"]) == (1.0, 1.0, 0.0)
    assert df.attrs["exchanges"] == ["bitget"]


def test_exchange_without_a_mapping_is_reported_not_hidden(demo):
    df = unified.ledger([tk.connect("coinw")])
    assert df.empty and list(df.columns) == list(unified.LEDGER)
    assert df.attrs["not_available"] == ["coinw"]


def test_deposits_from_bitget(demo):
    df = unified.deposits(tk.connect("bitget"), "2022-05-20", "2022-05-25")
    assert df.loc[0, ["id", "asset", "amount", "network", "txid", "status"]].tolist() == ["1", "USDT", 10.0, "erc20", "1", "success"]
    assert pd.isna(df.loc[0, "fee"])


def test_conform_rejects_non_numeric_amounts():
    with pytest.raises(ValueError):
        unified.conform(pd.DataFrame({"amount": ["x"]}), {"amount": "float64"})


def test_bitget_transfers_explain_what_to_call(demo):
    with pytest.raises(ConfigurationError, match="get_transfer_history"):
        unified.transfers(tk.connect("bitget"))


def test_balances_of_all_four_exchanges_concatenate(demo):
    clients = [tk.connect(x, progress=False) for x in ("bitget", "kucoin", "coinw", "binance")]
    try:
        df = unified.balances(clients)
    finally:
        clients[-1].close()
    assert set(df["exchange"]) == {"bitget", "kucoin", "coinw", "binance"}
    assert df.dtypes.astype(str).tolist() == ["str", "str", "str", "float64", "float64", "float64", "datetime64[ns, UTC]"]
    kucoin = df[df["exchange"] == "kucoin"].set_index("account")
    assert kucoin.loc["trade", "total"] == pytest.approx(26.667595) and kucoin.loc["main", "asset"] == "USDT"
    binance_btc = df[(df["exchange"] == "binance") & (df["asset"] == "BTC")].iloc[0]
    assert binance_btc["total"] == pytest.approx(binance_btc["free"] + binance_btc["locked"])


def test_kucoin_ledger_signs_amounts_by_direction(demo):
    df = unified.ledger(tk.connect("kucoin", progress=False), "2024-10-11", "2024-10-12")
    row = df.iloc[0]
    assert (row["account"], row["amount"], row["type"], row["raw_type"]) == ("trade", -0.01, "transfer", "SUB_TRANSFER")


def test_kucoin_withdrawals_with_fee_and_txid(demo):
    df = unified.withdrawals(tk.connect("kucoin", progress=False), "2022-10-01", "2022-10-31", asset="XRP")
    row = df.iloc[0]
    assert (row["id"], row["asset"], row["amount"], row["fee"], row["network"]) == ("63564dbbd17bef00019371fb", "XRP", 20.5, 0.5, "xrp")
    assert row["txid"].startswith("2C24A6D5B3E7")


def test_kucoin_deposits_without_id_get_a_stable_one(demo):
    df = unified.deposits(tk.connect("kucoin", progress=False), "2024-07-01", "2024-07-31", asset="USDT")
    assert df.loc[0, "id"] == "USDT:1721730920000:6.0"
