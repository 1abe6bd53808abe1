"""The reader: what an exchange's answer says, once it has come back. Above the transport and the
requester (which build, sign, pace, send and retry), below the runner (pages, windows, fan-out).

* ``payload`` finds the payload of a success by the envelope's rules, or the typed error of
  anything else (``error``);
* ``records`` finds the records in a payload as the endpoint declares them;
* ``typed_frame`` types them (``frames.to_frame``) and refuses rows that identify nothing.

Whatever shape an exchange sends, reading it raises a ``MalformedResponse`` or succeeds
(``reading``): never a ``TypeError`` or ``KeyError`` from deep inside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd

from toolkit.core import frames
from toolkit.core.endpoint import Endpoint, Envelope, at_path, dotted
from toolkit.core.http import Reply, bounded_wait
from toolkit.core.paging import Record
from toolkit.errors import ExchangeError, MalformedResponse, RateLimited, ToolkitError

# How an exchange's error table classifies a code: (code, message, HTTP status) -> error class.
Classify = Callable[[str | None, str, int | None], type[ExchangeError]]
# Seconds a rate-limited answer asks to wait, read from it: (reply, payload, code) -> seconds or None.
RetryAfter = Callable[[Reply, Any, str | None], float | None]


@contextmanager
def reading(exchange: str, endpoint: Endpoint, what: Any = None) -> Iterator[None]:
    """Anything that goes wrong while reading an answer is a ``MalformedResponse``: whatever an
    exchange sends (a huge number, a nested list, ids that are objects) never escapes as a
    ``TypeError``, ``KeyError`` or ``RecursionError``. The original stays as the cause."""
    try:
        yield
    except ToolkitError:
        raise
    except (ArithmeticError, LookupError, RecursionError, TypeError, ValueError) as exc:
        excerpt = f" in {frames.excerpt(what)}" if what is not None else ""
        raise MalformedResponse(
            exchange, endpoint.name, message=f"an answer it cannot read ({type(exc).__name__}: {exc}){excerpt}"
        ) from exc


def succeeded(envelope: Envelope, payload: Mapping[str, Any], reply: Reply) -> bool:
    """Whether an answer is a success by its envelope's rules."""
    if envelope.status is not None:
        return payload.get(envelope.status) == 200 and (envelope.data is None or envelope.data in payload)
    if not reply.ok:
        return False
    if envelope.ok_codes:
        code = dotted(payload, envelope.code) if envelope.code else None
        if code is None or str(code) not in envelope.ok_codes:
            return False
    return all(payload.get(k, v) == v for k, v in envelope.agree.items())


def payload(exchange: str, endpoint: Endpoint, envelope: Envelope, body: Any, reply: Reply) -> tuple[bool, Any]:
    """``(True, payload)`` of a successful answer (its decoded ``body``), ``(False, None)`` of any
    other (the caller makes its ``error``). Call inside ``reading``."""
    if isinstance(body, Mapping):
        if not succeeded(envelope, body, reply):
            return False, None
        if envelope.data is None:
            return True, body
        if envelope.data not in body and not endpoint.optional_data:
            raise MalformedResponse(
                exchange, endpoint.name, http_status=reply.status,
                message=f"a success without {envelope.data!r}: {frames.excerpt(body)}",
            )  # fmt: skip
        return True, body.get(envelope.data)
    if reply.ok and envelope.data is None:
        return True, body  # a bare list or value where the whole body is the payload
    return False, None


def error(
    exchange: str, endpoint: str, body: Any, reply: Reply, envelope: Envelope, classify: Classify,
    retry_after: RetryAfter,
) -> ExchangeError:  # fmt: skip
    """The toolkit error for an answer that is not a success (kept as the exchange sent it)."""
    fields = body if isinstance(body, Mapping) else {}
    raw_code = dotted(fields, envelope.code) if envelope.code else None
    code = None if raw_code is None else str(raw_code)
    status = fields.get(envelope.status) if envelope.status else reply.status
    http_status = status if isinstance(status, int) and not isinstance(status, bool) else reply.status
    if code is None and reply.ok and envelope.status is None:
        return MalformedResponse(exchange, endpoint, http_status=http_status, message="no 'code' in the answer")
    messages = (dotted(fields, path) for path in envelope.message)
    message = next((str(m) for m in messages if m), "")
    if envelope.status is not None and code is None and "error" not in fields:
        return MalformedResponse(exchange, endpoint, http_status=http_status, message="no result and no error")
    # A 418 or 429 is a ban or a rate limit whatever the body says (Binance's ban carries -1003).
    cls = RateLimited if http_status in (418, 429) else classify(code, message, http_status)
    kwargs: dict[str, Any] = {"http_status": http_status, "code": code, "message": message}
    if issubclass(cls, RateLimited):
        try:
            asked = retry_after(reply, body, code)
        except (ArithmeticError, LookupError, TypeError, ValueError):
            asked = None  # a wait that is no number ("soon"): rate limited, for a time not known
        return cls(exchange, endpoint, retry_after=bounded_wait(asked), **kwargs)
    return cls(exchange, endpoint, **kwargs)


def _has_path(data: Mapping[str, Any], path: Sequence[str]) -> bool:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return False
        data = data[key]
    return True


def _found(exchange: str, endpoint: Endpoint, data: Any) -> Any:
    """What sits where the endpoint's records are (None: no records), or a ``MalformedResponse``."""

    def missing() -> MalformedResponse:
        where = ".".join(endpoint.records)
        return MalformedResponse(exchange, endpoint.name, message=f"no records at {where!r}: {frames.excerpt(data)}")

    if endpoint.records and not isinstance(data, Mapping) and data is not None:
        raise missing()
    with reading(exchange, endpoint, data):
        found = at_path(data, endpoint.records) if isinstance(data, Mapping) or not endpoint.records else None
    if endpoint.records and isinstance(data, Mapping) and found is None and not _has_path(data, endpoint.records):
        raise missing()
    return found


def records(exchange: str, endpoint: Endpoint, data: Any) -> list[Record]:
    """The records of a payload as the endpoint declares them (path, one object or a list, keyed
    map, nested list); any other shape is a ``MalformedResponse``, never an empty frame."""

    def malformed(message: str) -> MalformedResponse:
        return MalformedResponse(exchange, endpoint.name, message=f"{message}: {frames.excerpt(data)}")

    if endpoint.reshape is not None:
        with reading(exchange, endpoint, data):
            data = endpoint.reshape(data)
    found = _found(exchange, endpoint, data)
    if found is None or (endpoint.keyed and found in ([], "")):
        return []
    if endpoint.keyed:
        if not isinstance(found, Mapping):
            raise malformed(f"data is not a {{{endpoint.keyed}: ...}} object")
        if endpoint.keyed_value:
            found = [{endpoint.keyed: key, endpoint.keyed_value: value} for key, value in found.items()]
        elif all(isinstance(v, Mapping) for v in found.values()):
            found = [{endpoint.keyed: key, **value} for key, value in found.items()]
        else:
            raise malformed("records are not JSON objects")
    elif endpoint.one:
        if not isinstance(found, Mapping):
            raise malformed("expected one JSON object")
        found = [found]
    elif not isinstance(found, list):
        raise malformed("expected a list of records")
    if endpoint.positions:
        width = len(endpoint.positions)
        if not all(isinstance(r, list) and len(r) >= width for r in found):
            raise malformed(f"records are not arrays of at least {width} values")
        found = [dict(zip(endpoint.positions, r, strict=False)) for r in found]
    # Decoded JSON objects are dicts: checking their types in one go is far cheaper than the ABC's.
    if set(map(type, found)) - {dict} and not all(isinstance(r, Mapping) for r in found):
        raise malformed("records are not JSON objects")
    result: list[Record] = found
    if endpoint.explode:
        nested = endpoint.explode
        if not all(isinstance(r.get(nested), list) for r in result):
            raise malformed(f"records without their {nested!r} list")
        with reading(exchange, endpoint, data):
            result = frames.explode(result, nested)
    if endpoint.flatten:
        with reading(exchange, endpoint, data):
            result = [frames.flatten(r) for r in result]
    return result


def typed_frame(
    exchange: str, endpoint: Endpoint, found: Sequence[Record], *, exact: bool, exact_ints: bool, consume: bool
) -> pd.DataFrame:
    """A typed frame of ``found`` with the endpoint's columns (``frames.to_frame``), its rows checked;
    ``exact_ints``: integers were decoded exactly and are kept so (``frames.exact_ints``)."""
    with reading(exchange, endpoint):
        if exact_ints:
            found = frames.exact_ints(found, endpoint.columns)
        try:
            frame = frames.to_frame(found, endpoint.columns, exact=exact, rename=endpoint.rename, consume=consume)
        except frames.ConversionError as exc:
            raise MalformedResponse(exchange, endpoint.name, message=str(exc)) from None
        if len(frame):
            _check_rows(exchange, endpoint, frame)
    return frame


def _check_rows(exchange: str, endpoint: Endpoint, frame: pd.DataFrame) -> None:
    """Rows that identify nothing are not records: an id or a time missing, no documented field,
    or a field every record must carry missing."""
    time_field = None if endpoint.time_optional else endpoint.time_field
    required = [(name, repr(name)) for name in endpoint.required]
    for field_name, what in ((endpoint.id_field, "id"), (time_field, "time"), *required):
        if field_name is not None:
            column = endpoint.rename.get(field_name) or frames.snake_case(field_name)
            if frame[column].isna().any():
                row = int(frame[column].isna().to_numpy().argmax())
                raise MalformedResponse(exchange, endpoint.name, message=f"record {row} has no {what} ({field_name!r})")
    if endpoint.id_field in endpoint.columns or endpoint.time_field in endpoint.columns:
        return  # every row has a documented field: the one just checked
    documented = [endpoint.rename.get(c) or frames.snake_case(c) for c in endpoint.columns]
    if documented and frame[documented].isna().all(axis=1).any():
        row = int(frame[documented].isna().all(axis=1).to_numpy().argmax())
        raise MalformedResponse(exchange, endpoint.name, message=f"record {row} has none of the documented fields")
