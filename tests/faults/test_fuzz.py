"""A seeded mutator over every cassette body: whatever an exchange sends back, the client answers
with a frame or a ToolkitError, never another exception, and never runs away.

``TOOLKIT_FUZZ_CASES`` sets the mutations per body (default 25, the quick mode CI runs);
``TOOLKIT_FUZZ_SEED`` the seed.
"""

from __future__ import annotations

import copy
import importlib
import json
import os
import random
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

import toolkit as tk
from tests.conftest import HTTP_EXCHANGES
from toolkit.core.endpoint import Endpoint
from toolkit.core.http import Reply
from toolkit.errors import ToolkitError
from toolkit.sandbox import CASSETTES

CASES = int(os.environ.get("TOOLKIT_FUZZ_CASES", "25"))
SEED = int(os.environ.get("TOOLKIT_FUZZ_SEED", "14"))
RUNAWAY_SECONDS = 2.0
DROP = object()  # a mutation that removes the key (or the list element)
HOSTILE: list[Any] = [
    None, "", "abc", "1e-7", "Infinity", "NaN", -1, 0, True, False, 10**30, -(10**30), 1e308, "9" * 400,
    [], {}, [[1, 2]], {"x": {"y": 1}}, [{"a": None}], "\ud800", "1" * 19, "2025-01-01", 1.5,
]  # fmt: skip


def cassette_cases() -> list[tuple[str, Path, int]]:
    found = []
    for exchange in HTTP_EXCHANGES:
        for path in sorted((CASSETTES / exchange).glob("*.yaml")):
            interactions = yaml.safe_load(path.read_text())["interactions"]
            found += [(exchange, path, n) for n in range(len(interactions))]
    return found


def endpoint_for(exchange: str, request: dict[str, Any]) -> Endpoint | None:
    """The declared endpoint a recorded request was sent to."""
    module = importlib.import_module(f"toolkit.exchanges.{exchange}.endpoints")
    parts = urlsplit(request["uri"])
    query = dict(parse_qsl(parts.query))
    for value in vars(module).values():
        if not isinstance(value, Endpoint) or value.method != request["method"]:
            continue
        pattern = value.path.replace("{", "").replace("}", "")
        same_path = value.path == parts.path or ("{" in value.path and parts.path.startswith(pattern.rsplit("/", 1)[0]))
        if same_path and all(query.get(k) == v for k, v in value.address.items()):
            return value
    return None


def mutations(body: Any, rng: random.Random) -> list[bytes]:
    """``CASES`` hostile versions of a JSON body: a value replaced, a key dropped, a list wrapped,
    nesting far too deep, a body cut short."""

    def nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        found = [path]
        if isinstance(value, dict):
            for key, child in value.items():
                found += nodes(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value[:3]):
                found += nodes(child, (*path, index))
        return found

    def replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
        if not path:
            return None if new is DROP else new
        copied = copy.deepcopy(value)
        target = copied
        for step in path[:-1]:
            target = target[step]
        if new is DROP:
            target.pop(path[-1])
        else:
            target[path[-1]] = new
        return copied

    texts = []
    places = nodes(body)
    for _ in range(CASES):
        roll = rng.random()
        path = rng.choice(places)
        if roll < 0.05:
            texts.append(json.dumps(body).encode()[: rng.randrange(1, 40)])
            continue
        if roll < 0.10:
            deep = json.dumps(replace(body, path, "@DEEP@")).replace('"@DEEP@"', "[" * 3000 + "]" * 3000)
            texts.append(deep.encode())
            continue
        if roll < 0.30:
            new: Any = DROP
        elif roll < 0.40:
            old = replace(body, (), body)
            for step in path:
                old = old[step]
            new = {"list": old}
        else:
            new = rng.choice(HOSTILE)
        texts.append(json.dumps(replace(body, path, new)).encode())
    return texts


class Answering:
    """A transport that answers every request with the same body."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.reply = Reply(status, headers, body)
        self.sent = 0

    def send(self, call):
        self.sent += 1
        if self.sent > 50:
            raise AssertionError("runaway: more than 50 requests for one call")
        return self.reply


def arguments(endpoint: Endpoint) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for name, param in endpoint.params.items():
        if param.required:
            args[name] = 1 if name in ("quantity",) else "X1"
    if endpoint.window is not None:
        args[endpoint.window.start] = "2024-01-01"
        args[endpoint.window.end] = "2024-01-02"
    if endpoint.fan_out is not None:
        args[endpoint.fan_out.arg] = ["BTC"]
    return args


@pytest.mark.parametrize(
    ("exchange", "path", "number"), cassette_cases(), ids=[f"{p.stem}[{n}]" for _, p, n in cassette_cases()]
)
def test_every_mutation_of_every_cassette_body_is_a_frame_or_a_toolkit_error(exchange, path, number, fake_credentials):
    interaction = yaml.safe_load(path.read_text())["interactions"][number]
    endpoint = endpoint_for(exchange, interaction["request"])
    if endpoint is None:
        pytest.skip(f"{path.name}: no declared endpoint for {interaction['request']['uri']}")
    response = interaction["response"]
    try:
        body = json.loads(response["body"]["string"])
    except ValueError:
        pytest.skip(f"{path.name}: the recorded body is not JSON (another test covers it)")
    rng = random.Random(f"{SEED}:{path.name}:{number}")
    headers = {k: v[0] for k, v in (response.get("headers") or {}).items()}
    for text in mutations(body, rng):
        transport = Answering(response["status"]["code"], headers, text)
        client = tk.connect(exchange, fake_credentials, sync_clock=False, progress=False, transport=transport,
                            max_retries=0)  # fmt: skip
        started = time.monotonic()
        try:
            if endpoint.window is not None or endpoint.fan_out is not None or endpoint.paging is not None:
                client.history(endpoint, arguments(endpoint))
            else:
                client.request(endpoint, arguments(endpoint), confirm=True)
        except ToolkitError:
            pass
        except Exception as exc:
            pytest.fail(f"{path.name}: {type(exc).__name__}: {exc} for body {text[:300]!r}")
        took = time.monotonic() - started
        assert took < RUNAWAY_SECONDS, f"{path.name}: {took:.1f} s for body {text[:200]!r}"
