"""Candles on every exchange, against each exchange's documented example (exact to the digit), and
the symbol and interval checks that come before any request."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import HTTP_EXCHANGES
from tests.exchanges.test_binance import connect, replay  # noqa: F401  (fixtures)
from toolkit.core import candles
from toolkit.errors import ConfigurationError

COLUMNS = ["time", "open", "high", "low", "close", "volume", "quote_volume"]


def utc(ms: int) -> pd.Timestamp:
    return pd.Timestamp(ms, unit="ms", tz="UTC")


def asking_from(documented_start_ms: int, interval: str) -> int:
    """The start that makes the toolkit send the documented request: it asks one interval early
    (less a millisecond), so that the candle open at the start is in the answer."""
    return documented_start_ms + candles.INTERVALS_MS[interval] - 1


def test_bitget_documented_candle_in_its_column_order(make_client, cassette):
    # Bitget's array: ts, open, high, low, close, base volume, USDT volume, quote volume. Its
    # documented example repeats one candle; the frame keeps it once.
    client, sent = make_client("bitget")
    with cassette("bitget/get_candles"):
        df = client.get_candles("BTC/USDT", "1m", asking_from(1656604800000, "1m"), 1656604860000, exact=True)
    assert list(df.columns) == COLUMNS
    assert df.drop(columns="time").astype(str).to_dict("records") == [
        {"open": "37834.5", "high": "37849.5", "low": "37773.5", "close": "37773.5", "volume": "428.3462",
         "quote_volume": "16198849.1079"}
    ]  # fmt: skip
    assert isinstance(df["close"].iloc[0], Decimal)
    assert df["time"].tolist() == [utc(1656604800000)]
    assert df.attrs["symbol"] == "BTCUSDT" and df.attrs["interval"] == "1m"
    assert df.attrs["coverage"]["complete"] is True
    assert "granularity=1min" in sent[0].path_url


def test_kucoin_documented_candles_reordered_oldest_first(make_client, cassette):
    # KuCoin's array: time (seconds), open, close, high, low, volume, turnover; newest first.
    client, _ = make_client("kucoin")
    with cassette("kucoin/get_candles"):
        df = client.get_candles("BTC-USDT", "1m", asking_from(1566703297000, "1m"), 1566789757000, exact=True)
    assert list(df.columns) == COLUMNS
    assert df["time"].tolist() == [utc(1566789600000), utc(1566789660000), utc(1566789720000)]
    first, last = df.iloc[0], df.iloc[-1]
    assert [str(first[c]) for c in COLUMNS[1:]] == ["10408.6", "10416", "10405.4", "10416", "12.45584973",
                                                     "129666.51508559"]  # fmt: skip
    assert [str(last[c]) for c in COLUMNS[1:]] == ["10411.5", "10411.5", "10396.3", "10401.9", "29.11357276",
                                                    "302889.301529914"]  # fmt: skip


def test_kucoin_candles_as_floats(make_client, cassette):
    client, _ = make_client("kucoin")
    with cassette("kucoin/get_candles"):
        df = client.get_candles("BTC/USDT", "1m", asking_from(1566703297000, "1m"), 1566789757000)
    assert df.dtypes.drop("time").eq("float64").all() and df["time"].dtype == "datetime64[ns, UTC]"
    assert df["high"].tolist() == [10416.0, 10422.3, 10411.5]


def test_coinw_documented_candles_are_objects_without_a_quote_volume(make_client, cassette):
    client, _ = make_client("coinw")
    with cassette("coinw/get_candles"):
        df = client.get_candles("CWT/CNYT", "30m", asking_from(1580992380000, "30m"), 1582288440000, exact=True)
    assert list(df.columns) == COLUMNS
    # The documented answer starts with the candle open at the documented start (12:33 UTC): 12:30,
    # which ends before the start the toolkit was given (13:02:59.999) and so is left out.
    assert df["time"].tolist() == [utc(1580994000000), utc(1582286400000), utc(1582288200000)]
    assert [str(v) for v in df["close"]] == ["8.803", "9.4949", "9.4599"]
    assert [str(v) for v in df["volume"]] == ["0.0", "121503.276", "137447.694"]
    assert [str(v) for v in df["open"]] == ["8.803", "9.4274", "9.4949"]
    assert df["quote_volume"].isna().all()  # CoinW's candles carry no quote volume


def test_binance_documented_kline(replay, connect):
    # Binance's array: open time, open, high, low, close, volume, close time, quote volume, trades, ...
    server = replay("klines")
    client = connect(server)
    df = client.get_candles("BNB/BTC", "1h", asking_from(1655969280000, "1h"), 1655974799999, exact=True)
    assert list(df.columns) == COLUMNS
    assert df["time"].tolist() == [utc(1655971200000)]
    assert [str(df.iloc[0][c]) for c in COLUMNS[1:]] == ["0.01086000", "0.01086600", "0.01083600", "0.01083800",
                                                          "2290.53800000", "24.85074442"]  # fmt: skip
    assert df.attrs["symbol"] == "BNBBTC"


@pytest.mark.parametrize("exchange", HTTP_EXCHANGES)
def test_an_interval_the_exchange_lacks_is_refused_before_asking(make_client, no_network, exchange):
    client, sent = make_client(exchange)
    with pytest.raises(ConfigurationError, match=r"candles come in .*1d.* not '3d'"):
        client.get_candles("BTC/USDT", "3d")
    assert sent == []


@pytest.mark.parametrize("symbol", ["", "   ", None, 42])
def test_a_symbol_that_is_no_symbol_is_refused(make_client, no_network, symbol):
    client, _ = make_client("bitget")
    with pytest.raises(ConfigurationError, match="BASE/QUOTE"):
        client.get_candles(symbol)


@pytest.mark.parametrize(
    ("symbol", "separator", "expected"),
    [("btc/usdt", "", "BTCUSDT"), ("BTC/USDT", "-", "BTC-USDT"), ("BTC/USDT", "_", "BTC_USDT"),
     ("BTC-USDT", "-", "BTC-USDT"), ("ethbtc", "", "ETHBTC")],
)  # fmt: skip
def test_symbols_in_either_spelling(symbol, separator, expected):
    assert candles.market(symbol, separator) == expected


def test_start_after_end_is_refused(make_client, no_network):
    client, _ = make_client("kucoin")
    with pytest.raises(ConfigurationError, match="start_time"):
        client.get_candles("BTC/USDT", "1h", "2024-02-01", "2024-01-01")
