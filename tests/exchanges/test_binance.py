"""Binance WebSocket API: signing vectors, account methods and errors against the local replay server."""

from __future__ import annotations

import base64
import logging
from decimal import Decimal

import pandas as pd
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_SECRET
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    EndpointRetired,
    InvalidRequest,
    NetworkError,
    RateLimited,
)
from toolkit.exchanges.binance import BinanceClient, auth
from toolkit.exchanges.binance.sandbox_replay import ReplayServer

DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
ORDER = {"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.01000000",
         "price": "52000.00", "recvWindow": 100, "timestamp": 1645423376532}  # fmt: skip
ORDER_NON_ASCII = {**ORDER, "symbol": "１２３４５６", "side": "BUY", "quantity": "1.00000000", "price": "0.10000000",
                   "recvWindow": 5000}  # fmt: skip


@pytest.fixture
def replay():
    """``replay("account_status")`` -> a started server that knows the fake key; stopped afterwards."""
    servers: list[ReplayServer] = []

    def start(name: str, **options) -> ReplayServer:
        options.setdefault("api_key", FAKE_KEY)
        options.setdefault("secret", FAKE_SECRET)
        server = ReplayServer(name, lifetime=20, **options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def connect(fake_credentials):
    """``connect(server)`` -> a client on the replay server, fast timeouts, closed afterwards."""
    clients: list[BinanceClient] = []

    def build(server: ReplayServer, credentials=fake_credentials, **options) -> BinanceClient:
        options = {"sync_clock": False, "timeout": 5.0, "max_retries": 0, "reconnect_backoff": (0.01, 0.05), **options}
        client = tk.connect("binance", credentials, base_url=server.url, **options)
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


# --------------------------------------------------------------------------- signing (BN-WS worked examples)


@pytest.mark.parametrize(
    ("params", "expected_payload", "expected_signature"),
    [
        (
            {**ORDER, "apiKey": DOC_KEY},
            f"apiKey={DOC_KEY}&price=52000.00&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT"
            "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
            "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24",
        ),
        (
            {**ORDER_NON_ASCII, "apiKey": DOC_KEY},
            f"apiKey={DOC_KEY}&price=0.10000000&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６"
            "&timeInForce=GTC&timestamp=1645423376532&type=LIMIT",
            "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd",
        ),
        (
            {"apiKey": DOC_KEY, "timestamp": 1660801839480, "signature": "ignored"},
            f"apiKey={DOC_KEY}&timestamp=1660801839480",
            "83303b4a136ac1371795f465808367242685a9e3a42b22edb4d977d0696eb45c",
        ),
        (
            {"timestamp": 1660801839500, "apiKey": DOC_KEY},
            f"apiKey={DOC_KEY}&timestamp=1660801839500",
            "76289424d6e288f4dc47d167ac824e859dabf78736f4348abbbac848d719eb94",
        ),
        (
            {"apiKey": DOC_KEY, "timestamp": 1649729878532},
            f"apiKey={DOC_KEY}&timestamp=1649729878532",
            "1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed",
        ),
    ],
)
def test_hmac_signature_vectors(params, expected_payload, expected_signature):
    assert auth.payload(params) == expected_payload
    assert auth.signature(DOC_SECRET, expected_payload) == expected_signature
    assert auth.verify(DOC_SECRET, expected_payload, expected_signature.upper())


@pytest.mark.parametrize(
    ("api_key", "params", "expected_payload"),
    [
        (
            "CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ",
            ORDER,
            "apiKey=CAvIjXy3F44yW6Pou5k8Dy1swsYDWJZLeoK2r8G4cFDnE9nosRppc2eKc1T8TRTQ&price=52000.00"
            "&quantity=0.01000000&recvWindow=100&side=SELL&symbol=BTCUSDT&timeInForce=GTC&timestamp=1645423376532"
            "&type=LIMIT",
        ),
        (
            "4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO",
            ORDER_NON_ASCII,
            "apiKey=4yNzx3yWC5bS6YTwEkSRaC0nRmSQIIStAUOh1b6kqaBrTLIhjCpI5lJH8q8R8WNO&price=0.10000000"
            "&quantity=1.00000000&recvWindow=5000&side=BUY&symbol=１２３４５６&timeInForce=GTC"
            "&timestamp=1645423376532&type=LIMIT",
        ),
    ],
)
def test_rsa_and_ed25519_examples_sign_the_documented_payload(api_key, params, expected_payload):
    # The documented RSA/Ed25519 signatures cannot be checked (their private keys are not
    # published); the payload they sign can.
    assert auth.payload({**params, "apiKey": api_key}) == expected_payload


def _pem(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.mark.parametrize(
    ("key", "length"),
    [(ed25519.Ed25519PrivateKey.generate(), 64), (rsa.generate_private_key(public_exponent=65537, key_size=2048), 256)],
    ids=["ed25519", "rsa"],
)
def test_pem_keys_sign_base64(key, length):
    pem = _pem(key)
    text = f"apiKey={FAKE_KEY}&timestamp=1660801839480"
    sent = auth.signature(pem, text)
    assert len(base64.b64decode(sent, validate=True)) == length
    assert auth.verify(pem, text, sent)
    assert not auth.verify(pem, text + "0", sent)
    assert len(auth.signature(FAKE_SECRET, text)) == 64  # HMAC: hex


def test_ed25519_key_signs_requests_the_server_verifies(replay, connect):
    pem = _pem(ed25519.Ed25519PrivateKey.generate())
    server = replay("account_status", secret=pem)
    client = connect(server, tk.Credentials(FAKE_KEY, pem))
    client.get_account_info()
    assert server.problems == []
    assert len(base64.b64decode(server.received[0]["params"]["signature"], validate=True)) == 64


def test_bad_signature_is_an_authentication_error(replay, connect):
    server = replay("account_status", secret="a-different-secret")
    with pytest.raises(AuthenticationError) as caught:
        connect(server).get_account_info()
    assert caught.value.code == "-1022"
    assert caught.value.message == "Signature for this request is not valid."
    assert caught.value.endpoint == "account.status"
    assert server.problems == ["account.status: signature does not verify"]


# --------------------------------------------------------------------------- account methods


def test_get_account_info_frame(replay, connect):
    server = replay("account_status")
    client = connect(server)
    df = client.get_account_info()

    assert server.problems == []
    sent = server.received[0]
    assert sent["method"] == "account.status"
    params = sent["params"]
    assert sorted(params) == ["apiKey", "signature", "timestamp"]
    assert params["apiKey"] == FAKE_KEY
    assert params["signature"] == auth.signature(FAKE_SECRET, f"apiKey={FAKE_KEY}&timestamp={params['timestamp']}")

    assert list(df["asset"]) == ["BNB", "BTC", "USDT"]
    assert list(df["free"]) == [0.0, 1.3447112, 1021.21]
    assert list(df["locked"]) == [0.0, 0.086, 0.0]
    assert list(df.columns[:3]) == ["asset", "free", "locked"]
    row = df.iloc[1]
    assert row["maker_commission"] == 15
    assert row["commission_rates_maker"] == 0.0015
    assert row["can_trade"] and row["can_withdraw"] and row["can_deposit"]
    assert row["update_time"] == pd.Timestamp(1660801833000, unit="ms", tz="UTC")
    assert row["permissions"] == ["SPOT"]
    assert row["uid"] == "354937868"
    assert row["account_type"] == "SPOT"
    assert df["free"].dtype == "float64"
    assert df["update_time"].dtype == "datetime64[ns, UTC]"
    assert df["can_trade"].dtype == "boolean"
    assert df["maker_commission"].dtype == "Int64"
    assert df.attrs["exchange"] == "binance"
    assert df.attrs["endpoint"] == "account.status"
    assert df.attrs["rate_limits"][0]["count"] == 20
    limits = client.rate_limits
    assert limits.iloc[0].to_dict() == {
        "rate_limit_type": "REQUEST_WEIGHT",
        "interval": "MINUTE",
        "interval_num": 1,
        "limit": 6000,
        "count": 20,
    }


def test_get_account_info_exact_and_omit_zero(replay, connect):
    server = replay("account_status", lenient=True)
    df = connect(server).get_account_info(omit_zero_balances=True, exact=True)
    assert server.received[0]["params"]["omitZeroBalances"] is True
    assert server.problems == []  # the signature covered omitZeroBalances=true
    assert df["free"].tolist() == [Decimal("0E-8"), Decimal("1.3447112"), Decimal("1021.21000000")]


def test_get_order_rate_limits(replay, connect):
    server = replay("account_rate_limits_orders")
    df = connect(server).get_order_rate_limits()
    assert server.problems == []
    assert server.received[0]["method"] == "account.rateLimits.orders"
    assert df.to_dict("records") == [
        {"rate_limit_type": "ORDERS", "interval": "SECOND", "interval_num": 10, "limit": 50, "count": 0},
        {"rate_limit_type": "ORDERS", "interval": "DAY", "interval_num": 1, "limit": 160000, "count": 0},
    ]
    assert str(df["limit"].dtype) == "Int64"
    assert str(df["interval"].dtype) == "str"


def test_describe_key(replay, connect):
    server = replay("account_status", lenient=True)
    df = connect(server).describe_key()
    assert len(df) == 1
    row = df.iloc[0]
    assert (row["exchange"], row["account"], row["permissions"]) == ("binance", "354937868", ["SPOT"])
    assert (row["can_read"], row["can_trade"], row["can_withdraw"]) == (True, True, True)
    assert pd.isna(row["ip_whitelist"])


# --------------------------------------------------------------------------- errors


def test_timestamp_error_resyncs_the_clock_and_retries_once(replay, connect):
    server = replay("account_status--timestamp")
    df = connect(server).get_account_info()
    assert len(df) == 3
    assert [f["method"] for f in server.received] == ["account.status", "time", "account.status"]
    assert "params" not in server.received[1]  # time is not signed
    retried = server.received[2]["params"]["timestamp"]
    assert abs(retried - 1499827319559) < 5000  # signed with the server's clock after the resync
    assert server.problems == []


def test_ip_ban_is_rate_limited_and_not_retried(replay, connect):
    server = replay("account_status--banned")
    with pytest.raises(RateLimited) as caught:
        connect(server, max_retries=3).get_account_info()
    err = caught.value
    assert (err.http_status, err.code) == (418, "-1003")
    assert err.message.startswith("Way too much request weight used; IP banned until 1659146400000.")
    assert err.retry_after == pytest.approx(3492.469)
    assert len(server.received) == 1


def test_revoked_key_answer_without_id_fails_the_request(replay, connect):
    server = replay("account_status--revoked")
    with pytest.raises(AuthenticationError) as caught, pytest.warns(UserWarning, match="-2015"):
        connect(server).get_account_info()
    assert (caught.value.http_status, caught.value.code) == (401, "-2015")
    assert caught.value.message == "Invalid API-key, IP, or permissions for action."


def test_unexpected_request_gets_the_replay_servers_own_error(replay, connect):
    server = replay("account_rate_limits_orders")
    with pytest.raises(
        InvalidRequest, match=r"replay server: expected account\.rateLimits\.orders, got account\.status"
    ):
        connect(server).get_account_info()


def test_connection_refused_is_a_network_error():
    server = ReplayServer("account_status").start()
    url = server.url
    server.stop()
    client = BinanceClient(tk.Credentials(FAKE_KEY, FAKE_SECRET), base_url=url, sync_clock=False, max_retries=0)
    try:
        with pytest.raises(NetworkError, match="cannot connect"):
            client.get_account_info()
    finally:
        client.close()


def test_signed_calls_need_credentials_and_send_nothing():
    client = BinanceClient(base_url="ws://127.0.0.1:9/never", sync_clock=False)
    with pytest.raises(ConfigurationError, match="BINANCE_API_KEY"):
        client.get_account_info()
    assert client._loop is None
    client.close()


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda c: c.start_user_stream(), "start_user_stream"),
        (lambda c: c.keep_alive_user_stream("any"), "keep_alive_user_stream"),
        (lambda c: c.stop_user_stream("any"), "stop_user_stream"),
    ],
)
def test_listen_key_methods_are_retired(call, name, fake_credentials):
    client = BinanceClient(fake_credentials, base_url="ws://127.0.0.1:9/never")
    with pytest.raises(EndpointRetired) as caught:
        call(client)
    assert caught.value.replacement.startswith("subscribe_to_user_data_updates()")
    assert name in str(caught.value)
    assert "2026-02-20" in str(caught.value)
    assert client._loop is None


# --------------------------------------------------------------------------- options and secrets


def test_rest_options_are_accepted_and_unknown_ones_refused(fake_credentials):
    client = tk.connect("binance", fake_credentials, progress=False, sync_clock=False, timeout=(3.0, 7.0))
    assert client.timeout == 7.0
    assert client.base_url == "wss://ws-api.binance.com:443/ws-api/v3"
    with pytest.raises(tk.errors.ConfigurationError, match="takes no option no_such_option="):
        tk.connect("binance", fake_credentials, no_such_option=1)


def test_secrets_stay_out_of_repr_logs_and_errors(replay, connect, caplog):
    caplog.set_level(logging.DEBUG, logger="toolkit")
    server = replay("account_status", secret="a-different-secret")
    client = connect(server)
    with pytest.raises(AuthenticationError) as caught:
        client.get_account_info()
    shown = repr(client) + str(caught.value) + caplog.text
    assert FAKE_SECRET not in shown
    assert FAKE_KEY not in shown
    assert server.received[0]["params"]["signature"] not in shown
