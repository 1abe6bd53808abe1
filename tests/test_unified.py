from __future__ import annotations

import warnings

import pandas as pd
import pytest

import toolkit as tk
from toolkit import demo_mode, unified
from toolkit.core.ratelimit import SkippingClock
from toolkit.errors import ConfigurationError


@pytest.fixture
def demo():
    tk.demo(examples=True)  # the documented examples: the values asserted below come from the docs
    yield
    tk.demo(False)


def test_balances_concatenate_across_exchanges_with_one_dtype_per_column(demo):
    df = unified.balances([tk.connect("bitget"), tk.connect("coinw")])
    assert list(df.columns) == list(unified.BALANCES)
    assert df.dtypes.astype(str).tolist() == [
        "str",
        "str",
        "str",
        "float64",
        "float64",
        "float64",
        "datetime64[ns, UTC]",
    ]
    assert set(df["exchange"]) == {"bitget", "coinw"}
    coinw_usdt = df[(df["exchange"] == "coinw") & (df["asset"] == "USDT")].iloc[0]
    assert coinw_usdt["free"] == pytest.approx(257.51830114) and coinw_usdt["locked"] == 0
    assert df[df["exchange"] == "bitget"]["asset"].tolist() == ["USDT"]  # upper-cased from "usdt"


def test_ledger_maps_bitget_bills(demo):
    df = unified.ledger(tk.connect("bitget"), "2021-06-01", "2021-06-30")
    row = df.iloc[0]
    assert (row["exchange"], row["account"], row["id"], row["asset"], row["type"], row["raw_type"]) == (
        "bitget",
        "spot",
        "1291",
        "USDT",
        "deposit",
        "transfer-in",
    )
    assert (row["amount"], row["balance"], row["fee"]) == (1.0, 1.0, 0.0)
    assert df.attrs["exchanges"] == ["bitget"]


def test_exchange_without_a_mapping_is_reported_not_hidden(demo):
    df = unified.fee_rates([tk.connect("coinw")])  # CoinW documents no fee-rate command
    assert df.empty and list(df.columns) == list(unified.FEE_RATES)
    assert df.attrs["not_available"] == ["coinw"]


def test_deposits_from_bitget(demo):
    df = unified.deposits(tk.connect("bitget"), "2022-05-20", "2022-05-25")
    assert df.loc[0, ["id", "asset", "amount", "network", "txid", "status"]].tolist() == [
        "1",
        "USDT",
        10.0,
        "erc20",
        "1",
        "success",
    ]
    assert pd.isna(df.loc[0, "fee"])


def test_conform_rejects_non_numeric_amounts():
    with pytest.raises(ValueError):
        unified.conform(pd.DataFrame({"amount": ["x"]}), {"amount": "float64"})


def test_transfers_pair_the_two_sides_of_kucoin_ledger_entries():
    tk.demo()  # the synthetic account: KuCoin deposits land in main and move to trade
    try:
        df = unified.transfers([tk.connect("kucoin", progress=False), tk.connect("bitget")], *demo_mode.PERIOD)
    finally:
        tk.demo(False)
    assert list(df.columns) == list(unified.TRANSFERS)
    assert set(df["exchange"]) == {"kucoin"}  # the Bitget demo account made no transfer
    assert set(zip(df["from_account"], df["to_account"], strict=True)) == {("main", "trade"), ("trade", "main")}
    first = df.iloc[0]
    assert (first["asset"], first["amount"], first["from_account"]) == ("USDT", 5000.0, "main")
    assert (df["amount"] > 0).all() and df["id"].is_unique


def test_an_unpaired_transfer_names_one_side(demo):
    df = unified.transfers(tk.connect("kucoin", progress=False), "2024-10-11", "2024-10-12")
    assert df[["amount", "from_account"]].values.tolist() == [[0.01, "trade"]]
    assert pd.isna(df.loc[0, "to_account"])  # a transfer to a sub-account: KuCoin books one side here


def test_balances_of_all_four_exchanges_concatenate(demo):
    clients = [tk.connect(x, progress=False) for x in sorted(tk.EXCHANGES)]
    try:
        df = unified.balances(clients)
    finally:
        for client in clients:
            getattr(client, "close", lambda: None)()  # Binance's websocket
    assert set(df["exchange"]) == {"bitget", "kucoin", "coinw", "binance"}
    assert df.dtypes.astype(str).tolist() == [
        "str",
        "str",
        "str",
        "float64",
        "float64",
        "float64",
        "datetime64[ns, UTC]",
    ]
    kucoin = df[df["exchange"] == "kucoin"].set_index("account")
    assert kucoin.loc["trade", "total"] == pytest.approx(26.667595) and kucoin.loc["main", "asset"] == "USDT"
    binance_btc = df[(df["exchange"] == "binance") & (df["asset"] == "BTC")].iloc[0]
    assert binance_btc["total"] == pytest.approx(binance_btc["free"] + binance_btc["locked"])


def test_kucoin_ledger_signs_amounts_by_direction(demo):
    df = unified.ledger(tk.connect("kucoin", progress=False), "2024-10-11", "2024-10-12")
    row = df.iloc[0]
    assert (row["account"], row["amount"], row["type"], row["raw_type"]) == ("trade", -0.01, "transfer", "SUB_TRANSFER")
    assert pd.isna(row["balance"])  # deprecated by KuCoin: the documented example sends "0"


def test_kucoin_withdrawals_with_fee_and_txid(demo):
    df = unified.withdrawals(tk.connect("kucoin", progress=False), "2022-10-01", "2022-10-31", asset="XRP")
    row = df.iloc[0]
    assert (row["id"], row["asset"], row["amount"], row["fee"], row["network"]) == (
        "63564dbbd17bef00019371fb",
        "XRP",
        20.5,
        0.5,
        "xrp",
    )
    assert row["txid"].startswith("2C24A6D5B3E7")


def test_kucoin_deposits_without_id_get_a_stable_one(demo):
    df = unified.deposits(tk.connect("kucoin", progress=False), "2024-07-01", "2024-07-31", asset="USDT")
    assert df.loc[0, "id"] == "USDT:1721730920000:6"  # the amount's shortest text, exact or not


def test_fee_rates_of_three_exchanges_in_one_frame(demo):
    clients = [tk.connect(x, progress=False) for x in ("bitget", "binance", "coinw")]
    try:
        df = unified.fee_rates(clients, "BTC/USDT")
    finally:
        clients[1].close()
    assert df.attrs["not_available"] == ["coinw"]
    # The documented KuCoin example answers for two symbols.
    df = pd.concat([df, unified.fee_rates(tk.connect("kucoin"), ["BTC/USDT", "ETH/USDT"])], ignore_index=True)
    assert list(df.columns) == list(unified.FEE_RATES)
    assert df.dtypes.astype(str).tolist() == ["str", "str", "str", "float64", "float64", "str"]
    rows = {
        (r.exchange, r.symbol if isinstance(r.symbol, str) else None): (r.maker, r.taker, r.source)
        for r in df.itertuples()
    }
    assert rows[("bitget", "BTC/USDT")] == (0.0002, 0.0006, "get_user_fee_ratio")
    assert rows[("kucoin", None)] == (0.001, 0.001, "get_basic_user_fee")
    assert rows[("kucoin", "ETH/USDT")] == (0.001, 0.001, "get_symbol_trading_fees")
    assert rows[("binance", None)] == (0.0015, 0.0015, "get_account_info")


def test_fee_rates_want_base_quote_symbols(demo):
    with pytest.raises(ConfigurationError, match="BASE/QUOTE"):
        unified.fee_rates(tk.connect("bitget"), ["BTCUSDT"])


def test_fees_paid_take_withdrawal_fees_from_the_withdrawals_not_the_ledger():
    ledger = unified.conform(pd.DataFrame({
        "exchange": ["kucoin"] * 3, "account": ["trade", "main", "trade"],
        "time": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"], utc=True), "id": ["1", "2", "3"],
        "asset": ["USDT", "USDT", "BTC"], "amount": [-10.0, -51.0, 0.5], "fee": [0.1, 1.0, 0.0],
        "fee_asset": ["USDT", "USDT", "BTC"], "type": ["trade", "withdrawal", "trade"],
    }), unified.LEDGER)  # fmt: skip
    withdrawals = unified.conform(pd.DataFrame({
        "exchange": ["kucoin"], "account": ["main"], "time": pd.to_datetime(["2025-01-03"], utc=True),
        "id": ["w1"], "asset": ["USDT"], "amount": [50.0], "fee": [1.0], "fee_asset": ["USDT"],
    }), unified.TRANSACTIONS)  # fmt: skip
    fees = unified.fees_paid(ledger, withdrawals)
    assert list(fees.columns) == list(unified.FEES)
    assert fees[["id", "asset", "fee", "type"]].values.tolist() == [
        ["1", "USDT", 0.1, "trading"],
        ["w1", "USDT", 1.0, "withdrawal"],
    ]
    assert unified.fees_paid(ledger)["id"].tolist() == ["1", "2"]  # without withdrawals: the ledger's own


@pytest.mark.parametrize("kind", ["ledger", "deposits", "withdrawals", "transfers", "fees"])
def test_a_quiet_range_maps_to_empty_frames_of_the_schema(kind):
    # The demo year's first hour: no entries on any exchange. Every mapping must take an empty frame.
    from tests.conftest import sandbox_client
    from toolkit import sandbox

    with sandbox.start(lifetime=120, clock=SkippingClock()) as boxes:
        clients = [sandbox_client(boxes, name) for name in tk.EXCHANGES]
        first = pd.Timestamp(demo_mode.PERIOD[0], tz="UTC")
        try:
            frame = getattr(unified, kind)(clients, first, first + pd.Timedelta(hours=1))
        finally:
            for client in clients:
                getattr(client, "close", lambda: None)()
    assert len(frame) == 0
    schema = {"ledger": unified.LEDGER, "deposits": unified.TRANSACTIONS, "withdrawals": unified.TRANSACTIONS,
              "transfers": unified.TRANSFERS, "fees": unified.FEES}[kind]  # fmt: skip
    assert list(frame.columns) == list(schema)
    assert frame.dtypes.astype(str).to_dict() == unified.conform(pd.DataFrame(), schema).dtypes.astype(str).to_dict()


def test_a_typod_asset_warns_with_the_close_matches_the_account_holds(fresh):
    _, client = fresh("kucoin")
    start = pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=60)
    with pytest.warns(unified.UnknownAsset, match=r"kucoin deposits: no 'USTD'.*did you mean USDT\?"):
        found = unified.deposits(client, start, None, "USTD")
    assert found.empty
    with warnings.catch_warnings():
        warnings.simplefilter("error", unified.UnknownAsset)
        assert len(unified.deposits(client, start, None, "USDT"))  # a real asset: no warning
        unified.withdrawals(client, start, None, "ETH")  # held, none withdrawn in the range: no warning either
