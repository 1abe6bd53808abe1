"""CoinW spot account against cassettes built from CoinW's documented examples."""

from __future__ import annotations

import hashlib
import logging
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_SECRET
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ConfirmationRequired,
    ExchangeError,
    InsufficientFunds,
    MalformedResponse,
    RateLimited,
)
from toolkit.exchanges.coinw import CoinWClient, sign

PRIVATE = "/api/v1/private"


def pairs(request) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(request.url).query)


def query(request) -> dict[str, str]:
    return dict(pairs(request))


@pytest.fixture
def coinw(make_client):
    return make_client("coinw")


def assert_signed(request, command: str) -> None:
    """The request carries CoinW's signature, recomputed from what was actually sent."""
    sent = pairs(request)
    assert sent[0] == ("command", command)
    assert sent[-1][0] == "sign"
    signed = sent[1:-1]
    assert [k for k, _ in signed] == sorted(k for k, _ in signed)
    assert ("api_key", FAKE_KEY) in signed
    text = "&".join(f"{k}={v}" for k, v in signed) + "&secret_key=" + FAKE_SECRET
    assert sent[-1][1] == hashlib.md5(text.encode()).hexdigest().upper()
    assert request.method == "POST" and urlsplit(request.url).path == PRIVATE
    assert not request.body
    assert FAKE_SECRET not in request.url and "secret_key" not in request.url


# --------------------------------------------------------------------------- signing


def test_signature_vector_from_jkorf():
    # JKorf/CoinW.Net unit test CheckSignatureExample1: api_key=XXX&symbol=LTCBTC&secret_key=XXX.
    assert sign([("symbol", "LTCBTC"), ("api_key", "XXX")], "XXX") == "AD26D501953EC615636AC668146268B4"


def test_signature_of_the_legacy_doc_example(monkeypatch):
    # CoinW's legacy doc gives the string to sign (no hash); the MD5 is the reference sheet's.
    seen: list[str] = []
    import toolkit.exchanges.coinw.auth as coinw

    real = coinw.md5_upper
    monkeypatch.setattr(coinw, "md5_upper", lambda text: seen.append(text) or real(text))
    params = [
        ("api_key", "c821db84-6fbd-11e4-a9e3-c86000d26d7c"),
        ("symbol", "btc_cny"),
        ("type", "0"),
        ("price", "680"),
        ("amount", "1.0"),
    ]
    assert sign(params, "secretKey") == "FF7C47DE0ABBC71C1ED40C5C4FFEFCF0"
    assert seen == [
        "amount=1.0&api_key=c821db84-6fbd-11e4-a9e3-c86000d26d7c&price=680&symbol=btc_cny&type=0&secret_key=secretKey"
    ]


def test_connect_needs_no_passphrase(no_network):
    client = tk.connect("coinw", tk.Credentials(api_key=FAKE_KEY, api_secret=FAKE_SECRET))
    assert isinstance(client, CoinWClient)
    assert FAKE_SECRET not in repr(client) and FAKE_KEY not in repr(client)


def test_no_credentials_is_refused_before_sending(no_network):
    client = CoinWClient()
    with pytest.raises(ConfigurationError, match="credentials"):
        client.get_balances()


def test_secret_never_logged(coinw, cassette, caplog):
    client, _ = coinw
    with caplog.at_level(logging.DEBUG, logger="toolkit"), cassette("coinw/get_balances"):
        client.get_balances()
    assert "returnBalances" in caplog.text  # the request was logged ...
    assert FAKE_SECRET not in caplog.text and FAKE_KEY not in caplog.text  # ... without credentials


# --------------------------------------------------------------------------- account


def test_get_balances(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_balances"):
        df = client.get_balances()
    assert_signed(sent[0], "returnBalances")
    assert list(df.columns) == ["asset", "available"]
    assert pd.api.types.is_string_dtype(df.dtypes["asset"])
    assert df.dtypes["available"] == "float64"
    assert df["asset"].tolist() == ["BTC", "CWT", "SAND", "ETH", "USDT"]
    assert df.set_index("asset")["available"].to_dict() == {
        "BTC": 0.0012,
        "CWT": 400.0,
        "SAND": 108.467,
        "ETH": 0.033,
        "USDT": 257.51830114,
    }
    assert df.attrs["exchange"] == "coinw"
    assert df.attrs["endpoint"] == "POST /api/v1/private?command=returnBalances"


def test_get_balances_exact_keeps_every_digit(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_balances"):
        df = client.get_balances(exact=True)
    usdt = df.set_index("asset").loc["USDT", "available"]
    assert isinstance(usdt, Decimal) and str(usdt) == "257.518301140000000"


def test_empty_account_gives_typed_empty_frame(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_balances--empty"):
        df = client.get_balances()
    assert df.empty and list(df.columns) == ["asset", "available"]
    assert df.dtypes["available"] == "float64"


def test_get_complete_balances(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_complete_balances"):
        df = client.get_complete_balances()
    assert_signed(sent[0], "returnCompleteBalances")
    assert list(df.columns) == ["asset", "available", "on_orders"]
    assert (df.dtypes["available"], df.dtypes["on_orders"]) == ("float64", "float64")
    assert df.iloc[-1].to_dict() == {"asset": "USDT", "available": 257.51830114, "on_orders": 0.0}


def test_describe_key(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_balances"):
        df = client.describe_key()
    assert_signed(sent[0], "returnBalances")
    row = df.iloc[0]
    assert row["exchange"] == "coinw" and row["permissions"] == ["read"]
    assert bool(row["can_read"]) is True
    assert pd.isna(row["can_trade"]) and pd.isna(row["can_withdraw"])
    assert pd.isna(row["account"]) and pd.isna(row["ip_whitelist"])


def test_get_currencies_is_public(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_currencies"):
        df = client.get_currencies()
    assert sent.paths() == ["/api/v1/public?command=returnCurrencies"]
    assert sent[0].method == "GET"
    assert list(df.columns) == [
        "symbol",
        "symbol_id",
        "with_draw",
        "recharge",
        "max_qty",
        "min_qty",
        "tx_fee",
        "chain",
    ]
    assert df.loc[1, "symbol_id"] == "16" and df.loc[1, "chain"] == "ETH@BSC@Arbitrum@BASE"
    assert df.dtypes["with_draw"] == "boolean" and bool(df.loc[0, "with_draw"]) is True
    assert df.loc[0, "max_qty"] == 5.0


# --------------------------------------------------------------------------- wallet


def test_get_deposit_addresses_finds_the_coin_id(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_deposit_addresses"):
        df = client.get_deposit_addresses("btc")
    assert sent.paths()[0] == "/api/v1/public?command=returnCurrencies"
    assert_signed(sent[1], "returnDepositAddresses")
    assert {k: v for k, v in query(sent[1]).items() if k in ("symbolId", "chain")} == {"symbolId": "50", "chain": "BTC"}
    assert list(df.columns) == ["asset", "chain_name", "address", "memo", "min_recharge_amount"]
    row = df.iloc[0]
    assert (row["asset"], row["chain_name"], row["address"]) == ("BTC", "BTC", "1HCtJq9kWbBG1W24CLQ7SAiDivy6E7xHFj")
    assert row["min_recharge_amount"] == 0.00001 and df.dtypes["min_recharge_amount"] == "float64"
    assert pd.isna(row["memo"])
    assert df.attrs["symbol_id"] == "50"


def test_get_deposit_addresses_asks_every_chain_and_caches_the_coin_list(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_deposit_addresses--every-chain", allow_playback_repeats=True):
        df = client.get_deposit_addresses("ETH")
        again = client.get_deposit_addresses("ETH", network="BSC")
    chains = [query(r).get("chain") for r in sent]
    assert chains == [None, "ETH", "BSC", "Arbitrum", "BASE", "BSC"]  # returnCurrencies only once
    assert df["chain_name"].tolist() == ["ETH", "BSC", "Arbitrum", "BASE"]
    assert again["chain_name"].tolist() == ["BSC"]


def test_get_deposit_addresses_unknown_coin(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_currencies"), pytest.raises(ConfigurationError, match="no coin 'NOPE'"):
        client.get_deposit_addresses("NOPE")
    assert len(sent) == 1


def test_records_without_a_time_are_read_and_counted(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_deposit_withdrawal_history--without-time"):  # the 2021 docs' example: no time
        df = client.get_deposit_withdrawal_history("HC", exact=True)
    assert df["deposit_number"].tolist() == ["937963", "903010"]
    assert df["amount"].tolist() == [Decimal("31659.654543"), Decimal("398.8")]
    assert df["time"].isna().all() and df.dtypes["time"] == "datetime64[ns, UTC]"
    assert df.attrs["coverage"]["without_time"] == 2


def test_get_deposit_withdrawal_history(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_deposit_withdrawal_history"):
        df = client.get_deposit_withdrawal_history("HC")
    assert_signed(sent[0], "returnDepositsWithdrawals")
    assert query(sent[0])["symbol"] == "HC"
    assert list(df.columns[:4]) == ["deposit_number", "currency", "side", "amount"]
    row = df.iloc[0]
    assert row["deposit_number"] == "937963"  # a JSON number, kept as its digits
    assert (row["side"], row["amount"], row["status"], row["confirmations"]) == (1, 31659.654543, "3", "0")
    assert row["time"] == pd.Timestamp(1704858504000, unit="ms", tz="UTC")
    assert df.dtypes["time"] == "datetime64[ns, UTC]" and df.dtypes["side"] == "Int64"
    assert row["txid"].startswith("已提交")
    coverage = df.attrs["coverage"]
    assert (coverage["assets"], coverage["pages"], coverage["complete"]) == (["HC"], 1, None)


def test_history_time_filter_is_applied_locally(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_deposit_withdrawal_history"):
        df = client.get_deposit_withdrawal_history("HC", start_time="2024-01-11")
    assert df.empty and "startTime" not in query(sent[0])
    assert df.dtypes["amount"] == "float64"


def test_history_exact_numbers_and_large_ids(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_deposit_withdrawal_history--exact"):
        exact = client.get_deposit_withdrawal_history("HC", exact=True)
    with cassette("coinw/get_deposit_withdrawal_history--exact"):
        floats = client.get_deposit_withdrawal_history("HC")
    assert exact["amount"].tolist() == [Decimal("0.1"), Decimal("1234567.123456789012345678")]
    assert exact["deposit_number"].tolist() == ["937963", "9007199254740993"]
    assert floats["deposit_number"].tolist() == ["937963", "9007199254740993"]
    assert floats["amount"].tolist() == [0.1, 1234567.1234567890]


def test_history_of_every_asset_held(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_deposit_withdrawal_history--all-assets"):
        df = client.get_deposit_withdrawal_history()
    asked = [query(r).get("symbol") for r in sent[1:]]
    assert asked == ["BTC", "CWT", "SAND", "ETH", "USDT"]
    assert df["deposit_number"].tolist() == ["937963", "937964"]  # oldest first
    assert df["side"].tolist() == [1, 2]
    assert df.attrs["coverage"]["assets"] == asked
    assert df.attrs["coverage"]["pages"] == 5


def test_bad_history_range_is_refused(coinw, no_network):
    client, _ = coinw
    with pytest.raises(ConfigurationError, match="after end_time"):
        client.get_deposit_withdrawal_history("BTC", start_time="2024-02-01", end_time="2024-01-01")


# --------------------------------------------------------------------------- money-moving


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("withdraw", ("USDT", "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj", "TRC20", 5)),
        ("cancel_withdrawal", ("23705",)),
        ("transfer", ("USDT", 1, "spot", "funding")),
    ],
)
def test_money_moving_calls_need_confirm(coinw, no_network, call, args):
    client, sent = coinw
    with pytest.raises(ConfirmationRequired) as caught:
        getattr(client, call)(*args)
    assert sent == []
    assert "confirm=True" in str(caught.value)
    assert FAKE_SECRET not in str(caught.value) and FAKE_KEY not in str(caught.value)
    assert caught.value.request["path"] == PRIVATE


def test_withdraw_shows_what_it_would_send(coinw, no_network):
    client, _ = coinw
    with pytest.raises(ConfirmationRequired) as caught:
        client.withdraw("USDT", "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj", "TRC20", Decimal("5"))
    assert caught.value.request["params"] == {
        "currency": "USDT",
        "amount": Decimal("5"),
        "address": "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj",
        "chain": "TRC20",
        "type": "ordinary_withdraw",
    }
    assert "command=doWithdraw" in str(caught.value)


def test_withdraw_confirmed(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/withdraw"):
        df = client.withdraw("USDT", "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj", "TRC20", 5, confirm=True)
    assert_signed(sent[0], "doWithdraw")
    assert query(sent[0])["amount"] == "5" and "memo" not in query(sent[0])
    assert df.to_dict("records") == [{"deposit_number": "23705"}]


def test_internal_withdraw_confirmed(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/withdraw"):
        client.withdraw("USDT", "12345678", "TRC20", Decimal("1.50"), to_type="uid", confirm=True)
    assert {k: query(sent[0])[k] for k in ("type", "innerToType", "amount")} == {
        "type": "internal_transfer",
        "innerToType": "1",
        "amount": "1.5",
    }


def test_withdraw_refuses_bad_amounts(coinw, no_network):
    client, _ = coinw
    for quantity in (0, -1, "abc", float("nan")):
        with pytest.raises(ConfigurationError, match="positive"):
            client.withdraw("USDT", "addr", "TRC20", quantity, confirm=True)


def test_insufficient_funds_is_not_retried(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/withdraw--insufficient"), pytest.raises(InsufficientFunds) as caught:
        client.withdraw("USDT", "TXmVthgn6fX1Hvq5ZBXnp5GSYbdjx5MvWj", "TRC20", 5000000, confirm=True)
    assert (caught.value.code, caught.value.message) == ("200005", "insufficient balance")
    assert len(sent) == 1 and client.sleeps == []


def test_cancel_withdrawal_confirmed(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/cancel_withdrawal"):
        df = client.cancel_withdrawal("23705", confirm=True)
    assert_signed(sent[0], "cancelWithdraw")
    assert query(sent[0])["id"] == "23705"
    assert df.to_dict("records") == [{"id": "23705", "success": True}]


def test_transfer_spot_to_funding(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/transfer"):
        df = client.transfer("USDT", 0.1, "spot", "funding", confirm=True)
    assert_signed(sent[0], "spotWealthTransfer")
    sent_params = query(sent[0])
    assert {k: sent_params[k] for k in ("accountType", "targetAccountType", "bizType", "coinCode", "amount")} == {
        "accountType": "SPOT",
        "targetAccountType": "WEALTH",
        "bizType": "SPOT_TO_WEALTH",
        "coinCode": "USDT",
        "amount": "0.1",
    }
    assert df.to_dict("records") == [
        {"biz_type": "SPOT_TO_WEALTH", "coin_code": "USDT", "amount": 0.1, "success": True}
    ]


def test_transfer_refuses_same_or_unknown_accounts(coinw, no_network):
    client, _ = coinw
    with pytest.raises(ConfigurationError, match="differ"):
        client.transfer("USDT", 1, "spot", "spot", confirm=True)
    with pytest.raises(ConfigurationError, match="'spot' or 'funding'"):
        client.transfer("USDT", 1, "spot", "futures", confirm=True)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- errors


def test_rate_limit_pauses_long_then_retries_once(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_balances--rate-limit"):
        df = client.get_balances()
    assert client.sleeps == [30.0]
    assert len(sent) == 2 and len(df) == 5


def test_rate_limit_twice_gives_up(coinw, cassette):
    client, sent = coinw
    with cassette("coinw/get_balances--rate-limit-twice"), pytest.raises(RateLimited) as caught:
        client.get_balances()
    err = caught.value
    assert (err.exchange, err.code, err.message, err.retry_after) == ("coinw", "29001", "API access frequently", 30.0)
    assert str(err) == "coinw POST /api/v1/private?command=returnBalances, HTTP 200, code 29001: API access frequently"
    assert len(sent) == 2
    # The pause covers every CoinW command, not only the one that was refused.
    assert client.limiter._blocked_until["coinw:uid"] >= client.fake_time.now + 29


def test_bad_key(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_balances--bad-key"), pytest.raises(AuthenticationError) as caught:
        client.get_balances()
    assert (caught.value.code, caught.value.message) == ("10006", "api_key error")
    assert "command=returnBalances" in str(caught.value)


def test_body_that_is_not_json(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_balances--not-json"), pytest.raises(MalformedResponse) as caught:
        client.get_balances()
    assert caught.value.exchange == "coinw"
    assert "command=returnBalances" in str(caught.value) and "not JSON" in str(caught.value)


def test_success_false_is_an_error(coinw, cassette):
    client, _ = coinw
    with cassette("coinw/get_balances--unsuccessful"), pytest.raises(ExchangeError) as caught:
        client.get_balances()
    assert (caught.value.code, caught.value.message) == ("200", "FAILED")
