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


# --------------------------------------------------------------------------- tax-tool files


@pytest.fixture
def ledger():
    from toolkit import unified

    def entry(time, id, asset, amount, fee, type, account="trade"):
        return {"exchange": "kucoin", "account": account, "time": pd.Timestamp(time, tz="UTC"), "id": id,
                "asset": asset, "amount": amount, "balance": float("nan"), "fee": fee, "fee_asset": asset,
                "type": type, "raw_type": type}  # fmt: skip

    return unified.conform(pd.DataFrame([
        entry("2025-01-02 08:00", "d1", "USDT", 1000.0, 0.0, "deposit", "main"),
        entry("2025-01-02 08:01", "t1", "USDT", -1000.0, 0.0, "transfer", "main"),
        entry("2025-01-02 08:01", "t2", "USDT", 1000.0, 0.0, "transfer"),
        entry("2025-01-03 12:00", "b1", "USDT", -500.5, 0.5, "trade"),  # buy 0.01 BTC, fee in USDT
        entry("2025-01-03 12:00", "b2", "BTC", 0.01, 0.0, "trade"),
        entry("2025-01-04 12:00", "s1", "BTC", -0.005, 0.0, "trade"),  # sell, fee taken from the USDT received
        entry("2025-01-04 12:00", "s2", "USDT", 249.75, 0.25, "trade"),
        entry("2025-01-05 16:00", "w1", "USDT", -101.0, 1.0, "withdrawal", "main"),
    ]), unified.LEDGER)  # fmt: skip


def test_koinly_rows_put_a_trade_on_one_row_with_its_fee_beside(ledger, tmp_path):
    back = pd.read_csv(export(ledger, tmp_path / "koinly.csv", format="koinly"), dtype=str, keep_default_na=False)
    assert list(back.columns) == ["Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency",
                                  "Fee Amount", "Fee Currency", "Net Worth Amount", "Net Worth Currency", "Label",
                                  "Description", "TxHash"]  # fmt: skip
    rows = back[["Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency", "Fee Amount",
                 "Fee Currency"]].values.tolist()  # fmt: skip
    assert rows == [
        ["2025-01-02 08:00:00", "", "", "1000", "USDT", "", ""],
        ["2025-01-03 12:00:00", "500", "USDT", "0.01", "BTC", "0.5", "USDT"],
        ["2025-01-04 12:00:00", "0.005", "BTC", "250", "USDT", "0.25", "USDT"],
        ["2025-01-05 16:00:00", "100", "USDT", "", "", "1", "USDT"],
    ]  # the transfer between KuCoin's own accounts is left out
    assert back["TxHash"].tolist()[1] == "b1,b2"


def test_cointracking_rows_keep_the_fee_inside_the_amounts(ledger):
    from toolkit.files import tax_rows

    rows = tax_rows(ledger, "cointracking")
    assert rows[["Type", "Buy Amount", "Buy Currency", "Sell Amount", "Sell Currency", "Fee", "Fee Currency"]
                ].values.tolist() == [
        ["Deposit", "1000", "USDT", "", "", "", ""],
        ["Trade", "0.01", "BTC", "500.5", "USDT", "0.5", "USDT"],
        ["Trade", "249.75", "USDT", "0.005", "BTC", "0.25", "USDT"],
        ["Withdrawal", "", "", "101", "USDT", "1", "USDT"],
    ]  # fmt: skip
    assert set(rows["Exchange"]) == {"kucoin"} and rows["Date"].tolist()[0] == "2025-01-02 08:00:00"


def test_bittytax_rows_sell_net_and_buy_gross_of_the_fee(ledger):
    from toolkit.files import tax_rows

    rows = tax_rows(ledger, "bittytax")
    assert list(rows.columns)[:3] == ["Type", "Buy Quantity", "Buy Asset"] and len(rows.columns) == 13
    assert rows[["Type", "Buy Quantity", "Buy Asset", "Sell Quantity", "Sell Asset", "Fee Quantity", "Fee Asset"]
                ].values.tolist() == [
        ["Deposit", "1000", "USDT", "", "", "", ""],
        ["Trade", "0.01", "BTC", "500", "USDT", "0.5", "USDT"],
        ["Trade", "250", "USDT", "0.005", "BTC", "0.25", "USDT"],
        ["Withdrawal", "", "", "100", "USDT", "1", "USDT"],
    ]  # fmt: skip
    assert rows["Timestamp"].tolist()[0] == "2025-01-02T08:00:00 UTC"


def test_a_tax_format_needs_a_ledger_and_a_known_name(ledger, tmp_path):
    from toolkit.files import tax_rows

    with pytest.raises(ConfigurationError, match="format must be one of koinly, cointracking, bittytax"):
        tax_rows(ledger, "turbotax")
    with pytest.raises(ConfigurationError, match=r"unified.ledger.*lacks \['account', 'id'"):
        tax_rows(ledger.drop(columns=["account", "id"]), "koinly")
    with pytest.raises(ConfigurationError, match="is CSV"):
        export(ledger, tmp_path / "k.xlsx", format="koinly")
