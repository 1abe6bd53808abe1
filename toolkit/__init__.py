"""Exchange Account Toolkit: your crypto-exchange accounts as pandas DataFrames.

>>> import toolkit as tk
>>> client = tk.connect("bitget", tk.Credentials.from_env("bitget"))   # doctest: +SKIP
>>> client.get_balances()                                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from toolkit import errors
from toolkit.credentials import Credentials
from toolkit.exchanges import REGISTRY, client_class

__all__ = ["EXCHANGES", "Credentials", "connect", "errors"]
__version__ = "0.1.0"

EXCHANGES = tuple(sorted(REGISTRY))


def connect(
    exchange: str, credentials: Credentials | None = None, *, base_url: str | None = None, **options: Any
) -> Any:
    """A client for ``exchange`` (one of ``EXCHANGES``).

    ``base_url`` points it at a testnet, a proxy or a local test server. Other options:
    ``timeout=(connect, read)`` seconds, ``max_retries`` for reads, ``sync_clock`` (measure the
    offset to the exchange's clock before signing; default True), ``progress`` (progress bars).
    """
    return client_class(exchange)(credentials, base_url=base_url, **options)
