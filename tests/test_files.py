from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from toolkit.errors import ConfigurationError
from toolkit.files import export


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "exchange": pd.Series(["bitget", "kucoin"], dtype="str"),
            "time": pd.to_datetime([1622697148000, 1653290769222], unit="ms", utc=True).astype("datetime64[ns, UTC]"),
            "amount": [0.1, -2.5],
            "exact": pd.Series([Decimal("0.100000000000000001"), Decimal("-2.5")], dtype="object"),
        }
    )


def test_parquet_keeps_dtypes_and_digits(frame, tmp_path):
    back = pd.read_parquet(export(frame, tmp_path / "x.parquet"))
    assert str(back["time"].dtype).startswith("datetime64") and str(back["time"].dt.tz) == "UTC"
    assert back["time"].tolist() == frame["time"].tolist()
    assert back["amount"].dtype == "float64"
    assert back["exact"].tolist() == [Decimal("0.100000000000000001"), Decimal("-2.500000000000000000")]


def test_csv_keeps_utc_and_exact_text(frame, tmp_path):
    text = export(frame, tmp_path / "x.csv").read_text()
    assert "2021-06-03T05:12:28.000000+00:00" in text  # as the module promises, not strftime's +0000
    assert "0.100000000000000001" in text
    back = pd.read_csv(tmp_path / "x.csv", parse_dates=["time"])
    assert back["time"].tolist() == frame["time"].tolist()


def test_unknown_suffix_is_refused(frame, tmp_path):
    with pytest.raises(ConfigurationError, match=r"\.csv, \.parquet, \.xlsx"):
        export(frame, tmp_path / "x.json")


def test_excel_marks_utc_columns(frame, tmp_path):
    pytest.importorskip("openpyxl")
    back = pd.read_excel(export(frame, tmp_path / "x.xlsx"))
    assert list(back.columns) == ["exchange", "time (UTC)", "amount", "exact"]
    assert back["time (UTC)"][0] == pd.Timestamp("2021-06-03 05:12:28")
    # 18 significant digits do not fit an Excel number: text, every digit; -2.5 fits: a number to add up.
    import openpyxl

    cells = openpyxl.load_workbook(tmp_path / "x.xlsx").active["D"][1:]
    assert [(c.value, c.data_type) for c in cells] == [("0.100000000000000001", "s"), (-2.5, "n")]


def test_attrs_with_times_go_into_parquet(frame, tmp_path):
    frame.attrs = {"exchange": "bitget", "coverage": {"start": pd.Timestamp("2021-06-01", tz="UTC"), "pages": 2,
                                                      "complete": True}}  # fmt: skip
    back = pd.read_parquet(export(frame, tmp_path / "x.parquet"))
    assert back.attrs == {"exchange": "bitget", "coverage": {"start": "2021-06-01T00:00:00+00:00", "pages": 2,
                                                             "complete": True}}  # fmt: skip
    assert isinstance(frame.attrs["coverage"]["start"], pd.Timestamp)  # the frame given is left alone


def test_a_client_frame_round_trips_through_every_format(make_client, cassette, tmp_path):
    pytest.importorskip("openpyxl")
    client, _ = make_client("bitget")
    with cassette("bitget/get_bills"):
        bills = client.get_bills(start_time=1622505600000, end_time=1625011200000, exact=True)
    assert isinstance(bills.attrs["coverage"]["start"], pd.Timestamp)
    parquet = pd.read_parquet(export(bills, tmp_path / "b.parquet"))
    assert parquet.attrs["coverage"]["complete"] is True
    assert parquet.to_dict("records") == bills.to_dict("records")
    csv = pd.read_csv(export(bills, tmp_path / "b.csv"), dtype=str)
    assert csv["c_time"].tolist() == [t.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00") for t in bills["c_time"]]
    assert csv["size"].tolist() == [format(v, "f") for v in bills["size"]]
    excel = pd.read_excel(export(bills, tmp_path / "b.xlsx"))
    assert excel["size"].tolist() == [float(v) for v in bills["size"]]
