"""Plotly figures from the canonical frames of ``toolkit.history`` and ``toolkit.unified``.

Every function takes one canonical frame and returns a ``plotly.graph_objects.Figure`` (it never
calls ``show()``). Plotly is imported inside the functions, so ``import toolkit`` works without it.

Amounts of different assets are never added together: without prices, 1 BTC + 1 USDT means
nothing. Balance, fee and residual figures therefore draw one panel per asset, each with its own
y axis titled with that asset as the unit. The valued figures (``net_worth``, ``fees_value``,
``asset_shares``) take ``toolkit.valuation`` frames, where every amount is in one quote currency,
and stack across assets and exchanges; what could not be priced is named in their titles.

Hover texts show native amounts with every digit they have (``decimal.Decimal`` values as sent,
floats in their shortest exact form), never rounded for display; values in the quote currency
show cents. Times are UTC, and the time axes say so.

An empty frame gives a figure with a "no data" note; a frame without the columns a figure needs
raises ``toolkit.errors.ConfigurationError`` naming them.
"""

from __future__ import annotations

import atexit
import base64
import functools
import html
import importlib.util
import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from toolkit.core.optional import needs
from toolkit.core.timeutil import utc_day
from toolkit.errors import ConfigurationError

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "asset_shares",
    "balance_history",
    "fee_history",
    "fee_rates",
    "fees_value",
    "net_worth",
    "residual",
    "shareable",
    "static_copy",
    "static_svg",
]

BALANCE_HISTORY_COLUMNS = ("time", "exchange", "asset", "balance")
FEE_HISTORY_COLUMNS = ("time", "exchange", "asset", "type", "fee")
FEE_RATES_COLUMNS = ("exchange", "symbol", "maker", "taker", "source")
RESIDUAL_COLUMNS = ("time", "exchange", "asset", "residual")
NET_WORTH_COLUMNS = ("date", "exchange", "asset", "value")
# What each freq toolkit.history takes (its FREQ_TO_PERIOD) calls a period.
PERIOD_NAMES = {"D": "day", "W": "week", "MS": "month", "M": "month", "ME": "month", "QS": "quarter", "YS": "year"}
FEES_VALUE_COLUMNS = ("time", "exchange", "type", "value")

# Fixed colours per fee type, so that a type has the same colour in every panel and figure.
FEE_TYPE_COLOURS = {"trading": "#1f77b4", "withdrawal": "#ff7f0e", "other": "#7f7f7f"}
RESIDUAL_COLOUR = "crimson"
CONSISTENT_COLOUR = "lightgray"
_PANEL_HEIGHT = 260


@needs("plotly", purpose="toolkit.plots.balance_history")
def balance_history(df: pd.DataFrame, *, by: str = "asset", exchange: str | None = None) -> go.Figure:
    """Stacked areas of balances over time, one panel per asset.

    Parameters
    ----------
    df : DataFrame
        A BALANCE HISTORY frame: ``time`` (UTC day), ``exchange``, ``asset``, ``balance``.
    by : {"asset", "exchange"}
        ``"asset"``: one area per asset, the sum over the chosen exchanges. ``"exchange"``: the
        asset's areas stacked by exchange, so the top of the stack is the asset's total.
    exchange : str, optional
        Only this exchange; all exchanges when omitted.

    Returns
    -------
    plotly.graph_objects.Figure
        Filled ``scatter`` traces in a ``stackgroup`` per panel; the hover shows exact balances.
    """
    if by not in ("asset", "exchange"):
        raise ConfigurationError(f"balance_history: by must be 'asset' or 'exchange', got {by!r}.")
    data = _checked(df, BALANCE_HISTORY_COLUMNS, "balance_history")
    scope = exchange or "all exchanges"
    title = f"Balance history by {by}, {scope}"
    if exchange is not None:
        data = data[data["exchange"] == exchange]
    if data.empty:
        return _no_data(title)

    assets = sorted(data["asset"].unique())
    fig = _panels(len(assets), title)
    colours = _colours(assets if by == "asset" else sorted(data["exchange"].unique()))
    shown: set[str] = set()
    for row, asset in enumerate(assets, start=1):
        rows = data[data["asset"] == asset]
        groups = ["time"] if by == "asset" else ["exchange", "time"]
        totals = rows.groupby(groups, sort=True)["balance"].agg(_total).reset_index()
        for name, series in [(asset, totals)] if by == "asset" else totals.groupby("exchange", sort=True):
            fig.add_scatter(
                x=series["time"],
                y=_floats(series["balance"]),
                customdata=_exact(series["balance"]),
                name=str(name),
                legendgroup=str(name),
                showlegend=_first(str(name), shown),
                mode="lines",
                line={"width": 0.5, "color": colours[str(name)]},
                stackgroup=f"balance-{asset}",
                hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}} UTC<br>%{{customdata}} {asset}<extra></extra>",
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=f"balance ({asset})", row=row, col=1)
    fig.update_xaxes(title_text="date (UTC)", row=len(assets), col=1)
    return fig


@needs("plotly", purpose="toolkit.plots.fee_history")
def fee_history(df: pd.DataFrame, *, freq: str = "MS") -> go.Figure:
    """Fees paid per period, stacked by type, with each period's total written above its bar.

    Parameters
    ----------
    df : DataFrame
        A FEE HISTORY frame: ``time``, ``exchange``, ``asset``, ``type``, ``fee`` (>= 0, in
        ``asset``). Exchanges are added together per asset; filter the frame for one exchange.
    freq : str
        The period of a bar, a pandas frequency: ``"MS"`` months (the default), ``"W"`` weeks
        from Monday (as ``toolkit.history.fee_history`` labels them), ``"D"``, ``"QS"``, ...

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per asset (fees are in their own asset and never converted); ``bar`` traces per
        type stacked, and a ``scatter`` text trace named "total" with each period's exact total.
    """
    data = _checked(df, FEE_HISTORY_COLUMNS, "fee_history")
    # A pandas "W" bins end on Sundays; toolkit.history labels weeks by their Monday start.
    freq = {"W": "W-MON"}.get(freq, freq)
    monthly = freq in ("MS", "ME", "M")
    title = "Fees by month and type" if monthly else f"Fees by period ({freq}) and type"
    if data.empty:
        return _no_data(title)

    try:
        grouper = pd.Grouper(key="time", freq=freq)
        sums = data.groupby([grouper, "asset", "type"], sort=True)["fee"].agg(_total).reset_index()
    except ValueError as exc:
        raise ConfigurationError(f"fee_history: freq={freq!r} is not a pandas frequency: {exc}") from None
    sums = sums[sums["fee"].map(_is_nonzero)]
    assets = sorted(sums["asset"].unique())
    if not assets:
        return _no_data(title)

    period = "%{x|%Y-%m}" if monthly else "%{x|%Y-%m-%d}"
    present = set(sums["type"])
    types = [t for t in FEE_TYPE_COLOURS if t in present] + sorted(present - set(FEE_TYPE_COLOURS))
    colours = {**_colours(types), **FEE_TYPE_COLOURS}
    fig = _panels(len(assets), title)
    shown: set[str] = set()
    for row, asset in enumerate(assets, start=1):
        rows = sums[sums["asset"] == asset]
        for fee_type in types:
            bars = rows[rows["type"] == fee_type]
            if bars.empty:
                continue
            fig.add_bar(
                x=bars["time"],
                y=_floats(bars["fee"]),
                customdata=_exact(bars["fee"]),
                name=fee_type,
                legendgroup=fee_type,
                marker_color=colours[fee_type],
                showlegend=_first(fee_type, shown),
                hovertemplate=f"{fee_type}<br>{period} (UTC)<br>%{{customdata}} {asset}<extra></extra>",
                row=row,
                col=1,
            )
        totals = rows.groupby("time", sort=True)["fee"].agg(_total).reset_index()
        exact = _exact(totals["fee"])
        fig.add_scatter(
            x=totals["time"],
            y=_floats(totals["fee"]),
            text=[_short(v) for v in totals["fee"]],  # four significant digits over the bar; all in the hover
            customdata=exact,
            name="total",
            mode="text",
            textposition="top center",
            showlegend=False,
            hovertemplate=f"total<br>{period} (UTC)<br>%{{customdata}} {asset}<extra></extra>",
            row=row,
            col=1,
        )
        # Room above the tallest bar for its label; plain decimals on the axis (not "600µ").
        top = max(_floats(totals["fee"]), key=lambda v: v or 0.0) or 1.0
        fig.update_yaxes(title_text=f"fee ({asset})", range=[0, top * 1.2], tickformat="~g", row=row, col=1)
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=("month" if monthly else "period start") + " (UTC)", row=len(assets), col=1)
    return fig


@needs("plotly", purpose="toolkit.plots.fee_rates")
def fee_rates(df: pd.DataFrame) -> go.Figure:
    """Maker and taker rates side by side, one pair of bars per exchange (and symbol).

    Parameters
    ----------
    df : DataFrame
        A FEE RATES frame: ``exchange``, ``symbol`` (NA for account-wide rates), ``maker``,
        ``taker`` (fractions: 0.001 is 0.1 %), ``source``.

    Returns
    -------
    plotly.graph_objects.Figure
        Two ``bar`` traces, "maker" and "taker", grouped; the y values are the fractions as given
        and the axis shows them in percent. The hover gives the exact percent and the source.
    """
    data = _checked(df, FEE_RATES_COLUMNS, "fee_rates")
    title = "Fee rates by exchange"
    if df.attrs.get("not_available"):  # say who is missing, rather than leave them out in silence
        title += f" (no fee-rate call on {', '.join(df.attrs['not_available'])})"
    if data.empty:
        return _no_data(title)

    import plotly.graph_objects as go

    labels = [
        f"{exchange} · {'account' if pd.isna(symbol) else symbol}"
        for exchange, symbol in zip(data["exchange"], data["symbol"], strict=True)
    ]
    fig = go.Figure()
    for side, colour in (("maker", "#2ca02c"), ("taker", "#d62728")):
        percent = [_percent_text(v) for v in data[side]]
        fig.add_bar(
            x=labels,
            y=_floats(data[side]),
            name=side,
            marker_color=colour,
            customdata=np.column_stack([percent, _exact(data[side]), data["source"].fillna("n/a").astype(str)]),
            hovertemplate=f"%{{x}}<br>{side}: %{{customdata[0]}} % (%{{customdata[1]}})<br>"
            "source: %{customdata[2]}<extra></extra>",
        )
    fig.update_layout(title=title, barmode="group", legend_title_text="side")
    fig.update_yaxes(title_text="fee rate (%)", tickformat=".3~%", rangemode="tozero")
    fig.update_xaxes(title_text="exchange · symbol")
    return fig


@needs("plotly", purpose="toolkit.plots.residual")
def residual(df: pd.DataFrame, *, tolerance: float = 0.0) -> go.Figure:
    """The reconciliation residual per asset and day; the days it is not zero stand out.

    Parameters
    ----------
    df : DataFrame
        A RESIDUAL frame: ``time`` (UTC day), ``exchange``, ``asset``, ``residual`` (what the
        ledger cannot explain; 0 when consistent).
    tolerance : float
        Residuals whose size is at most this count as zero (float sums can leave ``1e-17``).

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per asset with a bold zero line; a ``scatter`` trace per exchange whose
        non-zero days get large red markers (zero days small grey ones). The title counts them.
    """
    data = _checked(df, RESIDUAL_COLUMNS, "residual")
    if data.empty:
        return _no_data("Reconciliation residual")

    data = data.sort_values(["asset", "exchange", "time"], kind="stable")
    values = np.array(_floats(data["residual"]), dtype="float64")
    flagged = pd.Series(np.abs(values) > tolerance, index=data.index)
    count = int(flagged.sum())
    title = f"Reconciliation residual: {count} non-zero day{'s' if count != 1 else ''}"
    if count == 0:  # one sentence rather than a panel of flat zeros per asset
        fig = _no_data(title)
        fig.layout.annotations[0].text = (
            f"The ledger explains every balance: {data['time'].dt.normalize().nunique():,} days of "
            f"{data['asset'].nunique()} assets checked ({len(data):,} daily balances)"
        )
        return fig
    assets = sorted(data["asset"].unique())
    fig = _panels(len(assets), title)
    colours = _colours(sorted(data["exchange"].unique()))
    shown: set[str] = set()
    for row, asset in enumerate(assets, start=1):
        for exchange, rows in data[data["asset"] == asset].groupby("exchange", sort=True):
            bad = flagged[rows.index]
            fig.add_scatter(
                x=rows["time"],
                y=_floats(rows["residual"]),
                customdata=_exact(rows["residual"]),
                name=str(exchange),
                legendgroup=str(exchange),
                showlegend=_first(str(exchange), shown),
                mode="lines+markers",
                line={"width": 1, "color": colours[str(exchange)]},
                marker={
                    "color": np.where(bad, RESIDUAL_COLOUR, CONSISTENT_COLOUR).tolist(),
                    "size": np.where(bad, 10, 4).tolist(),
                },
                hovertemplate=f"{exchange}<br>%{{x|%Y-%m-%d}} UTC<br>residual %{{customdata}} {asset}<extra></extra>",
                row=row,
                col=1,
            )
        fig.update_yaxes(
            title_text=f"residual ({asset})", zeroline=True, zerolinewidth=2, zerolinecolor="black", row=row, col=1
        )
    fig.update_xaxes(title_text="date (UTC)", row=len(assets), col=1)
    return fig


def static_svg(fig: go.Figure) -> str | None:
    """``fig`` drawn as an SVG image (kaleido, with a Chromium on the machine), for the copy of a
    notebook that no kernel runs; None where this machine cannot draw one. A few hundred KB at
    most, where the figure's HTML needs plotly.js (5 MB)."""
    if not _drawer_ready():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # plotly's note that kaleido's server ignores its options
        image: bytes = fig.to_image(format="svg")
    return image.decode("utf-8")


@functools.cache
def _drawer_ready() -> bool:
    """Whether figures can be drawn here: the headless Chromium kaleido draws them in is started on
    first use, once per process, and shared by every figure."""
    if importlib.util.find_spec("kaleido") is None:
        return False
    import kaleido
    import plotly.graph_objects as go

    try:
        kaleido.start_sync_server(silence_warnings=True)  # one browser for every figure, not one each
        atexit.register(kaleido.stop_sync_server, silence_warnings=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            go.Figure().to_image(format="svg")  # a missing Chromium shows here, not at a user's figure
    except Exception:  # no Chromium, or one that cannot start: no static images on this machine
        kaleido.stop_sync_server(silence_warnings=True)
        return False
    return True


# Shown next to a live widget, the static copy hides itself; where no widget was drawn (nbconvert
# offline, nbviewer, GitHub, a notebook opened without its kernel) it is what the reader sees.
_STATIC_STYLE = (
    "<style>.jp-OutputArea:has(.widget-vbox) .tk-static, .output:has(.widget-vbox) .tk-static {display: none}</style>"
)


def static_copy(sentence: str, figures: Sequence[go.Figure] = ()) -> str:
    """The HTML a widget shows where it cannot run: ``sentence`` (what it is), and ``figures`` as
    images (``static_svg``; a note instead where this machine cannot draw them)."""
    parts = [f"<p><i>{html.escape(sentence)}</i></p>"]
    for figure in figures:
        svg = static_svg(figure)
        if svg is None:
            parts.append("<p><i>(Its figures are drawn here when kaleido and a Chromium are installed.)</i></p>")
            break
        # As an image, not inline SVG: each figure's ids (clip paths, gradients) stay its own.
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        title = html.escape(figure.layout.title.text or "figure", quote=True)
        parts.append(f'<img alt="{title}" src="data:image/svg+xml;base64,{data}" style="max-width:100%">')
    return f'{_STATIC_STYLE}<div class="tk-static">{"".join(parts)}</div>'


@needs("plotly", purpose="toolkit.plots.shareable")
def shareable() -> str:
    """Make figures shown in a notebook carry a static copy beside their interactive output, so that
    a copy converted with ``jupyter nbconvert --to html``, or opened on nbviewer or GitHub, draws
    them without a kernel or a network. The notebooks in ``notebooks/`` call it first.

    The static copy is an SVG image where kaleido and a Chromium are installed (the ``[notebook]``
    extra has kaleido; Chromium: ``apt-get install chromium``); otherwise it is the figure's HTML
    with plotly.js embedded once per notebook (5 MB), and a warning says so. Returns ``"svg"`` or
    ``"html"``: which one figures now carry.
    """
    import plotly.io as pio

    if _drawer_ready():
        # plotly's svg renderer passes options kaleido's shared browser does not take, and says so
        # under every figure; the options are plotly's defaults, so the note says nothing here.
        warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)
        pio.renderers.default = "plotly_mimetype+svg"
        return "svg"
    warnings.warn(
        "tk.plots.shareable: no static images here (they need kaleido and a Chromium: pip install kaleido, "
        "apt-get install chromium); figures carry their HTML and plotly.js instead, 5 MB per notebook",
        UserWarning,
        stacklevel=2,
    )
    pio.renderers.default = "plotly_mimetype+notebook"
    return "html"


@needs("plotly", purpose="toolkit.plots.net_worth")
def net_worth(df: pd.DataFrame, *, by: str = "exchange") -> go.Figure:
    """What the accounts were worth each day, in one currency, stacked by exchange or by asset.

    Parameters
    ----------
    df : DataFrame
        A ``toolkit.valuation.portfolio_value`` frame: ``date``, ``exchange``, ``asset``,
        ``value`` (in ``attrs["quote"]``).
    by : {"exchange", "asset"}
        What each area is; the top of the stack is the day's net worth either way.

    Returns
    -------
    plotly.graph_objects.Figure
        Filled ``scatter`` traces in one ``stackgroup``. Holdings without a price are left out of
        the stack, and the title names their assets: the total is then a lower bound.
    """
    if by not in ("asset", "exchange"):
        raise ConfigurationError(f"net_worth: by must be 'asset' or 'exchange', got {by!r}.")
    data = _checked(df, NET_WORTH_COLUMNS, "net_worth")
    quote = df.attrs.get("quote", "")
    title = f"Net worth in {quote} by {by}" + _unpriced_note(df)
    data = data[data["value"].notna()]
    if data.empty:
        return _no_data(title)

    import plotly.graph_objects as go

    sums = data.groupby(["date", by], as_index=False)["value"].sum()
    names = sums.groupby(by)["value"].sum().sort_values(ascending=False).index  # the largest at the bottom
    colours = _colours(sorted(names))
    fig = go.Figure()
    for name in names:
        rows = sums[sums[by] == name]
        fig.add_scatter(
            x=rows["date"],
            y=_floats(rows["value"]),
            name=str(name),
            mode="lines",
            line={"width": 0.5, "color": colours[str(name)]},
            stackgroup="worth",
            hovertemplate=f"{name}<br>%{{x|%Y-%m-%d}} UTC<br>%{{y:,.2f}} {quote}<extra></extra>",
        )
    fig.update_layout(title=title, legend_title_text=by, hovermode="x unified")
    fig.update_yaxes(title_text=f"value ({quote})", rangemode="tozero")
    fig.update_xaxes(title_text="date (UTC)")
    return fig


@needs("plotly", purpose="toolkit.plots.fees_value")
def fees_value(df: pd.DataFrame, *, by: str = "type") -> go.Figure:
    """Fees paid per period in one currency, stacked by fee type or by exchange, each period's
    total written above its bar.

    Parameters
    ----------
    df : DataFrame
        A ``toolkit.valuation.fees_value`` frame: ``time`` (period start), ``exchange``,
        ``type``, ``value`` (in ``attrs["quote"]``).
    by : {"type", "exchange"}
        What each part of a bar is.

    Returns
    -------
    plotly.graph_objects.Figure
        ``bar`` traces stacked, a text trace "total"; the y axis leaves room for the labels.
    """
    if by not in ("type", "exchange"):
        raise ConfigurationError(f"fees_value: by must be 'type' or 'exchange', got {by!r}.")
    data = _checked(df, FEES_VALUE_COLUMNS, "fees_value")
    quote = df.attrs.get("quote", "")
    period = PERIOD_NAMES.get(df.attrs.get("freq", "MS"), "period")
    title = f"Fees in {quote} by {period} and {by}" + _unpriced_note(df)
    sums = data.groupby(["time", by], as_index=False)["value"].sum()
    sums = sums[sums["value"] > 0]
    if sums.empty:
        return _no_data(title)

    import plotly.graph_objects as go

    present = sorted(set(sums[by]))
    colours = {**_colours(present), **(FEE_TYPE_COLOURS if by == "type" else {})}
    fig = go.Figure()
    for name in present:
        bars = sums[sums[by] == name]
        fig.add_bar(
            x=bars["time"],
            y=_floats(bars["value"]),
            name=str(name),
            marker_color=colours[str(name)],
            hovertemplate=f"{name}<br>%{{x|{'%Y-%m' if period == 'month' else '%Y-%m-%d'}}} (UTC)<br>"
            f"%{{y:,.2f}} {quote}<extra></extra>",
        )
    totals = sums.groupby("time", as_index=False)["value"].sum()
    fig.add_scatter(
        x=totals["time"],
        y=_floats(totals["value"]),
        text=[f"{v:,.2f}" for v in totals["value"]],
        mode="text",
        textposition="top center",
        name="total",
        showlegend=False,
        hoverinfo="skip",
    )
    fig.update_layout(title=title, barmode="stack", legend_title_text=by)
    fig.update_yaxes(title_text=f"fees ({quote})", range=[0, float(totals["value"].max()) * 1.15])
    fig.update_xaxes(title_text=f"{period} (UTC)" if period == "month" else f"{period} from (UTC)")
    return fig


@needs("plotly", purpose="toolkit.plots.asset_shares")
def asset_shares(df: pd.DataFrame, *, date: Any = None) -> go.Figure:
    """Each asset's share of the net worth on one day (the last in the frame by default).

    Parameters
    ----------
    df : DataFrame
        A ``toolkit.valuation.portfolio_value`` frame (``date``, ``exchange``, ``asset``, ``value``).
    date : date-like, optional
        The UTC day; the frame's last day when omitted.

    Returns
    -------
    plotly.graph_objects.Figure
        One ``pie`` trace (a ring), the assets' values summed over the exchanges; the hover gives
        the value and the share. Unpriced assets are left out and named in the title.
    """
    data = _checked(df, NET_WORTH_COLUMNS, "asset_shares")
    quote = df.attrs.get("quote", "")
    if data.empty:
        return _no_data(f"Asset shares in {quote}")
    day = pd.to_datetime(data["date"], utc=True).max() if date is None else utc_day(date)
    rows = data[pd.to_datetime(data["date"], utc=True) == day]
    title = f"Asset shares in {quote} on {day:%Y-%m-%d}" + _unpriced_note(rows)
    sums = rows.groupby("asset")["value"].sum()
    sums = sums[sums > 0].sort_values(ascending=False)
    if sums.empty:
        return _no_data(title)

    import plotly.graph_objects as go

    fig = go.Figure(
        go.Pie(
            labels=sums.index.tolist(),
            values=sums.tolist(),
            hole=0.45,
            sort=False,
            marker_colors=[_colours(sorted(sums.index))[a] for a in sums.index],
            hovertemplate=f"%{{label}}<br>%{{value:,.2f}} {quote}<br>%{{percent}}<extra></extra>",
        )
    )
    fig.update_layout(title=title)
    return fig


def _unpriced_note(data: pd.DataFrame) -> str:
    """The assets whose rows have no value; a frame without assets (fees by type) names them in attrs."""
    if "asset" in data:
        missing = sorted(data.loc[data["value"].isna(), "asset"].astype(str).unique())
    else:
        missing = list(data.attrs.get("unpriced", []))
    return f" (not priced, left out: {', '.join(missing)})" if missing else ""


def _checked(df: Any, required: Sequence[str], figure: str) -> pd.DataFrame:
    """``df`` with its times in UTC, or a ConfigurationError naming what is missing."""
    if not isinstance(df, pd.DataFrame):
        raise ConfigurationError(f"{figure} needs a DataFrame, got {type(df).__name__}.")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ConfigurationError(
            f"{figure} needs the columns {list(required)}; missing: {missing} (got {list(df.columns)})."
        )
    data = df.reset_index(drop=True)
    if "time" in data.columns:
        # Naive times mean UTC, as everywhere in the toolkit.
        data["time"] = pd.to_datetime(data["time"], utc=True)
    return data


def _no_data(title: str) -> go.Figure:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.update_layout(title=title)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text="no data", x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font_size=18)
    return fig


def _panels(rows: int, title: str) -> go.Figure:
    """One row per asset, sharing the time axis; each row gets its own y axis and unit."""
    from plotly.subplots import make_subplots

    spacing = min(0.08, 0.3 / max(rows - 1, 1))
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=spacing)
    fig.update_layout(title=title, height=max(420, 120 + _PANEL_HEIGHT * rows))
    return fig


def _colours(names: Iterable[Any]) -> dict[str, str]:
    from plotly.colors import qualitative

    palette = qualitative.Plotly
    return {str(name): palette[i % len(palette)] for i, name in enumerate(names)}


def _first(name: str, shown: set[str]) -> bool:
    """True the first time ``name`` is drawn: one legend entry per series, though it spans panels."""
    if name in shown:
        return False
    shown.add(name)
    return True


def _total(values: pd.Series) -> Any:
    """Sum that keeps Decimal amounts exact; NA when every value is NA."""
    present = values.dropna()
    if present.empty:
        return np.nan
    if values.dtype == object:
        return sum((Decimal(v) if not isinstance(v, Decimal) else v for v in present), Decimal(0))
    # Float sums pick up binary noise (0.0000027 + ... = 0.0000026999999999997); exchanges send at
    # most 10 decimals, so rounding there removes the noise and keeps every digit that was sent.
    return round(float(present.sum()), 10)


def _is_nonzero(value: Any) -> bool:
    return not pd.isna(value) and value != 0


def _floats(values: pd.Series) -> list[float | None]:
    """Plot positions (Plotly draws floats); the exact amounts go to the hover via ``_exact``."""
    return [None if pd.isna(v) else float(v) for v in values]


def _exact(values: Iterable[Any]) -> list[str]:
    """Every digit of each amount: a Decimal as it is, a float in its shortest round-trip form."""
    return [exact_text(v) for v in values]


def exact_text(value: Any) -> str:
    """An amount with every digit it has, never rounded for display ("n/a" when missing)."""
    if value is None or pd.isna(value):
        return "n/a"
    if isinstance(value, Decimal):
        return format(value, "f")
    return np.format_float_positional(float(value), trim="-")


def _short(value: Any) -> str:
    """An amount with four significant digits, for a label (the hover keeps every digit)."""
    if value is None or pd.isna(value):
        return ""
    return np.format_float_positional(float(value), precision=4, unique=False, fractional=False, trim="-")


def _percent_text(value: Any) -> str:
    """A fraction as an exact percent: 0.001 -> "0.1" (computed in decimal, so no 0.1000000002)."""
    if value is None or pd.isna(value):
        return "n/a"
    exact = value if isinstance(value, Decimal) else Decimal(exact_text(value))
    return format((exact * 100).normalize(), "f")
