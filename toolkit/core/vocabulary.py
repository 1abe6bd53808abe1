"""The shared vocabulary: the unified frames' schemas, and helpers every exchange's mappings use.

``toolkit.unified`` gathers frames in these schemas from each exchange's own mappings
(``toolkit/exchanges/<x>/unified.py``); those mappings live below ``toolkit.unified`` and use
only what is here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

# pandas dtypes of the unified columns.
TEXT, FLOAT, UTC_TIME = "str", "float64", "datetime64[ns, UTC]"

BALANCES = {
    "exchange": TEXT, "account": TEXT, "asset": TEXT, "free": FLOAT, "locked": FLOAT, "total": FLOAT,
    "time": UTC_TIME,
}  # fmt: skip
# ``trade_id``: the exchange's own id of the trade (or order, conversion) an entry is a leg of, so
# that a trade's legs and the fee paid for it in a third asset are found together; NaN where the
# exchange's record carries none (Bitget's bills, deposits, transfers).
LEDGER = {
    "exchange": TEXT, "account": TEXT, "time": UTC_TIME, "id": TEXT, "asset": TEXT, "amount": FLOAT,
    "balance": FLOAT, "fee": FLOAT, "fee_asset": TEXT, "type": TEXT, "raw_type": TEXT, "trade_id": TEXT,
}  # fmt: skip
# The ledger columns every frame built before ``trade_id`` existed has (a store synced earlier).
LEDGER_CORE = tuple(name for name in LEDGER if name != "trade_id")
TRANSACTIONS = {
    "exchange": TEXT, "account": TEXT, "time": UTC_TIME, "id": TEXT, "asset": TEXT, "amount": FLOAT,
    "fee": FLOAT, "fee_asset": TEXT, "network": TEXT, "address": TEXT, "txid": TEXT, "status": TEXT,
}  # fmt: skip
TRANSFERS = {
    "exchange": TEXT, "account": TEXT, "time": UTC_TIME, "id": TEXT, "asset": TEXT, "amount": FLOAT,
    "from_account": TEXT, "to_account": TEXT, "status": TEXT,
}  # fmt: skip
FEES = {
    "exchange": TEXT, "account": TEXT, "time": UTC_TIME, "id": TEXT, "asset": TEXT, "fee": FLOAT, "type": TEXT,
}  # fmt: skip
# What a ledger entry did, in one vocabulary across exchanges (``type``; ``raw_type`` keeps the
# exchange's own label). A fee named in a third asset is an entry of its own, of type fee.
LEDGER_TYPES = (
    "trade", "fee", "deposit", "withdrawal", "transfer", "convert", "dust", "earn_subscribe", "earn_redeem",
    "reward", "airdrop", "rebate", "other",
)  # fmt: skip
# Balances as the exchange itself recorded them at ``taken_at`` (Binance's daily snapshots).
SNAPSHOTS = {**BALANCES, "taken_at": UTC_TIME}
# How an exchange account is organised: its classic accounts (funding, spot, ...), KuCoin's
# high-frequency trade account beside them, or one unified trading account (UTA).
ACCOUNT_MODELS = ("classic", "hf", "unified")
FEE_RATES = {"exchange": TEXT, "account": TEXT, "symbol": TEXT, "maker": FLOAT, "taker": FLOAT, "source": TEXT}


def conform(frame: pd.DataFrame, schema: Mapping[str, str], *, exact: bool = False) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns, in order, with its dtypes; ``exact``: amounts as
    ``decimal.Decimal`` (None where missing) instead of float64, every digit the exchange sent."""
    out = pd.DataFrame(index=frame.index)
    for column, dtype in schema.items():
        values = frame[column] if column in frame else pd.Series(np.nan, index=frame.index)
        if dtype == TEXT:
            values = values.astype("object").where(values.notna(), None).astype(TEXT)
        elif dtype == FLOAT and exact:
            values = pd.Series([_decimal(v) for v in values], index=frame.index, dtype="object")
        elif dtype == FLOAT:
            values = pd.to_numeric(values.astype("object"), errors="raise").astype(FLOAT)
        else:
            values = pd.to_datetime(values, utc=True).astype(UTC_TIME)
        out[column] = values
    return out.reset_index(drop=True)


def _decimal(value: Any) -> Decimal | None:
    """An amount as a Decimal: the exchange's own Decimal as it is, a whole number as its digits; a
    float only where a mapping wrote a constant (0.0), as its shortest repr."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    raise TypeError(f"not an amount: {value!r}")


def amount_text(values: pd.Series) -> pd.Series:
    """Amounts as the shortest text of their value (``10``, ``0.5``), the same for floats and for
    Decimals with trailing zeros: for ids made up from an amount, equal however it was read."""
    return values.map(lambda v: format(Decimal(str(v)).normalize(), "f"), na_action="ignore").astype("str")


def zero_if_missing(values: pd.Series) -> pd.Series:
    """``values`` with 0 (an int: it adds to a float and to a Decimal alike) where one is missing."""
    return values.astype("object").where(values.notna(), 0)


def negated(values: pd.Series, where: Any) -> pd.Series:
    """``values`` with the sign flipped where ``where`` holds: the same for floats and Decimals
    (multiplying by a float -1.0 would not be)."""
    return values.where(~np.asarray(where, dtype=bool), -values)


def paired_transfers(ledger: pd.DataFrame) -> pd.DataFrame:
    """Transfers from unified ledger entries: an outgoing and an incoming entry of the same asset,
    size and moment are one transfer between the two accounts; an unpaired one names one side only."""
    moves = ledger[ledger["type"] == "transfer"].assign(size=ledger["amount"].abs())
    if moves.empty:  # (an outer merge of empty text columns fails in pyarrow)
        return conform(pd.DataFrame(), TRANSFERS).drop(columns="exchange")  # _gather names the exchange
    keys = ["time", "asset", "size"]
    outgoing = moves[moves["amount"] < 0][[*keys, "id", "account"]]
    incoming = moves[moves["amount"] > 0][[*keys, "id", "account"]]
    pairs = outgoing.merge(incoming, on=keys, how="outer", suffixes=("_from", "_to"))
    return pd.DataFrame(
        {"account": pairs["account_from"].fillna(pairs["account_to"]), "time": pairs["time"],
         "id": pairs["id_from"].fillna(pairs["id_to"]), "asset": pairs["asset"], "amount": pairs["size"],
         "from_account": pairs["account_from"], "to_account": pairs["account_to"], "status": None}
    )  # fmt: skip


def key_summary(
    exchange: str,
    *,
    account: str | None,
    permissions: list[str],
    can_trade: bool | None,
    can_withdraw: bool | None,
    ip_whitelist: str | None,
    can_read: bool | None = True,
    account_model: str = "classic",
) -> pd.DataFrame:
    """The one-row frame every client's ``describe_key()`` returns (used by the credentials form).

    ``account_model`` is one of ``ACCOUNT_MODELS``: the exchange's classic accounts, KuCoin's
    high-frequency trade account beside them, or a unified trading account."""
    if account_model not in ACCOUNT_MODELS:
        raise ValueError(f"account_model is one of {ACCOUNT_MODELS}, not {account_model!r}")
    return pd.DataFrame(
        {
            "exchange": pd.Series([exchange], dtype="str"),
            "account": pd.Series([account], dtype="str"),
            "account_model": pd.Series([account_model], dtype="str"),
            "permissions": pd.Series([permissions], dtype="object"),
            "can_read": pd.Series([can_read], dtype="boolean"),
            "can_trade": pd.Series([can_trade], dtype="boolean"),
            "can_withdraw": pd.Series([can_withdraw], dtype="boolean"),
            "ip_whitelist": pd.Series([ip_whitelist], dtype="str"),
        }
    )
