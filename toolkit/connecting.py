"""``tk.connect``: a client for an exchange, with credentials found the way the README describes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, overload

from toolkit import demo_mode
from toolkit.core.credentials import Credentials
from toolkit.credentials import resolve_credentials, session_credentials
from toolkit.exchanges import client_class

if TYPE_CHECKING:
    from toolkit.exchanges.binance import BinanceClient
    from toolkit.exchanges.bitget import BitgetClient
    from toolkit.exchanges.coinw import CoinWClient
    from toolkit.exchanges.kucoin import KucoinClient


@overload
def connect(
    exchange: Literal["binance"],
    credentials: Credentials | None = None,
    *,
    base_url: str | None = None,
    **options: Any,
) -> BinanceClient: ...
@overload
def connect(
    exchange: Literal["bitget"],
    credentials: Credentials | None = None,
    *,
    base_url: str | None = None,
    **options: Any,
) -> BitgetClient: ...
@overload
def connect(
    exchange: Literal["coinw"],
    credentials: Credentials | None = None,
    *,
    base_url: str | None = None,
    **options: Any,
) -> CoinWClient: ...
@overload
def connect(
    exchange: Literal["kucoin"],
    credentials: Credentials | None = None,
    *,
    base_url: str | None = None,
    **options: Any,
) -> KucoinClient: ...
@overload
def connect(
    exchange: str, credentials: Credentials | None = None, *, base_url: str | None = None, **options: Any
) -> Any: ...
def connect(
    exchange: str, credentials: Credentials | None = None, *, base_url: str | None = None, **options: Any
) -> Any:
    """A client for ``exchange`` (one of ``EXCHANGES``).

    ``base_url`` points it at a testnet, a proxy or a local test server. Other options:
    ``timeout=(connect, read)`` seconds, ``max_retries`` for reads, ``sync_clock`` (measure the
    offset to the exchange's clock before signing; default True), ``progress`` (progress bars).
    Without ``credentials`` it uses, in order, the ones this session's credentials form connected
    with, ``<EXCHANGE>_API_KEY`` / ``_API_SECRET`` / ``_API_PASSPHRASE`` from the environment, or
    the system keyring (``toolkit.credentials.resolve_credentials``).
    In demo mode (``tk.demo()``) the client gets fake demo credentials and replays cassettes.
    """
    cls = client_class(exchange)
    if demo_mode.active():
        # Never real keys in demo mode: the form's entry (fake keys typed there) or the demo's own.
        credentials = credentials or session_credentials(exchange) or demo_mode.credentials(exchange)
        return demo_mode.connect(cls, exchange.lower(), credentials, base_url, **options)
    return cls(resolve_credentials(exchange, credentials), base_url=base_url, **options)
