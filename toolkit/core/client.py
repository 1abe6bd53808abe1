"""The one requester every exchange client is: build, guard, sign, rate-limit, send, retry, unwrap.

An exchange's client subclasses ``Client`` and declares, as class attributes, its signer
(``auth``), its envelope and error table, the endpoint answering its server time, and its
endpoints (module-level ``Endpoint`` data). Its public methods are thin: they pass their
arguments to ``call`` (the payload), ``request`` (a typed frame) or ``history`` (every window and
page, ``toolkit.core.runner``). The transport (HTTP, or the WebSocket API) is the client's.

What no method has to remember:

* an endpoint that ``changes_state`` is refused with ``ConfirmationRequired`` unless the call
  says ``confirm=True``, before anything is built or sent;
* only reads are retried (429, 5xx, timeouts, with backoff honouring ``Retry-After``); a rejected
  timestamp resyncs the clock once;
* every answer goes through the same decoding and error mapping (``toolkit.core.reader``: the
  payload, the records and the typed frame, below this module; the client hands it its exchange,
  error table and hooks).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import pandas as pd

from toolkit.core import bans, candles, reader
from toolkit.core.candles import CandleSpec
from toolkit.core.clock import Clock
from toolkit.core.credentials import Credentials
from toolkit.core.endpoint import Endpoint, Envelope, dotted
from toolkit.core.http import (
    DEFAULT_TIMEOUT,
    Call,
    HttpTransport,
    Reply,
    Transport,
    decode_json,
    param_text,
    retry_after_seconds,
)
from toolkit.core.paging import Record
from toolkit.core.ratelimit import Limit, RateLimiter, WaitTooLong
from toolkit.core.redact import get_logger, install_log_redaction, redact_params, register_names, register_transient
from toolkit.core.runner import WindowCache, run_history
from toolkit.core.timeutil import TimeLike
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ConfirmationRequired,
    ExchangeError,
    ExchangeUnavailable,
    InvalidRequest,
    MalformedResponse,
    NetworkError,
    NotRecorded,
    PermissionDenied,
    RateLimited,
    ToolkitError,
    TransportError,
)

if TYPE_CHECKING:
    import requests

log = get_logger(__name__)

MAX_BACKOFF_SECONDS = 60.0
# Seconds one call may take, every retry and wait included (the ``budget`` option).
DEFAULT_BUDGET = 60.0
ACCEPTED_BUT_UNREADABLE = (
    "The exchange answered this state-changing request with a success whose details could not be read: "
    "it has most likely been executed. Check its history before sending it again."
)
NOT_EXECUTED = (
    "The exchange refused this request for its timestamp, so it was not executed. The clock is now "
    "resynced: send it again. (Without a client order id that the exchange checks for repeats, the "
    "toolkit does not resend a state-changing request itself.)"
)
MAY_HAVE_REACHED = (
    "This request changes state and may have reached the exchange: check its history before sending "
    "it again (it is never retried automatically)."
)


class Signer:
    """Signs a ``Call`` in place, in the style of httpx's ``Auth``: headers, parameters, or both.

    Subclasses name what they put on the wire, so that every log line, error text, repr and
    cassette masks it: ``secret_headers``/``secret_params`` (keys, signatures, passphrases) and
    ``volatile_headers``/``volatile_params`` (timestamps, which cassettes drop).
    """

    secret_headers: ClassVar[tuple[str, ...]] = ()
    secret_params: ClassVar[tuple[str, ...]] = ()
    volatile_headers: ClassVar[tuple[str, ...]] = ()
    volatile_params: ClassVar[tuple[str, ...]] = ()

    def __init__(self, credentials: Credentials, **options: Any) -> None:
        self.credentials = credentials

    def sign(self, call: Call, timestamp_ms: int) -> None:
        raise NotImplementedError

    def remember(self, call: Call) -> None:
        """Mask this call's signature wherever it shows, should an answer or a log echo it."""
        for name, value in [*call.headers.items(), *call.params]:
            if name in self.secret_headers or name in self.secret_params:
                register_transient(str(value))

    @classmethod
    def register(cls) -> None:
        register_names(
            headers=cls.secret_headers,
            params=cls.secret_params,
            volatile_headers=cls.volatile_headers,
            volatile_params=cls.volatile_params,
        )


@dataclass(frozen=True)
class ErrorTable(Mapping[str, type[ExchangeError]]):
    """An exchange's error codes -> toolkit errors (read it as that mapping); the HTTP status
    decides for other codes.

    ``timestamp`` codes mean "your clock is off" (one resync, one retry); ``bans`` are the codes
    of a ban (as HTTP 418 is): no request goes to the exchange until it ends. ``by_message``
    refines a code by a text in its message: ``{"400100": ("account.available.amount", InsufficientFunds)}``.
    """

    codes: Mapping[str, type[ExchangeError]]
    timestamp: frozenset[str] = frozenset()
    bans: frozenset[str] = frozenset()
    by_message: Mapping[str, tuple[str, type[ExchangeError]]] = field(default_factory=dict)

    def __getitem__(self, code: str) -> type[ExchangeError]:
        return self.codes[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def classify(self, code: str | None, message: str, http_status: int | None) -> type[ExchangeError]:
        refined = self.by_message.get(code or "")
        if refined is not None and refined[0] in message:
            return refined[1]
        return self.codes.get(code or "") or class_for_status(http_status)


def checked_url(url: str, schemes: tuple[str, ...], name: str = "base_url") -> str:
    """``url`` without its trailing slash, or a ConfigurationError at once when it is no URL of
    ``schemes`` (``127.0.0.1:9`` would otherwise be retried for seconds as a network failure)."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in schemes or not parts.netloc:
        raise ConfigurationError(f"{name} must be a URL such as {schemes[-1]}://host:port, got {url!r}.")
    return url.rstrip("/")


def either(seed: tuple[str, Any], common: tuple[str, Any], *, required: bool = False) -> Any:
    """The value given under the seed's parameter name or under the toolkit's common one (``asset``,
    ``network``): every client takes the common names too, and giving both is a mistake."""
    (seed_name, seed_value), (common_name, common_value) = seed, common
    if seed_value is not None and common_value is not None:
        raise ConfigurationError(f"give {seed_name} or {common_name}, not both.")
    if required and seed_value is None and common_value is None:
        raise ConfigurationError(f"{common_name} (or {seed_name}) is required.")
    return seed_value if seed_value is not None else common_value


def check_exact(exact: Any) -> None:
    """``exact`` is a flag: ``exact="no"`` would otherwise count as true."""
    if not isinstance(exact, bool):
        raise ConfigurationError(f"exact is True or False, got {exact!r}.")


def class_for_status(status: int | None) -> type[ExchangeError]:
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDenied
    if status == 429:
        return RateLimited
    if status is not None and status >= 500:
        return ExchangeUnavailable
    if status is not None and status >= 400:
        return InvalidRequest
    return ExchangeError


@dataclass(frozen=True)
class Route:
    """A way to an exchange: the transport, the base URL, the signer and the envelope of its answers."""

    transport: Any
    base_url: str
    signer: Callable[[], Signer]
    envelope: Envelope


def backoff(attempt: int, retry_after: float | None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): what the exchange asked, else jittered doubling."""
    if retry_after is not None:
        return min(retry_after, MAX_BACKOFF_SECONDS)
    return min(2.0**attempt * (0.5 + random.random() / 2), MAX_BACKOFF_SECONDS)


class Client:
    """Base class of every exchange client; public methods live on the exchange subclasses.

    Options: ``base_url`` (testnet, proxy, local sandbox), ``timeout=(connect, request)`` seconds
    (the second bounds one whole request), ``budget`` (seconds one call may take, retries and
    waits included), ``max_retries`` for reads, ``sync_clock`` (measure the offset to the
    exchange's clock before signing), ``progress`` (progress bars on long history), ``session``
    (a ``requests.Session``) or ``transport`` (anything with ``send(call) -> Reply``).
    """

    exchange: ClassVar[str]
    default_base_url: ClassVar[str]
    url_schemes: ClassVar[tuple[str, ...]] = ("http", "https")
    candles: ClassVar[CandleSpec | None] = None  # the exchange's candles (endpoints.CANDLES), if documented
    auth: ClassVar[type[Signer]]
    envelope: ClassVar[Envelope]
    errors: ClassVar[ErrorTable]
    # The endpoint answering the exchange's time, and the field holding it (None: the payload is it).
    server_time: ClassVar[Endpoint | None] = None
    server_time_field: ClassVar[str | None] = "serverTime"
    # Limits every signed request counts against, on top of the endpoint's own.
    global_limits: ClassVar[tuple[Limit, ...]] = ()
    # Parse JSON numbers with a fraction as Decimal always (an exchange that sends amounts as numbers).
    exact_numbers: ClassVar[bool] = False
    default_retries: ClassVar[int] = 3

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        budget: float = DEFAULT_BUDGET,
        sync_clock: bool = True,
        session: requests.Session | None = None,
        transport: Transport | None = None,
        progress: bool = True,
    ) -> None:
        if credentials is not None and not isinstance(credentials, Credentials):
            raise ConfigurationError("credentials must be a toolkit.Credentials.")
        install_log_redaction()
        self.auth.register()
        self.credentials = credentials
        self.base_url = checked_url(base_url or self.default_base_url, self.url_schemes)
        self.max_retries = self.default_retries if max_retries is None else max_retries
        if not budget > 0:
            raise ConfigurationError(f"budget must be a positive number of seconds, got {budget!r}.")
        self.budget = float(budget)
        self.progress = progress
        self.transport: Any = transport or HttpTransport(session, timeout)
        self.limiter = RateLimiter()
        self.clock = Clock(self._server_time_ms, sync=sync_clock and self.server_time is not None)
        self._signer: Signer | None = None
        self._sleep: Callable[[float], None] = time.sleep
        # Told of each rate-limit wait worth noticing (a history's progress bar shows it).
        self.on_wait: Callable[[str], None] | None = None
        # Windows of settled history already read this session (``toolkit.core.runner``).
        self.history_cache = WindowCache()

    def __repr__(self) -> str:
        who = "with credentials" if self.credentials else "without credentials"
        return f"<{type(self).__name__} {self.base_url} {who}>"

    # ----------------------------------------------------------------- hooks an exchange may override

    def _observe(self, call: Call, endpoint: Endpoint, reply: Reply, payload: Any) -> None:
        """Read rate-limit headers and the like from every answer; nothing by default."""

    def _retry_after(self, reply: Reply, payload: Any, code: str | None) -> float | None:
        """Seconds the exchange asked to wait after a rate-limit answer: its ``Retry-After``."""
        return retry_after_seconds(reply)

    def _encode_body(self, body: Mapping[str, Any]) -> str:
        """A JSON body; numbers and flags as text, lists and objects as JSON."""
        return json.dumps({k: v if isinstance(v, (list, dict)) else param_text(v) for k, v in body.items()},
                          separators=(",", ":"))  # fmt: skip

    def _timestamp(self) -> int:
        return self.clock.now_ms()

    def _server_time_ms(self) -> int:
        endpoint = self.server_time
        assert endpoint is not None
        data = self.call(endpoint)
        value = data if self.server_time_field is None else dotted(data, self.server_time_field)
        try:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError
            return int(value)
        except ValueError:
            raise MalformedResponse(self.exchange, endpoint.name, message=f"no server time in {data!r}") from None

    # ----------------------------------------------------------------- requests

    def _credentials(self) -> Credentials:
        if self.credentials is None:
            prefix = self.exchange.upper()
            raise ConfigurationError(
                f"{self.exchange}: this call needs API credentials; pass tk.Credentials(...) "
                f"or set {prefix}_API_KEY / _API_SECRET."
            )
        return self.credentials

    def _auth_options(self) -> dict[str, Any]:
        """Client options the signer needs (a key version, a receive window); none by default."""
        return {}

    def signer(self) -> Signer:
        if self._signer is None or self._signer.credentials is not self.credentials:
            self._signer = self.auth(self._credentials(), **self._auth_options())
        return self._signer

    def prepare(
        self, endpoint: Endpoint, args: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None
    ) -> Call:
        """The signed ``Call`` for ``endpoint`` with ``args`` (the seed's names) and ``extra`` wire parameters."""
        placed = endpoint.wire(args or {})
        default = "query" if "body" not in placed or endpoint.method in ("GET", "DELETE", "") else "body"
        if extra:
            placed["query" if endpoint.place == "query" or default == "query" else "body"].update(extra)
        path = endpoint.path.format(**placed["path"]) if placed["path"] else endpoint.path
        query = [*endpoint.address.items(), *sorted((k, v) for k, v in placed["query"].items() if v is not None)]
        route = self.route(endpoint)
        call = Call(self.exchange, endpoint.name, endpoint.method, route.base_url, path, query)
        if placed["body"]:
            call.body = self._encode_body({k: v for k, v in placed["body"].items() if v is not None})
        if endpoint.signed:
            signer = route.signer()
            signer.sign(call, self._timestamp())
            signer.remember(call)
        return call

    def route(self, endpoint: Endpoint) -> Route:
        """Where ``endpoint`` goes: the client's transport, base URL and signer (Binance has two)."""
        return Route(self.transport, self.base_url, self.signer, self.envelope)

    def _shown(self, endpoint: Endpoint, args: Mapping[str, Any]) -> dict[str, Any]:
        """What a refused call would have sent (no credential: nothing is signed)."""
        placed = endpoint.wire(args)
        shown: dict[str, Any] = {"method": endpoint.method, "path": endpoint.path.format(**placed["path"])}
        for place in ("query", "body"):
            if placed[place]:
                key = "params" if place == "query" else "body"
                shown[key] = dict(redact_params({k: v for k, v in placed[place].items() if v is not None}))
        return shown

    def wait_on(self, monotonic: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Count the rate limits and wait out limits and retry backoff on this clock (demo mode and
        the test sandboxes give one that skips its waits instead of sitting them out)."""
        self.limiter = RateLimiter(monotonic, sleep)
        self._sleep = sleep

    def call(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any] | None = None,
        *,
        extra: Mapping[str, Any] | None = None,
        confirm: bool = False,
        exact: bool = False,
        on_reply: Callable[[Reply], None] | None = None,
        deadline: float | None = None,
    ) -> Any:
        """Send one request and return the unwrapped payload, retrying reads that may succeed later.

        ``on_reply`` sees each answer as soon as the transport reads it (``Call.on_reply``);
        ``deadline`` (``time.monotonic()``) ends the call sooner than its budget would (a history's).
        """
        check_exact(exact)
        args = self._settled(endpoint, dict(args or {}), confirm)
        until = time.monotonic() + self.budget
        deadline = until if deadline is None else min(deadline, until)
        attempt = 0
        resynced = False
        while True:
            route = self.route(endpoint)
            bans.check(route.base_url, self.exchange, endpoint.name)
            self._wait_for_room(endpoint, deadline)
            # Signed after any wait for the rate limit: a timestamp must be fresh when it is sent.
            call = self.prepare(endpoint, args, extra)
            signed_in = self.clock.generation  # the offset it was signed with
            call.on_reply = on_reply
            call.deadline = deadline
            try:
                reply = route.transport.send(call)
                return self.unwrap(call, endpoint, reply, exact=exact)
            except MalformedResponse as err:
                if endpoint.changes_state:
                    err.add_note(MAY_HAVE_REACHED)
                raise
            except AuthenticationError as err:
                if resynced or not endpoint.signed or err.code not in self.errors.timestamp:
                    raise
                self.clock.resync(seen=signed_in)
                resynced = True
                if endpoint.changes_state and not (endpoint.resend_with and args.get(endpoint.resend_with)):
                    err.add_note(NOT_EXECUTED)
                    raise
                log.warning("%s rejected the timestamp (%s); resynced the clock, sending once more", self.exchange,
                            err.code)  # fmt: skip
            except NotRecorded:
                raise  # a recording that is missing stays missing: no retry
            except (RateLimited, ExchangeUnavailable, TransportError) as err:
                wait = self._retry_wait(endpoint, route.base_url, err, attempt, deadline)
                log.warning("%s; retry %d of %d in %.1f s", err, attempt + 1, self.max_retries, wait)
                self._sleep(wait)
                attempt += 1

    def _settled(self, endpoint: Endpoint, args: dict[str, Any], confirm: bool) -> dict[str, Any]:
        """``args`` as every attempt sends them; a state-changing call refused without ``confirm=True``."""
        if not endpoint.changes_state:
            return args
        if confirm is not True:
            raise ConfirmationRequired(self.exchange, endpoint.name, self._shown(endpoint, args))
        self.history_cache.clear()  # what is about to change is read afresh
        return endpoint.settled(args)  # one client order id for every attempt

    def _retry_wait(self, endpoint: Endpoint, base_url: str, err: ToolkitError, attempt: int, deadline: float) -> float:
        """Seconds to wait before sending ``endpoint`` again after ``err``; ``err`` raised where a
        second request is not safe (a state-changing call: it may have reached the exchange) or
        cannot help."""
        if isinstance(err, RateLimited):
            bans.note(base_url, err, self.errors.bans)
        if endpoint.changes_state:
            if isinstance(err, TransportError):
                err.add_note(MAY_HAVE_REACHED)
            raise err
        if isinstance(err, NetworkError) and not err.retryable:
            raise err
        return self._backoff(endpoint, err, attempt, deadline)

    def _backoff(self, endpoint: Endpoint, err: ToolkitError, attempt: int, deadline: float) -> float:
        """Seconds to wait before retrying a read that failed with ``err``, or ``err`` raised when
        no retry is left or the wait would outlast the call's budget."""
        retry_after = getattr(err, "retry_after", None)
        left = deadline - time.monotonic()
        if retry_after is not None and retry_after > min(left, MAX_BACKOFF_SECONDS):
            err.add_note(self._try_after(retry_after))
            raise err
        wait = backoff(attempt, retry_after)
        if attempt >= self.max_retries or wait >= left:
            raise err
        if isinstance(err, RateLimited):
            for limit in endpoint.limits:
                self.limiter.block(limit.key, wait)
        return wait

    def _try_after(self, seconds: float) -> str:
        until = datetime.now(UTC) + timedelta(seconds=seconds)
        return (
            f"{self.exchange} asked to wait {seconds:.0f} s, longer than this call may take "
            f"({self.budget:.0f} s): try again after {until:%Y-%m-%d %H:%M:%S} UTC."
        )

    def _limits(self, endpoint: Endpoint) -> tuple[Limit, ...]:
        return (*endpoint.limits, *(self.global_limits if endpoint.signed else ()))

    def _wait_for_room(self, endpoint: Endpoint, deadline: float) -> None:
        """Wait for the rate limits' room within what is left of the call's budget; a wait longer
        than that is ``RateLimited`` at once, saying when there is room."""
        left = max(0.0, deadline - time.monotonic())
        try:
            self.limiter.acquire(self._limits(endpoint), within=left, on_wait=self._waiting)
        except WaitTooLong as too_long:
            message = (
                f"not sent: {self.exchange}'s {too_long.limit.key} limit has room in {too_long.seconds:.0f} s, "
                f"later than this call may wait ({left:.0f} s of its {self.budget:.3g} s budget left)"
            )
            raise RateLimited(self.exchange, endpoint.name, retry_after=too_long.seconds, message=message) from None

    def _waiting(self, seconds: float, limit: Limit) -> None:
        """Say so when a call waits for a rate limit long enough to be noticed."""
        if seconds < 1:
            return
        text = f"waiting {seconds:.0f} s for {self.exchange}'s {limit.key} limit"
        if self.on_wait is not None:
            self.on_wait(text)
        log.log(logging.WARNING if seconds >= 5 else logging.INFO, text)

    # ----------------------------------------------------------------- frames

    # ----------------------------------------------------------------- reading (toolkit.core.reader)

    def reading(self, endpoint: Endpoint, what: Any = None) -> AbstractContextManager[None]:
        """Anything that goes wrong inside is a ``MalformedResponse`` of this exchange (``reader.reading``)."""
        return reader.reading(self.exchange, endpoint, what)

    def unwrap(self, call: Call, endpoint: Endpoint, reply: Reply, *, exact: bool = False) -> Any:
        """The payload of a successful answer, or the toolkit error for any other."""
        body = decode_json(call, reply, exact=exact or self.exact_numbers)
        with self.reading(endpoint, body):
            self._observe(call, endpoint, reply, body)
            envelope = endpoint.envelope or self.route(endpoint).envelope
            ok, found = reader.payload(self.exchange, endpoint, envelope, body, reply)
            if ok:
                return found
            raise self.error(endpoint.name, body, reply, envelope)

    def error(self, endpoint: str, payload: Any, reply: Reply, envelope: Envelope | None = None) -> ExchangeError:
        """The toolkit error for an answer that is not a success (kept as the exchange sent it)."""
        envelope = envelope or self.envelope
        return reader.error(self.exchange, endpoint, payload, reply, envelope, self.errors.classify, self._retry_after)

    def records(self, endpoint: Endpoint, data: Any) -> list[Record]:
        """The records of a payload as the endpoint declares them (``reader.records``)."""
        return reader.records(self.exchange, endpoint, data)

    def to_frame(
        self,
        endpoint: Endpoint,
        records: Sequence[Record],
        *,
        exact: bool = False,
        attrs: Mapping[str, Any] | None = None,
        consume: bool = False,
    ) -> pd.DataFrame:
        """A typed frame of ``records`` with the endpoint's columns; ``attrs`` name exchange and
        endpoint; ``consume``: the records are the caller's to give away (see ``frames.to_frame``)."""
        check_exact(exact)
        frame = reader.typed_frame(
            self.exchange, endpoint, records, exact=exact, exact_ints=self.exact_numbers, consume=consume
        )
        frame.attrs.update({"exchange": self.exchange, "endpoint": endpoint.name, **(attrs or {})})
        return frame

    def request(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any] | None = None,
        *,
        confirm: bool = False,
        exact: bool = False,
    ) -> pd.DataFrame:
        """One request, its records as a typed frame."""
        data = self.call(endpoint, args, confirm=confirm, exact=exact)
        try:
            # consume: the payload is this method's own, and a large one is freed as it is typed.
            return self.to_frame(endpoint, self.records(endpoint, data), exact=exact, consume=True)
        except MalformedResponse as err:
            if endpoint.changes_state:
                err.add_note(ACCEPTED_BUT_UNREADABLE)
            raise

    def history(
        self,
        endpoint: Endpoint,
        args: Mapping[str, Any] | None = None,
        *,
        exact: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Every page of every window (and fan-out value) of ``endpoint``; see ``toolkit.core.runner``."""
        return run_history(self, endpoint, dict(args or {}), exact=exact, limit=limit)

    def get_candles(
        self,
        symbol: str,
        interval: str = "1d",
        start_time: TimeLike | None = None,
        end_time: TimeLike | None = None,
        *,
        exact: bool = False,
    ) -> pd.DataFrame:
        """Public candles of ``symbol`` (``"BTC/USDT"`` or the exchange's own spelling), oldest
        first: ``time`` (the candle's open, UTC), ``open``, ``high``, ``low``, ``close``,
        ``volume`` (base), ``quote_volume`` (NaN where the exchange sends none). ``interval``: 1m,
        5m, 15m, 30m, 1h, 4h, 1d, 1w. Without ``start_time``, the last 100 candles; a range longer
        than the exchange's per-call cap (``candles.cap``) is fetched in as few calls as it allows.
        What each exchange documents is in its ``endpoints.CANDLES`` and docs/reference-additions.md.
        """
        if self.candles is None:
            raise ConfigurationError(f"{self.exchange} documents no candles.")
        return candles.fetch(self, self.candles, symbol, interval, start_time, end_time, exact=exact)


class RestClient(Client):
    """A client over HTTP (the default transport); the WebSocket API client is a plain ``Client``."""
