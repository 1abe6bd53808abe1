"""CoinW in the shared vocabulary (``toolkit.unified``).

balances
    ``get_complete_balances()``; free = available, locked = on_orders, time = when fetched (CoinW
    sends none).
deposits / withdrawals
    ``get_deposit_withdrawal_history()`` split on side (1 deposit, 2 withdrawal); id =
    deposit_number, asset = currency, network = chain, txid = txid. CoinW sends no fee in this
    history: a withdrawal's fee is its currency's ``tx_fee`` (``get_currencies()``), where that is a
    positive number, and NaN (not reported) otherwise.
ledger
    built from the fills (``get_user_trades()`` over every market held against USDT) and the
    deposit and withdrawal history (CoinW's API has no ledger): a fill books its base leg (size)
    and its quote leg (size x price, less the fee); a deposit its amount, a withdrawal minus its
    amount and its fee. balance is NaN (CoinW reports none). id = ``trade:<trade_id>:<asset>``,
    ``deposit:<deposit_number>``, ``withdrawal:<deposit_number>``.

    CoinW names no currency for a fill's fee: it is taken to be the quote coin, the one the
    documented example's fee fits (0.14 = 0.2 % of a 70 USDT fill, where 0.2 % of its 1 base coin
    would be 0.002); UNCONFIRMED. The withdrawal fee: CoinW's older docs call ``txFee`` the "Fee"
    (its example sends "0.0"), the current ones say to ignore it; it is the fee of a withdrawal made
    now, which the toolkit takes for the past ones too (UNCONFIRMED). Where it is no positive
    number the fee is NaN, and ``tk.reconcile`` names "fee not reported by coinw" as the cause.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import negated, zero_if_missing

DEPOSIT, WITHDRAWAL = 1, 2


def balances(client: Any, *, exact: bool = False) -> pd.DataFrame:
    df = client.get_complete_balances(exact=exact)
    return pd.DataFrame(
        {"account": "spot", "asset": df["asset"].str.upper(), "free": df["available"], "locked": df["on_orders"],
         "total": df["available"].fillna(0) + df["on_orders"].fillna(0), "time": pd.Timestamp.now(tz="UTC")}
    )  # fmt: skip


def withdrawal_fees(client: Any, exact: bool) -> dict[str, Any]:
    """Each currency's ``tx_fee`` where it is a positive number (a Decimal with ``exact``)."""
    fees: dict[str, Any] = {}
    listed = client.get_currencies()
    for symbol, text in zip(listed["symbol"], listed["tx_fee"], strict=True):
        try:
            fee = Decimal(str(text))
        except (InvalidOperation, ValueError):
            continue
        if fee.is_finite() and fee > 0:
            fees[str(symbol).upper()] = fee if exact else float(fee)
    return fees


def _side(side: int) -> Callable[..., pd.DataFrame]:
    def fetch(
        client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
    ) -> pd.DataFrame:
        df = client.get_deposit_withdrawal_history(asset, start_time=start, end_time=end, exact=exact)
        df = df[df["side"] == side]
        asset_ = df["currency"].str.upper()
        fee = asset_.map(withdrawal_fees(client, exact)) if side == WITHDRAWAL else np.nan
        return pd.DataFrame(
            {"account": "spot", "time": df["time"], "id": df["deposit_number"], "asset": asset_,
             "amount": df["amount"], "fee": fee, "fee_asset": asset_, "network": df["chain"],
             "address": df["to_address"].fillna(df["address"]), "txid": df["txid"], "status": df["status"]}
        )  # fmt: skip

    return fetch


deposits = _side(DEPOSIT)
withdrawals = _side(WITHDRAWAL)


def _legs(trades: pd.DataFrame) -> pd.DataFrame:
    market = trades["symbol"].astype("str").str.split("_", n=1)  # (str.partition has no columns when empty)
    base, quote = market.str[0], market.str[1]
    sell = (trades["side"].str.upper() != "BUY").to_numpy(dtype=bool)
    fee = trades["fee"].fillna(0).abs()
    value = trades["size"] * trades["price"]
    side = np.where(sell, "SELL", "BUY")
    return pd.concat(
        [
            pd.DataFrame({"account": "spot", "time": trades["time"], "id": "trade:" + trades["trade_id"] + ":" + base,
                          "asset": base, "amount": negated(trades["size"], sell), "fee": 0, "fee_asset": base,
                          "type": "trade", "raw_type": side, "trade_id": trades["trade_id"]}),
            pd.DataFrame({"account": "spot", "time": trades["time"], "id": "trade:" + trades["trade_id"] + ":" + quote,
                          "asset": quote, "amount": negated(value, ~sell) - fee, "fee": fee, "fee_asset": quote,
                          "type": "trade", "raw_type": side, "trade_id": trades["trade_id"]}),
        ],
        ignore_index=True,
    )  # fmt: skip


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    held = client.get_complete_balances()["asset"].tolist()
    moves = client.get_deposit_withdrawal_history(held, start_time=start, end_time=end, exact=exact)
    assets = {asset.upper() for asset in held} - {"USDT"}
    trades = client.get_user_trades([f"{asset}_USDT" for asset in sorted(assets)], start_time=start, end_time=end,
                                    exact=exact)  # fmt: skip
    out = (moves["side"] != DEPOSIT).to_numpy(dtype=bool)
    side = np.where(out, "withdrawal", "deposit")
    asset = moves["currency"].str.upper()
    fee = asset.map(withdrawal_fees(client, exact)).astype("object").where(out, 0)
    booked = pd.DataFrame(
        {"account": "spot", "time": moves["time"], "id": side + ":" + moves["deposit_number"], "asset": asset,
         "amount": negated(moves["amount"] + zero_if_missing(fee), out), "fee": fee, "fee_asset": asset,
         "type": side, "raw_type": side.astype(object)}
    )  # fmt: skip
    return pd.concat([_legs(trades), booked], ignore_index=True).assign(balance=np.nan)
