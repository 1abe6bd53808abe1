"""What reading an exchange's own export file takes: the format an exchange declares (in its
``unified.py``, ``EXPORTS``), and the small readers of its cells. ``toolkit.imports`` reads the
files; each exchange's format turns their rows into unified ledger rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

from toolkit.errors import ConfigurationError

# An export's rows (each a dict of the text under each column name, as written) and its header ->
# ledger rows (account, time, asset, amount, fee, fee_asset, type, raw_type).
Rows = Callable[[list[dict[str, str]], list[str]], list[dict[str, Any]]]


@dataclass(frozen=True)
class ExportFormat:
    """An export file format: the columns that tell it (as ``column_key`` writes them) and its reader."""

    needs: frozenset[str]
    rows: Rows


def column_key(name: str) -> str:
    """A column's name as formats look it up: ``"User_ID"``, ``"user id"`` and ``" User ID"`` are one
    column (importers keep meeting the same export with its header recased or respaced)."""
    return " ".join(name.replace("_", " ").lower().split())


def cell(row: Mapping[str, str], name: str) -> str:
    """The text under column ``name`` (a ``column_key``) of a row keyed by ``column_key``."""
    return (row.get(name) or "").strip()


def amount(text: str, where: str) -> Decimal:
    """An amount as written (``-3.605E-05``, ``1,234.5``), every digit kept."""
    try:
        value = Decimal(text.strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ConfigurationError(f"{where}: {text!r} is not an amount") from None
    if not value.is_finite():
        raise ConfigurationError(f"{where}: {text!r} is not an amount")
    return value


def local_time(text: str, offset: str, where: str) -> pd.Timestamp:
    """A written time, in the zone ``offset`` (``"+08:00"``; ``""`` is UTC), as UTC."""
    try:
        moment = pd.Timestamp(text.strip())
    except ValueError:
        raise ConfigurationError(f"{where}: {text!r} is not a date and time") from None
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC") if offset in ("", "Z") else pd.Timestamp(f"{text.strip()}{offset}")
    return moment.tz_convert("UTC")


# Words that say what an entry was where the exact label is not known.
WORDS = (("transfer", "transfer"), ("deposit", "deposit"), ("withdraw", "withdrawal"), ("interest", "reward"),
         ("reward", "reward"), ("airdrop", "airdrop"), ("rebate", "rebate"), ("fee", "fee"))  # fmt: skip


def kind_of(label: str, known: Mapping[str, str]) -> str:
    """The ledger type of an export's label: ``known`` (lower case), else by the words it holds."""
    lowered = label.lower()
    return known.get(lowered) or next((kind for word, kind in WORDS if word in lowered), "other")
