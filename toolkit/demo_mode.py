"""Demo mode: every client is backed by the shipped cassettes and obviously fake keys.

``tk.demo()`` switches it on for the whole process (a notebook, the README's main job);
``tk.demo(False)`` switches it off. Nothing leaves the machine while it is on: a request that no
cassette answers fails with vcrpy's ``CannotOverwriteExistingCassetteException``.

For each exchange the demo reads ``cassettes/<exchange>/demo/`` when it exists (a synthetic
account with a year of activity), else the documented-example cassettes in ``cassettes/<exchange>/``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from toolkit.core.cassettes import CASSETTES, FolderPersister, make_vcr
from toolkit.credentials import Credentials

_cassette: AbstractContextManager[Any] | None = None


def credentials(exchange: str) -> Credentials:
    """Obviously fake credentials that the demo cassettes accept."""
    name = exchange.upper()
    return Credentials(f"DEMO-{name}-KEY-not-real", f"DEMO-{name}-SECRET-not-real", f"DEMO-{name}-PASSPHRASE")


def folders() -> list[Path]:
    found = []
    for exchange_dir in sorted(p for p in CASSETTES.iterdir() if p.is_dir()):
        demo_dir = exchange_dir / "demo"
        found.append(demo_dir if demo_dir.is_dir() else exchange_dir)
    return found


class _AllFolders(FolderPersister):
    @classmethod
    def load_cassette(cls, cassette_path: Any, serializer: Any) -> tuple[list[Any], list[Any]]:
        requests: list[Any] = []
        responses: list[Any] = []
        for folder in folders():
            found_requests, found_responses = FolderPersister.load_cassette(folder, serializer)
            requests.extend(found_requests)
            responses.extend(found_responses)
        return requests, responses


def demo(enabled: bool = True) -> None:
    """Switch demo mode on (or off) for every client made from now on and every request sent."""
    global _cassette
    if enabled and _cassette is None:
        recorder = make_vcr("none")
        recorder.register_persister(_AllFolders)
        _cassette = recorder.use_cassette(str(CASSETTES), allow_playback_repeats=True)
        _cassette.__enter__()
    elif not enabled and _cassette is not None:
        _cassette.__exit__(None, None, None)
        _cassette = None


def active() -> bool:
    return _cassette is not None
