"""Binance history: fills over the WebSocket API, wallet history and daily snapshots over signed REST,
against Binance's documented examples; windows, paging and the unified ledger on the sandbox."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import FAKE_SECRET
from tests.exchanges.test_binance import connect, replay  # noqa: F401  (fixtures)
from toolkit import history, unified
from toolkit.core.paging import FromId
from toolkit.errors import InvalidRequest
from toolkit.exchanges.binance import endpoints as ep
from toolkit.exchanges.binance.auth import signature
from toolkit.exchanges.binance.client import markets_of


@pytest.fixture
def rest(fake_credentials):
    """A Binance client whose REST calls the cassettes answer (its WebSocket is never opened)."""
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
    yield client
    client.close()


def test_deposit_history_of_the_documented_example(rest, cassette):
    with cassette("binance/rest/get_deposit_history"):
        df = rest.get_deposit_history(start_time="2022-08-20", end_time="2022-08-30")
    row = df.iloc[0]
    assert (row["id"], row["coin"], row["network"], row["status"]) == ("769800519366885376", "BNB", "BNB", 1)
    assert row["amount"] == 0.001 and row["confirm_times"] == "1/1"
    assert row["insert_time"] == pd.Timestamp(1661493146000, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["windows"] == 1 and df.attrs["coverage"]["complete"] is True


def test_withdrawal_history_reads_its_written_utc_times(rest, cassette):
    with cassette("binance/rest/get_withdrawal_history"):
        df = rest.get_withdrawal_history(start_time="2019-10-01", end_time="2019-10-20", exact=True)
    row = df.iloc[0]
    assert (str(row["amount"]), str(row["transaction_fee"])) == ("8.91000000", "0.004")
    assert row["apply_time"] == pd.Timestamp("2019-10-12 11:12:02", tz="UTC")
    assert row["complete_time"] == pd.Timestamp("2023-03-23 16:52:41", tz="UTC")
    assert (row["withdraw_order_id"], row["status"]) == ("WITHDRAWtest123", 6)


def test_account_snapshot_is_one_row_per_day_and_asset(rest, cassette):
    with cassette("binance/rest/get_account_snapshot"):
        df = rest.get_account_snapshot(start_time="2019-12-01", end_time="2019-12-30")
    assert df[["asset", "free", "locked"]].values.tolist() == [["BTC", 0.09905021, 0.0], ["USDT", 1.89109409, 0.0]]
    assert (df["update_time"] == pd.Timestamp(1576281599000, unit="ms", tz="UTC")).all()
    assert df["total_asset_of_btc"].tolist() == [0.099427, 0.099427]


def test_rest_requests_are_signed_as_binance_documents(rest, cassette):
    sent = []
    rest.rest.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    with cassette("binance/rest/get_deposit_history"):
        rest.get_deposit_history(start_time="2022-08-20", end_time="2022-08-30")
    url = sent[0].url
    query, _, sig = url.partition("?")[2].rpartition("&signature=")
    assert sig == signature(FAKE_SECRET, query)  # over the query string as sent, signature last
    assert sent[0].headers["X-MBX-APIKEY"] == rest.credentials.api_key
    assert dict(parse_qsl(query))["limit"] == "1000"


def test_my_trades_of_the_documented_example(replay, connect):
    server = replay("my_trades")
    client = connect(server)
    df = client.get_my_trades("BTCUSDT")
    assert server.problems == []
    assert df["id"].tolist() == ["1650422481", "1650422482"]
    assert df["price"].tolist() == [23416.1, 23416.5] and df["qty"].tolist() == [0.00635, 0.00212]
    assert (df["commission_asset"].tolist(), df["is_maker"].tolist()) == (["BNB", "BNB"], [True, True])
    assert df["time"].iloc[0] == pd.Timestamp(1660801715793, unit="ms", tz="UTC")
    assert df.attrs["coverage"]["symbols"] == ["BTCUSDT"]


# --------------------------------------------------------------------------- on the sandbox


def test_a_withdrawal_history_over_200_days_is_three_windows(fresh):
    boxes, client = fresh("binance")
    try:
        now = pd.Timestamp.now(tz="UTC")
        df = client.get_withdrawal_history(start_time=now - pd.Timedelta(days=200), end_time=now)
        asked = [r for r in boxes.server("binance").rest.requests if r.path.endswith("/withdraw/history")]
        spans = [(int(r.query["endTime"]) - int(r.query["startTime"])) / 86_400_000 for r in asked]
        assert len(asked) == 3 == df.attrs["coverage"]["windows"]
        assert all(span < 90 for span in spans) and sum(spans) == pytest.approx(200, abs=0.01)
    finally:
        client.close()


def test_my_trades_without_a_symbol_reads_every_market_of_the_assets_held(fresh):
    boxes, client = fresh("binance")
    try:
        df = client.get_my_trades()
        held = {t.base for t in boxes.account("binance").trades}
        assert {f"{base}USDT" for base in held} <= set(df.attrs["coverage"]["symbols"])
        assert len(df) == len(boxes.account("binance").trades) and df["id"].is_unique
    finally:
        client.close()


@pytest.fixture
def demo_binance():
    tk.demo()
    client = tk.connect("binance", progress=False)
    yield client
    client.close()
    tk.demo(False)


def test_the_binance_ledger_rebuilds_its_daily_snapshots_to_zero(demo_binance):
    from toolkit.demo_mode import PERIOD

    ledger = unified.ledger(demo_binance, *PERIOD)
    balances = unified.balances(demo_binance)
    snapshots = unified.snapshots(demo_binance)
    assert set(ledger["type"]) >= {"deposit", "trade", "withdrawal"}
    assert len(snapshots) >= 30 * 3
    residual = history.residual(ledger, balances, snapshots)
    assert set(residual["exchange"]) == {"binance"} and residual["residual"].abs().max() == 0
    # A fill left out of the ledger shows up, on every day before it, as exactly its amount.
    legs = ledger[(ledger["type"] == "trade") & (ledger["asset"] == "USDT")]
    dropped = legs[legs["time"] > snapshots["taken_at"].min()].iloc[-1]  # a fill some snapshot precedes
    wrong = history.residual(ledger.drop(index=dropped.name), balances, snapshots)
    off = wrong[wrong["residual"].abs() > 1e-9]
    assert set(off["asset"]) == {"USDT"} and off["residual"].to_numpy() == pytest.approx(-dropped["amount"])
    assert off["time"].max() < dropped["time"]


def test_binance_fees_are_the_commissions_and_withdrawal_fees(demo_binance):
    from toolkit.demo_mode import PERIOD

    fees = unified.fees(demo_binance, *PERIOD)
    # Trading fees (in BNB where it is held), withdrawal fees, and the dust conversions' service charge.
    assert set(fees["type"]) == {"trading", "withdrawal", "other"} and (fees["fee"] > 0).all()
    trades = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    trading = fees[fees["type"] == "trading"].groupby("asset")["fee"].sum()
    assert trading.to_dict() == pytest.approx(trades.groupby("commission_asset")["commission"].sum().to_dict())
    assert urlsplit(demo_binance.rest_base_url).hostname == "127.0.0.1"


def test_my_trades_are_complete_only_when_every_markets_history_is(demo_binance, monkeypatch):
    # It said complete=True whatever each market's walk reported. A walk the runner cannot prove
    # complete (here: a paging that notes a shortfall on ETHUSDT's pages) makes the frame partial.
    from toolkit.demo_mode import PERIOD

    @dataclass(frozen=True)
    class ShortOn(FromId):
        market: str = ""

        def pages(self, fetch, params, extract, note=None):
            for page in super().pages(fetch, params, extract, note):
                if note is not None and any(r.get("symbol") == self.market for r in page):
                    note("the answer declared more fills than it sent")
                yield page

    whole = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    assert whole.attrs["coverage"]["complete"] is True and "partial_symbols" not in whole.attrs["coverage"]
    paging = ep.MY_TRADES.paging
    monkeypatch.setattr(ep, "MY_TRADES", replace(ep.MY_TRADES, paging=ShortOn(**vars(paging), market="ETHUSDT")))
    cut = demo_binance.get_my_trades(["BTCUSDT", "ETHUSDT"], start_time=PERIOD[0], end_time=PERIOD[1])
    assert cut.attrs["coverage"]["complete"] is False and cut.attrs["coverage"]["partial_symbols"] == ["ETHUSDT"]
    assert cut.attrs["coverage"]["symbols"] == ["BTCUSDT", "ETHUSDT"]
    assert len(cut) == len(whole)  # the rows read are all kept; the frame says what it lacks


# --------------------------------------------------------------------------- fills through the runner's fan-out


def _sent(boxes, marks):
    """What the client sent since ``marks`` (REST paths, WebSocket methods and symbols), counted."""
    server = boxes.server("binance")
    rest = Counter(r.path for r in server.rest.requests[marks[0] :])
    ws = Counter((f["method"], (f.get("params") or {}).get("symbol")) for f in server.received[marks[1] :])
    return rest, ws


def _marks(boxes):
    server = boxes.server("binance")
    return len(server.rest.requests), len(server.received)


def test_my_trades_fan_out_reads_each_market_once_and_covers_each(fresh):
    boxes, client = fresh("binance")
    try:
        marks = _marks(boxes)
        df = client.get_my_trades(["BTCUSDT", "ETHUSDT", "ETHBTC"])
        rest, ws = _sent(boxes, marks)
        # One call of the runner: one myTrades per market (each under 1000 fills), nothing else.
        assert ws == {("myTrades", "BTCUSDT"): 1, ("myTrades", "ETHUSDT"): 1, ("myTrades", "ETHBTC"): 1}
        assert rest == {}
        coverage = df.attrs["coverage"]
        assert coverage["symbols"] == ["BTCUSDT", "ETHUSDT", "ETHBTC"] and coverage["complete"] is True
        assert coverage["pages"] == 3 and "not_markets" not in df.attrs
        fills = boxes.account("binance").trades
        assert df.groupby("symbol").size().to_dict() == {
            f"{base}USDT": sum(t.base == base for t in fills) for base in ("BTC", "ETH")
        }
        assert df["time"].is_monotonic_increasing and df.attrs["endpoint"] == "myTrades"
    finally:
        client.close()


def test_a_market_binance_does_not_list_is_named_while_the_others_are_read(fresh):
    boxes, client = fresh("binance")
    try:
        df = client.get_my_trades(["BTCUSDT", "DOGEUSDT", "ETHUSDT"])  # -1121 "Invalid symbol." for DOGEUSDT
        assert df.attrs["not_markets"] == ["DOGEUSDT"]
        assert df.attrs["coverage"]["symbols"] == ["BTCUSDT", "ETHUSDT"] and df.attrs["coverage"]["complete"] is True
        assert set(df["symbol"]) == {"BTCUSDT", "ETHUSDT"}
        assert len(df) == len(boxes.account("binance").trades)
    finally:
        client.close()


def test_another_refusal_of_a_market_still_fails_the_call(fake_credentials, monkeypatch):
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)

    def call(endpoint, args=None, **options):
        raise InvalidRequest("binance", endpoint.name, http_status=400, code="-1100", message="Illegal characters.")

    monkeypatch.setattr(client, "call", call)
    with pytest.raises(InvalidRequest, match="-1100"):
        client.get_my_trades(["BTCUSDT", "ETHUSDT"])


def test_fills_of_two_markets_with_the_same_id_are_both_kept(fake_credentials, monkeypatch):
    # A fill's id counts within its market: the fan-out's one frame must not take two markets'
    # fill 7 for one fill (each market was its own history before).
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
    asked = []

    def call(endpoint, args=None, *, extra=None, **options):
        asked.append((args["symbol"], dict(extra or {})))
        return [{"symbol": args["symbol"], "id": 7, "orderId": 70, "orderListId": -1, "price": "1.0", "qty": "2.0",
                 "quoteQty": "2.0", "commission": "0", "commissionAsset": "BNB", "time": 1660801715793,
                 "isBuyer": True, "isMaker": False, "isBestMatch": True}]  # fmt: skip

    monkeypatch.setattr(client, "call", call)
    df = client.get_my_trades(["BTCUSDT", "ETHUSDT"])
    assert sorted(df["symbol"]) == ["BTCUSDT", "ETHUSDT"] and df["id"].tolist() == ["7", "7"]
    assert sorted(asked) == [("BTCUSDT", {"fromId": 0, "limit": 1000}), ("ETHUSDT", {"fromId": 0, "limit": 1000})]


def test_markets_are_inferred_without_the_withdrawal_history(fresh):
    boxes, client = fresh("binance")
    try:
        marks = _marks(boxes)
        df = client.get_my_trades()
        rest, ws = _sent(boxes, marks)
        # The balances, one snapshot request (the last month), the deposits' and converts' default windows.
        assert rest == {"/sapi/v1/accountSnapshot": 1, "/sapi/v1/capital/deposit/hisrec": 1,
                        "/sapi/v1/convert/tradeFlow": 1}  # fmt: skip
        symbols = df.attrs["coverage"]["symbols"]
        assert ws == {("account.status", None): 1, **{("myTrades", s): 1 for s in symbols}}
        assert {"BTCUSDT", "ETHUSDT"} <= set(symbols) and len(df) == len(boxes.account("binance").trades)

        now = pd.Timestamp.now(tz="UTC")
        marks = _marks(boxes)
        client.get_my_trades(start_time=now - pd.Timedelta(days=200), end_time=now)
        rest, _ = _sent(boxes, marks)
        # 200 days: three 90-day deposit windows and seven 30-day convert windows; still one snapshot.
        assert rest == {"/sapi/v1/accountSnapshot": 1, "/sapi/v1/capital/deposit/hisrec": 3,
                        "/sapi/v1/convert/tradeFlow": 7}  # fmt: skip

        marks = _marks(boxes)
        client.get_my_trades(start_time=now - pd.Timedelta(days=120), end_time=now - pd.Timedelta(days=60))
        rest, _ = _sent(boxes, marks)
        # A range Binance keeps no snapshots of: none asked.
        assert rest == {"/sapi/v1/capital/deposit/hisrec": 1, "/sapi/v1/convert/tradeFlow": 2}
    finally:
        client.close()


def test_markets_come_from_balances_snapshots_deposits_and_converts(fake_credentials, monkeypatch):
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
    asked = {}

    def frame(name, **columns):
        def read(*args, **kwargs):
            asked[name] = kwargs
            return pd.DataFrame(columns)

        return read

    monkeypatch.setattr(client, "get_account_info", frame("balances", asset=["BTC", "USDT"]))
    monkeypatch.setattr(client, "get_account_snapshot", frame("snapshots", asset=["ETH", "XRP"], free=[0.5, 0.0],
                                                              locked=[0.0, 0.0]))  # fmt: skip
    monkeypatch.setattr(client, "get_deposit_history", frame("deposits", coin=["SOL"]))
    monkeypatch.setattr(client, "get_convert_history", frame("converts", from_asset=["ADA"], to_asset=["USDT"]))
    monkeypatch.setattr(client, "get_withdrawal_history", lambda *a, **k: pytest.fail("the withdrawals were read"))
    end = pd.Timestamp.now(tz="UTC")
    markets = client._markets_held(end - pd.Timedelta(days=365), end)
    # XRP is listed in a snapshot with nothing held: not a market of the account.
    assert markets == markets_of({"BTC", "USDT", "ETH", "SOL", "ADA"}) == [
        "ADABTC", "ADAUSDT", "BTCUSDT", "ETHBTC", "ETHUSDT", "SOLBTC", "SOLUSDT"]  # fmt: skip
    snapshot = asked["snapshots"]
    # Only the last month is asked of the snapshots, in one window Binance allows.
    assert snapshot["end_time"] - snapshot["start_time"] < 30 * 86_400_000
    assert asked["deposits"]["start_time"] == asked["converts"]["start_time"] == end - pd.Timedelta(days=365)
