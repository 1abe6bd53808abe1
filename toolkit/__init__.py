"""Exchange Account Toolkit: your crypto-exchange accounts as pandas DataFrames.

>>> import toolkit as tk
>>> client = tk.connect("bitget", tk.Credentials.from_env("bitget"))   # doctest: +SKIP
>>> client.get_balances()                                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from toolkit import demo_mode as _demo
from toolkit import errors
from toolkit.credentials import Credentials
from toolkit.exchanges import REGISTRY, client_class

__all__ = ["EXCHANGES", "Credentials", "connect", "demo", "errors"]
__version__ = "0.1.0"

EXCHANGES = tuple(sorted(REGISTRY))
demo = _demo.demo


def connect(
    exchange: str, credentials: Credentials | None = None, *, base_url: str | None = None, **options: Any
) -> Any:
    """A client for ``exchange`` (one of ``EXCHANGES``).

    ``base_url`` points it at a testnet, a proxy or a local test server. Other options:
    ``timeout=(connect, read)`` seconds, ``max_retries`` for reads, ``sync_clock`` (measure the
    offset to the exchange's clock before signing; default True), ``progress`` (progress bars).
    In demo mode (``tk.demo()``) the client gets fake demo credentials and replays cassettes.
    """
    if _demo.active():
        credentials = credentials or _demo.credentials(exchange)
        options.setdefault("sync_clock", False)
    return client_class(exchange)(credentials, base_url=base_url, **options)
