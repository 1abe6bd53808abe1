from __future__ import annotations

import re
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest

from toolkit import plots
from toolkit.errors import ConfigurationError

UTC = "datetime64[ns, UTC]"


def days(*dates: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(dates), utc=True), dtype=UTC)


def text(values: list[str]) -> pd.Series:
    return pd.Series(values, dtype="str")


def dates(trace: dict) -> list[str]:
    return [str(x)[:10] for x in trace["x"]]


@pytest.fixture
def history() -> pd.DataFrame:
    """BALANCE HISTORY: BTC on two exchanges, USDT on one, over two days."""
    return pd.DataFrame(
        {
            "time": days("2025-01-01", "2025-01-02", "2025-01-01", "2025-01-02", "2025-01-01", "2025-01-02"),
            "exchange": text(["kucoin", "kucoin", "bitget", "bitget", "kucoin", "kucoin"]),
            "asset": text(["BTC", "BTC", "BTC", "BTC", "USDT", "USDT"]),
            "balance": [0.1, 0.2, 1.0, 1.25, 100.0, 99.123456789],
        }
    )


@pytest.fixture
def fees() -> pd.DataFrame:
    """FEE HISTORY with exact amounts: USDT trading and withdrawal fees, one BTC fee."""
    return pd.DataFrame(
        {
            "time": days("2025-01-03", "2025-01-20", "2025-01-21", "2025-02-01", "2025-01-05"),
            "exchange": text(["kucoin", "bitget", "kucoin", "kucoin", "kucoin"]),
            "asset": text(["USDT", "USDT", "USDT", "USDT", "BTC"]),
            "type": text(["trading", "trading", "withdrawal", "trading", "trading"]),
            "fee": pd.Series(
                [Decimal(v) for v in ("0.1", "0.200000000000000001", "1", "0.5", "0.00000001")], dtype="object"
            ),
        }
    )


def test_import_toolkit_does_not_import_plotly():
    code = "import sys, toolkit, toolkit.plots; print('plotly' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_balance_history_by_asset_sums_exchanges_one_panel_per_asset(history):
    fig = plots.balance_history(history).to_dict()
    traces = fig["data"]
    assert [(t["type"], t["name"], t["yaxis"]) for t in traces] == [("scatter", "BTC", "y"), ("scatter", "USDT", "y2")]
    assert [t["stackgroup"] for t in traces] == ["balance-BTC", "balance-USDT"]
    btc, usdt = traces
    assert dates(btc) == ["2025-01-01", "2025-01-02"]
    assert btc["y"] == [1.1, 1.45]
    assert btc["customdata"] == ["1.1", "1.45"]
    assert usdt["customdata"] == ["100", "99.123456789"]  # every digit, not 99.12
    assert btc["hovertemplate"] == "BTC<br>%{x|%Y-%m-%d} UTC<br>%{customdata} BTC<extra></extra>"
    layout = fig["layout"]
    assert layout["title"]["text"] == "Balance history by asset, all exchanges"
    assert layout["yaxis"]["title"]["text"] == "balance (BTC)"
    assert layout["yaxis2"]["title"]["text"] == "balance (USDT)"
    assert layout["xaxis2"]["title"]["text"] == "date (UTC)"


def test_balance_history_by_exchange_stacks_exchanges_within_an_asset(history):
    fig = plots.balance_history(history, by="exchange").to_dict()
    rows = [(t["name"], t["yaxis"], t["stackgroup"], t["y"], t["showlegend"]) for t in fig["data"]]
    assert rows == [
        ("bitget", "y", "balance-BTC", [1.0, 1.25], True),
        ("kucoin", "y", "balance-BTC", [0.1, 0.2], True),
        ("kucoin", "y2", "balance-USDT", [100.0, 99.123456789], False),  # one legend entry per exchange
    ]


def test_balance_history_for_one_exchange_and_exact_decimals(history):
    history["balance"] = pd.Series([Decimal("0.123456789012345678")] * 6, dtype="object")
    fig = plots.balance_history(history, exchange="bitget").to_dict()
    assert fig["layout"]["title"]["text"] == "Balance history by asset, bitget"
    assert [t["name"] for t in fig["data"]] == ["BTC"]
    assert fig["data"][0]["customdata"] == ["0.123456789012345678"] * 2
    with pytest.raises(ConfigurationError, match="by must be 'asset' or 'exchange', got 'coin'"):
        plots.balance_history(history, by="coin")


def test_fee_history_stacks_types_per_month_with_exact_totals(fees):
    fig = plots.fee_history(fees).to_dict()
    assert fig["layout"]["barmode"] == "stack"
    traces = [(t["type"], t["name"], t["yaxis"]) for t in fig["data"]]
    # BTC and USDT are never added together: each has its own panel and axis
    assert traces == [
        ("bar", "trading", "y"),
        ("scatter", "total", "y"),
        ("bar", "trading", "y2"),
        ("bar", "withdrawal", "y2"),
        ("scatter", "total", "y2"),
    ]
    btc_trading, btc_total, trading, withdrawal, total = fig["data"]
    assert btc_total["text"] == ["0.00000001"]
    assert dates(trading) == ["2025-01-01", "2025-02-01"]
    assert trading["customdata"] == ["0.300000000000000001", "0.5"]  # summed in Decimal
    assert dates(withdrawal) == ["2025-01-01"] and withdrawal["y"] == [1.0]
    assert total["mode"] == "text"
    # Labels carry four significant digits, the hover every digit; the axis leaves room for the label.
    assert total["text"] == ["1.3", "0.5"] and total["customdata"] == ["1.300000000000000001", "0.5"]
    assert fig["layout"]["yaxis2"]["range"] == [0, pytest.approx(1.3 * 1.2)]
    assert fig["layout"]["yaxis2"]["tickformat"] == "~g"  # 0.0006, not 600µ
    assert total["y"] == [1.3, 0.5]
    assert trading["hovertemplate"] == "trading<br>%{x|%Y-%m} (UTC)<br>%{customdata} USDT<extra></extra>"
    assert [btc_trading["showlegend"], trading["showlegend"], withdrawal["showlegend"]] == [True, False, True]
    assert trading["marker"]["color"] == plots.FEE_TYPE_COLOURS["trading"]
    layout = fig["layout"]
    assert layout["title"]["text"] == "Fees by month and type"
    assert layout["yaxis"]["title"]["text"] == "fee (BTC)"
    assert layout["yaxis2"]["title"]["text"] == "fee (USDT)"
    assert layout["xaxis2"]["title"]["text"] == "month (UTC)"


def test_fee_history_other_periods_and_floats(fees):
    fees["fee"] = fees["fee"].astype("float64")
    fig = plots.fee_history(fees[fees["asset"] == "USDT"], freq="D").to_dict()
    assert fig["layout"]["xaxis"]["title"]["text"] == "period start (UTC)"
    trading = fig["data"][0]
    assert dates(trading) == ["2025-01-03", "2025-01-20", "2025-02-01"]
    assert trading["customdata"] == ["0.1", "0.2", "0.5"]
    with pytest.raises(ConfigurationError, match="freq='fortnight' is not a pandas frequency"):
        plots.fee_history(fees, freq="fortnight")


def test_fee_rates_grouped_bars_on_a_percent_axis():
    rates = pd.DataFrame(
        {
            "exchange": text(["kucoin", "binance", "bitget"]),
            "symbol": pd.Series([None, "BTCUSDT", "BTCUSDT"], dtype="str"),
            "maker": [0.001, 0.00075, 0.0008],
            "taker": [0.001, 0.001, 0.0008],
            "source": text(["base fee", "commission rates", "fee ratio"]),
        }
    )
    fig = plots.fee_rates(rates).to_dict()
    maker, taker = fig["data"]
    assert (maker["type"], maker["name"], taker["type"], taker["name"]) == ("bar", "maker", "bar", "taker")
    assert list(maker["x"]) == ["kucoin · account", "binance · BTCUSDT", "bitget · BTCUSDT"]
    assert maker["y"] == [0.001, 0.00075, 0.0008]  # the fractions as given; the axis shows percent
    assert [list(row) for row in maker["customdata"]] == [
        ["0.1", "0.001", "base fee"],
        ["0.075", "0.00075", "commission rates"],
        ["0.08", "0.0008", "fee ratio"],
    ]
    assert maker["hovertemplate"].startswith("%{x}<br>maker: %{customdata[0]} % (%{customdata[1]})")
    layout = fig["layout"]
    assert layout["barmode"] == "group"
    assert layout["yaxis"]["tickformat"].endswith("%")
    assert layout["yaxis"]["title"]["text"] == "fee rate (%)"
    assert layout["title"]["text"] == "Fee rates by exchange"


def test_residual_marks_the_days_that_do_not_add_up():
    frame = pd.DataFrame(
        {
            "time": days("2025-01-01", "2025-01-02", "2025-01-03", "2025-01-01", "2025-01-02"),
            "exchange": text(["kucoin"] * 3 + ["bitget"] * 2),
            "asset": text(["BTC", "BTC", "BTC", "USDT", "USDT"]),
            "residual": [0.0, -0.00000002, 1e-18, 0.0, 0.0],
        }
    )
    fig = plots.residual(frame).to_dict()
    btc, usdt = fig["data"]
    assert (btc["type"], btc["mode"], btc["yaxis"], usdt["yaxis"]) == ("scatter", "lines+markers", "y", "y2")
    assert btc["y"] == [0.0, -0.00000002, 1e-18]
    assert btc["customdata"] == ["0", "-0.00000002", "0.000000000000000001"]
    assert btc["marker"]["color"] == [plots.CONSISTENT_COLOUR, plots.RESIDUAL_COLOUR, plots.RESIDUAL_COLOUR]
    assert btc["marker"]["size"] == [4, 10, 10]
    assert usdt["marker"]["color"] == [plots.CONSISTENT_COLOUR] * 2
    layout = fig["layout"]
    assert layout["title"]["text"] == "Reconciliation residual: 2 non-zero days"
    assert layout["yaxis"]["zeroline"] is True and layout["yaxis"]["zerolinewidth"] == 2
    assert layout["yaxis"]["title"]["text"] == "residual (BTC)"
    assert layout["xaxis2"]["title"]["text"] == "date (UTC)"
    assert btc["hovertemplate"] == "kucoin<br>%{x|%Y-%m-%d} UTC<br>residual %{customdata} BTC<extra></extra>"

    tolerant = plots.residual(frame, tolerance=1e-12).to_dict()
    assert tolerant["layout"]["title"]["text"] == "Reconciliation residual: 1 non-zero day"


@pytest.mark.parametrize(
    ("figure", "columns"),
    [
        (plots.balance_history, plots.BALANCE_HISTORY_COLUMNS),
        (plots.fee_history, plots.FEE_HISTORY_COLUMNS),
        (plots.fee_rates, plots.FEE_RATES_COLUMNS),
        (plots.residual, plots.RESIDUAL_COLUMNS),
        (plots.net_worth, plots.NET_WORTH_COLUMNS),
        (plots.fees_value, plots.FEES_VALUE_COLUMNS),
        (plots.asset_shares, plots.NET_WORTH_COLUMNS),
    ],
)
def test_empty_input_gives_a_no_data_figure(figure, columns):
    fig = figure(pd.DataFrame({c: pd.Series([], dtype=UTC if c == "time" else "str") for c in columns})).to_dict()
    assert fig["data"] == []
    assert [a["text"] for a in fig["layout"]["annotations"]] == ["no data"]
    assert fig["layout"]["title"]["text"]


def test_an_exchange_filter_that_matches_nothing_is_no_data(history):
    fig = plots.balance_history(history, exchange="coinw").to_dict()
    assert fig["data"] == [] and fig["layout"]["annotations"][0]["text"] == "no data"


@pytest.mark.parametrize(
    ("figure", "missing"),
    [
        (plots.balance_history, ["asset", "balance"]),
        (plots.fee_history, ["asset", "type", "fee"]),
        (plots.fee_rates, ["symbol", "maker", "taker", "source"]),
        (plots.residual, ["asset", "residual"]),
        (plots.net_worth, ["date", "asset", "value"]),
        (plots.fees_value, ["type", "value"]),
        (plots.asset_shares, ["date", "asset", "value"]),
    ],
)
def test_missing_columns_are_named(figure, missing):
    frame = pd.DataFrame({"time": days("2025-01-01"), "exchange": text(["kucoin"])})
    message = rf"{figure.__name__} needs the columns .*; missing: {re.escape(str(missing))}"
    with pytest.raises(ConfigurationError, match=message):
        figure(frame)
    with pytest.raises(ConfigurationError, match="needs a DataFrame, got list"):
        figure([])


@pytest.fixture
def worth() -> pd.DataFrame:
    """A portfolio_value frame: BTC on two exchanges, USDT on one, an unpriced coin on the second day."""
    frame = pd.DataFrame(
        {
            "date": days("2025-01-01", "2025-01-01", "2025-01-01", "2025-01-02", "2025-01-02", "2025-01-02",
                         "2025-01-02"),
            "exchange": text(["kucoin", "bitget", "kucoin", "kucoin", "bitget", "kucoin", "bitget"]),
            "asset": text(["BTC", "BTC", "USDT", "BTC", "BTC", "USDT", "XYZ"]),
            "value": [100.0, 1000.0, 50.0, 110.0, 1100.0, 40.0, float("nan")],
        }
    )  # fmt: skip
    frame.attrs["quote"] = "USDT"
    return frame


def test_net_worth_stacks_exchanges_largest_first_and_names_the_unpriced(worth):
    fig = plots.net_worth(worth).to_dict()
    assert [t["name"] for t in fig["data"]] == ["bitget", "kucoin"]
    assert {t["stackgroup"] for t in fig["data"]} == {"worth"}
    bitget, kucoin = fig["data"]
    assert list(bitget["y"]) == [1000.0, 1100.0] and list(kucoin["y"]) == [150.0, 150.0]
    assert fig["layout"]["title"]["text"] == "Net worth in USDT by exchange (not priced, left out: XYZ)"
    assert fig["layout"]["yaxis"]["title"]["text"] == "value (USDT)"


def test_net_worth_by_asset(worth):
    fig = plots.net_worth(worth.dropna(), by="asset").to_dict()
    assert {t["name"]: list(t["y"]) for t in fig["data"]} == {"BTC": [1100.0, 1210.0], "USDT": [50.0, 40.0]}
    assert fig["layout"]["title"]["text"] == "Net worth in USDT by asset"
    with pytest.raises(ConfigurationError, match="by must be 'asset' or 'exchange'"):
        plots.net_worth(worth, by="type")


def test_asset_shares_on_the_last_day_or_a_given_one(worth):
    last = plots.asset_shares(worth).to_dict()
    pie = last["data"][0]
    assert list(pie["labels"]) == ["BTC", "USDT"] and list(pie["values"]) == [1210.0, 40.0]
    assert last["layout"]["title"]["text"] == "Asset shares in USDT on 2025-01-02 (not priced, left out: XYZ)"
    first = plots.asset_shares(worth, date="2025-01-01").to_dict()
    assert list(first["data"][0]["values"]) == [1100.0, 50.0]
    assert first["layout"]["title"]["text"] == "Asset shares in USDT on 2025-01-01"


def test_fees_value_stacks_types_with_totals_and_room_for_them():
    frame = pd.DataFrame(
        {"time": days("2025-01-01", "2025-01-01", "2025-02-01"), "exchange": text(["kucoin", "bitget", "kucoin"]),
         "type": text(["trading", "withdrawal", "trading"]), "value": [1.5, 2.25, 10.0]}
    )  # fmt: skip
    frame.attrs.update(quote="USDT", unpriced=["XYZ"])
    fig = plots.fees_value(frame).to_dict()
    bars = {t["name"]: list(t["y"]) for t in fig["data"] if t["type"] == "bar"}
    assert bars == {"trading": [1.5, 10.0], "withdrawal": [2.25]}
    total = next(t for t in fig["data"] if t["name"] == "total")
    assert list(total["text"]) == ["3.75", "10.00"]
    assert fig["layout"]["yaxis"]["range"] == [0, pytest.approx(11.5)]
    assert fig["layout"]["title"]["text"] == "Fees in USDT by month and type (not priced, left out: XYZ)"
    by_exchange = plots.fees_value(frame, by="exchange").to_dict()
    assert {t["name"] for t in by_exchange["data"] if t["type"] == "bar"} == {"kucoin", "bitget"}


def test_a_residual_of_zeros_is_one_sentence_not_flat_panels():
    frame = pd.DataFrame({"time": days("2025-01-01", "2025-01-02", "2025-01-01"), "exchange": text(["a", "a", "b"]),
                          "asset": text(["BTC", "BTC", "ETH"]), "residual": [0.0, 1e-12, 0.0]})  # fmt: skip
    fig = plots.residual(frame, tolerance=1e-9).to_dict()
    assert fig["data"] == []
    assert fig["layout"]["title"]["text"] == "Reconciliation residual: 0 non-zero days"
    assert fig["layout"]["annotations"][0]["text"] == (
        "The ledger explains every balance: 2 days of 2 assets checked (3 daily balances)"
    )


def test_fee_rates_name_the_exchanges_without_a_fee_rate_call():
    frame = pd.DataFrame({"exchange": text(["kucoin"]), "symbol": text(["BTC/USDT"]), "maker": [0.001],
                          "taker": [0.001], "source": text(["get_basic_user_fee"])})  # fmt: skip
    frame.attrs["not_available"] = ["coinw"]
    fig = plots.fee_rates(frame).to_dict()
    assert fig["layout"]["title"]["text"] == "Fee rates by exchange (no fee-rate call on coinw)"


def test_every_history_freq_has_a_period_name():
    from toolkit.history import FREQ_TO_PERIOD
    from toolkit.plots import PERIOD_NAMES

    assert set(PERIOD_NAMES) == set(FREQ_TO_PERIOD)
