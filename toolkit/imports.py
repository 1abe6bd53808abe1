"""The exchanges' own exports, read into the unified ledger: history from before the API's reach.

``tk.imports.read(path)`` takes a CSV, an XLSX or a ZIP of them, tells the format from the header
(or ``format=``), and returns the ``tk.unified.ledger`` columns plus ``source``
(``"export:<file name>"``). Columns are found by name, so a reordered or an added column is read;
an unknown header is refused, naming the formats known. Amounts are read from their text, every
digit kept (``Decimal`` with ``exact=True``).

The formats are the exchanges' own (each declares its ``EXPORTS`` in
``toolkit/exchanges/<exchange>/unified.py``, whose docstring says what each column becomes, from
which source, and what is UNCONFIRMED): ``formats()`` lists them.
"""

from __future__ import annotations

import csv
import io
import os
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.core.exported import ExportFormat, column_key
from toolkit.core.vocabulary import LEDGER, conform
from toolkit.errors import ConfigurationError
from toolkit.exchanges import descriptors

__all__ = ["IMPORT_COLUMNS", "formats", "read"]

IMPORT_COLUMNS = {**LEDGER, "source": "str"}


def formats() -> dict[str, tuple[str, ExportFormat]]:
    """Every export format the toolkit reads: name -> (exchange, format)."""
    return {name: (d.id, spec) for d in descriptors() for name, spec in d.exports.items()}


# ----------------------------------------------------------------------------- files


def _tables(path: Path) -> Iterator[tuple[str, list[list[str]]]]:
    """(name, rows as text) of each table a file holds: the CSV, each XLSX sheet, each in a ZIP."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            for member in sorted(archive.namelist()):
                if member.lower().endswith((".csv", ".xlsx")):
                    inner = Path(member)
                    yield from _tables_of(inner.name, inner.suffix.lower(), archive.read(member))
        return
    yield from _tables_of(path.name, suffix, path.read_bytes())


def _tables_of(name: str, suffix: str, content: bytes) -> Iterator[tuple[str, list[list[str]]]]:
    if suffix == ".xlsx":
        try:
            import openpyxl
        except ImportError:
            raise ConfigurationError(
                "reading an XLSX export needs openpyxl: pip install 'exchange-account-toolkit[notebook]'"
            ) from None
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        for sheet in book.worksheets:
            rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
            yield f"{name} ({sheet.title})", rows
        return
    text = content.decode("utf-8-sig")  # a leading BOM is common in these exports
    yield name, list(csv.reader(io.StringIO(text)))


def _detect(written: list[str], where: str, known: dict[str, tuple[str, ExportFormat]]) -> str:
    names = {column_key(name) for name in written}
    found = [name for name, (_, spec) in known.items() if spec.needs <= names]
    if not found:
        listed = "; ".join(f"{name} ({', '.join(sorted(spec.needs))})" for name, (_, spec) in known.items())
        raise ConfigurationError(
            f"{where}: a header the toolkit does not know ({', '.join(written)}). It reads {listed}."
        )
    return found[0]


def read(path: str | os.PathLike[str], format: str | None = None, *, exact: bool = False) -> pd.DataFrame:
    """The ledger rows of an exchange's export file (CSV, XLSX, or a ZIP of them): the
    ``tk.unified.ledger`` columns and ``source`` = ``"export:<file name>"``, oldest first.

    ``format`` is one of ``formats()`` (default: told from the header). ``exact=True``: amounts as
    ``Decimal``, every digit written. ids are the row's own place in the file's history, stable
    across files that overlap: ``export:<account>:<asset>:<time ms>:<amount>:<n>`` (the n-th such
    row), so the same event read from two exports is one row (``toolkit.store.Store.add_export``
    merges them with what the API gave).
    """
    file = Path(path).expanduser()
    if not file.exists():
        raise ConfigurationError(f"no such export file: {file}")
    known = formats()
    if format is not None and format not in known:
        raise ConfigurationError(f"format is one of {', '.join(known)}, got {format!r}.")
    rows: list[dict[str, Any]] = []
    exchange = ""
    for name, table in _tables(file):
        cells = [row for row in table if any(cell.strip() for cell in row)]
        if not cells:
            continue
        header = [column_key(cell) for cell in cells[0]]
        chosen = format or _detect([cell.strip() for cell in cells[0]], name, known)
        exchange, spec = known[chosen]
        missing = spec.needs - set(header)
        if missing:
            raise ConfigurationError(f"{name}: the {chosen} format needs the columns {sorted(missing)}")
        records = [dict(zip(header, row, strict=False)) for row in cells[1:]]
        records = [r for r in records if "no matching records" not in " ".join(r.values()).lower()]
        rows += [{**row, "exchange": exchange, "source": f"export:{file.name}"} for row in spec.rows(records, header)]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return conform(pd.DataFrame(), IMPORT_COLUMNS, exact=exact).assign(exchange=exchange)
    frame = frame.sort_values("time", kind="stable").reset_index(drop=True)
    frame["id"] = _ids(frame)
    return conform(frame, IMPORT_COLUMNS, exact=exact)


def _ids(frame: pd.DataFrame) -> pd.Series:
    """``export:<account>:<asset>:<time ms>:<amount>:<n>``, n counting equal rows from 0."""
    base = ("export:" + frame["account"] + ":" + frame["asset"] + ":"
            + (frame["time"].astype("int64") // 1_000_000).astype(str) + ":"
            + frame["amount"].map(lambda v: format(Decimal(v).normalize(), "f")))  # fmt: skip
    return base + ":" + base.groupby(base).cumcount().astype(str)
