"""One module per exchange; ``REGISTRY`` maps each exchange id to its client class."""

from __future__ import annotations

import importlib

from toolkit.core.client import RestClient
from toolkit.errors import ConfigurationError

# exchange id -> "module:ClassName", imported on first use.
REGISTRY = {
    "bitget": "toolkit.exchanges.bitget:BitgetClient",
}


def client_class(exchange: str) -> type[RestClient]:
    try:
        target = REGISTRY[exchange.lower()]
    except (KeyError, AttributeError):
        raise ConfigurationError(
            f"Unknown exchange {exchange!r}; choose one of {', '.join(sorted(REGISTRY))}."
        ) from None
    module, name = target.split(":")
    cls: type[RestClient] = getattr(importlib.import_module(module), name)
    return cls
