"""Binance in the shared vocabulary (``toolkit.unified``).

balances
    ``get_account_info()``; account = account_type in lower case, total = free + locked, time =
    update_time. Binance has no ledger on this API: use stored snapshots (``tk.store``).
fee_rates
    ``commission_rates_maker`` / ``_taker`` of ``get_account_info()`` (account-wide; this API gives
    no per-symbol rates).
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def balances(client: Any) -> pd.DataFrame:
    df = client.get_account_info()
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "asset": df["asset"].str.upper(), "free": df["free"],
         "locked": df["locked"], "total": df["free"] + df["locked"], "time": df["update_time"]}
    )  # fmt: skip


def fee_rates(client: Any, symbols: list[str]) -> pd.DataFrame:
    df = client.get_account_info().head(1)  # one row per asset; the rates are the account's
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "symbol": None, "maker": df["commission_rates_maker"],
         "taker": df["commission_rates_taker"], "source": "get_account_info"}
    )  # fmt: skip
