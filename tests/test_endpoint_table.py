"""Every endpoint, as data: one table over every exchange's ``endpoints`` module, so a new endpoint
(one spec line and its cassette) is checked with no new test code.

- every state-changing endpoint refuses without ``confirm=True``, before anything is sent;
- every endpoint of an HTTP cassette has one answering it, marked with its source;
- the columns an endpoint declares cover every field of its records in those answers: a field
  the documented example has and the frame would drop is a failure here (records the endpoint
  reshapes, explodes or flattens first are left to their own tests).

Binance's WebSocket API methods answer from transcripts (``cassettes/binance/ws``), each of whose
first line names its source.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

import toolkit as tk
from toolkit.core.endpoint import Endpoint
from toolkit.errors import ConfirmationRequired, ToolkitError
from toolkit.exchanges import REGISTRY, descriptor

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
# A cassette says above its interactions where its bodies come from.
SOURCE = re.compile(r"documented|example|https?://|reference|UNCONFIRMED|fixture|synthetic|error map", re.I)
# Endpoints with no recorded answer, and why (each is read in the sandbox tests).
NO_CASSETTE = {
    "kucoin.UA_API_KEY": "no KuCoin example of /api/ua/v2/user/api-key found (reference sheet: UNCONFIRMED)",
    "kucoin.UA_CLASSIC_BALANCES": "no KuCoin example of /api/ua/v2/account/balance found (UNCONFIRMED)",
}
# Fields an answer has that the frame leaves out on purpose, and why.
LEFT_OUT = {
    "kucoin.API_KEY": ({"apiKey"}, "the key itself: frames are shown in notebooks, which get saved"),
    "kucoin.RISK_LIMIT_ISOLATED": (
        {
            "currency",
            "borrowMaxAmount",
            "buyMaxAmount",
            "holdMaxAmount",
            "borrowCoefficient",
            "marginCoefficient",
            "precision",
            "borrowMinAmount",
            "borrowMinUnit",
            "borrowEnabled",
        },
        "KuCoin's only example answers isIsolated=true with cross-margin fields (a documented quirk)",
    ),
    "binance.ACCOUNT_SNAPSHOT": ({"data"}, "each snapshot's data.balances becomes rows in the client"),
}
FAKE = {"api_key": "TEST-KEY-not-real", "api_secret": "TEST-SECRET-not-real", "passphrase": "TEST-PASS-not-real"}


def endpoints() -> list[tuple[str, str, Endpoint]]:
    found = []
    for exchange in sorted(REGISTRY):
        module = importlib.import_module(f"toolkit.exchanges.{exchange}.endpoints")
        found += [(exchange, name, value) for name, value in vars(module).items() if isinstance(value, Endpoint)]
    return found


ENDPOINTS = endpoints()
IDS = [f"{exchange}.{name}" for exchange, name, _ in ENDPOINTS]


def client_of(exchange: str):
    creds = tk.Credentials(**{k: v for k, v in FAKE.items() if k != "passphrase" or descriptor(exchange).passphrase})
    return tk.connect(exchange, creds, sync_clock=False, progress=False)


def cassette_files(exchange: str) -> list[Path]:
    """The HTTP cassettes of ``exchange`` (Binance's REST side; its WebSocket API has transcripts)."""
    folder = CASSETTES / exchange / ("rest" if exchange == "binance" else "")
    return sorted(folder.glob("*.yaml"))


@functools.cache
def interactions(exchange: str) -> list[tuple[Path, dict]]:
    """(cassette, interaction) of every recording of ``exchange``, read once for every endpoint."""
    return [(path, found) for path in cassette_files(exchange)
            for found in yaml.safe_load(path.read_text()).get("interactions", [])]  # fmt: skip


def path_pattern(endpoint: Endpoint) -> re.Pattern[str]:
    """The endpoint's path with each ``{placeholder}`` matching one path segment."""
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(endpoint.path)) + "$")


def same_fixed(endpoint: Endpoint, query: dict[str, str]) -> bool:
    """The request carries the endpoint's own address and fixed values (one path, two endpoints)."""
    wanted = {**endpoint.fixed, **endpoint.address}
    return all(str(v).lower() == query[k].lower() for k, v in wanted.items() if k in query) and all(
        k in query for k in endpoint.address
    )


def answers(exchange: str, endpoint: Endpoint) -> list[tuple[Path, dict]]:
    """(cassette, JSON body) of every successful recorded answer to ``endpoint``. A path another
    endpoint names literally is that one's (``/accounts/ledgers`` is not ``/accounts/{accountId}``)."""
    found = []
    pattern = path_pattern(endpoint)
    literal = {other.path for e, _, other in ENDPOINTS if e == exchange and other is not endpoint}
    for path, interaction in interactions(exchange):
        request, response = interaction["request"], interaction["response"]
        url = urlsplit(request["uri"])
        if request["method"] != endpoint.method or not pattern.match(url.path):
            continue
        if url.path != endpoint.path and url.path in literal:
            continue
        if not same_fixed(endpoint, dict(parse_qsl(url.query))) or response["status"]["code"] != 200:
            continue
        try:
            found.append((path, json.loads(response["body"]["string"])))
        except ValueError:
            continue  # a recorded non-JSON body: a fault case
    return found


def transcripts(method: str) -> list[Path]:
    """Binance WebSocket transcripts in which the client sends ``method``."""
    return [
        p for p in sorted((CASSETTES / "binance" / "ws").glob("*.jsonl")) if f'"method": "{method}"' in p.read_text()
    ]


CHANGING = [(e, n, ep) for e, n, ep in ENDPOINTS if ep.changes_state]


@pytest.mark.parametrize(("exchange", "name", "endpoint"), CHANGING, ids=[f"{e}.{n}" for e, n, _ in CHANGING])
def test_a_state_changing_endpoint_refuses_without_confirm_and_sends_nothing(exchange, name, endpoint):
    client = client_of(exchange)
    sent = []
    client.transport.send = lambda call: sent.append(call)  # anything sent would be recorded here
    args = {name: "1" for name, param in endpoint.params.items() if param.required}
    with pytest.raises(ConfirmationRequired, match="confirm=True"):
        client.call(endpoint, args)
    assert sent == []


@pytest.mark.parametrize(("exchange", "name", "endpoint"), ENDPOINTS, ids=IDS)
def test_every_endpoint_has_a_cassette_with_its_source_and_its_columns_cover_the_fields(exchange, name, endpoint):
    if not endpoint.method:  # a WebSocket API method
        found = transcripts(endpoint.path)
        assert found, f"no transcript sends {endpoint.path}"
        assert all(SOURCE.search(p.read_text().splitlines()[0]) for p in found), [p.name for p in found]
        return
    recorded = answers(exchange, endpoint)
    if f"{exchange}.{name}" in NO_CASSETTE:
        assert not recorded, f"{exchange}.{name} has a cassette now: take it off NO_CASSETTE"
        pytest.skip(NO_CASSETTE[f"{exchange}.{name}"])
    assert recorded, f"no cassette answers {endpoint.method} {endpoint.path} {dict(endpoint.address)}"
    for path, _ in recorded:
        assert SOURCE.search(path.read_text().split("interactions:")[0]), (
            f"{path.name}: no source above its interactions"
        )
    if endpoint.reshape or endpoint.explode or endpoint.flatten:
        return
    client = client_of(exchange)
    envelope = endpoint.envelope or client.route(endpoint).envelope
    for path, body in recorded:
        data = (
            body.get(envelope.data, body) if envelope is not None and envelope.data and isinstance(body, dict) else body
        )
        refused = envelope is not None and envelope.ok_codes and isinstance(body, dict)
        if refused and str(body.get(envelope.code or "")) not in envelope.ok_codes:
            continue  # an error answered with HTTP 200
        try:
            records = client.records(endpoint, data)
        except ToolkitError:
            continue  # an answer of another shape (an error variant) is the fault tests' business
        fields = {key for record in records if isinstance(record, dict) for key in record}
        kept_out = LEFT_OUT.get(f"{exchange}.{name}", (set(), ""))[0]
        missing = sorted(fields - set(endpoint.columns) - set(endpoint.rename) - kept_out)
        assert not missing, f"{path.name}: fields the frame would drop: {missing}"
