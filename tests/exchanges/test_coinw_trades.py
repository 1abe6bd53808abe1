"""CoinW fills (getUserTrades): the documented example, the halving of full answers, the ledger."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pytest

from tests.exchanges.test_coinw import assert_signed, query
from toolkit import unified
from toolkit.errors import MalformedResponse
from toolkit.exchanges.coinw import unified as coinw_unified

SPAN = {"start_time": 1628000000000, "end_time": 1628100000000}


def test_user_trades_parse_the_documented_example(make_client, cassette):
    client, sent = make_client("coinw")
    with cassette("coinw/get_user_trades", allow_playback_repeats=True):
        df = client.get_user_trades("BTC_USDT", **SPAN)
        exact = client.get_user_trades("BTC_USDT", **SPAN, exact=True)
    assert_signed(sent[0], "getUserTrades")
    assert query(sent[0])["limit"] == "100" and query(sent[0])["startAt"] == "1628000000000"
    assert df.to_dict("records") == [
        {"trade_id": "1029953", "order_id": "4612803122241208330", "price": 70.0, "size": 1.0, "side": "BUY",
         "order_type": "LIMIT", "time": pd.Timestamp(1628068267298, unit="ms", tz="UTC"), "fee": 0.14,
         "symbol": "BTC_USDT"}
    ]  # fmt: skip
    assert exact.loc[0, "price"] == Decimal("7E+1") and exact.loc[0, "fee"] == Decimal("0.14")
    assert df.attrs["coverage"]["symbols"] == ["BTC_USDT"] and df.attrs["coverage"]["complete"] is True


def test_a_fill_books_both_legs_with_the_fee_in_the_quote_coin(make_client, cassette):
    client, _ = make_client("coinw")
    with cassette("coinw/get_user_trades"):
        trades = client.get_user_trades("BTC_USDT", **SPAN)
    legs = coinw_unified._legs(trades).set_index("asset")
    assert legs.loc["BTC", "amount"] == 1.0 and legs.loc["BTC", "fee"] == 0.0
    assert legs.loc["USDT", "amount"] == pytest.approx(-70.14) and legs.loc["USDT", "fee"] == 0.14
    assert legs.loc["USDT", "id"] == "trade:1029953:USDT" and legs.loc["USDT", "raw_type"] == "BUY"


# --------------------------------------------------------------------------- the sandbox


def test_a_full_answer_is_asked_again_in_halves_until_every_answer_is_short(fresh):
    # The wall clock: on a skipping one a request may meet the limit's very edge and be asked again,
    # and this counts every request as a page.
    boxes, client = fresh("coinw", real_clock=True)
    account, app = boxes.account("coinw"), boxes.server("coinw").app
    now = app.now_ms()
    account.deposit(now - 7_200_000, "USDT", 10_000.0, random.Random(1))
    for n in range(250):
        account.trade(now - 3_600_000 + n * 1000, "BTC", "buy", 0.0001, 50_000.0)
    df = client.get_user_trades("BTC_USDT", start_time=now - 3_600_000, end_time=now)
    assert len(df) == 250 and df["trade_id"].is_unique and df["time"].is_monotonic_increasing
    asked = [r for r in boxes.server("coinw").requests if r.query.get("command") == "getUserTrades"]
    assert len(asked) > 3 and df.attrs["coverage"]["pages"] == len(asked)
    assert df["fee"].tolist() == pytest.approx([0.0001 * 50_000.0 * 0.001] * 250)


def test_more_fills_in_one_millisecond_than_an_answer_holds_raise(fresh):
    boxes, client = fresh("coinw")
    account, app = boxes.account("coinw"), boxes.server("coinw").app
    now = app.now_ms()
    account.deposit(now - 7_200_000, "USDT", 10_000.0, random.Random(1))
    for _ in range(100):
        account.trade(now - 60_000, "BTC", "buy", 0.0001, 50_000.0)
    with pytest.raises(MalformedResponse, match="as many as one answer holds"):
        client.get_user_trades("BTC_USDT", start_time=now - 60_001, end_time=now - 59_999)


def test_in_demo_the_coinw_ledger_and_fees_have_trades(fresh):
    boxes, client = fresh("coinw")
    start = boxes.server("coinw").app.now_ms() - 90 * 86_400_000
    ledger = unified.ledger(client, start)
    fees = unified.fees(client, start)
    assert {"trade", "deposit"} <= set(ledger["type"])
    assert (fees["type"] == "trading").any() and set(fees["asset"]) == {"USDT"}
    assert "not_available" not in fees.attrs
