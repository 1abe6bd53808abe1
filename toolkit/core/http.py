"""What goes on the wire and what comes back: ``Call``, ``Reply``, and the HTTP transport.

Every transport (HTTP here, the WebSocket API in ``toolkit.core.websocket``) takes a ``Call`` and
returns a ``Reply`` with the body's bytes, so decoding and error mapping happen in one place.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import urlencode

import orjson
import requests

from toolkit.core.redact import get_logger, redact_url
from toolkit.errors import ExchangeUnavailable, MalformedResponse, NetworkError, NotRecorded, RequestTimeout

log = get_logger(__name__)

DEFAULT_TIMEOUT = (5.0, 30.0)


def param_text(value: Any) -> str:
    """How a parameter value is written on the wire: no exponents, no float noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, datetime):
        return str(int(value.timestamp() * 1000))
    return str(value)


@dataclass
class Call:
    """A request as it will be sent: signers read and extend it, then it goes out unchanged.

    ``params`` keep their values' types (a WebSocket API frame sends them as JSON); ``query`` is
    their text as an HTTP query string.
    """

    exchange: str
    endpoint: str
    method: str
    base_url: str
    path: str
    params: list[tuple[str, Any]] = field(default_factory=list)
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    # Called with the answer the moment a transport reads it (a WebSocket subscription routes
    # the events that follow its answer); never sent.
    on_reply: Callable[[Reply], None] | None = field(default=None, repr=False, compare=False)

    @property
    def query(self) -> str:
        return urlencode([(k, param_text(v)) for k, v in self.params])

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.query}" if self.params else self.path

    @property
    def url(self) -> str:
        return self.base_url + self.path_with_query


@dataclass
class Reply:
    """An answer as it arrived: HTTP status (or the status a WebSocket answer carries), headers, body."""

    status: int | None
    headers: Mapping[str, str]
    content: bytes

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class Transport(Protocol):
    def send(self, call: Call) -> Reply: ...


class HttpTransport:
    """Sends calls over a ``requests.Session``; failures become ``NetworkError`` / ``RequestTimeout``.

    ``replay_errors`` are what a recording library raises for a request it has no recording of
    (``toolkit.cassettes`` adds vcrpy's); they become ``NotRecorded``, naming the request.
    """

    replay_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, session: requests.Session | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        self.session = session or requests.Session()
        self.timeout = timeout

    def send(self, call: Call) -> Reply:
        started = time.monotonic()
        try:
            response = self.session.request(
                call.method,
                call.url,
                data=call.body.encode() if call.body is not None else None,
                headers=call.headers,
                timeout=self.timeout,
            )
        except self.replay_errors:
            raise NotRecorded(
                call.exchange, call.endpoint, f"no recording answers {call.method} {redact_url(call.url)}"
            ) from None
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
        return Reply(response.status_code, response.headers, response.content)


def retry_after_seconds(reply: Reply) -> float | None:
    """The ``Retry-After`` header as seconds (it may be a number or an HTTP date)."""
    value = reply.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def decode_json(call: Call, reply: Reply, *, exact: bool = False) -> Any:
    """The JSON body, or the toolkit error that says why there is none.

    With ``exact`` JSON numbers with a fraction become ``Decimal`` (some exchanges send amounts as
    JSON numbers); integers are exact either way.
    """
    try:
        if exact:
            return json.loads(reply.content, parse_float=Decimal)
        return orjson.loads(reply.content)
    except ValueError:
        # Decoded to text only here: on the happy path orjson reads the bytes directly.
        snippet = " ".join(reply.text.split())[:200] or "(empty body)"
        kind = ExchangeUnavailable if (reply.status or 0) >= 500 else MalformedResponse
        raise kind(
            call.exchange,
            call.endpoint,
            http_status=reply.status,
            message=f"the body is not JSON: {snippet!r}",
        ) from None
