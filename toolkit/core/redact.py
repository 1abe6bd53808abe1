"""One rule set that keeps credentials out of logs, exceptions, reprs, cassettes and output.

Two layers:

* by *name*: the auth headers and query/body parameters of every supported exchange are masked
  wherever they appear (header mappings, URLs, ``key=value`` text, JSON text);
* by *value*: every secret held by a ``Credentials`` object is registered here, and any text that
  still contains it (an echoed body, an odd log line) has it masked too.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

SENSITIVE_HEADERS = frozenset(
    h.lower()
    for h in (
        "ACCESS-KEY",
        "ACCESS-SIGN",
        "ACCESS-PASSPHRASE",
        "KC-API-KEY",
        "KC-API-SIGN",
        "KC-API-PASSPHRASE",
        "X-MBX-APIKEY",
        "Authorization",
        "Cookie",
    )
)
# Headers that are not secret but change on every request; cassettes drop them.
VOLATILE_HEADERS = frozenset(("access-timestamp", "kc-api-timestamp"))

SENSITIVE_PARAMS = frozenset(
    p.lower()
    for p in (
        "signature",
        "sign",
        "api_key",
        "apiKey",
        "secret_key",
        "secretKey",
        "api_secret",
        "apiSecret",
        "secret",
        "passphrase",
        "private_key",
    )
)

_names = "|".join(sorted({re.escape(n) for n in SENSITIVE_PARAMS | SENSITIVE_HEADERS}, key=len, reverse=True))
# key=value in URLs and form bodies, "key": "value" in JSON, Key: value in header dumps.
_PATTERNS = (
    re.compile(rf"(?i)(?<![\w-])({_names})=([^&\s'\"]+)"),
    re.compile(rf"(?i)([\"'](?:{_names})[\"']\s*:\s*)([\"'])((?:(?!\2).)*)\2"),
    re.compile(rf"(?im)^(\s*(?:{_names})\s*:\s*)(\S.*)$"),
)

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that ``redact_text`` masks it wherever it appears."""
    # Very short values would mask ordinary text; credentials are never that short.
    if value and len(value) >= 6:
        with _secrets_lock:
            _secrets.add(value)


def redact_text(text: str) -> str:
    """Mask sensitive parameters, headers and registered secret values in free text."""
    if not text:
        return text
    text = _PATTERNS[0].sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _PATTERNS[1].sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{MASK}", text)
    with _secrets_lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``headers`` with every auth header masked."""
    return {k: (MASK if k.lower() in SENSITIVE_HEADERS else v) for k, v in headers.items()}


def redact_params(params: Iterable[tuple[str, Any]] | Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(name, value)`` pairs with sensitive parameters masked."""
    items = params.items() if isinstance(params, Mapping) else params
    return [(k, MASK if k.lower() in SENSITIVE_PARAMS else v) for k, v in items]


def redact_url(url: str) -> str:
    """``url`` with sensitive query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return redact_text(url)
    query = urlencode(redact_params(parse_qsl(parts.query, keep_blank_values=True)), safe="*")
    return redact_text(urlunsplit(parts._replace(query=query)))


class RedactingFilter(logging.Filter):
    """Masks credentials in every record that passes through the ``toolkit`` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_text(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True


def get_logger(name: str) -> logging.Logger:
    """The logger every toolkit module uses: it carries the redacting filter.

    Logger filters are not inherited by child loggers, so each module's logger gets its own.
    """
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger
