"""One module per exchange; ``REGISTRY`` maps each exchange id to its client class."""

from __future__ import annotations

import importlib
from typing import Any

from toolkit.errors import ConfigurationError

# exchange id -> "module:ClassName", imported on first use.
REGISTRY = {
    "binance": "toolkit.exchanges.binance:BinanceClient",
    "bitget": "toolkit.exchanges.bitget:BitgetClient",
    "coinw": "toolkit.exchanges.coinw:CoinWClient",
    "kucoin": "toolkit.exchanges.kucoin:KucoinClient",
}


def client_class(exchange: str) -> type[Any]:
    try:
        target = REGISTRY[exchange.lower()]
    except (KeyError, AttributeError):
        raise ConfigurationError(
            f"Unknown exchange {exchange!r}; choose one of {', '.join(sorted(REGISTRY))}."
        ) from None
    module, name = target.split(":")
    cls: type[Any] = getattr(importlib.import_module(module), name)
    return cls
