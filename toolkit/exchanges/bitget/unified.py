"""Bitget in the shared vocabulary (``toolkit.unified``).

balances
    ``get_balances()``; free = available, locked = frozen + locked, time = u_time.
ledger
    ``get_bills()``; time = c_time, id = bill_id, amount = size, balance = balance, fee = |fees|
    in the bill's coin, type from business_type where it says more than its group (``BUSINESS``:
    rebate rewards -> rebate, airdrop rewards -> airdrop, contract rewards -> reward, deduction of
    handling fee -> fee, in the older and the newer spellings Bitget documents), else from
    group_type (deposit, withdraw -> withdrawal, transaction -> trade, transfer, convert, financial
    -> earn ..., other), raw_type = business_type.
deposits / withdrawals
    ``get_deposit_history()`` / ``get_withdrawal_history()``; id = order_id, amount = size,
    fee = |fee| (withdrawals; deposits carry none), network = chain, address = to_address,
    txid = trade_id.
transfers
    the ledger's transfer entries (``get_transfer_history`` needs a coin and a source account per
    call); from_account is "spot" for transfer-out, to_account for transfer-in, the other side
    NaN (the bill does not name it); id = bill_id, amount = |size|.
fee_rates
    ``get_user_fee_ratio(symbol)`` per symbol.
exports (``EXPORTS``, ``tk.imports.read``)
    the "Spot Financial Record" (``Type[, Action], Creation timestamp (+8 UTC), Coin, Quantity,
    Fees``) as a tax tool's help page describes the file Bitget's support sends (crypto-city):
    account = spot, amount = Quantity (a Withdrawal made negative where written unsigned), type from
    Type (Deposit, Withdrawal, Trading, Fund transfer) or, for "Financial management", its Action;
    times are UTC+8. Whether the website's own export has this header, and whether Quantity is
    signed, are UNCONFIRMED.

A unified trading account (``client.is_uta()``) is read from the v3 endpoints instead, into the
same columns with account = "unified": balances from ``get_uta_assets()`` (free = available,
locked = locked, total = equity: what the coin is worth to the account, as Bitget's app shows
it); the ledger from ``get_financial_records("SPOT")`` (amount and balance as sent, fee = |fee|,
type from its type: ..._IN/_OUT of ORDER_DEALT -> trade, TRANSFER -> transfer, DEPOSIT ->
deposit, WITHDRAW -> withdrawal); deposits and withdrawals from
``get_uta_deposit_records()`` / ``get_uta_withdrawal_records()`` (id = order_id, txid = record_id).
Whether a financial record's amount is signed is UNCONFIRMED (the documented example is an
incoming one); the residual against its balances would show it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.exported import ExportFormat, amount, cell, kind_of, local_time
from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import paired_transfers

GROUPS = {"deposit": "deposit", "withdraw": "withdrawal", "transaction": "trade", "transfer": "transfer",
          "convert": "convert", "financial": "other", "other": "other"}  # fmt: skip
# businessType values that name the kind better than their group (both spellings Bitget documents).
BUSINESS = {
    "rebate rewards": "rebate", "rebate_rewards": "rebate", "airdrop rewards": "airdrop", "airdrop_rewards": "airdrop",
    "usdt contract rewards": "reward", "usdt_contract_rewards": "reward", "mix contract rewards": "reward",
    "mix_contract_rewards": "reward", "deduction of handling fee": "fee", "deduction_handling_fee": "fee",
}  # fmt: skip


UNIFIED = "unified"
UTA_TYPES = (("ORDER_DEALT", "trade"), ("ORDER_PLF_FEE", "fee"), ("TRANSFER", "transfer"), ("DEPOSIT", "deposit"),
             ("WITHDRAW", "withdrawal"), ("EXCHANGE_", "convert"), ("SMALL_ASSET", "dust"))  # fmt: skip


def _uta_type(kind: str) -> str:
    return next((unified for needle, unified in UTA_TYPES if needle in str(kind)), "other")


def balances(client: Any, *, exact: bool = False) -> pd.DataFrame:
    if client.is_uta():
        df = client.get_uta_assets(exact=exact)
        return pd.DataFrame(
            {"account": UNIFIED, "asset": df["coin"].str.upper(), "free": df["available"], "locked": df["locked"],
             "total": df["equity"], "time": pd.Timestamp.now(tz="UTC")}
        )  # fmt: skip
    df = client.get_balances(exact=exact)
    locked = df["frozen"].fillna(0) + df["locked"].fillna(0)
    return pd.DataFrame(
        {"account": "spot", "asset": df["coin"].str.upper(), "free": df["available"], "locked": locked,
         "total": df["available"].fillna(0) + locked, "time": df["u_time"]}
    )  # fmt: skip


def ledger_type(group: pd.Series, business: pd.Series) -> pd.Series:
    by_group = group.map(GROUPS).fillna("other")
    return business.str.lower().map(BUSINESS).fillna(by_group)


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    if client.is_uta():
        df = client.get_financial_records("SPOT", start_time=start, end_time=end, clip=True, exact=exact)
        return pd.DataFrame(
            {"account": UNIFIED, "time": df["ts"], "id": df["id"], "asset": df["coin"].str.upper(),
             "amount": df["amount"], "balance": df["balance"], "fee": df["fee"].abs(),
             "fee_asset": df["coin"].str.upper(), "type": df["type"].map(_uta_type), "raw_type": df["type"]}
        )  # fmt: skip
    df = client.get_bills(start_time=start, end_time=end, exact=exact)
    return pd.DataFrame(
        {"account": "spot", "time": df["c_time"], "id": df["bill_id"], "asset": df["coin"].str.upper(),
         "amount": df["size"], "balance": df["balance"], "fee": df["fees"].abs(),
         "fee_asset": df["coin"].str.upper(), "type": ledger_type(df["group_type"], df["business_type"]),
         "raw_type": df["business_type"]}
    )  # fmt: skip


def deposits(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    if client.is_uta():
        return _uta_transactions(client.get_uta_deposit_records(asset, start_time=start, end_time=end, exact=exact))
    frame = client.get_deposit_history(asset, start_time=start, end_time=end, exact=exact)
    return _transactions(frame, with_fee=False)


def withdrawals(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    if client.is_uta():
        return _uta_transactions(client.get_uta_withdrawal_records(asset, start_time=start, end_time=end, exact=exact))
    frame = client.get_withdrawal_history(asset, start_time=start, end_time=end, exact=exact)
    return _transactions(frame, with_fee=True)


def _uta_transactions(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": UNIFIED, "time": df["created_time"], "id": df["order_id"], "asset": df["coin"].str.upper(),
         "amount": df["size"], "fee": df["fee"].abs() if "fee" in df else np.nan,
         "fee_asset": df["coin"].str.upper(), "network": df["chain"], "address": df["to_address"],
         "txid": df["record_id"], "status": df["status"]}
    )  # fmt: skip


def _transactions(df: pd.DataFrame, *, with_fee: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": "spot", "time": df["c_time"], "id": df["order_id"], "asset": df["coin"].str.upper(),
         "amount": df["size"], "fee": df["fee"].abs() if with_fee else np.nan, "fee_asset": df["coin"].str.upper(),
         "network": df["chain"], "address": df["to_address"], "txid": df["trade_id"], "status": df["status"]}
    )  # fmt: skip


def transfers(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    # Bitget's transfer history wants a coin and a source account per call; its bills list every
    # transfer of the spot account, with the other side unnamed.
    return paired_transfers(ledger(client, start, end, exact=exact))


def fee_rates(client: Any, symbols: list[str], *, exact: bool = False) -> pd.DataFrame:
    if client.is_uta():
        rates = [client.get_uta_fee_rate(s.replace("/", ""), exact=exact).assign(symbol=s) for s in symbols]
        df = pd.concat(rates, ignore_index=True)
        return pd.DataFrame(
            {"account": UNIFIED, "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
             "source": "get_uta_fee_rate"}
        )  # fmt: skip
    frames = [client.get_user_fee_ratio(s.replace("/", ""), exact=exact).assign(symbol=s) for s in symbols]
    df = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(
        {"account": "spot", "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
         "source": "get_user_fee_ratio"}
    )  # fmt: skip


EXPORT_TYPES = {"deposit": "deposit", "withdrawal": "withdrawal", "fund transfer": "transfer", "trading": "trade"}


def financial_record_rows(rows: list[dict[str, str]], header: list[str]) -> list[dict[str, Any]]:
    time_column = next((c for c in header if c.startswith("creation timestamp")), "creation timestamp")
    out = []
    for number, row in enumerate(rows, start=2):
        where, kind, action = f"row {number}", cell(row, "type"), cell(row, "action")
        quantity, fee = amount(cell(row, "quantity"), where), amount(cell(row, "fees") or "0", where).copy_abs()
        coin = cell(row, "coin").upper()
        out.append({
            "account": "spot", "time": local_time(cell(row, time_column), "+08:00", where), "asset": coin,
            "amount": -quantity.copy_abs() if kind.lower() == "withdrawal" else quantity, "fee": fee,
            "fee_asset": coin, "type": EXPORT_TYPES.get(kind.lower()) or kind_of(action or kind, {}),
            "raw_type": action or kind,
        })  # fmt: skip
    return out


EXPORTS = {"bitget-financial": ExportFormat(frozenset({"type", "coin", "quantity", "fees"}), financial_record_rows)}
