"""CoinW in the shared vocabulary (``toolkit.unified``).

balances
    ``get_complete_balances()``; free = available, locked = on_orders, time = when fetched (CoinW
    sends none).
deposits / withdrawals
    ``get_deposit_withdrawal_history()`` split on side (1 deposit, 2 withdrawal); id =
    deposit_number, asset = currency, network = chain, txid = txid. CoinW sends no fee in this
    history: fee is NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.timeutil import TimeLike

DEPOSIT, WITHDRAWAL = 1, 2


def balances(client: Any) -> pd.DataFrame:
    df = client.get_complete_balances()
    return pd.DataFrame(
        {"account": "spot", "asset": df["asset"].str.upper(), "free": df["available"], "locked": df["on_orders"],
         "total": df["available"].fillna(0) + df["on_orders"].fillna(0), "time": pd.Timestamp.now(tz="UTC")}
    )  # fmt: skip


def _side(side: int) -> Callable[..., pd.DataFrame]:
    def fetch(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
        df = client.get_deposit_withdrawal_history(asset, start_time=start, end_time=end)
        df = df[df["side"] == side]
        return pd.DataFrame(
            {"account": "spot", "time": df["time"], "id": df["deposit_number"], "asset": df["currency"].str.upper(),
             "amount": df["amount"], "fee": np.nan, "fee_asset": df["currency"].str.upper(), "network": df["chain"],
             "address": df["to_address"].fillna(df["address"]), "txid": df["txid"], "status": df["status"]}
        )  # fmt: skip

    return fetch


deposits = _side(DEPOSIT)
withdrawals = _side(WITHDRAWAL)
