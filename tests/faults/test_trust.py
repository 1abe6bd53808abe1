"""Trust (issue 23): a history is proven complete from what the server says or it raises; no frame
marked complete that is not, no row lost or doubled by a sync, no write sent twice with another id,
no wait past a call's budget, no secret fragment in an error, no cross-exchange call lost to one
exchange. Each case against a sandbox that answers badly on purpose, at the client's defaults
where they matter (waits are real but short: budgets of a few seconds)."""

from __future__ import annotations

import json
import logging
import time
import warnings

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import sandbox_client
from toolkit import sandbox, unified, valuation
from toolkit.core import bans, redact
from toolkit.core.http import MAX_WAIT_SECONDS, Reply
from toolkit.core.ratelimit import SkippingClock
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    RateLimited,
    RequestTimeout,
)
from toolkit.exchanges.binance import endpoints as binance_ep
from toolkit.sandbox.server import Response
from toolkit.store import Store

NOW = pd.Timestamp.now(tz="UTC").floor("s")
DAY = pd.Timedelta(days=1)


def rewrite(change, *, status=200):
    """A ``mutate`` knob: ``change(request, body)`` rewrites the JSON of answers with ``status``."""

    def mutate(request, response: Response) -> Response:
        if response.status != status:
            return response
        body = response.body if not isinstance(response.body, bytes) else json.loads(response.body)
        changed = change(request, body)
        if isinstance(changed, Response):
            return changed
        return Response(response.status, changed if changed is not None else body, response.headers)

    return mutate


def fault(boxes, exchange, *, only="", **knobs):
    faults = boxes.server(exchange).faults
    faults.only = only
    for name, value in knobs.items():
        setattr(faults, name, value)
    return faults


# --------------------------------------------------------------------------- KuCoin numbered pages

TOTAL, SIZE = 2400, 500


def kucoin_item(n: int, when: int) -> dict:
    return {"id": f"{900_000_000 + n}", "currency": "USDT", "amount": "1.00000000", "fee": "0", "balance": "0",
            "accountType": "MAIN", "bizType": "Deposit", "direction": "in", "createdAt": when,
            "context": ""}  # fmt: skip


def kucoin_pages(trap=None):
    """2,400 ledger entries inside the window asked, newest first, 500 a page, as KuCoin pages them;
    ``trap(page, items, data)`` spoils the answer."""

    def change(request, body):
        lo, hi = int(request.query["startAt"]), int(request.query["endAt"])
        page, size = int(request.query["currentPage"]), int(request.query["pageSize"])
        every = [kucoin_item(n, hi - (hi - lo) * n // TOTAL) for n in range(TOTAL)]
        data = {"currentPage": page, "pageSize": size, "totalNum": TOTAL, "totalPage": -(-TOTAL // size),
                "items": every[(page - 1) * size : page * size]}  # fmt: skip
        if trap is not None:
            trap(page, every, data)
        body["data"] = data
        return body

    return rewrite(change)


def creep(page, every, data):  # each page starts a little before where the last one ended
    start = max(0, (page - 1) * SIZE - 4 * (page - 1))
    data["items"] = every[start : start + SIZE]


def reversed_repeat(page, every, data):  # page 2 is page 1 again, in reverse order
    if page == 2:
        data["items"] = list(reversed(every[:SIZE]))


def shrinking_total(page, every, data):
    if page >= 2:
        data["totalPage"] = 4


def contradicting_totals(page, every, data):
    data["totalPage"] = 3


def empty_page(page, every, data):
    if page == 3:
        data["items"] = []


def short_last_page(page, every, data):
    if page == 5:
        data["items"] = data["items"][:300]


@pytest.mark.parametrize(
    ("trap", "message"),
    [
        (creep, "repeats id"),
        (reversed_repeat, "page 2 repeats id"),
        (shrinking_total, "totals changed from totalPage=5"),
        (contradicting_totals, "do not agree"),
        (empty_page, "page 3 of 5 holds 0 records"),
    ],
)
def test_kucoin_pages_that_do_not_add_up_raise(fresh, trap, message):
    boxes, client = fresh("kucoin")
    fault(boxes, "kucoin", only="/accounts/ledgers", mutate=kucoin_pages(trap))
    with pytest.raises(MalformedResponse, match=message):
        client.get_account_ledgers(start_time=NOW - DAY, end_time=NOW)


def test_kucoin_pages_that_add_up_are_complete_and_a_short_last_page_is_not(fresh):
    boxes, client = fresh("kucoin")
    faults = fault(boxes, "kucoin", only="/accounts/ledgers", mutate=kucoin_pages())
    whole = client.get_account_ledgers(start_time=NOW - DAY, end_time=NOW)
    assert len(whole) == TOTAL and whole["id"].is_unique and whole.attrs["coverage"]["complete"] is True
    faults.mutate = kucoin_pages(short_last_page)
    client.history_cache.clear()
    short = client.get_account_ledgers(start_time=NOW - DAY, end_time=NOW)
    coverage = short.attrs["coverage"]
    assert len(short) == 2300 and coverage["complete"] is False
    assert coverage["shortfall"][0].startswith("2300 of the 2400 records that totalNum declares arrived")


def test_totals_that_move_while_paging_walk_the_window_again(fresh):
    boxes, client = fresh("kucoin")
    asked = []

    def booked_meanwhile(page, every, data):  # an entry booked while the first walk was on page 2
        asked.append(page)
        if len(asked) == 2:
            data["totalNum"] += 1

    fault(boxes, "kucoin", only="/accounts/ledgers", mutate=kucoin_pages(booked_meanwhile))
    frame = client.get_account_ledgers(start_time=NOW - DAY, end_time=NOW)
    assert asked == [1, 2, 1, 2, 3, 4, 5] and len(frame) == TOTAL


# --------------------------------------------------------------------------- Binance offset pages


def binance_deposits(trap=None):
    def change(request, body):
        lo, hi = int(request.query["startTime"]), int(request.query["endTime"])
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        every = [{"id": str(7_000_000 + n), "amount": "1", "coin": "USDT", "network": "TRX", "status": 1,
                  "address": "TDemo", "txId": f"tx{n}", "insertTime": lo + (hi - lo) * n // 2500}
                 for n in range(2500)]  # fmt: skip
        return (trap or (lambda o, e: e[o : o + limit]))(offset, every)

    return rewrite(change)


@pytest.mark.parametrize(
    "trap",
    [lambda offset, every: every[:1000] if offset == 1000 else every[offset : offset + 1000],  # page 2 = page 1
     lambda offset, every: every[:1000]],  # the offset ignored
    ids=["a page repeated once", "the offset ignored"],
)  # fmt: skip
def test_binance_wallet_pages_that_do_not_advance_raise(fresh, trap):
    boxes, client = fresh("binance")
    rest = boxes.server("binance").rest
    rest.faults.only, rest.faults.mutate = "/deposit/hisrec", binance_deposits(trap)
    started = time.monotonic()
    try:
        with pytest.raises(MalformedResponse, match="page 2 repeats id 7000000"):
            client.get_deposit_history(start_time=NOW - 30 * DAY, end_time=NOW)
    finally:
        client.close()
    assert time.monotonic() - started < 5 and len(rest.requests) == 2
    assert binance_ep.DEPOSIT_HISTORY.paging is not None


def test_binance_wallet_pages_that_advance_give_every_record(fresh):
    boxes, client = fresh("binance")
    rest = boxes.server("binance").rest
    rest.faults.only, rest.faults.mutate = "/deposit/hisrec", binance_deposits()
    try:
        frame = client.get_deposit_history(start_time=NOW - 30 * DAY, end_time=NOW)
    finally:
        client.close()
    assert len(frame) == 2500 and frame["id"].is_unique and frame.attrs["coverage"]["complete"] is True


# --------------------------------------------------------------------------- records outside the range

BILL = {"coin": "usdt", "groupType": "deposit", "businessType": "deposit", "size": "1", "balance": "1", "fees": "0"}


def test_records_outside_the_range_are_dropped_and_counted(fresh):
    boxes, client = fresh("bitget")

    def stray(request, body):
        body["data"] += [{**BILL, "billId": str(5 + n), "cTime": "1500000000000"} for n in range(3)]

    fault(boxes, "bitget", only="/bills", mutate=rewrite(stray))
    frame = client.get_bills(start_time=NOW - 10 * DAY, end_time=NOW)
    assert frame["c_time"].min() >= NOW - 10 * DAY - pd.Timedelta(seconds=1)
    assert not frame["bill_id"].isin(["5", "6", "7"]).any()
    assert frame.attrs["coverage"]["out_of_range"] == 3


def test_a_full_page_from_outside_the_range_means_the_range_is_ignored(fresh):
    boxes, client = fresh("bitget")

    def elsewhere(request, body):
        body["data"] = [{**BILL, "billId": str(90_000 - n), "cTime": "1500000000000"} for n in range(500)]

    fault(boxes, "bitget", only="/bills", mutate=rewrite(elsewhere))
    with pytest.raises(MalformedResponse, match="the server ignores the range"):
        client.get_bills(start_time=NOW - 10 * DAY, end_time=NOW)


def test_fresh_full_pages_without_end_stop_at_the_historys_budget(fresh):
    boxes, client = fresh("bitget", budget=1.5)

    def endless(request, body):  # always a full page, each older than the cursor, all in the window
        below = int(request.query.get("idLessThan", 10**15))
        body["data"] = [{**BILL, "billId": str(below - 1 - n), "cTime": request.query["endTime"]} for n in range(500)]

    fault(boxes, "bitget", only="/bills", mutate=rewrite(endless))
    started = time.monotonic()
    # Bitget's 10 requests a second end it: the budget is reached while waiting for room, or after a page.
    with pytest.raises((RequestTimeout, RateLimited), match=r"within its budget of 1.5 s|of its 1.5 s budget left"):
        client.get_bills(start_time=NOW - 10 * DAY, end_time=NOW)
    assert time.monotonic() - started < 3


# --------------------------------------------------------------------------- the store's sync


def ledger_ids(client, start, end):
    return sorted(unified.ledger(client, start, end, errors="raise")["id"])


def test_a_partial_sync_leaves_its_gap_and_the_next_one_fills_it_exactly_once(fresh, tmp_path):
    boxes, client = fresh("kucoin")
    start = NOW - 40 * DAY
    served = []

    def fail_the_tenth(request, body):
        served.append(request)
        if len(served) == 10:
            return Response(200, {"code": "200000", "data": {"currentPage": 1, "totalPage": 3, "totalNum": 3,
                                                             "pageSize": 500, "items": []}})  # fmt: skip
        return None

    faults = fault(boxes, "kucoin", only="/accounts/ledgers", mutate=rewrite(fail_the_tenth))
    db = tmp_path / "a.db"
    with pytest.warns(unified.PartialResult):
        first = tk.sync(client, db, start=start, end=NOW, streams=("ledger",), snapshot=False)
    row = first.iloc[0]
    assert not row["complete"] and row["missing"] == [(start, NOW)] and "MalformedResponse" in row["error"]
    faults.mutate = None
    again = tk.sync(client, db, start=start, end=NOW, streams=("ledger",), snapshot=False)
    assert again.iloc[0]["complete"] and again.iloc[0]["missing"] == []
    with Store(db) as store:
        held = store.load("ledger")
        assert store.ranges("kucoin:ledger") == [(start, NOW)]
    assert held["id"].is_unique
    assert sorted(held["id"]) == ledger_ids(client, start, NOW)


@pytest.mark.parametrize("exchange", ["bitget", "kucoin", "binance", "coinw"])
def test_a_sync_from_earlier_backfills_to_the_same_rows_as_one_sync(fresh, tmp_path, exchange):
    _, client = fresh(exchange)
    year_ago = NOW - 300 * DAY
    tk.sync(client, tmp_path / "two.db", start=NOW - 20 * DAY, end=NOW, snapshot=False)
    later = tk.sync(client, tmp_path / "two.db", start=year_ago, end=NOW, snapshot=False)
    assert later.set_index("stream")["complete"].all()
    tk.sync(client, tmp_path / "one.db", start=year_ago, end=NOW, snapshot=False)
    with Store(tmp_path / "two.db") as two, Store(tmp_path / "one.db") as one:
        for stream in ("ledger", "deposits", "withdrawals"):
            assert sorted(two.load(stream)["id"]) == sorted(one.load(stream)["id"]), stream
            assert two.load(stream)["id"].is_unique
        for stream in later["stream"]:  # every stream the exchange has, held whole
            assert two.ranges(f"{exchange}:{stream}") == [(year_ago, NOW)], stream


def test_a_sync_interrupted_mid_way_then_run_again_holds_every_row_once(fresh, tmp_path, monkeypatch):
    _, client = fresh("kucoin")
    start = NOW - 200 * DAY
    appended = []
    real_append = Store.append

    def interrupted(self, stream, frame, key):
        appended.append(stream)
        if len(appended) == 2:  # the ledger is written, the deposits are not: Ctrl-C
            raise KeyboardInterrupt
        return real_append(self, stream, frame, key)

    monkeypatch.setattr(Store, "append", interrupted)
    with pytest.raises(KeyboardInterrupt):
        tk.sync(client, tmp_path / "a.db", start=start, end=NOW, snapshot=False)
    monkeypatch.setattr(Store, "append", real_append)
    with Store(tmp_path / "a.db") as db:
        assert db.ranges("kucoin:ledger") == [(start, NOW)] and db.ranges("kucoin:deposits") == []
    again = tk.sync(client, tmp_path / "a.db", start=start, end=NOW, snapshot=False)
    assert again.set_index("stream")["fetched"]["ledger"] == 0 and again["complete"].all()
    tk.sync(client, tmp_path / "once.db", start=start, end=NOW, snapshot=False)
    with Store(tmp_path / "a.db") as db, Store(tmp_path / "once.db") as once:
        for stream in ("ledger", "deposits", "withdrawals"):
            assert db.load(stream)["id"].is_unique and len(db.load(stream)), stream
            assert sorted(db.load(stream)["id"]) == sorted(once.load(stream)["id"]), stream


# --------------------------------------------------------------------------- the price cache


def test_a_bad_candle_answer_is_not_kept_and_the_next_run_prices_the_day(fresh):
    boxes, client = fresh("kucoin")
    cache = Store(":memory:")
    day = NOW.normalize() - 3 * DAY
    faults = fault(boxes, "kucoin", only="/market/candles")
    for spoil in (
        lambda r, b: {**b, "data": []},  # empty
        lambda r, b: {**b, "data": [[row[0], "0", "0", "0", "0", "0", "0"] for row in b["data"]]},  # a close of 0
        lambda r, b: Response(400, {"code": "400100", "msg": "try again"}),  # a passing refusal
    ):
        faults.mutate = rewrite(spoil)
        bad = valuation.prices(client, ["BTC"], day, day, cache=cache)
        assert bad["price"].isna().all() and bad.attrs["unpriced"] == ["BTC"]
        faults.mutate = None
        before = len(boxes.server("kucoin").requests)
        good = valuation.prices(client, ["BTC"], day, day, cache=cache)
        assert len(boxes.server("kucoin").requests) > before  # asked again
        assert good["price"].iloc[0] > 0 and good.attrs["unpriced"] == []
        cache = Store(":memory:")


# --------------------------------------------------------------------------- balances without amounts


@pytest.mark.parametrize(
    ("exchange", "only", "spoil", "call", "field"),
    [
        ("bitget", "/account/assets", lambda b: [{k: v for k, v in r.items() if k != "available"} for r in b],
         lambda c: c.get_balances(), "available"),
        ("kucoin", "/api/v1/accounts", lambda b: [{k: v for k, v in r.items() if k != "balance"} for r in b],
         lambda c: c.get_accounts(), "balance"),
        ("coinw", "/api/v1/private", lambda b: {a: {"onOrders": "0"} for a in b} if isinstance(b, dict) else b,
         lambda c: c.get_complete_balances(), "available"),
    ],
)  # fmt: skip
def test_balance_rows_without_their_amounts_are_refused(fresh, exchange, only, spoil, call, field):
    boxes, client = fresh(exchange)
    fault(boxes, exchange, only=only, mutate=rewrite(lambda r, b: {**b, "data": spoil(b["data"])}))
    with pytest.raises(MalformedResponse, match=f"record 0 has no '{field}'"):
        call(client)


def test_binance_balance_rows_without_their_amounts_are_refused(fake_credentials):
    client = tk.connect("binance", fake_credentials, sync_clock=False)
    with pytest.raises(MalformedResponse, match="record 0 has no 'free'"):
        client._typed(binance_ep.ACCOUNT_STATUS, [{"asset": "BTC", "locked": "0"}], False)


# --------------------------------------------------------------------------- writes


def test_a_bitget_withdrawal_refused_for_its_timestamp_is_resent_once_with_the_same_client_oid(fresh):
    boxes, client = fresh("bitget")
    boxes.server("bitget").faults.clock_offset_ms = 120_000  # the exchange's clock is two minutes ahead
    paid = client.withdraw("USDT", "TDemo", "trc20", 1, confirm=True)
    sent = [json.loads(r.body) for r in boxes.server("bitget").requests if r.path.endswith("/wallet/withdrawal")]
    assert len(sent) == 2 and sent[0]["clientOid"] == sent[1]["clientOid"] == paid.iloc[0]["client_oid"]
    withdrawals = [t for t in boxes.account("bitget").transactions if t.client_id == sent[0]["clientOid"]]
    assert len(withdrawals) == 1


def test_a_kucoin_withdrawal_refused_for_its_timestamp_is_never_resent(fresh):
    boxes, client = fresh("kucoin")
    boxes.server("kucoin").faults.clock_offset_ms = 120_000
    with pytest.raises(AuthenticationError) as caught:
        client.withdraw("USDT", "TDemo", 1, chain="trx", confirm=True)
    assert caught.value.code == "400002"
    assert any("so it was not executed" in note for note in caught.value.__notes__)
    assert sum(r.path == "/api/v3/withdrawals" for r in boxes.server("kucoin").requests) == 1
    assert client.get_accounts().shape[0] > 0  # the clock was resynced: the next call goes through


# --------------------------------------------------------------------------- bans and waits

BAN = b'{"code":-1003,"msg":"Way too much request weight used; IP banned until 1770000000000. Please use WebSocket Streams for live updates to avoid bans."}'  # noqa: E501


def test_a_418_with_a_json_body_is_a_ban_of_that_base_url_only(fresh):
    boxes, client = fresh("bitget", max_retries=0)
    _, other = fresh("bitget")
    fault(boxes, "bitget", status=418, body=BAN, times=1)
    with pytest.raises(RateLimited) as caught:
        client.get_balances()
    assert (caught.value.http_status, caught.value.code) == (418, "-1003")
    served = len(boxes.server("bitget").requests)
    with pytest.raises(RateLimited, match="banned this IP until"):
        client.get_bills()
    assert len(boxes.server("bitget").requests) == served  # refused before anything was sent
    assert len(other.get_balances()) > 0  # another base URL is another server
    bans.lift()


def test_a_rate_limit_reset_on_a_success_is_not_slept_by_the_next_call(fresh):
    boxes, client = fresh("kucoin")

    def low_quota(request, body):
        return Response(200, body, {"gw-ratelimit-remaining": "0", "gw-ratelimit-reset": str(10**30)})

    fault(boxes, "kucoin", only="/api/v1/accounts", mutate=rewrite(low_quota), times=1)
    client.get_accounts()
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        client.get_accounts()
    assert time.monotonic() - started < 1
    assert caught.value.retry_after == pytest.approx(MAX_WAIT_SECONDS, rel=1e-3)
    assert "later than this call may wait" in str(caught.value)


def test_a_coinw_rate_limit_asking_an_hour_is_raised_at_once(fresh):
    boxes, client = fresh("coinw")
    limited = rewrite(lambda r, b: Response(200, {"code": 29001, "msg": "API access frequently"},
                                            {"Retry-After": "3600"}))  # fmt: skip
    fault(boxes, "coinw", mutate=limited, times=1)
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        client.get_complete_balances()
    assert caught.value.retry_after == 3600 and time.monotonic() - started < 1
    with pytest.raises(RateLimited, match="limit has room in 3600 s"):
        client.get_complete_balances()  # every CoinW pool waits the hour: refused at once too
    assert time.monotonic() - started < 1


@pytest.mark.parametrize("header", ["1e12", str(2**70), "inf"])
def test_absurd_waits_are_bounded_not_overflowing(fresh, header):
    boxes, client = fresh("bitget", max_retries=0)
    fault(boxes, "bitget", rate_limit_after=0, retry_after=header, times=1)
    with pytest.raises(RateLimited) as caught:
        client.get_balances()
    assert caught.value.retry_after == MAX_WAIT_SECONDS
    assert any("try again after" in note for note in caught.value.__notes__)


@pytest.mark.parametrize(("retry_after", "expected"), [(2**70, MAX_WAIT_SECONDS), ("soon", None)])
def test_binance_ban_ends_that_are_no_sane_number(fake_credentials, retry_after, expected):
    client = tk.connect("binance", fake_credentials, sync_clock=False)
    payload = {"status": 418, "error": {"code": -1003, "msg": "banned", "data": {"serverTime": 1, "retryAfter":
                                                                                     retry_after}}}  # fmt: skip
    err = client.error("account.status", payload, Reply(418, {}, b""))
    assert isinstance(err, RateLimited) and err.retry_after == expected


def test_settled_windows_are_fetched_once_a_session(fresh):
    boxes, client = fresh("binance")
    rest = boxes.server("binance").rest
    start, end = NOW - 200 * DAY, NOW - 2 * DAY
    try:
        first = unified.withdrawals(client, start, end)
        asked = sum("/withdraw/history" in r.path for r in rest.requests)
        again = unified.fees(client, start, end)  # the ledger and the withdrawals ask again
    finally:
        client.close()
    assert asked == 3 and sum("/withdraw/history" in r.path for r in rest.requests) == asked
    assert len(first) and len(again)


def test_a_rate_limit_wait_is_said(fresh, caplog):
    _, client = fresh("kucoin")
    heard = []
    client.on_wait = heard.append
    client.limiter.block("kucoin:management", 1.2)
    with caplog.at_level(logging.INFO, logger="toolkit"):
        client.get_accounts()
    assert heard and heard[0].startswith("waiting 1 s for kucoin's kucoin:management limit")


# --------------------------------------------------------------------------- secrets


def test_fragments_of_a_secret_echoed_by_the_exchange_are_masked_everywhere(fresh, caplog):
    boxes, client = fresh("kucoin", max_retries=1)
    secret = client.credentials.api_secret
    echo = {"code": secret[2:18], "msg": f"bad request {secret[1:17]} / {secret[4:20]}"}
    fault(boxes, "kucoin", only="/api/v1/accounts", status=503, body=json.dumps(echo).encode(), times=1)
    client._sleep = lambda seconds: None
    with caplog.at_level(logging.WARNING, logger="toolkit"):
        client.get_accounts()  # retried once after the 503, which is logged
    fault(boxes, "kucoin", only="/api/v1/accounts", status=None, mutate=rewrite(
        lambda r, b: Response(400, {"code": secret[2:18], "msg": f"echo {secret[3:19]}"})), times=1)  # fmt: skip
    with pytest.raises(InvalidRequest) as caught:
        client.get_accounts()
    err = caught.value
    shown = [str(err), err.message, err.code or "", *(r.getMessage() for r in caplog.records)]
    pieces = {secret[i : i + redact.FRAGMENT] for i in range(len(secret) - redact.FRAGMENT + 1)}
    assert caplog.records and all(not any(p in text for p in pieces) for text in shown), shown


# --------------------------------------------------------------------------- across exchanges


def test_one_exchange_down_leaves_the_other_three_with_the_failure_said():
    with sandbox.start(lifetime=120, clock=SkippingClock()) as boxes:
        clients = [sandbox_client(boxes, e, max_retries=0) for e in sorted(tk.EXCHANGES)]
        boxes.server("bitget").faults.status = 503
        start, end = NOW - 5 * DAY, NOW
        try:
            with pytest.warns(unified.PartialResult, match="bitget failed"):
                ledger = unified.ledger(clients, start, end)
            assert set(ledger["exchange"]) == {"binance", "coinw", "kucoin"}
            (failed,) = ledger.attrs["failures"]
            assert (failed["exchange"], failed["error"]) == ("bitget", "ExchangeUnavailable")
            assert failed["missing"] == f"ledger from {start} to {end}"
            assert ledger.attrs["complete"] == {"binance": True, "coinw": True, "kucoin": True}
            with pytest.raises(tk.errors.ExchangeUnavailable):
                unified.ledger(clients, start, end, errors="raise")
            with pytest.warns(unified.PartialResult):
                worth = valuation.portfolio_value(clients, start, end, cache=Store(":memory:"))
            assert "bitget" not in set(worth["exchange"]) and worth.attrs["failures"][0]["exchange"] == "bitget"
            with pytest.raises(ConfigurationError, match="errors is 'collect' or 'raise'"):
                unified.balances(clients, errors="ignore")
        finally:
            for client in clients:
                getattr(client, "close", lambda: None)()


# --------------------------------------------------------------------------- small things a user meets


def test_exact_must_be_a_flag(fresh):
    _, client = fresh("kucoin")
    with pytest.raises(ConfigurationError, match="exact is True or False, got 'no'"):
        client.get_accounts(exact="no")


def test_a_mistyped_connect_option_names_what_it_may_have_meant(fake_credentials):
    with pytest.raises(ConfigurationError, match=r"takes no option timout=; did you mean timeout=\?"):
        tk.connect("kucoin", fake_credentials, timout=3)


def test_binance_trades_from_after_now_are_refused_like_the_others(fake_credentials, no_network):
    client = tk.connect("binance", fake_credentials, sync_clock=False)
    with pytest.raises(ConfigurationError, match="is after now"):
        client.get_my_trades("BTCUSDT", start_time=NOW + 2 * DAY)


@pytest.mark.parametrize("exchange", ["bitget", "kucoin"])
def test_a_refused_port_is_not_retried(fake_credentials, exchange):
    client = tk.connect(exchange, fake_credentials, base_url="http://127.0.0.1:9", sync_clock=False)
    started = time.monotonic()
    with pytest.raises(NetworkError, match="connection refused") as caught:
        client.get_server_time()
    assert not caught.value.retryable and time.monotonic() - started < 1


def test_switching_the_demo_closes_the_clients_it_made():
    tk.demo()
    try:
        client = tk.connect("binance")
        client.get_account_info()
        assert client.transport.connection.connected
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tk.demo()  # switched: the old client goes with its sandbox
        assert not client.transport.connection.connected
    finally:
        tk.demo(False)
