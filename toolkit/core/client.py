"""The exchange-neutral client: build, sign, rate-limit, send, retry, unwrap, convert, paginate.

An exchange module subclasses ``RestClient`` and supplies four things: its endpoints (data), a
signer (``_sign``), an envelope check (``_unwrap``) and its server time (``_server_time_ms``).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import pandas as pd
import requests
from tqdm.auto import tqdm

from toolkit.core import frames
from toolkit.core.clock import Clock
from toolkit.core.endpoint import Endpoint, Record, at_path, split_windows
from toolkit.core.http import DEFAULT_TIMEOUT, Call, Transport
from toolkit.core.ratelimit import Limit, RateLimiter
from toolkit.core.redact import get_logger, redact_params
from toolkit.core.timeutil import TimeLike, ms_to_timestamp, now_ms, to_ms
from toolkit.credentials import Credentials
from toolkit.errors import (
    AuthenticationError,
    ConfigurationError,
    ConfirmationRequired,
    ExchangeError,
    ExchangeUnavailable,
    InvalidRequest,
    MalformedResponse,
    PermissionDenied,
    RateLimited,
    ToolkitError,
    TransportError,
)

log = get_logger(__name__)

MAX_BACKOFF_SECONDS = 60.0


def new_client_order_id(prefix: str = "tk") -> str:
    """A fresh id for a money-moving request, so that a repeat cannot pay twice."""
    return f"{prefix}{uuid.uuid4().hex[:24]}"


def param_text(value: Any) -> str:
    """How a parameter value is written on the wire: no exponents, no float noise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, (datetime, pd.Timestamp)):
        return str(to_ms(value))
    return str(value)


class RestClient:
    """Base class of the REST clients; public methods live on the exchange subclasses."""

    exchange: ClassVar[str]
    default_base_url: ClassVar[str]
    # Exchange error codes that mean "your timestamp is off": one resync and one retry.
    timestamp_error_codes: ClassVar[frozenset[str]] = frozenset()
    # Limits every signed request counts against, on top of the endpoint's own.
    global_limits: ClassVar[tuple[Limit, ...]] = ()

    def __init__(
        self,
        credentials: Credentials | None = None,
        *,
        base_url: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_retries: int = 3,
        sync_clock: bool = True,
        session: requests.Session | None = None,
        progress: bool = True,
    ) -> None:
        if credentials is not None and not isinstance(credentials, Credentials):
            raise ConfigurationError("credentials must be a toolkit.Credentials.")
        self.credentials = credentials
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.max_retries = max_retries
        self.progress = progress
        self.transport = Transport(session, timeout)
        self.limiter = RateLimiter()
        self.clock = Clock(self._server_time_ms, sync=sync_clock)
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        who = "with credentials" if self.credentials else "without credentials"
        return f"<{type(self).__name__} {self.base_url} {who}>"

    # ----------------------------------------------------------------- exchange hooks

    def _sign(self, call: Call, endpoint: Endpoint) -> None:
        raise NotImplementedError

    def _unwrap(self, call: Call, endpoint: Endpoint, response: requests.Response, exact: bool) -> Any:
        raise NotImplementedError

    def _server_time_ms(self) -> int:
        raise NotImplementedError

    def _observe(self, call: Call, endpoint: Endpoint, response: requests.Response) -> None:
        """Read rate-limit headers and the like; nothing by default."""

    # ----------------------------------------------------------------- requests

    def _credentials(self) -> Credentials:
        if self.credentials is None:
            raise ConfigurationError(
                f"{self.exchange}: this call needs API credentials; pass tk.Credentials(...) "
                f"or set {self.exchange.upper()}_API_KEY / _API_SECRET."
            )
        return self.credentials

    def _build(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
        path_params: Mapping[str, Any] | None,
    ) -> Call:
        path = endpoint.path.format(**(path_params or {}))
        query = sorted((k, param_text(v)) for k, v in (params or {}).items() if v is not None)
        call = Call(self.exchange, endpoint.name, endpoint.method, self.base_url, path, query)
        if body is not None:
            call.body = self._encode_body({k: v for k, v in body.items() if v is not None})
        if endpoint.signed:
            self._credentials()
            self._sign(call, endpoint)
        return call

    def _encode_body(self, body: Mapping[str, Any]) -> str:
        call_body = {k: (param_text(v) if not isinstance(v, (list, dict)) else v) for k, v in body.items()}
        return json.dumps(call_body, separators=(",", ":"))

    def _request(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        body: Mapping[str, Any] | None = None,
        path_params: Mapping[str, Any] | None = None,
        exact: bool = False,
    ) -> Any:
        """Send one request and return the unwrapped data, retrying reads that may succeed later."""
        attempt = 0
        resynced = False
        while True:
            call = self._build(endpoint, params, body, path_params)
            self.limiter.acquire((*endpoint.limits, *(self.global_limits if endpoint.signed else ())))
            try:
                response = self.transport.send(call)
                self._observe(call, endpoint, response)
                return self._unwrap(call, endpoint, response, exact)
            except AuthenticationError as err:
                if resynced or not endpoint.signed or err.code not in self.timestamp_error_codes:
                    raise
                log.warning("%s rejected the timestamp (%s); resyncing the clock once", self.exchange, err.code)
                self.clock.resync()
                resynced = True
            except (RateLimited, ExchangeUnavailable, TransportError) as err:
                if endpoint.changes_state:
                    if isinstance(err, TransportError):
                        err.add_note(
                            "This request changes state and may have reached the exchange: "
                            "check its history before sending it again (it is never retried automatically)."
                        )
                    raise
                if attempt >= self.max_retries:
                    raise
                wait = self._backoff(attempt, getattr(err, "retry_after", None))
                if isinstance(err, RateLimited):
                    for limit in endpoint.limits:
                        self.limiter.block(limit.key, wait)
                log.warning("%s; retry %d of %d in %.1f s", err, attempt + 1, self.max_retries, wait)
                self._sleep(wait)
                attempt += 1

    @staticmethod
    def _backoff(attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, MAX_BACKOFF_SECONDS)
        return min(2.0**attempt * (0.5 + random.random() / 2), MAX_BACKOFF_SECONDS)

    def _guard(
        self,
        endpoint: Endpoint,
        confirm: bool,
        *,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        path_params: Mapping[str, Any] | None = None,
    ) -> None:
        """Refuse a state-changing call unless ``confirm=True``, showing what it would send."""
        if confirm is True:
            return
        path = endpoint.path.format(**(path_params or {}))
        shown: dict[str, Any] = {"method": endpoint.method, "path": path}
        if params:
            shown["params"] = dict(redact_params({k: v for k, v in params.items() if v is not None}))
        if body:
            shown["body"] = dict(redact_params({k: v for k, v in body.items() if v is not None}))
        raise ConfirmationRequired(self.exchange, endpoint.name, shown)

    # ----------------------------------------------------------------- frames

    def _extract(self, endpoint: Endpoint, data: Any) -> Sequence[Record]:
        try:
            found = at_path(data, endpoint.records)
        except (KeyError, IndexError, TypeError):
            raise MalformedResponse(
                self.exchange, endpoint.name, message=f"no records at {'.'.join(endpoint.records)!r}"
            ) from None
        if found is None:
            return []
        records = [found] if isinstance(found, Mapping) else found
        if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
            raise MalformedResponse(self.exchange, endpoint.name, message="records are not JSON objects")
        if endpoint.explode:
            records = frames.explode(records, endpoint.explode)
        if endpoint.flatten:
            records = [frames.flatten(r) for r in records]
        return records

    def _to_frame(
        self,
        endpoint: Endpoint,
        records: Sequence[Record],
        *,
        exact: bool,
        attrs: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        try:
            frame = frames.to_frame(records, endpoint.columns, exact=exact, rename=endpoint.rename)
        except frames.ConversionError as exc:
            raise MalformedResponse(self.exchange, endpoint.name, message=str(exc)) from None
        frame.attrs.update({"exchange": self.exchange, "endpoint": endpoint.name, **(attrs or {})})
        return frame

    def _frame(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        exact: bool = False,
        path_params: Mapping[str, Any] | None = None,
    ) -> pd.DataFrame:
        """One request, its records as a typed frame."""
        data = self._request(endpoint, params, path_params=path_params, exact=exact)
        return self._to_frame(endpoint, self._extract(endpoint, data), exact=exact)

    def _history(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any],
        *,
        start_time: TimeLike | None,
        end_time: TimeLike | None,
        exact: bool = False,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """Every page of every window in ``[start_time, end_time]``, de-duplicated and in time order.

        ``df.attrs["coverage"]`` says what was covered. A failure part-way raises: a silently
        partial history is worse than none.
        """
        window = endpoint.window
        end_ms = to_ms(end_time, "end_time") if end_time is not None else now_ms()
        if window is None:
            raise ConfigurationError(f"{endpoint.name} is not a history endpoint.")
        start_ms = to_ms(start_time, "start_time") if start_time is not None else end_ms - window.default_lookback_ms
        if start_ms > end_ms:
            raise ConfigurationError("start_time is after end_time.")
        windows = split_windows(start_ms, end_ms, window.max_span_ms)
        pages = 0

        def fetch_window(bounds: tuple[int, int]) -> Sequence[Record]:
            nonlocal pages
            base = {**params, window.start_param: bounds[0], window.end_param: bounds[1]}
            collected: list[Record] = []

            def fetch(query: dict[str, Any]) -> Any:
                return self._request(endpoint, query, exact=exact)

            def extract(data: Any) -> Sequence[Record]:
                return self._extract(endpoint, data)

            if endpoint.paging is None:
                collected.extend(extract(fetch(base)))
                pages += 1
                return collected
            for page in endpoint.paging.pages(fetch, base, extract):
                collected.extend(page)
                pages += 1
                if limit is not None and len(collected) >= limit:
                    break
            return collected

        records: list[Record] = []
        done = 0
        bar = tqdm(
            total=len(windows),
            desc=f"{self.exchange} {endpoint.path.rsplit('/', 1)[-1]}",
            unit="window",
            disable=not self.progress or len(windows) < 2,
            leave=False,
        )
        try:
            if window.concurrency > 1 and len(windows) > 1:
                with ThreadPoolExecutor(max_workers=window.concurrency) as pool:
                    chunks = pool.map(fetch_window, windows)
                    for chunk in chunks:
                        records.extend(chunk)
                        done += 1
                        bar.update()
            else:
                for bounds in windows:
                    records.extend(fetch_window(bounds))
                    done += 1
                    bar.update()
        except ToolkitError as err:
            err.add_note(
                f"{self.exchange} history stopped after {done} of {len(windows)} windows; nothing was returned."
            )
            raise
        finally:
            bar.close()

        frame = self._to_frame(endpoint, records, exact=exact)
        frame = self._dedupe_and_sort(endpoint, frame)
        truncated = limit is not None and len(frame) > limit
        if truncated:
            frame = frame.iloc[-limit:] if limit else frame.iloc[:0]
        frame = frame.reset_index(drop=True)
        frame.attrs.update(
            {
                "exchange": self.exchange,
                "endpoint": endpoint.name,
                "coverage": {
                    "start": ms_to_timestamp(start_ms),
                    "end": ms_to_timestamp(end_ms),
                    "windows": len(windows),
                    "pages": pages,
                    "complete": not truncated,
                },
            }
        )
        return frame

    @staticmethod
    def _dedupe_and_sort(endpoint: Endpoint, frame: pd.DataFrame) -> pd.DataFrame:
        if endpoint.id_field:
            frame = frame.drop_duplicates(subset=frames.snake_case(endpoint.id_field), keep="first")
        if endpoint.time_field:
            frame = frame.sort_values(frames.snake_case(endpoint.time_field), kind="stable")
        return frame


def key_summary(
    exchange: str,
    *,
    account: str | None,
    permissions: list[str],
    can_trade: bool | None,
    can_withdraw: bool | None,
    ip_whitelist: str | None,
    can_read: bool | None = True,
) -> pd.DataFrame:
    """The one-row frame every client's ``describe_key()`` returns (used by the credentials form)."""
    return pd.DataFrame(
        {
            "exchange": pd.Series([exchange], dtype="str"),
            "account": pd.Series([account], dtype="str"),
            "permissions": pd.Series([permissions], dtype="object"),
            "can_read": pd.Series([can_read], dtype="boolean"),
            "can_trade": pd.Series([can_trade], dtype="boolean"),
            "can_withdraw": pd.Series([can_withdraw], dtype="boolean"),
            "ip_whitelist": pd.Series([ip_whitelist], dtype="str"),
        }
    )


def raise_for_code(
    exchange: str,
    endpoint: str,
    *,
    http_status: int | None,
    code: str | None,
    message: str,
    table: Mapping[str, type[ExchangeError]],
    retry_after: float | None = None,
) -> None:
    """Raise the toolkit error for an exchange error: by the exchange's code, else by HTTP status."""
    cls = table.get(code or "") or _class_for_status(http_status)
    kwargs: dict[str, Any] = {"http_status": http_status, "code": code, "message": message}
    if issubclass(cls, RateLimited):
        raise cls(exchange, endpoint, retry_after=retry_after, **kwargs)
    raise cls(exchange, endpoint, **kwargs)


def _class_for_status(status: int | None) -> type[ExchangeError]:
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
