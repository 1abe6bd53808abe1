"""The toolkit's exceptions.

Every error the toolkit raises on purpose is a ``ToolkitError``::

    ToolkitError
    ├── ConfigurationError          bad arguments or missing credentials, caught before sending
    ├── ConfirmationRequired        a money-moving call made without ``confirm=True``
    ├── EndpointRetired             the exchange removed the endpoint and nothing can stand in
    ├── OutOfReach                  the exchange serves no more of this history than it says
    ├── TransportError              no usable answer arrived
    │   ├── NetworkError            connection refused, reset, DNS, TLS
    │   ├── RequestTimeout          connect or read timeout
    │   └── NotRecorded             replaying recordings, and none answers this request
    └── ExchangeError               the exchange answered, and the answer is an error
        ├── AuthenticationError     bad key, signature, passphrase, timestamp
        ├── PermissionDenied        the key lacks a permission, or the IP is not whitelisted
        ├── RateLimited             too many requests; ``retry_after`` in seconds when known
        ├── InvalidRequest          the exchange rejected a parameter
        ├── InsufficientFunds       not enough balance for the operation
        ├── ExchangeUnavailable     maintenance or a 5xx answer
        └── MalformedResponse       a body that is not what the endpoint documents

An ``ExchangeError`` keeps what the exchange said: ``exchange``, ``endpoint``, ``http_status``,
``code`` and ``message``. Messages never contain credentials: they are built from the exchange's
answer and the endpoint path, and every text (``str(err)`` and ``err.message``, which may echo a
key back) passes through the redactor that ``toolkit.core.redact`` installs here. This module
imports nothing of the toolkit, so any layer may raise these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Masks credentials in a text; toolkit.core.redact installs its rule set when it is imported.
_redact: Callable[[str], str] = str


def set_redactor(redact: Callable[[str], str]) -> None:
    """Use ``redact`` on every error text from now on (called by ``toolkit.core.redact``)."""
    global _redact
    _redact = redact


__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "ConfirmationRequired",
    "EndpointRetired",
    "ExchangeError",
    "ExchangeUnavailable",
    "InsufficientFunds",
    "InvalidRequest",
    "MalformedResponse",
    "MissingDependency",
    "NetworkError",
    "NotRecorded",
    "OutOfReach",
    "PermissionDenied",
    "RateLimited",
    "RequestTimeout",
    "ToolkitError",
    "TransportError",
]


class ToolkitError(Exception):
    """Base class of every error the toolkit raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(_redact(message))

    def add_note(self, note: str) -> None:
        super().add_note(_redact(note))


class ConfigurationError(ToolkitError):
    """Arguments or credentials are unusable; nothing was sent."""


class MissingDependency(ConfigurationError, ImportError):
    """An optional library a feature needs is not installed; the message says which extra installs it."""


class EndpointRetired(ToolkitError):
    """The exchange removed this endpoint; the message names what replaces it."""

    def __init__(self, exchange: str, method: str, replacement: str, detail: str = "") -> None:
        self.exchange = exchange
        self.method = method
        self.replacement = replacement
        text = f"{exchange}: {method} is retired by the exchange; use {replacement} instead."
        super().__init__(f"{text} {detail}".strip())


class OutOfReach(ToolkitError):
    """The exchange does not serve this part of a history (KuCoin's HF ledger: the last 3 days);
    nothing was returned rather than a history without it. The message says what can be had."""


class ConfirmationRequired(ToolkitError):
    """A call that moves money or changes state was made without ``confirm=True``.

    ``request`` describes exactly what would have been sent (method, path, parameters),
    without any credential.
    """

    def __init__(self, exchange: str, endpoint: str, request: dict[str, Any]) -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        self.request = request
        super().__init__(
            f"{exchange} {endpoint} moves money or changes state and was not sent. "
            f"It would send: {request}. Call again with confirm=True to send it."
        )


class TransportError(ToolkitError):
    """No usable answer arrived from the exchange."""

    def __init__(self, exchange: str, endpoint: str, detail: str) -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        super().__init__(f"{exchange} {endpoint}: {detail}")


class NetworkError(TransportError):
    """The connection failed (refused, reset, DNS, TLS). ``retryable`` is False where asking again
    would fail the same way (a refused port, a host name that does not resolve)."""

    def __init__(self, exchange: str, endpoint: str, detail: str, *, retryable: bool = True) -> None:
        super().__init__(exchange, endpoint, detail)
        self.retryable = retryable


class RequestTimeout(TransportError):
    """The exchange did not answer within the timeout."""


class NotRecorded(TransportError):
    """Cassettes are being replayed (tests, ``tk.demo(examples=True)``) and none holds this request."""


class ExchangeError(ToolkitError):
    """The exchange answered with an error; its own code and message are kept as sent."""

    def __init__(
        self,
        exchange: str,
        endpoint: str,
        *,
        http_status: int | None = None,
        code: str | None = None,
        message: str = "",
    ) -> None:
        self.exchange = exchange
        self.endpoint = endpoint
        self.http_status = http_status
        # An exchange may echo what it was sent in any field, its code included.
        self.code = None if code is None else _redact(code)
        self.message = _redact(message)
        parts = [f"{exchange} {endpoint}"]
        if http_status is not None:
            parts.append(f"HTTP {http_status}")
        if self.code is not None:
            parts.append(f"code {self.code}")
        super().__init__(f"{', '.join(parts)}: {message or '(no message)'}")


class AuthenticationError(ExchangeError):
    """The exchange rejected the key, signature, passphrase or timestamp."""


class PermissionDenied(ExchangeError):
    """The key lacks a permission this call needs, or the IP is not whitelisted."""


class RateLimited(ExchangeError):
    """Too many requests. ``retry_after`` is the wait in seconds the exchange asked for, if any."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class InvalidRequest(ExchangeError):
    """The exchange rejected a parameter."""


class InsufficientFunds(ExchangeError):
    """Not enough balance for the operation."""


class ExchangeUnavailable(ExchangeError):
    """The exchange is down, in maintenance, or answered with a 5xx."""


class MalformedResponse(ExchangeError):
    """The body is not the JSON the endpoint documents (an HTML page, a truncated body, ...)."""
