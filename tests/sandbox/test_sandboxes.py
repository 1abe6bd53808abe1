"""The sandboxes behave as the exchanges document: auth checks, limits, money that moves, faults."""

from __future__ import annotations

import time

import pandas as pd
import pytest
import requests

import toolkit as tk
from tests.conftest import sandbox_client
from toolkit import sandbox, unified
from toolkit.errors import (
    AuthenticationError,
    ConfirmationRequired,
    ExchangeUnavailable,
    InsufficientFunds,
    MalformedResponse,
    NetworkError,
    RateLimited,
)
from toolkit.exchanges.binance import StreamWarning

NOW = pd.Timestamp.now(tz="UTC")


# --------------------------------------------------------------------------- money that moves


def test_a_bitget_withdrawal_lowers_the_balance_and_shows_in_every_history(fresh):
    _, client = fresh("bitget")
    before = client.get_balances("USDT").loc[0, "available"]
    with pytest.raises(ConfirmationRequired):
        client.withdraw("USDT", "TDemoAddress", "trc20", 25, client_order_id="tk-test-1")
    assert client.get_balances("USDT").loc[0, "available"] == before  # nothing was sent

    sent = client.withdraw("USDT", "TDemoAddress", "trc20", 25, client_order_id="tk-test-1", confirm=True)
    after = client.get_balances("USDT").loc[0, "available"]
    assert after == pytest.approx(before - 25 - 1.0)  # the amount and the 1 USDT withdrawal fee
    history = client.get_withdrawal_history(start_time=NOW - pd.Timedelta(hours=1))
    assert history["order_id"].tolist() == [sent.loc[0, "order_id"]]
    assert (history.loc[0, "size"], history.loc[0, "fee"], history.loc[0, "client_oid"]) == (25.0, -1.0, "tk-test-1")
    bills = client.get_bills(start_time=NOW - pd.Timedelta(hours=1))
    assert bills[["group_type", "size", "balance"]].values.tolist() == [["withdraw", -26.0, pytest.approx(after)]]

    again = client.withdraw("USDT", "TDemoAddress", "trc20", 25, client_order_id="tk-test-1", confirm=True)
    assert again.loc[0, "order_id"] == sent.loc[0, "order_id"]  # the same order: nothing paid twice
    assert client.get_balances("USDT").loc[0, "available"] == pytest.approx(after)


def test_a_kucoin_withdrawal_and_transfer_change_main_and_trade(fresh):
    _, client = fresh("kucoin")
    accounts = client.get_accounts("USDT").set_index("type")["balance"]
    client.inner_transfer("USDT", "trade", "main", 40, client_order_id="tk-move-1", confirm=True)
    client.inner_transfer("USDT", "trade", "main", 40, client_order_id="tk-move-1", confirm=True)  # a retry
    client.withdraw("USDT", "TDemoAddress", 30, chain="trx", confirm=True)
    now = client.get_accounts("USDT").set_index("type")["balance"]
    assert now["trade"] == pytest.approx(accounts["trade"] - 40)
    assert now["main"] == pytest.approx(accounts["main"] + 40 - 30 - 1.0)
    ledger = client.get_account_ledgers("USDT", start_time=NOW - pd.Timedelta(hours=1))
    assert sorted(ledger["biz_type"]) == ["Transfer", "Transfer", "Withdrawal"]
    assert client.get_withdrawals("USDT", start_time=NOW - pd.Timedelta(hours=1))["amount"].tolist() == [30.0]


def test_a_coinw_withdrawal_shows_in_its_history(fresh):
    _, client = fresh("coinw")
    before = client.get_balances().set_index("asset").loc["USDT", "available"]
    done = client.withdraw("USDT", "TDemoAddress", "TRC20", 10, confirm=True)
    history = client.get_deposit_withdrawal_history("USDT", start_time=NOW - pd.Timedelta(hours=1))
    assert history["deposit_number"].tolist() == [done.loc[0, "deposit_number"]]
    assert history.loc[0, "side"] == 2
    assert client.get_balances().set_index("asset").loc["USDT", "available"] == pytest.approx(before - 11)


def test_more_than_the_balance_is_insufficient_funds(fresh):
    _, client = fresh("bitget")
    with pytest.raises(InsufficientFunds) as caught:
        client.withdraw("BTC", "bc1qDemo", "btc", 10_000, confirm=True)
    assert caught.value.code == "43012"


# --------------------------------------------------------------------------- checks as documented


@pytest.mark.parametrize("exchange", ["bitget", "kucoin", "coinw", "binance"])
def test_a_wrong_secret_is_refused_as_the_exchange_refuses_it(boxes, exchange):
    real = boxes.credentials(exchange)
    wrong = tk.Credentials(real.api_key, "not-the-secret-at-all", real.passphrase)
    client = tk.connect(exchange, wrong, base_url=boxes.url(exchange), sync_clock=False, max_retries=0)
    try:
        with pytest.raises(AuthenticationError) as caught:
            client.describe_key()
    finally:
        getattr(client, "close", lambda: None)()
    # KuCoin signs the passphrase with the secret too, so a wrong secret fails that check first.
    assert caught.value.code == {"bitget": "40009", "kucoin": "400004", "coinw": "10007", "binance": "-1022"}[exchange]


@pytest.mark.parametrize(("exchange", "code"), [("bitget", "40004"), ("kucoin", "400002"), ("binance", "-1021")])
def test_a_clock_that_is_off_is_refused_then_resynced(fresh, exchange, code):
    boxes, client = fresh(exchange, sync_clock=False)
    server = boxes.server(exchange)
    if exchange == "binance":
        server.clock_offset_ms = 90_000
    else:
        server.faults.clock_offset_ms = 90_000
    try:
        client.get_server_time()  # unsigned: answers whatever the clock
        before = client.clock.offset_ms
        client.describe_key()  # refused once with the timestamp code, resynced, sent again
        assert client.clock.offset_ms - before > 80_000
    finally:
        getattr(client, "close", lambda: None)()


def test_kucoin_answers_carry_the_pool_state(boxes):
    response = requests.get(boxes.url("kucoin") + "/api/v1/timestamp", timeout=5)
    assert response.json()["code"] == "200000"
    assert int(response.headers["gw-ratelimit-limit"]) == 2000
    assert 0 <= int(response.headers["gw-ratelimit-remaining"]) < 2000
    assert 0 < int(response.headers["gw-ratelimit-reset"]) <= 30_000


def test_bitget_refuses_more_than_its_per_second_limit(fresh):
    _, client = fresh("bitget", max_retries=0)
    client.limiter.acquire = lambda limits, **waits: 0.0  # a client that ignores the limit
    with pytest.raises(RateLimited) as caught:
        for _ in range(30):
            client.get_balances()
    assert (caught.value.http_status, caught.value.code) == (429, "429")


# --------------------------------------------------------------------------- fault knobs


def test_latency_is_added(fresh):
    boxes, client = fresh("bitget")
    boxes.server("bitget").faults.latency = 0.2
    started = time.monotonic()
    client.get_server_time()
    assert time.monotonic() - started >= 0.2


def test_a_429_with_retry_after_after_n_requests_is_honoured(fresh):
    boxes, client = fresh("kucoin")
    slept = []
    client._sleep = slept.append
    faults = boxes.server("kucoin").faults
    faults.rate_limit_after, faults.retry_after, faults.times = 1, "2", 2
    client.get_server_time()
    client.get_server_time()  # the second request gets the 429, waits 2 s (recorded), then succeeds
    assert slept == [2.0]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": 503}, ExchangeUnavailable),
        ({"html": True}, ExchangeUnavailable),
        ({"truncate": True}, (MalformedResponse, NetworkError)),
        ({"reset": True}, NetworkError),
    ],
)
def test_broken_answers_become_typed_errors(fresh, fault, error):
    boxes, client = fresh("bitget", max_retries=0)
    for name, value in fault.items():
        setattr(boxes.server("bitget").faults, name, value)
    with pytest.raises(error):
        client.get_balances()


def test_a_dropped_websocket_reconnects(fresh):
    boxes, client = fresh("binance", reconnect_backoff=(0.01, 0.05))
    try:
        client.get_account_info()
        boxes.server("binance").drop_after = 1
        with pytest.raises(NetworkError), pytest.warns(StreamWarning, match="reconnecting"):
            client.get_order_rate_limits()
        boxes.server("binance").drop_after = None
        assert client.get_order_rate_limits()["rate_limit_type"].tolist() == ["ORDERS", "ORDERS"]
    finally:
        client.close()


def test_demo_mode_points_every_client_at_its_sandbox():
    tk.demo()
    try:
        for exchange in tk.EXCHANGES:
            client = tk.connect(exchange)
            try:
                assert client.base_url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:"))
                assert not tk.unified.balances(client).empty
            finally:
                getattr(client, "close", lambda: None)()
    finally:
        tk.demo(False)


def test_newer_accounts_make_bitget_and_kucoin_unified_and_say_so():
    boxes = sandbox.start(["bitget", "kucoin"], newer_accounts=True, lifetime=60)
    try:
        bitget, kucoin = (sandbox_client(boxes, name) for name in ("bitget", "kucoin"))
        assert bitget.is_uta() is True and kucoin.is_uta() is True
        assert set(unified.balances(bitget)["account"]) == {"unified"}
        assert set(unified.balances(kucoin)["account"]) == {"unified", "funding"}
        for client in (bitget, kucoin):
            key = client.describe_key()
            assert key.loc[0, "account_model"] == "unified" and bool(key.loc[0, "can_trade"])
        with pytest.raises(tk.errors.InvalidRequest, match="You are in Unified Account mode") as caught:
            sandbox_client(boxes, "bitget").get_balances()  # a client that has not asked: Bitget's 40085
        assert any("use get_uta_assets()" in note for note in caught.value.__notes__)
    finally:
        boxes.stop()


# --------------------------------------------------------------------------- the addresses, printed and in Python


def test_the_printed_lines_pasted_connect_every_exchange_and_read_a_year_of_binance():
    import subprocess
    import sys

    server = subprocess.Popen([sys.executable, "-m", "toolkit", "sandbox", "--seconds", "90"], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        lines = []
        for line in server.stdout:
            lines.append(line)
            if line.startswith("Stop with"):
                break
        pasted = [line.strip() for line in lines if " = tk.connect(" in line]
        assert [line.split(" = ")[0] for line in pasted] == sorted(tk.EXCHANGES)
        namespace: dict = {}
        exec("import toolkit as tk\n" + "\n".join(pasted), namespace)  # exactly what a user pastes
        clients = {name: namespace[name] for name in tk.EXCHANGES}
        try:
            year = unified.ledger(clients["binance"], NOW - pd.Timedelta(days=365), errors="raise")
            assert set(year["type"]) >= {"deposit", "withdrawal", "trade", "convert"}  # REST and WebSocket both
            balances = unified.balances(clients, errors="raise")
            assert set(balances["exchange"]) == set(tk.EXCHANGES)
        finally:
            for client in clients.values():
                getattr(client, "close", lambda: None)()
    finally:
        server.terminate()
        server.wait(10)


def test_start_gives_each_exchanges_addresses_and_connect_options():
    with sandbox.start(["binance", "kucoin"], lifetime=60) as boxes:
        binance = boxes.addresses("binance")
        assert set(binance) == {"base_url", "rest_base_url"} and binance["base_url"].startswith("ws://127.0.0.1:")
        assert binance["rest_base_url"].startswith("http://127.0.0.1:")
        assert boxes.addresses("kucoin") == {"base_url": boxes.url("kucoin")}
        client = tk.connect("kucoin", **boxes.connect_options("kucoin"))
        assert len(client.get_accounts())
        assert "rest_base_url=" in boxes.connect_line("binance") and "passphrase=" in boxes.connect_line("kucoin")
        assert "binance={'base_url': 'ws://127.0.0.1:" in repr(boxes)
