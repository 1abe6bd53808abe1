"""CoinW in the shared vocabulary (``toolkit.unified``).

balances
    ``get_complete_balances()``; free = available, locked = on_orders, time = when fetched (CoinW
    sends none).
deposits / withdrawals
    ``get_deposit_withdrawal_history()`` split on side (1 deposit, 2 withdrawal); id =
    deposit_number, asset = currency, network = chain, txid = txid. CoinW sends no fee in this
    history: fee is NaN.
ledger
    built from the fills (``get_user_trades()`` over every market held against USDT) and the
    deposit and withdrawal history (CoinW's API has no ledger): a fill books its base leg (size)
    and its quote leg (size x price, less the fee); a deposit its amount, a withdrawal minus its
    amount. balance is NaN (CoinW reports none). id = ``trade:<trade_id>:<asset>``,
    ``deposit:<deposit_number>``, ``withdrawal:<deposit_number>``.

    CoinW names no currency for a fill's fee: it is taken to be the quote coin, the one the
    documented example's fee fits (0.14 = 0.2 % of a 70 USDT fill, where 0.2 % of its 1 base coin
    would be 0.002); UNCONFIRMED. Withdrawal fees are not in CoinW's history, so they are missing
    from the ledger, its fees and the balances rebuilt before each withdrawal.
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


def _legs(trades: pd.DataFrame) -> pd.DataFrame:
    market = trades["symbol"].astype("str").str.split("_", n=1)  # (str.partition has no columns when empty)
    base, quote = market.str[0], market.str[1]
    sign = np.where(trades["side"].str.upper() == "BUY", 1.0, -1.0)
    fee = trades["fee"].fillna(0.0).abs()
    value = trades["size"] * trades["price"]
    side = np.where(sign > 0, "BUY", "SELL")
    return pd.concat(
        [
            pd.DataFrame({"account": "spot", "time": trades["time"], "id": "trade:" + trades["trade_id"] + ":" + base,
                          "asset": base, "amount": trades["size"] * sign, "fee": 0.0, "fee_asset": base,
                          "type": "trade", "raw_type": side}),
            pd.DataFrame({"account": "spot", "time": trades["time"], "id": "trade:" + trades["trade_id"] + ":" + quote,
                          "asset": quote, "amount": -value * sign - fee, "fee": fee, "fee_asset": quote,
                          "type": "trade", "raw_type": side}),
        ],
        ignore_index=True,
    )  # fmt: skip


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    held = client.get_complete_balances()["asset"].tolist()
    moves = client.get_deposit_withdrawal_history(held, start_time=start, end_time=end)
    assets = {asset.upper() for asset in held} - {"USDT"}
    trades = client.get_user_trades([f"{asset}_USDT" for asset in sorted(assets)], start_time=start, end_time=end)
    side = np.where(moves["side"] == DEPOSIT, "deposit", "withdrawal")
    booked = pd.DataFrame(
        {"account": "spot", "time": moves["time"], "id": side + ":" + moves["deposit_number"],
         "asset": moves["currency"].str.upper(), "amount": moves["amount"].where(side == "deposit", -moves["amount"]),
         "fee": np.nan, "fee_asset": moves["currency"].str.upper(), "type": side, "raw_type": side.astype(object)}
    )  # fmt: skip
    return pd.concat([_legs(trades), booked], ignore_index=True).assign(balance=np.nan)
