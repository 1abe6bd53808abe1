"""Demo mode: every client is backed by the shipped cassettes and obviously fake keys.

``tk.demo()`` switches it on for the whole process (a notebook, the README's main job);
``tk.demo(False)`` switches it off. Nothing leaves the machine while it is on: a request that no
cassette answers fails with vcrpy's ``CannotOverwriteExistingCassetteException``. Exchanges whose
demo is a local server (``toolkit.sandbox``) get a client pointed at it.

For each exchange the demo reads ``cassettes/<exchange>/demo/`` (a synthetic account with a year
of activity, written by ``scripts/make_demo_account.py``) first, then the documented-example
cassettes in ``cassettes/<exchange>/`` for anything the account does not answer.
``tk.demo(examples=True)`` replays only the documented examples (the parser tests use them: their
values come from the docs).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import sandbox, unified
from toolkit.core.credentials import Credentials
from toolkit.sandbox import CASSETTES

if TYPE_CHECKING:
    from toolkit.cassettes import FolderPersister

_cassette: AbstractContextManager[Any] | None = None

# The synthetic accounts' year and what the demo asks of them. The notebooks, the report and the
# dashboard use these; scripts/make_demo_account.py answers exactly these calls, so a demo that
# asks for another range or symbol finds no cassette (vcrpy says which request it could not play).
PERIOD = ("2025-11-01", "2026-11-01")
SYMBOLS = ("BTC/USDT", "ETH/USDT")
SEED = 2025
DEMO_CALLS: tuple[Callable[[Any], Any], ...] = (
    unified.balances,
    lambda client: unified.ledger(client, *PERIOD),
    lambda client: unified.deposits(client, *PERIOD),
    lambda client: unified.withdrawals(client, *PERIOD),
    lambda client: unified.fee_rates(client, SYMBOLS),
)


def credentials(exchange: str) -> Credentials:
    """Obviously fake credentials that the demo cassettes accept."""
    name = exchange.upper()
    return Credentials(f"DEMO-{name}-KEY-not-real", f"DEMO-{name}-SECRET-not-real", f"DEMO-{name}-PASSPHRASE")


def folders(examples: bool = False) -> list[Path]:
    """The cassette folders replayed, in order of precedence: each exchange's synthetic account
    (unless ``examples``), then its documented examples, which answer what the account does not
    (the key descriptions, for instance)."""
    found = []
    for exchange_dir in sorted(p for p in CASSETTES.iterdir() if p.is_dir()):
        demo_dir = exchange_dir / "demo"
        if demo_dir.is_dir() and not examples:
            found.append(demo_dir)
        found.append(exchange_dir)
    return found


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


def demo(enabled: bool = True, *, examples: bool = False) -> None:
    """Switch demo mode on (or off) for every client made from now on and every request sent.

    ``examples=True`` replays the exchanges' documented examples instead of the synthetic account.
    Switching on while on (with the other source) replaces the source.
    """
    global _cassette
    if _cassette is not None:
        _cassette.__exit__(None, None, None)
        _cassette = None
        sandbox.stop_demo_servers()
    if enabled:
        from toolkit.cassettes import make_vcr

        recorder = make_vcr("none")
        recorder.register_persister(_persister(folders(examples)))
        _cassette = recorder.use_cassette(str(CASSETTES), allow_playback_repeats=True)
        _cassette.__enter__()


def connect(cls: type[Any], exchange: str, credentials: Credentials, base_url: str | None, **options: Any) -> Any:
    """A demo client: pointed at a local server where the demo has one, its HTTP windows still in
    threads but through one pooled connection in turn (vcrpy replays unreliably when threads hold
    several at once)."""
    from requests.adapters import HTTPAdapter

    options.setdefault("sync_clock", False)
    base_url = base_url or sandbox.demo_server_url(exchange, credentials.api_secret)
    client = cls(credentials, base_url=base_url, **options)
    session = getattr(client.transport, "session", None)
    if session is not None:
        session.mount("https://", HTTPAdapter(pool_connections=1, pool_maxsize=1, pool_block=True))
    return client


def active() -> bool:
    return _cassette is not None
