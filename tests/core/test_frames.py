from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from toolkit.core.frames import (
    BOOL,
    INT,
    NUM,
    OBJ,
    STR,
    TIME,
    ConversionError,
    empty_frame,
    explode,
    flatten,
    snake_case,
    to_frame,
)

COLUMNS = {"coin": STR, "available": NUM, "uTime": TIME, "billId": STR, "count": INT, "ok": BOOL, "tags": OBJ}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("limitAvailable", "limit_available"),
        ("uTime", "u_time"),
        ("cTime", "c_time"),
        ("APIKey", "api_key"),
        ("gw-ratelimit-reset", "gw_ratelimit_reset"),
        ("coin", "coin"),
        ("makerFeeRate", "maker_fee_rate"),
    ],
)
def test_snake_case(name, expected):
    assert snake_case(name) == expected


def test_types_and_names():
    df = to_frame(
        [
            {
                "coin": "BTC",
                "available": "0.1",
                "uTime": "1622697148",
                "billId": 1291,
                "count": "3",
                "ok": "true",
                "tags": ["a"],
            },
            {
                "coin": "ETH",
                "available": "",
                "uTime": 1653290769222,
                "billId": "99",
                "count": None,
                "ok": False,
                "tags": [],
            },
        ],
        COLUMNS,
    )
    assert list(df.columns) == ["coin", "available", "u_time", "bill_id", "count", "ok", "tags"]
    assert df.dtypes.astype(str).tolist() == [
        "str",
        "float64",
        "datetime64[ns, UTC]",
        "str",
        "Int64",
        "boolean",
        "object",
    ]
    # seconds and milliseconds are both recognised
    assert df["u_time"].tolist() == [
        pd.Timestamp("2021-06-03 05:12:28", tz="UTC"),
        pd.Timestamp(1653290769222, unit="ms", tz="UTC"),
    ]
    assert df["bill_id"].tolist() == ["1291", "99"]
    assert df["available"].iloc[0] == 0.1 and pd.isna(df["available"].iloc[1])
    assert df["count"].iloc[0] == 3 and df["count"].isna().iloc[1]
    assert df["ok"].tolist() == [True, False]


def test_exact_keeps_every_digit():
    df = to_frame(
        [{"available": "0.100000000000000001"}, {"available": Decimal("257.518301140000000")}, {"available": 0.1}],
        {"available": NUM},
        exact=True,
    )
    assert df["available"].tolist() == [Decimal("0.100000000000000001"), Decimal("257.518301140000000"), Decimal("0.1")]


def test_empty_has_full_columns_and_dtypes():
    df = to_frame([], COLUMNS)
    assert df.empty
    assert df.dtypes.astype(str).tolist() == [
        "str",
        "float64",
        "datetime64[ns, UTC]",
        "str",
        "Int64",
        "boolean",
        "object",
    ]
    assert list(empty_frame({"uTime": TIME}).columns) == ["u_time"]


def test_missing_and_undocumented_fields():
    df = to_frame([{"coin": "BTC", "newField": "x"}], {"coin": STR, "available": NUM})
    assert list(df.columns) == ["coin", "available", "new_field"]
    assert df["available"].isna().all() and df["available"].dtype == "float64"


def test_garbage_number_is_an_error_not_nan():
    with pytest.raises(ConversionError, match="not a number: 'abc'"):
        to_frame([{"available": "abc"}], {"available": NUM})
    with pytest.raises(ConversionError):
        to_frame([{"available": "abc"}], {"available": NUM}, exact=True)


def test_flatten_and_explode():
    assert flatten({"a": {"b": 1, "c": {"d": 2}}, "e": 3}) == {"a_b": 1, "a_c_d": 2, "e": 3}
    rows = explode(
        [{"userId": 1, "assetsList": [{"coin": "BTC"}, {"coin": "ETH"}]}, {"userId": 2, "assetsList": None}],
        "assetsList",
    )
    assert rows == [{"userId": 1, "coin": "BTC"}, {"userId": 1, "coin": "ETH"}]


def test_rename_gives_descriptive_names_also_when_empty():
    columns, rename = {"e": STR, "E": TIME, "a": STR}, {"e": "event_type", "E": "event_time", "a": "asset"}
    df = to_frame([{"e": "balanceUpdate", "E": 1564034571105, "a": "BTC"}], columns, rename=rename)
    assert list(df.columns) == ["event_type", "event_time", "asset"]
    assert list(to_frame([], columns, rename=rename).columns) == ["event_type", "event_time", "asset"]


# --------------------------------------------------------------------------- fast paths


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"1.5", Decimal("1.5")),
     (b'{"a": [1, {"b": 0.1000000000000000055511}]}', {"a": [1, {"b": Decimal("0.1000000000000000055511")}]}),
     (b"[2e-8, 10]", [Decimal("2E-8"), 10]), (b'{"c": "1.5"}', {"c": "1.5"})],
)  # fmt: skip
def test_exact_decoding_keeps_every_digit_of_json_numbers_at_any_depth(body, expected):
    from toolkit.core.http import decode

    found = decode(body, exact=True)
    assert found == expected
    assert str(found) == str(expected)  # the digits as written, not only an equal value
    assert decode(b"[0.1000000000000000055511]") == [0.1]  # plain decoding gives floats


@pytest.mark.parametrize("body", [b"NaN", b"[Infinity]", b'"\\ud800"', b"[" * 5000 + b"]" * 5000, b"[1,]", b""])
def test_decoding_refuses_what_is_not_strict_json(body):
    from toolkit.core.http import decode

    for exact in (False, True):
        with pytest.raises((ValueError, RecursionError)):
            decode(body, exact=exact)


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "abc", "", None])
def test_exact_amounts_written_as_text_refuse_what_is_no_finite_number(bad):
    from toolkit.core.frames import NUM, ConversionError, to_frame

    records = [{"amount": "1.10"}, {"amount": bad}]
    if bad in ("", None):  # a gap, not a wrong value
        assert to_frame(records, {"amount": NUM}, exact=True)["amount"].tolist() == [Decimal("1.10"), None]
        return
    with pytest.raises(ConversionError, match="not a"):
        to_frame(records, {"amount": NUM}, exact=True)


def test_columns_keep_documented_order_then_undocumented_in_first_seen_order():
    from toolkit.core.frames import NUM, STR, to_frame

    records = [{"z": 1, "b": "x", "a": "1.5"}, {"a": "2", "b": "y", "y": True}]
    frame = to_frame(records, {"a": NUM, "b": STR})
    assert list(frame.columns) == ["a", "b", "z", "y"]
    assert frame["a"].tolist() == [1.5, 2.0] and str(frame["b"].dtype) == "str"


def test_exact_amounts_print_as_the_exchange_wrote_them():
    from toolkit.core.frames import NUM, Exact, decimals, to_frame

    frame = to_frame([{"fee": "-0.00000000"}, {"fee": "0.00000001"}, {"fee": "12.50"}], {"fee": NUM}, exact=True)
    assert [str(v) for v in decimals(["1E-8", "0.0000001", "0.000001"])] == ["1E-8", "0.0000001", "0.000001"]
    assert [str(v) for v in frame["fee"]] == ["-0.00000000", "0.00000001", "12.50"]  # not -0E-8, 1E-8
    assert "E-8" not in frame.to_string()
    assert [type(v) for v in frame["fee"]] == [Exact, Exact, Decimal]  # Exact only where str() needs it
    assert frame["fee"].sum() == Decimal("12.50000001")


@pytest.mark.parametrize("exact", [False, True])
def test_consumed_records_give_the_same_frame_and_are_given_away(monkeypatch, exact):
    from toolkit.core import frames

    monkeypatch.setattr(frames, "BATCH", 4)  # ten records: batches of 4, 4 and 2
    columns = {"id": STR, "amount": NUM, "ts": TIME}
    records = [{"id": f"r{i}", "amount": f"{i}.10", "ts": 1_700_000_000_000 + i} for i in range(10)]
    records[6]["note"] = "only in the second batch"  # an undocumented field, absent from the others
    given = [dict(r) for r in records]
    kept = to_frame(records, columns, exact=exact)
    consumed = to_frame(given, columns, exact=exact, consume=True)
    assert given == []  # taken off the caller's list as typed
    pd.testing.assert_frame_equal(consumed, kept)
    assert consumed["note"].isna().sum() == 9 and consumed["note"][6] == "only in the second batch"
    assert [str(v) for v in consumed["amount"]][:2] == (["0.10", "1.10"] if exact else ["0.1", "1.1"])
