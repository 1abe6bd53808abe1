"""What it is worth: daily prices from the exchanges' own candles, and values in one currency.

``prices`` finds a market for each asset on the given clients (the asset against the quote,
else through USDT or BTC; each leg direct or inverted) and takes each UTC day's close;
``value`` adds ``price`` and ``value`` to any frame with an asset and a time; ``portfolio_value``
is the daily balance history valued, and ``totals`` adds it up per day. An asset without a
price is NaN and listed in ``attrs["unpriced"]``: it is never counted as zero.

Closes are cached in a ``toolkit.store.Store`` (``cache=``: a Store or its path; by default one
in memory for the process): asking again for days already fetched sends nothing. The cache keeps
only positive closes the exchange sent: a day without one, an answer that failed or a market
refused are asked again next time. The day in progress is never cached, as its candle has not closed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from toolkit import history, unified
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, to_ms, utc_day
from toolkit.errors import ConfigurationError, InvalidRequest
from toolkit.store import Store

PRICE_COLUMNS = ("date", "asset", "quote", "price", "source")
# The assets a price may be routed through when the asset has no market against the quote.
VIA = ("USDT", "BTC")
DAY = pd.Timedelta(days=1)

_memory: Store | None = None


def _store(cache: Store | str | None) -> Store:
    global _memory
    if isinstance(cache, Store):
        return cache
    if cache is not None:
        return Store(cache)
    if _memory is None:
        _memory = Store(":memory:")
    return _memory


def _day(value: TimeLike | None, default: pd.Timestamp) -> pd.Timestamp:
    return default if value is None else utc_day(value)


def _closes(
    client: Any, base: str, quote: str, first: pd.Timestamp, last: pd.Timestamp, db: Store, absent: set[str]
) -> pd.Series | None:
    """Each UTC day's close of ``base/quote`` on ``client`` from ``first`` to ``last``, or None
    when the exchange has no such market; asks only for the days the cache does not hold.

    Only closes that are positive numbers are kept, in the cache or in the answer; a day without
    one is asked again next time. A market the exchange refuses (``absent``) is remembered for this
    call only: a refusal may be passing, and the cache keeps answers, never failures."""
    stream = f"closes.{client.exchange}.{base}-{quote}"
    if stream in absent:
        return None
    today = pd.Timestamp.now(tz="UTC").normalize()
    stored = db.load(stream, first, last + DAY) if stream in db.streams() else pd.DataFrame({"time": [], "close": []})
    held = set(stored["time"])
    wanted = [day for day in pd.date_range(first, min(last, today - DAY), freq="D") if day not in held]
    spans = [(wanted[0], wanted[-1])] if wanted else []
    if last >= today:  # the day in progress is always asked, in the same request as the days before it
        if spans and spans[-1][1] == today - DAY:
            spans[-1] = (spans[-1][0], today)
        else:
            spans.append((today, today))
    live = pd.Series(dtype="float64")
    for lo, hi in spans:
        try:
            candles = client.get_candles(f"{base}/{quote}", "1d", lo, hi + DAY - pd.Timedelta(milliseconds=1))
        except InvalidRequest:  # the exchanges answer a market they do not list as a bad request
            absent.add(stream)
            return None
        close = candles["close"].astype("float64")
        daily = pd.DataFrame({"time": candles["time"].dt.normalize(), "close": close})
        daily = daily[np.isfinite(close.to_numpy()) & (close.to_numpy() > 0)]
        db.append(stream, daily[daily["time"] < today], key=["time"])
        live = pd.concat([live, daily[daily["time"] >= today].set_index("time")["close"]])
    stored = db.load(stream, first, last + DAY) if stream in db.streams() else pd.DataFrame()
    series = stored.set_index("time")["close"] if len(stored) else pd.Series(dtype="float64")
    series = pd.concat([series, live]) if len(live) else series
    return series[~series.index.duplicated(keep="last")].sort_index()


def _leg(
    client: Any, base: str, quote: str, first: pd.Timestamp, last: pd.Timestamp, db: Store, absent: set[str]
) -> tuple[pd.Series, str] | None:
    """``base`` in ``quote`` per day, from the market base/quote or the inverse of quote/base."""
    direct = _closes(client, base, quote, first, last, db, absent)
    if direct is not None:
        return direct, f"{client.exchange} {base}/{quote}"
    inverse = _closes(client, quote, base, first, last, db, absent)
    if inverse is not None:
        return 1.0 / inverse, f"{client.exchange} 1/({quote}/{base})"
    return None


def _route(
    clients: Sequence[Any], asset: str, quote: str, first: pd.Timestamp, last: pd.Timestamp, db: Store
) -> tuple[pd.Series, str] | None:
    absent: set[str] = set()
    for client in clients:
        found = _leg(client, asset, quote, first, last, db, absent)
        if found is not None:
            return found
        for via in VIA:
            if via in (asset, quote):
                continue
            first_leg = _leg(client, asset, via, first, last, db, absent)
            if first_leg is None:
                continue
            second_leg = _leg(client, via, quote, first, last, db, absent)
            if second_leg is not None:
                return first_leg[0] * second_leg[0], f"{first_leg[1]} x {second_leg[1]}"
    return None


def prices(
    clients: Any,
    assets: Iterable[str],
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    quote: str = "USDT",
    *,
    cache: Store | str | None = None,
) -> pd.DataFrame:
    """One close per asset and UTC day from ``start`` to ``end`` (default: the last 30 days to
    today): ``date``, ``asset``, ``quote``, ``price``, ``source`` (the exchange and market, or
    the two legs of a route, ``kucoin ETH/BTC x kucoin BTC/USDT``). The quote itself is 1.

    Markets are looked for on ``clients`` in the order given (a client, a list or a dict). A day
    a market has no candle for, or an asset no market reaches, has NaN and is named in
    ``attrs["unpriced"]``. Today's price is its candle's close so far.
    """
    quote = quote.upper()
    today = pd.Timestamp.now(tz="UTC").normalize()
    last = _day(end, today)
    first = _day(start, last - 30 * DAY)
    if first > last:
        raise ConfigurationError("start is after end.")
    days = pd.date_range(first, last, freq="D")
    db = _store(cache)
    chosen = unified.clients_of(clients)
    frames = []
    for asset in sorted({a.upper() for a in assets}):
        if asset == quote:
            series, source = pd.Series(1.0, index=days), "quote"
        else:
            found = _route(chosen, asset, quote, first, last, db)
            series, source = found if found is not None else (pd.Series(dtype="float64"), "")
        aligned = series.reindex(days)
        frames.append(
            pd.DataFrame(
                {
                    "date": days,
                    "asset": asset,
                    "quote": quote,
                    "price": aligned.to_numpy(dtype="float64"),
                    "source": source,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in PRICE_COLUMNS})
    out = out.astype({"asset": "str", "quote": "str", "price": "float64", "source": "str"})
    out["date"] = pd.to_datetime(out["date"], utc=True).astype("datetime64[ns, UTC]")
    out.attrs["unpriced"] = sorted(out.loc[out["price"].isna(), "asset"].unique().tolist())
    out.attrs["quote"] = quote
    return out


# The column holding the amount to value, in the order looked for (ledger, balance history, balances, fees).
AMOUNT_COLUMNS = ("amount", "balance", "total", "fee")


def value(
    frame: pd.DataFrame, prices: pd.DataFrame, *, amount: str | None = None, at: TimeLike | None = None
) -> pd.DataFrame:
    """``frame`` with ``price``, ``value`` (= amount x price, in ``prices``' quote) and
    ``price_date`` (the UTC day whose close priced the row) added.

    ``frame`` needs ``asset`` and an amount: ``amount`` if given, else the first of ``amount``,
    ``balance``, ``total``, ``fee``. Which day prices a row: with ``at``, that moment's for every
    row; a frame of balances (``tk.unified.balances``: what is held now) is valued now, every
    exchange at the same moment, whatever the time of its last change; otherwise each row's own
    ``date`` or ``time`` (a day of a history, an event's day). At one moment, each asset takes its
    latest close on or before that day (the day in progress may have none yet). Rows without a
    price get NaN, and their assets are listed in ``attrs["unpriced"]``; ``attrs["priced_at"]`` is
    the moment, where there is one.
    """
    column = amount or next((c for c in AMOUNT_COLUMNS if c in frame), None)
    when = "date" if "date" in frame else "time" if "time" in frame else None
    held_now = at is None and when != "date" and {"free", "locked", "total"} <= set(frame.columns)
    if "asset" not in frame or column is None or column not in frame or (when is None and at is None and not held_now):
        raise ConfigurationError(
            "value needs a frame with 'asset', 'date' or 'time' (or at=), and an amount column "
            f"({', '.join(AMOUNT_COLUMNS)}); it has {', '.join(map(str, frame.columns))}."
        )
    quote = prices.attrs.get("quote") or (prices["quote"].iloc[0] if len(prices) else "USDT")
    assets = frame["asset"].astype("str").str.upper()
    moment = utc_moment(at) if at is not None else pd.Timestamp.now(tz="UTC") if held_now else None
    if moment is None:
        days = pd.to_datetime(frame[when], utc=True).dt.normalize().astype("datetime64[ns, UTC]")
        lookup = prices.drop_duplicates(["date", "asset"]).set_index(["date", "asset"])["price"]
        price = lookup.reindex(pd.MultiIndex.from_arrays([days, assets])).to_numpy(dtype="float64")
        priced_on = pd.Series(days.to_numpy(), index=frame.index).where(~np.isnan(price))
    else:
        latest = prices[(prices["date"] <= moment.normalize()) & prices["price"].notna()]
        latest = latest.sort_values("date").drop_duplicates("asset", keep="last").set_index("asset")
        price = latest["price"].reindex(assets).to_numpy(dtype="float64")
        priced_on = pd.Series(latest["date"].reindex(assets).to_numpy(), index=frame.index)
    is_quote = assets.to_numpy() == quote
    price = np.where(is_quote, 1.0, price)
    out = frame.copy()
    out["price"] = price
    out["value"] = pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy() * price
    out["price_date"] = pd.to_datetime(priced_on, utc=True).astype("datetime64[ns, UTC]")
    out.attrs = {**frame.attrs, "quote": quote, "priced_at": moment,
                 "unpriced": sorted(out.loc[out["price"].isna(), "asset"].astype("str").unique().tolist())}  # fmt: skip
    return out


def utc_moment(at: TimeLike) -> pd.Timestamp:
    return ms_to_timestamp(to_ms(at, "at"))


def portfolio_value(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    quote: str = "USDT",
    *,
    ledger: pd.DataFrame | None = None,
    balances: pd.DataFrame | None = None,
    cache: Store | str | None = None,
    errors: str = "collect",
    at: TimeLike | None = None,
) -> pd.DataFrame:
    """The daily balance history valued: ``date``, ``exchange``, ``asset``, ``amount``,
    ``price``, ``value``, one row per day, exchange and asset held (``totals`` adds them up);
    each day's rows, every exchange's, at that day's close. ``at``: the one day holding that moment
    (``start`` and ``end`` both ``at``).

    Rebuilt from each exchange's ledger and today's balances (``toolkit.history``), then valued
    with ``prices`` over the same days. Pass the ``unified.ledger`` and ``unified.balances`` you
    already have to spare fetching them again (Binance's withdrawal history allows ten windows a
    minute). ``errors`` as in ``toolkit.unified``: an exchange that fails is left out (named in
    ``attrs["failures"]``, with a warning), or with ``"raise"`` raised.
    """
    if at is not None:
        start = end = utc_moment(at)
    chosen = unified.clients_of(clients)
    balances = unified.balances(chosen, errors=errors) if balances is None else balances
    ledger = unified.ledger(chosen, start, end, errors=errors) if ledger is None else ledger
    failures = [*balances.attrs.get("failures", []), *ledger.attrs.get("failures", [])]
    daily = history.balance_history(ledger, balances)
    today = pd.Timestamp.now(tz="UTC").normalize()
    first, last = _day(start, daily["time"].min() if len(daily) else today), _day(end, today)
    daily = daily[(daily["time"] >= first) & (daily["time"] <= last) & (daily["balance"] != 0)]
    found = prices(chosen, daily["asset"].unique(), first, last, quote, cache=cache)
    frame = daily.rename(columns={"time": "date", "balance": "amount"})
    out = value(frame, found, amount="amount").reset_index(drop=True)  # each row at its own day
    out = out[["date", "exchange", "asset", "amount", "price", "value"]]
    out.attrs = {"quote": quote.upper(), "unpriced": found.attrs["unpriced"],
                 "sources": found.drop_duplicates("asset").set_index("asset")["source"].to_dict()}  # fmt: skip
    if failures:
        out.attrs["failures"] = failures
    return out


def totals(frame: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """``value`` summed per day (``date``, ``value``), or per day and ``by`` (``"exchange"`` or
    ``"asset"``). A day with an unpriced row sums to NaN rather than to less than it holds."""
    summed = _sum_or_nan(frame, ["date", by] if by else ["date"])
    summed.attrs = {"quote": frame.attrs.get("quote")}
    return summed


def _sum_or_nan(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``value`` summed per ``keys``; NaN for a group with any NaN (a sum without it would look whole)."""
    groups = frame.groupby(keys)["value"]
    summed = groups.sum()
    summed[groups.count() < groups.size()] = math.nan
    return summed.reset_index()


def fees_value(
    ledger: pd.DataFrame, withdrawals: pd.DataFrame | None, prices: pd.DataFrame, freq: str = "MS"
) -> pd.DataFrame:
    """Fees paid in ``prices``' quote per period (``freq`` as ``history.fee_history``), exchange
    and type: each fee valued on the day it was paid, then added up (``time``, ``exchange``,
    ``type``, ``value``). A period with an unpriced fee is NaN, its asset in ``attrs["unpriced"]``."""
    paid = value(unified.fees_paid(ledger, withdrawals), prices, amount="fee")
    paid = paid.assign(time=history.period_start(paid["time"], freq))
    out = _sum_or_nan(paid, ["time", "exchange", "type"])
    out.attrs = {"quote": paid.attrs["quote"], "unpriced": paid.attrs["unpriced"], "freq": freq}
    return out
