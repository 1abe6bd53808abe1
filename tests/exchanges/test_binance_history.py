"""Binance history: fills over the WebSocket API, wallet history and daily snapshots over signed REST,
against Binance's documented examples; windows, paging and the unified ledger on the sandbox."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import FAKE_SECRET
from tests.exchanges.test_binance import connect, replay  # noqa: F401  (fixtures)
from toolkit import history, unified
from toolkit.exchanges.binance.auth import signature


@pytest.fixture
def rest(fake_credentials):
    """A Binance client whose REST calls the cassettes answer (its WebSocket is never opened)."""
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
    yield client
    client.close()


def test_deposit_history_of_the_documented_example(rest, cassette):
    with cassette("binance/rest/get_deposit_history"):
        df = rest.get_deposit_history(start_time="2022-08-20", end_time="2022-08-30")
    row = df.iloc[0]
    assert (row["id"], row["coin"], row["network"], row["status"]) == ("769800519366885376", "BNB", "BNB", 1)
    assert row["amount"] == 0.001 and row["confirm_times"] == "1/1"
    assert row["insert_time"] == pd.Timestamp(1661493146000, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["windows"] == 1 and df.attrs["coverage"]["complete"] is True


def test_withdrawal_history_reads_its_written_utc_times(rest, cassette):
    with cassette("binance/rest/get_withdrawal_history"):
        df = rest.get_withdrawal_history(start_time="2019-10-01", end_time="2019-10-20", exact=True)
    row = df.iloc[0]
    assert (str(row["amount"]), str(row["transaction_fee"])) == ("8.91000000", "0.004")
    assert row["apply_time"] == pd.Timestamp("2019-10-12 11:12:02", tz="UTC")
    assert row["complete_time"] == pd.Timestamp("2023-03-23 16:52:41", tz="UTC")
    assert (row["withdraw_order_id"], row["status"]) == ("WITHDRAWtest123", 6)


def test_account_snapshot_is_one_row_per_day_and_asset(rest, cassette):
    with cassette("binance/rest/get_account_snapshot"):
        df = rest.get_account_snapshot(start_time="2019-12-01", end_time="2019-12-30")
    assert df[["asset", "free", "locked"]].values.tolist() == [["BTC", 0.09905021, 0.0], ["USDT", 1.89109409, 0.0]]
    assert (df["update_time"] == pd.Timestamp(1576281599000, unit="ms", tz="UTC")).all()
    assert df["total_asset_of_btc"].tolist() == [0.099427, 0.099427]


def test_rest_requests_are_signed_as_binance_documents(rest, cassette):
    sent = []
    rest.rest.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    with cassette("binance/rest/get_deposit_history"):
        rest.get_deposit_history(start_time="2022-08-20", end_time="2022-08-30")
    url = sent[0].url
    query, _, sig = url.partition("?")[2].rpartition("&signature=")
    assert sig == signature(FAKE_SECRET, query)  # over the query string as sent, signature last
    assert sent[0].headers["X-MBX-APIKEY"] == rest.credentials.api_key
    assert dict(parse_qsl(query))["limit"] == "1000"


def test_my_trades_of_the_documented_example(replay, connect):
    server = replay("my_trades")
    client = connect(server)
    df = client.get_my_trades("BTCUSDT")
    assert server.problems == []
    assert df["id"].tolist() == ["1650422481", "1650422482"]
    assert df["price"].tolist() == [23416.1, 23416.5] and df["qty"].tolist() == [0.00635, 0.00212]
    assert (df["commission_asset"].tolist(), df["is_maker"].tolist()) == (["BNB", "BNB"], [True, True])
    assert df["time"].iloc[0] == pd.Timestamp(1660801715793, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["symbols"] == ["BTCUSDT"]


# --------------------------------------------------------------------------- on the sandbox


def test_a_withdrawal_history_over_200_days_is_three_windows(fresh):
    boxes, client = fresh("binance")
    try:
        now = pd.Timestamp.now(tz="UTC")
        df = client.get_withdrawal_history(start_time=now - pd.Timedelta(days=200), end_time=now)
        asked = [r for r in boxes.server("binance").rest.requests if r.path.endswith("/withdraw/history")]
        spans = [(int(r.query["endTime"]) - int(r.query["startTime"])) / 86_400_000 for r in asked]
        assert len(asked) == 3 == df.attrs["coverage"]["windows"]
        assert all(span < 90 for span in spans) and sum(spans) == pytest.approx(200, abs=0.01)
    finally:
        client.close()


def test_my_trades_without_a_symbol_reads_every_market_of_the_assets_held(fresh):
    boxes, client = fresh("binance")
    try:
        df = client.get_my_trades()
        held = {t.base for t in boxes.account("binance").trades}
        assert {f"{base}USDT" for base in held} <= set(df.attrs["coverage"]["symbols"])
        assert len(df) == len(boxes.account("binance").trades) and df["id"].is_unique
    finally:
        client.close()


@pytest.fixture
def demo_binance():
    tk.demo()
    client = tk.connect("binance", progress=False)
    yield client
    client.close()
    tk.demo(False)


def test_the_binance_ledger_rebuilds_its_daily_snapshots_to_zero(demo_binance):
    from toolkit.demo_mode import PERIOD

    ledger = unified.ledger(demo_binance, *PERIOD)
    balances = unified.balances(demo_binance)
    snapshots = unified.snapshots(demo_binance)
    assert set(ledger["type"]) >= {"deposit", "trade", "withdrawal"}
    assert len(snapshots) >= 30 * 3
    residual = history.residual(ledger, balances, snapshots)
    assert set(residual["exchange"]) == {"binance"} and residual["residual"].abs().max() == 0
    # A fill left out of the ledger shows up, on every day before it, as exactly its amount.
    legs = ledger[(ledger["type"] == "trade") & (ledger["asset"] == "USDT")]
    dropped = legs[legs["time"] > snapshots["taken_at"].min()].iloc[-1]  # a fill some snapshot precedes
    wrong = history.residual(ledger.drop(index=dropped.name), balances, snapshots)
    off = wrong[wrong["residual"].abs() > 1e-9]
    assert set(off["asset"]) == {"USDT"} and off["residual"].to_numpy() == pytest.approx(-dropped["amount"])
    assert off["time"].max() < dropped["time"]


def test_binance_fees_are_the_commissions_and_withdrawal_fees(demo_binance):
    from toolkit.demo_mode import PERIOD

    fees = unified.fees(demo_binance, *PERIOD)
    # Trading fees (in BNB where it is held), withdrawal fees, and the dust conversions' service charge.
    assert set(fees["type"]) == {"trading", "withdrawal", "other"} and (fees["fee"] > 0).all()
    trades = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    trading = fees[fees["type"] == "trading"].groupby("asset")["fee"].sum()
    assert trading.to_dict() == pytest.approx(trades.groupby("commission_asset")["commission"].sum().to_dict())
    assert urlsplit(demo_binance.rest_base_url).hostname == "127.0.0.1"


def test_my_trades_are_complete_only_when_every_markets_history_is(demo_binance, monkeypatch):
    # It said complete=True whatever each market's walk reported.
    from toolkit.demo_mode import PERIOD

    read = demo_binance.history

    def one_market_cut_short(endpoint, args=None, **options):
        frame = read(endpoint, args, **options)
        if (args or {}).get("symbol") == "ETHUSDT":
            frame.attrs["coverage"] = {**frame.attrs["coverage"], "complete": False}
        return frame

    whole = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    assert whole.attrs["coverage"]["complete"] is True and "partial_symbols" not in whole.attrs["coverage"]
    monkeypatch.setattr(demo_binance, "history", one_market_cut_short)
    cut = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    assert cut.attrs["coverage"]["complete"] is False and cut.attrs["coverage"]["partial_symbols"] == ["ETHUSDT"]
    assert len(cut) == len(whole)  # the rows read are all kept; the frame says what it lacks
