"""KuCoin in the shared vocabulary (``toolkit.unified``).

balances
    ``get_accounts()``; account = type (main, trade, margin, ...), free = available, locked =
    holds, total = balance, time = when fetched (KuCoin sends none).
ledger
    ``get_account_ledgers()``; account = account_type in lower case, time = created_at, amount =
    amount signed by direction (out is negative), fee in the entry's currency; balance is the HF
    trade account's running balance, and NaN for the classic accounts: KuCoin documents their
    ``balance`` as deprecated, "no actual use" (its example sends "0"). type from biz_type (…deposit…, …withdraw…,
    …exchange/trade…, …transfer…), raw_type = biz_type.
transfers
    the ledger's transfer entries, an out and an in entry of the same currency, amount and time
    paired into one row (from_account = the out entry's account, to_account the in's); a transfer
    to or from a sub-account has one side only. id = the out entry's id.
deposits / withdrawals
    ``get_deposits()`` / ``get_withdrawals()``; network = chain, txid = wallet_tx_id. KuCoin gives
    deposits no id: id = wallet_tx_id, else ``<currency>:<created_at ms>:<amount>``.
fee_rates
    ``get_basic_user_fee()`` (account-wide) and ``get_symbol_trading_fees(symbols)``.

A unified trading account (``client.is_uta()``) is read through the UA API instead: balances from
``get_uta_balances()`` (account = "unified", free = available, locked = hold, total = balance)
and ``get_uta_classic_balances("FUNDING")`` (account = "funding", locked = locked); the ledger
from ``get_uta_ledger("UNIFIED")`` and ``get_uta_ledger("FUNDING")`` (account = account_type in
lower case, SPOT for TRADING; amount = |amount| signed by direction, IN or in; fee = |fee|, in the
entry's currency; balance as sent; type from business_type: TRADE_EXCHANGE/SPOT_EXCHANGE -> trade,
*TRANSFER -> transfer, *DEDUCTION_FEES/FUNDING_FEE/LIABILITY_INTEREST -> fee, *RETURNED_FEES and
*_REBATE -> rebate, DEPOSIT -> deposit, WITHDRAW -> withdrawal). Deposits and withdrawals keep the
wallet history (account = "funding"). Whether a UA ledger amount includes its fee, as the classic
ledger's does, is UNCONFIRMED (the sandbox books it so; the residual would show otherwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import paired_transfers

TYPES = (("deposit", "deposit"), ("withdraw", "withdrawal"), ("exchange", "trade"), ("trade", "trade"),
         ("transfer", "transfer"))  # fmt: skip
UNIFIED, FUNDING = "unified", "funding"
# The UA ledger's businessType values (KuCoin's official SDK lists them) in the ledger's vocabulary.
UA_TYPES = {
    "TRADE_EXCHANGE": "trade", "SPOT_EXCHANGE": "trade", "TRANSFER": "transfer", "SUB_TRANSFER": "transfer",
    "SUB_TO_SUB_TRANSFER": "transfer", "DEDUCTION_FEES": "fee", "KCS_DEDUCTION_FEES": "fee", "FUNDING_FEE": "fee",
    "LIABILITY_INTEREST": "fee", "RETURNED_FEES": "rebate", "KCS_RETURNED_FEES": "rebate",
    "SPOT_EXCHANGE_REBATE": "rebate", "FUTURES_EXCHANGE_REBATE": "rebate", "DEPOSIT": "deposit",
    "WITHDRAW": "withdrawal",
}  # fmt: skip


def balances(client: Any) -> pd.DataFrame:
    if client.is_uta():
        held = client.get_uta_balances()
        funding = client.get_uta_classic_balances("FUNDING")
        return pd.concat([
            pd.DataFrame({"account": UNIFIED, "asset": held["currency"].str.upper(), "free": held["available"],
                          "locked": held["hold"], "total": held["balance"], "time": pd.Timestamp.now(tz="UTC")}),
            pd.DataFrame({"account": FUNDING, "asset": funding["currency"].str.upper(), "free": funding["available"],
                          "locked": funding["locked"], "total": funding["balance"],
                          "time": pd.Timestamp.now(tz="UTC")}),
        ], ignore_index=True)  # fmt: skip
    df = client.get_accounts()
    return pd.DataFrame(
        {"account": df["type"].str.lower(), "asset": df["currency"].str.upper(), "free": df["available"],
         "locked": df["holds"], "total": df["balance"], "time": pd.Timestamp.now(tz="UTC")}
    )  # fmt: skip


def ledger_type(biz_type: str) -> str:
    label = str(biz_type).lower()
    return next((kind for needle, kind in TYPES if needle in label), "other")


def _uta_ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    df = pd.concat(
        [client.get_uta_ledger(kind, start_time=start, end_time=end) for kind in ("UNIFIED", "FUNDING")],
        ignore_index=True,
    )
    sign = df["direction"].str.lower().map({"in": 1.0, "out": -1.0}).astype("float64")
    account = df["account_type"].str.lower().replace({"trading": "spot"})
    return pd.DataFrame(
        {"account": account, "time": df["ts"], "id": df["id"], "asset": df["currency"].str.upper(),
         "amount": df["amount"].abs() * sign, "balance": df["balance"], "fee": df["fee"].abs(),
         "fee_asset": df["currency"].str.upper(), "type": df["business_type"].map(UA_TYPES).fillna("other"),
         "raw_type": df["business_type"]}
    )  # fmt: skip


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    if client.is_uta():
        return _uta_ledger(client, start, end)
    df = client.get_account_ledgers(start_time=start, end_time=end, clip=True)
    sign = df["direction"].str.lower().map({"in": 1.0, "out": -1.0}).astype("float64")  # float also when empty
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "time": df["created_at"], "id": df["id"],
         "asset": df["currency"].str.upper(), "amount": df["amount"] * sign,
         "balance": df["balance"].where(df["account_type"] == "TRADE_HF") if "balance" in df else np.nan,
         "fee": df["fee"].abs(), "fee_asset": df["currency"].str.upper(),
         "type": df["biz_type"].map(ledger_type), "raw_type": df["biz_type"]}
    )  # fmt: skip


def _transactions(df: pd.DataFrame, ids: pd.Series, account: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": account, "time": df["created_at"], "id": ids, "asset": df["currency"].str.upper(),
         "amount": df["amount"], "fee": df["fee"], "fee_asset": df["currency"].str.upper(), "network": df["chain"],
         "address": df["address"], "txid": df["wallet_tx_id"], "status": df["status"]}
    )  # fmt: skip


def deposits(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_deposits(asset, start_time=start, end_time=end)
    made_up = df["currency"] + ":" + (df["created_at"].astype("int64") // 1_000_000).astype(str) + ":"
    ids = df["wallet_tx_id"].fillna(made_up + df["amount"].astype(str))
    return _transactions(df, ids, FUNDING if client.is_uta() else "main")


def withdrawals(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_withdrawals(asset, start_time=start, end_time=end)
    return _transactions(df, df["id"], FUNDING if client.is_uta() else "main")


def transfers(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    return paired_transfers(ledger(client, start, end))


def fee_rates(client: Any, symbols: list[str]) -> pd.DataFrame:
    base = client.get_basic_user_fee().assign(symbol=None, source="get_basic_user_fee")
    per_symbol = client.get_symbol_trading_fees([s.replace("/", "-") for s in symbols])
    per_symbol = per_symbol.assign(symbol=per_symbol["symbol"].str.replace("-", "/"), source="get_symbol_trading_fees")
    df = pd.concat([base, per_symbol], ignore_index=True)
    return pd.DataFrame(
        {"account": "spot", "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
         "source": df["source"]}
    )  # fmt: skip
