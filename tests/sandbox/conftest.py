"""One set of sandboxes for the module, and clients pointed at them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import sandbox_client
from toolkit import sandbox
from toolkit.core.ratelimit import SkippingClock


class InstantTime:
    """The client's waits (rate limits, backoff) pass at once, and are recorded."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(scope="module")
def boxes() -> Iterator[sandbox.Sandboxes]:
    with sandbox.start(lifetime=600, clock=SkippingClock()) as running:
        yield running


@pytest.fixture
def connect(boxes):
    """``connect("kucoin")`` -> a client on the module's sandbox (waits recorded, not served)."""
    made = []

    def build(exchange: str, *, instant: bool = True, **options):
        client = sandbox_client(boxes, exchange, **options)
        if instant:
            fake = InstantTime()
            client.wait_on(fake.clock, fake.sleep)
            client.sleeps = fake.sleeps
        made.append(client)
        return client

    yield build
    for client in made:
        getattr(client, "close", lambda: None)()
