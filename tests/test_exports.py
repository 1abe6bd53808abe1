"""Every kind of frame the toolkit returns, written to CSV, Parquet and Excel and read back:
the same rows, the same values, the times in UTC; Parquet keeps dtypes and attrs as well."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

import toolkit as tk
from tests.conftest import sandbox_client
from toolkit import demo_mode, sandbox, unified, valuation
from toolkit.core.ratelimit import SkippingClock
from toolkit.files import export
from toolkit.store import Store


@pytest.fixture(scope="module")
def frames():
    with sandbox.start(lifetime=600, clock=SkippingClock()) as boxes:
        clients = {name: sandbox_client(boxes, name) for name in sorted(tk.EXCHANGES)}
        start, end = demo_mode.PERIOD  # withdrawals are quarterly: the whole year has some
        month = pd.Timestamp(end, tz="UTC") - pd.Timedelta(days=30)
        ledger = unified.ledger(clients, month, end)
        found = {
            "bitget get_bills exact": clients["bitget"].get_bills(start_time=month, exact=True),
            "kucoin get_account_ledgers": clients["kucoin"].get_account_ledgers(start_time=month),
            "coinw get_complete_balances": clients["coinw"].get_complete_balances(),
            "binance get_account_info": clients["binance"].get_account_info(),
            "binance get_my_trades": clients["binance"].get_my_trades("BTCUSDT", start_time=month),
            "candles exact": clients["kucoin"].get_candles("BTC/USDT", "1d", month, exact=True),
            "unified balances": unified.balances(clients),
            "unified ledger": ledger,
            "unified withdrawals": unified.withdrawals(clients, start, end),
            "unified transfers": unified.transfers(clients, month, end),
            "unified fee_rates": unified.fee_rates(clients, demo_mode.SYMBOLS),
            "valuation prices": valuation.prices(clients, ["BTC", "ETH"], month, end, cache=Store(":memory:")),
        }
        clients["binance"].close()
        yield found


NAMES = ["bitget get_bills exact", "kucoin get_account_ledgers", "coinw get_complete_balances",
         "binance get_account_info", "binance get_my_trades", "candles exact", "unified balances", "unified ledger",
         "unified withdrawals", "unified transfers", "unified fee_rates", "valuation prices"]  # fmt: skip


def comparable(value):
    """A cell as text that every format gives back alike (a number by its value, a time in UTC)."""
    if value is None or (not isinstance(value, (list, dict)) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.tz_convert("UTC").isoformat() if value.tzinfo else value.tz_localize("UTC").isoformat()
    if isinstance(value, bool):
        return str(value)
    try:  # a number by its value, whether it came as a number or as text (CSV): 300, 300.0, 3E+2
        number = Decimal(str(value)).normalize()
    except ArithmeticError:
        return str(value)
    return "0" if number.is_zero() else format(number, "f")  # -0.00000000 is 0 in a Parquet decimal


def cells(frame: pd.DataFrame) -> list[list[str]]:
    return [[comparable(v) for v in row] for row in frame.itertuples(index=False)]


@pytest.mark.parametrize("name", NAMES)
def test_parquet_gives_back_the_frame_and_its_attrs(frames, name, tmp_path):
    frame = frames[name]
    assert len(frame) > 0, f"{name}: the sandbox gave nothing to export"
    back = pd.read_parquet(export(frame, tmp_path / "f.parquet"))
    assert list(back.columns) == list(frame.columns)
    assert cells(back) == cells(frame)
    for column in frame.columns:
        if isinstance(frame[column].dtype, pd.DatetimeTZDtype) or frame[column].dtype == "float64":
            assert back[column].dtype == frame[column].dtype, column
    assert set(back.attrs) == set(frame.attrs)


@pytest.mark.parametrize("name", NAMES)
def test_csv_gives_back_every_value_with_utc_times(frames, name, tmp_path):
    frame = frames[name]
    back = pd.read_csv(export(frame, tmp_path / "f.csv"), dtype=str, keep_default_na=False)
    assert list(back.columns) == [str(c) for c in frame.columns]
    times = [c for c in frame.columns if isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    for column in times:
        assert all(v.endswith("+00:00") for v in back[column] if v), column
        back[column] = pd.to_datetime(back[column].replace("", None), utc=True, format="ISO8601")
    assert cells(back.replace("", None)) == cells(frame)


@pytest.mark.parametrize("name", NAMES)
def test_excel_gives_back_numbers_as_numbers(frames, name, tmp_path):
    pytest.importorskip("openpyxl")
    frame = frames[name]
    back = pd.read_excel(export(frame, tmp_path / "f.xlsx"))
    assert len(back) == len(frame)
    for column in frame.columns:
        if frame[column].dtype == "float64":
            assert pd.api.types.is_numeric_dtype(back[column]), column
            assert back[column].fillna(0).tolist() == pytest.approx(frame[column].fillna(0).tolist()), column
        if frame[column].dtype == object and frame[column].map(lambda v: isinstance(v, Decimal)).all():
            as_numbers = [float(v) for v in frame[column]]
            assert [float(v) for v in back[column]] == pytest.approx(as_numbers), column  # numbers, not text
