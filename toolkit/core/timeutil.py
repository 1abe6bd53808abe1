"""Times in: datetime, pandas.Timestamp, ISO string or epoch milliseconds; naive means UTC."""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import TypeAlias

import pandas as pd

from toolkit.errors import ConfigurationError

TimeLike: TypeAlias = datetime | date | pd.Timestamp | str | int | float

DAY_MS = 86_400_000


def to_ms(value: TimeLike, name: str = "time") -> int:
    """Epoch milliseconds (UTC) for any accepted time input."""
    if isinstance(value, bool):
        raise ConfigurationError(f"{name} must be a time, not a bool.")
    if isinstance(value, (int, float)):
        if value < 0 or value != value:
            raise ConfigurationError(f"{name} must be epoch milliseconds >= 0, got {value!r}.")
        if value < 100_000_000_000:
            raise ConfigurationError(
                f"{name}={value!r} looks like epoch seconds; pass epoch milliseconds (or a datetime / ISO string)."
            )
        return int(value)
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(f"{name}={value!r} is not a time: {exc}") from None
    if ts is pd.NaT:
        raise ConfigurationError(f"{name} must not be empty.")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return int(ts.value // 1_000_000)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def ms_to_timestamp(ms: int) -> pd.Timestamp:
    return pd.Timestamp(ms, unit="ms", tz="UTC")


def utc_day(value: TimeLike) -> pd.Timestamp:
    """The UTC day (midnight) of ``value``, any time-like; a naive time means UTC."""
    moment = ms_to_timestamp(to_ms(value))
    return moment.normalize()
