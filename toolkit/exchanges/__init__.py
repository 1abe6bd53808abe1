"""One package per exchange; ``REGISTRY`` is the one place that lists them.

Each package's ``EXCHANGE`` (a ``toolkit.core.exchange.Exchange``) says what the rest of the
toolkit may know about it. Packages are imported on first use, so ``import toolkit`` loads none.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Literal, Protocol, overload

from toolkit.core.credentials import Credentials
from toolkit.core.exchange import Exchange
from toolkit.errors import ConfigurationError

if TYPE_CHECKING:
    from toolkit.exchanges.binance import BinanceClient
    from toolkit.exchanges.bitget import BitgetClient
    from toolkit.exchanges.coinw import CoinWClient
    from toolkit.exchanges.kucoin import KucoinClient

# exchange id -> its package. Adding an exchange: its folder, and one line here.
REGISTRY = {
    "binance": "toolkit.exchanges.binance",
    "bitget": "toolkit.exchanges.bitget",
    "coinw": "toolkit.exchanges.coinw",
    "kucoin": "toolkit.exchanges.kucoin",
}


class Connect(Protocol):
    """``tk.connect`` as type checkers and editors see it: the client class each exchange id gives
    (one overload an exchange, beside its ``REGISTRY`` line; at run time the descriptor decides)."""

    @overload
    def __call__(self, exchange: Literal["binance"], credentials: Credentials | None = None, *,
                 base_url: str | None = None, **options: Any) -> BinanceClient: ...  # fmt: skip
    @overload
    def __call__(self, exchange: Literal["bitget"], credentials: Credentials | None = None, *,
                 base_url: str | None = None, **options: Any) -> BitgetClient: ...  # fmt: skip
    @overload
    def __call__(self, exchange: Literal["coinw"], credentials: Credentials | None = None, *,
                 base_url: str | None = None, **options: Any) -> CoinWClient: ...  # fmt: skip
    @overload
    def __call__(self, exchange: Literal["kucoin"], credentials: Credentials | None = None, *,
                 base_url: str | None = None, **options: Any) -> KucoinClient: ...  # fmt: skip
    @overload
    def __call__(self, exchange: str, credentials: Credentials | None = None, *,
                 base_url: str | None = None, **options: Any) -> Any: ...  # fmt: skip


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
