"""``tk.connect``: a client for an exchange, with credentials found the way the README describes."""

from __future__ import annotations

import difflib
import inspect
from typing import Any

from toolkit import demo_mode
from toolkit.core.credentials import Credentials
from toolkit.credentials import resolve_credentials, session_credentials
from toolkit.errors import ConfigurationError
from toolkit.exchanges import Connect, client_class


def _connect(
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
    _check_options(exchange, cls, {"base_url": base_url, **options})
    if demo_mode.active():
        # Never real keys in demo mode: the form's entry (fake keys typed there) or the demo's own.
        credentials = credentials or session_credentials(exchange) or demo_mode.credentials(exchange)
        return demo_mode.connect(cls, exchange.lower(), credentials, base_url, **options)
    return cls(resolve_credentials(exchange, credentials), base_url=base_url, **options)


_connect.__name__ = _connect.__qualname__ = "connect"
# What type checkers and editors see: the client class of each exchange id (the registry's overloads).
connect: Connect = _connect


def options_of(cls: type[Any]) -> set[str]:
    """The keyword options a client class takes: its own and those it passes on to its bases."""
    names: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        parameters = inspect.signature(init).parameters.values()
        named = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        names |= {p.name for p in parameters if p.kind in named and p.name not in ("self", "credentials")}
        if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            break
    return names


def _check_options(exchange: str, cls: type[Any], options: dict[str, Any]) -> None:
    """A mistyped option is named with what it may have meant, not as ``Client.__init__()``'s TypeError."""
    known = options_of(cls)
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {close[0]}=?" if close else ""
            raise ConfigurationError(
                f"tk.connect({exchange!r}) takes no option {name}={hint} It takes {', '.join(sorted(known))}."
            )
