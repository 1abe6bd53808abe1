"""KuCoin in the shared vocabulary (``toolkit.unified``).

balances
    ``get_accounts()``; account = type (main, trade, margin, ...), free = available, locked =
    holds, total = balance, time = when fetched (KuCoin sends none).
ledger
    ``get_account_ledgers()``; account = account_type in lower case, time = created_at, amount =
    amount signed by direction (out is negative), fee in the entry's currency; balance is the HF
    trade account's running balance, and NaN for the classic accounts: KuCoin documents their
    ``balance`` as deprecated, "no actual use" (its example sends "0"). type from biz_type, by the
    names of KuCoin's BizType table (``BIZ_TYPES``: Deposit, Withdrawal, Trade_Exchange, Transfer,
    Rewards, Airdrop/Fork, Fee Rebate, KCS Pay Fees, Convert to KCS, Staking, ...; others by the words
    they hold), raw_type = biz_type.
transfers
    the ledger's transfer entries, an out and an in entry of the same currency, amount and time
    paired into one row (from_account = the out entry's account, to_account the in's); a transfer
    to or from a sub-account has one side only. id = the out entry's id.
deposits / withdrawals
    ``get_deposits()`` / ``get_withdrawals()``; network = chain, txid = wallet_tx_id. KuCoin gives
    deposits no id: id = wallet_tx_id, else ``<currency>:<created_at ms>:<amount>``.
fee_rates
    ``get_basic_user_fee()`` (account-wide) and ``get_symbol_trading_fees(symbols)``.
exports (``EXPORTS``, ``tk.imports.read``)
    the website's "Account History" file (``UID, Account Type, Currency, Side, Amount, Fee,
    Time(UTC[+hh:mm]), Remark[, Type]``), as BittyTax's KuCoin parsers read it: account from
    Account Type (MAIN, TRADE, TRADE_HF, ...; "Main Account", "Trading Account" also read), amount
    = Amount (out where Side is Withdrawal), fee = Fee, type from Type (newer files) or Remark, by
    the BizType names above; the time in the zone its header names (older files, with none, UTC+8).
    KuCoin's help page gives its limits: back to 2017-09-16, a year per file.

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

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.exported import ExportFormat, amount, cell, kind_of, local_time
from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import amount_text, negated, paired_transfers

UNIFIED, FUNDING = "unified", "funding"
# The classic ledger's bizType values (the display names of KuCoin's BizType table, in lower case)
# in the ledger's vocabulary; any other is read by the words it holds (``WORDS``), else "other".
BIZ_TYPES = {
    "deposit": "deposit", "withdrawal": "withdrawal", "withdraw": "withdrawal", "trade_exchange": "trade",
    "transfer": "transfer", "sub-account transfer": "transfer", "sub_transfer": "transfer",
    "rewards": "reward", "kucoin bonus": "reward", "referral bonus": "reward", "other rewards": "reward",
    "distribution": "airdrop", "airdrop/fork": "airdrop", "fee rebate": "rebate", "refunded fees": "rebate",
    "kcs pay fees": "fee", "liquidation fees": "fee", "convert to kcs": "dust", "instant exchange": "convert",
    "staking": "earn_subscribe", "redemption": "earn_redeem", "staking profits": "reward",
    "soft staking profits": "reward", "voting earnings": "reward",
}  # fmt: skip
WORDS = (("deposit", "deposit"), ("withdraw", "withdrawal"), ("exchange", "trade"), ("trade", "trade"),
         ("transfer", "transfer"), ("reward", "reward"), ("rebate", "rebate"), ("airdrop", "airdrop"))  # fmt: skip
# The UA ledger's businessType values (KuCoin's official SDK lists them) in the ledger's vocabulary.
UA_TYPES = {
    "TRADE_EXCHANGE": "trade", "SPOT_EXCHANGE": "trade", "TRANSFER": "transfer", "SUB_TRANSFER": "transfer",
    "SUB_TO_SUB_TRANSFER": "transfer", "DEDUCTION_FEES": "fee", "KCS_DEDUCTION_FEES": "fee", "FUNDING_FEE": "fee",
    "LIABILITY_INTEREST": "fee", "RETURNED_FEES": "rebate", "KCS_RETURNED_FEES": "rebate",
    "SPOT_EXCHANGE_REBATE": "rebate", "FUTURES_EXCHANGE_REBATE": "rebate", "DEPOSIT": "deposit",
    "WITHDRAW": "withdrawal",
}  # fmt: skip


def balances(client: Any, *, exact: bool = False) -> pd.DataFrame:
    now = pd.Timestamp.now(tz="UTC")
    if client.is_uta():
        held = client.get_uta_balances(exact=exact)
        funding = client.get_uta_classic_balances("FUNDING", exact=exact)
        return pd.concat([
            pd.DataFrame({"account": UNIFIED, "asset": held["currency"].str.upper(), "free": held["available"],
                          "locked": held["hold"], "total": held["balance"], "time": now}),
            pd.DataFrame({"account": FUNDING, "asset": funding["currency"].str.upper(), "free": funding["available"],
                          "locked": funding["locked"], "total": funding["balance"], "time": now}),
        ], ignore_index=True)  # fmt: skip
    df = client.get_accounts(exact=exact)
    return pd.DataFrame(
        {"account": df["type"].str.lower(), "asset": df["currency"].str.upper(), "free": df["available"],
         "locked": df["holds"], "total": df["balance"], "time": now}
    )  # fmt: skip


def ledger_type(biz_type: str) -> str:
    label = str(biz_type).lower()
    return BIZ_TYPES.get(label) or next((kind for needle, kind in WORDS if needle in label), "other")


def _outgoing(direction: pd.Series) -> np.ndarray:
    """Which entries take from the balance: direction out (OUT since 2026-01-17 on the UA API)."""
    return (direction.str.lower() == "out").to_numpy(dtype=bool)


def _uta_ledger(client: Any, start: TimeLike | None, end: TimeLike | None, exact: bool) -> pd.DataFrame:
    df = pd.concat(
        [client.get_uta_ledger(kind, start_time=start, end_time=end, exact=exact) for kind in ("UNIFIED", "FUNDING")],
        ignore_index=True,
    )
    account = df["account_type"].str.lower().replace({"trading": "spot"})
    return pd.DataFrame(
        {"account": account, "time": df["ts"], "id": df["id"], "asset": df["currency"].str.upper(),
         "amount": negated(df["amount"].abs(), _outgoing(df["direction"])), "balance": df["balance"],
         "fee": df["fee"].abs(), "fee_asset": df["currency"].str.upper(),
         "type": df["business_type"].map(UA_TYPES).fillna("other"), "raw_type": df["business_type"]}
    )  # fmt: skip


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    if client.is_uta():
        return _uta_ledger(client, start, end, exact)
    df = client.get_account_ledgers(start_time=start, end_time=end, clip=True, exact=exact)
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "time": df["created_at"], "id": df["id"],
         "asset": df["currency"].str.upper(), "amount": negated(df["amount"], _outgoing(df["direction"])),
         "balance": df["balance"].where(df["account_type"] == "TRADE_HF") if "balance" in df else np.nan,
         "fee": df["fee"].abs(), "fee_asset": df["currency"].str.upper(),
         "type": df["biz_type"].map(ledger_type), "raw_type": df["biz_type"], "trade_id": df["context"].map(trade_of)}
    )  # fmt: skip


def trade_of(context: Any) -> str | None:
    """The trade an entry is a leg of, from its ``context`` (JSON text; for trades it holds
    ``orderId``, ``tradeId`` and ``symbol``, as KuCoin documents): the trade id, else the order id."""
    if not isinstance(context, str) or not context.startswith("{"):
        return None
    try:
        found = json.loads(context)
    except ValueError:
        return None
    named = found.get("tradeId") or found.get("orderId") if isinstance(found, dict) else None
    return str(named) if named else None


def _transactions(df: pd.DataFrame, ids: pd.Series, account: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": account, "time": df["created_at"], "id": ids, "asset": df["currency"].str.upper(),
         "amount": df["amount"], "fee": df["fee"], "fee_asset": df["currency"].str.upper(), "network": df["chain"],
         "address": df["address"], "txid": df["wallet_tx_id"], "status": df["status"]}
    )  # fmt: skip


def deposits(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    df = client.get_deposits(asset, start_time=start, end_time=end, exact=exact)
    made_up = df["currency"] + ":" + (df["created_at"].astype("int64") // 1_000_000).astype(str) + ":"
    ids = df["wallet_tx_id"].fillna(made_up + amount_text(df["amount"]))
    return _transactions(df, ids, FUNDING if client.is_uta() else "main")


def withdrawals(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    df = client.get_withdrawals(asset, start_time=start, end_time=end, exact=exact)
    return _transactions(df, df["id"], FUNDING if client.is_uta() else "main")


def transfers(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    return paired_transfers(ledger(client, start, end, exact=exact))


def fee_rates(client: Any, symbols: list[str], *, exact: bool = False) -> pd.DataFrame:
    base = client.get_basic_user_fee(exact=exact).assign(symbol=None, source="get_basic_user_fee")
    per_symbol = client.get_symbol_trading_fees([s.replace("/", "-") for s in symbols], exact=exact)
    per_symbol = per_symbol.assign(symbol=per_symbol["symbol"].str.replace("-", "/"), source="get_symbol_trading_fees")
    df = pd.concat([base, per_symbol], ignore_index=True)
    return pd.DataFrame(
        {"account": "spot", "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
         "source": df["source"]}
    )  # fmt: skip


TIME_HEADER = re.compile(r"^time\s*\((utc)?\s*([+-]\d{2}:\d{2})?\)$")
# An export's Account Type as the ledger's account (the API's names), by the words it holds.
EXPORT_ACCOUNTS = (("high-frequency", "trade_hf"), ("trade_hf", "trade_hf"), ("hf", "trade_hf"),
                   ("unified", "unified"), ("funding", "main"), ("main", "main"), ("margin", "margin"),
                   ("trad", "trade"), ("spot", "trade"))  # fmt: skip


def account_history_rows(rows: list[dict[str, str]], header: list[str]) -> list[dict[str, Any]]:
    time_column = next((c for c in header if TIME_HEADER.match(c)), "time")
    written = TIME_HEADER.match(time_column)
    # "Time(UTC)" and "Time(UTC+08:00)" name their zone; a bare "Time" (older files) is UTC+8.
    offset = (written.group(2) or "") if written and written.group(1) else "+08:00"
    out = []
    for number, row in enumerate(rows, start=2):
        where = f"row {number}"
        size, fee = amount(cell(row, "amount"), where).copy_abs(), amount(cell(row, "fee") or "0", where).copy_abs()
        label = cell(row, "type") or cell(row, "remark") or cell(row, "side")
        named = cell(row, "account type").lower()
        account = next((name for word, name in EXPORT_ACCOUNTS if word in named), named.replace(" ", "_"))
        currency = cell(row, "currency").upper()
        out.append({
            "account": account, "time": local_time(cell(row, time_column), offset, where), "asset": currency,
            "amount": -size if cell(row, "side").lower() in ("withdrawal", "out") else size, "fee": fee,
            "fee_asset": currency, "type": BIZ_TYPES.get(label.lower()) or kind_of(label, {}), "raw_type": label,
        })  # fmt: skip
    return out


EXPORTS = {
    "kucoin-account": ExportFormat(frozenset({"uid", "account type", "currency", "side", "amount", "fee"}),
                                   account_history_rows),
}  # fmt: skip
