"""Binance in the shared vocabulary (``toolkit.unified``).

balances
    ``get_account_info()`` (account = account_type in lower case: spot; total = free + locked,
    time = update_time), the funding wallet's ``get_funding_assets()`` (account = "funding"; total
    = free + locked + freeze + withdrawing) and the Simple Earn flexible positions'
    ``get_simple_earn_positions()`` (account = "earn"; total = total_amount).
ledger
    built from every source of Binance's wallet (it has no ledger API), each read on its own: a
    source that fails is named in the coverage and ``attrs["failures"]`` while the others still
    count (``toolkit.core.covered.attempt``):

    - fills (``get_my_trades``, markets from what is held, deposited, withdrawn or converted): a
      fill books its base and quote legs (type trade; the commission comes out of the leg in its
      asset, or is a row of type fee of its own when paid in a third asset, BNB);
    - deposits (+amount) and withdrawals (-(amount + fee));
    - Convert (``get_convert_history``): -from_amount of from_asset, +to_amount of to_asset (type
      convert);
    - small balances converted to BNB (``get_dust_log``): -amount of each asset, +transfered_amount
      of BNB (type dust; the service charge, in BNB, is its fee: UNCONFIRMED that transfered_amount
      is after it, as the documented example's totals add up to be);
    - Simple Earn flexible subscriptions (spot -> earn, type earn_subscribe), redemptions (earn ->
      spot, earn_redeem) and rewards (+rewards to earn, reward: where Binance credits a flexible
      product's rewards is UNCONFIRMED; the position they are counted in is assumed);
    - moves between the spot and the funding wallet (``get_universal_transfer_history``
      MAIN_FUNDING / FUNDING_MAIN, type transfer).

    balance is NaN (Binance reports none per entry: the daily snapshots check the history instead,
    ``snapshots``). ids: ``trade:<id>:<asset>``, ``fee:<id>``, ``deposit:<id>``, ``withdrawal:<id>``,
    ``convert:<order_id>:<asset>``, ``dust:<trans_id>:<asset>``, ``earn:<record id>:<account>``,
    ``transfer:<tran_id>:<account>``.
deposits / withdrawals
    ``get_deposit_history()`` / ``get_withdrawal_history()``; time = insert_time / apply_time,
    fee = transaction_fee, txid = tx_id, status = Binance's status code.
snapshots
    ``get_account_snapshot()``: Binance's end-of-day balances of the spot account (the last month).
exports (``EXPORTS``, ``tk.imports.read``)
    the "Transaction History" statement (``[User_ID,] UTC_Time, Account, Operation, Coin, Change,
    Remark``; since 2026 also ``User ID, Time, ...``): one row per balance change; account = Account
    in lower case, amount = Change, type from Operation (``OPERATIONS``). No Binance page documents
    the file: its columns and spellings are those open-source importers read (rotki, BittyTax),
    UNCONFIRMED by Binance; UTC_Time is UTC (the newer Time, written ``24-07-25 21:30:41``, is
    read year first and as UTC: both UNCONFIRMED).
fee_rates
    ``commission_rates_maker`` / ``_taker`` of ``get_account_info()`` (account-wide).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from toolkit.core import covered
from toolkit.core.exported import ExportFormat, amount, cell, kind_of, local_time
from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import LEDGER, negated
from toolkit.exchanges.binance import endpoints as ep
from toolkit.exchanges.binance.client import markets_of

ACCOUNT, FUNDING, EARN = "spot", "funding", "earn"
# How a symbol ends: its quote asset (BTCUSDT is BTC against USDT).
QUOTES = ("USDT", "FDUSD", "USDC", "BTC", "BNB", "ETH")
# The wallets a universal transfer type moves between (those the toolkit reads).
TRANSFER_TYPES = {"MAIN_FUNDING": (ACCOUNT, FUNDING), "FUNDING_MAIN": (FUNDING, ACCOUNT)}


def _entries(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame({name: columns.get(name, np.nan) for name in LEDGER if name != "exchange"})


def _read(client: Any, endpoint: Any, accounts: tuple[str, ...], read: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """One source of the answer: its frame, or (its failure reported) an empty one of its columns."""
    return covered.attempt(client.exchange, endpoint.name, accounts, read, lambda: client.to_frame(endpoint, []))


def balances(client: Any, *, exact: bool = False) -> pd.DataFrame:
    df = client.get_account_info(exact=exact)
    funding = _read(client, ep.FUNDING_ASSETS, (FUNDING,), lambda: client.get_funding_assets(exact=exact))
    earn = _read(client, ep.EARN_POSITIONS, (EARN,), lambda: client.get_simple_earn_positions(exact=exact))
    now = pd.Timestamp.now(tz="UTC")
    return pd.concat([
        pd.DataFrame({"account": df["account_type"].str.lower(), "asset": df["asset"].str.upper(), "free": df["free"],
                      "locked": df["locked"], "total": df["free"] + df["locked"], "time": df["update_time"]}),
        pd.DataFrame({"account": FUNDING, "asset": funding["asset"].str.upper(), "free": funding["free"],
                      "locked": funding["locked"] + funding["freeze"].fillna(0) + funding["withdrawing"].fillna(0),
                      "total": funding["free"] + funding["locked"] + funding["freeze"].fillna(0)
                      + funding["withdrawing"].fillna(0), "time": now}),
        pd.DataFrame({"account": EARN, "asset": earn["asset"].str.upper(), "free": earn["total_amount"], "locked": 0,
                      "total": earn["total_amount"], "time": now}),
    ], ignore_index=True)  # fmt: skip


def fee_rates(client: Any, symbols: list[str], *, exact: bool = False) -> pd.DataFrame:
    df = client.get_account_info(exact=exact).head(1)  # one row per asset; the rates are the account's
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


def deposits(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    df = client.get_deposit_history(asset, start_time=start, end_time=end, exact=exact)
    return _transactions(df, "insert_time", np.nan)


def withdrawals(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None, *, exact: bool = False
) -> pd.DataFrame:
    df = client.get_withdrawal_history(asset, start_time=start, end_time=end, exact=exact)
    return _transactions(df, "apply_time", df["transaction_fee"])


def _legs(trades: pd.DataFrame) -> pd.DataFrame:
    """Each fill as ledger rows: its base and quote legs, and its commission where it stands alone."""
    parts = trades["symbol"].str.extract(rf"^(?P<base>.+?)(?P<quote>{'|'.join(QUOTES)})$")
    base, quote = parts["base"], parts["quote"]
    sold = ~trades["is_buyer"].fillna(False).to_numpy(dtype=bool)
    rows = []
    for asset, moved in ((base, negated(trades["qty"], sold)), (quote, negated(trades["quote_qty"], ~sold))):
        paid_here = (trades["commission_asset"] == asset).to_numpy(dtype=bool)
        fee = trades["commission"].where(paid_here, 0)
        rows.append(_entries(account=ACCOUNT, time=trades["time"], id="trade:" + trades["id"] + ":" + asset,
                             asset=asset, amount=moved - fee, fee=fee, fee_asset=asset, type="trade",
                             raw_type=np.where(sold, "SELL", "BUY"), trade_id=trades["id"]))  # fmt: skip
    elsewhere = trades[(trades["commission_asset"] != base) & (trades["commission_asset"] != quote)]
    rows.append(_entries(account=ACCOUNT, time=elsewhere["time"], id="fee:" + elsewhere["id"],
                         asset=elsewhere["commission_asset"], amount=-elsewhere["commission"],
                         fee=elsewhere["commission"], fee_asset=elsewhere["commission_asset"], type="fee",
                         raw_type="COMMISSION", trade_id=elsewhere["id"]))  # fmt: skip
    return pd.concat(rows, ignore_index=True)


def _moves(paid_in: pd.DataFrame, paid_out: pd.DataFrame) -> list[pd.DataFrame]:
    coin_in, coin_out = paid_in["coin"].str.upper(), paid_out["coin"].str.upper()
    return [
        _entries(account=ACCOUNT, time=paid_in["insert_time"], id="deposit:" + paid_in["id"], asset=coin_in,
                 amount=paid_in["amount"], fee=0, fee_asset=coin_in, type="deposit", raw_type="DEPOSIT"),
        _entries(account=ACCOUNT, time=paid_out["apply_time"], id="withdrawal:" + paid_out["id"], asset=coin_out,
                 amount=-(paid_out["amount"] + paid_out["transaction_fee"]), fee=paid_out["transaction_fee"],
                 fee_asset=coin_out, type="withdrawal", raw_type="WITHDRAW"),
    ]  # fmt: skip


def _converts(df: pd.DataFrame) -> list[pd.DataFrame]:
    ids = "convert:" + df["order_id"]
    return [
        _entries(account=ACCOUNT, time=df["create_time"], id=ids + ":" + df["from_asset"], asset=df["from_asset"],
                 amount=-df["from_amount"], fee=0, fee_asset=df["from_asset"], type="convert", raw_type="CONVERT",
                 trade_id=ids),
        _entries(account=ACCOUNT, time=df["create_time"], id=ids + ":" + df["to_asset"], asset=df["to_asset"],
                 amount=df["to_amount"], fee=0, fee_asset=df["to_asset"], type="convert", raw_type="CONVERT",
                 trade_id=ids),
    ]  # fmt: skip


def _dust(df: pd.DataFrame) -> list[pd.DataFrame]:
    # One conversion (transId) turns several assets into BNB, each asset's BNB its own: each pair is a trade.
    ids = "dust:" + df["trans_id"] + ":" + df["from_asset"]
    return [
        _entries(account=ACCOUNT, time=df["operate_time"], id=ids, asset=df["from_asset"], amount=-df["amount"],
                 fee=0, fee_asset=df["from_asset"], type="dust", raw_type="DUST", trade_id=ids),
        _entries(account=ACCOUNT, time=df["operate_time"], id=ids + ":BNB", asset="BNB",
                 amount=df["transfered_amount"], fee=df["service_charge_amount"], fee_asset="BNB", type="dust",
                 raw_type="DUST", trade_id=ids),
    ]  # fmt: skip


def _earn(kind: str, df: pd.DataFrame) -> list[pd.DataFrame]:
    """Simple Earn flexible records: a subscription leaves spot for earn, a redemption comes back,
    a reward is credited to the position."""
    if kind == "rewards":
        return [_entries(account=EARN, time=df["time"], id="earn:" + df["type"] + ":" + df["time"].astype(str)
                         + ":" + df["asset"], asset=df["asset"], amount=df["rewards"], fee=0, fee_asset=df["asset"],
                         type="reward", raw_type="SIMPLE_EARN_REWARD")]  # fmt: skip
    record = df["purchase_id"] if kind == "subscription" else df["redeem_id"]
    source, target = (ACCOUNT, EARN) if kind == "subscription" else (EARN, ACCOUNT)
    label = "earn_subscribe" if kind == "subscription" else "earn_redeem"
    return [
        _entries(account=account, time=df["time"], id="earn:" + record + ":" + account, asset=df["asset"],
                 amount=amount, fee=0, fee_asset=df["asset"], type=label, raw_type=f"SIMPLE_EARN_{kind.upper()}")
        for account, amount in ((source, -df["amount"]), (target, df["amount"]))
    ]  # fmt: skip


def _transfers(kind: str, df: pd.DataFrame) -> list[pd.DataFrame]:
    source, target = TRANSFER_TYPES[kind]
    return [
        _entries(account=account, time=df["timestamp"], id="transfer:" + df["tran_id"] + ":" + account,
                 asset=df["asset"], amount=amount, fee=0, fee_asset=df["asset"], type="transfer", raw_type=kind)
        for account, amount in ((source, -df["amount"]), (target, df["amount"]))
    ]  # fmt: skip


def ledger(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    times = {"start_time": start, "end_time": end, "exact": exact}
    paid_in = _read(client, ep.DEPOSIT_HISTORY, (ACCOUNT,), lambda: client.get_deposit_history(**times))
    paid_out = _read(client, ep.WITHDRAW_HISTORY, (ACCOUNT,), lambda: client.get_withdrawal_history(**times))
    converts = _read(client, ep.CONVERT_HISTORY, (ACCOUNT,), lambda: client.get_convert_history(**times))
    dust = _read(client, ep.DUST_LOG, (ACCOUNT,), lambda: client.get_dust_log(**times))
    parts = [*_moves(paid_in, paid_out), *_converts(converts), *_dust(dust)]
    for kind in ("subscription", "redemption", "rewards"):
        earned = partial(client.get_simple_earn_history, kind, **times)
        parts += _earn(kind, _read(client, ep.SIMPLE_EARN["flexible", kind], (ACCOUNT, EARN), earned))
    for kind, accounts in TRANSFER_TYPES.items():
        moved = partial(client.get_universal_transfer_history, kind, **times)
        parts += _transfers(kind, _read(client, ep.UNIVERSAL_TRANSFER, accounts, moved))
    # The markets of what is held or was moved, from what is fetched already (the withdrawal
    # history is expensive: Binance allows about ten of its windows a minute).
    held = client.get_account_info(omit_zero_balances=True)["asset"]
    assets = {*held, *paid_in["coin"].dropna(), *paid_out["coin"].dropna(), *converts["from_asset"].dropna(),
              *converts["to_asset"].dropna(), *dust["from_asset"].dropna()}  # fmt: skip
    trades = _read(
        client,
        ep.MY_TRADES,
        (ACCOUNT,),
        lambda: client.get_my_trades(markets_of(assets), start_time=start, end_time=end, exact=exact),
    )
    frame = pd.concat([_legs(trades), *parts], ignore_index=True)
    return frame.assign(balance=np.nan)


def snapshots(client: Any, start: TimeLike | None, end: TimeLike | None, *, exact: bool = False) -> pd.DataFrame:
    df = client.get_account_snapshot(start_time=start, end_time=end, exact=exact)
    return pd.DataFrame(
        {"account": ACCOUNT, "asset": df["asset"].str.upper(), "free": df["free"], "locked": df["locked"],
         "total": df["free"] + df["locked"], "time": df["update_time"], "taken_at": df["update_time"]}
    )  # fmt: skip


# The statement's Operation spellings (as importers see them) in the ledger vocabulary; any other
# by the words it holds, else "other".
OPERATIONS = {
    "deposit": "deposit", "withdraw": "withdrawal", "fiat deposit": "deposit", "fiat withdraw": "withdrawal",
    "fiat withdrawal": "withdrawal", "buy": "trade", "sell": "trade", "transaction buy": "trade",
    "transaction spend": "trade", "transaction sold": "trade", "transaction revenue": "trade",
    "transaction related": "trade", "large otc trading": "trade", "fee": "fee", "transaction fee": "fee",
    "bnb fee deduction": "fee", "binance convert": "convert", "small assets exchange bnb": "dust",
    "transfer between main and funding wallet": "transfer", "transfer_in": "transfer", "transfer_out": "transfer",
    "simple earn flexible subscription": "earn_subscribe", "simple earn locked subscription": "earn_subscribe",
    "simple earn flexible redemption": "earn_redeem", "simple earn locked redemption": "earn_redeem",
    "simple earn flexible interest": "reward", "simple earn locked rewards": "reward",
    "simple earn flexible airdrop": "airdrop", "distribution": "airdrop", "airdrop assets": "airdrop",
    "hodler airdrops distribution": "airdrop", "commission rebate": "rebate", "referral kickback": "rebate",
    "commission history": "rebate", "referrer rebates": "rebate", "referee rebates": "rebate",
}  # fmt: skip


def statement_rows(rows: list[dict[str, str]], header: list[str]) -> list[dict[str, Any]]:
    time_column = "utc time" if "utc time" in header else "time"
    out = []
    for number, row in enumerate(rows, start=2):
        where, operation, coin = f"row {number}", cell(row, "operation"), cell(row, "coin").upper()
        written = cell(row, time_column)
        if re.match(r"\d{2}-\d{2}-\d{2}\s", written):  # the newer file's "24-07-25 21:30:41": year first, as UTC_Time
            written = "20" + written
        out.append({
            "account": cell(row, "account").lower().replace(" ", "_"),
            "time": local_time(written, "", where), "asset": coin,
            "amount": amount(cell(row, "change"), where), "fee": 0, "fee_asset": coin,
            "type": kind_of(operation, OPERATIONS), "raw_type": operation,
        })  # fmt: skip
    return out


EXPORTS = {
    "binance-statement": ExportFormat(
        frozenset({"utc time", "account", "operation", "coin", "change"}), statement_rows
    ),
    "binance-statement-2026": ExportFormat(
        frozenset({"time", "account", "operation", "coin", "change"}), statement_rows
    ),
}
