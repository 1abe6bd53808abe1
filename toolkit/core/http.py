"""What goes on the wire and what comes back: ``Call``, ``Reply``, and the HTTP transport.

Every transport (HTTP here, the WebSocket API in ``toolkit.core.websocket``) takes a ``Call`` and
returns a ``Reply`` with the body's bytes, so decoding and error mapping happen in one place.
"""

from __future__ import annotations

import email.utils
import logging
import math
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlsplit

import msgspec

from toolkit.core.redact import get_logger, redact_url
from toolkit.errors import (
    ExchangeUnavailable,
    MalformedResponse,
    NetworkError,
    NotRecorded,
    RateLimited,
    RequestTimeout,
)

if TYPE_CHECKING:
    import requests

log = get_logger(__name__)

# Seconds: to connect, and for one whole request (dripping bodies included).
DEFAULT_TIMEOUT = (5.0, 30.0)
# An answer larger than this is refused: no account endpoint sends one.
MAX_BODY_BYTES = 64 * 1024 * 1024


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
    # time.monotonic() by which the whole answer must have arrived (the call's budget); never sent.
    deadline: float | None = field(default=None, repr=False, compare=False)

    def seconds_left(self, longest: float) -> float:
        """What is left of the deadline, at most ``longest`` seconds."""
        if self.deadline is None:
            return longest
        return max(0.0, min(longest, self.deadline - time.monotonic()))

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


# Connections a client keeps open to one host: as many as a history puts in flight at most
# (``paging.MAX_IN_FLIGHT``), so that no request waits for, or throws away, a connection.
CONNECTIONS = 32


class HttpTransport:
    """Sends calls over a ``requests.Session``; failures become ``NetworkError`` / ``RequestTimeout``.

    ``timeout=(connect, request)``: seconds to connect, and for the whole request, a body that
    arrives one byte at a time included (the call's deadline may cut it shorter). Bodies over
    ``MAX_BODY_BYTES`` are refused. ``replay_errors`` are what a recording library raises for a
    request it has no recording of (``toolkit.cassettes`` adds vcrpy's); they become
    ``NotRecorded``, naming the request.
    """

    replay_errors: tuple[type[BaseException], ...] = ()

    def __init__(self, session: requests.Session | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT):
        import requests  # here, not at import: ``import toolkit`` should not cost requests' 70 ms
        from requests.adapters import HTTPAdapter

        if session is None:
            session = requests.Session()
            pool = HTTPAdapter(pool_connections=CONNECTIONS, pool_maxsize=CONNECTIONS)
            session.mount("https://", pool)
            session.mount("http://", pool)
        self.session = session
        self.timeout = timeout

    def send(self, call: Call) -> Reply:
        import requests
        import urllib3

        started = time.monotonic()
        connect, whole = self.timeout
        allowed = call.seconds_left(whole)
        deadline = started + allowed
        try:
            response = self.session.request(
                call.method,
                call.url,
                data=call.body.encode() if call.body is not None else None,
                headers=call.headers,
                timeout=(min(connect, allowed) or 0.001, allowed or 0.001),
                stream=True,
            )
            content = _read_body(call, response, deadline, allowed)
        except self.replay_errors:
            raise NotRecorded(
                call.exchange, call.endpoint, f"no recording answers {call.method} {redact_url(call.url)}"
            ) from None
        except (requests.Timeout, urllib3.exceptions.TimeoutError):
            raise RequestTimeout(call.exchange, call.endpoint, f"no whole answer within {allowed:.3g} s") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            # Only the class name: requests' messages can quote the URL, headers included.
            reason = _reason(exc)
            raise NetworkError(
                call.exchange, call.endpoint, f"request failed: {reason} ({_host(call.base_url)})",
                retryable=reason not in NOT_RETRIED,
            ) from None  # fmt: skip
        if log.isEnabledFor(logging.DEBUG):  # redacting a URL costs more than sending it
            log.debug("%s %s -> HTTP %s in %.0f ms", call.method, redact_url(call.url), response.status_code,
                      (time.monotonic() - started) * 1000)  # fmt: skip
        return Reply(response.status_code, response.headers, content)


def _read_body(call: Call, response: requests.Response, deadline: float, allowed: float) -> bytes:
    """The body, read as it arrives and cut off at the deadline or at ``MAX_BODY_BYTES``."""
    import urllib3

    raw = response.raw
    if raw is None:  # an adapter that answered with the body already in memory (a test double)
        return response.content
    chunks: list[bytes] = []
    size = 0
    # read1 returns what has arrived, so a body dripping in byte by byte still meets the deadline.
    # Recording stubs (vcrpy) stand in for urllib3's response, replay decoded bodies, take no flag.
    decoded = isinstance(raw, urllib3.response.BaseHTTPResponse)
    try:
        while True:
            if time.monotonic() > deadline:
                raise RequestTimeout(call.exchange, call.endpoint, f"no whole answer within {allowed:.3g} s")
            chunk = raw.read1(65536, decode_content=True) if decoded else raw.read1(65536)
            if not chunk:
                # Read to the end: the connection goes back to the pool for the next request.
                raw.release_conn()
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise MalformedResponse(
                    call.exchange, call.endpoint, http_status=response.status_code,
                    message=f"the body is larger than {MAX_BODY_BYTES // 2**20} MiB",
                )  # fmt: skip
            chunks.append(chunk)
    except BaseException:
        response.close()  # a connection with an answer half read cannot be reused
        raise


# Failures that asking again a second later does not mend: a port nobody listens on, a host name
# that does not resolve (a typo in base_url). They are raised at once, not retried for seconds.
NOT_RETRIED = frozenset({"connection refused", "the host name does not resolve"})


def _host(url: str) -> str:
    return urlsplit(url).netloc or url


def _reason(exc: BaseException) -> str:
    """What went wrong, in words that quote nothing of the request: refused, reset, DNS, TLS."""
    import urllib3

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(seen, socket.gaierror):
            return "the host name does not resolve"
        if isinstance(seen, ssl.SSLError):
            return "TLS failed"
        if isinstance(seen, urllib3.exceptions.ProtocolError):
            return "the connection broke before the answer was complete"
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
    return type(exc).__name__


# The longest wait an exchange's answer is believed (a week: Binance's longest bans are three
# days); anything larger is taken as this, so that no arithmetic on it can overflow.
MAX_WAIT_SECONDS = 7 * 86_400.0


def bounded_wait(seconds: Any) -> float | None:
    """A wait an answer asked for, as seconds between 0 and ``MAX_WAIT_SECONDS``; None when it is no
    number at all ("soon", NaN): a rate limit without a known end."""
    if isinstance(seconds, bool):
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError, OverflowError):
        return None
    if math.isnan(value):
        return None
    return min(max(0.0, value), MAX_WAIT_SECONDS)


def retry_after_seconds(reply: Reply) -> float | None:
    """The ``Retry-After`` header as seconds (it may be a number or an HTTP date), bounded."""
    value = reply.headers.get("Retry-After")
    if not value:
        return None
    seconds = bounded_wait(value)
    if seconds is not None:
        return seconds
    try:
        return bounded_wait(email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None  # "soon", or anything else that is not a number or a date: no wait known


# msgspec builds Python objects as it parses: no intermediate tree (orjson's doubles the peak
# memory of a large body), and with ``float_hook`` numbers with a fraction become Decimal in the
# same pass. It is strict: no NaN or Infinity, no lone surrogates, nesting bounded by the
# interpreter's recursion limit (RecursionError).
_decode = msgspec.json.Decoder().decode
_decode_exact = msgspec.json.Decoder(float_hook=Decimal).decode


def decode(content: bytes | str, *, exact: bool = False) -> Any:
    """JSON text -> Python values; ``exact``: numbers with a fraction as ``Decimal``. Raises
    ``ValueError`` (or ``RecursionError``) for anything that is not strict JSON."""
    return (_decode_exact if exact else _decode)(content)


def decode_json(call: Call, reply: Reply, *, exact: bool = False) -> Any:
    """The JSON body, or the toolkit error that says why there is none.

    With ``exact`` JSON numbers with a fraction become ``Decimal`` (some exchanges send amounts as
    JSON numbers); integers are exact either way.
    """
    try:
        return decode(reply.content, exact=exact)
    except (ValueError, RecursionError):
        # Decoded to text only here: on the happy path the parser reads the bytes directly.
        snippet = " ".join(reply.text.split())[:200] or "(empty body)"
        message = f"the body is not JSON: {snippet!r}"
        if reply.status in (418, 429):  # a ban or a rate limit, whatever the body says
            raise RateLimited(
                call.exchange, call.endpoint, http_status=reply.status, message=message,
                retry_after=retry_after_seconds(reply),
            ) from None  # fmt: skip
        kind = ExchangeUnavailable if (reply.status or 0) >= 500 else MalformedResponse
        raise kind(call.exchange, call.endpoint, http_status=reply.status, message=message) from None
