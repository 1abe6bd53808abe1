"""The dashboard, driven from Python: move a control, read the figures, the table and the files."""

from __future__ import annotations

import subprocess
import sys

import ipywidgets
import pandas as pd
import pytest

import toolkit as tk
from toolkit import demo_mode, history, unified
from toolkit.errors import NetworkError

# A range the demo cassettes answer: today the documented examples (Bitget bills of June 2021).
# The synthetic demo account's year: the demo answers exactly the ranges it was recorded with.
DEMO_RANGE = demo_mode.PERIOD


def frame(schema, *rows):
    return unified.conform(pd.DataFrame(list(rows)), schema)


def entry(exchange, time, id, asset, amount, balance, fee, type):
    account = "spot" if exchange == "bitget" else "main"
    return {"exchange": exchange, "account": account, "time": pd.Timestamp(time, tz="UTC"), "id": id,
            "asset": asset, "amount": amount, "balance": balance, "fee": fee, "fee_asset": asset,
            "type": type, "raw_type": type.upper()}  # fmt: skip


@pytest.fixture
def ledger():
    """Bitget trades USDT for BTC and withdraws USDT; KuCoin holds USDT only. Fees on Wednesdays."""
    return frame(
        unified.LEDGER,
        entry("bitget", "2025-01-06 09:00", "b1", "USDT", 1000.0, 1000.0, 0.0, "deposit"),
        entry("kucoin", "2025-01-15 12:00", "k1", "USDT", 200.0, 200.0, 0.0, "deposit"),
        entry("bitget", "2025-01-22 10:30", "b2", "USDT", -500.0, 499.5, 0.5, "trade"),
        entry("bitget", "2025-01-22 10:30", "b3", "BTC", 0.01, 0.01, 0.00001, "trade"),
        entry("kucoin", "2025-02-05 08:15", "k2", "USDT", -50.0, 150.0, 0.05, "trade"),
        entry("bitget", "2025-02-12 16:45", "b4", "USDT", -100.0, 399.5, 1.0, "withdrawal"),
    )


@pytest.fixture
def balances():
    now = pd.Timestamp("2025-03-01", tz="UTC")
    return frame(
        unified.BALANCES,
        {"exchange": "bitget", "account": "spot", "asset": "USDT", "free": 399.5, "locked": 0.0, "total": 399.5,
         "time": now},
        {"exchange": "bitget", "account": "spot", "asset": "BTC", "free": 0.01, "locked": 0.0, "total": 0.01,
         "time": now},
        {"exchange": "kucoin", "account": "main", "asset": "USDT", "free": 100.0, "locked": 50.0, "total": 150.0,
         "time": now},
    )  # fmt: skip


@pytest.fixture
def withdrawals():
    return frame(
        unified.TRANSACTIONS,
        {"exchange": "bitget", "account": "spot", "time": pd.Timestamp("2025-02-12 16:45", tz="UTC"), "id": "w1",
         "asset": "USDT", "amount": 100.0, "fee": 1.0, "fee_asset": "USDT", "network": "TRC20",
         "address": "TXexampleAddress", "txid": "0xabc", "status": "success"},
    )  # fmt: skip


@pytest.fixture
def board(ledger, balances, withdrawals):
    return tk.widgets.dashboard(ledger=ledger, balances=balances, withdrawals=withdrawals)


def days(trace) -> list[str]:
    return [str(x)[:10] for x in trace.x]


def balances_by_asset(hist: pd.DataFrame) -> dict[str, list[float]]:
    sums = hist.groupby(["asset", "time"])["balance"].sum()
    return {asset: sums[asset].tolist() for asset in sorted(hist["asset"].unique())}


def drawn(figure) -> dict[str, list[float]]:
    return {trace.name: list(trace.y) for trace in figure.data}


def fee_periods(board) -> list[str]:
    return sorted({day for trace in board.fee_figure.data if trace.type == "bar" for day in days(trace)})


def has_no_data_note(figure) -> bool:
    return not figure.data and [a.text for a in figure.layout.annotations] == ["no data"]


def table_note(board) -> str:
    return board.table.value.split("</div>")[0].removeprefix("<div>")


def test_initial_state_shows_everything_the_data_has(board, ledger, balances):
    assert board.exchanges.options == ("bitget", "kucoin") == board.exchanges.value
    assert board.assets.options == ("BTC", "USDT") == board.assets.value
    assert board.start.value == pd.Timestamp("2025-01-06").date()
    assert board.end.value == pd.Timestamp.now(tz="UTC").date()  # the balance history runs to today
    hist = history.balance_history(ledger, balances)
    assert drawn(board.balance_figure) == balances_by_asset(hist)
    assert drawn(board.balance_figure)["USDT"][-1] == 399.5 + 150.0
    assert fee_periods(board) == ["2025-01-01", "2025-02-01"]
    assert table_note(board) == "showing 6 of 6 ledger entries, newest first"
    assert board.status.value == (
        "Given 3 balance rows.<br>Given 6 ledger entries.<br>Given 1 withdrawals.<br>"
        "No prices: no client to ask (give prices= for values in USDT)."
    )
    assert has_no_data_note(board.worth_figure) and has_no_data_note(board.fees_value_figure)
    assert board.refresh_button.disabled  # nothing to fetch: every frame was given
    assert "application/vnd.jupyter.widget-view+json" in board._repr_mimebundle_()
    assert isinstance(board.widget, ipywidgets.VBox)


def shown(board, name):
    """The figure the dashboard's view ``name`` holds, as the notebook receives it."""
    (output,) = board.views[name].outputs
    return output["data"]["application/vnd.plotly.v1+json"]


def test_choosing_an_exchange_redraws_in_the_same_views(board, ledger, balances):
    views = [id(view) for view in board.views.values()]
    board.exchanges.value = ("kucoin",)
    assert [id(view) for view in board.views.values()] == views
    assert [t["name"] for t in shown(board, "fee_figure")["data"]] == ["trading", "total"]
    hist = history.balance_history(ledger, balances)
    assert drawn(board.balance_figure) == balances_by_asset(hist[hist["exchange"] == "kucoin"])
    assert list(drawn(board.balance_figure)) == ["USDT"]  # KuCoin holds no BTC: one panel left
    assert "yaxis2" not in board.balance_figure.layout.to_plotly_json()
    assert [t.name for t in board.fee_figure.data] == ["trading", "total"]
    assert list(board.fee_figure.data[0].y) == [0.05]
    assert table_note(board) == "showing 2 of 2 ledger entries, newest first"
    assert board.current_table["id"].tolist() == ["k2", "k1"]


def test_choosing_an_asset_filters_figures_and_table(board):
    board.assets.value = ("BTC",)
    assert list(drawn(board.balance_figure)) == ["BTC"]
    assert drawn(board.balance_figure)["BTC"][0] == 0.01
    assert [(t.name, list(t.y)) for t in board.fee_figure.data] == [("trading", [0.00001]), ("total", [0.00001])]
    assert board.current_table["id"].tolist() == ["b3"]


def test_dates_narrow_the_history_the_fees_and_the_table(board, ledger, balances):
    board.start.value = pd.Timestamp("2025-01-15").date()
    board.end.value = pd.Timestamp("2025-01-31").date()
    for trace in board.balance_figure.data:
        assert days(trace)[0] >= "2025-01-15" and days(trace)[-1] == "2025-01-31"
    hist = history.balance_history(ledger, balances)
    in_range = hist[hist["time"].between(pd.Timestamp("2025-01-15", tz="UTC"), pd.Timestamp("2025-01-31", tz="UTC"))]
    assert drawn(board.balance_figure) == balances_by_asset(in_range)
    assert fee_periods(board) == ["2025-01-01"]
    assert board.current_table["id"].tolist() == ["b2", "b3", "k1"]  # newest first; the end day included
    assert table_note(board) == "showing 3 of 3 ledger entries, newest first"


def test_the_fee_period_sets_the_bars(board):
    board.period.value = "D"
    assert fee_periods(board) == ["2025-01-22", "2025-02-05", "2025-02-12"]
    board.period.value = "W"
    assert fee_periods(board) == ["2025-01-20", "2025-02-03", "2025-02-10"]  # labelled by the week's Monday
    board.period.value = "MS"
    assert fee_periods(board) == ["2025-01-01", "2025-02-01"]


def test_an_empty_selection_shows_no_data_and_an_empty_table(board, ledger):
    board.exchanges.value = ()
    assert has_no_data_note(board.balance_figure) and has_no_data_note(board.fee_figure)
    empty = board.current_table
    assert empty.empty and empty.dtypes.to_dict() == ledger.dtypes.to_dict()
    assert table_note(board) == "showing 0 of 0 ledger entries, newest first"
    assert "<th>raw_type</th>" in board.table.value

    board.exchanges.value = ("bitget", "kucoin")
    board.start.value = pd.Timestamp("2024-01-01").date()
    board.end.value = pd.Timestamp("2024-12-31").date()  # before any entry
    assert has_no_data_note(board.balance_figure) and board.current_table.empty


def test_each_redraw_replaces_the_whole_figure_so_no_note_or_old_panel_stays(board):
    board.assets.value = ()
    assert [a["text"] for a in shown(board, "balance_figure")["layout"]["annotations"]] == ["no data"]
    board.assets.value = ("BTC", "USDT")
    layout = shown(board, "balance_figure")["layout"]
    assert "annotations" not in layout and "yaxis2" in layout  # two panels, and the note gone
    board.assets.value = ("USDT",)
    assert "yaxis2" not in shown(board, "balance_figure")["layout"]


def test_the_saved_widget_state_holds_no_plotly_js(board):
    # A FigureWidget kept all of plotly.js in its state, once per figure: 20.9 MB for notebook 04.
    import json

    saved = sum(len(json.dumps(view.get_state(), default=str)) for view in board.views.values())
    assert saved < 200_000 and "Plotly.newPlot" not in json.dumps([v.outputs for v in board.views.values()])


def test_a_copy_without_kernel_shows_the_sentence_and_the_figures_as_images(board):
    copy = board.static_copy()
    assert copy["text/plain"].startswith("Dashboard of bitget, kucoin: 6 ledger entries from 2025-01-06 to")
    page = copy["text/html"]
    assert 'class="tk-static"' in page and ":has(.widget-vbox) .tk-static" in page  # hidden beside the live one
    if tk.plots.static_svg(board.balance_figure) is None:
        assert "drawn here when kaleido and a Chromium are installed" in page
    else:
        assert page.count('src="data:image/svg+xml;base64,') == 4 and len(page) < 1_000_000


def test_export_writes_csv_and_parquet_that_read_back(board, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    board.exchanges.value = ("bitget",)
    assert board.filename.value == f"ledger-2025-01-06-{board.end.value.isoformat()}.csv"
    path = board.export()
    assert path == tmp_path / board.filename.value
    assert f"Wrote 4 ledger entries to <code>{path}</code>" in board.export_status.value
    back = unified.conform(pd.read_csv(path, dtype=str), unified.LEDGER)
    pd.testing.assert_frame_equal(back, board.current_table)
    assert "2025-02-12T16:45:00.000000+00:00" in path.read_text()

    board.export_format.value = "parquet"
    assert board.filename.value.endswith(".parquet")
    board.export_button.click()
    path = tmp_path / board.filename.value
    assert f"Wrote 4 ledger entries to <code>{path}</code>" in board.export_status.value
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, board.current_table)
    assert str(back["time"].dtype) == "datetime64[ns, UTC]"


def test_an_existing_file_is_replaced_only_when_overwrite_is_ticked(board, tmp_path):
    target = tmp_path / "mine.csv"
    target.write_text("keep me")
    board.filename.value = str(target)
    assert board.export() is None
    assert target.read_text() == "keep me"
    assert "mine.csv exists: tick &#x27;overwrite&#x27; to replace it." in board.export_status.value
    board.overwrite.value = True
    assert board.export() == target and target.read_text().startswith("exchange,account,time")


def test_a_typed_file_name_is_kept_and_only_its_suffix_follows_the_format(board, tmp_path):
    board.filename.value = str(tmp_path / "q1.csv")
    board.start.value = pd.Timestamp("2025-02-01").date()  # would change the dashboard's own name
    assert board.filename.value == str(tmp_path / "q1.csv")
    board.export_format.value = "parquet"
    assert board.filename.value == str(tmp_path / "q1.parquet")
    board.filename.value = str(tmp_path / "q1.txt")
    assert board.export() is None and "Not written: ConfigurationError" in board.export_status.value


def test_unknown_fee_period_is_refused(ledger, balances):
    with pytest.raises(tk.errors.ConfigurationError, match="freq must be one of D, W, MS"):
        tk.widgets.dashboard(ledger=ledger, balances=balances, freq="fortnight")


class FakeCoinW:
    """A CoinW client whose balances answer and whose history fails; counts what was asked."""

    exchange = "coinw"

    def __init__(self):
        self.calls = 0

    def get_complete_balances(self, exact=False):
        self.calls += 1
        return pd.DataFrame({"asset": ["btc", "usdt"], "available": [0.5, 20.0], "on_orders": [0.0, 5.0]})

    def get_deposit_withdrawal_history(self, asset=None, start_time=None, end_time=None, exact=False):
        self.calls += 1
        raise NetworkError("coinw", "POST /api/v1/private", "connection reset")


def test_clients_are_fetched_once_and_failures_are_shown_not_raised(balances):
    coinw = FakeCoinW()
    board = tk.widgets.dashboard([coinw], "2025-01-01", "2025-03-31")
    assert coinw.calls == 4  # balances; for the ledger, balances and history; for withdrawals, history
    assert board.status.value.split("<br>")[0] == "Fetched 2 balance rows from coinw."
    assert "Ledger failed for coinw (NetworkError: coinw POST /api/v1/private: connection reset)" in (
        board.status.value
    )
    assert "Withdrawals failed for coinw (NetworkError: coinw POST /api/v1/private: connection reset)" in (
        board.status.value
    )
    assert board.exchanges.options == ("coinw",) and board.assets.options == ("BTC", "USDT")
    assert (board.start.value.isoformat(), board.end.value.isoformat()) == ("2025-01-01", "2025-03-31")
    assert has_no_data_note(board.balance_figure)  # no ledger and no snapshots: no history

    board.assets.value = ("BTC",)
    board.period.value = "D"
    assert coinw.calls == 4  # the controls never fetch
    board.refresh_button.click()
    assert coinw.calls == 8

    snapshots = balances.assign(exchange="coinw")
    board = tk.widgets.dashboard(coinw, snapshots=snapshots)
    assert list(drawn(board.balance_figure)) == ["BTC", "USDT"]


def test_given_prices_value_the_history_and_the_fees(ledger, balances, withdrawals):
    days_ = pd.date_range("2025-01-06", "2025-03-01", freq="D", tz="UTC")
    prices = pd.DataFrame({"date": days_, "asset": "BTC", "quote": "USDT", "price": 50_000.0, "source": "test"})
    prices.attrs.update(quote="USDT", unpriced=[])
    board = tk.widgets.dashboard(ledger=ledger, balances=balances, withdrawals=withdrawals, prices=prices)
    # The history runs to today; the prices end on 1 March: the days after leave BTC out, and say so.
    assert board.worth_figure.layout.title.text == "Net worth in USDT by exchange (not priced, left out: BTC)"
    board.end.value = pd.Timestamp("2025-03-01").date()
    assert board.worth_figure.layout.title.text == "Net worth in USDT by exchange"
    worth = {trace.name: list(trace.y) for trace in board.worth_figure.data}
    assert set(worth) == {"bitget", "kucoin"}
    assert worth["bitget"][-1] == 399.5 + 0.01 * 50_000 and worth["kucoin"][-1] == 150.0
    board.stack.value = "asset"
    assert {trace.name for trace in board.worth_figure.data} == {"BTC", "USDT"}
    fees = {t.name: list(t.y) for t in board.fees_value_figure.data if t.type == "bar"}
    assert fees == {"trading": [0.5 + 0.00001 * 50_000, 0.05], "withdrawal": [1.0]}
    board.exchanges.value = ("kucoin",)
    assert {t.name: list(t.y) for t in board.fees_value_figure.data if t.type == "bar"} == {"trading": [0.05]}


def test_importing_the_dashboard_needs_neither_ipywidgets_nor_plotly():
    code = "import sys, toolkit.dashboard; print(sorted(m for m in ('ipywidgets', 'plotly') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.fixture
def demo():
    tk.demo()
    try:
        yield
    finally:
        tk.demo(False)


def test_in_demo_mode_the_dashboard_connects_every_exchange_itself(demo):
    board = tk.widgets.dashboard(start=DEMO_RANGE[0], end=DEMO_RANGE[1])
    assert "Not connected" not in board.status.value
    assert {"binance", "bitget", "coinw", "kucoin"} <= set(board.balances["exchange"])
    assert set(board.ledger["exchange"]) == {"binance", "bitget", "coinw", "kucoin"} and len(board.ledger) > 500
    assert {trace.name for trace in board.fee_figure.data} >= {"trading", "withdrawal"}
    assert {trace.name for trace in board.worth_figure.data} == {"binance", "bitget", "coinw", "kucoin"}
    assert "Priced 4 of 4 assets in USDT." in board.status.value  # BTC, ETH, USDT and Binance's BNB
    assert "ledger entries from binance, bitget, coinw, kucoin. Complete for binance, bitget, coinw, kucoin." in (
        board.status.value)  # fmt: skip
    # Trading and withdrawal fees, and the service charge of Binance's dust conversions (other).
    assert {t.name for t in board.fees_value_figure.data if t.type == "bar"} == {"trading", "withdrawal", "other"}
    assert (board.start.value.isoformat(), board.end.value.isoformat()) == DEMO_RANGE
    first, last = (pd.Timestamp(d, tz="UTC") for d in DEMO_RANGE)
    times = board.current_table["time"]
    assert ((times >= first) & (times < last + pd.Timedelta(days=1))).all()
