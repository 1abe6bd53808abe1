"""What every exchange's sandbox app shares: its account, its clock, its limits, its routes."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from toolkit.core.credentials import Credentials
from toolkit.core.endpoint import Endpoint
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import now_ms
from toolkit.sandbox.account import Account
from toolkit.sandbox.server import Buckets, Faults, Request, Response

Handler = Callable[[Request, dict[str, str]], Response]


def demo_credentials(exchange: str) -> Credentials:
    """Obviously fake credentials; the sandboxes accept exactly these."""
    name = exchange.upper()
    return Credentials(f"DEMO-{name}-KEY-not-real", f"DEMO-{name}-SECRET-not-real", f"DEMO-{name}-PASSPHRASE")


class Refused(Exception):
    """An answer the exchange gives instead of a success; ``response`` is it."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    limits: tuple[Limit, ...]
    signed: bool
    address: Mapping[str, str]


class ExchangeApp:
    """An exchange's account API over a fictional ``Account``: routes, signature checks, limits.

    Subclasses register routes (``route(endpoint, handler)`` takes the path, method, limits and
    signing from the toolkit's own declaration of the endpoint, so the sandbox keeps the limits
    the client expects) and implement ``check_auth``, ``ok`` and ``refuse``.
    """

    exchange = ""

    def __init__(self, account: Account, credentials: Credentials | None = None, *, seed: int = 0) -> None:
        self.account = account
        # API keys this exchange has issued: the demo's own, and any a demo user connects with.
        self.keys: dict[str, Credentials] = {}
        self.issue(credentials or demo_credentials(self.exchange))
        self.rng = random.Random(seed)
        self.faults = Faults()
        # What rate limits are counted on: the machine's clock, or a SkippingClock's (demo mode).
        self.monotonic: Callable[[], float] = time.monotonic
        self.buckets = Buckets()
        self.routes: list[Route] = []
        # Sources of events switched off: answered as a key without their permission (a test's knob
        # to show the cause reconciliation names).
        self.off: set[str] = set()

    def count_limits_on(self, monotonic: Callable[[], float]) -> None:
        """Count this exchange's rate limits on ``monotonic`` (a ``SkippingClock``'s)."""
        self.monotonic = monotonic
        self.buckets = Buckets(monotonic)

    def use_model(self, model: str) -> None:
        """Serve the account ``model`` (``unified``, ``hf``) the account was built in, where the
        exchange has it."""
        raise ValueError(f"{self.exchange} has no {model} account model here")

    def issue(self, credentials: Credentials) -> None:
        """Accept ``credentials`` from now on, as an exchange does once a key is created."""
        self.keys[credentials.api_key] = credentials

    def key(self, api_key: str | None) -> Credentials | None:
        return self.keys.get(api_key or "")

    def now_ms(self) -> int:
        """The server's clock (shifted by the ``clock_offset_ms`` fault)."""
        return now_ms() + self.faults.clock_offset_ms

    def route(self, endpoint: Endpoint, handler: Handler, *, method: str | None = None) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(endpoint.path))
        verb = method or endpoint.method
        route = Route(verb, re.compile(pattern + "$"), handler, endpoint.limits, endpoint.signed, endpoint.address)
        self.routes.append(route)
        # Fixed paths first: /accounts/ledgers is not the account "ledgers" of /accounts/{accountId}.
        self.routes.sort(key=lambda r: r.pattern.groups)

    def handle(self, request: Request) -> Response:
        try:
            for route in self.routes:
                found = route.pattern.match(request.path)
                if found is None or route.method != request.method or not self.matches(route, request):
                    continue
                if route.signed:
                    self.check_auth(request)
                if not self.admit(route):
                    return self.decorate(route, self.too_many(route))
                return self.decorate(route, route.handler(request, found.groupdict()))
            return self.not_found(request)
        except Refused as refused:
            return refused.response

    def admit(self, route: Route) -> bool:
        """Whether the route's limits have room for one more request (and take it)."""
        return self.buckets.take(route.limits)

    def decorate(self, route: Route, response: Response) -> Response:
        """Headers every answer of the route carries (rate-limit state); none by default."""
        return response

    @staticmethod
    def matches(route: Route, request: Request) -> bool:
        """Whether ``route`` is the one for ``request`` beyond its method and path (CoinW's command)."""
        return all(request.query.get(k) == v for k, v in route.address.items())

    # ----------------------------------------------------------------- per exchange

    def check_auth(self, request: Request) -> None:
        raise NotImplementedError

    def too_many(self, route: Route) -> Response:
        raise NotImplementedError

    def not_found(self, request: Request) -> Response:
        return Response(404, b"Not Found", {"Content-Type": "text/plain"})

    # ----------------------------------------------------------------- helpers

    def window(
        self, request: Request, start: str, end: str, *, default_ms: int, max_ms: int | None, scale: int = 1
    ) -> tuple[int, int]:
        """The request's time range in ms: given, or ``default_ms`` back from now; checked against ``max_ms``."""
        now = self.now_ms()
        hi = int(request.query[end]) * scale if request.query.get(end) else now
        lo = int(request.query[start]) * scale if request.query.get(start) else hi - default_ms
        if lo > hi:
            raise Refused(self.bad_range("start time is after end time"))
        if max_ms is not None and hi - lo > max_ms:
            raise Refused(self.bad_range(f"time range exceeds {max_ms // 86_400_000} days"))
        return lo, hi

    def bad_range(self, message: str) -> Response:
        raise NotImplementedError

    def integer(self, request: Request, name: str, default: int, low: int, high: int) -> int:
        raw = request.query.get(name)
        try:
            value = default if raw is None or raw == "" else int(raw)
        except ValueError:
            raise Refused(self.bad_range(f"{name} must be an integer")) from None
        if not low <= value <= high:
            raise Refused(self.bad_range(f"{name} must be {low} to {high}"))
        return value


def split_market(symbol: str, separator: str) -> tuple[str, str]:
    """("BTC", "USDT") from ``BTC<separator>USDT`` (without a separator: a USDT or BTC market)."""
    if separator:
        base, _, quote = symbol.upper().partition(separator)
        return base, quote
    quote = next((q for q in ("USDT", "BTC") if symbol.endswith(q) and len(symbol) > len(q)), "")
    return symbol.removesuffix(quote), quote


def text(amount: float, places: int = 8) -> str:
    return f"{amount:.{places}f}"


def page_of(rows: list[Any], size: int, before: Callable[[Any], bool] | None = None) -> list[Any]:
    """The first ``size`` rows (newest first) older than the cursor, when one is given."""
    if before is not None:
        rows = [r for r in rows if before(r)]
    return rows[:size]
