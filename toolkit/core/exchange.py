"""What the rest of the toolkit may know about an exchange: its descriptor.

Each exchange package builds one ``Exchange`` in its ``__init__``; every registry (``tk.connect``,
the credentials form's labels, the unified view's mappings, cassette scrubbing) reads these, so no
table outside ``toolkit/exchanges/`` lists exchange facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd

from toolkit.core.exported import ExportFormat

# The kinds of toolkit.unified; an exchange's mapping for a kind is the function of that name.
KINDS = ("balances", "ledger", "deposits", "withdrawals", "transfers", "fee_rates", "snapshots")


def mappings(module: ModuleType) -> dict[str, Callable[..., pd.DataFrame]]:
    """An exchange's ``unified`` module's mappings: its functions named after a unified kind."""
    return {kind: getattr(module, kind) for kind in KINDS if callable(getattr(module, kind, None))}


@dataclass(frozen=True)
class Exchange:
    """One exchange: ``id`` (as in ``tk.connect(id)``), display ``label``, whether keys come with a
    ``passphrase``, its ``client`` class, its ``unified`` mappings (``toolkit.unified`` kind ->
    ``mapping(client, *args) -> frame`` in the shared vocabulary) and the ``exports`` of its website
    the toolkit reads (its ``unified.EXPORTS``)."""

    id: str
    label: str
    client: type[Any]
    passphrase: bool = False
    unified: Mapping[str, Callable[..., pd.DataFrame]] = field(default_factory=dict)
    # The exchange's own export files the toolkit reads (``toolkit.imports``), by format name.
    exports: Mapping[str, ExportFormat] = field(default_factory=dict)
    # What its stand-in needs, kept with the exchange: the sandbox app ("module:Class", its
    # folder's sandbox.py), the transport it speaks ("http" or "websocket": Binance's WebSocket API),
    # the demo account's profile (its funding and trading accounts, activity, event kinds) and the
    # account model of a newer account of this exchange (tk.demo(newer_accounts=True)), if any.
    sandbox: str = ""
    transport: str = "http"
    demo_profile: Mapping[str, Any] = field(default_factory=dict)
    newer_model: str | None = None

    @property
    def redact_headers(self) -> tuple[str, ...]:
        """Header names that carry credentials (masked in logs, errors, reprs and cassettes)."""
        return tuple(self.client.auth.secret_headers)

    @property
    def redact_params(self) -> tuple[str, ...]:
        """Query and body parameter names that carry credentials."""
        return tuple(self.client.auth.secret_params)
