"""One package per exchange; ``REGISTRY`` is the one place that lists them.

Each package's ``EXCHANGE`` (a ``toolkit.core.exchange.Exchange``) says what the rest of the
toolkit may know about it. Packages are imported on first use, so ``import toolkit`` loads none.
"""

from __future__ import annotations

import importlib
from typing import Any

from toolkit.core.exchange import Exchange
from toolkit.errors import ConfigurationError

# exchange id -> its package. Adding an exchange: its folder, and one line here.
REGISTRY = {
    "binance": "toolkit.exchanges.binance",
    "bitget": "toolkit.exchanges.bitget",
    "coinw": "toolkit.exchanges.coinw",
    "kucoin": "toolkit.exchanges.kucoin",
}


def descriptor(exchange: str) -> Exchange:
    """The descriptor of ``exchange`` (``"bitget"``, ...); ``ConfigurationError`` for an unknown one."""
    try:
        package = REGISTRY[exchange.lower()]
    except (KeyError, AttributeError):
        raise ConfigurationError(
            f"Unknown exchange {exchange!r}; choose one of {', '.join(sorted(REGISTRY))}."
        ) from None
    found: Exchange = importlib.import_module(package).EXCHANGE
    return found


def descriptors() -> list[Exchange]:
    """Every exchange's descriptor, in id order."""
    return [descriptor(exchange) for exchange in sorted(REGISTRY)]


def client_class(exchange: str) -> type[Any]:
    cls: type[Any] = descriptor(exchange).client
    return cls


def sensitive_names() -> tuple[frozenset[str], frozenset[str]]:
    """The header and parameter names every exchange's signer masks (lower case), with the generic ones."""
    from toolkit.core import redact

    for found in descriptors():
        found.client.auth.register()
    return frozenset(redact.SENSITIVE_HEADERS), frozenset(redact.SENSITIVE_PARAMS)
