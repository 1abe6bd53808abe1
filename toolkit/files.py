"""``tk.export(df, path)``: CSV, Parquet or Excel, chosen by the file's suffix.

Nothing is rounded away: ``Decimal`` amounts are written as their exact text (CSV, Excel) or as
Parquet decimals, times as UTC. Parquet keeps every dtype; CSV keeps values (times as ISO 8601
with ``+00:00``); Excel cannot store time zones, so times are written as UTC wall-clock times and
each such column's header says ``(UTC)``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from toolkit.errors import ConfigurationError

SUFFIXES = (".csv", ".parquet", ".xlsx")


def export(df: pd.DataFrame, path: str | Path) -> Path:
    """Write ``df`` to ``path`` (``.csv``, ``.parquet`` or ``.xlsx``) and return the path."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigurationError(f"Cannot export to {target.name!r}: use one of {', '.join(SUFFIXES)}.")
    if suffix == ".parquet":
        df.to_parquet(target, index=False)
    elif suffix == ".csv":
        _with_exact_text(df).to_csv(target, index=False, date_format="%Y-%m-%dT%H:%M:%S.%f%z")
    else:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ConfigurationError("Excel export needs openpyxl: pip install openpyxl") from None
        _for_excel(df).to_excel(target, index=False)
    return target


def _with_exact_text(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, Decimal)).any():
            out[column] = out[column].map(lambda v: format(v, "f") if isinstance(v, Decimal) else v)
    return out


def _for_excel(df: pd.DataFrame) -> pd.DataFrame:
    out = _with_exact_text(df)
    renames = {}
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
            renames[column] = f"{column} (UTC)"
    return out.rename(columns=renames)
