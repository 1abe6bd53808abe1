"""Binance in the shared vocabulary (``toolkit.unified``).

balances
    ``get_account_info()``; account = account_type in lower case, total = free + locked, time =
    update_time.
ledger
    built from the fills, deposits and withdrawals (Binance's API has no ledger): a fill books its
    base and quote legs (type trade; the commission comes out of the leg in its asset, or is a row
    of type fee of its own when paid in a third asset, BNB); a deposit its amount; a withdrawal its
    amount plus its fee. balance is NaN (Binance reports none per entry: the daily snapshots check
    the history instead, ``snapshots``). id = ``trade:<id>:<asset>``, ``deposit:<id>``,
    ``withdrawal:<id>``.
deposits / withdrawals
    ``get_deposit_history()`` / ``get_withdrawal_history()``; time = insert_time / apply_time,
    fee = transaction_fee, txid = tx_id, status = Binance's status code.
snapshots
    ``get_account_snapshot()``: Binance's end-of-day balances (the last month).
fee_rates
    ``commission_rates_maker`` / ``_taker`` of ``get_account_info()`` (account-wide).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.timeutil import TimeLike
from toolkit.exchanges.binance.client import markets_of

ACCOUNT = "spot"
# How a symbol ends: its quote asset (BTCUSDT is BTC against USDT).
QUOTES = ("USDT", "FDUSD", "USDC", "BTC", "BNB", "ETH")


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


def _transactions(df: pd.DataFrame, time: str, fee: pd.Series | float) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": ACCOUNT, "time": df[time], "id": df["id"], "asset": df["coin"].str.upper(), "amount": df["amount"],
         "fee": fee, "fee_asset": df["coin"].str.upper(), "network": df["network"], "address": df["address"],
         "txid": df["tx_id"], "status": df["status"].astype("str")}
    )  # fmt: skip


def deposits(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_deposit_history(asset, start_time=start, end_time=end)
    return _transactions(df, "insert_time", np.nan)


def withdrawals(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_withdrawal_history(asset, start_time=start, end_time=end)
    return _transactions(df, "apply_time", df["transaction_fee"])


def _legs(trades: pd.DataFrame) -> pd.DataFrame:
    """Each fill as ledger rows: its base and quote legs, and its commission where it stands alone."""
    parts = trades["symbol"].str.extract(rf"^(?P<base>.+?)(?P<quote>{'|'.join(QUOTES)})$")
    base, quote = parts["base"], parts["quote"]
    sign = np.where(trades["is_buyer"].fillna(False).to_numpy(dtype=bool), 1.0, -1.0)
    rows = []
    for asset, amount in ((base, trades["qty"] * sign), (quote, -trades["quote_qty"] * sign)):
        paid_here = trades["commission_asset"] == asset
        rows.append(pd.DataFrame(
            {"account": ACCOUNT, "time": trades["time"], "id": "trade:" + trades["id"] + ":" + asset,
             "asset": asset, "amount": amount - trades["commission"].where(paid_here, 0.0),
             "fee": trades["commission"].where(paid_here, 0.0), "fee_asset": asset, "type": "trade",
             "raw_type": np.where(sign > 0, "BUY", "SELL")}
        ))  # fmt: skip
    elsewhere = trades[(trades["commission_asset"] != base) & (trades["commission_asset"] != quote)]
    rows.append(pd.DataFrame(
        {"account": ACCOUNT, "time": elsewhere["time"], "id": "fee:" + elsewhere["id"],
         "asset": elsewhere["commission_asset"], "amount": -elsewhere["commission"], "fee": elsewhere["commission"],
         "fee_asset": elsewhere["commission_asset"], "type": "fee", "raw_type": "COMMISSION"}
    ))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    paid_in = client.get_deposit_history(start_time=start, end_time=end)
    paid_out = client.get_withdrawal_history(start_time=start, end_time=end)
    # The markets of what is held or was moved, from what is fetched already (the withdrawal
    # history is expensive: Binance allows about ten of its windows a minute).
    held = client.get_account_info(omit_zero_balances=True)["asset"]
    assets = {*held, *paid_in["coin"].dropna(), *paid_out["coin"].dropna()}
    trades = client.get_my_trades(markets_of(assets), start_time=start, end_time=end)
    moves = [
        pd.DataFrame(
            {"account": ACCOUNT, "time": paid_in["insert_time"], "id": "deposit:" + paid_in["id"],
             "asset": paid_in["coin"].str.upper(), "amount": paid_in["amount"], "fee": 0.0,
             "fee_asset": paid_in["coin"].str.upper(), "type": "deposit", "raw_type": "DEPOSIT"}
        ),
        pd.DataFrame(
            {"account": ACCOUNT, "time": paid_out["apply_time"], "id": "withdrawal:" + paid_out["id"],
             "asset": paid_out["coin"].str.upper(), "amount": -(paid_out["amount"] + paid_out["transaction_fee"]),
             "fee": paid_out["transaction_fee"], "fee_asset": paid_out["coin"].str.upper(), "type": "withdrawal",
             "raw_type": "WITHDRAW"}
        ),
    ]  # fmt: skip
    frame = pd.concat([_legs(trades), *moves], ignore_index=True)
    return frame.assign(balance=np.nan)


def snapshots(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    df = client.get_account_snapshot(start_time=start, end_time=end)
    return pd.DataFrame(
        {"account": ACCOUNT, "asset": df["asset"].str.upper(), "free": df["free"], "locked": df["locked"],
         "total": df["free"] + df["locked"], "time": df["update_time"], "taken_at": df["update_time"]}
    )  # fmt: skip
