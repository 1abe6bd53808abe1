"""vcrpy configuration shared by the tests, the recording workflow and demo mode.

The same scrubbing runs when a cassette is recorded and when a live request is matched
against one (vcrpy applies ``before_record_request`` to both), so signatures, keys and
timestamps never reach a cassette and never decide whether a request matches. The names are
every exchange signer's (``toolkit.exchanges.sensitive_names``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import vcr
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.persisters.filesystem import CassetteNotFoundError, FilesystemPersister
from vcr.request import Request
from vcr.serialize import deserialize
from vcr.serializers import yamlserializer

from toolkit.core.http import HttpTransport
from toolkit.core.redact import VOLATILE_HEADERS, VOLATILE_PARAMS, redact_text
from toolkit.exchanges import sensitive_names
from toolkit.sandbox import CASSETTES

FILTERED = "FILTERED"
# Every exchange's auth names, registered now: a cassette may be scrubbed before any client exists.
SENSITIVE_HEADERS, SENSITIVE_PARAMS = sensitive_names()
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")


def _scrub_pairs(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    hidden = SENSITIVE_PARAMS | VOLATILE_PARAMS
    return [(k, FILTERED if k.lower() in hidden else v) for k, v in pairs]


def scrub_request(request: Request) -> Request:
    """Mask auth and volatile headers, query parameters and form fields."""
    for name in list(request.headers):
        if name.lower() in SENSITIVE_HEADERS | VOLATILE_HEADERS:
            request.headers[name] = FILTERED
    parts = urlsplit(request.uri)
    if parts.query:
        query = urlencode(_scrub_pairs(parse_qsl(parts.query, keep_blank_values=True)))
        request.uri = urlunsplit(parts._replace(query=query))
    body = request.body
    if isinstance(body, bytes) and "form-urlencoded" in str(request.headers.get("Content-Type", "")):
        request.body = urlencode(_scrub_pairs(parse_qsl(body.decode(), keep_blank_values=True))).encode()
    return request


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Mask any echoed credential in a recorded body, and drop cookies."""
    body = response.get("body", {})
    if isinstance(body.get("string"), bytes):
        body["string"] = redact_text(body["string"].decode("utf-8", "replace")).encode()
    elif isinstance(body.get("string"), str):
        body["string"] = redact_text(body["string"])
    headers = response.get("headers", {})
    for name in [h for h in headers if h.lower() == "set-cookie"]:
        del headers[name]
    return response


_FILTERED_LIST = re.compile(r"(\n[ \t]+)([A-Za-z0-9-]+):\n[ \t]+- FILTERED(?=\n)")


class InlineFilteredYaml:
    """vcrpy's YAML, with masked header values written inline (``ACCESS-KEY: [FILTERED]``).

    One line per header lets line-based secret scanners see the name and its masked value
    together instead of flagging every block-style list.
    """

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        return _FILTERED_LIST.sub(r"\1\2: [FILTERED]", yamlserializer.serialize(cassette_dict))

    @staticmethod
    def deserialize(cassette_string: str) -> Any:
        return yamlserializer.deserialize(cassette_string)


def make_vcr(record_mode: str = "none", **overrides: Any) -> vcr.VCR:
    """A ``vcr.VCR`` with the toolkit's scrubbing and matching; ``record_mode="none"`` never records."""
    config: dict[str, Any] = {
        "cassette_library_dir": str(CASSETTES),
        "record_mode": record_mode,
        "match_on": MATCH_ON,
        "before_record_request": scrub_request,
        "before_record_response": scrub_response,
        "decode_compressed_response": True,
        **overrides,
    }
    recorder = vcr.VCR(**config)
    recorder.register_serializer("yaml", InlineFilteredYaml)
    # Installed when a recorder is made, not when this module is imported: a request no cassette
    # holds is then a toolkit error that names it (NotRecorded), not vcrpy's advice on record modes.
    HttpTransport.replay_errors = (CannotOverwriteExistingCassetteException,)
    return recorder


class FolderPersister(FilesystemPersister):
    """Loads every cassette of a folder as one (demo mode); never writes."""

    @classmethod
    def load_cassette(cls, cassette_path: Any, serializer: Any) -> tuple[list[Any], list[Any]]:
        folder = Path(cassette_path)
        if not folder.is_dir():
            raise CassetteNotFoundError()
        requests: list[Any] = []
        responses: list[Any] = []
        for path in sorted(folder.glob("*.yaml")):
            if "--" in path.stem:  # scenario cassettes (errors, paging) repeat the plain requests
                continue
            found_requests, found_responses = deserialize(path.read_text(), serializer)
            requests.extend(found_requests)
            responses.extend(found_responses)
        return requests, responses

    @staticmethod
    def save_cassette(cassette_path: Any, cassette_dict: Any, serializer: Any) -> None:
        raise RuntimeError("demo cassettes are read-only")
