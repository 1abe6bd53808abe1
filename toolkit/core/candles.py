"""Candles, the same on every exchange: the interval names, the symbols, the frame.

Each exchange declares its candles as a ``CandleSpec`` (``endpoints.CANDLES``): the endpoint, its
spelling of each interval, its per-call cap, how it spells a market; ``fetch`` walks the range
in windows of at most one cap of candles and returns the columns every exchange shares, oldest
first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import pandas as pd

from toolkit.core.endpoint import Endpoint
from toolkit.core.paging import Window
from toolkit.core.timeutil import TimeLike, now_ms, to_ms
from toolkit.errors import ConfigurationError


class Client(Protocol):
    """What candles need of a client (``toolkit.core.client.Client`` is one): handed, not imported."""

    @property
    def exchange(self) -> str: ...

    def history(self, endpoint: Endpoint, args: Mapping[str, Any] | None = None, *, exact: bool = False,
                limit: int | None = None) -> pd.DataFrame: ...  # fmt: skip


# The toolkit's interval names and their length.
INTERVALS_MS = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "1d": 86_400_000,
    "1w": 604_800_000,
}
COLUMNS = ("time", "open", "high", "low", "close", "volume", "quote_volume")
# Without a start: this many candles back from the end.
DEFAULT_COUNT = 100


@dataclass(frozen=True)
class CandleSpec:
    """An exchange's candles: ``endpoint`` (its ``interval`` argument takes the values of
    ``intervals``, keyed by the toolkit's names), at most ``cap`` candles a request, markets
    spelled ``BASE<separator>QUOTE``, and ``rename`` from the endpoint's columns to ``COLUMNS``."""

    endpoint: Endpoint
    intervals: Mapping[str, Any]
    cap: int
    separator: str
    rename: Mapping[str, str] = field(default_factory=dict)

    @property
    def steps(self) -> dict[str, int]:
        """The exchange's spelling of each interval (as text, as a query carries it) -> its length in ms."""
        return {str(spelled): INTERVALS_MS[name] for name, spelled in self.intervals.items()}


def market(symbol: str, separator: str) -> str:
    """The exchange's spelling of ``symbol``: ``"BTC/USDT"`` joined with ``separator``; a symbol
    already in the exchange's spelling is kept (upper-cased)."""
    if not isinstance(symbol, str) or not symbol.strip():
        raise ConfigurationError(f"symbol is 'BASE/QUOTE' (such as 'BTC/USDT') or the exchange's own, got {symbol!r}.")
    if symbol.count("/") == 1:
        base, quote = (part.strip().upper() for part in symbol.split("/"))
        return f"{base}{separator}{quote}"
    return symbol.strip().upper()


def fetch(
    client: Client,
    spec: CandleSpec,
    symbol: str,
    interval: str,
    start_time: TimeLike | None,
    end_time: TimeLike | None,
    *,
    exact: bool,
) -> pd.DataFrame:
    """Every candle of ``symbol`` whose period meets ``[start_time, end_time]``, oldest first, in
    ``COLUMNS`` (a column the exchange lacks is NaN); ``attrs`` keep the coverage, with the
    symbol and interval asked."""
    if interval not in spec.intervals:
        raise ConfigurationError(
            f"{client.exchange} candles come in {', '.join(spec.intervals)} intervals, not {interval!r}."
        )
    step = INTERVALS_MS[interval]
    end = to_ms(end_time, "end_time") if end_time is not None else now_ms()
    start = to_ms(start_time, "start_time") if start_time is not None else end - DEFAULT_COUNT * step
    span = (spec.cap - 1) * step  # both bounds are inclusive: a window holds at most ``cap`` candles
    windowed = replace(spec.endpoint, window=Window(span, span))
    name = market(symbol, spec.separator)
    # Asked from one interval early: an exchange answers the candles that open at or after the
    # start (Binance says so), and the one open at ``start`` is wanted too.
    asked_from = max(start - step + 1, 0)
    args = {"symbol": name, "interval": spec.intervals[interval], "start_time": asked_from, "end_time": end}
    raw = client.history(windowed, args, exact=exact)
    frame = raw.rename(columns=dict(spec.rename))
    out = pd.DataFrame({c: frame.get(c, np.nan) for c in COLUMNS})
    if not exact:
        out["quote_volume"] = out["quote_volume"].astype("float64")
    # The candles whose period meets the range: the one open at ``start`` too.
    lo, hi = pd.Timestamp(asked_from, unit="ms", tz="UTC"), pd.Timestamp(end, unit="ms", tz="UTC")
    out = out[(out["time"] >= lo) & (out["time"] <= hi)].sort_values("time", kind="stable").reset_index(drop=True)
    out.attrs = {**raw.attrs, "symbol": name, "interval": interval}
    return out
