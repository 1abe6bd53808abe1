"""One rule set that keeps credentials out of logs, exceptions, reprs, cassettes and output.

Two layers:

* by *name*: generic auth names, and the auth headers and query/body parameters each exchange's
  signer registers (``register_names``), are masked wherever they appear (header mappings, URLs,
  ``key=value`` text, JSON text);
* by *value*: every secret held by a ``Credentials`` object is registered here, and any text that
  still contains it (an echoed body, an odd log line) has it masked too.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from toolkit.errors import set_redactor

MASK = "***"

# Names that carry credentials on any API; each exchange's signer registers its own on top
# (``register_names``), so this module needs to know no exchange.
SENSITIVE_HEADERS: set[str] = {"authorization", "proxy-authorization", "cookie"}
SENSITIVE_PARAMS: set[str] = {
    "signature", "sign", "api_key", "apikey", "secret", "secret_key", "secretkey", "api_secret",
    "apisecret", "passphrase", "private_key",
}  # fmt: skip
# Not secret, but different on every request (timestamps); cassettes drop them.
VOLATILE_HEADERS: set[str] = set()
VOLATILE_PARAMS: set[str] = {"timestamp", "recvwindow"}

_secrets: set[str] = set()
# Values secret for one request (signatures): the most recent ones, should an answer echo one.
TRANSIENT_KEPT = 256
_transient: collections.deque[str] = collections.deque()
_kept: set[str] = set()  # the values in _transient, each once
# Every spelling of the secrets and kept signatures, longest first (what ``redact_text`` replaces);
# None when one was added or dropped since it was last sorted.
_known: list[str] | None = None
_lock = threading.Lock()
_patterns: tuple[re.Pattern[str], ...] = ()
# Any piece this long of a secret or a signature is masked too: an answer may echo part of one
# (a truncated header, an excerpt cut in the middle). Shorter pieces are ordinary text too often.
FRAGMENT = 12
# Every FRAGMENT-long piece of every secret and kept signature (raw and URL-encoded) -> how many
# of them contain it.
_fragments: collections.Counter[str] = collections.Counter()


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(sorted({re.escape(n) for n in names}, key=len, reverse=True))


def _compile() -> tuple[re.Pattern[str], ...]:
    names = _alternatives(SENSITIVE_PARAMS | SENSITIVE_HEADERS)
    headers = _alternatives(SENSITIVE_HEADERS)
    words = _alternatives(SENSITIVE_PARAMS)
    # key=value in URLs and form bodies, "key": "value" in JSON, Key: value in header dumps: a
    # header name anywhere, a plain word ("signature") only where a line starts with it, since
    # "Invalid signature: value ..." in an exchange's message is words, not a header.
    return (
        re.compile(rf"(?i)(?<![\w-])({names})=([^&\s'\"]+)"),
        re.compile(rf"(?i)([\"'](?:{names})[\"']\s*:\s*)([\"'])((?:(?!\2).)*)\2"),
        re.compile(rf"(?im)((?<![\w-])(?:{headers})\s*:\s*|^\s*(?:{words})\s*:\s*)([^\s,;}}'\"]+)"),
    )


def register_names(
    *,
    headers: Iterable[str] = (),
    params: Iterable[str] = (),
    volatile_headers: Iterable[str] = (),
    volatile_params: Iterable[str] = (),
) -> None:
    """Mask these header and parameter names from now on (an exchange's auth names, its timestamps)."""
    global _patterns
    with _lock:
        before = len(SENSITIVE_HEADERS) + len(SENSITIVE_PARAMS)
        SENSITIVE_HEADERS.update(h.lower() for h in headers)
        SENSITIVE_PARAMS.update(p.lower() for p in params)
        VOLATILE_HEADERS.update(h.lower() for h in volatile_headers)
        VOLATILE_PARAMS.update(p.lower() for p in volatile_params)
        if not _patterns or len(SENSITIVE_HEADERS) + len(SENSITIVE_PARAMS) != before:
            _patterns = _compile()


def _spellings(value: str) -> set[str]:
    # A key sent in a query string (CoinW's api_key) shows up percent-encoded in URLs.
    return {value, quote(value, safe=""), quote_plus(value)}


def _pieces(value: str) -> set[str]:
    return {form[i : i + FRAGMENT] for form in _spellings(value) for i in range(len(form) - FRAGMENT + 1)}


def register_secret(value: str | None) -> None:
    """Remember a secret value so that ``redact_text`` masks it, and any long piece of it, wherever it appears."""
    global _known
    install_log_redaction()
    # Very short values would mask ordinary text; credentials are never that short.
    if value and len(value) >= 6:
        with _lock:
            if value not in _secrets:
                _fragments.update(_pieces(value))
                _known = None
            _secrets.update(_spellings(value))


def register_transient(value: str | None) -> None:
    """Remember a value secret for one request (a signature), among the most recent ones. Called
    for every request, so it does only what that one value needs (no pass over all kept)."""
    global _known
    if value and len(value) >= 6:
        with _lock:
            if value in _secrets or value in _kept:
                return  # masked already (a signed passphrase is the same on every request)
            _kept.add(value)
            _transient.append(value)
            _fragments.update(_pieces(value))
            _known = None
            if len(_transient) > TRANSIENT_KEPT:
                forgotten = _transient.popleft()
                _kept.discard(forgotten)
                dropped = _pieces(forgotten)
                _fragments.subtract(dropped)
                for piece in dropped:
                    if _fragments[piece] <= 0:
                        del _fragments[piece]


def _mask_fragments(text: str) -> str:
    """``text`` with every run that holds a registered piece masked (one mask per run)."""
    if len(text) < FRAGMENT:
        return text
    with _lock:
        if not _fragments:
            return text
        hits = [i for i in range(len(text) - FRAGMENT + 1) if text[i : i + FRAGMENT] in _fragments]
    if not hits:
        return text
    out, kept = [], 0
    run_start, run_end = hits[0], hits[0] + FRAGMENT
    for i in [*hits[1:], None]:
        if i is not None and i <= run_end:
            run_end = max(run_end, i + FRAGMENT)
            continue
        out += [text[kept:run_start], MASK]
        kept = run_end
        if i is not None:
            run_start, run_end = i, i + FRAGMENT
    return "".join([*out, text[kept:]])


def redact_text(text: str) -> str:
    """Mask sensitive parameters, headers and registered secret values in free text."""
    if not text:
        return text
    global _known
    with _lock:
        by_name, in_json, in_dump = _patterns
        if _known is None:
            _known = sorted(_secrets.union(*map(_spellings, _transient)), key=len, reverse=True)
        known = _known
    text = by_name.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = in_json.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}{m.group(2)}", text)
    text = in_dump.sub(lambda m: f"{m.group(1)}{MASK}", text)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    return _mask_fragments(text)


def redact_params(params: Iterable[tuple[str, Any]] | Mapping[str, Any]) -> list[tuple[str, Any]]:
    """``(name, value)`` pairs with sensitive parameters masked."""
    items = params.items() if isinstance(params, Mapping) else params
    return [(k, MASK if k.lower() in SENSITIVE_PARAMS else v) for k, v in items]


def redact_url(url: str) -> str:
    """``url`` with sensitive query parameters masked."""
    parts = urlsplit(url)
    if not parts.query:
        return redact_text(url)
    query = urlencode(redact_params(parse_qsl(parts.query, keep_blank_values=True)), safe="*")
    return redact_text(urlunsplit(parts._replace(query=query)))


def redact_exception(exc: BaseException) -> BaseException:
    """Mask credentials in ``exc``'s text (arguments and notes), and in its causes, in place.

    For exceptions the toolkit did not raise itself (requests, urllib3, a JSON parser), whose
    messages may quote a header value or a URL: ``str(exc)`` and tracebacks come from ``args``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact_text(a) if isinstance(a, str) else a for a in current.args)
        if isinstance(current, OSError) and isinstance(current.strerror, str):
            current.strerror = redact_text(current.strerror)  # OSError's text comes from here
        notes = getattr(current, "__notes__", None)
        if isinstance(notes, list):
            notes[:] = [redact_text(n) if isinstance(n, str) else n for n in notes]
        current = current.__cause__ or current.__context__
    return exc


_exception_formatter = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask credentials in a log record's message, arguments, traceback and stack, in place."""
    if record.name.startswith("websockets") and record.msg in ("> %s", "< %s"):
        # The websockets library logs frames elided in the middle: a signature's tail shows with
        # no name to mask it by. Frames are request parameters and account data: not logged.
        record.msg, record.args = f"{record.msg[0]} frame (not logged: it may carry credentials)", None
        return record
    try:
        message = record.getMessage()
    except Exception:  # a malformed %-format; logging itself reports it, we only drop the args
        message = str(record.msg)
    record.msg = redact_text(message)
    record.args = None
    # Formatters reuse exc_text when it is set, so the traceback they print is the masked one.
    if record.exc_info and not record.exc_text:
        record.exc_text = _exception_formatter.formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact_text(record.exc_text)
    if record.stack_info:
        record.stack_info = redact_text(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """Masks credentials in every record that passes through the logger or handler it is attached to."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def get_logger(name: str) -> logging.Logger:
    """The logger every toolkit module uses: it carries the redacting filter.

    Logger filters are not inherited by child loggers, so each module's logger gets its own.
    Records of the ``toolkit`` hierarchy are masked anyway when they are created (see
    ``install_log_redaction``); the filter also covers records a caller logs through it by hand.
    """
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    return logger


# Loggers whose records can carry request details: ours, and the HTTP and websocket stack we
# drive (urllib3 logs each URL with its query string at DEBUG, websockets logs frames).
REDACTED_LOGGERS = frozenset(("toolkit", "urllib3", "requests", "vcr", "websockets"))


def install_log_redaction() -> None:
    """Mask every record of ``REDACTED_LOGGERS`` (and their children) as it is created.

    A filter on a logger misses records that reach it from child loggers and records of other
    libraries; the record factory sees them all, at every level, before any handler does. Only
    records that pass the level check are created, so disabled DEBUG logging costs nothing.
    """
    current = logging.getLogRecordFactory()
    if getattr(current, "_toolkit_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        if record.name.partition(".")[0] in REDACTED_LOGGERS:
            redact_record(record)
        return record

    factory._toolkit_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


register_names()
set_redactor(redact_text)
