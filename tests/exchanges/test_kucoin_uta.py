"""KuCoin's unified trading account (UTA): the account mode asked once, the UA API's balances,
ledger and fills read to the digit, classic calls refused on a unified client, and the sandbox's
unified account read end to end through tk.unified."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from tests.conftest import sandbox_client
from toolkit import sandbox, unified
from toolkit.errors import ConfigurationError

DAY = 86_400_000


def test_a_classic_key_costs_one_mode_probe_and_reads_as_before(make_client, cassette):
    client, sent = make_client("kucoin", hf=False)
    with cassette("kucoin/describe_key--classic"):
        key = client.describe_key()
        assert client.is_uta() is False
    assert [r.path_url for r in sent] == ["/api/ua/v2/account/mode", "/api/v1/user/api-key"]
    row = key.iloc[0]
    assert (row["account"], row["account_model"], row["ip_whitelist"]) == ("165111215", "classic",
                                                                           "203.**.154,103.**.34")  # fmt: skip
    assert row["permissions"] == ["General", "Futures", "Spot", "Earn", "InnerTransfer", "Transfer", "Margin"]
    assert bool(row["can_trade"]) is True and row["can_withdraw"] is pd.NA  # KuCoin's key info names no Withdrawal


def test_the_key_itself_is_not_in_the_key_information(make_client, cassette):
    client, _ = make_client("kucoin", uta=False)
    with cassette("kucoin/get_api_key_info"):
        info = client.get_api_key_info()
    assert "api_key" not in info.columns
    assert "***" not in info.to_string()
    assert (info.loc[0, "api_version"], bool(info.loc[0, "is_master"])) == (3, True)


def test_the_unified_balances_are_read_to_the_digit(make_client, cassette):
    client, sent = make_client("kucoin", uta=True)
    with cassette("kucoin/get_uta_balances"):
        df = client.get_uta_balances(exact=True)
    assert sent.paths() == ["/api/ua/v2/unified/account/balance"]
    assert df["currency"].tolist() == ["USDT", "BTC"]
    assert df.loc[1, ["equity", "balance", "available", "hold"]].tolist() == [
        Decimal("0.0000216000"), Decimal("0.0000216000"), Decimal("0.0000216000"), Decimal("0E-10")]  # fmt: skip
    assert str(df.loc[1, "hold"]) == "0.0000000000"  # plain notation, every digit
    assert (df.loc[0, "account_type"], df.loc[0, "ts"]) == ("UNIFIED", pd.Timestamp(1764731696945, unit="ms",
                                                                                      tz="UTC"))  # fmt: skip


def test_the_unified_ledger_reads_nanoseconds_and_upper_case_directions(make_client, cassette):
    client, sent = make_client("kucoin", uta=True)
    with cassette("kucoin/get_uta_ledger"):
        df = client.get_uta_ledger("UNIFIED", start_time=1768780800000, end_time=1768867200000, exact=True)
    assert sent.paths() == [
        "/api/ua/v2/account/ledger?accountType=UNIFIED&endAt=1768867200000&pageSize=200&startAt=1768780800000"
    ]
    # The example's second record is a day older than the day asked: left out, and counted.
    assert df["id"].tolist() == ["10000000002286107"] and df.attrs["coverage"]["out_of_range"] == 1
    row = df.iloc[0]
    assert row["ts"] == pd.Timestamp(1768780806739, unit="ms", tz="UTC")  # from nanoseconds
    assert (row["amount"], row["balance"], row["direction"]) == (Decimal("0.00262242"), Decimal("378.12022481286"),
                                                                 "IN")  # fmt: skip
    assert df.attrs["coverage"]["complete"] is True


def test_the_unified_ledger_in_the_shared_vocabulary(make_client, cassette):
    client, _ = make_client("kucoin", uta=True)
    with cassette("kucoin/get_uta_ledger"):  # the unified account's day, and the funding account's (empty)
        ledger = unified.ledger(client, 1768780800000, 1768867200000, errors="raise")
    row = ledger.iloc[0]
    assert (row["account"], row["type"], row["raw_type"], row["amount"], row["asset"]) == (
        "unified", "fee", "FUNDING_FEE", 0.00262242, "USDT")  # fmt: skip


def test_the_unified_fills_follow_the_answers_cursor(make_client, cassette):
    client, sent = make_client("kucoin", uta=True)
    with cassette("kucoin/get_uta_fills"):
        df = client.get_uta_fills(start_time=1768089600000, end_time=1768694400000, exact=True)
    assert sent.paths() == [
        "/api/ua/v2/unified/order/execution?endAt=1768694400000&pageSize=200&startAt=1768089600000&tradeType=SPOT"
    ]
    row = df.iloc[0]
    assert (row["trade_id"], row["order_id"], row["side"], row["fee_currency"]) == (
        "20408356621008896", "6964d6461aa08b0007067e24", "BUY", "USDT")  # fmt: skip
    assert (row["size"], row["price"], row["fee"]) == (Decimal("0.001"), Decimal("90488.1"), Decimal("0.0904881"))
    assert row["execution_time"] == pd.Timestamp(1768216134336, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["account_types"] == ["unified"]


def test_classic_calls_on_a_unified_client_are_refused_naming_the_method(make_client, no_network):
    client, sent = make_client("kucoin", uta=True)
    with pytest.raises(ConfigurationError, match=r"unified trading account .* use get_uta_balances\(\)"):
        client.get_accounts()
    with pytest.raises(ConfigurationError, match=r"get_account_ledgers does not read; use get_uta_ledger"):
        client.get_account_ledgers()
    assert not sent


@pytest.fixture(scope="module")
def newer():
    with sandbox.start(["kucoin"], newer_accounts=True, lifetime=300) as boxes:
        yield boxes


def test_a_unified_account_reads_end_to_end_and_reconciles(newer):
    client = sandbox_client(newer, "kucoin")
    key = client.describe_key()
    assert key.loc[0, "account_model"] == "unified" and bool(key.loc[0, "can_trade"])
    balances = unified.balances(client, errors="raise")
    assert set(balances["account"]) == {"unified", "funding"}
    account = newer.account("kucoin")
    now = pd.Timestamp.now(tz="UTC")
    ledger = unified.ledger(client, now - pd.Timedelta(days=40), now, errors="raise")
    assert set(ledger["account"]) <= {"unified", "funding"} and len(ledger) > 0
    assert ledger.attrs["complete"] == {"kucoin": True}
    trades = ledger[ledger["type"] == "trade"]
    assert len(trades) and (trades["account"] == "unified").all()
    # Every entry the sandbox booked in the range is there once, with its amount.
    booked = [e for e in account.entries if e.time >= (now - pd.Timedelta(days=40)).value // 1_000_000]
    assert len(ledger) == len(booked) and ledger["id"].is_unique
    unified_usdt = balances[(balances["account"] == "unified") & (balances["asset"] == "USDT")]["total"].iloc[0]
    assert unified_usdt == pytest.approx(account.balance("unified", "USDT"))
    assert client.get_accounts.__name__ == "get_accounts"
    with pytest.raises(ConfigurationError):
        client.get_accounts()  # known to be unified now: refused before anything is sent
