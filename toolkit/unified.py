"""One vocabulary across exchanges: balances, ledger, deposits, withdrawals, transfers.

Each function takes one client or several and returns a single frame whose columns and dtypes
are the same whichever exchange the rows came from, so frames concatenate. Every frame has
``exchange`` and ``account``; assets are upper-case tickers.

Column sets (times ``datetime64[ns, UTC]``, text ``str``, amounts ``float64``):

=============  ==============================================================================
balances       exchange, account, asset, free, locked, total, time
ledger         exchange, account, time, id, asset, amount (signed), balance (after; NaN when
               the exchange does not say), fee (>= 0), fee_asset, type, raw_type
deposits       exchange, account, time, id, asset, amount, fee, fee_asset, network, address,
withdrawals    txid, status
transfers      exchange, account, time, id, asset, amount, from_account, to_account, status
fees           exchange, account, time, id, asset, fee, type (trading, withdrawal, other)
fee_rates      exchange, account, symbol (``BASE/QUOTE``; missing for account-wide rates), maker,
               taker (fractions: 0.001 is 0.1 %), source (the call the rate came from)
=============  ==============================================================================

``type`` in the ledger is one of ``deposit``, ``withdrawal``, ``trade``, ``fee``, ``transfer``,
``other``; ``raw_type`` keeps the exchange's own label.

Where each column comes from
----------------------------
Bitget
    balances: ``get_balances()``; free = available, locked = frozen + locked, time = u_time.
    ledger: ``get_bills()``; time = c_time, id = bill_id, amount = size, balance = balance,
    fee = |fees| in the bill's coin, type from group_type (deposit, withdraw -> withdrawal,
    transaction -> trade, transfer), raw_type = business_type.
    deposits / withdrawals: ``get_deposit_history()`` / ``get_withdrawal_history()``;
    id = order_id, amount = size, fee = |fee| (withdrawals; deposits carry none), network = chain,
    address = to_address, txid = trade_id.
    transfers: the ledger's transfer entries (``get_transfer_history`` needs a coin and a source
    account per call); from_account is "spot" for transfer-out, to_account for transfer-in, the
    other side NaN (the bill does not name it); id = bill_id, amount = |size|.
KuCoin
    balances: ``get_accounts()``; account = type (main, trade, margin, ...), free = available,
    locked = holds, total = balance, time = when fetched (KuCoin sends none).
    ledger: ``get_account_ledgers()``; account = account_type in lower case, time = created_at,
    amount = amount signed by direction (out is negative), fee in the entry's currency; balance is
    NaN: KuCoin documents this endpoint's ``balance`` as deprecated, "no actual use" (its example
    sends "0"), so it cannot check the ledger and the residual covers Bitget only,
    type from biz_type (…deposit…, …withdraw…, …exchange/trade…, …transfer…), raw_type = biz_type.
    transfers: the ledger's transfer entries, an out and an in entry of the same currency, amount
    and time paired into one row (from_account = the out entry's account, to_account the in's);
    a transfer to or from a sub-account has one side only. id = the out entry's id.
    deposits / withdrawals: ``get_deposits()`` / ``get_withdrawals()``; network = chain,
    txid = wallet_tx_id. KuCoin gives deposits no id: id = wallet_tx_id, else
    ``<currency>:<created_at ms>:<amount>``.
Binance
    balances: ``get_account_info()``; account = account_type in lower case, total = free + locked,
    time = update_time. Binance has no ledger on this API: use stored snapshots (``tk.store``).
CoinW
    balances: ``get_complete_balances()``; free = available, locked = on_orders, time = when
    fetched (CoinW sends none).
    deposits / withdrawals: ``get_deposit_withdrawal_history()`` split on side (1 deposit,
    2 withdrawal); id = deposit_number, asset = currency, network = chain, txid = txid.
    CoinW sends no fee in this history: fee is NaN.

Fees paid are the ledger's ``fee`` column (trading fees of ``trade`` entries and whatever else
carries one) plus each withdrawal's fee, so they exist where a ledger or withdrawal history does.
Fee rates: Bitget ``get_user_fee_ratio(symbol)`` per symbol; KuCoin ``get_basic_user_fee()``
(account-wide) and ``get_symbol_trading_fees(symbols)``; Binance ``commission_rates_maker`` /
``_taker`` of ``get_account_info()`` (account-wide; this API gives no per-symbol rates). CoinW
publishes no account fee-rate call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from toolkit.core.timeutil import TimeLike
from toolkit.errors import ConfigurationError

STR, NUM, TIME = "str", "float64", "datetime64[ns, UTC]"

BALANCES = {"exchange": STR, "account": STR, "asset": STR, "free": NUM, "locked": NUM, "total": NUM, "time": TIME}
LEDGER = {
    "exchange": STR, "account": STR, "time": TIME, "id": STR, "asset": STR, "amount": NUM, "balance": NUM,
    "fee": NUM, "fee_asset": STR, "type": STR, "raw_type": STR,
}  # fmt: skip
TRANSACTIONS = {
    "exchange": STR, "account": STR, "time": TIME, "id": STR, "asset": STR, "amount": NUM, "fee": NUM,
    "fee_asset": STR, "network": STR, "address": STR, "txid": STR, "status": STR,
}  # fmt: skip
TRANSFERS = {
    "exchange": STR, "account": STR, "time": TIME, "id": STR, "asset": STR, "amount": NUM,
    "from_account": STR, "to_account": STR, "status": STR,
}  # fmt: skip

FEES = {
    "exchange": STR, "account": STR, "time": TIME, "id": STR, "asset": STR, "fee": NUM, "type": STR,
}  # fmt: skip
FEE_RATES = {"exchange": STR, "account": STR, "symbol": STR, "maker": NUM, "taker": NUM, "source": STR}
DEFAULT_SYMBOLS = ("BTC/USDT",)

LEDGER_TYPES = ("deposit", "withdrawal", "trade", "fee", "transfer", "other")


def conform(frame: pd.DataFrame, schema: Mapping[str, str]) -> pd.DataFrame:
    """``frame`` with exactly the schema's columns, in order, with its dtypes."""
    out = pd.DataFrame(index=frame.index)
    for column, dtype in schema.items():
        values = frame[column] if column in frame else pd.Series(np.nan, index=frame.index)
        if dtype == STR:
            values = values.astype("object").where(values.notna(), None).astype(STR)
        elif dtype == NUM:
            values = pd.to_numeric(values.astype("object"), errors="raise").astype(NUM)
        else:
            values = pd.to_datetime(values, utc=True).astype(TIME)
        out[column] = values
    return out.reset_index(drop=True)


# ------------------------------------------------------------------ per-exchange mappings
# Each takes a client and the keyword arguments of the unified function, returns a frame with
# (some of) the schema's columns; ``conform`` completes and types it.


def _bitget_balances(client: Any) -> pd.DataFrame:
    df = client.get_balances()
    locked = df["frozen"].fillna(0) + df["locked"].fillna(0)
    return pd.DataFrame(
        {"account": "spot", "asset": df["coin"].str.upper(), "free": df["available"], "locked": locked,
         "total": df["available"].fillna(0) + locked, "time": df["u_time"]}
    )  # fmt: skip


_BITGET_GROUPS = {"deposit": "deposit", "withdraw": "withdrawal", "transaction": "trade", "transfer": "transfer"}


def _bitget_ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    df = client.get_bills(start_time=start, end_time=end)
    return pd.DataFrame(
        {"account": "spot", "time": df["c_time"], "id": df["bill_id"], "asset": df["coin"].str.upper(),
         "amount": df["size"], "balance": df["balance"], "fee": df["fees"].abs(),
         "fee_asset": df["coin"].str.upper(), "type": df["group_type"].map(_BITGET_GROUPS).fillna("other"),
         "raw_type": df["business_type"]}
    )  # fmt: skip


def _bitget_deposits(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_deposit_history(asset, start_time=start, end_time=end)
    return _bitget_transactions(df, with_fee=False)


def _bitget_withdrawals(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_withdrawal_history(asset, start_time=start, end_time=end)
    return _bitget_transactions(df, with_fee=True)


def _bitget_transactions(df: pd.DataFrame, *, with_fee: bool) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": "spot", "time": df["c_time"], "id": df["order_id"], "asset": df["coin"].str.upper(),
         "amount": df["size"], "fee": df["fee"].abs() if with_fee else np.nan, "fee_asset": df["coin"].str.upper(),
         "network": df["chain"], "address": df["to_address"], "txid": df["trade_id"], "status": df["status"]}
    )  # fmt: skip


def _coinw_balances(client: Any) -> pd.DataFrame:
    df = client.get_complete_balances()
    return pd.DataFrame(
        {"account": "spot", "asset": df["asset"].str.upper(), "free": df["available"], "locked": df["on_orders"],
         "total": df["available"].fillna(0) + df["on_orders"].fillna(0), "time": pd.Timestamp.now(tz="UTC")}
    )  # fmt: skip


def _coinw_side(side: int) -> Callable[..., pd.DataFrame]:
    def fetch(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
        df = client.get_deposit_withdrawal_history(asset, start_time=start, end_time=end)
        df = df[df["side"] == side]
        return pd.DataFrame(
            {"account": "spot", "time": df["time"], "id": df["deposit_number"], "asset": df["currency"].str.upper(),
             "amount": df["amount"], "fee": np.nan, "fee_asset": df["currency"].str.upper(), "network": df["chain"],
             "address": df["to_address"].fillna(df["address"]), "txid": df["txid"], "status": df["status"]}
        )  # fmt: skip

    return fetch


def _kucoin_balances(client: Any) -> pd.DataFrame:
    df = client.get_accounts()
    return pd.DataFrame(
        {"account": df["type"].str.lower(), "asset": df["currency"].str.upper(), "free": df["available"],
         "locked": df["holds"], "total": df["balance"], "time": pd.Timestamp.now(tz="UTC")}
    )  # fmt: skip


def _kucoin_type(biz_type: str) -> str:
    label = str(biz_type).lower()
    for needle, kind in (("deposit", "deposit"), ("withdraw", "withdrawal"), ("exchange", "trade"),
                         ("trade", "trade"), ("transfer", "transfer")):  # fmt: skip
        if needle in label:
            return kind
    return "other"


def _kucoin_ledger(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    df = client.get_account_ledgers(start_time=start, end_time=end)
    sign = df["direction"].map({"in": 1.0, "out": -1.0})
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "time": df["created_at"], "id": df["id"],
         "asset": df["currency"].str.upper(), "amount": df["amount"] * sign, "balance": np.nan,
         "fee": df["fee"].abs(), "fee_asset": df["currency"].str.upper(),
         "type": df["biz_type"].map(_kucoin_type), "raw_type": df["biz_type"]}
    )  # fmt: skip


def _kucoin_transactions(df: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {"account": "main", "time": df["created_at"], "id": ids, "asset": df["currency"].str.upper(),
         "amount": df["amount"], "fee": df["fee"], "fee_asset": df["currency"].str.upper(), "network": df["chain"],
         "address": df["address"], "txid": df["wallet_tx_id"], "status": df["status"]}
    )  # fmt: skip


def _kucoin_deposits(client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None) -> pd.DataFrame:
    df = client.get_deposits(asset, start_time=start, end_time=end)
    made_up = df["currency"] + ":" + (df["created_at"].astype("int64") // 1_000_000).astype(str) + ":"
    ids = df["wallet_tx_id"].fillna(made_up + df["amount"].astype(str))
    return _kucoin_transactions(df, ids)


def _kucoin_withdrawals(
    client: Any, start: TimeLike | None, end: TimeLike | None, asset: str | None
) -> pd.DataFrame:
    df = client.get_withdrawals(asset, start_time=start, end_time=end)
    return _kucoin_transactions(df, df["id"])


def _binance_balances(client: Any) -> pd.DataFrame:
    df = client.get_account_info()
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "asset": df["asset"].str.upper(), "free": df["free"],
         "locked": df["locked"], "total": df["free"] + df["locked"], "time": df["update_time"]}
    )  # fmt: skip


def _bitget_fee_rates(client: Any, symbols: list[str]) -> pd.DataFrame:
    frames = [client.get_user_fee_ratio(symbol.replace("/", "")).assign(symbol=symbol) for symbol in symbols]
    df = pd.concat(frames, ignore_index=True)
    return pd.DataFrame(
        {"account": "spot", "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
         "source": "get_user_fee_ratio"}
    )  # fmt: skip


def _kucoin_fee_rates(client: Any, symbols: list[str]) -> pd.DataFrame:
    base = client.get_basic_user_fee().assign(symbol=None, source="get_basic_user_fee")
    per_symbol = client.get_symbol_trading_fees([s.replace("/", "-") for s in symbols])
    per_symbol = per_symbol.assign(symbol=per_symbol["symbol"].str.replace("-", "/"), source="get_symbol_trading_fees")
    df = pd.concat([base, per_symbol], ignore_index=True)
    return pd.DataFrame(
        {"account": "spot", "symbol": df["symbol"], "maker": df["maker_fee_rate"], "taker": df["taker_fee_rate"],
         "source": df["source"]}
    )  # fmt: skip


def _binance_fee_rates(client: Any, symbols: list[str]) -> pd.DataFrame:
    df = client.get_account_info().head(1)  # one row per asset; the rates are the account's
    return pd.DataFrame(
        {"account": df["account_type"].str.lower(), "symbol": None, "maker": df["commission_rates_maker"],
         "taker": df["commission_rates_taker"], "source": "get_account_info"}
    )  # fmt: skip


def _bitget_transfers(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    # Bitget's transfer history wants a coin and a source account per call; its bills list every
    # transfer of the spot account, with the other side unnamed.
    return _paired_transfers(_bitget_ledger(client, start, end))


def _kucoin_transfers(client: Any, start: TimeLike | None, end: TimeLike | None) -> pd.DataFrame:
    return _paired_transfers(_kucoin_ledger(client, start, end))


def _paired_transfers(ledger: pd.DataFrame) -> pd.DataFrame:
    """Transfers from ledger entries: an outgoing and an incoming entry of the same asset, size
    and moment are one transfer between the two accounts; an unpaired one names one side only."""
    moves = ledger[ledger["type"] == "transfer"].assign(size=ledger["amount"].abs())
    keys = ["time", "asset", "size"]
    outgoing = moves[moves["amount"] < 0][[*keys, "id", "account"]]
    incoming = moves[moves["amount"] > 0][[*keys, "id", "account"]]
    pairs = outgoing.merge(incoming, on=keys, how="outer", suffixes=("_from", "_to"))
    return pd.DataFrame(
        {"account": pairs["account_from"].fillna(pairs["account_to"]), "time": pairs["time"],
         "id": pairs["id_from"].fillna(pairs["id_to"]), "asset": pairs["asset"], "amount": pairs["size"],
         "from_account": pairs["account_from"], "to_account": pairs["account_to"], "status": None}
    )  # fmt: skip


_MAPPINGS: dict[str, dict[str, Callable[..., pd.DataFrame]]] = {
    "balances": {
        "binance": _binance_balances,
        "bitget": _bitget_balances,
        "coinw": _coinw_balances,
        "kucoin": _kucoin_balances,
    },
    "ledger": {"bitget": _bitget_ledger, "kucoin": _kucoin_ledger},
    "deposits": {"bitget": _bitget_deposits, "coinw": _coinw_side(1), "kucoin": _kucoin_deposits},
    "withdrawals": {"bitget": _bitget_withdrawals, "coinw": _coinw_side(2), "kucoin": _kucoin_withdrawals},
    "transfers": {"bitget": _bitget_transfers, "kucoin": _kucoin_transfers},
    "fee_rates": {"binance": _binance_fee_rates, "bitget": _bitget_fee_rates, "kucoin": _kucoin_fee_rates},
}


def _clients(clients: Any) -> list[Any]:
    if isinstance(clients, Mapping):
        return list(clients.values())
    if isinstance(clients, Iterable) and not isinstance(clients, (str, bytes)):
        return list(clients)
    return [clients]


def _gather(kind: str, schema: Mapping[str, str], clients: Any, *args: Any) -> pd.DataFrame:
    frames = []
    skipped = []
    for client in _clients(clients):
        mapping = _MAPPINGS[kind].get(client.exchange)
        if mapping is None:
            skipped.append(client.exchange)
            continue
        frame = mapping(client, *args)
        frame.insert(0, "exchange", client.exchange)
        frames.append(conform(frame, schema))
    result = pd.concat(frames, ignore_index=True) if frames else conform(pd.DataFrame(), schema)
    if "time" in result and len(result):
        result = result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)
    result.attrs["kind"] = kind
    result.attrs["exchanges"] = [c.exchange for c in _clients(clients) if c.exchange not in skipped]
    if skipped:
        result.attrs["not_available"] = skipped
    return result


def balances(clients: Any) -> pd.DataFrame:
    """Current balances of every client, one row per exchange, account and asset."""
    return _gather("balances", BALANCES, clients)


def ledger(clients: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """Every ledger entry in ``[start, end]``, oldest first (exchanges without a ledger are listed
    in ``attrs["not_available"]``: Binance and CoinW build history from balance snapshots instead)."""
    return _gather("ledger", LEDGER, clients, start, end)


def deposits(
    clients: Any, start: TimeLike | None = None, end: TimeLike | None = None, asset: str | None = None
) -> pd.DataFrame:
    """Every deposit in ``[start, end]`` (of ``asset`` only, when given), oldest first."""
    return _gather("deposits", TRANSACTIONS, clients, start, end, asset)


def withdrawals(
    clients: Any, start: TimeLike | None = None, end: TimeLike | None = None, asset: str | None = None
) -> pd.DataFrame:
    """Every withdrawal in ``[start, end]`` (of ``asset`` only, when given), oldest first; ``fee`` is
    the withdrawal fee where known."""
    return _gather("withdrawals", TRANSACTIONS, clients, start, end, asset)


def transfers(clients: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """Transfers between a user's own accounts in ``[start, end]``, oldest first."""
    return _gather("transfers", TRANSFERS, clients, start, end)


def fees_paid(ledger: pd.DataFrame, withdrawals: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per fee paid, from unified ``ledger`` and (optionally) ``withdrawals`` frames.

    Trading fees are the ``fee`` of ledger entries; withdrawal fees come from ``withdrawals`` when
    given (the ledger's withdrawal entries are then left out, so nothing counts twice).
    """
    kinds = {"trade": "trading", "withdrawal": "withdrawal"}
    rows = ledger.assign(type=ledger["type"].map(kinds).fillna("other"), asset=ledger["fee_asset"])
    if withdrawals is not None:
        paid = withdrawals.assign(type="withdrawal", asset=withdrawals["fee_asset"])
        rows = pd.concat([rows[rows["type"] != "withdrawal"], paid], ignore_index=True)
    rows = rows[rows["fee"].fillna(0) > 0]
    result = conform(rows, FEES)
    return result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)


def fees(clients: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """Every fee paid in ``[start, end]``: trading fees from the ledgers, withdrawal fees from the
    withdrawal histories, oldest first. ``attrs["not_available"]`` lists exchanges with neither."""
    entries = ledger(clients, start, end)
    taken = withdrawals(clients, start, end)
    result = fees_paid(entries, taken)
    result.attrs["kind"] = "fees"
    covered = set(entries.attrs["exchanges"]) | set(taken.attrs["exchanges"])
    missing = [c.exchange for c in _clients(clients) if c.exchange not in covered]
    if missing:
        result.attrs["not_available"] = missing
    return result


def fee_rates(clients: Any, symbols: Iterable[str] = DEFAULT_SYMBOLS) -> pd.DataFrame:
    """The maker and taker rates in force: account-wide where the exchange has them (KuCoin,
    Binance), and per symbol (``"BTC/USDT"``) where it gives them (Bitget, KuCoin)."""
    names = [symbols] if isinstance(symbols, str) else list(symbols)
    if not names or not all(isinstance(s, str) and s.count("/") == 1 for s in names):
        raise ConfigurationError(f"symbols are 'BASE/QUOTE' strings such as 'BTC/USDT', got {names!r}.")
    return _gather("fee_rates", FEE_RATES, clients, [s.upper() for s in names])
