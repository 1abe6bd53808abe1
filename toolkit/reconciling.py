"""The proof: ``tk.reconcile`` (does every balance follow from the events read?) and ``tk.coverage``
(what was read, how far back each exchange serves it, and whether it is complete).

``reconcile`` replays each exchange's unified ledger, in exact decimals, per account and asset,
and sets it against the balance the exchange reports now. The replay starts from the earliest
point whose balance is known: the running balance an exchange reports with an entry (Bitget's
bills, KuCoin's HF and unified ledgers), else zero at the start of the range. Every residual that
is not zero gets a named cause: a source that could not be read, a range the exchange no longer
serves, a fee the exchange does not report, an account that is not read, or "unexplained".
Where the exchange keeps daily snapshots (Binance), the replay is also walked against each one:
``diverges`` is the first day a snapshot and the replay disagree.
"""

from __future__ import annotations

import os
import warnings
from decimal import Decimal
from typing import Any

import pandas as pd

from toolkit import unified
from toolkit.core.frames import Exact
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.store import Store

__all__ = ["COVERAGE_COLUMNS", "RECONCILE_COLUMNS", "coverage", "reconcile"]

RECONCILE_COLUMNS = ("exchange", "account", "asset", "balance", "replayed", "residual", "cause", "diverges")
COVERAGE_COLUMNS = ("exchange", "account_type", "stream", "endpoint", "start", "end", "reach_start", "complete",
                    "error")  # fmt: skip
# Without a start: a year back (what tk.sync's first run reads too), less a day, so that every
# exchange that keeps a year still serves the first of it.
DEFAULT_SPAN = pd.Timedelta(days=364)
ZERO = Decimal(0)
KEYS = ["exchange", "account", "asset"]


def _range(start: TimeLike | None, end: TimeLike | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    end_ts = ms_to_timestamp(to_ms(end, "end") if end is not None else now_ms())
    start_ts = ms_to_timestamp(to_ms(start, "start")) if start is not None else end_ts - DEFAULT_SPAN
    return start_ts, end_ts


def reconcile(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    balances: pd.DataFrame | None = None,
    ledger: pd.DataFrame | Store | None = None,
    snapshots: pd.DataFrame | None = None,
    errors: str = "collect",
) -> pd.DataFrame:
    """One row per exchange, account and asset: ``balance`` (what the exchange says now),
    ``replayed`` (the ledger summed from its earliest known balance), ``residual`` (balance -
    replayed), ``cause`` (why a residual is not zero; empty when it is), ``diverges`` (the first
    day a daily snapshot of the exchange disagrees with the replay; NaT where none does or none is
    kept). Amounts are exact decimals. ``start`` defaults to a year back, ``end`` to now.

    ``errors`` as in ``toolkit.unified``: with ``"collect"`` an exchange or a source that fails is
    left out, a warning says so, ``attrs["failures"]`` lists it, and the residuals it leaves are
    caused by it. ``balances``, ``ledger``, ``snapshots``: the ``tk.unified`` frames of ``clients``
    you already have (read with ``exact=True`` for residuals to the digit), to spare reading them again;
    ``ledger`` may be a ``toolkit.store.Store``: its ledger, the API's history merged with the
    exchanges' exports (``Store.ledger``), so history from before the API's reach counts.
    """
    unified.check_errors(errors)
    chosen = unified.clients_of(clients)
    first, last = _range(start, end)
    with warnings.catch_warnings(category=unified.PartialResult, action="ignore"):  # said once, below
        balances = _exact(balances, unified.BALANCES) if balances is not None else unified.balances(
            chosen, errors=errors, exact=True)  # fmt: skip
        if isinstance(ledger, Store):  # what tk.sync fetched and the exports added, each event once
            held = ledger.ledger(first, last, exact=True)
            book = held[held["exchange"].isin({client.exchange for client in chosen})]
        else:
            book = _exact(ledger, unified.LEDGER) if ledger is not None else unified.ledger(
                chosen, first, last, errors=errors, exact=True)  # fmt: skip
        recent = max(first, last - pd.Timedelta(days=30))  # Binance keeps a month of daily snapshots
        snapshots = _exact(snapshots, unified.SNAPSHOTS) if snapshots is not None else unified.snapshots(
            chosen, recent, last, errors=errors, exact=True)  # fmt: skip
    failures = [*balances.attrs.get("failures", []), *book.attrs.get("failures", [])]
    rows = []
    for (exchange, account, asset), held in _keys(balances, book).items():
        entries = book[(book["exchange"] == exchange) & (book["account"] == account) & (book["asset"] == asset)]
        replayed = _opening(entries) + _sum(entries["amount"])
        residual = held - replayed
        cause = "" if residual == 0 else _cause(exchange, account, asset, entries, balances, book, failures, first)
        walked = snapshots[(snapshots["exchange"] == exchange) & (snapshots["account"] == account)
                           & (snapshots["asset"] == asset)]  # fmt: skip
        rows.append({"exchange": exchange, "account": account, "asset": asset, "balance": held, "replayed": replayed,
                     "residual": residual, "cause": cause, "diverges": _diverges(walked, entries, held)})  # fmt: skip
    out = pd.DataFrame(rows, columns=list(RECONCILE_COLUMNS))
    for column in ("balance", "replayed", "residual"):  # shown as written: 0.00000000, not 0E-8
        out[column] = pd.Series([Exact(v) for v in out[column]], index=out.index, dtype="object")
    out = out.astype({"exchange": "str", "account": "str", "asset": "str", "cause": "str"})
    out["diverges"] = pd.to_datetime(out["diverges"], utc=True).astype("datetime64[ns, UTC]")
    out = out.sort_values(KEYS, kind="stable").reset_index(drop=True)
    out.attrs = {"start": first, "end": last, "complete": book.attrs.get("complete", {})}
    if failures:
        out.attrs["failures"] = failures
        unified.warn_failures("reconcile", failures)
    return out


def _exact(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    """A given frame with Decimal amounts (a float frame's values as their shortest repr), its attrs kept."""
    out = unified.conform(frame, schema, exact=True)
    out.attrs = dict(frame.attrs)
    return out


def _keys(balances: pd.DataFrame, ledger: pd.DataFrame) -> dict[tuple[str, str, str], Decimal]:
    """Every account and asset the balances or the ledger name, with its balance now (0 if none)."""
    held: dict[tuple[str, str, str], Decimal] = {}
    for key, total in zip(map(tuple, balances[KEYS].to_numpy()), balances["total"], strict=True):
        held[key] = held.get(key, ZERO) + (total if total is not None else ZERO)
    for key in map(tuple, ledger[KEYS].drop_duplicates().to_numpy()):
        held.setdefault(key, ZERO)
    return held


def _sum(values: pd.Series) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


def _opening(entries: pd.DataFrame) -> Decimal:
    """The balance before the first entry: what that entry's running balance says it was, where the
    exchange reports one; else zero (the range is taken to start before any activity)."""
    known = entries[entries["balance"].notna()]
    if known.empty:
        return ZERO
    first = known.sort_values("time", kind="stable").iloc[0]
    earlier = entries[entries["time"] < first["time"]]
    return first["balance"] - first["amount"] - _sum(earlier["amount"])


def _cause(
    exchange: str,
    account: str,
    asset: str,
    entries: pd.DataFrame,
    balances: pd.DataFrame,
    ledger: pd.DataFrame,
    failures: list[dict[str, str]],
    first: pd.Timestamp,
) -> str:
    """The named reason a residual is not zero, the most specific first."""
    reports = ledger.attrs.get("coverage", {}).get(exchange, [])
    unread = [r for r in reports if r.get("error") and (not r.get("account_types") or account in r["account_types"])]
    if unread:
        return "; ".join(f"{r['endpoint']} not read for this account type ({r['error']})" for r in unread)
    failed = [f for f in failures if f["exchange"] == exchange]
    if failed:
        return "; ".join(f"{f['missing']} not read ({f['error']})" for f in failed)
    gaps = [r for r in reports if r.get("unreachable")]
    if gaps:
        return f"range not reached: the ledger starts {min(r['end'] for r in gaps)}"
    fees_unknown = entries[(entries["type"] == "withdrawal") & entries["fee"].isna()]
    if len(fees_unknown):
        return f"fee not reported by {exchange}"
    if not ((balances["exchange"] == exchange) & (balances["account"] == account)).any():
        return f"account {account} not read"
    if entries.empty or entries["balance"].notna().any():
        return "unexplained"
    return f"range not reached: the ledger starts {first}" if entries["time"].min() > first else "unexplained"


def _diverges(snapshots: pd.DataFrame, entries: pd.DataFrame, held: Decimal) -> pd.Timestamp | None:
    """The first snapshot moment where the balance then (now, less everything booked after it)
    differs from the snapshot's total."""
    for moment, total in sorted(zip(snapshots["taken_at"], snapshots["total"], strict=True)):
        after = _sum(entries.loc[entries["time"] > moment, "amount"])
        if total is not None and total != held - after:
            return moment.normalize()
    return None


# ----------------------------------------------------------------------------- coverage


def coverage(source: Any, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
    """What is held or read, per exchange, account type and stream: ``endpoint``, the ``start``
    and ``end`` read, ``reach_start`` (how far back the exchange serves it; NaT: as far as the
    account goes, or not documented), ``complete``, and the ``error`` of a read that failed.

    ``source`` is a ``toolkit.store.Store`` (or its path): what ``tk.sync`` holds, as it last
    recorded it; or clients: their ledgers, deposits and withdrawals are read over ``[start, end]``
    (default: a year to now) and what each read covered is listed.
    """
    if isinstance(source, (Store, str, os.PathLike)):
        db = source if isinstance(source, Store) else Store(source)
        try:
            rows = db.coverage()
        finally:
            if db is not source:
                db.close()
    else:
        first, last = _range(start, end)
        rows = []
        with warnings.catch_warnings(category=unified.PartialResult, action="ignore"):
            for stream in ("ledger", "deposits", "withdrawals"):
                frame = getattr(unified, stream)(source, first, last)
                for exchange, reports in frame.attrs["coverage"].items():
                    rows += stream_rows(exchange, stream, reports)
                for failed in frame.attrs.get("failures", []):
                    if not any(r["exchange"] == failed["exchange"] and r["stream"] == stream for r in rows):
                        rows.append({"exchange": failed["exchange"], "stream": stream, "complete": False,
                                     "error": f"{failed['error']}: {failed['message']}"})  # fmt: skip
    out = pd.DataFrame(rows, columns=list(COVERAGE_COLUMNS))
    for column in ("start", "end", "reach_start"):
        out[column] = pd.to_datetime(out[column], utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
    out["complete"] = out["complete"].astype("boolean")
    text = ["exchange", "account_type", "stream", "endpoint", "error"]
    out[text] = out[text].astype("object").where(out[text].notna(), "").astype("str")
    return out.sort_values(["exchange", "stream", "account_type", "start"], kind="stable").reset_index(drop=True)


def stream_rows(exchange: str, stream: str, reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Coverage rows of one stream of one exchange, from what its reads reported (one per account type)."""
    rows = []
    for report in reports:
        for account_type in report.get("account_types") or [""]:
            rows.append({
                "exchange": exchange, "account_type": account_type, "stream": stream, "endpoint": report["endpoint"],
                "start": report.get("start"), "end": report.get("end"), "reach_start": report.get("reach_start"),
                "complete": report.get("complete") is not False, "error": report.get("error", ""),
            })  # fmt: skip
    return rows
