"""Shared test set-up: vcrpy in record mode ``none`` with the toolkit's scrubbing, fake keys.

Re-recording against a real exchange: ``pytest --record-mode=once tests/exchanges/test_bitget.py``
with ``BITGET_API_KEY`` / ``_SECRET`` / ``_PASSPHRASE`` set; delete the cassette to re-record it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

import toolkit as tk
from toolkit.cassettes import make_vcr
from toolkit.core import bans
from toolkit.core.ratelimit import SkippingClock
from toolkit.exchanges import descriptors

# No test may reach a real system keyring (or prompt for one on a developer's machine).
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")

# Obviously fake, and distinctive so that leak checks can search for them.
FAKE_KEY = "FAKE-KEY-0123456789abcdef"
FAKE_SECRET = "FAKE-SECRET-do-not-use-0123456789"
FAKE_PASSPHRASE = "FAKE-PASSPHRASE-42"
FAKE_VALUES = (FAKE_KEY, FAKE_SECRET, FAKE_PASSPHRASE)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-mode",
        default="none",
        choices=("none", "once", "new_episodes", "all"),
        help="vcrpy record mode; anything but 'none' talks to the real exchange with keys from the environment",
    )


@pytest.fixture(autouse=True)
def no_bans_between_tests() -> Iterator[None]:
    """A ban a test provokes (HTTP 418, Binance -1003) holds for the process: lift it after the test."""
    yield
    bans.lift()


@pytest.fixture
def record_mode(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--record-mode"))


@pytest.fixture
def fake_credentials() -> tk.Credentials:
    return tk.Credentials(FAKE_KEY, FAKE_SECRET, FAKE_PASSPHRASE)


class FakeTime:
    """A clock that moves only when something sleeps: waits are recorded, not served."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Sent(list[requests.PreparedRequest]):
    """The requests a client actually sent, as prepared (real headers, before any scrubbing)."""

    def paths(self) -> list[str]:
        return [r.path_url for r in self]


@pytest.fixture
def make_client(record_mode: str, fake_credentials: tk.Credentials) -> Callable[..., tuple[Any, Sent]]:
    """``make_client("bitget")`` -> (client with fake keys and no waiting, list of sent requests)."""

    def build(exchange: str, **options: Any) -> tuple[Any, Sent]:
        creds = fake_credentials if record_mode == "none" else tk.Credentials.from_env(exchange)
        options.setdefault("sync_clock", False)
        options.setdefault("progress", False)
        client = tk.connect(exchange, creds, **options)
        fake = FakeTime()
        client.wait_on(fake.clock, fake.sleep)
        client.fake_time = fake
        client.sleeps = fake.sleeps
        sent = Sent()
        client.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
        return client, sent

    return build


@pytest.fixture
def cassette(record_mode: str) -> Callable[..., Any]:
    """``with cassette("bitget/get_balances"):`` replays ``cassettes/bitget/get_balances.yaml``."""
    recorder = make_vcr(record_mode)

    def use(name: str, **options: Any) -> Any:
        return recorder.use_cassette(f"{name}.yaml", **options)

    return use


@pytest.fixture
def no_network() -> Iterator[None]:
    """Any request fails the test: proves that nothing was sent."""
    with make_vcr("none").use_cassette("__nothing__.yaml"):
        yield


# The exchanges the tests walk over, from the registry: a fifth exchange is tested with no list to edit.
HTTP_EXCHANGES = tuple(d.id for d in descriptors() if d.transport == "http")  # REST APIs (not Binance's)


def sandbox_client(boxes: Any, exchange: str, **options: Any) -> Any:
    """A client on ``boxes``' sandbox of ``exchange``, with the demo key, no clock sync, no bars; on
    sandboxes started with a ``SkippingClock``, its limiter and backoff skip their waits on it too."""
    options = {"sync_clock": False, "progress": False, **options}
    rest_url = getattr(boxes.server(exchange), "rest_url", None)  # Binance's REST beside its WebSocket API
    if rest_url is not None:
        options.setdefault("rest_base_url", rest_url)
    client = tk.connect(exchange, boxes.credentials(exchange), base_url=boxes.url(exchange), **options)
    clock = getattr(boxes, "clock", None)
    if clock is not None:
        client.wait_on(clock.monotonic, clock.sleep)
    return client


@pytest.fixture
def fresh():
    """``fresh("bitget")`` -> (sandboxes of their own, client): for tests that change the account or set
    faults; ``model=`` picks the account model (``fresh("kucoin", model="hf")``). The sandbox and the
    client count rate limits and Retry-After on one skipping clock, as in demo mode: every wait is
    still decided and said, none is sat out (``real_clock=True`` sits them out)."""
    started = []

    def build(exchange: str, model: str = "classic", real_clock: bool = False, **options):
        from toolkit import sandbox

        clock = None if real_clock else SkippingClock()
        running = sandbox.start([exchange], lifetime=120, models={exchange: model}, clock=clock)
        started.append(running)
        return running, sandbox_client(running, exchange, **options)

    yield build
    for running in started:
        running.stop()


# The files that take longest, run first: with a file's tests kept on one worker (--dist loadfile),
# a long file started last leaves the other workers idle while it finishes.
LONGEST_FIRST = ("test_report.py", "test_readme.py", "test_bench.py", "test_reconcile.py", "test_dashboard.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def weight(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=weight)  # stable: each file's tests keep their order
