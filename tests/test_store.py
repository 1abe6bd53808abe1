from __future__ import annotations

import sqlite3
from decimal import Decimal

import pandas as pd
import pytest

from toolkit.errors import ConfigurationError
from toolkit.store import Store

UTC = "datetime64[ns, UTC]"


def ledger(ids: list[str], times: list[str], amounts: list[str], **extra: list) -> pd.DataFrame:
    """A small LEDGER-like frame in the canonical dtypes, exact amounts as Decimal."""
    return pd.DataFrame(
        {
            "exchange": pd.Series(["kucoin"] * len(ids), dtype="str"),
            "time": pd.Series(pd.to_datetime(times, utc=True, format="ISO8601"), dtype=UTC),
            "id": pd.Series(ids, dtype="str"),
            "amount": pd.Series([Decimal(a) for a in amounts], dtype="object"),
            **extra,
        }
    )


def balances(total: float, asset: str = "BTC", exchange: str = "kucoin") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "exchange": pd.Series([exchange], dtype="str"),
            "account": pd.Series(["main"], dtype="str"),
            "asset": pd.Series([asset], dtype="str"),
            "free": [total],
            "locked": [0.0],
            "total": [total],
            "time": pd.Series(pd.to_datetime(["2025-03-01 12:00"], utc=True), dtype=UTC),
        }
    )


@pytest.fixture
def store():
    with Store(":memory:") as s:
        yield s


def test_round_trip_keeps_every_dtype_and_value(store):
    df = pd.DataFrame(
        {
            "exchange": pd.Series(["kucoin", "bitget", None], dtype="str"),
            "time": pd.Series(
                pd.to_datetime([1_700_000_000_123, 1_600_000_000_000, 1_650_000_000_000], unit="ms", utc=True),
                dtype=UTC,
            ),
            "id": pd.Series(["a", "b", "c"], dtype="str"),
            "balance": [0.1 + 0.2, float("nan"), 1e-300],
            "count": pd.Series([3, None, 7], dtype="Int64"),
            "n": pd.Series([1, 2, 3], dtype="int64"),
            "ok": pd.Series([True, None, False], dtype="boolean"),
            "naive": pd.to_datetime(["2025-01-01 01:02:03.000004", "2025-01-02 00:00:00.000000", None]),
            "tags": pd.Series([["x", 1], {"k": "v"}, None], dtype="object"),
        }
    )
    assert store.append("mixed", df, key=["id"]) == 3
    out = store.load("mixed")
    expected = df.sort_values("time", kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(out, expected)
    assert out.dtypes.astype(str).tolist() == [
        "str",
        "datetime64[ns, UTC]",
        "str",
        "float64",
        "Int64",
        "int64",
        "boolean",
        "datetime64[us]",
        "object",
    ]
    assert out["balance"].iloc[2] == 0.1 + 0.2  # bit for bit, not 0.3


def test_missing_key_value_is_refused(store):
    df = ledger(["1", "2"], ["2025-01-01", "2025-01-02"], ["1", "2"])
    df.loc[1, "id"] = None
    with pytest.raises(ConfigurationError, match="key column 'id' has missing values"):
        store.append("kucoin.ledger", df, key=["exchange", "id"])
    assert store.load("kucoin.ledger").empty


def test_decimals_keep_every_digit(store):
    amounts = ["0.100000000000000001", "257.518301140000000", "-1E-8", "12345678901234567890.123456789"]
    df = ledger(["1", "2", "3", "4"], ["2025-01-01"] * 4, amounts)
    store.append("kucoin.ledger", df, key=["exchange", "id"])
    out = store.load("kucoin.ledger")
    assert out["amount"].dtype == "object"
    assert [str(v) for v in out["amount"]] == amounts  # trailing zeros and exponents too
    assert all(isinstance(v, Decimal) for v in out["amount"])


def test_appending_the_same_rows_twice_adds_nothing(store):
    df = ledger(["1", "2"], ["2025-01-01", "2025-01-02"], ["1.5", "-0.5"])
    assert store.append("kucoin.ledger", df, key=["exchange", "id"]) == 2
    assert store.append("kucoin.ledger", df, key=["exchange", "id"]) == 0
    # One known row with a corrected amount and one new row: the known row is updated, not duplicated.
    more = ledger(["2", "3"], ["2025-01-02", "2025-01-03"], ["-0.25", "7"])
    assert store.append("kucoin.ledger", more, key=["exchange", "id"]) == 1
    out = store.load("kucoin.ledger")
    assert out["id"].tolist() == ["1", "2", "3"]
    assert out["amount"].tolist() == [Decimal("1.5"), Decimal("-0.25"), Decimal("7")]


def test_load_sorts_by_time_and_selects_half_open_ranges(store):
    df = ledger(["c", "a", "b"], ["2025-01-03", "2025-01-01", "2025-01-02 23:59"], ["3", "1", "2"])
    store.append("kucoin.ledger", df, key=["exchange", "id"])
    assert store.load("kucoin.ledger")["id"].tolist() == ["a", "b", "c"]
    assert store.load("kucoin.ledger", start="2025-01-02", end="2025-01-03")["id"].tolist() == ["b"]
    # naive means UTC; an aware time in another zone is converted
    berlin = pd.Timestamp("2025-01-03 01:00", tz="Europe/Berlin")
    assert store.load("kucoin.ledger", start=berlin)["id"].tolist() == ["c"]
    empty = store.load("kucoin.ledger", start="2030-01-01")
    assert empty.empty and empty.dtypes.astype(str).tolist() == ["str", "datetime64[ns, UTC]", "str", "object"]


def test_unknown_stream_is_an_empty_frame(store):
    out = store.load("never.synced")
    assert isinstance(out, pd.DataFrame) and out.empty and list(out.columns) == []
    assert store.streams() == []
    store.append("b.stream", ledger(["1"], ["2025-01-01"], ["1"]), key=["id"])
    store.append("a.stream", ledger(["1"], ["2025-01-01"], ["1"]), key=["id"])
    assert store.streams() == ["a.stream", "b.stream"]


def test_growing_columns_give_older_rows_na(store):
    store.append("kucoin.ledger", ledger(["1"], ["2025-01-01"], ["1"]), key=["exchange", "id"])
    later = ledger(["2"], ["2025-01-02"], ["2"], balance=[10.5], type=pd.Series(["trade"], dtype="str"))
    assert store.append("kucoin.ledger", later, key=["exchange", "id"]) == 1
    out = store.load("kucoin.ledger")
    assert list(out.columns) == ["exchange", "time", "id", "amount", "balance", "type"]
    assert out["balance"].dtype == "float64" and out["type"].dtype == "str"
    assert pd.isna(out["balance"].iloc[0]) and out["balance"].iloc[1] == 10.5
    assert pd.isna(out["type"].iloc[0]) and out["type"].iloc[1] == "trade"


def test_conflicting_dtype_and_key_are_refused(store):
    store.append("kucoin.ledger", ledger(["1"], ["2025-01-01"], ["1"]), key=["exchange", "id"])
    as_float = ledger(["2"], ["2025-01-02"], ["2"]).astype({"amount": "float64"})
    stored_as_decimal = r"column 'amount' is stored as object \(decimal\); this frame has float64"
    with pytest.raises(ConfigurationError, match=stored_as_decimal):
        store.append("kucoin.ledger", as_float, key=["exchange", "id"])
    with pytest.raises(ConfigurationError, match=r"stored with key \['exchange', 'id'\], not \['id'\]"):
        store.append("kucoin.ledger", ledger(["2"], ["2025-01-02"], ["2"]), key=["id"])
    with pytest.raises(ConfigurationError, match=r"missing columns \['account'\]"):
        store.append("kucoin.ledger", ledger(["2"], ["2025-01-02"], ["2"]), key=["account"])
    # nothing of the refused appends was written
    assert store.load("kucoin.ledger")["id"].tolist() == ["1"]


def test_time_selection_needs_a_time_column(store):
    rates = pd.DataFrame({"symbol": pd.Series(["BTCUSDT"], dtype="str"), "maker": [0.001]})
    store.append("fee.rates", rates, key=["symbol"])
    with pytest.raises(ConfigurationError, match="has no datetime column 'time'"):
        store.load("fee.rates", start="2025-01-01")


def test_cursors(store):
    assert store.cursor("kucoin.ledger") is None
    store.set_cursor("kucoin.ledger", "2025-01-01 00:00:00.123456")  # naive means UTC, microseconds kept
    assert store.cursor("kucoin.ledger") == pd.Timestamp("2025-01-01 00:00:00.123456", tz="UTC")
    store.set_cursor("kucoin.ledger", 1_735_776_000_000)  # epoch milliseconds
    assert store.cursor("kucoin.ledger") == pd.Timestamp("2025-01-02", tz="UTC")
    assert str(store.cursor("kucoin.ledger").tz) == "UTC"
    assert store.cursor("bitget.bills") is None
    with pytest.raises(ConfigurationError, match="looks like epoch seconds"):
        store.set_cursor("kucoin.ledger", 1_735_776_000)


def test_snapshots(store):
    assert store.save_snapshot(balances(1.0), taken_at="2025-03-01") == 1
    store.save_snapshot(pd.concat([balances(1.5), balances(200.0, "USDT", "bitget")]), taken_at="2025-03-02")
    # the same snapshot saved again replaces itself
    store.save_snapshot(balances(1.5), taken_at="2025-03-02")
    out = store.snapshots()
    assert list(out.columns) == ["taken_at", "exchange", "account", "asset", "free", "locked", "total", "time"]
    assert out.dtypes.astype(str).tolist() == [UTC, "str", "str", "str", "float64", "float64", "float64", UTC]
    assert out["taken_at"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-01", "2025-03-02", "2025-03-02"]
    assert out["total"].tolist() == [1.0, 200.0, 1.5]
    assert store.snapshots(exchange="kucoin")["total"].tolist() == [1.0, 1.5]
    assert store.snapshots(asset="USDT")["exchange"].tolist() == ["bitget"]


def test_snapshot_taken_now_and_exact(store):
    frame = balances(0.0).astype({"total": "object"})
    frame["total"] = [Decimal("0.000000010000")]
    before = pd.Timestamp.now(tz="UTC")
    store.save_snapshot(frame)
    out = store.snapshots()
    assert before <= out["taken_at"].iloc[0] <= pd.Timestamp.now(tz="UTC")
    assert str(out["total"].iloc[0]) == "1.0000E-8" and out["total"].iloc[0] == Decimal("0.00000001")


def test_no_snapshot_yet_has_the_columns(store):
    out = store.snapshots()
    assert out.empty
    assert list(out.columns) == ["taken_at", "exchange", "account", "asset", "free", "locked", "total", "time"]
    assert out["taken_at"].dtype == UTC and out["total"].dtype == "float64"
    with pytest.raises(ConfigurationError, match=r"save_snapshot: missing columns \['locked', 'time'\]"):
        store.save_snapshot(balances(1.0).drop(columns=["locked", "time"]))


def test_reopening_the_file_finds_everything(tmp_path):
    path = tmp_path / "data" / "toolkit.sqlite"  # the folder is created
    df = ledger(["1", "2"], ["2025-01-01", "2025-01-02"], ["0.1", "0.200000000000000001"])
    with Store(path) as store:
        store.append("kucoin.ledger", df, key=["exchange", "id"])
        store.set_cursor("kucoin.ledger", "2025-01-02")
        store.save_snapshot(balances(2.5), taken_at="2025-03-01")
    with pytest.raises(sqlite3.ProgrammingError):
        store.load("kucoin.ledger")  # closed on leaving the with block

    # A new process (a restarted kernel) sees the same data through a new Store.
    with Store(str(path)) as again:
        pd.testing.assert_frame_equal(again.load("kucoin.ledger"), df)
        assert again.cursor("kucoin.ledger") == pd.Timestamp("2025-01-02", tz="UTC")
        assert again.snapshots()["total"].tolist() == [2.5]
        assert again.append("kucoin.ledger", df, key=["exchange", "id"]) == 0
        assert again.streams() == ["kucoin.ledger"]


def test_stream_names_are_kept_apart_from_the_stores_own_tables(store):
    odd = 'snapshots"; DROP TABLE toolkit_columns; --'
    store.append(odd, ledger(["1"], ["2025-01-01"], ["1"]), key=["id"])
    assert store.load(odd)["id"].tolist() == ["1"]
    assert store.snapshots().empty
    assert store.streams() == [odd]
