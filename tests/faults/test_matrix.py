"""The fault matrix: every exchange, reads, paged history and writes, against a sandbox that answers
badly on purpose. No silently partial frame, no call over its budget, no untyped exception, and
every write sent once."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from tests.conftest import HTTP_EXCHANGES
from toolkit.errors import (
    ExchangeUnavailable,
    MalformedResponse,
    NetworkError,
    RateLimited,
    RequestTimeout,
    ToolkitError,
)
from toolkit.sandbox.server import Response

HTTP = list(HTTP_EXCHANGES)
NOW = pd.Timestamp.now(tz="UTC")
# One call per exchange and kind: a read, a paged history, a write.
CALLS = {
    ("bitget", "read"): lambda c: c.get_balances(),
    ("bitget", "history"): lambda c: c.get_bills(start_time=NOW - pd.Timedelta(days=120)),
    ("bitget", "write"): lambda c: c.withdraw("USDT", "TDemo", "trc20", 1, client_order_id="tk-fault", confirm=True),
    ("kucoin", "read"): lambda c: c.get_accounts(),
    ("kucoin", "history"): lambda c: c.get_deposits(start_time=NOW - pd.Timedelta(days=60)),
    ("kucoin", "write"): lambda c: c.withdraw("USDT", "TDemo", 1, chain="trx", confirm=True),
    ("coinw", "read"): lambda c: c.get_complete_balances(),
    ("coinw", "history"): lambda c: c.get_deposit_withdrawal_history(["USDT", "BTC"]),
    ("coinw", "write"): lambda c: c.withdraw("USDT", "TDemo", "TRC20", 1, confirm=True),
}
# fault knobs -> what the call must raise (None: it must succeed after retries)
FAULTS = {
    "5xx": ({"status": 503}, ExchangeUnavailable),
    "html": ({"html": True}, ExchangeUnavailable),
    "truncated": ({"truncate": True}, NetworkError),
    "reset": ({"reset": True}, NetworkError),
    "dripping": ({"drip": 0.02}, RequestTimeout),
    "hanging": ({"hang": 5.0}, RequestTimeout),
    "retry-after not a number": ({"rate_limit_after": 0, "retry_after": "soon"}, RateLimited),
    "retry-after an hour": ({"rate_limit_after": 0, "retry_after": "3600"}, RateLimited),
}
BUDGET = 2.0  # seconds a call may take here, retries included


def sent_to(boxes, exchange: str, path: str) -> int:
    return sum(1 for r in boxes.server(exchange).requests if r.path == path)


@pytest.mark.parametrize("kind", ["read", "history", "write"])
@pytest.mark.parametrize("exchange", HTTP)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_is_a_typed_error_within_the_budget(fresh, exchange, kind, fault):
    knobs, expected = FAULTS[fault]
    boxes, client = fresh(exchange, timeout=(0.25, 0.25), budget=BUDGET, max_retries=1)
    client._sleep = lambda seconds: time.sleep(min(seconds, 0.05))  # backoff kept short, still real
    for name, value in knobs.items():
        setattr(boxes.server(exchange).faults, name, value)
    started = time.monotonic()
    with pytest.raises(ToolkitError) as caught:
        CALLS[exchange, kind](client)
    took = time.monotonic() - started
    assert isinstance(caught.value, expected), f"{fault}: {type(caught.value).__name__}: {caught.value}"
    assert took < BUDGET + 1.5, f"{fault} took {took:.1f} s"
    if kind == "write":
        paths = {r.path for r in boxes.server(exchange).requests}
        assert len(boxes.server(exchange).requests) == 1, f"a write was sent {len(paths)} times"


@pytest.mark.parametrize("exchange", HTTP)
def test_a_short_retry_after_is_honoured_and_the_read_succeeds(fresh, exchange):
    boxes, client = fresh(exchange)
    slept = []
    client._sleep = slept.append
    faults = boxes.server(exchange).faults
    faults.rate_limit_after, faults.retry_after, faults.times = 0, "1", 1
    frame = CALLS[exchange, "read"](client)
    assert len(frame) > 0 and slept and slept[0] >= 1.0


def test_a_ban_stops_every_request_to_that_exchange(fresh):
    boxes, client = fresh("bitget", max_retries=0)
    faults = boxes.server("bitget").faults
    faults.status, faults.times = 418, 1
    with pytest.raises(RateLimited):
        client.get_balances()
    served = len(boxes.server("bitget").requests)
    with pytest.raises(RateLimited, match="banned this IP until"):
        client.get_bills()  # refused before anything is sent
    assert len(boxes.server("bitget").requests) == served


# --------------------------------------------------------------------------- answers that lie


def rewrite(change):
    """A ``mutate`` knob that applies ``change`` to the JSON body of successful answers."""

    def mutate(request, response: Response) -> Response:
        body = response.body if not isinstance(response.body, bytes) else json.loads(response.body)
        if response.status == 200:
            changed = change(request, body)
            return Response(response.status, changed if changed is not None else body, response.headers)
        return response

    return mutate


def drop_data_after(first: int):
    """Answers with no ``data`` from the request after ``first`` on: a history broken in the middle."""
    seen = []

    def change(request, body):
        seen.append(request)
        if len(seen) > first:
            body.pop("data", None)
        return body

    return change


@pytest.mark.parametrize(("exchange", "only"), [("bitget", "/bills"), ("kucoin", "/ledgers")])
def test_a_page_without_data_mid_history_raises_instead_of_a_partial_frame(fresh, exchange, only):
    boxes, client = fresh(exchange)
    faults = boxes.server(exchange).faults
    faults.mutate, faults.only = rewrite(drop_data_after(2)), only
    call = (
        (lambda: client.get_bills(start_time=NOW - pd.Timedelta(days=300), end_time=NOW))
        if exchange == "bitget"
        else (lambda: client.get_account_ledgers(start_time=NOW - pd.Timedelta(days=20)))
    )
    with pytest.raises(MalformedResponse, match="without 'data'") as caught:
        call()
    assert any("nothing was returned" in note for note in caught.value.__notes__)


BILL = {"cTime": "1770000000000", "coin": "usdt", "groupType": "deposit", "businessType": "deposit", "size": "1",
        "balance": "1", "fees": "0"}  # fmt: skip


def full_page(request, body):
    """The same full page of 500 bills (inside the window asked), whatever the cursor says."""
    body["data"] = [{**BILL, "billId": str(10_000 - n), "cTime": request.query["endTime"]} for n in range(500)]
    return body


def test_a_server_that_ignores_the_cursor_is_caught(fresh):
    boxes, client = fresh("bitget")
    boxes.server("bitget").faults.mutate, boxes.server("bitget").faults.only = rewrite(full_page), "/bills"
    with pytest.raises(MalformedResponse, match="not older than idLessThan"):
        client.get_bills(start_time=NOW - pd.Timedelta(days=300), end_time=NOW)


DEPOSIT = {"currency": "USDT", "chain": "trx", "status": "SUCCESS", "address": "TDemo", "memo": "", "isInner": False,
           "amount": "1", "fee": "0", "walletTxId": "demo", "createdAt": 1770000000000,
           "updatedAt": 1770000000000, "remark": "", "arrears": False}  # fmt: skip


def test_a_kucoin_page_that_never_ends_is_caught(fresh):
    boxes, client = fresh("kucoin")

    def endless(request, body):
        data = body["data"]  # the same items, page 1 again whatever was asked, and always one more page
        data["items"] = [DEPOSIT]
        data["totalPage"] = int(request.query.get("currentPage", 1)) + 1
        data["currentPage"] = 1
        return body

    boxes.server("kucoin").faults.mutate, boxes.server("kucoin").faults.only = rewrite(endless), "/deposits"
    started = time.monotonic()
    with pytest.raises(MalformedResponse, match=r"asked for page 2, got page 1|do not agree"):
        client.get_deposits(start_time=NOW - pd.Timedelta(days=20))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r, b: {**b, "data": {"list": b["data"]}}, "expected a list of records"),
        (lambda r, b: {**b, "data": [{} for _ in b["data"]]}, "has no id|not an integer: None"),
        (lambda r, b: {**b, "data": [{**x, "billId": {"id": 1}} for x in b["data"]]}, "not an integer|not text"),
        (lambda r, b: {**b, "data": [{**x, "size": "abc"} for x in b["data"]]}, "not a number"),
        (lambda r, b: {**b, "data": [{**x, "size": True} for x in b["data"]]}, "not a number"),
        (lambda r, b: {**b, "data": [{**x, "cTime": "1e300"} for x in b["data"]]}, "not a time"),
        (lambda r, b: {**b, "data": [[x] for x in b["data"]]}, "not JSON objects"),
    ],
)
def test_records_of_the_wrong_shape_are_malformed_not_wrong_rows(fresh, change, message):
    boxes, client = fresh("bitget")
    boxes.server("bitget").faults.mutate, boxes.server("bitget").faults.only = rewrite(change), "/bills"
    with pytest.raises(MalformedResponse, match=message):
        client.get_bills(start_time=NOW - pd.Timedelta(days=80), end_time=NOW)


def test_a_write_answered_with_a_number_that_is_not_one_is_not_reported_as_done(fresh):
    boxes, client = fresh("bitget")
    wrong = rewrite(lambda r, b: {**b, "data": {"orderId": ["1"], "clientOid": "tk-x"}})
    boxes.server("bitget").faults.mutate, boxes.server("bitget").faults.only = wrong, "/withdrawal"
    with pytest.raises(MalformedResponse) as caught:
        client.withdraw("USDT", "TDemo", "trc20", 1, client_order_id="tk-x", confirm=True)
    assert any("most likely been executed" in note for note in caught.value.__notes__)


# --------------------------------------------------------------------------- the websocket


def test_frames_no_binance_sends_do_not_silence_the_stream(fresh):
    boxes, client = fresh("binance")
    server = boxes.server("binance")
    try:
        handle = client.subscribe_to_user_data_updates()
        server.inject("[" * 5000 + "]" * 5000)  # nested too deep
        server.inject('{"id": [1], "status": 200, "result": {}}')  # an id that is a list
        server.inject('{"id": {"a": 1}, "status": 200}')  # an id that is an object
        server.inject('{"subscriptionId": [0], "event": {"e": "balanceUpdate"}}')
        server.inject('{"subscriptionId": 0, "event": {"e": "USER_LIABILITY_CHANGE", "E": 1770000000000}}')
        server.inject('{"subscriptionId": 0, "event": {"e": "balanceUpdate", "E": 1770000000000, "a": "USDT",'
                      ' "d": "1.00000000", "T": 1770000000000}}')  # fmt: skip
        assert handle.wait_for("balance_update", timeout=5)
        assert handle.status == "active"
        unknown = handle.events["user_liability_change"]
        assert list(unknown.columns) == ["event_type", "event_time"]  # e and E keep their names
        assert not client.get_order_rate_limits().empty  # the connection still answers requests
    finally:
        client.close()
