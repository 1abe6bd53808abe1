"""The interactive dashboard: pick exchanges, assets and dates; the figures and the ledger follow.

Built by ``tk.widgets.dashboard(...)``. The frames are fetched once, when the dashboard is built
(and again on Refresh); the controls only filter what is already in memory, so moving one is
instant and never reaches an exchange. ipywidgets and plotly are imported when a dashboard is
built, so ``import toolkit`` needs neither.

The balance history is computed once from the whole ledger (it is anchored on today's balances,
so it cannot be rebuilt from a filtered ledger) and then filtered; fee history is recomputed from
the filtered ledger and withdrawals with the chosen period.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit import history, plots, unified, valuation
from toolkit.connecting import connect
from toolkit.core.redact import redact_exception
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, to_ms
from toolkit.errors import ConfigurationError
from toolkit.exchanges import REGISTRY
from toolkit.files import export

if TYPE_CHECKING:
    import plotly.graph_objects as go

FEE_PERIODS = {"day": "D", "week": "W", "month": "MS"}  # label -> history.fee_history freq
FORMATS = ("csv", "parquet")
TABLE_ROWS = 500  # rows shown; the export and current_table have them all

# kind -> (unified function, schema, takes start/end, what one row is called)
_KINDS: dict[str, tuple[Callable[..., pd.DataFrame], Mapping[str, str], bool, str]] = {
    "balances": (unified.balances, unified.BALANCES, False, "balance rows"),
    "ledger": (unified.ledger, unified.LEDGER, True, "ledger entries"),
    "withdrawals": (unified.withdrawals, unified.TRANSACTIONS, True, "withdrawals"),
}


def _error_html(text: str) -> str:
    return f'<span style="color:#b00020">❌ {html.escape(text)}</span>'


def _failure(exc: Exception) -> str:
    """One line naming an exception, with any credential masked (as the credentials form does)."""
    redact_exception(exc)
    first = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first[:200]}"


def _names(values: Sequence[str]) -> str:
    return ", ".join(values) if values else "no exchange"


def _day(value: TimeLike) -> date:
    return ms_to_timestamp(to_ms(value)).date()


FIGURES = ("worth_figure", "fees_value_figure", "balance_figure", "fee_figure")  # in the order shown


def _figure_output(figure: go.Figure) -> dict[str, Any]:
    """``figure`` as one notebook output: Plotly's own MIME type, which JupyterLab, Notebook and
    VS Code draw interactively. A whole new figure each time, so nothing of the last one (a "no
    data" note, a panel) can stay on screen, and no plotly.js is kept in the saved widget state
    (a FigureWidget's state holds all 5 MB of it, once per figure)."""
    import plotly.io as pio

    title = figure.layout.title.text or "figure"
    data = {"application/vnd.plotly.v1+json": json.loads(pio.to_json(figure)), "text/plain": title}
    return {"output_type": "display_data", "metadata": {}, "data": data}


class Dashboard:
    """The widgets of the dashboard; display it, or drive it from code.

    Controls: ``exchanges``, ``assets`` (SelectMultiple), ``start``, ``end`` (DatePicker, both days
    included, UTC), ``period`` (Dropdown of the fee bars: D, W, MS), ``stack`` (net worth by
    exchange or asset). Outputs: ``worth_figure`` (net worth in ``quote``), ``fees_value_figure``
    (fees in ``quote``), ``balance_figure``, ``fee_figure`` (native units; the figures drawn now,
    each shown in its ``views[name]`` Output widget), ``table`` (HTML), ``status`` (HTML). Export:
    ``export_format`` (Dropdown), ``filename`` (Text), ``overwrite`` (Checkbox), ``export_button``,
    ``export_status``. ``refresh_button`` fetches again. ``widget`` is the whole dashboard.

    The data: ``balances``, ``ledger``, ``withdrawals`` (None when neither given nor fetched),
    ``snapshots``, ``history`` (``toolkit.history.balance_history`` of them), ``prices`` (given,
    or ``toolkit.valuation.prices`` from the clients; None without either) and ``worth`` (the
    history valued); ``current_table`` is the ledger as filtered by the controls.
    """

    def __init__(
        self,
        clients: Any = None,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
        *,
        ledger: pd.DataFrame | None = None,
        balances: pd.DataFrame | None = None,
        withdrawals: pd.DataFrame | None = None,
        snapshots: pd.DataFrame | None = None,
        prices: pd.DataFrame | None = None,
        quote: str = "USDT",
        freq: str = "MS",
    ) -> None:
        import ipywidgets as w
        import plotly.graph_objects as go

        if freq not in FEE_PERIODS.values():
            raise ConfigurationError(f"freq must be one of {', '.join(FEE_PERIODS.values())}, got {freq!r}.")
        self._clients = clients
        self._range = (start, end)
        self._given = {"balances": balances, "ledger": ledger, "withdrawals": withdrawals}
        # Without clients and without any frame: every exchange that connects. With some frames
        # but no clients, the missing ones stay empty rather than reaching out to every exchange.
        self._fetches = clients is not None or all(frame is None for frame in self._given.values())
        self.snapshots = snapshots
        self.quote = quote.upper()
        self._given_prices = prices
        self.balances = self.ledger = self.history = self.worth = pd.DataFrame()
        self.withdrawals: pd.DataFrame | None = None
        self.prices: pd.DataFrame | None = prices
        self._muted = False  # set while the controls are reset, so that one reset redraws once
        self._auto_name = ""  # the file name the dashboard chose; replaced until the user edits it

        pick = w.Layout(width="16em", height="9em")
        self.exchanges = w.SelectMultiple(description="Exchanges", layout=pick)
        self.assets = w.SelectMultiple(description="Assets", layout=pick)
        self.start = w.DatePicker(description="From")
        self.end = w.DatePicker(description="To")
        self.period = w.Dropdown(description="Fees per", options=list(FEE_PERIODS.items()), value=freq)
        self.stack = w.Dropdown(description="Worth by", options=["exchange", "asset"], value="exchange")
        self.status = w.HTML()
        self.worth_figure = self.fees_value_figure = self.balance_figure = self.fee_figure = go.Figure()
        self.views = {name: w.Output() for name in FIGURES}
        self.table = w.HTML()
        self.export_format = w.Dropdown(options=FORMATS, value="csv", layout=w.Layout(width="7em"))
        self.filename = w.Text(description="File", layout=w.Layout(width="30em"))
        self.overwrite = w.Checkbox(value=False, description="overwrite", indent=False, layout=w.Layout(width="7em"))
        self.export_button = w.Button(description="Export", icon="download")
        self.export_status = w.HTML()
        self.refresh_button = w.Button(description="Refresh", icon="refresh", disabled=not self._fetches)
        self.widget = w.VBox([
            w.HBox([self.exchanges, self.assets,
                    w.VBox([self.start, self.end, self.period, self.stack, self.refresh_button])]),
            self.status,
            *self.views.values(),
            w.HBox([self.export_format, self.filename, self.overwrite, self.export_button]),
            self.export_status,
            self.table,
        ])  # fmt: skip

        for control in (self.exchanges, self.assets, self.start, self.end, self.period, self.stack):
            control.observe(lambda _change: self._update(), names="value")
        self.export_format.observe(lambda _change: self._format_changed(), names="value")
        self.export_button.on_click(lambda _button: self.export())
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = "Dashboard (interactive; its static copy follows)"  # not "VBox(children=..."
        return bundle

    def _ipython_display_(self) -> None:
        # The live widget, then its static copy: what a saved or converted copy shows where no
        # kernel runs the widget (nbconvert, nbviewer, GitHub), and hidden beside the live one.
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)
        display(self.static_copy(), raw=True)

    def static_copy(self) -> dict[str, str]:
        """The dashboard as it is now, for a reader without a kernel (``text/html`` and
        ``text/plain``): a sentence saying what it shows, and its figures as images."""
        exchanges = ", ".join(self.exchanges.options) or "no exchange"
        text = (f"Dashboard of {exchanges}: {len(self.ledger):,} ledger entries from {self.start.value} to "
                f"{self.end.value}; open the notebook with a kernel to use its controls.")  # fmt: skip
        return {"text/html": plots.static_copy(text, [getattr(self, name) for name in FIGURES]), "text/plain": text}

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        """Fetch again (frames given to the dashboard stay as given), then reset every control."""
        self.status.value = "<i>Fetching…</i>" if self._fetches else ""
        messages = self._fetch()
        self.history = history.balance_history(self.ledger, self.balances, self.snapshots)
        worth = self.history.rename(columns={"balance": "amount"})  # keeps "time": the controls filter on it
        if self.prices is not None:
            worth = valuation.value(worth, self.prices, amount="amount")
        else:
            worth = worth.assign(price=float("nan"), value=float("nan"))
            worth.attrs["quote"] = self.quote
        self.worth = worth
        self.status.value = "<br>".join(messages)
        self._reset_controls()

    def _fetch(self) -> list[str]:
        """Fill the frames not given; return the status lines (HTML) saying what came from where."""
        messages: list[str] = []
        clients: list[Any] = []
        opened: list[Any] = []
        if self._fetches:
            if self._clients is None:
                opened, messages = self._connect_all()
                clients = opened
            else:
                clients = unified.clients_of(self._clients)
        try:
            for kind, (fetch, schema, ranged, noun) in _KINDS.items():
                given = self._given[kind]
                if given is not None:
                    frame = given
                    messages.append(html.escape(f"Given {len(frame):,} {noun}."))
                elif self._fetches:
                    frame, text = _gather(fetch, schema, clients, self._range if ranged else (), kind, noun)
                    messages.append(text)
                else:  # withdrawals stay None: fee_history then takes withdrawal fees from the ledger
                    frame = None if kind == "withdrawals" else unified.conform(pd.DataFrame(), schema)
                setattr(self, kind, frame)
            if self._given_prices is None:
                self.prices, text = self._fetch_prices(clients)
                messages.append(text)
        finally:
            for client in opened:  # Binance's client holds a websocket and a thread
                getattr(client, "close", lambda: None)()
        return messages

    def _fetch_prices(self, clients: list[Any]) -> tuple[pd.DataFrame | None, str]:
        """Daily prices in ``quote`` of every asset the data has, over its days, from ``clients``."""
        if not clients:
            return None, html.escape(f"No prices: no client to ask (give prices= for values in {self.quote}).")
        held = self.balances[pd.to_numeric(self.balances["total"], errors="coerce").fillna(0) != 0]
        assets = sorted({str(a) for f in (self.ledger, held) for a in f["asset"].dropna()})
        times = self.ledger["time"].dropna()
        first, last = self._range
        first = first if first is not None else (times.min() if len(times) else None)
        try:
            found = valuation.prices(clients, assets, first, last, self.quote)
        except Exception as exc:  # shown in place: the native-unit views still work
            return None, _error_html(f"Prices failed: {_failure(exc)}")
        text = f"Priced {len(assets) - len(found.attrs['unpriced'])} of {len(assets)} assets in {self.quote}"
        if found.attrs["unpriced"]:
            text += f" (no market for {', '.join(found.attrs['unpriced'])})"
        return found, html.escape(text + ".")

    @staticmethod
    def _connect_all() -> tuple[list[Any], list[str]]:
        clients, failed = [], []
        for exchange in sorted(REGISTRY):
            try:
                clients.append(connect(exchange))
            except Exception as exc:  # no credentials for it, most often: leave it out and say so
                failed.append(f"{exchange} ({_failure(exc)})")
        return clients, ([_error_html("Not connected: " + "; ".join(failed))] if failed else [])

    # ------------------------------------------------------------------ controls

    def _reset_controls(self) -> None:
        """Options from the data, everything selected, the full range; then one redraw."""
        frames = [f for f in (self.balances, self.ledger, self.withdrawals, self.history) if f is not None]
        exchanges = sorted({str(v) for f in frames for v in f["exchange"].dropna()})
        assets = sorted({str(v) for f in frames for v in f["asset"].dropna()})
        # The range of the history and the entries; a balance's time is only its last update.
        times = [t for f in frames if f is not self.balances for t in (f["time"].min(), f["time"].max()) if pd.notna(t)]
        first, last = self._range
        self._muted = True
        try:
            self.exchanges.options, self.exchanges.value = exchanges, exchanges
            self.assets.options, self.assets.value = assets, assets
            self.start.value = _day(first) if first is not None else (min(times).date() if times else None)
            self.end.value = _day(last) if last is not None else (max(times).date() if times else None)
        finally:
            self._muted = False
        self._update()

    def _selected(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` in the chosen exchanges, assets and days."""
        keep = frame["exchange"].isin(self.exchanges.value) & frame["asset"].isin(self.assets.value)
        if self.start.value is not None:
            keep &= frame["time"] >= pd.Timestamp(self.start.value, tz="UTC")
        if self.end.value is not None:  # the end day is included
            keep &= frame["time"] < pd.Timestamp(self.end.value, tz="UTC") + pd.Timedelta(days=1)
        return frame[keep]

    @property
    def current_table(self) -> pd.DataFrame:
        """The ledger entries the controls select, newest first, in the unified LEDGER columns."""
        rows = self._selected(self.ledger).sort_values("time", ascending=False, kind="stable")
        return rows.reset_index(drop=True)

    def _draw(self, name: str, figure: go.Figure) -> None:
        setattr(self, name, figure)
        self.views[name].outputs = (_figure_output(figure),)

    def _update(self) -> None:
        if self._muted:
            return
        worth = self._selected(self.worth).rename(columns={"time": "date"})
        self._draw("worth_figure", plots.net_worth(worth, by=self.stack.value))
        withdrawals = None if self.withdrawals is None else self._selected(self.withdrawals)
        ledger = self._selected(self.ledger)
        if self.prices is not None:
            valued = valuation.fees_value(ledger, withdrawals, self.prices, freq=self.period.value)
            self._draw("fees_value_figure", plots.fees_value(valued))
        else:
            self._draw("fees_value_figure", plots.fees_value(pd.DataFrame(columns=plots.FEES_VALUE_COLUMNS)))
        self._draw("balance_figure", plots.balance_history(self._selected(self.history)))
        fees = history.fee_history(ledger, withdrawals, freq=self.period.value)
        self._draw("fee_figure", plots.fee_history(fees, freq=self.period.value))
        table = self.current_table
        shown = table.head(TABLE_ROWS)
        note = f"showing {len(shown):,} of {len(table):,} ledger entries, newest first"
        # Amounts with every digit they have, as in the figures' hover texts.
        rows = shown.to_html(index=False, border=0, na_rep="", float_format=plots.exact_text)
        self.table.value = f'<div>{note}</div><div style="max-height:30em;overflow:auto">{rows}</div>'
        self._follow_name(self._default_name())

    # ------------------------------------------------------------------ export

    def _default_name(self) -> str:
        first, last = (v.isoformat() if v is not None else "all" for v in (self.start.value, self.end.value))
        return f"ledger-{first}-{last}.{self.export_format.value}"

    def _follow_name(self, name: str) -> None:
        """Follow the dates and format with the file name, until the user has typed their own."""
        if self.filename.value in ("", self._auto_name):
            self.filename.value = name
        self._auto_name = name

    def _format_changed(self) -> None:
        typed = self.filename.value.strip()
        if typed and typed != self._auto_name:
            self.filename.value = str(Path(typed).with_suffix(f".{self.export_format.value}"))
        self._follow_name(self._default_name())

    def export(self) -> Path | None:
        """What the Export button does: write ``current_table`` to the file named; the path, or None.

        An existing file is replaced only when ``overwrite`` is ticked; otherwise the status says so.
        """
        name = self.filename.value.strip()
        if not name:
            self.export_status.value = _error_html("Enter a file name, then press Export.")
            return None
        path = Path(name).expanduser().resolve()
        if path.exists() and not self.overwrite.value:
            self.export_status.value = _error_html(f"{path} exists: tick 'overwrite' to replace it.")
            return None
        table = self.current_table
        try:
            written = export(table, path)
        except Exception as exc:  # shown in place: ipywidgets would only log it
            self.export_status.value = _error_html(f"Not written: {_failure(exc)}")
            return None
        self.export_status.value = f"✅ Wrote {len(table):,} ledger entries to <code>{html.escape(str(written))}</code>"
        return written


def _gather(
    fetch: Callable[..., pd.DataFrame],
    schema: Mapping[str, str],
    clients: list[Any],
    args: tuple[Any, ...],
    kind: str,
    noun: str,
) -> tuple[pd.DataFrame, str]:
    """``fetch`` for each client on its own, so that one failing exchange does not hide the others."""
    frames, fetched, missing, failed, partial = [], [], [], [], []
    for client in clients:
        try:
            frame = fetch(client, *args, errors="raise")  # each failure is shown here, per exchange
        except Exception as exc:
            failed.append(f"{client.exchange} ({_failure(exc)})")
            continue
        frames.append(frame)
        fetched += frame.attrs.get("exchanges", [])
        missing += frame.attrs.get("not_available", [])
        partial += [exchange for exchange, whole in frame.attrs.get("complete", {}).items() if not whole]
    filled = [f for f in frames if len(f)]
    result = pd.concat(filled, ignore_index=True) if filled else unified.conform(pd.DataFrame(), schema)
    result = result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)
    text = html.escape(f"Fetched {len(result):,} {noun} from {_names(fetched)}")
    if missing:
        hint = " (use tk.store snapshots)" if kind == "ledger" else ""
        text += html.escape(f"; {_names(missing)} {'has' if len(missing) == 1 else 'have'} no {kind}{hint}")
    text += "."
    if args and fetched:  # a history: say whether every exchange's read proved its range complete
        whole = [e for e in fetched if e not in partial]
        text += html.escape(f" Complete for {_names(whole)}." if whole else "")
        if partial:
            text += " " + _error_html(f"Not complete for {_names(partial)} (tk.coverage says what is missing).")
    if failed:
        text += " " + _error_html(f"{kind.capitalize()} failed for " + "; ".join(failed))
    return result, text
