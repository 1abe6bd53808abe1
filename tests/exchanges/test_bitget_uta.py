"""Bitget unified trading accounts (UTA, API v3): the probe, the documented examples, the sandbox."""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd
import pytest

import toolkit.exchanges.bitget.client as bitget_client
from toolkit import unified
from toolkit.errors import ConfigurationError, InvalidRequest, OutOfReach

RECORDED = 1745900000000 + 60_000  # "now" for the documented financial record (90-day reach)


def test_a_classic_key_on_v3_makes_the_probe_say_classic(make_client, cassette):
    client, sent = make_client("bitget")
    with cassette("bitget/is_uta"):
        assert client.is_uta() is False
        assert client.is_uta() is False
    assert [r.path_url for r in sent] == ["/api/v3/account/assets"]  # asked once


def test_uta_assets_parse_the_documented_example(make_client, cassette):
    client, _ = make_client("bitget")
    with cassette("bitget/get_uta_assets--unified", allow_playback_repeats=True):
        assert client.is_uta() is True
        df = client.get_uta_assets()
        balances = unified.balances(client)
    assert df.to_dict("records") == [
        {"coin": "USDT", "equity": 6.19300826, "usd_value": 6.19299777, "balance": 6.19300826,
         "available": 6.19300826, "debt": 0.0, "locked": 0.0, "account_equity": 11.13919278,
         "usdt_equity": 11.13921165, "btc_equity": 0.00011256, "unrealised_pnl": 0.0, "usdt_unrealised_pnl": 0.0,
         "btc_unrealized_pnl": 0.0, "eff_equity": 6.19299777, "mmr": 0.0, "imr": 0.0, "mgn_ratio": 0.0,
         "position_mgn_ratio": 0.0}
    ]  # fmt: skip
    row = balances.iloc[0]
    assert (row["account"], row["asset"], row["free"], row["locked"], row["total"]) == (
        "unified", "USDT", 6.19300826, 0.0, 6.19300826)  # fmt: skip


def test_financial_records_parse_the_documented_example(make_client, cassette, monkeypatch):
    monkeypatch.setattr(bitget_client, "now_ms", lambda: RECORDED)
    client, sent = make_client("bitget", uta=True)
    with cassette("bitget/get_financial_records--unified", allow_playback_repeats=True):
        df = client.get_financial_records(start_time=1745800000000, end_time=1745900000000)
        ledger = unified.ledger(client, 1745800000000, 1745900000000)
    record = df.iloc[0]
    assert (record["id"], record["category"], record["coin"], record["type"]) == (
        "13111111111111111", "Margin", "BTC", "ORDER_DEALT_IN")  # fmt: skip
    assert (record["amount"], record["fee"], record["balance"]) == (0.00531168, -0.00000531, 55.10017801)
    assert record["ts"] == pd.Timestamp(1745853486185, unit="ms", tz="UTC")
    assert df["ts"].dtype == "datetime64[ns, UTC]"
    # One short page (no cursor followed), read once: the second read of the settled window is the session's.
    assert sum("financial-records" in r.path_url for r in sent) == 1
    entry = ledger.iloc[0]
    assert (entry["account"], entry["type"], entry["fee"], entry["asset"]) == ("unified", "trade", 0.00000531, "BTC")


def test_financial_records_older_than_90_days_raise_before_asking(make_client, no_network, monkeypatch):
    monkeypatch.setattr(bitget_client, "now_ms", lambda: RECORDED)
    client, sent = make_client("bitget", uta=True)
    with pytest.raises(OutOfReach, match="90 days"):
        client.get_financial_records(start_time=RECORDED - 91 * 86_400_000)
    assert sent == []


def test_uta_deposits_and_withdrawals_parse_the_documented_examples(make_client, cassette):
    client, _ = make_client("bitget", uta=True)
    span = {"start_time": 1740400000000, "end_time": 1740500000000}
    with cassette("bitget/get_uta_deposit_records--unified"):
        deposits = unified.deposits(client, span["start_time"], span["end_time"])
    with cassette("bitget/get_uta_withdrawal_records--unified", allow_playback_repeats=True):
        raw = client.get_uta_withdrawal_records(**span)
        withdrawals = unified.withdrawals(client, span["start_time"], span["end_time"])
    d = deposits.iloc[0]
    assert (d["id"], d["txid"], d["asset"], d["amount"], d["network"]) == (
        "1278112570963742720", "1278112570963742720", "USDT", 1.0, "erc20")  # fmt: skip
    assert pd.isna(d["fee"]) and d["account"] == "unified"
    assert raw.loc[0, "client_oid"] == "12121212112" and raw.loc[0, "confirm"] == "5"
    w = withdrawals.iloc[0]
    assert (w["amount"], w["fee"], w["fee_asset"]) == (100.0, 10.0, "USDT")
    assert w["time"] == pd.Timestamp(1740451703778, unit="ms", tz="UTC")


# --------------------------------------------------------------------------- the sandbox


@pytest.fixture
def uta_box(fresh):
    boxes, client = fresh("bitget")
    boxes.server("bitget").app.uta = True
    return boxes, client


def test_on_the_sandbox_a_unified_account_is_read_from_v3(uta_box):
    boxes, client = uta_box
    account = boxes.account("bitget")
    now = boxes.server("bitget").app.now_ms()
    for n in range(230):  # more than two pages of 100
        account.transfer(now - 3_600_000 + n, "USDT", 1.0, "spot", "usdt_futures")
    assert client.is_uta() is True
    ledger = unified.ledger(client, now - 2 * 3_600_000, now)
    assert len(ledger) == 230 and ledger["id"].is_unique
    assert set(ledger["account"]) == {"unified"} and set(ledger["type"]) == {"transfer"}
    assert (ledger["amount"] == -1.0).all()
    cursors = [r.query.get("cursor") for r in boxes.server("bitget").requests if r.path.endswith("financial-records")]
    assert cursors[0] is None and len(cursors) == 3 and all(cursors[1:])
    held = unified.balances(client).set_index("asset")["total"]
    assert held["USDT"] == pytest.approx(account.balance("spot", "USDT"))


def test_on_the_sandbox_a_unified_key_on_a_classic_endpoint_is_refused(uta_box):
    _, client = uta_box
    with pytest.raises(InvalidRequest, match="40085"):
        client.get_balances()


def test_describe_key_of_a_unified_account_reads_the_v3_account_info(make_client, cassette):
    client, sent = make_client("bitget")
    with cassette("bitget/describe_key--unified"):
        key = client.describe_key()
    assert [r.path_url for r in sent] == ["/api/v3/account/assets", "/api/v3/account/info"]  # never v2's 40085
    row = key.iloc[0]
    assert (row["account"], row["account_model"], row["ip_whitelist"]) == ("123456789", "unified",
                                                                           "192.168.1.1,192.168.1.2")  # fmt: skip
    assert row["permissions"] == ["uta_mgt", "uta_trade", "withdraw", "copy_futures_position", "copy_futures_order"]
    assert bool(row["can_trade"]) is True and bool(row["can_withdraw"]) is True


def test_the_uta_fee_rate_is_read_to_the_digit(make_client, cassette):
    client, sent = make_client("bitget", uta=True)
    with cassette("bitget/get_uta_fee_rate"):
        rate = client.get_uta_fee_rate("BTCUSDT", exact=True)
    assert sent.paths() == ["/api/v3/account/fee-rate?category=SPOT&symbol=BTCUSDT"]
    assert rate.to_dict("records") == [
        {"symbol": "BTCUSDT", "maker_fee_rate": Decimal("0.0008"), "taker_fee_rate": Decimal("0.0008")}
    ]


@pytest.mark.parametrize(
    ("call", "instead"),
    [(lambda c: c.get_balances(), "get_uta_assets()"), (lambda c: c.get_bills(), "get_financial_records()"),
     (lambda c: c.get_deposit_history(), "get_uta_deposit_records()"),
     (lambda c: c.get_withdrawal_history(), "get_uta_withdrawal_records()"),
     (lambda c: c.get_api_key_info(), "get_uta_account_info()"),
     (lambda c: c.get_user_fee_ratio("BTCUSDT"), "get_uta_fee_rate()")],
)  # fmt: skip
def test_classic_calls_on_a_unified_client_are_refused_before_sending(make_client, no_network, call, instead):
    client, sent = make_client("bitget", uta=True)
    with pytest.raises(ConfigurationError, match=re.escape(f"use {instead}")):
        call(client)
    assert not sent


def test_a_40085_answer_teaches_the_client_and_names_the_method(make_client, cassette):
    client, sent = make_client("bitget")
    with cassette("bitget/get_balances--unified-account"), pytest.raises(InvalidRequest) as caught:
        client.get_balances()
    assert caught.value.code == "40085" and "Unified Account mode" in caught.value.message
    assert any("use get_uta_assets()" in note for note in caught.value.__notes__)
    assert client.uta is True
    with pytest.raises(ConfigurationError, match="use get_financial_records"):
        client.get_bills()  # now refused before anything is sent
    assert len(sent) == 1
