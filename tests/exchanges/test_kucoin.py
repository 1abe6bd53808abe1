"""KuCoin spot account against cassettes built from KuCoin's documented examples."""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import replace
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
from requests.adapters import HTTPAdapter

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_PASSPHRASE, FAKE_SECRET
from toolkit.core.http import Call, Reply
from toolkit.core.paging import MAX_IN_FLIGHT
from toolkit.core.ratelimit import Limit, RateLimiter
from toolkit.core.runner import dedupe_and_sort
from toolkit.core.signing import hmac_sha256_b64
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ConfirmationRequired,
    ExchangeUnavailable,
    InsufficientFunds,
    PermissionDenied,
    RateLimited,
)
from toolkit.exchanges.kucoin import ERRORS, KucoinClient, sign
from toolkit.exchanges.kucoin.endpoints import DEPOSITS, LEDGERS

D11 = pd.Timestamp("2024-10-11", tz="UTC")
D12 = pd.Timestamp("2024-10-12", tz="UTC")
SIGNED_HEADERS = ("KC-API-KEY", "KC-API-SIGN", "KC-API-TIMESTAMP", "KC-API-PASSPHRASE", "KC-API-KEY-VERSION")


def query(request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def is_str(series: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(series.dtype)


@pytest.fixture
def kucoin(make_client):
    # A classic account: the HF ledger has tests of its own (test_kucoin_hf.py).
    return make_client("kucoin", hf=False)


class FakeTime:
    """A clock that moves only when something sleeps: rate-limit waits are observed, not served."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def one_connection(client) -> None:
    """Windows still run in threads, but their HTTP goes through one pooled connection in turn.

    vcrpy replays unreliably when threads hold several pooled connections at once (a connection can
    try a real connect after a replayed error); the client's concurrency is tested without vcrpy below.
    """
    client.transport.session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True))


@pytest.fixture
def fake_time(kucoin) -> FakeTime:
    client, _ = kucoin
    time = FakeTime()
    client.limiter = RateLimiter(time.clock, time.sleep)
    client._sleep = time.sleep
    return time


# --------------------------------------------------------------------------- signing


def test_documented_signature_vector():
    # KU-OLD "Signing a Message", example for Create Deposit Address.
    call = Call("kucoin", "x", "POST", "https://api.kucoin.com", "/api/v1/deposit-addresses", body='{"currency":"BTC"}')
    assert sign("f03a5284-5c39-4aaa-9b20-dea10bdcf8e3", "1547015186532", call) == (
        "7QP/oM0ykidMdrfNEUmng8eZjg/ZvPafjIqmxiVfYu4="
    )


def test_passphrase_is_hmac_of_the_secret():
    # Not documented: the reference sheet's recomputation for the example's plaintext passphrase.
    assert hmac_sha256_b64("f03a5284-5c39-4aaa-9b20-dea10bdcf8e3", "Ab12345678)(*&^%$#@") == (
        "F2p2bNS1bBehHvC/Z4YkB7l1Wd0Pq2iV/oLHM/DyE+I="
    )


def test_query_is_signed_before_url_encoding():
    call = Call("kucoin", "x", "GET", "https://api.kucoin.com", "/api/v1/x", [("currency", "BTC,USDT"), ("p", "a!@#")])
    assert call.path_with_query == "/api/v1/x?currency=BTC%2CUSDT&p=a%21%40%23"
    assert sign("s", "1", call) == hmac_sha256_b64("s", "1GET/api/v1/x?currency=BTC,USDT&p=a!@#")


def test_get_request_is_signed_over_what_is_sent(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account_ledgers--one-page"):
        client.get_account_ledgers(["BTC", "USDT"], start_time=D11, end_time=D12, current_page=2, page_size=10)
    request = sent[0]
    headers = request.headers
    assert headers["KC-API-KEY"] == FAKE_KEY
    assert headers["KC-API-KEY-VERSION"] == "3"
    assert headers["KC-API-PASSPHRASE"] == hmac_sha256_b64(FAKE_SECRET, FAKE_PASSPHRASE)
    assert "currency=BTC%2CUSDT" in request.path_url
    prehash = headers["KC-API-TIMESTAMP"] + "GET" + request.path_url.replace("%2C", ",")
    assert headers["KC-API-SIGN"] == hmac_sha256_b64(FAKE_SECRET, prehash)


def test_post_signature_covers_the_body(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/withdraw"):
        client.withdraw(
            "USDT", "TKFRQXSDcY****GmLrjJggwX8", 3, is_inner=True, remark="this is Remark", chain="trx", confirm=True
        )
    request = sent[0]
    body = request.body.decode()
    assert body == (
        '{"currency":"USDT","toAddress":"TKFRQXSDcY****GmLrjJggwX8","amount":"3","withdrawType":"ADDRESS",'
        '"chain":"trx","isInner":true,"remark":"this is Remark"}'
    )
    prehash = request.headers["KC-API-TIMESTAMP"] + "POST/api/v3/withdrawals" + body
    assert request.headers["KC-API-SIGN"] == hmac_sha256_b64(FAKE_SECRET, prehash)


def test_key_version_2_header(make_client, cassette):
    client, sent = make_client("kucoin", key_version=2)
    with cassette("kucoin/get_accounts"):
        client.get_accounts()
    assert sent[0].headers["KC-API-KEY-VERSION"] == "2"
    assert sent[0].headers["KC-API-PASSPHRASE"] == hmac_sha256_b64(FAKE_SECRET, FAKE_PASSPHRASE)


def test_unusable_keys_are_refused_before_sending(no_network):
    with pytest.raises(ConfigurationError, match="version 3"):
        KucoinClient(tk.Credentials(FAKE_KEY, FAKE_SECRET, FAKE_PASSPHRASE), key_version=1)
    bare = tk.connect("kucoin", tk.Credentials(FAKE_KEY, FAKE_SECRET), sync_clock=False)
    with pytest.raises(ConfigurationError, match="passphrase"):
        bare.get_accounts()


def test_secrets_stay_out_of_repr_logs_and_errors(kucoin, cassette, caplog):
    client, _ = kucoin
    caplog.set_level(logging.DEBUG, logger="toolkit")
    with cassette("kucoin/get_accounts--bad-passphrase"), pytest.raises(AuthenticationError) as caught:
        client.get_accounts()
    encrypted = hmac_sha256_b64(FAKE_SECRET, FAKE_PASSPHRASE)
    for text in (repr(client), str(caught.value), caplog.text):
        for secret in (FAKE_SECRET, FAKE_PASSPHRASE, encrypted):
            assert secret not in text


# --------------------------------------------------------------------------- clock


def test_clock_is_measured_before_the_first_signed_request(make_client, cassette):
    client, sent = make_client("kucoin", sync_clock=True)
    with cassette("kucoin/get_accounts--clock-sync"):
        client.get_accounts()
    assert sent.paths() == ["/api/v1/timestamp", "/api/v1/accounts"]
    assert "KC-API-KEY" not in sent[0].headers  # server time is public
    assert abs(int(sent[1].headers["KC-API-TIMESTAMP"]) - 1729100692873) < 60_000


def test_expired_timestamp_resyncs_the_clock_once(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_accounts--timestamp-expired"):
        df = client.get_accounts()
    assert sent.paths() == ["/api/v1/accounts", "/api/v1/timestamp", "/api/v1/accounts"]
    assert client.clock.offset_ms < 0  # the documented server time is from 2024
    assert len(df) == 2


def test_get_server_time(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_server_time"):
        df = client.get_server_time()
    assert df.loc[0, "server_time"] == pd.Timestamp(1729100692873, unit="ms", tz="UTC")


# --------------------------------------------------------------------------- account


def test_get_accounts(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_accounts"):
        df = client.get_accounts()
        trade = client.get_accounts("USDT", "trade")
    assert list(df.columns) == ["id", "type", "currency", "balance", "available", "holds"]
    assert is_str(df["id"]) and df.dtypes["balance"] == "float64"
    assert df.loc[0, "id"] == "548674591753"
    assert df.loc[0, "available"] == 26.66759503
    assert df.loc[1, "type"] == "main"
    assert df.attrs["endpoint"] == "GET /api/v1/accounts"
    assert query(sent[1]) == {"currency": "USDT", "type": "trade"}
    assert trade["id"].tolist() == ["548674591753"]


def test_get_accounts_exact(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_accounts"):
        df = client.get_accounts(exact=True)
    assert df.loc[0, "balance"] == Decimal("26.66759503")


def test_get_account(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account"):
        df = client.get_account("548674591753")
    assert sent.paths() == ["/api/v1/accounts/548674591753"]
    assert df.to_dict("records") == [
        {"id": "548674591753", "currency": "USDT", "balance": 26.66759503, "available": 26.66759503, "holds": 0.0}
    ]


def test_get_account_summary(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account_summary"):
        summary = client.get_account_summary()
    assert summary.loc[0, "sub_quantity"] == 3 and summary.dtypes["level"] == "Int64"
    assert sent.paths() == ["/api/v2/user-info"]  # describe_key: tests/exchanges/test_kucoin_uta.py


def test_get_basic_user_fee(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_basic_user_fee"):
        df = client.get_basic_user_fee()
        client.get_basic_user_fee("fiat")
    assert df.to_dict("records") == [{"taker_fee_rate": 0.001, "maker_fee_rate": 0.001}]
    assert query(sent[0]) == {} and query(sent[1]) == {"currencyType": "1"}


def test_get_symbol_trading_fees(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_symbol_trading_fees"):
        df = client.get_symbol_trading_fees(["BTC-USDT", "ETH-USDT"])
    assert query(sent[0]) == {"symbols": "BTC-USDT,ETH-USDT"}
    assert df["symbol"].tolist() == ["BTC-USDT", "ETH-USDT"]
    assert df.dtypes["taker_fee_rate"] == "float64"
    assert "sell_tax_rate" in df.columns  # documented, absent in the example: present and empty
    assert df["sell_tax_rate"].isna().all()


def test_get_symbol_trading_fees_splits_into_tens(kucoin, cassette):
    client, sent = kucoin
    symbols = [f"S{n}-USDT" for n in range(10)] + ["BTC-USDT", "ETH-USDT"]
    with cassette("kucoin/get_symbol_trading_fees--many"):
        df = client.get_symbol_trading_fees(symbols)
    assert [len(query(r)["symbols"].split(",")) for r in sent] == [10, 2]
    assert df["symbol"].tolist() == symbols
    assert df.index.tolist() == list(range(12))


def test_get_transferable(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_transferable"):
        df = client.get_transferable("USDT", "main")
    assert query(sent[0]) == {"currency": "USDT", "type": "MAIN"}
    assert df.loc[0, "transferable"] == 10.5


def test_get_user_info_reads_v2_sub_users(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_user_info"):
        df = client.get_user_info()
    assert sent.paths() == ["/api/v2/sub/user?currentPage=1&pageSize=100"]
    row = df.iloc[0]
    assert (row["user_id"], row["uid"], row["sub_name"], row["status"]) == (
        "63743f07e0c5230001761d08",
        "169579801",
        "testapi6",
        2,
    )
    assert row["trade_types"] == ["Spot", "Futures", "Margin"]
    assert row["created_at"] == pd.Timestamp(1668562696000, unit="ms", tz="UTC")
    assert pd.isna(row["hosted_status"])


# --------------------------------------------------------------------------- margin


def test_get_margin_account_spreads_currencies(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_margin_account"):
        df = client.get_margin_account()
    assert sent.paths() == ["/api/v3/margin/accounts?quoteCurrency=USDT"]
    row = df.iloc[0]
    assert (row["currency"], row["hold"], row["max_borrow_size"]) == ("USDT", 18.66939173, 163.0)
    assert (row["total_asset_of_quote_currency"], row["status"]) == (40.8648372, "EFFECTIVE")
    assert df.dtypes["borrow_enabled"] == "boolean"


def test_get_isolated_margin_accounts(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_isolated_margin_accounts"):
        df = client.get_isolated_margin_accounts()
    with cassette("kucoin/get_isolated_margin_account"):
        one = client.get_isolated_margin_account("BTC-USDT")
    assert query(sent[1]) == {"symbol": "BTC-USDT", "quoteCurrency": "USDT"}
    row = df.iloc[0]
    assert (row["symbol"], row["base_asset_currency"], row["quote_asset_currency"]) == ("BTC-USDT", "BTC", "USDT")
    assert row["quote_asset_liability_interest"] == 0.00000003
    assert row["timestamp"] == pd.Timestamp(1747303659773, unit="ms", tz="UTC")
    assert df.dtypes["quote_asset_borrow_enabled"] == "boolean"
    assert one.equals(df)


def test_margin_answers_in_the_legacy_pages_shapes_are_read_to_the_digit(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_margin_account--legacy-envelope"):  # {"success": true, "code": "200", ...}
        cross = client.get_margin_account(exact=True)
    row = cross.iloc[0]
    assert (row["currency"], row["borrowed"], row["total_asset"], row["available"]) == (
        "BTC", Decimal("0.976"), Decimal("1.00"), Decimal("0.024"))  # fmt: skip
    assert (row["status"], row["debt_ratio"], row["repay_enabled"]) == ("LIQUIDATION", Decimal("0.976"), True)
    with cassette("kucoin/get_isolated_margin_accounts--legacy-list"):  # data as a list of answers
        isolated = client.get_isolated_margin_accounts(exact=True)
    row = isolated.iloc[0]
    assert (row["symbol"], row["base_asset_currency"], row["quote_asset_max_borrow_size"]) == (
        "MANA-USDT", "MANA", Decimal("50000"))  # fmt: skip
    assert row["total_asset_of_quote_currency"] == Decimal("3.4939947")
    assert row["timestamp"] == pd.Timestamp(1668062174000, unit="ms", tz="UTC")


def test_risk_limits(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_risk_limit_cross_margin"):
        cross = client.get_risk_limit_cross_margin()
    with cassette("kucoin/get_risk_limit_isolated_margin"):
        isolated = client.get_risk_limit_isolated_margin()
    assert [query(r) for r in sent] == [{"isIsolated": "false"}, {"isIsolated": "true"}]
    assert (cross.loc[0, "currency"], cross.loc[0, "borrow_max_amount"], cross.loc[0, "precision"]) == ("BTC", 75.15, 8)
    # The documented example answers isIsolated=true with cross fields: the isolated columns exist, empty.
    assert isolated.dtypes["base_max_borrow_amount"] == "float64"
    assert isolated["base_max_borrow_amount"].isna().all()


# --------------------------------------------------------------------------- ledgers


def test_get_account_ledgers_one_window(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account_ledgers"):
        df = client.get_account_ledgers(start_time=D11, end_time="2024-10-12T00:00:00Z")
    assert query(sent[0]) == {
        "startAt": "1728604800000",
        "endAt": "1728691200000",
        "currentPage": "1",
        "pageSize": "500",
    }
    assert list(df.columns) == [
        "id",
        "currency",
        "amount",
        "fee",
        "balance",
        "account_type",
        "biz_type",
        "direction",
        "created_at",
        "context",
    ]
    row = df.iloc[0]
    assert (row["id"], row["amount"], row["biz_type"], row["account_type"]) == (
        "265329987780896",
        0.01,
        "SUB_TRANSFER",
        "TRADE",
    )
    assert row["created_at"] == pd.Timestamp(1728658481484, unit="ms", tz="UTC")
    coverage = df.attrs["coverage"]
    assert (coverage["start"], coverage["end"], coverage["windows"], coverage["pages"], coverage["complete"]) == (
        D11,
        D12,
        1,
        1,
        True,
    )


def test_ledger_over_windows_and_pages_returns_each_record_once_in_order(kucoin, cassette):
    client, sent = kucoin
    one_connection(client)
    with cassette("kucoin/get_account_ledgers--pages-and-windows"):
        df = client.get_account_ledgers(start_time="2024-10-10", end_time="2024-10-12T12:00:00Z", page_size=10)
    windows = sorted({(int(query(r)["startAt"]), int(query(r)["endAt"])) for r in sent})
    assert [(hi - lo) / 3_600_000 for lo, hi in windows] == [24, 24, 12]
    assert windows[0][0] == 1728518400000 and windows[-1][1] == 1728734400000
    assert sorted(query(r)["currentPage"] for r in sent) == ["1", "1", "1", "2"]
    assert len(df) == 14 and df["id"].is_unique
    assert df["created_at"].is_monotonic_increasing
    assert df.iloc[0]["created_at"] == pd.Timestamp("2024-10-10 01:00", tz="UTC")
    assert df.iloc[-1]["id"] == "265329987780900"
    assert "265329987780896" in set(df["id"])
    assert df.index.tolist() == list(range(14))
    coverage = df.attrs["coverage"]
    assert (coverage["windows"], coverage["pages"], coverage["complete"]) == (3, 4, True)
    assert coverage["end"] == pd.Timestamp("2024-10-12 12:00", tz="UTC")


def test_ledger_failing_part_way_raises_instead_of_returning_partial(kucoin, cassette):
    client, _ = kucoin
    client.max_retries = 0
    one_connection(client)
    with cassette("kucoin/get_account_ledgers--error-mid-fetch"), pytest.raises(ExchangeUnavailable) as caught:
        client.get_account_ledgers(start_time="2024-10-10", end_time="2024-10-12T12:00:00Z")
    err = caught.value
    assert (err.code, err.http_status, err.message) == ("500000", 500, "Internal Server Error")
    assert any("of 3 windows; nothing was returned" in note for note in err.__notes__)


def test_concurrent_windows_failing_part_way_raise(kucoin):
    client, _ = kucoin
    client.max_retries = 0
    empty = b'{"code":"200000","data":{"currentPage":1,"pageSize":500,"totalNum":0,"totalPage":0,"items":[]}}'

    def send(call):
        failing = dict(call.params)["startAt"] == 1728604800000 + 5 * 86_400_000
        content = b'{"code":"500000","msg":"Internal Server Error"}' if failing else empty
        return Reply(500 if failing else 200, {}, content)

    client.transport.send = send
    with pytest.raises(ExchangeUnavailable) as caught:
        client.get_account_ledgers(start_time=D11, end_time=D11 + pd.Timedelta(days=30))
    assert caught.value.code == "500000"
    assert any("of 30 windows; nothing was returned" in note for note in caught.value.__notes__)


def test_ledger_windows_in_flight_are_what_the_pools_quota_allows():
    # KuCoin documents a quota per pool (2000 a 30 s for Management, the ledger weighs 2), no cap on
    # requests at once: all of a year's windows may start together, up to the client's connections.
    assert LEDGERS.window is not None and LEDGERS.window.max_span_ms == 86_400_000
    assert LEDGERS.limits[0].key == "kucoin:management" and LEDGERS.limits[0].weight == 2
    assert LEDGERS.in_flight(366) == MAX_IN_FLIGHT == 32
    assert (LEDGERS.in_flight(5), LEDGERS.in_flight(1)) == (5, 1)
    tight = replace(LEDGERS, limits=(Limit("kucoin:management", 10, 30.0, 4),))
    assert tight.in_flight(366) == 2  # 10 units a window, 4 a request: two start at once


def test_a_year_of_ledger_is_fetched_concurrently(kucoin):
    client, _ = kucoin
    in_flight, peak, windows = 0, 0, []
    lock = threading.Lock()

    def send(call):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            windows.append(dict(call.params)["startAt"])
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        return Reply(
            200, {}, b'{"code":"200000","data":{"currentPage":1,"pageSize":500,"totalNum":0,"totalPage":0,"items":[]}}'
        )

    client.transport.send = send
    df = client.get_account_ledgers(start_time="2024-01-01", end_time="2025-01-01")
    assert len(windows) == len(set(windows)) == 366
    assert 8 < peak <= MAX_IN_FLIGHT  # more than the fixed 8 it once was, no more than its connections
    assert df.empty and list(df.columns)[:2] == ["id", "currency"]
    assert df.attrs["coverage"]["windows"] == 366 and df.attrs["coverage"]["complete"] is True


def test_ledger_single_page_as_sent(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account_ledgers--one-page"):
        df = client.get_account_ledgers(["BTC", "USDT"], start_time=D11, end_time=D12, current_page=2, page_size=10)
    assert query(sent[0]) == {
        "currency": "BTC,USDT",
        "startAt": "1728604800000",
        "endAt": "1728691200000",
        "currentPage": "2",
        "pageSize": "10",
    }
    assert df.attrs["page"] == {"currentPage": 2, "pageSize": 10, "totalNum": 11, "totalPage": 2}
    assert "coverage" not in df.attrs
    assert len(df) == 1


def test_get_account_ledger_filters_the_current_endpoint_to_the_account(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_account_ledger"):
        df = client.get_account_ledger("548674591753", start_time=D11, end_time=D12)
    assert [urlsplit(r.url).path for r in sent] == ["/api/v1/accounts", "/api/v1/accounts/ledgers"]
    assert query(sent[1])["currency"] == "USDT"
    assert df["id"].tolist() == ["265329987780896"]
    assert df.attrs["account_id"] == "548674591753"
    assert df.attrs["coverage"]["windows"] == 1


def test_get_account_ledger_unknown_account(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_accounts"), pytest.raises(ConfigurationError, match="no account 'nope'"):
        client.get_account_ledger("nope", start_time=D11, end_time=D12)


def test_history_arguments_are_checked_before_sending(kucoin, no_network):
    client, _ = kucoin
    with pytest.raises(ConfigurationError, match="page_size"):
        client.get_account_ledgers(page_size=501)
    with pytest.raises(ConfigurationError, match="after end_time"):
        client.get_deposits("USDT", start_time="2024-02-01", end_time="2024-01-01")
    with pytest.raises(ConfigurationError, match="current_page"):
        client.get_withdrawals("USDT", current_page=0)


# --------------------------------------------------------------------------- deposits and withdrawals


def test_get_deposits(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_deposits"):
        df = client.get_deposits("USDT", start_time="2024-07-01", end_time="2024-07-31")
    assert query(sent[0]) == {
        "currency": "USDT",
        "startAt": "1719792000000",
        "endAt": "1722384000000",
        "currentPage": "1",
        "pageSize": "500",
    }
    row = df.iloc[0]
    assert (row["chain"], row["amount"], bool(row["is_inner"]), bool(row["arrears"])) == ("trx", 6.0, True, False)
    assert pd.isna(row["wallet_tx_id"]) and is_str(df["wallet_tx_id"])
    assert row["created_at"] == pd.Timestamp(1721730920000, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["windows"] == 1


def test_deposits_without_id_are_deduplicated_by_content():
    frame = pd.DataFrame({"currency": ["A", "A", "B"], "created_at": [2, 2, 1]})
    out = dedupe_and_sort(DEPOSITS, frame)
    assert out["currency"].tolist() == ["B", "A"]


def test_get_historical_deposits(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_historical_deposits"):
        df = client.get_historical_deposits("BTC", start_time="2018-06-01", end_time="2018-06-30")
    assert urlsplit(sent[0].url).path == "/api/v1/hist-deposits"
    # createAt comes in seconds.
    assert df.loc[0, "create_at"] == pd.Timestamp(1528536998, unit="s", tz="UTC")
    assert df.loc[0, "amount"] == 0.03266638


def test_get_withdrawals(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_withdrawals"):
        df = client.get_withdrawals("XRP", start_time="2022-10-01", end_time="2022-10-31")
    assert query(sent[0])["currency"] == "XRP"
    row = df.iloc[0]
    assert (row["id"], row["amount"], row["fee"], row["memo"]) == ("63564dbbd17bef00019371fb", 20.5, 0.5, "1919537769")
    assert row["updated_at"] == pd.Timestamp(1666600511000, unit="ms", tz="UTC")


def test_get_historical_withdrawals(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_historical_withdrawals"):
        df = client.get_historical_withdrawals("BTC", start_time="2018-05-01", end_time="2018-05-31")
    assert df.loc[0, "address"] == "33xW37ZSW4tQvg443Pc7NLCAs167Yc2XUV"
    assert df.loc[0, "create_at"] == pd.Timestamp(1526723468, unit="s", tz="UTC")


def test_get_withdrawal_quotas(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_withdrawal_quotas"):
        df = client.get_withdrawal_quotas("BTC")
    assert query(sent[0]) == {"currency": "BTC"}
    row = df.iloc[0]
    assert (row["limit_btc_amount"], row["withdraw_min_fee"], row["precision"]) == (15.79590095, 0.0005, 8)
    assert bool(row["is_withdraw_enabled"]) is True and pd.isna(row["reason"])


def test_deposit_addresses_use_v3(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_deposit_address"):
        one = client.get_deposit_address("USDT", "trx")
    with cassette("kucoin/get_deposit_addresses"):
        every = client.get_deposit_addresses("USDT")
    assert [query(r) for r in sent] == [{"currency": "USDT", "chain": "trx"}, {"currency": "USDT"}]
    assert {urlsplit(r.url).path for r in sent} == {"/api/v3/deposit-addresses"}
    assert one.loc[0, "address"] == "TSv3L1fS7yA3SxzKD8c1qdX4nLP6rqNxYz"
    assert every["chain_name"].tolist() == ["TRC20", "ERC20"]
    assert every.dtypes["expiration_date"] == "Int64"


# --------------------------------------------------------------------------- money-moving


@pytest.mark.parametrize(
    ("call", "args", "path"),
    [
        ("withdraw", ("USDT", "T" * 34, 5), "/api/v3/withdrawals"),
        ("inner_transfer", ("USDT", "main", "trade", 1), "/api/v3/accounts/universal-transfer"),
        ("cancel_withdrawal", ("670deec84d64da0007d7c946",), "/api/v1/withdrawals/670deec84d64da0007d7c946"),
        ("create_deposit_address", ("TON", "ton"), "/api/v3/deposit-address/create"),
    ],
)
def test_every_money_moving_call_needs_confirm(kucoin, no_network, call, args, path):
    client, sent = kucoin
    with pytest.raises(ConfirmationRequired) as caught:
        getattr(client, call)(*args)
    assert sent == []
    assert caught.value.request["path"] == path
    assert FAKE_SECRET not in str(caught.value) and FAKE_PASSPHRASE not in str(caught.value)


def test_inner_transfer_generates_a_client_order_id(kucoin, no_network):
    client, _ = kucoin
    with pytest.raises(ConfirmationRequired) as caught:
        client.inner_transfer("USDT", "main", "trade", "0.01")
    body = caught.value.request["body"]
    assert body["clientOid"].startswith("tk") and len(body["clientOid"]) == 26
    assert (body["type"], body["fromAccountType"], body["toAccountType"]) == ("INTERNAL", "MAIN", "TRADE")


def test_inner_transfer_confirmed(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/inner_transfer"):
        df = client.inner_transfer(
            "USDT", "main", "trade", Decimal("0.01"), client_order_id="64ccc0f164781800010d8c09", confirm=True
        )
    assert json.loads(sent[0].body) == {
        "clientOid": "64ccc0f164781800010d8c09",
        "type": "INTERNAL",
        "currency": "USDT",
        "amount": "0.01",
        "fromAccountType": "MAIN",
        "toAccountType": "TRADE",
    }
    assert df.to_dict("records") == [{"order_id": "6705f7248c6954000733ecac", "client_oid": "64ccc0f164781800010d8c09"}]


def test_withdraw_confirmed(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/withdraw"):
        df = client.withdraw(
            "USDT", "TKFRQXSDcY****GmLrjJggwX8", "3", is_inner=True, remark="this is Remark", chain="trx", confirm=True
        )
    assert sent.paths() == ["/api/v3/withdrawals"]
    assert df.to_dict("records") == [{"withdrawal_id": "670deec84d64da0007d7c946"}]


def test_cancel_withdrawal_and_create_deposit_address(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/cancel_withdrawal"):
        cancelled = client.cancel_withdrawal("670deec84d64da0007d7c946", confirm=True)
    with cassette("kucoin/create_deposit_address"):
        created = client.create_deposit_address("TON", "ton", confirm=True)
    assert sent[0].method == "DELETE"
    assert cancelled.to_dict("records") == [{"withdrawal_id": "670deec84d64da0007d7c946"}]
    assert json.loads(sent[1].body) == {"currency": "TON", "chain": "ton"}
    assert (created.loc[0, "memo"], created.loc[0, "chain_name"], created.loc[0, "to"]) == (
        "2090821203",
        "TON",
        "TRADE",
    )


def test_bad_arguments_are_refused_before_sending(kucoin, no_network):
    client, _ = kucoin
    with pytest.raises(ConfigurationError, match="positive"):
        client.withdraw("USDT", "T", -1, confirm=True)
    with pytest.raises(ConfigurationError, match="tag"):
        client.inner_transfer("USDT", "main", "isolated", 1, confirm=True)
    with pytest.raises(ConfigurationError, match="asset_type"):
        client.get_basic_user_fee("stocks")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="at least one"):
        client.get_symbol_trading_fees([])


def test_insufficient_funds_is_not_retried(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/withdraw--insufficient"), pytest.raises(InsufficientFunds) as caught:
        client.withdraw(
            "USDT",
            "TKFRQXSDcY****GmLrjJggwX8",
            3000000,
            is_inner=True,
            remark="this is Remark",
            chain="trx",
            confirm=True,
        )
    assert (caught.value.code, caught.value.message) == ("400100", "account.available.amount")
    assert len(sent) == 1 and client.sleeps == []


# --------------------------------------------------------------------------- errors and rate limits


def test_error_table_maps_kucoin_codes():
    assert ERRORS["400005"] is AuthenticationError
    assert ERRORS["400002"] is AuthenticationError
    assert ERRORS["400007"] is PermissionDenied
    assert ERRORS["429000"] is RateLimited
    assert KucoinClient.errors.timestamp == {"400002"}


def test_bad_signature(kucoin, cassette):
    client, sent = kucoin
    with cassette("kucoin/get_accounts--bad-signature"), pytest.raises(AuthenticationError) as caught:
        client.get_accounts()
    err = caught.value
    assert (err.exchange, err.endpoint, err.http_status, err.code) == ("kucoin", "GET /api/v1/accounts", 401, "400005")
    assert str(err) == "kucoin GET /api/v1/accounts, HTTP 401, code 400005: Invalid KC-API-SIGN"
    assert len(sent) == 1


def test_bad_passphrase_and_permission(kucoin, cassette):
    client, _ = kucoin
    with cassette("kucoin/get_accounts--bad-passphrase"), pytest.raises(AuthenticationError, match="400004"):
        client.get_accounts()
    with cassette("kucoin/get_accounts--permission"), pytest.raises(PermissionDenied) as caught:
        client.get_accounts()
    assert caught.value.message == "Access denied, requires more permission."


def test_429000_waits_for_the_pool_reset_then_succeeds(kucoin, cassette, fake_time):
    client, sent = kucoin
    with cassette("kucoin/get_accounts--rate-limit"):
        df = client.get_accounts()
    assert fake_time.slept == [1.489]  # gw-ratelimit-reset is in milliseconds
    assert len(sent) == 2 and len(df) == 2


def test_429000_carries_the_reset_as_retry_after(kucoin, cassette):
    client, _ = kucoin
    client.max_retries = 0
    with cassette("kucoin/get_accounts--rate-limit"), pytest.raises(RateLimited) as caught:
        client.get_accounts()
    assert caught.value.retry_after == pytest.approx(1.489)
    assert caught.value.code == "429000"


def test_low_quota_holds_the_pool_until_reset(kucoin, cassette, fake_time):
    client, sent = kucoin
    with cassette("kucoin/get_accounts--quota-low"):
        client.get_accounts()
        client.get_accounts("USDT", "trade")
    assert fake_time.slept == [2.5]
    assert len(sent) == 2


def test_ample_quota_does_not_wait(kucoin, cassette, fake_time):
    client, _ = kucoin
    with cassette("kucoin/get_accounts"):
        client.get_accounts()
        client.get_accounts("USDT", "trade")
    assert fake_time.slept == []


def test_html_error_page_becomes_unavailable_after_retries(kucoin, cassette, fake_time):
    client, sent = kucoin
    with (
        cassette("kucoin/get_accounts--html-502", allow_playback_repeats=True),
        pytest.raises(ExchangeUnavailable) as caught,
    ):
        client.get_accounts()
    assert caught.value.http_status == 502
    assert "502 Bad Gateway" in caught.value.message
    assert len(sent) == 1 + client.max_retries


def test_registry_and_signed_headers_present(kucoin, cassette):
    client, sent = kucoin
    assert isinstance(client, KucoinClient)
    with cassette("kucoin/get_accounts"):
        client.get_accounts()
    assert all(name in sent[0].headers for name in SIGNED_HEADERS)
