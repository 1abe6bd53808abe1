"""A local embedded store (one SQLite file): balance snapshots, fetched history, sync cursors.

>>> from toolkit.store import Store
>>> with Store("~/exchange-data.sqlite") as store:                      # doctest: +SKIP
...     store.save_snapshot(tk.unified.balances(clients))
...     new = store.append("kucoin.ledger", ledger, key=["exchange", "id"])
...     store.set_cursor("kucoin.ledger", ledger["time"].max())

Frames come back as they went in: every column keeps its dtype, because the store records each
column's dtype next to the data and stores the values losslessly:

==========================  ========  ==================================================
dtype                       SQLite    how
==========================  ========  ==================================================
``datetime64[.., tz]``      INTEGER   nanoseconds since the epoch, UTC (naive means UTC)
``float64``/``float32``     REAL      the same 8-byte IEEE value; NaN as NULL
``int64``/``Int64``         INTEGER
``bool``/``boolean``        INTEGER   0/1
``str``/``string``          TEXT
``object`` of Decimal       TEXT      ``str(Decimal)``: every digit and the exponent
``object`` of str           TEXT
``object`` of other values  TEXT      JSON (lists, dicts, numbers)
==========================  ========  ==================================================

Each write is one transaction, committed before the call returns, so a kernel that dies or
restarts loses nothing written and never leaves half an append behind; opening the same file
again finds everything.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import imports
from toolkit.core.frames import decimals
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, to_ms
from toolkit.core.vocabulary import conform
from toolkit.errors import ConfigurationError

__all__ = ["BALANCES_COLUMNS", "Store"]

BALANCES_COLUMNS = ("exchange", "account", "asset", "free", "locked", "total", "time")
_SNAPSHOTS = "snapshots"
_SNAPSHOT_KEY = ["taken_at", "exchange", "account", "asset"]
# What snapshots() returns before the first snapshot, so that callers always see the same columns.
_SNAPSHOT_DTYPES = {
    "taken_at": "datetime64[ns, UTC]",
    "exchange": "str",
    "account": "str",
    "asset": "str",
    "free": "float64",
    "locked": "float64",
    "total": "float64",
    "time": "datetime64[ns, UTC]",
}
_SCHEMA_VERSION = 2
# The rows of the exchanges' own export files (``add_export``), apart from what the API gave.
EXPORT_STREAM = "ledger:export"
# Values other than times, as SQLite gets them; str(Decimal) keeps every digit and the exponent.
_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "real": float,
    "integer": int,
    "bool": lambda v: int(bool(v)),
    "text": str,
    "decimal": str,
    "json": lambda v: json.dumps(v, default=str),
}
_SQL_TYPES = {
    "time": "INTEGER",
    "real": "REAL",
    "integer": "INTEGER",
    "bool": "INTEGER",
    "text": "TEXT",
    "decimal": "TEXT",
    "json": "TEXT",
}


class Store:
    """Snapshots, history streams and cursors in one SQLite file.

    Parameters
    ----------
    path : str or path-like
        The database file, created with its folders if missing; ``":memory:"`` for a store that
        lives only as long as the object (tests).

    Notes
    -----
    Use it as a context manager, or call ``close()``. Streams are named by the caller
    (``"kucoin.ledger"``, ``"bitget.deposits"``); each keeps the key it was first appended with.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            target = Path(self.path).expanduser()
            target.parent.mkdir(parents=True, exist_ok=True)
            self.path = str(target)
        # Autocommit mode: transactions are explicit (_transaction), so schema changes and the rows
        # that need them commit or roll back together.
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._init_schema()

    def __repr__(self) -> str:
        return f"Store({self.path!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file; everything written is already committed."""
        self._db.close()

    # Snapshots ---------------------------------------------------------------------------------

    def save_snapshot(self, balances: pd.DataFrame, taken_at: TimeLike | None = None) -> int:
        """Store a BALANCES frame as the snapshot taken at ``taken_at`` (now when omitted).

        Returns the number of rows stored. Saving the same frame with the same ``taken_at`` again
        replaces it rather than duplicating it.
        """
        _require(balances, BALANCES_COLUMNS, "save_snapshot")
        when = pd.Timestamp.now(tz="UTC") if taken_at is None else _timestamp(taken_at, "taken_at")
        frame = balances.drop(columns=["taken_at"], errors="ignore")
        frame.insert(0, "taken_at", pd.Series(when, index=frame.index, dtype="datetime64[ns, UTC]"))
        self._upsert(_SNAPSHOTS, frame, _SNAPSHOT_KEY)
        return len(frame)

    def snapshots(self, exchange: str | None = None, asset: str | None = None) -> pd.DataFrame:
        """Every stored snapshot row, oldest first, optionally for one exchange and/or asset."""
        filters = [(f"{_quote(c)} = ?", v) for c, v in (("exchange", exchange), ("asset", asset)) if v is not None]
        frame = self._read(_SNAPSHOTS, filters, order=_SNAPSHOT_KEY)
        if frame is None:
            return pd.DataFrame({c: pd.Series([], dtype=d) for c, d in _SNAPSHOT_DTYPES.items()})
        return frame

    # History streams -----------------------------------------------------------------------------

    def append(self, stream: str, df: pd.DataFrame, key: Sequence[str]) -> int:
        """Insert or update ``df``'s rows in ``stream``, matching rows by ``key``; returns how many are new.

        Appending the same rows again adds nothing (and returns 0); a row whose key is stored
        already gets the new values. Columns new to the stream are added, and older rows read
        back as NA in them. An object column that holds only NA says nothing about its type and
        is left out until a frame brings values for it.
        """
        return self._upsert(_stream_table(stream), df, list(key))

    def load(self, stream: str, start: TimeLike | None = None, end: TimeLike | None = None) -> pd.DataFrame:
        """The rows of ``stream`` with their original dtypes, sorted by ``time`` when it has one.

        ``start`` (inclusive) and ``end`` (exclusive) select on the ``time`` column; naive
        times mean UTC. A stream never appended to gives an empty frame without columns.
        """
        table = _stream_table(stream)
        filters: list[tuple[str, Any]] = []
        if start is not None or end is not None:
            columns = self._columns(table)
            if columns and columns.get("time", ("",))[0] != "time":
                raise ConfigurationError(f"load: stream {stream!r} has no datetime column 'time' to select on.")
            if start is not None:
                filters.append(('"time" >= ?', _timestamp(start, "start").value))
            if end is not None:
                filters.append(('"time" < ?', _timestamp(end, "end").value))
        frame = self._read(table, filters, order=["time"])
        return pd.DataFrame() if frame is None else frame

    def streams(self) -> list[str]:
        """The names of the streams stored so far."""
        rows = self._db.execute("SELECT DISTINCT tbl FROM toolkit_columns WHERE tbl LIKE 'stream:%' ORDER BY tbl")
        return [name.removeprefix("stream:") for (name,) in rows]

    # Cursors -------------------------------------------------------------------------------------

    def cursor(self, stream: str) -> pd.Timestamp | None:
        """Where the next sync of ``stream`` should fetch from (UTC), or None before the first sync."""
        row = self._db.execute("SELECT ns FROM toolkit_cursors WHERE stream = ?", (stream,)).fetchone()
        return None if row is None else pd.Timestamp(row[0], unit="ns", tz="UTC")

    def set_cursor(self, stream: str, ts: TimeLike) -> None:
        """Record where the next sync of ``stream`` should fetch from; naive times mean UTC."""
        value = _timestamp(ts, "ts").value
        with self._transaction():
            self._db.execute(
                "INSERT INTO toolkit_cursors (stream, ns) VALUES (?, ?) "
                "ON CONFLICT (stream) DO UPDATE SET ns = excluded.ns",
                (stream, value),
            )

    # The exchanges' own exports, merged with what the API gave -------------------------------------

    def add_export(
        self,
        path: str | os.PathLike[str],
        format: str | None = None,
        *,
        start: TimeLike | None = None,
        end: TimeLike | None = None,
    ) -> int:
        """Add an exchange's export file (``tk.imports.read``) to the store; returns how many rows are
        new. Adding the same file, or one that overlaps it, again adds nothing twice. ``ledger()``
        merges these rows with the API's.

        ``start`` and ``end``: the period the file was exported for (the exchanges' websites ask for
        one); the store then holds that period complete from the export, so ``tk.sync`` counts a range
        the API no longer serves as complete where the export covers it. A file does not say its
        period, so the default is its first row to its last: the time before the first row is not
        proven empty."""
        rows = imports.read(path, format, exact=True)
        periods = {}
        for exchange, group in rows.groupby("exchange"):
            first, last = group["time"].min(), group["time"].max()
            lo = ms_to_timestamp(to_ms(start, "start")) if start is not None else first
            hi = ms_to_timestamp(to_ms(end, "end")) if end is not None else last
            if lo > first or hi < last:
                raise ConfigurationError(
                    f"{Path(path).name}: its rows run from {first} to {last}, outside the period given ({lo} to {hi})"
                )
            periods[exchange] = (lo, hi)
        added = self.append(EXPORT_STREAM, rows, key=["exchange", "id"])
        held = self.load(EXPORT_STREAM)
        for exchange, (lo, hi) in periods.items():
            name = f"{exchange}:ledger:export"
            self.add_range(name, lo, hi)
            its = held[held["exchange"] == exchange]
            sources, accounts = sorted(set(its["source"])), sorted(set(its["account"]))
            self.save_coverage(name, [
                {"exchange": exchange, "account_type": account, "stream": "ledger", "endpoint": ", ".join(sources),
                 "start": held_lo, "end": held_hi, "complete": True, "error": ""}
                for account in accounts for held_lo, held_hi in self.ranges(name)
            ])  # fmt: skip
        return added

    def ledger(
        self, start: TimeLike | None = None, end: TimeLike | None = None, *, exact: bool = False
    ) -> pd.DataFrame:
        """The ledger held, each real event once: what ``tk.sync`` fetched (``source`` = ``"api"``)
        and the exports added. An account's asset in one second that both hold is the API's rows
        (their ``source`` naming the export too: ``"api+export:<file>"``); where they disagree on what
        that second moved, the API's are kept and ``attrs["conflicts"]`` lists the second. ``exact=True``:
        amounts as ``Decimal``, as ``tk.sync`` and ``add_export`` store them (for ``tk.reconcile``)."""
        api = self.load("ledger", start, end) if "ledger" in self.streams() else pd.DataFrame()
        exported = self.load(EXPORT_STREAM, start, end) if EXPORT_STREAM in self.streams() else pd.DataFrame()
        return merged_ledger(api, exported, exact=exact)

    # Ranges held complete ----------------------------------------------------------------------

    def add_range(self, stream: str, start: TimeLike, end: TimeLike) -> None:
        """Record that ``stream`` holds every record from ``start`` to ``end`` (both included);
        overlapping and touching ranges merge into one."""
        lo, hi = _timestamp(start, "start").value, _timestamp(end, "end").value
        if lo > hi:
            raise ConfigurationError(f"add_range: start ({start}) is after end ({end}).")
        with self._transaction():
            held = self._db.execute(
                "SELECT start_ns, end_ns FROM toolkit_ranges WHERE stream = ? ORDER BY start_ns", (stream,)
            ).fetchall()
            merged = _merge([*held, (lo, hi)])
            self._db.execute("DELETE FROM toolkit_ranges WHERE stream = ?", (stream,))
            self._db.executemany(
                "INSERT INTO toolkit_ranges (stream, start_ns, end_ns) VALUES (?, ?, ?)",
                [(stream, a, b) for a, b in merged],
            )

    def ranges(self, stream: str) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The ranges of ``stream`` held complete, oldest first, as UTC (start, end) pairs."""
        rows = self._db.execute(
            "SELECT start_ns, end_ns FROM toolkit_ranges WHERE stream = ? ORDER BY start_ns", (stream,)
        )
        return [(pd.Timestamp(a, unit="ns", tz="UTC"), pd.Timestamp(b, unit="ns", tz="UTC")) for a, b in rows]

    def missing(self, stream: str, start: TimeLike, end: TimeLike) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
        """The parts of ``[start, end]`` that ``stream`` does not hold complete, oldest first."""
        lo, hi = _timestamp(start, "start"), _timestamp(end, "end")
        gaps = []
        for held_lo, held_hi in self.ranges(stream):
            if held_hi < lo or held_lo > hi:
                continue
            if held_lo > lo:
                gaps.append((lo, held_lo))
            lo = max(lo, held_hi)
        if lo < hi:
            gaps.append((lo, hi))
        return gaps

    def save_coverage(self, stream: str, rows: list[dict[str, Any]]) -> None:
        """Record what ``stream`` holds and lacks, as ``tk.coverage`` lists it (``toolkit.reconciling``)."""
        text = json.dumps(rows, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
        with self._transaction():
            self._db.execute(
                "INSERT INTO toolkit_coverage (stream, rows) VALUES (?, ?) ON CONFLICT (stream) DO UPDATE SET "
                "rows = excluded.rows",
                (stream, text),
            )

    def coverage(self) -> list[dict[str, Any]]:
        """Every stream's coverage rows as ``save_coverage`` recorded them (times as ISO text)."""
        rows = self._db.execute("SELECT rows FROM toolkit_coverage ORDER BY stream")
        return [row for (text,) in rows for row in json.loads(text)]

    # Internals -----------------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _init_schema(self) -> None:
        (version,) = self._db.execute("PRAGMA user_version").fetchone()
        if version > _SCHEMA_VERSION:
            raise ConfigurationError(
                f"{self.path} was written by a newer toolkit (store format {version}); upgrade the toolkit to read it."
            )
        with self._transaction():
            # One row per stored column: its SQLite table, name, storage kind and pandas dtype.
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS toolkit_columns (tbl TEXT NOT NULL, name TEXT NOT NULL, "
                "kind TEXT NOT NULL, dtype TEXT NOT NULL, position INTEGER NOT NULL, PRIMARY KEY (tbl, name))"
            )
            self._db.execute("CREATE TABLE IF NOT EXISTS toolkit_keys (tbl TEXT PRIMARY KEY, key TEXT NOT NULL)")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS toolkit_cursors (stream TEXT PRIMARY KEY, ns INTEGER NOT NULL)"
            )
            # Format 2: the ranges of each stream held complete (a format 1 file has none yet, and
            # its next sync fetches them again: rows are upserted, so nothing is duplicated).
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS toolkit_ranges (stream TEXT NOT NULL, start_ns INTEGER NOT NULL, "
                "end_ns INTEGER NOT NULL, PRIMARY KEY (stream, start_ns))"
            )
            # What each stream holds and lacks, per account type and endpoint, for tk.coverage.
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS toolkit_coverage (stream TEXT PRIMARY KEY, rows TEXT NOT NULL)"
            )
            self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def _columns(self, table: str) -> dict[str, tuple[str, str]]:
        """Stored columns of ``table`` in order: name -> (kind, dtype)."""
        rows = self._db.execute(
            "SELECT name, kind, dtype FROM toolkit_columns WHERE tbl = ? ORDER BY position", (table,)
        )
        return {name: (kind, dtype) for name, kind, dtype in rows}

    def _upsert(self, table: str, df: pd.DataFrame, key: list[str]) -> int:
        where = table.removeprefix("stream:")
        if not isinstance(df, pd.DataFrame):
            raise ConfigurationError(f"{where}: expected a DataFrame, got {type(df).__name__}.")
        if not key:
            raise ConfigurationError(f"{where}: key must name at least one column.")
        _require(df, key, where)
        if df.columns.duplicated().any():
            duplicates = sorted(set(df.columns[df.columns.duplicated()]))
            raise ConfigurationError(f"{where}: duplicate column names {duplicates}.")
        for column in key:
            if df[column].isna().any():
                raise ConfigurationError(
                    f"{where}: key column {column!r} has missing values; rows could not be told apart."
                )

        with self._transaction():
            stored_key = self._db.execute("SELECT key FROM toolkit_keys WHERE tbl = ?", (table,)).fetchone()
            if stored_key is not None and json.loads(stored_key[0]) != key:
                raise ConfigurationError(f"{where}: stored with key {json.loads(stored_key[0])}, not {key}.")
            columns = self._columns(table)
            kinds = self._add_columns(table, df, columns, where)
            if stored_key is None:
                self._create_table(table, key, kinds)
            names = [c for c in df.columns if c in kinds]
            if df.empty:
                return 0
            values = zip(*(_encode(df[c], kinds[c]) for c in names), strict=True)
            updates = [f"{_quote(c)} = excluded.{_quote(c)}" for c in names if c not in key]
            on_conflict = f"DO UPDATE SET {', '.join(updates)}" if updates else "DO NOTHING"
            sql = (
                f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, names))}) "
                f"VALUES ({', '.join('?' * len(names))}) ON CONFLICT ({', '.join(map(_quote, key))}) {on_conflict}"
            )
            count = f"SELECT COUNT(*) FROM {_quote(table)}"
            (before,) = self._db.execute(count).fetchone()
            self._db.executemany(sql, values)
            (after,) = self._db.execute(count).fetchone()
        return int(after - before)

    def _add_columns(
        self, table: str, df: pd.DataFrame, columns: dict[str, tuple[str, str]], where: str
    ) -> dict[str, str]:
        """Register ``df``'s new columns (and add them to an existing table); returns name -> kind."""
        kinds = {name: kind for name, (kind, _) in columns.items()}
        exists = bool(columns)
        for name in df.columns:
            if not isinstance(name, str):
                raise ConfigurationError(f"{where}: column names must be strings, got {name!r}.")
            kind = _kind(df[name], where)
            if name in kinds:
                if kind is not None and kind != kinds[name]:
                    raise ConfigurationError(
                        f"{where}: column {name!r} is stored as {columns[name][1]} ({columns[name][0]}); "
                        f"this frame has {df[name].dtype} ({kind}). Convert it to the stored dtype."
                    )
                continue
            if kind is None:
                continue
            self._db.execute(
                "INSERT INTO toolkit_columns (tbl, name, kind, dtype, position) VALUES (?, ?, ?, ?, ?)",
                (table, name, kind, str(df[name].dtype), len(kinds)),
            )
            if exists:
                self._db.execute(f"ALTER TABLE {_quote(table)} ADD COLUMN {_quote(name)} {_SQL_TYPES[kind]}")
            kinds[name] = kind
        return kinds

    def _create_table(self, table: str, key: list[str], kinds: dict[str, str]) -> None:
        definitions = ", ".join(f"{_quote(n)} {_SQL_TYPES[k]}" for n, k in kinds.items())
        self._db.execute(f"CREATE TABLE {_quote(table)} ({definitions})")
        key_columns = ", ".join(map(_quote, key))
        self._db.execute(f"CREATE UNIQUE INDEX {_quote(table + ':key')} ON {_quote(table)} ({key_columns})")
        self._db.execute("INSERT INTO toolkit_keys (tbl, key) VALUES (?, ?)", (table, json.dumps(key)))

    def _read(self, table: str, filters: list[tuple[str, Any]], order: list[str]) -> pd.DataFrame | None:
        """The rows of ``table`` as a typed frame; None when the table does not exist."""
        columns = self._columns(table)
        if not columns:
            return None
        where = f" WHERE {' AND '.join(sql for sql, _ in filters)}" if filters else ""
        ordering = [_quote(c) for c in order if c in columns] + ["rowid"]
        sql = f"SELECT {', '.join(map(_quote, columns))} FROM {_quote(table)}{where} ORDER BY {', '.join(ordering)}"
        rows = self._db.execute(sql, [value for _, value in filters]).fetchall()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        decoded = zip(columns.items(), values, strict=True)
        return pd.DataFrame({name: _decode(list(column), kind, dtype) for (name, (kind, dtype)), column in decoded})


def merged_ledger(api: pd.DataFrame, exported: pd.DataFrame, *, exact: bool = False) -> pd.DataFrame:
    """API ledger rows and export rows as one history (see ``Store.ledger``)."""
    columns = list(imports.IMPORT_COLUMNS)
    frames = [f for f in (api, exported) if len(f)]
    if not frames:
        return conform(pd.DataFrame(), imports.IMPORT_COLUMNS, exact=exact)
    api = api.assign(source="api") if len(api) else pd.DataFrame(columns=columns)
    exported = exported if len(exported) else pd.DataFrame(columns=columns)
    keys = ["exchange", "account", "asset", "second"]

    def grouped(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(second=pd.to_datetime(frame["time"], utc=True).dt.floor("s"))

    def moved(frame: pd.DataFrame) -> pd.Series:
        exact_amounts = [Decimal(str(v)) for v in frame["amount"]]  # the store keeps them as written
        return frame.assign(amount=exact_amounts).groupby(keys)["amount"].sum()

    api, exported = grouped(api), grouped(exported)
    both = moved(api).to_frame("api").join(moved(exported).to_frame("export"), how="inner")
    conflicts = [dict(zip(keys, k, strict=True)) for k, row in both.iterrows() if row["api"] != row["export"]]
    shared = set(both.index)
    in_both = exported[[tuple(k) in shared for k in exported[keys].to_numpy()]]
    named = in_both.groupby(keys)["source"].agg(lambda s: "+".join(sorted(set(s))))
    marks = [named.get(tuple(k)) for k in api[keys].to_numpy()]
    api["source"] = ["api" if m is None else f"api+{m}" for m in marks]
    only_exported = exported[[tuple(k) not in shared for k in exported[keys].to_numpy()]]
    out = pd.concat([f for f in (api, only_exported) if len(f)], ignore_index=True)
    out = conform(out.sort_values("time", kind="stable"), imports.IMPORT_COLUMNS, exact=exact)
    out.attrs["conflicts"] = conflicts
    return out


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping and touching spans joined, oldest first."""
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _stream_table(stream: str) -> str:
    if not isinstance(stream, str) or not stream:
        raise ConfigurationError(f"a stream name must be a non-empty string, got {stream!r}.")
    # The prefix keeps stream tables apart from the store's own (snapshots, toolkit_*).
    return f"stream:{stream}"


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _require(df: Any, columns: Sequence[str], where: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ConfigurationError(f"{where}: expected a DataFrame, got {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigurationError(f"{where}: missing columns {missing} (got {list(df.columns)}).")


def _timestamp(value: TimeLike, name: str) -> pd.Timestamp:
    """A UTC Timestamp from any time input the toolkit accepts, keeping sub-millisecond digits."""
    if isinstance(value, (bool, int, float)):
        return pd.Timestamp(to_ms(value, name), unit="ms", tz="UTC")
    to_ms(value, name)  # the toolkit's own validation and error message for bad input
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _kind(column: pd.Series, where: str) -> str | None:
    """How a column is stored; None for an object column with no value to tell."""
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "time"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "integer"
    if pd.api.types.is_float_dtype(dtype):
        return "real"
    if isinstance(dtype, pd.StringDtype):
        return "text"
    if pd.api.types.is_object_dtype(dtype):
        present = [v for v in column if not _missing(v)]
        if not present:
            return None
        if all(isinstance(v, Decimal) for v in present):
            return "decimal"
        if all(isinstance(v, str) for v in present):
            return "text"
        return "json"
    raise ConfigurationError(f"{where}: column {column.name!r} has dtype {dtype}, which the store cannot keep.")


def _encode(column: pd.Series, kind: str) -> list[Any]:
    if kind == "time":
        times = pd.to_datetime(column, utc=True).dt.as_unit("ns")
        return [None if gap else int(ns) for ns, gap in zip(times.array.asi8, times.isna(), strict=True)]
    convert = _ENCODERS[kind]
    return [None if _missing(v) else convert(v) for v in column]


def _decode(values: list[Any], kind: str, dtype: str) -> pd.Series:
    if kind == "time":
        target = pd.api.types.pandas_dtype(dtype)
        times = pd.to_datetime(pd.Series(values, dtype="Int64"), unit="ns", utc=True)
        tz = getattr(target, "tz", None)
        times = times.dt.tz_convert(tz) if tz is not None else times.dt.tz_localize(None)
        return times.astype(target)
    if kind == "real":
        return pd.Series(values, dtype="float64").astype(dtype)
    if kind in ("integer", "bool"):
        nullable = pd.Series(values, dtype="Int64" if kind == "integer" else "boolean")
        # int64/bool cannot hold the NA that rows from before the column existed have.
        return nullable if nullable.isna().any() else nullable.astype(dtype)
    if kind == "text":
        return pd.Series(values, dtype=dtype)
    if kind == "decimal":
        present = [v for v in values if v is not None]
        numbers = iter(decimals(present))
        return pd.Series([None if v is None else next(numbers) for v in values], dtype=object)
    return pd.Series([None if v is None else json.loads(v) for v in values], dtype=object)
