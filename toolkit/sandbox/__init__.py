"""Local stand-ins of the exchanges: demo mode, the tests and the benchmarks talk to these.

``start()`` runs one sandbox per exchange on 127.0.0.1 (free ports), each serving that exchange's
documented account API over its own fictional account (``toolkit.sandbox.account``). This package
is the framework (the HTTP server with its fault knobs, the accounts, the export files); each
exchange's stand-in lives in its own folder (``toolkit/exchanges/<id>/sandbox.py``, named by its
descriptor's ``sandbox``), so adding an exchange touches nothing here. No client imports this
package; clients are pointed at a sandbox through ``base_url``. Every server binds to 127.0.0.1
only and stops by itself after ``lifetime`` seconds.

``replay_server`` replays a transcript of a WebSocket API's documented examples
(``cassettes/<id>/ws/``) through that exchange's stand-in.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from toolkit.core.credentials import Credentials
from toolkit.core.ratelimit import SkippingClock
from toolkit.core.timeutil import TimeLike, to_ms
from toolkit.exchanges import descriptor, descriptors
from toolkit.sandbox.account import Account, build
from toolkit.sandbox.base import demo_credentials

CASSETTES = Path(os.environ.get("TOOLKIT_CASSETTES", Path(__file__).resolve().parents[2] / "cassettes"))

# exchange -> its HTTP app ("module:Class"), from the exchange descriptors (``sandbox``).
APPS = {d.id: d.sandbox for d in descriptors() if d.transport == "http"}

__all__ = ["APPS", "CASSETTES", "Sandboxes", "demo_credentials", "replay_server", "start"]


class Sandboxes:
    """Running sandboxes by exchange: ``addresses(exchange)``, ``connect_options(exchange)`` (what
    ``tk.connect`` needs to reach it), ``connect_line(exchange)`` (the same as a line to paste),
    ``account(exchange)``, ``server(exchange)``; ``stop()``. ``clock``: the ``SkippingClock`` they
    count their rate limits on (None: the wall clock)."""

    def __init__(
        self, servers: dict[str, Any], accounts: dict[str, Account], clock: SkippingClock | None = None
    ) -> None:
        self.servers = servers
        self.accounts = accounts
        self.clock = clock

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={self.addresses(name)}" for name in sorted(self.servers))
        return f"Sandboxes({shown})"

    def url(self, exchange: str) -> str:
        return str(self.servers[exchange].url)

    def addresses(self, exchange: str) -> dict[str, str]:
        """Every address ``exchange``'s sandbox answers on, by ``tk.connect`` option: ``base_url``,
        and for Binance (WebSocket API and REST) ``rest_base_url`` too."""
        found = {"base_url": self.url(exchange)}
        rest = getattr(self.servers[exchange], "rest_url", None)
        if rest is not None:
            found["rest_base_url"] = str(rest)
        return found

    def connect_options(self, exchange: str) -> dict[str, Any]:
        """``tk.connect(exchange, **options)`` reaches this sandbox with these: its fake keys and
        every address."""
        return {"credentials": self.credentials(exchange), **self.addresses(exchange)}

    def connect_line(self, exchange: str) -> str:
        """The ``tk.connect(...)`` line that reaches this sandbox, to paste into a notebook. The fake
        keys are written out on purpose: they open nothing but these local servers."""
        creds = self.credentials(exchange)
        passphrase = f", passphrase={creds.passphrase!r}" if descriptor(exchange).passphrase else ""
        keys = f"tk.Credentials(api_key={creds.api_key!r}, api_secret={creds.api_secret!r}{passphrase})"
        where = "".join(f", {name}={value!r}" for name, value in self.addresses(exchange).items())
        return f"tk.connect({exchange!r}, {keys}{where})"

    def server(self, exchange: str) -> Any:
        return self.servers[exchange]

    def account(self, exchange: str) -> Account:
        return self.accounts[exchange]

    def credentials(self, exchange: str) -> Credentials:
        return demo_credentials(exchange)

    def write_export(
        self, exchange: str, path: str | os.PathLike[str], start: TimeLike | None = None, end: TimeLike | None = None
    ) -> Path:
        """Write ``exchange``'s own export of its account's history from ``start`` to ``end``
        (default: all of it), in the format ``tk.imports`` reads for it: Binance's statement,
        KuCoin's account history, Bitget's financial record."""
        from toolkit.sandbox.exports import write

        return write(exchange, self.accounts[exchange], Path(path), to_ms(start) if start is not None else 0,
                     to_ms(end) if end is not None else None)  # fmt: skip

    def switch_off(self, exchange: str, *sources: str) -> None:
        """Stop ``exchange``'s sandbox from serving these sources of events (Binance: ``convert``,
        ``dust``, ``earn``, ``transfer``, ``funding``; CoinW: ``fees``, its currencies' withdrawal
        fee): they answer as the exchange answers a key without the permission, while the account
        keeps the events, so reconciliation has something to explain."""
        server = self.servers[exchange]
        getattr(server, "rest_app", getattr(server, "app", server)).off.update(sources)

    def issue(self, exchange: str, credentials: Credentials) -> None:
        """Let ``exchange``'s sandbox accept ``credentials`` (it checks signatures with them)."""
        server = self.servers[exchange]
        getattr(server, "app", server).issue(credentials)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()

    def __enter__(self) -> Sandboxes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(
    exchanges: Iterable[str] | None = None,
    *,
    today: date | None = None,
    story: bool = False,
    lifetime: float = 4 * 3600,
    ports: dict[str, int] | None = None,
    newer_accounts: bool = False,
    models: Mapping[str, str] | None = None,
    clock: SkippingClock | None = None,
) -> Sandboxes:
    """Start a sandbox for each of ``exchanges`` (default: all four) over its fictional account.

    ``today`` moves the demo year (it ends the day before); ``story`` makes the Binance sandbox
    play its short event story after each subscription; ``ports`` pins ports (default: free ones).
    ``newer_accounts`` serves Bitget's and KuCoin's accounts as unified trading accounts (Bitget's
    v3 endpoints only, KuCoin's UA API beside a classic API that shows no account): Bitget's
    financial records reach back 90 days, so its demo year is then only partly readable, as it
    would be on Bitget. ``models`` picks an exchange's account model by name (``{"kucoin": "hf"}``:
    a KuCoin account that trades in its high-frequency trade account, whose ledger KuCoin serves
    for 3 days: its year comes from the export ``write_export`` writes). ``clock``: a
    ``SkippingClock`` the sandboxes count their rate limits on, shared with clients that skip
    their waits on it (demo mode: every limit counted, none sat out).
    """
    from toolkit.sandbox.server import HttpSandbox

    chosen = sorted(exchanges) if exchanges is not None else sorted(d.id for d in descriptors())
    servers: dict[str, Any] = {}
    accounts: dict[str, Account] = {}
    newer = {d.id: d.newer_model for d in descriptors() if newer_accounts and d.newer_model}
    picked = {**newer, **(models or {})}
    for exchange in chosen:
        model = picked.get(exchange, "classic")
        accounts[exchange] = account = build(exchange, today=today, model=model)
        port = (ports or {}).get(exchange, 0)
        if descriptor(exchange).transport == "websocket":  # a WebSocket API, its REST beside it
            box = stand_in(exchange)(account, story=story, lifetime=lifetime)
            if clock is not None:
                box.rest_app.count_limits_on(clock.monotonic)
                box.minute_clock = clock.monotonic
            servers[exchange] = box.start()
            continue
        app = stand_in(exchange)(account)
        if clock is not None:
            app.count_limits_on(clock.monotonic)
        if model != "classic":
            app.use_model(model)
        servers[exchange] = HttpSandbox(app, port=port, lifetime=lifetime).start()
    return Sandboxes(servers, accounts, clock)


def stand_in(exchange: str) -> Any:
    """The class of ``exchange``'s stand-in (its descriptor's ``sandbox``, in its own folder)."""
    module, name = descriptor(exchange).sandbox.split(":")
    return getattr(importlib.import_module(module), name)


def replay_server(exchange: str, transcript: str, secret: str | None) -> Any:
    """A lenient replay of one of ``exchange``'s transcripts (documented examples, where its
    transport is a WebSocket), started: its ``url``, and ``stop()``."""
    return stand_in(exchange).replay(transcript, secret, lifetime=4 * 3600)
