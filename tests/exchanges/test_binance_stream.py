"""Binance user data stream: callbacks, kept events, pings, reconnection, rotation, termination, demo mode."""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_SECRET
from tests.exchanges.test_binance import connect, replay  # noqa: F401  (fixtures)
from toolkit.exchanges.binance import StreamWarning, auth


def wait_until(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


def subscribe_frames(server) -> list[dict]:
    return [f for f in server.received if f["method"] == "userDataStream.subscribe.signature"]


def test_callbacks_get_every_event_kind_as_frames(replay, connect):
    server = replay("user_data_stream")
    client = connect(server)
    got: dict[str, list[pd.DataFrame]] = {}
    threads: set[str] = set()

    def keep(name):
        def callback(frame):
            threads.add(threading.current_thread().name)
            got.setdefault(name, []).append(frame)

        return callback

    handle = client.subscribe_to_user_data_updates(
        on_order_update=keep("order"),
        on_oco_order_update=keep("oco"),
        on_account_position=keep("position"),
        on_account_balance_update=keep("balance"),
    )
    assert wait_until(lambda: len(got) == 4)
    assert handle.status == "active"
    assert handle.subscription_id == 0
    assert server.pongs == ["made-up-ping-payload"]  # the server's ping was answered

    position = got["position"][0]
    assert list(position.columns) == ["event_type", "event_time", "last_update_time", "asset", "free", "locked"]
    assert position.iloc[0].to_dict() == {
        "event_type": "outboundAccountPosition",
        "event_time": pd.Timestamp(1564034571105, unit="ms", tz="UTC"),
        "last_update_time": pd.Timestamp(1564034571073, unit="ms", tz="UTC"),
        "asset": "ETH",
        "free": 10000.0,
        "locked": 0.0,
    }
    balance = got["balance"][0].iloc[0]
    assert (balance["asset"], balance["balance_delta"]) == ("BTC", 100.0)
    assert balance["clear_time"] == pd.Timestamp(1573200697068, unit="ms", tz="UTC")
    order = got["order"][0].iloc[0]
    assert (order["symbol"], order["client_order_id"], order["side"], order["order_status"]) == (
        "ETHBTC",
        "mUvoqJxFIILMdfAW5iGSOW",
        "BUY",
        "NEW",
    )
    assert order["price"] == 0.1026441
    assert order["order_id"] == "4293153"
    assert bool(order["is_on_book"]) and not bool(order["is_maker"])
    assert pd.isna(order["commission_asset"])
    assert got["order"][0]["quantity"].dtype == "float64"
    oco = got["oco"][0]
    assert list(oco["order_id"]) == ["17", "18"]
    assert list(oco["order_client_order_id"]) == ["AJYsMjErWJesZvqlJCTUgL", "bfYPSQdLoqAJeNrOr9adzq"]
    assert set(oco["contingency_type"]) == {"OCO"}
    assert threads == {"binance-callbacks_0"}

    subscribe = subscribe_frames(server)[0]["params"]
    assert sorted(subscribe) == ["apiKey", "signature", "timestamp"]
    assert subscribe["signature"] == auth.signature(
        FAKE_SECRET, f"apiKey={FAKE_KEY}&timestamp={subscribe['timestamp']}"
    )

    events = handle.events
    assert {k: len(v) for k, v in events.items()} == {
        "execution_report": 1,
        "list_status": 2,
        "outbound_account_position": 1,
        "balance_update": 1,
    }
    handle.stop()
    assert server.received[-1] == {
        "id": server.received[-1]["id"],
        "method": "userDataStream.unsubscribe",
        "params": {"subscriptionId": 0},
    }
    assert handle.status == "stopped"
    assert len(handle.events["balance_update"]) == 1  # kept after stop
    assert server.problems == []


def test_events_are_kept_without_callbacks_and_empty_kinds_have_columns(replay, connect):
    server = replay("user_data_stream")
    handle = connect(server).subscribe_to_user_data_updates()
    assert handle.wait_for("list_status", timeout=5)
    assert handle.wait_for(count=4, timeout=5)
    balances = handle.balances(pd.DataFrame({"asset": ["BTC", "ETH"], "free": [1.0, 2.0], "locked": [0.0, 0.0]}))
    assert balances.to_dict("records") == [
        {"asset": "BTC", "free": 1.0, "locked": 0.0},
        {"asset": "ETH", "free": 10000.0, "locked": 0.0},
    ]
    assert not handle.wait_for("balance_update", count=2, timeout=0.05)


def test_empty_event_frames_keep_their_columns_and_dtypes(replay, connect):
    server = replay("user_data_stream--terminated")
    with pytest.warns(StreamWarning, match="terminated by Binance"):
        handle = connect(server).subscribe_to_user_data_updates()
        assert wait_until(lambda: handle.status == "terminated")
    empty = handle.events["outbound_account_position"]
    assert len(empty) == 0
    assert list(empty.columns) == ["event_type", "event_time", "last_update_time", "asset", "free", "locked"]
    assert str(empty["free"].dtype) == "float64"
    assert str(empty["event_time"].dtype) == "datetime64[ns, UTC]"
    assert handle.history[-1][1:] == ("terminated", "Binance terminated the event stream (eventStreamTerminated)")


def test_reconnects_after_a_drop_and_restores_the_subscription(replay, connect):
    server = replay("user_data_stream--reconnect")
    client = connect(server)
    got: list[pd.DataFrame] = []
    with pytest.warns(StreamWarning, match="reconnecting and resubscribing"):
        handle = client.subscribe_to_user_data_updates(on_account_balance_update=got.append)
        assert wait_until(lambda: len(got) == 1)  # only sent on the second connection
    assert server.connections == 2
    assert len(subscribe_frames(server)) == 2
    assert server.problems == []  # both subscriptions were signed correctly
    assert handle.status == "active"
    assert handle.reconnects == 1
    assert [status for _, status, _ in handle.history] == ["active", "reconnecting", "active"]
    assert "connection closed" in handle.history[1][2]
    assert handle.history[2][2] == "resubscribed after reconnection"
    assert len(handle.events["outbound_account_position"]) == 1
    assert got[0].iloc[0]["asset"] == "BTC"


def test_server_shutdown_notice_leads_to_a_reconnect(replay, connect):
    server = replay("user_data_stream--shutdown")
    with pytest.warns(StreamWarning, match="server shutdown"):
        handle = connect(server).subscribe_to_user_data_updates()
        assert handle.wait_for("balance_update", timeout=5)
    assert server.connections == 2
    assert handle.status == "active"
    assert handle.reconnects == 1
    assert server.problems == []


def test_rotates_the_connection_before_the_time_limit(replay, connect):
    server = replay("user_data_stream", lenient=True)
    with pytest.warns(StreamWarning, match="rotating after 0.3 s"):
        handle = connect(server, rotate_after=0.3).subscribe_to_user_data_updates()
        assert wait_until(lambda: handle.reconnects >= 1 and handle.status == "active")
    assert server.connections >= 2
    assert len(subscribe_frames(server)) >= 2
    assert server.problems == []


def test_a_failing_callback_does_not_stop_the_stream(replay, connect, caplog):
    server = replay("user_data_stream")
    got = []

    def broken(frame):
        raise ValueError("user bug")

    handle = connect(server).subscribe_to_user_data_updates(on_account_position=broken, on_order_update=got.append)
    assert wait_until(lambda: len(got) == 1)
    assert handle.status == "active"
    assert "a user data callback raised" in caplog.text


def test_listen_key_is_ignored_with_a_warning(replay, connect):
    server = replay("user_data_stream")
    with pytest.warns(FutureWarning, match="listen_key is ignored.*2026-02-20"):
        handle = connect(server).subscribe_to_user_data_updates(listen_key="pqia91ma19a5s61cv6a81va65sdf19v8a65a1")
    assert handle.status == "active"
    assert "listenKey" not in subscribe_frames(server)[0]["params"]


def test_demo_mode_streams_a_story_the_account_then_agrees_with():
    tk.demo()
    try:
        client = tk.connect("binance")
        try:
            assert client.base_url.startswith("ws://127.0.0.1:")
            account = client.get_account_info()
            assert {"BTC", "ETH", "USDT"} <= set(account["asset"])
            handle = client.subscribe_to_user_data_updates()
            assert handle.wait_for("list_status", timeout=10)
            assert handle.events["balance_update"]["balance_delta"].tolist() == [500.0]
            fills = handle.events["execution_report"]
            assert fills["execution_type"].tolist() == ["NEW", "TRADE"]
            streamed = handle.balances(account).set_index("asset")
            now = client.get_account_info().set_index("asset")
            for asset in ("BTC", "USDT"):  # the stream and a fresh account.status tell the same story
                assert streamed.loc[asset, "free"] == pytest.approx(now.loc[asset, "free"])
                assert streamed.loc[asset, "locked"] == pytest.approx(now.loc[asset, "locked"])
            usdt = account.set_index("asset").loc["USDT", "free"]
            cost = fills["last_executed_price"].iloc[-1] * fills["last_executed_quantity"].iloc[-1]
            assert now.loc["USDT", "free"] == pytest.approx(usdt + 500 - cost)
            handle.stop()
            assert handle.status == "stopped"
        finally:
            client.close()
    finally:
        tk.demo(False)


def test_wait_for_returns_once_the_callbacks_of_the_events_so_far_have_run(replay, connect):
    # Notebook 05 drew its live table from a callback and the cell ended while the last callback
    # was still queued: the saved table missed the last update that handle.balances had.
    server = replay("user_data_stream")
    seen = []

    def slow(frame):
        time.sleep(0.3)
        seen.append(frame)

    handle = connect(server).subscribe_to_user_data_updates(on_account_position=slow)
    assert handle.wait_for("list_status", timeout=10)
    assert len(seen) == len(handle.events["outbound_account_position"]) >= 1


def test_requests_from_several_threads_at_once_share_one_connection(fresh):
    # The first requests of a client, sent together (a history's markets in flight), once opened a
    # connection each and failed: they now wait for the one opening, on one loop thread.
    boxes, client = fresh("binance")
    box = boxes.server("binance")
    answers, errors = [], []
    gate = threading.Barrier(6)

    def ask() -> None:
        gate.wait()
        try:
            answers.append(client.get_server_time())
        except Exception as exc:  # any failure is what this test is about
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert not errors, errors
        assert len(answers) == 6 and all(len(a) == 1 for a in answers)
        assert len(box._connections) == 1
    finally:
        client.close()
