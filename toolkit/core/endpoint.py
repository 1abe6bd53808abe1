"""Endpoints declared as data: parameters, envelope, records, limits, paging.

An exchange describes each endpoint once and its public methods stay thin: they pass their
keyword arguments (the seed's snake_case names) to the client, which turns them into the
exchange's wire names and formats through the endpoint's ``params``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from toolkit.core.paging import BY_LIMITS, MAX_IN_FLIGHT, FanOut, Paging, Window
from toolkit.core.ratelimit import Limit
from toolkit.core.timeutil import to_ms
from toolkit.errors import ConfigurationError

# (value, the seed's parameter name for messages) -> the value the exchange wants.
Format = Callable[[Any, str], Any]
Place = Literal["query", "body", "path"]


# ----------------------------------------------------------------------------- formats


def ms(value: Any, name: str) -> int:
    """Epoch milliseconds from any time input the toolkit accepts."""
    return to_ms(value, name)


def seconds(value: Any, name: str) -> int:
    """Epoch seconds from any time input the toolkit accepts."""
    return to_ms(value, name) // 1000


def joined(value: Any, name: str) -> str:
    """One value, or several joined with commas (``["BTC", "ETH"]`` -> ``"BTC,ETH"``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Iterable):
        return ",".join(str(v) for v in value)
    raise ConfigurationError(f"{name} must be a string or a list of strings, got {value!r}.")


def upper(value: Any, name: str) -> str:
    return str(value).upper()


def positive(value: Any, name: str) -> Any:
    """An amount that must be a positive number; sent with every digit it was given."""
    try:
        if not isinstance(value, bool) and Decimal(str(value)) > 0:
            return value
    except (ArithmeticError, InvalidOperation, ValueError, TypeError):
        pass
    raise ConfigurationError(f"{name} must be a positive number, got {value!r}.")


def new_client_order_id(prefix: str = "tk") -> str:
    """A fresh id for a money-moving request, so that a repeat cannot pay twice."""
    return f"{prefix}{uuid.uuid4().hex[:24]}"


# ----------------------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Param:
    """How one of a method's arguments goes on the wire.

    ``wire`` is the exchange's name; ``format`` turns the value into what the exchange wants;
    ``default`` is used when the argument is None (a zero-argument callable is called each time:
    a fresh client order id); ``where`` overrides the endpoint's default place.
    """

    wire: str
    format: Format | None = None
    required: bool = False
    default: Any = None
    where: Place | None = None


@dataclass(frozen=True)
class Envelope:
    """Where an exchange puts its code, message and payload, and what success looks like.

    ``code`` and ``data`` are dotted paths (``"error.code"``); ``data=None`` means the whole body
    is the payload. Success is: ``status`` (a field in the body, Binance's WebSocket API) equal to
    200 when given; else an HTTP 2xx with ``code`` in ``ok_codes`` (any code when ``ok_codes`` is
    empty) and every field of ``agree`` either absent or equal to its value.
    """

    code: str | None = "code"
    ok_codes: frozenset[str] = frozenset()
    message: tuple[str, ...] = ("msg",)
    data: str | None = "data"
    agree: Mapping[str, Any] = field(default_factory=dict)
    status: str | None = None


@dataclass(frozen=True)
class Endpoint:
    """One exchange endpoint, described as data.

    ``method`` is the HTTP verb ("" for a WebSocket API method named by ``path``). ``columns``
    are the documented fields and their kinds (``toolkit.core.frames``). ``records`` is the path
    to the records inside the payload, a list of them unless ``one``; ``keyed`` names the column
    for the keys of a ``{key: record}`` payload, ``keyed_value`` the column of its values when
    they are scalars. ``fixed`` are wire parameters sent on every call; ``address`` are query
    parameters that name the endpoint itself (CoinW's ``command``): sent first, part of its name.
    """

    method: str
    path: str
    columns: Mapping[str, str]
    params: Mapping[str, Param] = field(default_factory=dict)
    fixed: Mapping[str, Any] = field(default_factory=dict)
    address: Mapping[str, str] = field(default_factory=dict)
    signed: bool = True
    limits: tuple[Limit, ...] = ()
    envelope: Envelope | None = None
    records: tuple[str, ...] = ()
    # The records are one JSON object (not a list of them).
    one: bool = False
    keyed: str | None = None
    keyed_value: str | None = None
    paging: Paging | None = None
    window: Window | None = None
    fan_out: FanOut | None = None
    # Field that identifies a record (de-duplication) and field that orders records in time.
    id_field: str | None = None
    time_field: str | None = None
    # Records without a time are read (NaT) and counted in the coverage, not refused: where the
    # exchange's own documented example has such records (CoinW's wallet history).
    time_optional: bool = False
    # How far back the exchange serves this history (ms before now; None: as far back as the
    # account goes, or not documented) and the account types its records belong to: both go into
    # ``coverage`` (``reach_start``, ``account_types``).
    reach_ms: int | None = None
    accounts: tuple[str, ...] = ()
    # Fields every record must carry: a balance row without its amounts is no balance.
    required: tuple[str, ...] = ()
    # A documented variant of the payload turned into the shape ``records`` describes (an older
    # envelope, a list where the current docs show one object).
    reshape: Callable[[Any], Any] | None = None
    # Records sent as arrays (candles): the field at each position, in the documented order.
    positions: tuple[str, ...] = ()
    # A nested list to spread into one row per element, with the parent's scalars repeated.
    explode: str | None = None
    flatten: bool = False
    rename: Mapping[str, str] = field(default_factory=dict)
    # Moves money or changes state: the client refuses it without confirm=True and never retries it.
    changes_state: bool = False
    # The argument carrying the client order id of a state-changing request: one the exchange
    # refused for its timestamp (so did not execute) is sent again once, with the same id, which
    # the exchange's own duplicate check keys on. Without one, such a request is never sent twice.
    resend_with: str | None = None
    # A success may come without the payload (an answer the exchange documents as ``data: null``
    # is still a payload; this is for answers that leave it out).
    optional_data: bool = False
    # Where parameters go when their Param does not say: None means query for GET/DELETE, body otherwise.
    place: Place | None = None
    docs: str = ""

    @property
    def name(self) -> str:
        """How errors and ``df.attrs["endpoint"]`` name it: ``GET /api/v2/...`` or the method name."""
        if not self.method:
            return self.path
        address = "&".join(f"{k}={v}" for k, v in self.address.items())
        return f"{self.method} {self.path}" + (f"?{address}" if address else "")

    def in_flight(self, units: int) -> int:
        """How many of a history's ``units`` (windows, fan-out values) are fetched at once: its
        window's ``concurrency``, or with ``BY_LIMITS`` as many as every one of its rate limits lets
        start at once (the pool's count over the request's weight), at most ``MAX_IN_FLIGHT``. The
        limiter paces them either way; this only decides how many wait on the network together."""
        if self.window is None or units < 2:
            return 1
        if self.window.concurrency != BY_LIMITS:
            return min(self.window.concurrency, units)
        allowed = min((int(limit.count // limit.weight) for limit in self.limits), default=MAX_IN_FLIGHT)
        return max(1, min(units, MAX_IN_FLIGHT, allowed))

    def settled(self, args: Mapping[str, Any]) -> dict[str, Any]:
        """``args`` with the defaults made fresh on each call (a client order id) fixed: every
        attempt of one call then sends the same values."""
        fixed = dict(args)
        for name, param in self.params.items():
            if fixed.get(name) is None and callable(param.default):
                fixed[name] = param.default()
        return fixed

    def wire(self, args: Mapping[str, Any]) -> dict[Place, dict[str, Any]]:
        """The wire parameters for ``args`` (the seed's names), by where they go.

        Fixed parameters first, then each declared one that has a value (or a default).
        """
        unknown = set(args) - set(self.params)
        if unknown:
            raise ConfigurationError(f"{self.name} takes no parameter {', '.join(sorted(unknown))}.")
        default: Place = self.place or ("query" if self.method in ("GET", "DELETE", "") else "body")
        placed: dict[Place, dict[str, Any]] = {"query": {}, "body": {}, "path": {}}
        placed[default].update(self.fixed)
        for name, param in self.params.items():
            value = args.get(name)
            if value is None:
                value = param.default() if callable(param.default) else param.default
            if value is None:
                if param.required:
                    raise ConfigurationError(f"{self.name} needs {name}.")
                continue
            if param.format is not None:
                value = param.format(value, name)
            placed[param.where or default][param.wire] = value
        return placed


def at_path(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if data is None:
            return None
        data = data[key]
    return data


def dotted(data: Any, path: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; None where any step is missing."""
    for key in path.split("."):
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data
