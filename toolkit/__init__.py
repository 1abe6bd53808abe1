"""Exchange Account Toolkit: your crypto-exchange accounts as pandas DataFrames.

>>> import toolkit as tk
>>> client = tk.connect("bitget", tk.Credentials.from_env("bitget"))   # doctest: +SKIP
>>> client.get_balances()                                             # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

# plots and widgets import plotly / ipywidgets only when a function is called.
from toolkit import demo_mode as _demo
from toolkit import errors, history, plots, store, unified, widgets
from toolkit.credentials import Credentials, resolve_credentials
from toolkit.credentials import session_credentials as _session_credentials
from toolkit.exchanges import REGISTRY, client_class
from toolkit.files import export
from toolkit.syncing import sync

__all__ = [
    "EXCHANGES",
    "Credentials",
    "connect",
    "demo",
    "errors",
    "export",
    "history",
    "plots",
    "store",
    "sync",
    "unified",
    "widgets",
]
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
    Without ``credentials`` it uses, in order, the ones this session's credentials form connected
    with, ``<EXCHANGE>_API_KEY`` / ``_API_SECRET`` / ``_API_PASSPHRASE`` from the environment, or
    the system keyring (``toolkit.credentials.resolve_credentials``).
    In demo mode (``tk.demo()``) the client gets fake demo credentials and replays cassettes.
    """
    cls = client_class(exchange)
    if _demo.active():
        # Never real keys in demo mode: the form's entry (fake keys typed there) or the demo's own.
        credentials = credentials or _session_credentials(exchange) or _demo.credentials(exchange)
        options.setdefault("sync_clock", False)
        return _demo.prepare(cls(credentials, base_url=base_url, **options))
    return cls(resolve_credentials(exchange, credentials), base_url=base_url, **options)
