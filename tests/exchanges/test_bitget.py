"""Bitget v2 against cassettes built from Bitget's documented examples."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

from tests.conftest import FAKE_KEY, FAKE_PASSPHRASE, FAKE_SECRET
from toolkit.core.signing import hmac_sha256_b64
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ConfirmationRequired,
    ExchangeUnavailable,
    InsufficientFunds,
    MalformedResponse,
    PermissionDenied,
)

JUNE = {"start_time": "2021-06-01", "end_time": "2021-06-30"}


def query(request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


@pytest.fixture
def bitget(make_client):
    return make_client("bitget")


# --------------------------------------------------------------------------- signing


@pytest.mark.parametrize(
    ("prehash", "expected"),
    [
        (
            "16273667805456GET/api/mix/v2/market/depth?limit=20&symbol=BTCUSDT",
            "RI9g5pCkEX/+tr0RueyMGckGzeuXz9BiN78aBgIEayo=",
        ),
        ("1659076670000GET/api/v2/spot/account/assets?coin=USDT", "wgkMk4GuE/+mQZQLnIXrjGwkKw2SdT0LVC2S9uWUdgc="),
        (
            '1659076670000POST/api/v2/spot/wallet/transfer{"fromType":"spot","toType":"usdt_futures","amount":"300","coin":"USDT"}',
            "GGtB4oA+ysm5B1fRZnYWKrPK6J099e2HAau+ZsVAAuk=",
        ),
    ],
)
def test_signature_vectors(prehash, expected):
    assert hmac_sha256_b64("secret", prehash) == expected


def test_request_is_signed_over_exactly_what_is_sent(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances"):
        client.get_balances(asset="USDT")
    request = sent[0]
    headers = request.headers
    assert headers["ACCESS-KEY"] == FAKE_KEY
    assert headers["ACCESS-PASSPHRASE"] == FAKE_PASSPHRASE
    assert request.path_url == "/api/v2/spot/account/assets?coin=USDT"
    prehash = headers["ACCESS-TIMESTAMP"] + "GET" + request.path_url
    assert headers["ACCESS-SIGN"] == hmac_sha256_b64(FAKE_SECRET, prehash)


def test_post_signature_covers_the_body(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/transfer"):
        client.transfer("USDT", 300, "spot", "usdt_futures", client_order_id="x123", confirm=True)
    request = sent[0]
    body = request.body.decode()
    assert json.loads(body) == {
        "fromType": "spot",
        "toType": "usdt_futures",
        "amount": "300",
        "coin": "USDT",
        "clientOid": "x123",
    }
    prehash = request.headers["ACCESS-TIMESTAMP"] + "POST" + "/api/v2/spot/wallet/transfer" + body
    assert request.headers["ACCESS-SIGN"] == hmac_sha256_b64(FAKE_SECRET, prehash)


def test_missing_passphrase_is_refused_before_sending(make_client, no_network):
    import toolkit as tk

    client = tk.connect("bitget", tk.Credentials(FAKE_KEY, FAKE_SECRET), sync_clock=False)
    with pytest.raises(ConfigurationError, match="passphrase"):
        client.get_balances()


# --------------------------------------------------------------------------- account


def test_get_balances_types_and_values(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances"):
        df = client.get_balances()
    assert list(df.columns) == ["coin", "available", "frozen", "locked", "limit_available", "u_time"]
    assert df.dtypes["available"] == "float64"
    assert df.dtypes["u_time"] == "datetime64[ns, UTC]"
    assert pd.api.types.is_string_dtype(df.dtypes["coin"])
    assert df.loc[0, "coin"] == "usdt"
    assert df.loc[0, "available"] == 0.0
    # The documented example sends uTime in seconds.
    assert df.loc[0, "u_time"] == pd.Timestamp("2021-06-03 05:12:28", tz="UTC")
    assert df.attrs["exchange"] == "bitget"
    assert df.attrs["endpoint"] == "GET /api/v2/spot/account/assets"
    assert sent.paths() == ["/api/v2/spot/account/assets"]


def test_get_balances_asset_type_and_exact(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances"):
        df = client.get_balances(asset_type="all", exact=True)
    assert query(sent[0]) == {"assetType": "all"}
    assert df.loc[0, "available"] == Decimal("0")
    assert isinstance(df.loc[0, "frozen"], Decimal)


def test_get_balances_lite_asks_for_held_coins(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances_lite"):
        df = client.get_balances_lite()
    assert query(sent[0]) == {"assetType": "hold_only"}
    assert len(df) == 1


def test_get_api_key_info(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/describe_key--classic"):
        df = client.get_api_key_info()
    row = df.iloc[0]
    assert row["authorities"] == ["trade", "readonly"]
    assert row["ips"] == "127.0.0.1"
    assert row["parent_id"] == "1"  # a number in the example; identifiers stay strings
    assert row["regis_time"] == pd.Timestamp(1246566789345, unit="ms", tz="UTC")


def test_get_sub_account_balances_spreads_assets(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/get_sub_account_balances"):
        df = client.get_sub_account_balances()
    assert list(df.columns[:3]) == ["user_id", "coin", "available"]
    assert df.loc[0, "user_id"] == "1234567890"
    assert df.loc[0, "limit_available"] == 12.1


def test_get_user_fee_ratio(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_user_fee_ratio"):
        df = client.get_user_fee_ratio("BTCUSDT")
    assert query(sent[0]) == {"businessType": "spot", "symbol": "BTCUSDT"}
    assert df.to_dict("records") == [{"symbol": "BTCUSDT", "maker_fee_rate": 0.0002, "taker_fee_rate": 0.0006}]


def test_get_deposit_address(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_deposit_address"):
        df = client.get_deposit_address("BTC", "BTC-Bitcoin")
    assert query(sent[0]) == {"coin": "BTC", "chain": "BTC-Bitcoin"}
    assert df.loc[0, "url"] == "https://btc.com/xxx"


# --------------------------------------------------------------------------- history


def test_get_bills_one_window(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_bills"):
        df = client.get_bills(**JUNE)
    assert query(sent[0]) == {"startTime": "1622505600000", "endTime": "1625011200000", "limit": "500"}
    assert list(df.columns) == ["bill_id", "c_time", "coin", "group_type", "business_type", "size", "balance", "fees"]
    assert df.loc[0, "bill_id"] == "1291"
    assert df.loc[0, "size"] == 1.0
    coverage = df.attrs["coverage"]
    assert coverage["start"] == pd.Timestamp("2021-06-01", tz="UTC")
    assert coverage["end"] == pd.Timestamp("2021-06-30", tz="UTC")
    assert (coverage["windows"], coverage["pages"], coverage["complete"]) == (1, 1, True)


def test_get_bills_follows_the_cursor_and_deduplicates(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_bills--two-pages"):
        df = client.get_bills(**JUNE)
    assert query(sent[1])["idLessThan"] == "2000"
    assert len(df) == 502  # 500 + 3 - the record both pages carry
    assert df["bill_id"].is_unique
    assert df["c_time"].is_monotonic_increasing
    assert df["bill_id"].tolist()[:3] == ["1291", "1999", "2000"]
    assert df.iloc[-1]["bill_id"] == "2499"
    assert df.attrs["coverage"]["pages"] == 2


def test_get_bills_limit_keeps_the_most_recent(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/get_bills--two-pages"):
        df = client.get_bills(**JUNE, limit=3)
    assert df["bill_id"].tolist() == ["2497", "2498", "2499"]
    assert df.attrs["coverage"]["complete"] is False


def test_get_bills_splits_into_90_day_windows(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_bills--windows"):
        df = client.get_bills(start_time="2021-01-01", end_time=pd.Timestamp("2021-07-30", tz="UTC"))
    spans = [(int(query(r)["endTime"]) - int(query(r)["startTime"])) / 86_400_000 for r in sent]
    assert spans == [90, 90, 30]
    assert df["bill_id"].tolist() == ["11", "33"]
    assert df.attrs["coverage"]["windows"] == 3


def test_history_error_part_way_raises_instead_of_returning_partial(bitget, cassette):
    client, _ = bitget
    client.max_retries = 0
    with cassette("bitget/get_bills--error-mid-fetch"), pytest.raises(ExchangeUnavailable) as caught:
        client.get_bills(start_time="2021-01-01", end_time="2021-07-30")
    assert caught.value.code == "40015"
    assert any("stopped after 1 of 3 windows" in note for note in caught.value.__notes__)


def test_bad_time_range_is_refused(bitget, no_network):
    client, _ = bitget
    with pytest.raises(ConfigurationError, match="after end_time"):
        client.get_bills(start_time="2022-01-02", end_time="2022-01-01")
    with pytest.raises(ConfigurationError, match="not a time"):
        client.get_bills(start_time="yesterday-ish")


def test_get_deposit_history(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_deposit_history"):
        df = client.get_deposit_history(start_time="2022-05-20", end_time="2022-05-25")
    assert query(sent[0])["limit"] == "100"
    assert df.loc[0, "size"] == 10.0
    assert df.loc[0, "c_time"] == pd.Timestamp(1653290769222, unit="ms", tz="UTC")
    assert df.loc[0, "dest"] == "on_chain"


def test_get_withdrawal_history_with_v1_paging(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_withdrawal_history"):
        df = client.get_withdrawal_history("USDT", start_time="2022-05-20", end_time="2022-05-25", page=1, page_size=10)
    assert query(sent[0])["coin"] == "USDT"
    assert df.loc[0, "fee"] == -1.0
    assert df.loc[0, "client_oid"] == "123"
    assert df.attrs["page"] == 1


def test_get_transfer_history(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_transfer_history"):
        df = client.get_transfer_history("BTC", "spot", "2021-09-01", "2021-09-15")
    assert query(sent[0])["fromType"] == "spot"
    assert df.loc[0, "size"] == 1000.0
    assert df.loc[0, "to_type"] == "usdt_futures"


# --------------------------------------------------------------------------- money-moving


def test_withdraw_without_confirm_sends_nothing(bitget, no_network):
    client, sent = bitget
    with pytest.raises(ConfirmationRequired) as caught:
        client.withdraw(asset="USDT", address="T" * 34, network="trc20", quantity=5)
    assert sent == []
    shown = caught.value.request
    assert shown["path"] == "/api/v2/spot/wallet/withdrawal"
    assert shown["body"]["size"] == 5 and shown["body"]["clientOid"].startswith("tk")
    assert "confirm=True" in str(caught.value)
    assert FAKE_SECRET not in str(caught.value)


@pytest.mark.parametrize("call", ["inner_withdraw", "transfer", "sub_transfer", "cancel_withdrawal"])
def test_every_money_moving_call_needs_confirm(bitget, no_network, call):
    client, _ = bitget
    args = {
        "inner_withdraw": ("USDT", "1234567890", 1),
        "transfer": ("USDT", 1, "spot", "p2p"),
        "sub_transfer": ("USDT", 1, "spot", "spot", None, "1", "2"),
        "cancel_withdrawal": ("1",),
    }[call]
    with pytest.raises(ConfirmationRequired):
        getattr(client, call)(*args)


def test_withdraw_confirmed(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/withdraw"):
        df = client.withdraw(
            "USDT", "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj", "trc20", 5, client_order_id="myclinetOid000001", confirm=True
        )
    assert df.to_dict("records") == [{"order_id": "112321312312312", "client_oid": "myclinetOid000001"}]
    assert json.loads(sent[0].body)["transferType"] == "on_chain"


def test_inner_withdraw_confirmed(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/inner_withdraw"):
        df = client.inner_withdraw(
            "USDT", "1234567890", Decimal("1.5"), to_type="uid", client_order_id="myclinetOid000001", confirm=True
        )
    assert json.loads(sent[0].body)["transferType"] == "internal_transfer"
    assert df.loc[0, "order_id"] == "112321312312312"


def test_sub_transfer_and_cancel(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/sub_transfer"):
        df = client.sub_transfer("USDT", 10, "spot", "spot", "x123", "1111111111", "2222222222", confirm=True)
    assert df.loc[0, "transfer_id"] == "123456"
    with cassette("bitget/cancel_withdrawal"):
        df = client.cancel_withdrawal("112321312312312", confirm=True)
    assert df.loc[0, "result"] == "success"


def test_bad_arguments_are_refused_before_sending(bitget, no_network):
    client, _ = bitget
    with pytest.raises(ConfigurationError, match="positive"):
        client.withdraw("USDT", "T", "trc20", -1, confirm=True)
    with pytest.raises(ConfigurationError, match="symbol"):
        client.transfer("USDT", 1, "spot", "isolated_margin", confirm=True)
    with pytest.raises(ConfigurationError, match="area_code"):
        client.inner_withdraw("USDT", "5550100", 1, to_type="mobile", confirm=True)


def test_insufficient_funds_is_not_retried(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/withdraw--insufficient"), pytest.raises(InsufficientFunds) as caught:
        client.withdraw(
            "USDT",
            "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj",
            "trc20",
            5000000,
            client_order_id="myclinetOid000002",
            confirm=True,
        )
    assert caught.value.code == "43012"
    assert caught.value.message == "Insufficient balance"
    assert len(sent) == 1 and client.sleeps == []


# --------------------------------------------------------------------------- errors


def test_bad_signature(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/get_balances--bad-signature"), pytest.raises(AuthenticationError) as caught:
        client.get_balances()
    err = caught.value
    assert (err.exchange, err.endpoint, err.http_status, err.code) == (
        "bitget",
        "GET /api/v2/spot/account/assets",
        400,
        "40009",
    )
    assert str(err) == "bitget GET /api/v2/spot/account/assets, HTTP 400, code 40009: sign signature error"


def test_permission_denied(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/get_balances--permission"), pytest.raises(PermissionDenied, match="Incorrect permissions"):
        client.get_balances()


def test_rate_limit_waits_for_retry_after_then_succeeds(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances--rate-limit"):
        df = client.get_balances()
    assert client.sleeps == [2.0]
    assert len(sent) == 2 and len(df) == 1


def test_html_error_page_becomes_unavailable_after_retries(bitget, cassette):
    client, sent = bitget
    with (
        cassette("bitget/get_balances--html-502", allow_playback_repeats=True),
        pytest.raises(ExchangeUnavailable) as caught,
    ):
        client.get_balances()
    assert caught.value.http_status == 502
    assert "502 Bad Gateway" in caught.value.message
    assert len(sent) == 1 + client.max_retries
    assert len(client.sleeps) == client.max_retries


def test_truncated_body_is_malformed_response(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/get_balances--truncated"), pytest.raises(MalformedResponse, match="not JSON"):
        client.get_balances()


def test_expired_timestamp_resyncs_the_clock_once(bitget, cassette):
    client, sent = bitget
    with cassette("bitget/get_balances--timestamp-expired"):
        df = client.get_balances()
    assert sent.paths() == ["/api/v2/spot/account/assets", "/api/v2/public/time", "/api/v2/spot/account/assets"]
    assert "ACCESS-KEY" not in sent[1].headers  # server time is public
    assert len(df) == 1
    assert client.clock.offset_ms != 0  # the cassette's server time is from 2023


def test_clock_is_measured_before_the_first_signed_request(make_client, cassette):
    client, sent = make_client("bitget", sync_clock=True)
    with cassette("bitget/get_balances--clock-sync"):
        client.get_balances()
        client.get_balances()
    assert sent.paths() == ["/api/v2/public/time", *["/api/v2/spot/account/assets"] * 2]
    # The cassette's server time (2023-06-29) lies in the past: the signed timestamp follows it.
    assert client.clock.offset_ms < -86_400_000
    assert abs(int(sent[1].headers["ACCESS-TIMESTAMP"]) - 1688008631614) < 60_000


def test_describe_key(bitget, cassette):
    client, _ = bitget
    with cassette("bitget/describe_key--classic"):
        df = client.describe_key()
    row = df.iloc[0]
    assert (row["exchange"], row["account"], row["ip_whitelist"]) == ("bitget", "**********", "127.0.0.1")
    assert row["permissions"] == ["trade", "readonly"]
    assert bool(row["can_trade"]) is True and bool(row["can_withdraw"]) is False


def test_bills_take_the_common_name_asset_as_well_as_the_seeds_asset_id(bitget, cassette, no_network):
    client, sent = bitget
    with pytest.raises(ConfigurationError, match="give asset_id or asset, not both"):
        client.get_bills(asset_id="USDT", asset="BTC")
    with pytest.raises(ConfigurationError, match="asset \\(or asset_id\\) is required"):
        client.get_transfer_history(from_type="spot", start_time="2021-09-01", end_time="2021-09-15")
    assert sent == []


def test_bills_for_asset_send_coin():
    from tests.conftest import sandbox_client
    from toolkit import sandbox

    with sandbox.start(["bitget"], lifetime=60) as boxes:
        client = sandbox_client(boxes, "bitget")
        by_common = client.get_bills(asset="USDT")
        by_seed = client.get_bills("USDT")
        requests = boxes.server("bitget").requests
    assert set(by_common["coin"].str.upper()) == {"USDT"} and len(by_common) > 0
    assert by_common.equals(by_seed)
    bills = [r for r in requests if "bills" in r.path]
    assert bills and all(r.query.get("coin") == "USDT" for r in bills)
