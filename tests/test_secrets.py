"""Secrets never leak: not into cassettes or notebooks, logs, exception text or reprs.

Two kinds of checks. A scan of what is committed (``cassettes/``, ``notebooks/``) that fails on a
credential-shaped value in an auth position, on the test suite's fake keys, on notebook outputs and
on saved widget state. And, per exchange, requests run at DEBUG logging with the recognisable fake
keys of ``tests/conftest.py``, after which the keys and the signatures actually sent must appear
nowhere in the captured log output, exception text or reprs.
"""

from __future__ import annotations

import json
import logging
import re
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import requests
import yaml
from requests.adapters import BaseAdapter

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_PASSPHRASE, FAKE_SECRET, FAKE_VALUES
from toolkit import demo_mode
from toolkit.cassettes import CASSETTES, make_vcr
from toolkit.core.client import RestClient
from toolkit.core.redact import redact_exception
from toolkit.errors import NotRecorded, ToolkitError
from toolkit.exchanges import client_class, sensitive_names

SENSITIVE_HEADERS, SENSITIVE_PARAMS = sensitive_names()
ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
AUTH_NAMES = SENSITIVE_HEADERS | SENSITIVE_PARAMS
# Credentials published as worked examples in the exchanges' own documentation (Binance BN-WS,
# quoted in the Binance transcripts' client frames): public, and never anyone's account.
DOCUMENTED_EXAMPLES = frozenset(
    (
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "83303b4a136ac1371795f465808367242685a9e3a42b22edb4d977d0696eb45c",
        "76289424d6e288f4dc47d167ac824e859dabf78736f4348abbbac848d719eb94",
        "mjcKCrJzTU6TChLsnPmgnQJJMR616J4yWvdZWDUeXkk6vL6dLyS7rcVOQlADlVjA",
        "yN1vWpXb+qoZ3/dGiFs9vmpNdV7e3FxkA+BstzbezDKwObcijvk/CVkWxIwMCtCJbP270R0OempYwEpS6rDZCQ==",
    )
)
_PLACEHOLDER = re.compile(r"^(FILTERED|\**|[xX]+|<[^<>]*>)$")
# name=value (URLs, form bodies), "name": "value" (JSON), Name: value (header dumps).
_AUTH_NAMES_RE = "|".join(sorted((re.escape(n) for n in AUTH_NAMES), key=len, reverse=True))
_AUTH_IN_TEXT = (
    re.compile(rf"(?i)(?<![\w-])({_AUTH_NAMES_RE})=([^&\s'\"\\]+)"),
    re.compile(rf"(?i)[\"']({_AUTH_NAMES_RE})[\"']\s*:\s*[\"']([^\"']*)[\"']"),
    re.compile(rf"(?im)^\s*({_AUTH_NAMES_RE})\s*:\s*['\"]?([^\s'\"]+)"),
)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16,}")
# A credential written into notebook code: Credentials("...", ...), or an environment variable set.
_CREDENTIALS_IN_CODE = (
    re.compile(r"Credentials\(\s*(api_key\s*=\s*)?[\"']"),
    re.compile(r"_API_(KEY|SECRET|PASSPHRASE)[\"']\]?\s*=\s*[\"']"),
    re.compile(r"(?i)\b(api_key|api_secret|secret|passphrase)\s*=\s*[\"'][^\"']{6,}[\"']"),
)


def masked(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, str) and (bool(_PLACEHOLDER.match(value)) or value in DOCUMENTED_EXAMPLES)


# --------------------------------------------------------------------------- the scanner


def raw_findings(text: str) -> list[str]:
    """What must appear in no committed file at all: the test suite's fake keys, private keys."""
    found = [f"fake test key {value!r}" for value in FAKE_VALUES if value in text]
    if _PRIVATE_KEY.search(text):
        found.append("a PEM private key")
    return found


def text_findings(text: str) -> list[str]:
    """Credential-shaped things in free text (code, output): ``raw_findings`` and unmasked auth values."""
    found = raw_findings(text)
    for pattern in _AUTH_IN_TEXT:
        for match in pattern.finditer(text):
            if not masked(match.group(2)):
                found.append(f"unmasked {match.group(1)} value {match.group(2)[:6]}…")
    return found


def json_findings(data: Any, where: str) -> list[str]:
    """Unmasked values under auth-named keys anywhere in a JSON document."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).lower() in AUTH_NAMES and isinstance(value, str) and not masked(value):
                found.append(f"{where}: unmasked {key} value {value[:6]}…")
            found.extend(json_findings(value, where))
    elif isinstance(data, list):
        for item in data:
            found.extend(json_findings(item, where))
    return found


def _body_text(body: Any) -> str | None:
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8", "replace")
    return body if isinstance(body, str) else None


def _body_findings(text: str | None, where: str) -> list[str]:
    if not text:
        return []
    try:
        return json_findings(json.loads(text), where)
    except ValueError:
        pairs = parse_qsl(text, keep_blank_values=True)
        return [f"{where}: unmasked {k} value {v[:6]}…" for k, v in pairs if k.lower() in AUTH_NAMES and not masked(v)]


def cassette_findings(text: str) -> list[str]:
    """What is wrong with one vcrpy cassette (YAML) from a secrets point of view."""
    found = raw_findings(text)
    for number, interaction in enumerate((yaml.safe_load(text) or {}).get("interactions") or [], 1):
        request, response = interaction.get("request", {}), interaction.get("response", {})
        where = f"interaction {number}"
        for name, values in (request.get("headers") or {}).items():
            values = values if isinstance(values, list) else [values]
            if name.lower() in SENSITIVE_HEADERS and not all(masked(v) for v in values):
                found.append(f"{where}: header {name} is not FILTERED")
        for name, value in parse_qsl(urlsplit(request.get("uri", "")).query, keep_blank_values=True):
            if name.lower() in SENSITIVE_PARAMS and not masked(value):
                found.append(f"{where}: query parameter {name} is not FILTERED")
        found.extend(_body_findings(_body_text(request.get("body")), f"{where} request body"))
        found.extend(_body_findings(_body_text(response.get("body")), f"{where} response body"))
    return found


def transcript_findings(text: str) -> list[str]:
    """What is wrong with one websocket transcript (JSONL)."""
    found = raw_findings(text)
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            found.extend(json_findings(json.loads(line), f"line {number}"))
    return found


def notebook_findings(text: str) -> list[str]:
    """A committed notebook has no outputs, no widget state and no credentials in its code."""
    notebook = json.loads(text)
    found = []
    if "widgets" in notebook.get("metadata", {}):
        found.append("saved widget state in the notebook metadata")
    for number, cell in enumerate(notebook.get("cells", []), 1):
        source = "".join(cell.get("source", []))
        if cell.get("outputs"):
            found.append(f"cell {number} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {number} has an execution count")
        if "widgets" in cell.get("metadata", {}):
            found.append(f"cell {number} has saved widget state")
        found.extend(f"cell {number}: {finding}" for finding in text_findings(source))
        found.extend(
            f"cell {number}: a credential written into the code"
            for pattern in _CREDENTIALS_IN_CODE
            if pattern.search(source)
        )
    return found


def scan(folder: Path) -> dict[str, list[str]]:
    checks = {".yaml": cassette_findings, ".yml": cassette_findings, ".jsonl": transcript_findings}
    checks[".ipynb"] = notebook_findings
    results = {}
    for path in sorted(folder.rglob("*")):
        check = checks.get(path.suffix)
        if check and ".ipynb_checkpoints" not in path.parts:
            results[str(path.relative_to(ROOT))] = check(path.read_text(encoding="utf-8"))
    return results


# --------------------------------------------------------------------------- the scan, on the repo


def test_committed_cassettes_hold_no_secret():
    results = scan(CASSETTES)
    assert len(results) >= 20, "the scan found too few cassettes: is CASSETTES pointing at the repo?"
    assert {path: found for path, found in results.items() if found} == {}


def test_committed_notebooks_hold_no_output_widget_state_or_secret():
    results = scan(NOTEBOOKS)
    assert any(path.endswith("01_quickstart.ipynb") for path in results)
    assert {path: found for path, found in results.items() if found} == {}


# --------------------------------------------------------------------------- the scan, on bad input

LEAKY_CASSETTE = f"""
interactions:
- request:
    body: '{{"apiKey":"{FAKE_KEY}","coin":"USDT"}}'
    headers:
      ACCESS-KEY:
      - FILTERED
      ACCESS-SIGN:
      - 3q2+7w0hY2FzZXR0ZXMgbGVhayBzaWduYXR1cmVz
      X-MBX-APIKEY:
      - FILTERED
    method: GET
    uri: https://api.example.com/api/v3/account?timestamp=FILTERED&signature=9f86d081884c7d659a2feaa0c55ad015
  response:
    status: {{code: 200, message: OK}}
    headers: {{}}
    body:
      string: '{{"code":"0","data":{{"passphrase":"hunter2hunter2"}}}}'
version: 1
"""

CLEAN_CASSETTE = """
interactions:
- request:
    body: api_key=FILTERED&sign=FILTERED&coin=USDT
    headers:
      KC-API-KEY: [FILTERED]
      KC-API-SIGN: [FILTERED]
      KC-API-PASSPHRASE: [FILTERED]
    method: POST
    uri: https://api.example.com/api/v1/private?command=returnBalances&api_key=FILTERED&sign=FILTERED
  response:
    status: {code: 200, message: OK}
    headers: {}
    body:
      string: '{"code":"200000","data":{"userId":"**********","apiKey":"***"}}'
version: 1
"""


def test_the_cassette_scan_catches_each_kind_of_leak():
    found = cassette_findings(LEAKY_CASSETTE)
    assert f"fake test key {FAKE_KEY!r}" in found
    assert "interaction 1: header ACCESS-SIGN is not FILTERED" in found
    assert "interaction 1: query parameter signature is not FILTERED" in found
    assert "interaction 1 request body: unmasked apiKey value FAKE-K…" in found
    assert "interaction 1 response body: unmasked passphrase value hunter…" in found
    assert cassette_findings(CLEAN_CASSETTE) == []


def test_the_transcript_scan_catches_an_unmasked_key_but_not_documented_examples():
    leaky = '{"client": {"method": "account.status", "params": {"apiKey": "Zq8uUuS6d0tKpNn0Vn1sLyC8nQ"}}}'
    assert transcript_findings(leaky) == ["line 1: unmasked apiKey value Zq8uUu…"]
    example = '{"client": {"params": {"apiKey": "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"}}}'
    assert transcript_findings(example) == []


def test_the_scan_catches_a_private_key_in_free_text():
    assert text_findings("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAbCdEfGh") == ["a PEM private key"]


def notebook(cells: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> str:
    return json.dumps({"cells": cells, "metadata": metadata or {}, "nbformat": 4, "nbformat_minor": 5})


def code(source: str, **extra: Any) -> dict[str, Any]:
    return {"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None, **extra}


def test_the_notebook_scan_catches_outputs_widget_state_and_written_credentials():
    widget_state = {"widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"m": {"value": "x"}}}}}
    found = notebook_findings(
        notebook(
            [
                code("1 + 1", outputs=[{"output_type": "execute_result", "data": {}}], execution_count=1),
                code('creds = tk.Credentials("abcdef0123456789", "s3cr3t-s3cr3t-s3cr3t")'),
                code('os.environ["KUCOIN_API_SECRET"] = "s3cr3t-s3cr3t"'),
                code(f"print({FAKE_SECRET!r})"),
            ],
            widget_state,
        )
    )
    assert found == [
        "saved widget state in the notebook metadata",
        "cell 1 has outputs",
        "cell 1 has an execution count",
        "cell 2: a credential written into the code",
        "cell 3: a credential written into the code",
        f"cell 4: fake test key {FAKE_SECRET!r}",
    ]
    assert notebook_findings(notebook([code("import toolkit as tk\ntk.demo()")])) == []


# --------------------------------------------------------------------------- per exchange, at DEBUG


def _exchanges() -> list[Any]:
    """Every registered exchange; those whose client module does not import yet are skipped."""
    params = []
    for exchange in tk.EXCHANGES:
        try:
            client_class(exchange)
        except (ImportError, AttributeError) as exc:
            reason = f"toolkit.exchanges.{exchange} is not importable yet ({type(exc).__name__})"
            params.append(pytest.param(exchange, marks=pytest.mark.skip(reason=reason)))
        else:
            params.append(exchange)
    return params


EXCHANGES = _exchanges()


class Captured(logging.Handler):
    """Every record at every level, formatted the way a user's log file would have it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def debug_logs() -> Iterator[Captured]:
    root = logging.getLogger()
    handler = Captured()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def demo_on() -> Iterator[None]:
    was_active = demo_mode.active()
    tk.demo(examples=True)
    yield
    if not was_active:
        tk.demo(False)


def sent_secrets(sent: list[requests.PreparedRequest]) -> set[str]:
    """The auth values the client really put on the wire: keys, passphrases and signatures."""
    found = set(FAKE_VALUES)
    for request in sent:
        found.update(v for k, v in request.headers.items() if k.lower() in SENSITIVE_HEADERS)
        query = urlsplit(request.url or "").query
        body = request.body.decode() if isinstance(request.body, bytes) else request.body or ""
        for text in (query, body):
            found.update(v for k, v in parse_qsl(text) if k.lower() in SENSITIVE_PARAMS)
    return {value for value in found if len(value) >= 6}


def exposed_text(client: Any, errors: list[BaseException], logs: Captured) -> str:
    """Everything a user could see: logs, exception text, notes, tracebacks, reprs."""
    parts = [logs.text, repr(client), str(client), repr(client.credentials), str(client.credentials)]
    for err in errors:
        parts += [str(err), repr(err), *getattr(err, "__notes__", []), *traceback.format_exception(err)]
        parts += [str(value) for value in vars(err).values()]  # .message, .request, ...: every attribute
    return "\n".join(parts)


def assert_nothing_leaks(secrets: set[str], text: str) -> None:
    leaked = sorted(s for s in secrets if s in text or quote(s, safe="") in text)
    assert leaked == [], "credentials visible in logs, exceptions or reprs"


def _track(client: Any, sent: list[requests.PreparedRequest]) -> None:
    session = getattr(getattr(client, "transport", None), "session", None)
    if session is not None:
        session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_successful_requests_at_debug_leak_nothing(exchange, demo_on, debug_logs, fake_credentials):
    client = tk.connect(exchange, fake_credentials, progress=False)
    sent: list[requests.PreparedRequest] = []
    _track(client, sent)
    try:
        summary = client.describe_key()  # the one authenticated call every exchange has
    finally:
        getattr(client, "close", lambda: None)()
    assert summary.loc[0, "exchange"] == exchange and "can_withdraw" in summary.columns
    assert debug_logs.lines, "nothing was logged at DEBUG: the check would prove nothing"
    assert_nothing_leaks(sent_secrets(sent), exposed_text(client, [], debug_logs))


def scenario_cassettes(exchange: str) -> list[Path]:
    return sorted((CASSETTES / exchange).glob("*--*.yaml"))


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_error_cassettes_at_debug_leak_nothing(exchange, make_client, debug_logs):
    """Every scenario cassette whose method can be called without arguments, replayed at DEBUG."""
    if not issubclass(client_class(exchange), RestClient) or not scenario_cassettes(exchange):
        pytest.skip(f"{exchange} has no HTTP scenario cassettes (see its websocket test below)")
    client, sent = make_client(exchange, max_retries=1)
    errors: list[BaseException] = []
    for path in scenario_cassettes(exchange):
        method = getattr(client, path.stem.partition("--")[0], None)
        if method is None:
            continue
        with make_vcr("none").use_cassette(str(path), allow_playback_repeats=True):
            try:
                method()
            except (TypeError, NotRecorded):
                continue  # the scenario needs arguments; other tests replay it
            except ToolkitError as err:
                errors.append(err)
    assert errors, f"no {exchange} scenario cassette ended in an error: nothing was checked"
    assert_nothing_leaks(sent_secrets(sent), exposed_text(client, errors, debug_logs))


@pytest.mark.parametrize(
    ("transcript", "server_secret"),
    [("account_status--banned", FAKE_SECRET), ("account_status", "not-the-secret-the-client-has")],
)
def test_binance_websocket_errors_at_debug_leak_nothing(transcript, server_secret, debug_logs, fake_credentials):
    """Binance speaks the WebSocket API: its errors come from the replay server, not from vcrpy."""
    if "binance" not in EXCHANGES:
        pytest.skip("toolkit.exchanges.binance is not importable yet")
    from toolkit.exchanges.binance.sandbox_replay import ReplayServer

    server = ReplayServer(transcript, api_key=FAKE_KEY, secret=server_secret, lifetime=20).start()
    client = tk.connect("binance", fake_credentials, base_url=server.url, sync_clock=False, timeout=5.0,
                        max_retries=0)  # fmt: skip
    try:
        with pytest.raises(ToolkitError) as caught:
            client.describe_key()
    finally:
        client.close()
        server.stop()
    signatures = {f["params"]["signature"] for f in server.received if "signature" in f.get("params", {})}
    assert signatures, "the client sent no signed request"
    assert_nothing_leaks(set(FAKE_VALUES) | signatures, exposed_text(client, [caught.value], debug_logs))


class EchoAdapter(BaseAdapter):
    """An exchange that answers 401 and echoes the request's key, passphrase and signature back."""

    def __init__(self, status: int = 401) -> None:
        super().__init__()
        self.status = status

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        echoed = " ".join(f"{k}={v}" for k, v in request.headers.items() if k.lower() in SENSITIVE_HEADERS)
        message = f"Invalid signature for {request.url} with {echoed}; key {FAKE_KEY} passphrase {FAKE_PASSPHRASE}"
        response = requests.Response()
        response.status_code = self.status
        response.headers["Content-Type"] = "application/json"
        body = {"code": "40009", "msg": message, "message": message, "success": False, "failed": True, "data": None}
        response._content = json.dumps(body).encode()
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def echo_session(status: int = 401) -> requests.Session:
    session = requests.Session()
    session.mount("https://", EchoAdapter(status))
    session.mount("http://", EchoAdapter(status))
    return session


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_an_error_that_echoes_the_credentials_leaks_nothing(exchange, debug_logs, fake_credentials):
    if not issubclass(client_class(exchange), RestClient):
        pytest.skip(f"{exchange} does not speak HTTP (see its websocket test)")
    client = tk.connect(exchange, fake_credentials, sync_clock=False, progress=False, max_retries=0,
                        session=echo_session())  # fmt: skip
    sent: list[requests.PreparedRequest] = []
    _track(client, sent)
    with pytest.raises(ToolkitError) as caught:
        client.describe_key()
    assert sent, "the client sent nothing"
    assert "***" in str(caught.value), "the echoed message should be there, masked"
    assert_nothing_leaks(sent_secrets(sent), exposed_text(client, [caught.value], debug_logs))


# --------------------------------------------------------------------------- rules that cover every exchange


def test_third_party_log_records_and_child_loggers_are_masked(debug_logs, fake_credentials):
    logging.getLogger("urllib3.connectionpool").debug('"GET /api/v3/account?signature=%s HTTP/1.1"', "ab12cd34ef56")
    logging.getLogger("toolkit.exchanges.someday").info("headers %s", {"KC-API-KEY": fake_credentials.api_key})
    try:
        raise ValueError(f"header value {FAKE_SECRET!r} is invalid")
    except ValueError:
        logging.getLogger("requests.adapters").exception("send failed")
    text = debug_logs.text
    assert "signature=***" in text and "ab12cd34ef56" not in text
    assert "'KC-API-KEY': '***'" in text
    assert "ValueError: header value '***' is invalid" in text
    assert_nothing_leaks(set(FAKE_VALUES), text)


SIGNATURE = "".join(("abcdef", "123456"))  # built, so the traceback's source line does not hold it


def test_redact_exception_masks_third_party_exception_text(fake_credentials):
    try:
        try:
            raise requests.exceptions.InvalidHeader(f"Invalid return character in header value: {FAKE_KEY!r}")
        except requests.exceptions.InvalidHeader as inner:
            raise RuntimeError(f"while sending https://x/api?sign={SIGNATURE}&api_key={FAKE_KEY}") from inner
    except RuntimeError as err:
        err.add_note(f"passphrase was {FAKE_PASSPHRASE}")
        redact_exception(err)
        text = "".join(traceback.format_exception(err))
    assert "sign=***&api_key=***" in text and "passphrase was ***" in text
    assert_nothing_leaks({*FAKE_VALUES, SIGNATURE}, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET /api?api_key=k1234567&sign=DEADBEEF01&coin=BTC", "GET /api?api_key=***&sign=***&coin=BTC"),
        ('{"KC-API-KEY": "abcdef01", "X-MBX-APIKEY": "ghijkl02"}', '{"KC-API-KEY": "***", "X-MBX-APIKEY": "***"}'),
        ("ACCESS-SIGN: zzz111yyy ACCESS-PASSPHRASE: pp", "ACCESS-SIGN: *** ACCESS-PASSPHRASE: ***"),
        ('{"apiKey":"mykey99","signature":"c0ffee00"}', '{"apiKey":"***","signature":"***"}'),
        ("subAccount_apiKey=abc123456&KC-API-PARTNER-SIGN=xyz98765", "subAccount_apiKey=***&KC-API-PARTNER-SIGN=***"),
    ],
)
def test_one_rule_set_names_the_auth_fields_of_all_four_exchanges(text, expected):
    from toolkit.core.redact import redact_text

    assert redact_text(text) == expected


def test_a_registered_key_is_masked_percent_encoded_too():
    from toolkit.core.redact import redact_text

    tk.Credentials("key/with+odd=chars", "secret-000000")
    assert redact_text("GET /p?k=key%2Fwith%2Bodd%3Dchars and key/with+odd=chars") == "GET /p?k=*** and ***"


def test_no_part_of_a_signature_reaches_the_websocket_librarys_debug_log(debug_logs):
    """websockets logs every frame at DEBUG, elided in the middle: a signature's tail would show."""
    from toolkit import sandbox

    with sandbox.start(["binance"], lifetime=60) as boxes:
        client = tk.connect("binance", boxes.credentials("binance"), base_url=boxes.url("binance"), sync_clock=False)
        try:
            client.get_account_info()
        finally:
            client.close()
        signatures = [f["params"]["signature"] for f in boxes.server("binance").received if "params" in f]
    assert signatures and "frame (not logged" in debug_logs.text
    for signature in signatures:
        for start in range(0, len(signature) - 11):
            assert signature[start : start + 12] not in debug_logs.text


def test_an_echoed_signature_is_masked_in_the_error_and_a_recorded_cassette(fake_credentials):
    from toolkit.cassettes import scrub_response

    client = tk.connect("bitget", fake_credentials, sync_clock=False, max_retries=0, session=echo_session())
    sent: list[requests.PreparedRequest] = []
    _track(client, sent)
    with pytest.raises(ToolkitError) as caught:
        client.describe_key()
    signature = sent[0].headers["ACCESS-SIGN"]
    assert signature not in caught.value.message and signature not in str(caught.value)
    recorded = scrub_response({"body": {"string": f'{{"msg": "bad sign {signature}"}}'.encode()}, "headers": {}})
    assert signature not in recorded["body"]["string"].decode()


def test_the_kept_signatures_are_the_most_recent_and_their_pieces_go_with_them():
    import hashlib

    from toolkit.core import redact

    def fake_signature(n: int) -> str:  # distinct values sharing no long piece, as signatures are
        return hashlib.sha256(f"not-a-real-signature-{n}".encode()).hexdigest()

    old = [fake_signature(i) for i in range(redact.TRANSIENT_KEPT)]
    for value in old:
        redact.register_transient(value)
    assert redact.redact_text(f"echo {old[0]}") == f"echo {redact.MASK}"
    new = fake_signature(10_000)
    redact.register_transient(new)  # one more than are kept: the oldest is forgotten
    assert redact.redact_text(f"echo {new} and {old[-1]}") == f"echo {redact.MASK} and {redact.MASK}"
    assert redact.redact_text(f"echo {old[0]}") == f"echo {old[0]}"
    # Its pieces went with it (a piece of the newest is still masked): what is kept stays bounded.
    assert redact.redact_text(f"cut {new[:20]}") == f"cut {redact.MASK}"
    assert redact.redact_text(f"cut {old[0][:20]}") == f"cut {old[0][:20]}"
