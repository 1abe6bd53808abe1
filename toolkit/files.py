"""``tk.export(df, path)``: CSV, Parquet or Excel, chosen by the file's suffix; or a tax tool's
import file (``format="koinly"``, ``"cointracking"``, ``"bittytax"``) from the unified ledger.

Nothing is rounded away. Parquet keeps every dtype (``Decimal`` amounts as Parquet decimals) and
the frame's ``attrs`` (in its metadata, as JSON: times as ISO text). CSV keeps values: times as
ISO 8601 with ``+00:00``, ``Decimal`` amounts as their exact text. Excel stores numbers as binary
floats of 15 significant digits: exact amounts that fit are written as numbers (so they add up in
the sheet), the few that do not as text with every digit; Excel cannot store time zones, so times
are written as UTC wall-clock times and each such column's header says ``(UTC)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit.errors import ConfigurationError

SUFFIXES = (".csv", ".parquet", ".xlsx")
EXCEL_DIGITS = 15  # significant digits an Excel number keeps


def export(df: pd.DataFrame, path: str | Path, format: str | None = None) -> Path:
    """Write ``df`` to ``path`` (``.csv``, ``.parquet`` or ``.xlsx``) and return the path.

    ``format`` writes a tax tool's CSV import file instead, from a ``toolkit.unified.ledger``
    frame: ``"koinly"`` (Koinly's universal template), ``"cointracking"`` (CoinTracking's CSV
    import) or ``"bittytax"`` (BittyTax transaction records); see ``tax_rows``.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if format is not None:
        if suffix != ".csv":
            raise ConfigurationError(f"A {format} file is CSV: name it .csv, not {target.name!r}.")
        tax_rows(df, format).to_csv(target, index=False)
        return target
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


# ----------------------------------------------------------------------------- tax-tool files
# Each format's columns and rules as its maker documents them (sources in tax_rows' docstring;
# what is UNCONFIRMED in docs/reference-additions.md, "Tax-tool files").
TAX_COLUMNS = {
    "koinly": ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency", "Fee Amount",
               "Fee Currency", "Net Worth Amount", "Net Worth Currency", "Label", "Description", "TxHash"),
    "cointracking": ("Type", "Buy Amount", "Buy Currency", "Sell Amount", "Sell Currency", "Fee", "Fee Currency",
                     "Exchange", "Trade-Group", "Comment", "Date", "Tx-ID"),
    "bittytax": ("Type", "Buy Quantity", "Buy Asset", "Buy Value in GBP", "Sell Quantity", "Sell Asset",
                 "Sell Value in GBP", "Fee Quantity", "Fee Asset", "Fee Value in GBP", "Wallet", "Timestamp", "Note"),
}  # fmt: skip
TAX_FORMATS = tuple(TAX_COLUMNS)


@dataclass
class _Move:
    """One taxable event of the unified ledger: what came in, what went out, the fee, in the
    ledger's own terms (``gone`` includes a fee paid in the asset given; ``came`` is after a fee
    paid in the asset received)."""

    time: pd.Timestamp
    exchange: str
    kind: str  # trade, deposit, withdrawal, fee
    came: tuple[str, float] | None
    gone: tuple[str, float] | None
    fee: tuple[str, float] | None
    ref: str


def tax_rows(ledger: pd.DataFrame, format: str) -> pd.DataFrame:
    """The unified ``ledger`` as rows of a tax tool's import file (``format``: one of ``TAX_FORMATS``).

    A trade's two legs (the entries of one exchange and account at one time, one asset given and
    one received) become one row with its fee; deposits, withdrawals and fee entries a row each;
    transfers between one exchange's own accounts are left out (nothing was disposed of). Each
    format's fee rule is applied: Koinly and BittyTax count the fee beside the amounts (the given
    amount net of a fee paid in it, the received amount before a fee taken from it), CoinTracking
    inside them. Times are UTC. Amounts are positive, in the assets' own units.

    Sources: Koinly's universal template, https://support.koinly.io/en/articles/9489976 ("How to
    create a custom CSV file with your data"); CoinTracking's CSV import,
    https://cointracking.info/import/import_csv/ and its "Entering fees" help article; BittyTax's
    transaction records, https://github.com/BittyTax/BittyTax (README, "Transaction Records").
    What they leave undocumented is listed in docs/reference-additions.md, "Tax-tool files".
    """
    if format not in TAX_COLUMNS:
        raise ConfigurationError(f"format must be one of {', '.join(TAX_FORMATS)}, got {format!r}.")
    missing = [c for c in ("exchange", "account", "time", "id", "asset", "amount", "fee", "type") if c not in ledger]
    if missing:
        raise ConfigurationError(f"a tax file is made from toolkit.unified.ledger(...); this frame lacks {missing}.")
    rows = [_row(move, format) for move in _moves(ledger)]
    return pd.DataFrame(rows, columns=list(TAX_COLUMNS[format]))


def _moves(ledger: pd.DataFrame) -> list[_Move]:
    moves = []
    entries = ledger.assign(amount=pd.to_numeric(ledger["amount"]).astype("float64"),
                            fee=pd.to_numeric(ledger["fee"]).fillna(0).astype("float64"))  # fmt: skip
    trades = entries[entries["type"] == "trade"]
    for (exchange, _account, time), legs in trades.groupby(["exchange", "account", "time"], sort=False):
        by_asset = legs.groupby("asset", sort=False)[["amount", "fee"]].sum()
        given, got = by_asset[by_asset["amount"] < 0], by_asset[by_asset["amount"] > 0]
        ref = ",".join(legs["id"].astype(str))
        if len(given) == 1 and len(got) == 1:
            (out_asset, out), (in_asset, into) = next(given.iterrows()), next(got.iterrows())
            fee = (out_asset, out["fee"]) if out["fee"] else (in_asset, into["fee"]) if into["fee"] else None
            moves.append(_Move(time, exchange, "trade", (in_asset, into["amount"]), (out_asset, -out["amount"]), fee,
                               ref))  # fmt: skip
            continue
        for asset, leg in by_asset.iterrows():  # a leg without its pair: booked as what it did to the balance
            kind = "deposit" if leg["amount"] > 0 else "withdrawal"
            side = (asset, abs(leg["amount"]))
            fee = (asset, leg["fee"]) if leg["fee"] else None
            moves.append(_Move(time, exchange, kind, side if kind == "deposit" else None,
                               side if kind == "withdrawal" else None, fee, f"unpaired trade leg {ref}"))  # fmt: skip
    for entry in entries[~entries["type"].isin(["trade", "transfer"])].itertuples(index=False):
        side = (entry.asset, abs(entry.amount))
        fee = (entry.asset, entry.fee) if entry.fee else None
        if entry.type == "fee":
            moves.append(_Move(entry.time, entry.exchange, "fee", None, side, None, str(entry.id)))
        elif entry.amount > 0:
            moves.append(_Move(entry.time, entry.exchange, "deposit", side, None, fee, str(entry.id)))
        elif entry.amount < 0:
            moves.append(_Move(entry.time, entry.exchange, "withdrawal", None, side, fee, str(entry.id)))
    return sorted(moves, key=lambda move: move.time)


def _row(move: _Move, format: str) -> dict[str, Any]:
    came, gone, fee = move.came, move.gone, move.fee
    if format != "cointracking" and fee is not None:
        # Koinly and BittyTax: the fee beside the amounts. The ledger's given amount includes a
        # fee paid in that asset, and its received amount is after a fee taken from it.
        if gone is not None and gone[0] == fee[0]:
            gone = (gone[0], gone[1] - fee[1])
        elif came is not None and came[0] == fee[0]:
            came = (came[0], came[1] + fee[1])
    when = move.time.tz_convert("UTC")
    if format == "koinly":
        return {"Date": f"{when:%Y-%m-%d %H:%M:%S}", "Sent Amount": _amount(gone), "Sent Currency": _asset(gone),
                "Received Amount": _amount(came), "Received Currency": _asset(came), "Fee Amount": _amount(fee),
                "Fee Currency": _asset(fee), "Label": "Cost" if move.kind == "fee" else "",
                "Description": f"{move.exchange} {move.kind}", "TxHash": move.ref}  # fmt: skip
    kinds = {"trade": "Trade", "deposit": "Deposit", "withdrawal": "Withdrawal",
             "fee": "Other Fee" if format == "cointracking" else "Spend"}  # fmt: skip
    if format == "cointracking":
        return {"Type": kinds[move.kind], "Buy Amount": _amount(came), "Buy Currency": _asset(came),
                "Sell Amount": _amount(gone), "Sell Currency": _asset(gone), "Fee": _amount(fee),
                "Fee Currency": _asset(fee), "Exchange": move.exchange, "Trade-Group": "", "Comment": move.kind,
                "Date": f"{when:%Y-%m-%d %H:%M:%S}", "Tx-ID": move.ref}  # fmt: skip
    return {"Type": kinds[move.kind], "Buy Quantity": _amount(came), "Buy Asset": _asset(came),
            "Sell Quantity": _amount(gone), "Sell Asset": _asset(gone), "Fee Quantity": _amount(fee),
            "Fee Asset": _asset(fee), "Wallet": move.exchange, "Timestamp": f"{when:%Y-%m-%dT%H:%M:%S} UTC",
            "Note": move.ref}  # fmt: skip


def _amount(side: tuple[str, float] | None) -> str:
    """An amount in plain decimal notation (no exponent), with the digits a float holds."""
    if side is None:
        return ""
    return np.format_float_positional(round(side[1], 12), trim="-")


def _asset(side: tuple[str, float] | None) -> str:
    return "" if side is None else str(side[0])
