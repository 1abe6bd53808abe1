"""KuCoin high-frequency (HF) trade accounts: their ledger joins the classic one, or the fetch raises."""

from __future__ import annotations

import pandas as pd
import pytest

import toolkit.exchanges.kucoin.client as kucoin_client
from toolkit.errors import OutOfReach
from toolkit.sandbox.account import Entry

START, END = 1728400000000, 1728659000000


def test_one_ledger_holds_the_classic_and_the_hf_account(make_client, cassette, monkeypatch):
    monkeypatch.setattr(kucoin_client, "now_ms", lambda: END + 60_000)  # the documented examples' days are "now"
    client, sent = make_client("kucoin")
    with cassette("kucoin/get_account_ledgers--hf"):
        df = client.get_account_ledgers(start_time=START, end_time=END)
    assert sent[0].path_url == "/api/v1/hf/accounts/opened"
    assert df["id"].tolist() == ["254062248624417", "265329987780896"]  # oldest first, across both
    assert df["account_type"].tolist() == ["TRADE_HF", "TRADE"]
    hf = df.iloc[0]
    assert (hf["amount"], hf["fee"], hf["balance"], hf["tax"]) == (1.5976008, 0.0015992, 26.73759503, 0.0)
    assert hf["created_at"] == pd.Timestamp(1728443957539, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["account_types"] == ["main", "trade", "margin", "trade_hf"]
    assert df.attrs["coverage"]["windows"] == 3
    hf_requests = [r for r in sent if r.path_url.startswith("/api/v1/hf/accounts/ledgers")]
    assert len(hf_requests) == 1 and "limit=200" in hf_requests[0].path_url


def test_a_range_the_hf_ledger_does_not_reach_raises(make_client, cassette, monkeypatch):
    monkeypatch.setattr(kucoin_client, "now_ms", lambda: END + 60_000)
    client, sent = make_client("kucoin")
    with cassette("kucoin/get_account_ledgers--hf"), pytest.raises(OutOfReach, match="last 3 days") as caught:
        client.get_account_ledgers(start_time=START - 2 * 86_400_000, end_time=END)
    assert "hf=False" in str(caught.value)
    assert [r.path_url for r in sent] == ["/api/v1/hf/accounts/opened"]  # nothing else was fetched


def test_hf_false_reads_the_classic_ledger_alone(make_client, cassette):
    client, sent = make_client("kucoin", hf=False)
    with cassette("kucoin/get_account_ledgers"):
        df = client.get_account_ledgers(start_time="2024-10-11", end_time="2024-10-12")
    assert df.attrs["coverage"]["account_types"] == ["main", "trade", "margin"]
    assert all("/hf/" not in r.path_url for r in sent)


def test_on_the_sandbox_the_hf_ledger_follows_last_id_to_the_end(fresh):
    boxes, client = fresh("kucoin")
    app, account = boxes.server("kucoin").app, boxes.account("kucoin")
    app.hf = True
    now = app.now_ms()
    account.transfer(now - 3_600_000, "USDT", 100.0, "trade", "trade_hf")
    for n in range(450):  # more than two pages of 200
        account.book(Entry(now - 3_000_000 + n, "trade_hf", "USDT", -0.01, 0.0, "trade", "buy", f"hf-{n}"))
    df = client.get_account_ledgers(start_time=now - 2 * 3_600_000)
    hf = df[df["account_type"] == "TRADE_HF"]
    assert len(hf) == 451 and hf["id"].is_unique
    assert (df["account_type"] == "TRADE").sum() == 1  # the transfer's out side, in the classic ledger
    lasts = [r.query.get("lastId") for r in boxes.server("kucoin").requests if r.path.endswith("/hf/accounts/ledgers")]
    assert lasts[0] is None and len(lasts) == 3 and all(lasts[1:])
    assert hf["balance"].iloc[-1] == pytest.approx(100.0 - 4.5)
