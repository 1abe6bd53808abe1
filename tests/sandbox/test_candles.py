"""Candles from the sandboxes: ranges longer than one call's cap come back whole, oldest first,
in as few requests as the cap allows; every exchange quotes the demo's one price series."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.conftest import HTTP_EXCHANGES
from toolkit.errors import InvalidRequest

CAPS = {"bitget": 1000, "kucoin": 1500, "coinw": 1000, "binance": 1000}
MARKETS = {"bitget": "BTCUSDT", "kucoin": "BTC-USDT", "coinw": "BTC_USDT", "binance": "BTCUSDT"}


def yesterday() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=1)


def counted(client) -> list:
    sent: list = []
    client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    return sent


@pytest.mark.parametrize("exchange", HTTP_EXCHANGES)
def test_minutes_over_several_caps_come_whole_in_the_fewest_requests(connect, exchange):
    client = connect(exchange)
    sent = counted(client)
    minutes = 2 * CAPS[exchange] + 500
    start = yesterday() - pd.Timedelta(minutes=minutes - 1)
    df = client.get_candles("BTC/USDT", "1m", start, yesterday())
    assert len(df) == minutes
    assert df["time"].is_monotonic_increasing and df["time"].is_unique
    assert (df["time"].diff().dropna() == pd.Timedelta(minutes=1)).all()
    assert df["time"].iloc[0] == start and df["time"].iloc[-1] == yesterday()
    assert len(sent) == math.ceil(minutes / CAPS[exchange]) == df.attrs["coverage"]["windows"]
    assert df.attrs["coverage"]["complete"] is True
    assert df.attrs["symbol"] == MARKETS[exchange]


def test_binance_klines_over_several_caps(connect):
    client = connect("binance")
    start = yesterday() - pd.Timedelta(hours=2499)
    df = client.get_candles("BTCUSDT", "1h", start, yesterday())
    assert len(df) == 2500 and df["time"].is_unique and df["time"].iloc[0] == start
    assert df.attrs["coverage"]["windows"] == 3


def test_every_exchange_quotes_the_same_daily_closes(connect):
    first = yesterday() - pd.Timedelta(days=20)
    closes = {
        exchange: connect(exchange).get_candles("BTC/USDT", "1d", first, yesterday()).set_index("time")["close"]
        for exchange in CAPS
    }
    assert all(len(series) == 21 for series in closes.values())
    reference = closes["bitget"]
    assert reference.gt(0).all() and reference.nunique() > 1
    for series in closes.values():
        pd.testing.assert_series_equal(series, reference)


def test_a_daily_candle_opens_at_the_previous_close(connect):
    df = connect("kucoin").get_candles("ETH/USDT", "1d", yesterday() - pd.Timedelta(days=5), yesterday())
    assert df["open"].iloc[1:].tolist() == df["close"].iloc[:-1].tolist()
    assert (df["high"] >= df[["open", "close"]].max(axis=1)).all() and (
        df["low"] <= df[["open", "close"]].min(axis=1)
    ).all()


@pytest.mark.parametrize("exchange", list(CAPS))
def test_a_market_the_exchange_does_not_list_is_a_bad_request(connect, exchange):
    with pytest.raises(InvalidRequest):
        connect(exchange).get_candles("NOPE/USDT", "1d")


@pytest.mark.parametrize("exchange", ["bitget", "binance"])
def test_the_demo_trades_were_made_at_the_daily_closes_served(boxes, connect, exchange):
    trades = boxes.account(exchange).trades
    first = pd.Timestamp(min(t.time for t in trades), unit="ms", tz="UTC").normalize()
    closes = {
        base: connect(exchange).get_candles(f"{base}/USDT", "1d", first, yesterday()).set_index("time")["close"]
        for base in {t.base for t in trades}
    }
    assert len(trades) > 50
    for trade in trades:
        day = pd.Timestamp(trade.time, unit="ms", tz="UTC").normalize()
        assert closes[trade.base][day] == trade.price
