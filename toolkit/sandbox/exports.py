"""The exchanges' own export files of a sandbox account: the same events the sandbox serves, in
the format each exchange's website writes (as ``toolkit.imports`` reads them; the formats and
what about them is UNCONFIRMED are in its docstring). SYNTHETIC, like the accounts.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from toolkit.sandbox.account import Account, Entry

# Each kind of entry as Binance's statement names it (its Operation).
BINANCE = {"deposit": "Deposit", "withdrawal": "Withdraw", "fee": "Transaction Fee", "convert": "Binance Convert",
           "dust": "Small Assets Exchange BNB", "transfer": "Transfer Between Main and Funding Wallet",
           "earn_subscribe": "Simple Earn Flexible Subscription", "earn_redeem": "Simple Earn Flexible Redemption",
           "reward": "Simple Earn Flexible Interest"}  # fmt: skip
# KuCoin's and Bitget's labels, as their ledgers name the kinds.
KUCOIN = {"deposit": "Deposit", "withdrawal": "Withdrawal", "trade": "Trade_Exchange", "transfer": "Transfer",
          "reward": "Rewards", "rebate": "Fee Rebate", "airdrop": "Airdrop/Fork"}  # fmt: skip
BITGET = {"deposit": ("Deposit", ""), "withdrawal": ("Withdrawal", ""), "trade": ("Trading", ""),
          "transfer": ("Fund transfer", "Transfer in/out"), "rebate": ("Financial management", "Rebate rewards"),
          "airdrop": ("Financial management", "Airdrop rewards")}  # fmt: skip


def _when(entry: Entry, hours: int = 0) -> str:
    return (datetime.fromtimestamp(entry.time / 1000, UTC) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def _trade_operation(entry: Entry) -> str:
    """A fill's legs: what it bought or sold, and what it spent or received."""
    bought = entry.amount > 0
    if entry.asset == "USDT":
        return "Transaction Revenue" if bought else "Transaction Spend"
    return "Transaction Buy" if bought else "Transaction Sold"


def write(exchange: str, account: Account, path: Path, start_ms: int = 0, end_ms: int | None = None) -> Path:
    """Write ``account``'s history from ``start_ms`` to ``end_ms`` (default: all of it) to ``path`` in
    ``exchange``'s export format (CSV), as its website exports a period."""
    with account.lock:
        entries = [e for e in account.entries if start_ms <= e.time and (end_ms is None or e.time <= end_ms)]
    with path.open("w", newline="", encoding="utf-8") as file:
        out = csv.writer(file)
        if exchange == "binance":
            out.writerow(["User_ID", "UTC_Time", "Account", "Operation", "Coin", "Change", "Remark"])
            for e in entries:
                operation = _trade_operation(e) if e.kind == "trade" else BINANCE[e.kind]
                out.writerow(["100000001", _when(e), e.account.capitalize(), operation, e.asset, f"{e.amount:.8f}", ""])
        elif exchange == "kucoin":
            out.writerow(["UID", "Account Type", "Currency", "Side", "Amount", "Fee", "Time(UTC)", "Remark", "Type"])
            for e in entries:
                side = "Deposit" if e.amount > 0 else "Withdrawal"
                out.writerow(["10000001", e.account.upper(), e.asset, side, f"{abs(e.amount):.8f}", f"{e.fee:.8f}",
                              _when(e), KUCOIN[e.kind], KUCOIN[e.kind]])  # fmt: skip
        elif exchange == "bitget":
            out.writerow(["Type", "Action", "Creation timestamp (+8 UTC)", "Coin", "Quantity", "Fees"])
            for e in entries:
                kind, action = BITGET[e.kind]
                out.writerow([kind, action, _when(e, hours=8), e.asset, f"{e.amount:.8f}", f"{e.fee:.8f}"])
        else:
            raise ValueError(f"{exchange} has no export file the toolkit reads")
    return path
