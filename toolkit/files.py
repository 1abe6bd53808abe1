"""``tk.export(df, path)``: CSV, Parquet or Excel, chosen by the file's suffix; or a tax tool's
import file (``format="koinly"``, ...: ``toolkit.taxfiles``) from the unified ledger.

Nothing is rounded away. Parquet keeps every dtype (``Decimal`` amounts as Parquet decimals) and
the frame's ``attrs`` (in its metadata, as JSON: times as ISO text). CSV keeps values: times as
ISO 8601 with ``+00:00``, ``Decimal`` amounts as their exact text. Excel stores numbers as binary
floats of 15 significant digits: exact amounts that fit are written as numbers (so they add up in
the sheet), the few that do not as text with every digit; Excel cannot store time zones, so times
are written as UTC wall-clock times and each such column's header says ``(UTC)``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ConfigurationError

SUFFIXES = (".csv", ".parquet", ".xlsx")
EXCEL_DIGITS = 15  # significant digits an Excel number keeps


def export(
    df: pd.DataFrame,
    path: str | Path,
    format: str | None = None,
    *,
    transfers: pd.DataFrame | None = None,
    unmatched: str = "outside",
) -> Any:
    """Write ``df`` to ``path`` (``.csv``, ``.parquet`` or ``.xlsx``) and return the path.

    ``format`` writes a tax tool's CSV import file instead, from a ``toolkit.unified.ledger(...,
    exact=True)`` frame: ``"koinly"`` (Koinly's universal template; one file per exchange, the
    paths returned as a list, when the ledger holds several), ``"cointracking"`` (CoinTracking's
    CSV import), ``"cointracking-export"`` (CoinTracking's trade-list layout, as rotki reads it) or
    ``"bittytax"`` (BittyTax transaction records). ``transfers``: ``tk.unified.transfer_pairs`` of
    the same accounts; ``unmatched``: see ``toolkit.taxfiles``, which says what each event becomes.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if format is not None:
        from toolkit import taxfiles

        return taxfiles.write(df, target, format, transfers=transfers, unmatched=unmatched)
    if suffix not in SUFFIXES:
        raise ConfigurationError(f"Cannot export to {target.name!r}: use one of {', '.join(SUFFIXES)}.")
    if suffix == ".parquet":
        out = df.copy()
        out.attrs = _json_safe(df.attrs)
        out.to_parquet(target, index=False)
    elif suffix == ".csv":
        _for_csv(df).to_csv(target, index=False)
    else:
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            raise ConfigurationError("Excel export needs openpyxl: pip install openpyxl") from None
        _for_excel(df).to_excel(target, index=False)
    return target


def _json_safe(attrs: dict[str, Any]) -> dict[str, Any]:
    """``attrs`` as JSON can hold them (pandas writes them to Parquet's metadata as JSON)."""

    def plain(value: Any) -> Any:
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        if isinstance(value, (Decimal, np.generic)):
            return str(value) if isinstance(value, Decimal) else value.item()
        if isinstance(value, (set, frozenset)):
            return sorted(map(str, value))
        return str(value)

    loaded: dict[str, Any] = json.loads(json.dumps(attrs, default=plain))
    return loaded


def _decimal_columns(df: pd.DataFrame) -> list[Any]:
    return [c for c in df.columns if df[c].dtype == object and df[c].map(lambda v: isinstance(v, Decimal)).any()]


def _for_csv(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in _decimal_columns(out):
        out[column] = out[column].map(lambda v: format(v, "f") if isinstance(v, Decimal) else v)
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            utc = out[column].dt.tz_convert("UTC")
            out[column] = utc.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").where(utc.notna()) + "+00:00"
    return out


def _for_excel(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for column in _decimal_columns(out):
        out[column] = out[column].map(_excel_number)
    renames = {}
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
            renames[column] = f"{column} (UTC)"
    return out.rename(columns=renames)


def _excel_number(value: Any) -> Any:
    """A Decimal as an Excel number when a float keeps all its digits, else as its exact text."""
    if not isinstance(value, Decimal):
        return value
    digits = len(value.normalize().as_tuple().digits)
    return float(value) if digits <= EXCEL_DIGITS else format(value, "f")
