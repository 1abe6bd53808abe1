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
snapshots      the balances columns, and taken_at
fees           exchange, account, time, id, asset, fee, type (trading, withdrawal, other)
fee_rates      exchange, account, symbol (``BASE/QUOTE``; missing for account-wide rates), maker,
               taker (fractions: 0.001 is 0.1 %), source (the call the rate came from)
=============  ==============================================================================

``type`` in the ledger is one of ``deposit``, ``withdrawal``, ``trade``, ``fee``, ``transfer``,
``other``; ``raw_type`` keeps the exchange's own label.

Where each column comes from: each exchange's own mappings, in
``toolkit/exchanges/<exchange>/unified.py`` (its docstring says which call and field each column
is read from). An exchange without a mapping for a kind is listed in ``attrs["not_available"]``.

Fees paid are the ledger's ``fee`` column (trading fees of ``trade`` entries and whatever else
carries one) plus each withdrawal's fee, so they exist where a ledger or withdrawal history does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import BALANCES, FEE_RATES, FEES, LEDGER, SNAPSHOTS, TRANSACTIONS, TRANSFERS, conform
from toolkit.errors import ConfigurationError
from toolkit.exchanges import descriptor

__all__ = [
    "BALANCES", "FEES", "FEE_RATES", "LEDGER", "SNAPSHOTS", "TRANSACTIONS", "TRANSFERS", "balances", "clients_of",
    "conform", "deposits", "fee_rates", "fees", "fees_paid", "ledger", "mapping", "snapshots", "transfers",
    "withdrawals",
]  # fmt: skip

DEFAULT_SYMBOLS = ("BTC/USDT",)


def clients_of(clients: Any) -> list[Any]:
    """One client, a list of clients or a dict of them, as a list."""
    if isinstance(clients, Mapping):
        return list(clients.values())
    if isinstance(clients, Iterable) and not isinstance(clients, (str, bytes)):
        return list(clients)
    return [clients]


def mapping(client: Any, kind: str) -> Callable[..., pd.DataFrame] | None:
    """The client's exchange's mapping for ``kind`` (``"ledger"``, ...), or None when it has none."""
    found: Callable[..., pd.DataFrame] | None = descriptor(client.exchange).unified.get(kind)
    return found


def _gather(kind: str, schema: Mapping[str, str], clients: Any, *args: Any) -> pd.DataFrame:
    frames = []
    skipped = []
    for client in clients_of(clients):
        mapped = mapping(client, kind)
        if mapped is None:
            skipped.append(client.exchange)
            continue
        frame = mapped(client, *args)
        frame.insert(0, "exchange", client.exchange)
        frames.append(conform(frame, schema))
    result = pd.concat(frames, ignore_index=True) if frames else conform(pd.DataFrame(), schema)
    if "time" in result and len(result):
        result = result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)
    result.attrs["kind"] = kind
    result.attrs["exchanges"] = [c.exchange for c in clients_of(clients) if c.exchange not in skipped]
    if skipped:
        result.attrs["not_available"] = skipped
    return result


def balances(clients: Any) -> pd.DataFrame:
    """Current balances of every client, one row per exchange, account and asset."""
    return _gather("balances", BALANCES, clients)


def ledger(clients: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """Every ledger entry in ``[start, end]``, oldest first. Binance's and CoinW's are built from
    their fills, deposits and withdrawals (they have no ledger API); exchanges without one are
    listed in ``attrs["not_available"]``."""
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


def snapshots(clients: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """The balances exchanges recorded themselves at the end of each day (Binance keeps a month), the
    ``balances`` columns and ``taken_at``: ``toolkit.history.residual`` checks the ledger against them."""
    return _gather("snapshots", SNAPSHOTS, clients, start, end)


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
    missing = [c.exchange for c in clients_of(clients) if c.exchange not in covered]
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
