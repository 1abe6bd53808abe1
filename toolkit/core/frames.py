"""JSON records -> typed DataFrames, per the design's contract.

Each endpoint declares its documented fields and their kind; this module turns the exchange's
records into a frame with snake_case columns and real dtypes:

* ``TIME``: epoch seconds or milliseconds (both occur, even within one exchange) ->
  ``datetime64[ns, UTC]``; ``UTC_TEXT``: the same from a written UTC time ("2019-10-12 11:12:02");
* ``NUM``: numeric strings or JSON numbers -> ``float64``, or ``Exact`` (``decimal.Decimal``) objects that
  keep every digit with ``exact=True``;
* ``STR``: identifiers and labels -> pandas string dtype (integers sent as numbers are kept as
  their exact digits);
* ``INT``/``BOOL``: nullable ``Int64`` / ``boolean``;
* ``OBJ``: lists and other values kept as they came.

Columns the exchange sends but does not document are kept, with pandas' own inference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

TIME, NUM, STR, INT, BOOL, OBJ = "time", "num", "str", "int", "bool", "obj"
# A UTC date and time written out ("2019-10-12 11:12:02"), as some exchanges send them.
UTC_TEXT = "utc_text"

_DTYPES = {
    TIME: "datetime64[ns, UTC]",
    UTC_TEXT: "datetime64[ns, UTC]",
    NUM: "float64",
    STR: "str",
    INT: "Int64",
    BOOL: "boolean",
    OBJ: "object",
}
# Epoch values below this are seconds (this is 1973 in ms and year 5138 in s).
_SECONDS_BELOW = 100_000_000_000

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


class Exact(Decimal):
    """A ``Decimal`` that prints in plain notation (``0.00000001``, ``-0.00000000``), not Python's
    ``1E-8`` / ``-0E-8``: what exact amounts too small for ``Decimal``'s own ``str()`` become
    (see ``decimals``). Arithmetic on it gives plain ``Decimal``s."""

    __slots__ = ()

    def __str__(self) -> str:
        return format(self, "f")


def decimals(texts: Sequence[str]) -> list[Decimal]:
    """``Decimal``s of numbers written as text, every digit kept; those that ``str()`` would show
    in exponent notation though written without one (``0.00000001`` -> ``1E-8``, ``0.00000000`` ->
    ``0E-8``: an adjusted exponent below -6) are ``Exact``, which shows them as written. (Only those:
    building an ``Exact`` costs three times a ``Decimal``.) Raises ``InvalidOperation`` for a word."""
    numbers = list(map(Decimal, texts))
    exponents = np.fromiter(map(Decimal.adjusted, numbers), dtype=np.int64, count=len(numbers))
    for row in np.flatnonzero(exponents < -6).tolist():  # found in C; usually none
        if "e" not in texts[row].lower():
            numbers[row] = Exact(texts[row])
    return numbers


# Records typed into a frame at a time where they are given away (``to_frame(consume=True)``, the
# history runner): a long answer or history then holds about this many records' worth of Python
# objects besides the typed frames (bench/RESULTS.md, peak memory).
BATCH = 5_000


class ConversionError(ValueError):
    """A value does not have the documented kind; the caller turns it into MalformedResponse."""


def snake_case(name: str) -> str:
    """``limitAvailable`` -> ``limit_available``, ``uTime`` -> ``u_time``, ``APIKey`` -> ``api_key``."""
    return _CAMEL.sub("_", name).replace("-", "_").replace(" ", "_").lower()


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects flattened with ``_``: ``{"a": {"b": 1}}`` -> ``{"a_b": 1}``."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        name = f"{prefix}_{key}" if prefix else key
        if isinstance(value, Mapping):
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat


def explode(records: Sequence[Mapping[str, Any]], field: str) -> list[Mapping[str, Any]]:
    """One row per element of each record's ``field`` list, with the parent's scalars repeated."""
    rows: list[Mapping[str, Any]] = []
    for record in records:
        parent = {k: v for k, v in record.items() if k != field}
        for child in record.get(field) or ():
            rows.append({**parent, **child})
    return rows


def exact_ints(records: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> list[Mapping[str, Any]]:
    """JSON integers made safe from pandas, which turns an int column with a gap into float64:
    in ``STR`` columns they become their digits, in ``NUM`` columns ``Decimal``."""
    kinds = {name: kind for name, kind in columns.items() if kind in (STR, NUM)}
    fixed: list[Mapping[str, Any]] = []
    for record in records:
        row = dict(record)
        for name, kind in kinds.items():
            value = row.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                row[name] = str(value) if kind == STR else Decimal(value)
        fixed.append(row)
    return fixed


def empty_frame(columns: Mapping[str, str], rename: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A frame with no rows and the declared columns, named as ``to_frame`` names them, with their dtypes."""
    return pd.DataFrame(
        {(rename or {}).get(c) or snake_case(c): pd.Series([], dtype=_DTYPES[k]) for c, k in columns.items()}
    )


def to_frame(
    records: Sequence[Mapping[str, Any]],
    columns: Mapping[str, str],
    *,
    exact: bool = False,
    rename: Mapping[str, str] | None = None,
    consume: bool = False,
) -> pd.DataFrame:
    """Typed frame of ``records``; ``columns`` maps the exchange's field names to kinds.

    ``rename`` gives descriptive names for fields whose own names say nothing (Binance's
    one-letter event fields); every other column is the field name in snake_case.

    ``consume``: the records (a list) are the caller's to give away. They are typed ``BATCH`` at
    a time and each batch is taken off the list once typed, so a large answer's objects are freed
    as it goes, in the order they were decoded, and their memory is reused for the typed values.
    """
    if consume and isinstance(records, list) and len(records) > BATCH:
        pieces = []
        while records:
            batch = records[:BATCH]
            del records[:BATCH]
            pieces.append(to_frame(batch, columns, exact=exact, rename=rename))
            del batch
        return pd.concat(pieces, ignore_index=True)
    if not records:
        return empty_frame(columns, rename)
    # Built column by column from the records (not through DataFrame.from_records, which makes an
    # object array of every value first): faster, and no second copy of the values at the peak.
    names = [*columns, *_undocumented(records, columns)]
    plain = set(map(type, records)) == {dict}
    data = {}
    for name in names:
        # map(dict.get) runs in C: twice as fast as the comprehension, for the usual plain dicts.
        values: list[Any] = (
            list(map(dict.get, records, repeat(name)))  # type: ignore[arg-type]
            if plain
            else [record.get(name) for record in records]
        )
        kind = columns.get(name)
        if kind:
            column = pd.Series(np.fromiter(values, dtype=object, count=len(values)), dtype="object", copy=False)
            data[name] = _convert(column, kind, exact)
        else:
            data[name] = _inferred(values)
    shown = [(rename or {}).get(c) or snake_case(c) for c in data]
    if len(set(shown)) == len(shown):  # named as shown straight away (a rename costs a copy's time)
        # copy=False: the columns were just made here; pandas would otherwise copy each once more.
        return pd.DataFrame(dict(zip(shown, data.values(), strict=True)), copy=False)
    frame = pd.DataFrame(data, copy=False)
    return frame.rename(columns=dict(zip(data, shown, strict=True)))


def _undocumented(records: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> list[str]:
    """The fields records carry beyond the documented ones, in the order they first appear."""
    extra = set().union(*records) - columns.keys()
    found: dict[str, None] = {}
    for record in records:
        if len(found) == len(extra):
            break
        found.update((key, None) for key in record if key in extra)
    return list(found)


def _inferred(values: list[Any]) -> pd.Series:
    """An undocumented field's values, typed as pandas infers them (as a DataFrame would)."""
    return pd.DataFrame({"v": values})["v"]


def _convert(column: pd.Series, kind: str, exact: bool) -> pd.Series:
    if kind == NUM:
        return _to_decimal(column) if exact else _to_float(column)
    if kind == TIME:
        return _to_time(column)
    if kind == UTC_TEXT:
        _refuse_containers(column, "a date and time")
        try:
            return pd.to_datetime(_blank_to_na(column), utc=True, format="ISO8601").astype("datetime64[ns, UTC]")
        except (ValueError, TypeError, OverflowError):
            raise ConversionError(f"not a date and time: {excerpt(column.dropna().iloc[0])}") from None
    if kind == STR:
        if isinstance(column.dtype, pd.StringDtype):
            return column.astype("str")
        if not (column.dtype == object and _all_text(column)):
            _refuse_containers(column, "text")
            column = column.map(_exact_str, na_action="ignore")
        return text_column(column)
    if kind == INT:
        numbers = _to_float(column)
        bad = numbers.notna() & ((numbers % 1 != 0) | (numbers.abs() >= 2**63))
        if bad.any():
            raise ConversionError(f"not an integer: {numbers[bad].iloc[0]!r}")
        return numbers.astype("Int64")
    if kind == BOOL:
        return column.map(_to_bool, na_action="ignore").astype("boolean")
    return column.astype("object")


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas 3's "str" dtype
# Arrow buffers of text come from the system allocator: pyarrow's default pool keeps what it
# frees for reuse, which made a column of text cost 2-3x its size in resident memory at the peak
# (see bench/RESULTS.md), and a long history's columns are copied more than once.
SYSTEM_POOL = pa.system_memory_pool()


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the operating system, where the C library is glibc.

    An allocator call, kept because it decides the history target (peak <= 2x the frame; issue 29).
    glibc keeps memory freed in its heaps resident, above all in the worker threads' arenas where
    a long window's pages are typed: the pages' buffers, once copied into the final frame, and
    each column the runner's last step has copied would otherwise count twice at the peak. Peak
    RSS / frame of ``Client.history`` over KuCoin's ledger (answers decoded from bytes, no HTTP),
    5 repeats of each, variants alternated on a shared 2-core machine:

    * 365 one-day windows x 3,000 rows (1.1 M rows, frame 201 MiB, 50 ms a page, cache off):
      trimmed 1.74 1.83 2.16 1.70 1.68; never 1.90 2.10 2.48 1.94 2.03; only after the
      pieces are joined 1.88 1.75 1.74 1.68 1.78;
    * one window of 1 M rows (bench/memory.py's shape, frame 184 MiB): trimmed 1.96 1.97 1.97
      1.96 1.99; never 3.11 3.08 3.09 3.11 3.14; only after the join 2.88 2.88 2.86 2.90 2.88.

    Called where the runner has just let go of a copy: the joined pieces and each column taken.
    Not after ``_repeated``'s sort (dropped): without it 1.72 1.72 1.72 1.68 1.67 against 1.69
    1.70 1.73 1.68 1.68 (the year), 1.97 1.95 1.97 1.97 1.96 against 1.95 1.95 1.94 1.96 1.95
    (one window). Without the one after the join, the year peaked at 1.87 1.94 1.88 1.89 1.87.
    """
    global _trim
    if _trim is None:
        import ctypes

        try:
            _trim = getattr(ctypes.CDLL(None), "malloc_trim", False)
        except (OSError, TypeError):  # no C library to open by name (Windows)
            _trim = False
    if _trim:
        _trim(0)


_trim: Any = None


def text_column(column: pd.Series) -> pd.Series:
    """An object column of text (and gaps) as a ``str`` column."""
    array = pa.array(column.to_numpy(), type=pa.large_string(), from_pandas=True, memory_pool=SYSTEM_POOL)
    return text_series(array, column.index)


def text_series(array: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """A ``str`` Series over Arrow text, without a copy (pandas wraps an Arrow array it is given)."""
    return pd.Series(array, dtype=_TEXT, index=index, copy=False)


def is_arrow_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"


def arrow_array(column: pd.Series) -> pa.Array:
    """An Arrow-backed column's values as one Arrow array (its chunks combined, when there are several)."""
    values = pa.array(column)  # the column's own Arrow data (an array or its chunks), not a copy
    if isinstance(values, pa.Array):
        return values
    # concat_arrays, not combine_chunks, which allocates from the default pool whatever it is told.
    return values.chunk(0) if values.num_chunks == 1 else pa.concat_arrays(values.chunks, memory_pool=SYSTEM_POOL)


def _refuse_containers(column: pd.Series, what: str) -> None:
    """A list, an object or a JSON true where the endpoint documents a scalar is a malformed answer.

    Only object columns can hold them (pandas infers a string or number dtype otherwise), so the
    common case costs nothing.
    """
    if column.dtype == object:
        for value in column:
            if isinstance(value, (list, dict, bool)):
                raise ConversionError(f"not {what}: {excerpt(value)}")
    elif pd.api.types.is_bool_dtype(column.dtype):
        raise ConversionError(f"not {what}: {column.iloc[0]!r}")


def excerpt(value: Any, size: int = 120) -> str:
    """A short text of ``value`` for an error message."""
    text = repr(value)
    return text if len(text) <= size else text[: size - 3] + "..."


def _blank_to_na(column: pd.Series) -> pd.Series:
    if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
        return column.where(column != "", None)
    return column


def _all_text(column: pd.Series) -> bool:
    """Every value a string (or missing): the common case, converted without looking at each."""
    return bool(pd.api.types.infer_dtype(column, skipna=True) == "string")


def _fast_floats(column: pd.Series) -> pd.Series | None:
    """Numbers written as text or sent as JSON numbers, with no gap, converted by numpy in one
    go; None when anything needs the careful path (a gap, a blank, a word, a bool, a container)."""
    if column.dtype != object or len(column) == 0:
        return None
    # Without skipping missing values, a gap makes it "mixed": only gapless columns pass.
    if pd.api.types.infer_dtype(column, skipna=False) not in ("string", "floating", "integer", "mixed-integer-float"):
        return None
    try:
        numbers = column.to_numpy().astype("float64")
    except (ValueError, TypeError, OverflowError):
        return None
    if np.isnan(numbers).any():  # "nan" parses as NaN: the careful path names it
        return None
    return pd.Series(numbers, index=column.index)


def _to_float(column: pd.Series) -> pd.Series:
    fast = _fast_floats(column)
    if column.dtype == "float64":
        numbers = column
    elif fast is not None:
        numbers = fast
    else:
        _refuse_containers(column, "a number")
        values = _blank_to_na(column)
        try:
            numbers = pd.to_numeric(values, errors="coerce")
        except (OverflowError, TypeError, ValueError):
            raise ConversionError(f"not a number: {excerpt(values.iloc[0])}") from None
        bad = numbers.isna() & values.notna()
        if bad.any():
            raise ConversionError(f"not a number: {excerpt(values[bad].iloc[0])}")
        numbers = numbers.astype("float64")
    if np.isinf(numbers.to_numpy()).any():
        raise ConversionError("not a finite number: inf")
    return numbers


def _to_decimal(column: pd.Series) -> pd.Series:
    values = column.to_numpy()
    if pd.api.types.infer_dtype(column, skipna=False) == "string":  # the usual case: all amounts as text, no gap
        try:
            written = decimals(values)
        except (InvalidOperation, ValueError):
            pass  # a word among the numbers: the checks below name it
        else:
            if all(map(Decimal.is_finite, written)):
                return pd.Series(written, index=column.index, dtype="object")
    _to_float(column)  # the float path's checks: numbers only, finite, no containers
    # A binary float already lost digits before it got here; repr() is its shortest exact text.
    exact: list[Decimal | None] = [
        None if v is None or v == "" or v is pd.NA else Exact(repr(v) if type(v) is float else v) for v in values
    ]
    return pd.Series(exact, index=column.index, dtype="object")


# The times pandas can hold (datetime64[ns]): 1970 onwards, to 2262, in milliseconds.
_LATEST_MS = 9_200_000_000_000_000 // 1_000
# Epoch values at or above these are microseconds and nanoseconds (KuCoin moved some fields to
# nanoseconds in 2026): the bands of seconds, ms, us and ns up to 2262 do not overlap.
_MICROS_FROM, _NANOS_FROM = 100_000_000_000_000, 100_000_000_000_000_000


def _millis(numbers: np.ndarray) -> np.ndarray:
    """Epoch seconds, milliseconds, microseconds or nanoseconds (told apart by size) as milliseconds."""
    scale = np.select(
        [numbers < _SECONDS_BELOW, numbers >= _NANOS_FROM, numbers >= _MICROS_FROM], [1000.0, 1e-6, 1e-3], 1.0
    )
    return numbers * scale


def _to_time(column: pd.Series) -> pd.Series:
    numbers = _to_float(column)
    millis = _millis(numbers.to_numpy())
    bad = (millis < 0) | (millis > _LATEST_MS)
    if bad.any():
        raise ConversionError(f"not a time: {excerpt(numbers[bad].iloc[0])}")
    whole = millis.astype("int64") if not np.isnan(millis).any() else None
    if whole is not None and (whole == millis).all():  # whole milliseconds, none missing: the usual answer
        nanos = (whole * 1_000_000).view("datetime64[ns]")  # exact in integers; half a to_datetime's time
        return pd.Series(pd.DatetimeIndex(nanos).tz_localize("UTC"), index=column.index)
    return pd.Series(pd.to_datetime(millis, unit="ms", utc=True), index=column.index).astype("datetime64[ns, UTC]")


def is_time(millis: np.ndarray) -> np.ndarray:
    """Which epoch milliseconds are times a frame can hold (not NaN, 1970 to 2262)."""
    return (millis >= 0) & (millis <= _LATEST_MS)


def epoch_ms(values: Sequence[Any], kind: str) -> np.ndarray:
    """Records' raw times (``TIME`` or ``UTC_TEXT``) as epoch milliseconds, NaN where a value is
    missing or not a time: for checks on records before they are typed (which names bad values)."""
    if kind == UTC_TEXT:
        parsed = pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601", errors="coerce")
        return _ns_or_nan(parsed) / 1e6
    try:
        numbers = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype="float64")
    except (TypeError, ValueError):  # containers among the values: typing names them
        return np.full(len(values), np.nan)
    return _millis(numbers)


def _ns_or_nan(times: pd.Series) -> np.ndarray:
    ns = times.dt.as_unit("ns").array.asi8.astype("float64")
    ns[times.isna().to_numpy()] = np.nan
    return ns


def _exact_str(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ConversionError(f"not a boolean: {excerpt(value)}")
