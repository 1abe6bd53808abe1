"""Demo mode: every client talks to a local sandbox of its exchange, with obviously fake keys.

``tk.demo()`` starts the sandboxes (``toolkit.sandbox``: one per exchange, in this process, on
free ports of 127.0.0.1) and points every client made from then on at them; ``tk.demo(False)``
stops them. What runs is one ``DemoSession``, made when demo mode is switched on and closed when
it is switched off; nothing is set up on import. Nothing leaves the machine, and no rate-limit
wait is sat out (the session's clock: the limits are counted as the exchanges count them, on a
clock that skips ahead instead of sleeping). Each sandbox serves one fictional account for the
demo year (``PERIOD``: the 364 days up to yesterday), so every call a user can make, for any
range and filter, is answered from the same account, and withdrawals and transfers change it.

``tk.demo(examples=True)`` replays the exchanges' documented examples from the shipped cassettes
instead (the parser tests use it: their expected values come from the docs); a request that no
cassette answers raises ``toolkit.errors.NotRecorded``.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.core.credentials import Credentials
from toolkit.core.ratelimit import SkippingClock
from toolkit.exchanges import descriptor

if TYPE_CHECKING:
    from toolkit import sandbox
    from toolkit.cassettes import FolderPersister

# What the report and notebooks show of the demo accounts; their year is ``PERIOD`` (below).
SYMBOLS = ("BTC/USDT", "ETH/USDT")


class DemoSession:
    """What demo mode runs while it is on: the sandboxes (or the examples' cassette), the clock their
    limits are counted on, and the clients made, closed with it (a Binance client would otherwise
    keep reconnecting, in the background, to a sandbox that is gone). One at a time: ``demo()``
    starts it and ``demo(False)`` closes it."""

    def __init__(
        self, *, examples: bool = False, newer_accounts: bool = False, models: Mapping[str, str] | None = None
    ) -> None:
        from toolkit import sandbox

        # Every rate limit is kept as the exchanges count them, but no wait is sat out: the
        # clients' limiters and the sandboxes' counters share this clock, which skips ahead.
        self.clock = SkippingClock()
        self.clients: weakref.WeakSet[Any] = weakref.WeakSet()
        self.cassette: AbstractContextManager[Any] | None = None
        self.replays: list[Any] = []  # replays of a WebSocket API's examples (with the cassette)
        self.sandboxes: sandbox.Sandboxes | None = None
        if examples:
            self.cassette = _examples_cassette()
            self.cassette.__enter__()
        else:
            self.sandboxes = sandbox.start(story=True, newer_accounts=newer_accounts, models=models, clock=self.clock)

    def close(self) -> None:
        for client in list(self.clients):
            getattr(client, "close", lambda: None)()
        self.clients.clear()
        if self.cassette is not None:
            self.cassette.__exit__(None, None, None)
        for replay in self.replays:
            replay.stop()
        if self.sandboxes is not None:
            self.sandboxes.stop()


_session: DemoSession | None = None


def __getattr__(name: str) -> Any:
    # PERIOD, the demo accounts' year as two ISO dates, is fixed at first use: the sandboxes (and
    # what they import) load only when demo mode is used, never on ``import toolkit``.
    if name == "PERIOD":
        from toolkit.sandbox.account import demo_year

        period = tuple(moment.date().isoformat() for moment in demo_year())
        globals()["PERIOD"] = period
        return period
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def credentials(exchange: str) -> Credentials:
    """Obviously fake credentials that the sandboxes (and the example cassettes) accept."""
    from toolkit.sandbox.base import demo_credentials

    return demo_credentials(exchange)


def _persister(chosen: list[Path]) -> type[FolderPersister]:
    from toolkit.cassettes import FolderPersister

    class AllFolders(FolderPersister):
        @classmethod
        def load_cassette(cls, cassette_path: Any, serializer: Any) -> tuple[list[Any], list[Any]]:
            requests: list[Any] = []
            responses: list[Any] = []
            for folder in chosen:
                found_requests, found_responses = FolderPersister.load_cassette(folder, serializer)
                requests.extend(found_requests)
                responses.extend(found_responses)
            return requests, responses

    return AllFolders


def _examples_cassette() -> AbstractContextManager[Any]:
    """Every shipped cassette folder at once, replayed (``tk.demo(examples=True)``)."""
    from toolkit.cassettes import CASSETTES, make_vcr

    recorder = make_vcr("none")
    recorder.register_persister(_persister(sorted(p for p in CASSETTES.iterdir() if p.is_dir())))
    cassette: AbstractContextManager[Any] = recorder.use_cassette(str(CASSETTES), allow_playback_repeats=True)
    return cassette


def demo(
    enabled: bool = True,
    *,
    examples: bool = False,
    newer_accounts: bool = False,
    models: Mapping[str, str] | None = None,
) -> None:
    """Switch demo mode on (or off) for every client made from now on.

    ``examples=True`` replays the exchanges' documented examples instead of the sandboxes.
    ``newer_accounts=True`` makes Bitget's demo account a unified trading account and gives
    KuCoin's an HF trade account (``toolkit.sandbox.start``); ``models`` picks one exchange's
    account model (``{"kucoin": "hf"}``: KuCoin's account trades in its HF trade account, whose
    ledger KuCoin serves for 3 days; ``sandboxes().write_export`` writes its year as KuCoin's
    export file). Switching on while on replaces what answers.
    """
    global _session
    if _session is not None:
        _session.close()
        _session = None
    if enabled:
        _session = DemoSession(examples=examples, newer_accounts=newer_accounts, models=models)


def sandboxes() -> sandbox.Sandboxes | None:
    """The sandboxes demo mode runs (None when it is off, or replays the examples)."""
    return _session.sandboxes if _session is not None else None


def connect(cls: type[Any], exchange: str, credentials: Credentials, base_url: str | None, **options: Any) -> Any:
    """A demo client: pointed at its exchange's sandbox, or (examples) at the recorded examples,
    where its HTTP windows still run in threads but through one pooled connection in turn
    (vcrpy replays unreliably when threads hold several at once)."""
    from requests.adapters import HTTPAdapter

    from toolkit import sandbox

    session = _session
    if session is None:
        raise RuntimeError("demo mode is off: tk.demo() first")
    options.setdefault("sync_clock", False)
    boxes = session.sandboxes
    if boxes is not None:
        # Whatever key a demo user connects with (the form's fake keys, say), the sandbox knows it.
        boxes.issue(exchange, credentials)
        base_url = base_url or boxes.url(exchange)
        rest_url = getattr(boxes.server(exchange), "rest_url", None)  # an exchange with a second API
        if rest_url is not None:
            options.setdefault("rest_base_url", rest_url)
    elif base_url is None and descriptor(exchange).transport == "websocket":  # its documented examples
        session.replays.append(sandbox.replay_server(exchange, "demo", credentials.api_secret))
        base_url = session.replays[-1].url
    client = cls(credentials, base_url=base_url, **options)
    client.wait_on(session.clock.monotonic, session.clock.sleep)  # every limit counted, no wait sat out
    session.clients.add(client)
    http = getattr(client.transport, "session", None)
    if http is not None and session.cassette is not None:
        http.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True))
    return client


def active() -> bool:
    return _session is not None
