from __future__ import annotations

import inspect
import logging
from datetime import UTC, datetime

import pandas as pd
import pytest

import toolkit as tk
from toolkit import errors
from toolkit.core.paging import CountedPages, Cursor, NextCursor, PageNumber, PagingError, Shifted, split_windows
from toolkit.core.ratelimit import Limit, RateLimiter
from toolkit.core.redact import get_logger, redact_text, redact_url, register_secret
from toolkit.core.timeutil import DAY_MS, to_ms


def test_errors_all_matches_public_classes():
    public = {
        n
        for n, o in vars(errors).items()
        if inspect.isclass(o) and issubclass(o, Exception) and o.__module__ == errors.__name__
    }
    assert set(errors.__all__) == public


def test_every_error_is_a_toolkit_error():
    for name in errors.__all__:
        assert issubclass(getattr(errors, name), errors.ToolkitError)


def test_rate_limited_keeps_retry_after_and_fields():
    err = errors.RateLimited("kucoin", "GET /x", http_status=429, code="429000", message="Too Many", retry_after=1.5)
    assert (err.retry_after, err.code, err.http_status) == (1.5, "429000", 429)
    assert str(err) == "kucoin GET /x, HTTP 429, code 429000: Too Many"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-01", 1735689600000),
        ("2025-01-01T01:00:00+01:00", 1735689600000),
        (datetime(2025, 1, 1), 1735689600000),
        (datetime(2025, 1, 1, tzinfo=UTC), 1735689600000),
        (pd.Timestamp("2025-01-01", tz="UTC"), 1735689600000),
        (1735689600000, 1735689600000),
    ],
)
def test_to_ms_accepts_every_documented_input(value, expected):
    assert to_ms(value) == expected


@pytest.mark.parametrize("value", [1735689600, True, "not a date", -5])
def test_to_ms_rejects_ambiguous_input(value):
    with pytest.raises(errors.ConfigurationError):
        to_ms(value)


def test_split_windows():
    assert split_windows(0, 10, 4) == [(0, 4), (4, 8), (8, 10)]
    assert split_windows(5, 5, 4) == [(5, 5)]
    assert split_windows(0, 2 * DAY_MS, DAY_MS) == [(0, DAY_MS), (DAY_MS, 2 * DAY_MS)]


def test_cursor_refuses_an_exchange_that_ignores_it():
    # Issue 14: stopping quietly here returned a partial history whose coverage said complete.
    calls = []

    def fetch(query):
        calls.append(dict(query))
        return [{"id": "5"}, {"id": "4"}]

    pages = Cursor("idLessThan", "id", 2).pages(fetch, {}, lambda d: d)
    assert next(pages) == [{"id": "5"}, {"id": "4"}]
    with pytest.raises(PagingError, match="page 2 is not older than idLessThan=4"):
        next(pages)
    assert calls[1]["idLessThan"] == 4


def test_next_cursor_follows_the_answers_cursor_and_refuses_one_handed_back_twice():
    answers = iter([{"list": [1, 2], "cursor": "a"}, {"list": [3, 4], "cursor": "b"}, {"list": [5, 6], "cursor": "a"}])
    calls = []

    def fetch(query):
        calls.append(query.get("cursor"))
        return next(answers)

    pages = NextCursor("cursor", "cursor", 2).pages(fetch, {}, lambda d: d["list"])
    assert next(pages) == [1, 2] and next(pages) == [3, 4] and next(pages) == [5, 6]
    with pytest.raises(PagingError, match="page 3 hands back cursor 'a' again"):
        next(pages)
    assert calls == [None, "a", "b"]


def test_next_cursor_stops_on_a_short_page_or_an_empty_cursor():
    short = NextCursor("cursor", "cursor", 2).pages(lambda q: {"list": [1], "cursor": "x"}, {}, lambda d: d["list"])
    assert list(short) == [[1]]
    empty = NextCursor("cursor", "cursor", 2).pages(lambda q: {"list": [1, 2], "cursor": ""}, {}, lambda d: d["list"])
    assert list(empty) == [[1, 2]]


def test_page_number_reads_total_pages():
    def fetch(query):
        page = query["currentPage"]
        return {"totalPage": 3, "totalNum": 5, "items": [{"p": page}] * (2 if page < 3 else 1)}

    paging = PageNumber("currentPage", "pageSize", 2, "totalPage", "totalNum")
    pages = list(paging.pages(fetch, {}, lambda d: d["items"]))
    assert [p[0]["p"] for p in pages] == [1, 2, 3]


COUNTED = CountedPages("current", "size", 2, "total")


def rows(data):
    return data["rows"]


def test_counted_pages_read_until_the_records_add_up_to_the_count():
    asked = []

    def fetch(query):
        asked.append(query)
        page = query["current"]
        return {"total": 5, "rows": [{"p": page}] * (2 if page < 3 else 1)}

    pages = list(COUNTED.pages(fetch, {"asset": "BNB"}, rows))
    assert [[r["p"] for r in p] for p in pages] == [[1, 1], [2, 2], [3]]
    assert asked == [{"asset": "BNB", "current": n, "size": 2} for n in (1, 2, 3)]
    assert list(COUNTED.pages(lambda q: {"total": 0, "rows": []}, {}, rows)) == [[]]


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (lambda q: {"total": 5, "rows": [{}] * (1 if q["current"] == 1 else 2)}, PagingError, "page 1 of 3 holds 1"),
        (lambda q: {"total": 1, "rows": [{}, {}]}, PagingError, "2 records arrived where total=1"),
        (lambda q: {"total": 4 + q["current"], "rows": [{}, {}]}, Shifted, "total changed from 5 to 6"),
        (lambda q: {"rows": []}, PagingError, "page 1 has no total"),
        (lambda q: {"total": "many", "rows": []}, PagingError, "total is not an integer"),
        (lambda q: [], PagingError, "not a paged answer"),
    ],
)
def test_counted_pages_refuse_an_answer_that_contradicts_the_count(answer, error, message):
    with pytest.raises(error, match=message):
        list(COUNTED.pages(answer, {}, rows))


def test_counted_pages_note_a_last_page_short_of_the_count_or_raise_without_a_note():
    def fewer(query):
        return {"total": 3, "rows": [{}] * (2 if query["current"] == 1 else 0)}

    notes: list[str] = []
    assert [len(p) for p in COUNTED.pages(fewer, {}, rows, notes.append)] == [2, 0]
    assert notes == ["2 of the 3 records that total declares arrived"]
    with pytest.raises(PagingError, match="2 records arrived where total=3"):
        list(COUNTED.pages(fewer, {}, rows))


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_rate_limiter_spaces_requests_to_the_limit():
    fake = FakeTime()
    limiter = RateLimiter(fake.clock, fake.sleep)
    limit = Limit("x", 10, 1.0)
    for _ in range(10):
        assert limiter.acquire([limit]) == 0  # a window starts empty
    waited = limiter.acquire([limit])
    assert waited == pytest.approx(1.05)  # the window, and the margin for the request's travel
    for _ in range(20):
        limiter.acquire([limit])
    # 31 requests at 10 a second: never 11 within one second, whichever second is counted
    assert fake.now == pytest.approx(3 * 1.05)


def test_rate_limiter_weight_and_block():
    fake = FakeTime()
    limiter = RateLimiter(fake.clock, fake.sleep)
    pool = Limit("pool", 100, 30.0, weight=40)
    limiter.acquire([pool])
    limiter.acquire([pool])
    assert limiter.acquire([pool]) == pytest.approx(30.05)  # 20 left of 100 in 30 s, needs 40
    limiter.block("pool", 10)
    assert limiter.acquire([Limit("pool", 100, 30.0, weight=1)]) == pytest.approx(10.0)


def test_rate_limiter_never_exceeds_a_fixed_window():
    # A token bucket (a burst of 10, then 10 a second) sent 20 within the first second's window.
    fake = FakeTime()
    limiter = RateLimiter(fake.clock, fake.sleep)
    sent = []
    for _ in range(100):
        limiter.acquire([Limit("x", 10, 1.0)])
        sent.append(fake.now)
    for start in [t / 100 for t in range(0, 1000)]:
        assert sum(start <= t < start + 1.0 for t in sent) <= 10


def test_redaction_by_name_and_by_value():
    register_secret("s3cr3t-value-xyz")
    text = redact_text(
        'GET /x?sign=ABCDEF&api_key=k1&coin=BTC {"apiKey": "k2", "passphrase": "p"} KC-API-SIGN: zzz s3cr3t-value-xyz'
    )
    assert "ABCDEF" not in text and "k1" not in text and "k2" not in text and "zzz" not in text
    assert "s3cr3t-value-xyz" not in text and "coin=BTC" in text
    assert redact_url("https://h/p?signature=abc&symbol=X") == "https://h/p?signature=***&symbol=X"


def test_log_records_are_redacted_at_debug(caplog):
    creds = tk.Credentials("log-key-0000000", "log-secret-1111111", "log-pass-2222222")
    log = get_logger("toolkit.test")
    with caplog.at_level(logging.DEBUG, logger="toolkit"):
        log.debug("sending %s with %s", creds.api_secret, {"passphrase": creds.passphrase})
        log.warning("url %s", "https://x/?sign=deadbeef")
    assert "log-secret-1111111" not in caplog.text and "log-pass-2222222" not in caplog.text
    assert "deadbeef" not in caplog.text and "***" in caplog.text


def test_credentials_never_show_secrets(monkeypatch):
    creds = tk.Credentials("AKEY-abcdef-1234", "the-secret-value", "the-passphrase")
    for shown in (repr(creds), str(creds), f"{creds}"):
        assert "the-secret-value" not in shown and "the-passphrase" not in shown and "AKEY-abcdef" not in shown
    assert "1234" in repr(creds)
    monkeypatch.setenv("KUCOIN_API_KEY", "env-key-123456")
    monkeypatch.setenv("KUCOIN_API_SECRET", "env-secret-123456")
    monkeypatch.setenv("KUCOIN_API_PASSPHRASE", "env-pass-123456")
    assert tk.Credentials.from_env("kucoin").passphrase == "env-pass-123456"
    with pytest.raises(errors.ConfigurationError, match="non-empty api_secret"):
        tk.Credentials("key", "")


def test_unknown_exchange():
    with pytest.raises(errors.ConfigurationError, match="choose one of binance, bitget, coinw, kucoin"):
        tk.connect("mtgox")


# --------------------------------------------------------------------------- clock


def test_one_clock_sync_however_many_threads_ask_at_once():
    import threading
    import time as _time

    from toolkit.core.clock import Clock

    asked = []

    def server_time():
        asked.append(1)
        _time.sleep(0.05)  # a round trip: every thread arrives while the first sync is in flight
        return 1_000_000

    clock = Clock(server_time)
    threads = [threading.Thread(target=clock.now_ms) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(asked) == 1 and clock.generation == 1


def test_rejections_signed_with_the_same_offset_resync_once():
    from toolkit.core.clock import Clock

    asked = []
    clock = Clock(lambda: asked.append(1) or 5_000_000_000_000)
    clock.now_ms()
    seen = clock.generation
    offsets = {clock.resync(seen=seen) for _ in range(8)}  # eight threads, one rejected timestamp each
    assert len(asked) == 2 and clock.generation == 2 and len(offsets) == 1
    clock.resync()  # asked without a generation: always measures
    assert len(asked) == 3
