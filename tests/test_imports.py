"""The exchanges' own export files (``tk.imports``) and their merge with the API's history.

Binance's rows are the example rows of rotki's statement fixture (``rotkehlchen/tests/data/
binance_history.csv``, third-party test data, quoted in docs/reference-additions.md); KuCoin's and
Bitget's files have no published example rows, so their rows here are written to the headers the
sources give (BittyTax's KuCoin parsers; crypto-city's help page on Bitget's Spot Financial Record).
"""

from __future__ import annotations

import zipfile
from decimal import Decimal

import pandas as pd
import pytest

import toolkit as tk
from toolkit.errors import ConfigurationError
from toolkit.store import Store, merged_ledger

ROTKI_ROWS = """User_ID,UTC_Time,Account,Operation,Coin,Change,Remark
1,2021-12-31 00:33:45,Spot,Transfer Between Main and Funding Wallet,USDT,500.00000000,""
1,2021-12-31 00:33:45,Funding,Transfer Between Main and Funding Wallet,USDT,-500.00000000,""
1,2023-01-13 06:01:00,Spot,Simple Earn Flexible Interest,BUSD,0.00003634,Binance Earn
1,2023-06-05 19:47:00,Spot,Binance Convert,BUSD,-125.626918
1,2023-06-05 19:47:00,Spot,Binance Convert,MATIC,140.1195285
1,2023-09-29 09:56:26,Spot,Transaction Buy,ETH,0.01700000,""
1,2023-09-29 09:56:26,Spot,Transaction Fee,BNB,-0.00009883,""
1,2023-09-29 09:56:26,Spot,Transaction Spend,USDT,-28.46106000,""
"""

KUCOIN_ROWS = """UID,Account Type,Currency,Side,Amount,Fee,Time(UTC+08:00),Remark,Type
10000001,MAIN,USDT,Deposit,1000.00000000,0,2025-03-01 08:00:00,Deposit,Deposit
10000001,TRADE_HF,BTC,Deposit,0.00123456,0.00000123,2025-03-02 09:30:00,Trade_Exchange,Trade_Exchange
10000001,MAIN,USDT,Withdrawal,12.5,1,2025-03-03 10:00:00,Withdrawal,Withdrawal
"""

BITGET_ROWS = """Type,Action,Creation timestamp (+8 UTC),Coin,Quantity,Fees
Deposit,,2025-03-01 08:00:00,USDT,1000,0
Trading,,2025-03-02 09:30:00,BTC,0.001,-0.000001
Withdrawal,Withdrawal(Freeze),2025-03-03 10:00:00,USDT,12.5,1
Financial management,Financial management(Interest earned),2025-03-04 08:00:00,USDT,0.0042,0
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_binance_statement_rows_read_to_the_digit(tmp_path):
    frame = tk.imports.read(write(tmp_path / "statement.csv", ROTKI_ROWS), exact=True)
    assert list(frame.columns) == [*tk.unified.LEDGER, "source"]
    assert frame["amount"].tolist() == [Decimal(v) for v in (
        "500.00000000", "-500.00000000", "0.00003634", "-125.626918", "140.1195285", "0.01700000", "-0.00009883",
        "-28.46106000")]  # fmt: skip
    assert frame["account"].tolist() == ["spot", "funding", "spot", "spot", "spot", "spot", "spot", "spot"]
    assert frame["type"].tolist() == ["transfer", "transfer", "reward", "convert", "convert", "trade", "fee", "trade"]
    assert frame["raw_type"].iloc[2] == "Simple Earn Flexible Interest"
    assert frame["time"].iloc[0] == pd.Timestamp("2021-12-31 00:33:45", tz="UTC")
    assert str(frame["time"].dtype) == "datetime64[ns, UTC]"
    assert set(frame["exchange"]) == {"binance"} and set(frame["source"]) == {"export:statement.csv"}
    assert frame["id"].is_unique
    floats = tk.imports.read(tmp_path / "statement.csv")  # the default: floats, as tk.unified.ledger
    assert floats["amount"].dtype == "float64" and floats["amount"].iloc[4] == 140.1195285


def test_a_recased_respaced_reordered_header_is_read_by_name(tmp_path):
    lines = ROTKI_ROWS.splitlines()
    table = [line.split(",") for line in lines]
    order = [6, 4, 5, 3, 2, 1, 0]  # Remark, Coin, Change, Operation, Account, UTC_Time, User_ID
    header = ["remark", "COIN", "change", "Operation", " account", "UTC Time", "user id"]
    body = [",".join([header[i] for i in range(7)])]
    body += [",".join((row + [""] * 7)[i] for i in order) for row in table[1:]]
    reordered = tk.imports.read(write(tmp_path / "b.csv", "\ufeff" + "\n".join(body) + "\n"), exact=True)
    original = tk.imports.read(write(tmp_path / "a.csv", ROTKI_ROWS), exact=True)
    columns = ["account", "time", "asset", "amount", "type", "id"]
    pd.testing.assert_frame_equal(reordered[columns], original[columns])


def test_binance_statements_newer_header(tmp_path):
    text = "User ID,Time,Account,Operation,Coin,Change,Remark\n1,24-07-25 21:30:41,Spot,Deposit,BTC,0.5,\n"
    frame = tk.imports.read(write(tmp_path / "new.csv", text), exact=True)
    assert frame["time"].tolist() == [pd.Timestamp("2024-07-25 21:30:41", tz="UTC")]
    assert frame[["type", "amount"]].to_dict("records") == [{"type": "deposit", "amount": Decimal("0.5")}]


def test_kucoin_account_history_in_the_zone_its_header_names(tmp_path):
    frame = tk.imports.read(write(tmp_path / "Account History.csv", KUCOIN_ROWS), exact=True)
    assert frame["time"].tolist() == [pd.Timestamp(t, tz="UTC") for t in
                                      ("2025-03-01 00:00", "2025-03-02 01:30", "2025-03-03 02:00")]  # fmt: skip
    assert frame["account"].tolist() == ["main", "trade_hf", "main"]
    assert frame["amount"].tolist() == [Decimal("1000.00000000"), Decimal("0.00123456"), Decimal("-12.5")]
    assert frame["fee"].tolist() == [Decimal("0"), Decimal("0.00000123"), Decimal("1")]
    assert frame["type"].tolist() == ["deposit", "trade", "withdrawal"]
    older = KUCOIN_ROWS.replace("Time(UTC+08:00)", "Time")  # no zone named: KuCoin's own, UTC+8
    assert tk.imports.read(write(tmp_path / "old.csv", older))["time"].tolist() == frame["time"].tolist()
    utc = KUCOIN_ROWS.replace("Time(UTC+08:00)", "Time(UTC)")
    assert tk.imports.read(write(tmp_path / "utc.csv", utc))["time"].iloc[0] == pd.Timestamp(
        "2025-03-01 08:00", tz="UTC"
    )


def test_an_empty_kucoin_report_is_no_rows(tmp_path):
    text = "UID,Account Type,Currency,Side,Amount,Fee,Time(UTC),Remark\nNo matching records found.,,,,,,,\n"
    frame = tk.imports.read(write(tmp_path / "empty.csv", text))
    assert frame.empty and list(frame.columns) == [*tk.unified.LEDGER, "source"]


def test_bitget_financial_record_in_utc_plus_8_with_withdrawals_out(tmp_path):
    frame = tk.imports.read(write(tmp_path / "bitget.csv", BITGET_ROWS), exact=True)
    assert frame["time"].iloc[0] == pd.Timestamp("2025-03-01 00:00", tz="UTC")
    assert frame["amount"].tolist() == [Decimal("1000"), Decimal("0.001"), Decimal("-12.5"), Decimal("0.0042")]
    assert frame["fee"].tolist() == [Decimal("0"), Decimal("0.000001"), Decimal("1"), Decimal("0")]
    assert frame["type"].tolist() == ["deposit", "trade", "withdrawal", "reward"]
    assert frame["raw_type"].iloc[3] == "Financial management(Interest earned)"


def test_an_unknown_header_is_refused_naming_the_formats(tmp_path):
    path = write(tmp_path / "mystery.csv", "Date,Pair,Side,Price\n2025-01-01,BTCUSDT,BUY,1\n")
    with pytest.raises(ConfigurationError) as caught:
        tk.imports.read(path)
    message = str(caught.value)
    assert "mystery.csv" in message and "Date, Pair, Side, Price" in message
    for name in tk.imports.formats():
        assert name in message
    with pytest.raises(ConfigurationError, match="format is one of"):
        tk.imports.read(write(tmp_path / "x.csv", ROTKI_ROWS), format="binance-pdf")
    with pytest.raises(ConfigurationError, match=r"needs the columns \['fees', 'quantity', 'type'\]"):
        tk.imports.read(tmp_path / "x.csv", format="bitget-financial")
    with pytest.raises(ConfigurationError, match="no such export file"):
        tk.imports.read(tmp_path / "absent.csv")
    bad = ROTKI_ROWS.replace("0.01700000", "0.017x")
    with pytest.raises(ConfigurationError, match=r"row 7: '0.017x' is not an amount"):
        tk.imports.read(write(tmp_path / "bad.csv", bad))


def test_a_zip_of_exports_and_an_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in [line.split(",") for line in KUCOIN_ROWS.splitlines()]:
        book.active.append(row)
    book.save(tmp_path / "kucoin.xlsx")
    with zipfile.ZipFile(tmp_path / "all.zip", "w") as archive:
        archive.writestr("part1/statement.csv", ROTKI_ROWS)
        archive.write(tmp_path / "kucoin.xlsx", "kucoin.xlsx")
        archive.writestr("readme.txt", "not a table")
    frame = tk.imports.read(tmp_path / "all.zip", exact=True)
    assert frame.groupby("exchange").size().to_dict() == {"binance": 8, "kucoin": 3}
    assert set(frame["source"]) == {"export:all.zip"}
    from_book = tk.imports.read(tmp_path / "kucoin.xlsx", exact=True)
    assert from_book["amount"].tolist() == [Decimal("1000.00000000"), Decimal("0.00123456"), Decimal("-12.5")]


# --------------------------------------------------------------------------- merged with the API


def test_overlapping_exports_add_every_event_once(tmp_path):
    lines = ROTKI_ROWS.splitlines(keepends=True)
    early = write(tmp_path / "early.csv", "".join(lines[:6]))  # rows 1-5
    late = write(tmp_path / "late.csv", lines[0] + "".join(lines[3:]))  # rows 3-8: 3 shared
    with Store(":memory:") as db:
        assert db.add_export(early) == 5
        assert db.add_export(late) == 3
        assert db.add_export(late) == 0
        ledger = db.ledger(exact=True)
        assert len(ledger) == 8 and sum(ledger["amount"]) == sum(
            tk.imports.read(write(tmp_path / "all.csv", ROTKI_ROWS), exact=True)["amount"]
        )
        assert db.ranges("binance:ledger:export") == [
            (pd.Timestamp("2021-12-31 00:33:45", tz="UTC"), pd.Timestamp("2023-09-29 09:56:26", tz="UTC"))
        ]


def test_an_export_period_must_hold_its_rows(tmp_path):
    path = write(tmp_path / "s.csv", ROTKI_ROWS)
    with Store(":memory:") as db, pytest.raises(ConfigurationError, match="outside the period given"):
        db.add_export(path, start="2022-01-01")
    with Store(":memory:") as db:
        db.add_export(path, start="2021-01-01", end="2024-01-01")
        assert db.ranges("binance:ledger:export") == [
            (pd.Timestamp("2021-01-01", tz="UTC"), pd.Timestamp("2024-01-01", tz="UTC"))
        ]


def test_an_event_both_hold_is_the_apis_row_naming_both():
    when = pd.Timestamp("2025-03-01 10:00:00.250", tz="UTC")
    api = pd.DataFrame([
        {"exchange": "kucoin", "account": "main", "time": when, "id": "k1", "asset": "USDT", "amount": Decimal("5"),
         "balance": None, "fee": Decimal("0"), "fee_asset": "USDT", "type": "deposit", "raw_type": "Deposit"},
        {"exchange": "kucoin", "account": "main", "time": when + pd.Timedelta(days=1), "id": "k2", "asset": "USDT",
         "amount": Decimal("-1"), "balance": None, "fee": Decimal("0"), "fee_asset": "USDT", "type": "withdrawal",
         "raw_type": "Withdrawal"},
    ])  # fmt: skip
    exported = api.assign(time=api["time"].dt.floor("s"), id=["export:a", "export:b"], source="export:k.csv")
    exported.loc[1, "amount"] = Decimal("-2")  # the export disagrees on the second event
    exported.loc[2] = {**exported.loc[0], "time": when - pd.Timedelta(days=30), "id": "export:c"}
    merged = merged_ledger(api, exported, exact=True)
    assert merged["id"].tolist() == ["export:c", "k1", "k2"]
    assert merged["source"].tolist() == ["export:k.csv", "api+export:k.csv", "api+export:k.csv"]
    assert merged["amount"].tolist() == [Decimal("5"), Decimal("5"), Decimal("-1")]
    assert merged.attrs["conflicts"] == [{"exchange": "kucoin", "account": "main", "asset": "USDT",
                                          "second": pd.Timestamp("2025-03-02 10:00:00", tz="UTC")}]  # fmt: skip


def test_a_kucoin_hf_year_from_export_and_api_reconciles_complete(fresh, tmp_path):
    boxes, client = fresh("kucoin", model="hf")
    end = pd.Timestamp.now(tz="UTC").floor("s")
    start = end - pd.Timedelta(days=365)
    export = boxes.write_export("kucoin", tmp_path / "Account History.csv", start, end)
    with pytest.warns(tk.unified.PartialResult, match="kucoin ledger failed"):
        alone = tk.sync(client, tmp_path / "api.db", start=start, end=end, snapshot=False, streams=("ledger",))
    assert not alone["complete"].iloc[0]  # the HF ledger is served for 3 days only
    result = tk.sync(client, tmp_path / "a.db", start=start, end=end, streams=("ledger",), snapshot=False,
                     imports=[(export, start, end)])  # fmt: skip
    assert result["complete"].all() and result["error"].tolist() == ["", ""]
    with Store(tmp_path / "a.db") as db:
        ledger = db.ledger(start, end, exact=True)
        covered = tk.coverage(db)
        rows = tk.reconcile(client, start, end, ledger=db)
    assert covered["complete"].all() and "trade_hf" in set(covered["account_type"])
    assert ledger["id"].is_unique and ledger.attrs["conflicts"] == []
    assert {"export:Account History.csv", "api+export:Account History.csv"} <= set(ledger["source"])
    api_rows = ledger[ledger["source"].str.startswith("api")]
    assert len(api_rows) == len(tk.unified.ledger(client, start, end))  # each API event once, the export beside it
    assert "trade_hf" in set(rows["account"]) and (rows["residual"] == 0).all(), rows
    again = tk.sync(client, tmp_path / "a.db", start=start, end=end, streams=("ledger",), snapshot=False,
                    imports=[(export, start, end)])  # fmt: skip
    assert again["new"].tolist() == [0, 0]
