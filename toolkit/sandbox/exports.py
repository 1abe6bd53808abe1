"""The exchanges' own export files of a sandbox account: the same events the sandbox serves, in
the format each exchange's website writes (as ``toolkit.imports`` reads them; the formats and
what about them is UNCONFIRMED are in its docstring). SYNTHETIC, like the accounts. Each
exchange's stand-in writes its own format (its ``export_rows(entries)``: the header, then a row an
entry); this module picks the entries of the period and writes the file.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from toolkit.sandbox import stand_in
from toolkit.sandbox.account import Account, Entry


def when(entry: Entry, hours: int = 0) -> str:
    """An entry's time as the export files write it: ``hours`` ahead of UTC, to the second."""
    return (datetime.fromtimestamp(entry.time / 1000, UTC) + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")


def write(exchange: str, account: Account, path: Path, start_ms: int = 0, end_ms: int | None = None) -> Path:
    """Write ``account``'s history from ``start_ms`` to ``end_ms`` (default: all of it) to ``path`` in
    ``exchange``'s export format (CSV), as its website exports a period; ``ValueError`` for an
    exchange whose export the toolkit does not read."""
    with account.lock:
        entries = [e for e in account.entries if start_ms <= e.time and (end_ms is None or e.time <= end_ms)]
    rows = getattr(stand_in(exchange), "export_rows", None)
    if rows is None:
        raise ValueError(f"{exchange} has no export file the toolkit reads")
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(rows(entries))
    return path
