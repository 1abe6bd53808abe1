"""Valuation: daily prices from the exchanges' candles (direct, inverted, through BTC), the cache
that makes a second run ask nothing, values that are NaN rather than zero, the demo's net worth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import sandbox_client
from toolkit import demo_mode, history, sandbox, unified, valuation
from toolkit.core.ratelimit import SkippingClock
from toolkit.errors import ConfigurationError, InvalidRequest
from toolkit.store import Store

DAY = pd.Timedelta(days=1)
YESTERDAY = pd.Timestamp.now(tz="UTC").normalize() - DAY
FIRST = YESTERDAY - 9 * DAY


class Listing:
    """A sandbox client that lists only ``markets`` (others are a bad request, as on the exchange),
    counting the candle requests it sends."""

    def __init__(self, client, markets):
        self.client, self.markets, self.asked = client, set(markets), []
        self.exchange = client.exchange

    def get_candles(self, symbol, *args, **kwargs):
        self.asked.append(symbol)
        if symbol not in self.markets:
            raise InvalidRequest(self.exchange, "GET candles", code="400100", message=f"{symbol} is not listed")
        return self.client.get_candles(symbol, *args, **kwargs)


@pytest.fixture(scope="module")
def kucoin():
    with sandbox.start(["kucoin"], lifetime=300, clock=SkippingClock()) as running:
        client = sandbox_client(running, "kucoin")
        yield client


def closes(client, symbol):
    return client.get_candles(symbol, "1d", FIRST, YESTERDAY).set_index("time")["close"]


def test_a_direct_market_gives_each_days_close(kucoin):
    found = valuation.prices(kucoin, ["btc", "USDT"], FIRST, YESTERDAY, cache=Store(":memory:"))
    assert list(found.columns) == ["date", "asset", "quote", "price", "source"]
    btc = found[found["asset"] == "BTC"].set_index("date")
    assert btc.index.tolist() == pd.date_range(FIRST, YESTERDAY, freq="D").tolist()
    assert btc["price"].tolist() == closes(kucoin, "BTC/USDT").tolist()
    assert set(btc["source"]) == {"kucoin BTC/USDT"} and set(found["quote"]) == {"USDT"}
    usdt = found[found["asset"] == "USDT"]
    assert usdt["price"].eq(1.0).all() and set(usdt["source"]) == {"quote"}
    assert found.attrs["unpriced"] == [] and found["date"].dtype == "datetime64[ns, UTC]"


def test_a_price_through_btc_multiplies_its_legs(kucoin):
    listed = Listing(kucoin, {"ETH/BTC", "BTC/USDT"})
    found = valuation.prices(listed, ["ETH"], FIRST, YESTERDAY, cache=Store(":memory:"))
    expected = closes(kucoin, "ETH/BTC") * closes(kucoin, "BTC/USDT")
    assert np.allclose(found["price"], expected.to_numpy())
    assert set(found["source"]) == {"kucoin ETH/BTC x kucoin BTC/USDT"}


def test_an_inverted_market_gives_one_over_its_close(kucoin):
    listed = Listing(kucoin, {"ETH/BTC"})
    found = valuation.prices(listed, ["BTC"], FIRST, YESTERDAY, "ETH", cache=Store(":memory:"))
    assert np.allclose(found["price"], 1.0 / closes(kucoin, "ETH/BTC").to_numpy())
    assert set(found["source"]) == {"kucoin 1/(ETH/BTC)"}


def test_an_asset_no_market_reaches_is_nan_and_named(kucoin):
    found = valuation.prices(kucoin, ["BTC", "NOPE"], FIRST, YESTERDAY, cache=Store(":memory:"))
    nope = found[found["asset"] == "NOPE"]
    assert len(nope) == 10 and nope["price"].isna().all() and set(nope["source"]) == {""}
    assert found.attrs["unpriced"] == ["NOPE"]


def test_a_second_run_for_the_same_days_asks_nothing(kucoin, tmp_path):
    listed = Listing(kucoin, {"BTC/USDT", "ETH/USDT"})
    first = valuation.prices(listed, ["BTC", "ETH", "NOPE"], FIRST, YESTERDAY, cache=tmp_path / "prices.sqlite")
    assert len(listed.asked) > 2
    listed.asked.clear()
    again = valuation.prices(listed, ["BTC", "ETH", "NOPE"], FIRST, YESTERDAY, cache=tmp_path / "prices.sqlite")
    # Only the market refused is asked again (a refusal may be passing; the cache keeps no failure).
    assert set(listed.asked) == {"NOPE/USDT", "USDT/NOPE", "NOPE/BTC", "BTC/NOPE"}
    pd.testing.assert_frame_equal(first, again)
    listed.asked.clear()
    inside = valuation.prices(listed, ["BTC"], FIRST + 2 * DAY, YESTERDAY - DAY, cache=tmp_path / "prices.sqlite")
    assert listed.asked == [] and len(inside) == 7


def test_only_the_days_not_held_are_asked_and_today_always(kucoin):
    cache = Store(":memory:")
    listed = Listing(kucoin, {"BTC/USDT"})
    valuation.prices(listed, ["BTC"], FIRST, YESTERDAY, cache=cache)
    listed.asked.clear()
    wider = valuation.prices(listed, ["BTC"], FIRST - 5 * DAY, YESTERDAY + DAY, cache=cache)
    assert listed.asked == ["BTC/USDT", "BTC/USDT"]  # the five days before, then today
    assert len(wider) == 16 and wider["price"].notna().all()
    listed.asked.clear()
    valuation.prices(listed, ["BTC"], FIRST, YESTERDAY + DAY, cache=cache)
    assert listed.asked == ["BTC/USDT"]  # today's candle has not closed: never cached


def test_start_after_end_is_refused(kucoin):
    with pytest.raises(ConfigurationError, match="start is after end"):
        valuation.prices(kucoin, ["BTC"], YESTERDAY, FIRST)


def test_value_adds_price_and_value_and_never_counts_unpriced_as_zero(kucoin):
    found = valuation.prices(kucoin, ["BTC", "NOPE"], FIRST, YESTERDAY, cache=Store(":memory:"))
    price = found.set_index(["date", "asset"])["price"]
    frame = pd.DataFrame(
        {"time": [FIRST + pd.Timedelta(hours=5), YESTERDAY, YESTERDAY], "asset": ["BTC", "usdt", "NOPE"],
         "amount": [0.5, 10.0, 3.0]}
    )  # fmt: skip
    frame.attrs["exchange"] = "kucoin"
    out = valuation.value(frame, found)
    assert out["price"].iloc[0] == price[(FIRST, "BTC")] and out["value"].iloc[0] == 0.5 * price[(FIRST, "BTC")]
    assert (out["price"].iloc[1], out["value"].iloc[1]) == (1.0, 10.0)
    assert np.isnan(out["value"].iloc[2]) and out.attrs["unpriced"] == ["NOPE"]
    assert out.attrs["exchange"] == "kucoin" and out.attrs["quote"] == "USDT"
    assert list(frame.columns) == ["time", "asset", "amount"]  # the frame given is left alone


def test_balances_held_now_are_valued_now_every_exchange_at_the_same_moment(kucoin):
    found = valuation.prices(kucoin, ["BTC"], FIRST, YESTERDAY, cache=Store(":memory:"))
    latest = found.sort_values("date").iloc[-1]
    balances = pd.DataFrame(  # Bitget's balance time is its last change, days ago; Binance's is now
        {"exchange": ["bitget", "binance"], "account": ["spot", "spot"], "asset": ["BTC", "BTC"], "free": [1.0, 2.0],
         "locked": [0.0, 0.0], "total": [1.0, 2.0], "time": [FIRST + pd.Timedelta(hours=5), pd.Timestamp.now(tz="UTC")]}
    )  # fmt: skip
    out = valuation.value(balances, found)
    assert out["price"].tolist() == [latest["price"], latest["price"]]
    assert out["price_date"].tolist() == [latest["date"], latest["date"]]
    assert out.attrs["priced_at"].date() == pd.Timestamp.now(tz="UTC").date()
    then = valuation.value(balances, found, at=FIRST + pd.Timedelta(hours=12))
    first = found.set_index(["date", "asset"])["price"][(FIRST, "BTC")]
    assert then["price"].tolist() == [first, first] and (then["price_date"] == FIRST).all()
    assert then["value"].tolist() == [first, 2 * first]
    events = valuation.value(balances.drop(columns=["free", "locked"]), found)  # not balances: each at its day
    assert events["price_date"].iloc[0] == FIRST


def test_value_names_what_a_frame_lacks():
    with pytest.raises(ConfigurationError, match=r"'asset', 'date' or 'time' \(or at=\).*it has coin, amount"):
        valuation.value(pd.DataFrame({"coin": ["BTC"], "amount": [1.0]}), pd.DataFrame())


def test_totals_are_nan_on_a_day_with_an_unpriced_row():
    frame = pd.DataFrame({"date": [FIRST, FIRST, YESTERDAY], "exchange": ["a", "b", "a"], "value": [1.0, np.nan, 2.0]})
    by_day = valuation.totals(frame)
    assert np.isnan(by_day["value"].iloc[0]) and by_day["value"].iloc[1] == 2.0
    by_exchange = valuation.totals(frame, by="exchange")
    assert by_exchange["value"].tolist()[:2] == [1.0, pytest.approx(np.nan, nan_ok=True)]


@pytest.fixture(scope="module")
def demo():
    """The four demo accounts' clients, ledger, balances and withdrawals over the demo year, fetched once."""
    tk.demo()
    clients = [tk.connect(name, progress=False) for name in sorted(tk.EXCHANGES)]
    try:
        start, end = demo_mode.PERIOD
        yield {"clients": clients, "ledger": unified.ledger(clients, start, end), "balances": unified.balances(clients),
               "withdrawals": unified.withdrawals(clients, start, end)}  # fmt: skip
    finally:
        for client in clients:  # Binance's websocket, before its server stops
            getattr(client, "close", lambda: None)()
        tk.demo(False)


def test_the_demo_years_net_worth_has_every_day_exchange_and_asset_held(demo):
    start, end = demo_mode.PERIOD
    worth = valuation.portfolio_value(demo["clients"], start, end, ledger=demo["ledger"], balances=demo["balances"],
                                      cache=Store(":memory:"))  # fmt: skip
    assert list(worth.columns) == ["date", "exchange", "asset", "amount", "price", "value"]
    held = history.balance_history(demo["ledger"], demo["balances"])
    held = held[(held["balance"] != 0) & (held["time"] <= pd.Timestamp(end, tz="UTC"))]
    assert len(worth) == len(held)
    assert set(worth["exchange"]) == {"bitget", "kucoin", "coinw", "binance"}
    assert worth["date"].nunique() == len(pd.date_range(start, end))
    assert worth["price"].notna().all() and worth.attrs["unpriced"] == []
    assert np.array_equal(worth["value"].to_numpy(), worth["amount"].to_numpy() * worth["price"].to_numpy())
    daily = valuation.totals(worth)
    assert len(daily) == len(pd.date_range(start, end)) and daily["value"].gt(0).all()
    assert worth.attrs["sources"]["USDT"] == "quote" and worth.attrs["quote"] == "USDT"


def test_demo_fees_in_usdt_by_month_add_up_the_fees_valued(demo):
    start, end = demo_mode.PERIOD
    paid = unified.fees_paid(demo["ledger"], demo["withdrawals"])
    found = valuation.prices(demo["clients"], paid["asset"].unique(), start, end, cache=Store(":memory:"))
    monthly = valuation.fees_value(demo["ledger"], demo["withdrawals"], found)
    assert list(monthly.columns) == ["time", "exchange", "type", "value"]
    assert (monthly["time"].dt.day == 1).all() and monthly["value"].gt(0).all()
    assert monthly["value"].sum() == pytest.approx(valuation.value(paid, found, amount="fee")["value"].sum())
    assert monthly.attrs["quote"] == "USDT"
