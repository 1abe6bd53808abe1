"""One HTTP request over a ``requests.Session``, with failures mapped to toolkit errors."""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import orjson
import requests

from toolkit.core.redact import get_logger, redact_url
from toolkit.errors import ExchangeUnavailable, MalformedResponse, NetworkError, RequestTimeout

log = get_logger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)


@dataclass
class Call:
    """A request as it will be sent: signers read and extend it, then it goes out unchanged."""

    exchange: str
    endpoint: str
    method: str
    base_url: str
    path: str
    params: list[tuple[str, str]] = field(default_factory=list)
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def query(self) -> str:
        return urlencode(self.params)

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.query}" if self.params else self.path

    @property
    def url(self) -> str:
        return self.base_url + self.path_with_query


class Transport:
    def __init__(self, session: requests.Session | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        self.session = session or requests.Session()
        self.timeout = timeout

    def send(self, call: Call) -> requests.Response:
        started = time.monotonic()
        try:
            response = self.session.request(
                call.method,
                call.url,
                data=call.body.encode() if call.body is not None else None,
                headers=call.headers,
                timeout=self.timeout,
            )
        except requests.Timeout:
            raise RequestTimeout(call.exchange, call.endpoint, f"no answer within {self.timeout[1]} s") from None
        except requests.RequestException as exc:
            # Only the class name: requests' messages can quote the URL, headers included.
            raise NetworkError(call.exchange, call.endpoint, f"request failed: {type(exc).__name__}") from None
        log.debug(
            "%s %s -> HTTP %s in %.0f ms",
            call.method,
            redact_url(call.url),
            response.status_code,
            (time.monotonic() - started) * 1000,
        )
        return response


def retry_after_seconds(response: requests.Response) -> float | None:
    """The ``Retry-After`` header as seconds (it may be a number or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def decode_json(call: Call, response: requests.Response, *, exact: bool = False) -> Any:
    """The JSON body, or the toolkit error that says why there is none.

    With ``exact`` JSON numbers become ``Decimal`` (CoinW sends amounts as numbers).
    """
    try:
        if exact:
            return json.loads(response.text, parse_float=Decimal)
        return orjson.loads(response.content)
    except ValueError:
        # Decoded to text only here: on the happy path orjson reads the bytes directly.
        snippet = " ".join(response.text.split())[:200] or "(empty body)"
        kind = ExchangeUnavailable if response.status_code >= 500 else MalformedResponse
        raise kind(
            call.exchange,
            call.endpoint,
            http_status=response.status_code,
            message=f"the body is not JSON: {snippet!r}",
        ) from None
