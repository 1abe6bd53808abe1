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
    assert "2021-06-03T05:12:28.000000+0000" in text
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
