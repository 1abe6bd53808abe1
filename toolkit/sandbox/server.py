"""The HTTP side of the sandboxes: a threaded server on 127.0.0.1, fault knobs, rate-limit buckets.

An exchange's sandbox is an ``App``: ``handle(request) -> Response``. ``HttpSandbox`` serves one
on a free port of 127.0.0.1, applies the ``Faults`` set on it (latency, a 429 with
``Retry-After`` after N requests, 5xx and HTML bodies, truncated or dripping bodies, connection
resets, a clock offset), and stops by itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from toolkit.core.ratelimit import Limit, Usage


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    raw_query: str
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def path_with_query(self) -> str:
        return f"{self.path}?{self.raw_query}" if self.raw_query else self.path

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}


@dataclass
class Response:
    status: int
    body: Any  # bytes as they are, anything else as JSON
    headers: dict[str, str] = field(default_factory=dict)

    def content(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


class App(Protocol):
    def handle(self, request: Request) -> Response: ...


@dataclass
class Faults:
    """What a sandbox does wrong on purpose; set fields on a running sandbox's ``faults``.

    ``only``: the faults apply to request paths containing this text (all when empty);
    ``times``: to that many matching requests, then they clear themselves (always when None).
    ``status`` answers with that HTTP status and ``body`` (default: the exchange's own error
    JSON is not sent, a plain text body is); ``html`` answers a proxy's HTML error page;
    ``truncate`` cuts the body in half; ``drip`` sends it one byte every ``drip`` seconds;
    ``reset`` closes the connection without answering; ``hang`` accepts and never answers (for
    ``hang`` seconds); ``rate_limit_after`` answers 429 with ``Retry-After: retry_after`` once
    that many requests have been served; ``clock_offset_ms`` shifts the server's clock;
    ``mutate(request, response)`` rewrites the app's answer (a missing field, a page that repeats).
    """

    latency: float = 0.0
    status: int | None = None
    body: bytes | None = None
    html: bool = False
    truncate: bool = False
    drip: float | None = None
    reset: bool = False
    hang: float | None = None
    rate_limit_after: int | None = None
    retry_after: str = "1"
    clock_offset_ms: int = 0
    mutate: Callable[[Request, Response], Response] | None = None
    only: str = ""
    times: int | None = None
    served: int = 0

    def applies(self, path: str) -> bool:
        return not self.only or self.only in path


class Buckets:
    """The documented limits counted as the exchanges count them (what arrived in the last
    ``seconds``), answering "no" instead of waiting (the server's side)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._usage = Usage()

    def take(self, limits: Iterable[Limit]) -> bool:
        limits = list(limits)
        with self._lock:
            now = self._clock()
            if any(self._usage.wait(limit, now) > 0 for limit in limits):
                return False
            self._usage.spend(limits, now)
            return True


HTML_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog is 5: a client with 32 requests in flight (a history's windows)
    # would see the rest refused and retried a second later, which no exchange's servers do.
    request_queue_size = 128
    sandbox: HttpSandbox


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle's algorithm the body would wait for the
    # client's delayed ACK of the headers, 40 ms on every answer of a kept-alive connection.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # requests are not printed
        pass

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            parts.query,
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        self.server.sandbox.serve(request, self)

    do_GET = do_POST = do_DELETE = do_PUT = _serve

    def send(self, status: int, headers: Mapping[str, str], content: bytes, faults: Faults | None) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", headers.get("Content-Type", "application/json"))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if faults is not None and faults.truncate:
            self.wfile.write(content[: len(content) // 2])
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if faults is not None and faults.drip:
            for byte in content:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(faults.drip)
            return
        self.wfile.write(content)


class HttpSandbox:
    """Serves ``app`` on 127.0.0.1 (a free port unless ``port``); ``url`` is its base URL."""

    def __init__(self, app: App, *, port: int = 0, lifetime: float | None = 4 * 3600) -> None:
        self.app = app
        # One set of knobs for the server and its app (the app reads the clock offset).
        self.faults: Faults = getattr(app, "faults", None) or Faults()
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.sandbox = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # serve_forever's default poll of 0.5 s is how long stop() waits: half a second per sandbox stopped.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="sandbox-http", daemon=True
        )
        self._timer = threading.Timer(lifetime, self.stop) if lifetime else None

    def start(self) -> HttpSandbox:
        self._thread.start()
        if self._timer is not None:
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._timer is not None:
            self._timer.cancel()

    def __enter__(self) -> HttpSandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _active_faults(self, path: str) -> Faults | None:
        with self._lock:
            faults = self.faults
            if not faults.applies(path):
                return None
            if faults.times is not None:
                if faults.times <= 0:
                    return None
                faults.times -= 1
            faults.served += 1
            return faults

    def serve(self, request: Request, handler: _Handler) -> None:
        with self._lock:
            self.requests.append(request)
        faults = self._active_faults(request.path)
        if faults is not None:
            if faults.latency:
                time.sleep(faults.latency)
            if faults.hang is not None:
                time.sleep(faults.hang)
                handler.close_connection = True
                return
            if faults.reset:
                handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                handler.close_connection = True
                return
            if faults.rate_limit_after is not None and faults.served > faults.rate_limit_after:
                handler.send(429, {"Retry-After": faults.retry_after}, b'{"msg":"Too Many Requests"}', None)
                return
            if faults.html:
                handler.send(faults.status or 502, {"Content-Type": "text/html"}, HTML_PAGE, None)
                return
            if faults.status is not None:
                handler.send(faults.status, {"Content-Type": "text/plain"}, faults.body or b"Service Unavailable", None)
                return
        response = self.app.handle(request)
        if faults is not None and faults.mutate is not None:
            response = faults.mutate(request, response)
        handler.send(response.status, response.headers, response.content(), faults)
