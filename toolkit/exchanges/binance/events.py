"""User data stream events as DataFrames, and the subscription handle that keeps them.

Binance names event fields with single letters (BN-UDS); each kind below maps them onto
descriptive column names. Fields the reference lists as conditional keep their descriptive name
when present; fields it does not describe keep their own name in snake_case.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from typing import Any

import pandas as pd

from toolkit.core import frames
from toolkit.core.frames import BOOL, NUM, STR, TIME
from toolkit.core.redact import get_logger

log = get_logger(__name__)
CALLBACK_THREAD = "binance-callbacks"  # the name of the one thread callbacks run on

# Event kind (Binance's "e" in snake_case) -> {letter: (column, kind)}; nested lists are ("B", "O").
_COMMON = {"e": ("event_type", STR), "E": ("event_time", TIME)}
EVENT_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "outbound_account_position": {
        **_COMMON,
        "u": ("last_update_time", TIME),
        "B.a": ("asset", STR),
        "B.f": ("free", NUM),
        "B.l": ("locked", NUM),
    },
    "balance_update": {
        **_COMMON,
        "a": ("asset", STR),
        "d": ("balance_delta", NUM),
        "T": ("clear_time", TIME),
    },
    "execution_report": {
        **_COMMON,
        "s": ("symbol", STR),
        "c": ("client_order_id", STR),
        "S": ("side", STR),
        "o": ("order_type", STR),
        "f": ("time_in_force", STR),
        "q": ("quantity", NUM),
        "p": ("price", NUM),
        "P": ("stop_price", NUM),
        "F": ("iceberg_quantity", NUM),
        "g": ("order_list_id", STR),
        "C": ("original_client_order_id", STR),
        "x": ("execution_type", STR),
        "X": ("order_status", STR),
        "r": ("reject_reason", STR),
        "i": ("order_id", STR),
        "l": ("last_executed_quantity", NUM),
        "z": ("cumulative_filled_quantity", NUM),
        "L": ("last_executed_price", NUM),
        "n": ("commission_amount", NUM),
        "N": ("commission_asset", STR),
        "T": ("transaction_time", TIME),
        "t": ("trade_id", STR),
        "v": ("prevented_match_id", STR),
        "I": ("execution_id", STR),
        "w": ("is_on_book", BOOL),
        "m": ("is_maker", BOOL),
        "M": ("ignore", BOOL),
        "O": ("order_creation_time", TIME),
        "Z": ("cumulative_quote_quantity", NUM),
        "Y": ("last_quote_quantity", NUM),
        "Q": ("quote_order_quantity", NUM),
        "W": ("working_time", TIME),
        "V": ("self_trade_prevention_mode", STR),
    },
    "list_status": {
        **_COMMON,
        "s": ("symbol", STR),
        "g": ("order_list_id", STR),
        "c": ("contingency_type", STR),
        "l": ("list_status_type", STR),
        "L": ("list_order_status", STR),
        "r": ("list_reject_reason", STR),
        "C": ("list_client_order_id", STR),
        "T": ("transaction_time", TIME),
        "O.s": ("order_symbol", STR),
        "O.i": ("order_id", STR),
        "O.c": ("order_client_order_id", STR),
    },
    "external_lock_update": {
        **_COMMON,
        "a": ("asset", STR),
        "d": ("balance_delta", NUM),
        "T": ("transaction_time", TIME),
    },
}
# Conditional executionReport fields (BN-UDS): descriptive names when they appear.
_CONDITIONAL = {
    "d": "trailing_delta",
    "D": "trailing_time",
    "j": "strategy_id",
    "J": "strategy_type",
    "A": "prevented_quantity",
    "B": "last_prevented_quantity",
    "u": "trade_group_id",
    "U": "counter_order_id",
    "Cs": "counter_symbol",
    "pl": "prevented_execution_quantity",
    "pL": "prevented_execution_price",
    "pY": "prevented_execution_quote_quantity",
    "b": "match_type",
    "a": "allocation_id",
    "k": "working_floor",
    "uS": "used_sor",
    "eR": "expiry_reason",
}
# The seed's callbacks and the event each one receives.
CALLBACK_KINDS = {
    "on_order_update": "execution_report",
    "on_oco_order_update": "list_status",
    "on_account_position": "outbound_account_position",
    "on_account_balance_update": "balance_update",
}


def event_kind(event: Mapping[str, Any]) -> str:
    """``executionReport`` -> ``execution_report``."""
    return frames.snake_case(str(event.get("e", "")))


def _rows(kind: str, event: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The event's records with descriptive keys; a nested list gives one row per element."""
    fields = EVENT_FIELDS[kind]
    extra = _CONDITIONAL if kind == "execution_report" else {}
    parent: dict[str, Any] = {}
    children: list[dict[str, Any]] | None = None
    for letter, value in event.items():
        if isinstance(value, list) and any(name.startswith(f"{letter}.") for name in fields):
            children = [
                {
                    fields[f"{letter}.{k}"][0] if f"{letter}.{k}" in fields else f"{letter}_{k}": v
                    for k, v in item.items()
                }
                for item in value
            ]
        elif letter in fields:
            parent[fields[letter][0]] = value
        else:
            parent[extra.get(letter) or frames.snake_case(letter)] = value
    if children is None:
        return [parent]
    return [{**parent, **child} for child in children]


def event_frame(event: Mapping[str, Any], *, exact: bool = False) -> pd.DataFrame:
    """One user data event as a typed frame (one row, or one per balance / order of a list)."""
    kind = event_kind(event)
    if kind not in EVENT_FIELDS:
        # An event this decoder does not know (MARGIN_LEVEL_STATUS_CHANGE, ...): its type and time
        # keep their names; "e" and "E" would both be "e" in snake_case.
        common = {letter: name for letter, (name, _) in _COMMON.items()}
        frame = pd.DataFrame([{common.get(k) or frames.snake_case(k): v for k, v in event.items()}])
    else:
        columns = {name: dtype for name, dtype in EVENT_FIELDS[kind].values()}
        frame = frames.to_frame(_rows(kind, event), columns, exact=exact)
    frame.attrs.update({"exchange": "binance", "endpoint": f"userDataStream event {event.get('e')}"})
    return frame


def empty_events(kind: str) -> pd.DataFrame:
    """No events of ``kind`` yet: the declared columns with their dtypes."""
    return frames.empty_frame({name: dtype for name, dtype in EVENT_FIELDS[kind].values()})


class UserDataSubscription:
    """A live user data stream subscription.

    ``events[kind]`` holds every event received so far as one frame per kind
    (``outbound_account_position``, ``balance_update``, ``execution_report``, ``list_status``, ...);
    ``balances()`` is the latest free/locked per asset, ready for a live table. ``status`` is
    ``"active"``, ``"reconnecting"``, ``"terminated"`` (Binance ended the stream), ``"failed"``
    (could not resubscribe) or ``"stopped"``; ``history`` lists every status change with its reason.
    """

    def __init__(
        self,
        callbacks: Mapping[str, Callable[[pd.DataFrame], Any]],
        executor: Executor,
        stop: Callable[[UserDataSubscription], None],
        *,
        exact: bool = False,
    ) -> None:
        self.subscription_id: int | None = None
        self.status = "subscribing"
        self.history: list[tuple[pd.Timestamp, str, str]] = []
        self.reconnects = 0
        self._callbacks = dict(callbacks)
        self._executor = executor
        self._stop = stop
        self._exact = exact
        self._frames: dict[str, list[pd.DataFrame]] = {}
        self._lock = threading.Condition()

    def __repr__(self) -> str:
        counts = ", ".join(f"{k}={len(v)}" for k, v in self._frames.items()) or "no events yet"
        return f"<UserDataSubscription id={self.subscription_id} status={self.status} {counts}>"

    @property
    def events(self) -> dict[str, pd.DataFrame]:
        """Every event received so far: kind -> frame (the four documented kinds are always there)."""
        with self._lock:
            kinds = list(dict.fromkeys([*CALLBACK_KINDS.values(), *self._frames]))
            found = {k: list(self._frames.get(k, ())) for k in kinds}
        return {k: pd.concat(v, ignore_index=True) if v else empty_events(k) for k, v in found.items()}

    def balances(self, initial: pd.DataFrame | None = None) -> pd.DataFrame:
        """Latest ``free`` / ``locked`` per asset: ``initial`` (e.g. ``get_account_info()``) updated
        with every account position event since, one row per asset."""
        positions = self.events["outbound_account_position"][["asset", "free", "locked"]]
        parts = [positions] if initial is None else [initial[["asset", "free", "locked"]], positions]
        parts = [p for p in parts if len(p)]
        if not parts:
            return positions
        table = pd.concat(parts, ignore_index=True).drop_duplicates("asset", keep="last")
        return table.sort_values("asset", kind="stable").reset_index(drop=True)

    def wait_for(self, kind: str | None = None, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``count`` events (of ``kind``, or of any kind) have arrived and the callbacks
        of every event so far have run; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._count(kind) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
        return self._callbacks_done(deadline)

    def _callbacks_done(self, deadline: float) -> bool:
        """Callbacks run in order on one thread: a marker queued behind them has run once they have.
        (Without this, a table a callback draws could miss the last update when the cell ends.)"""
        if threading.current_thread().name.startswith(CALLBACK_THREAD):  # called from a callback itself
            return True
        marker = self._executor.submit(lambda: None)
        try:
            marker.result(timeout=max(deadline - time.monotonic(), 0.0))
        except TimeoutError:
            return False
        return True

    def stop(self) -> None:
        """Unsubscribe; the events received so far stay available."""
        if self.status == "stopped":
            return
        # Stopped before unsubscribing, so the eventStreamTerminated that answers it is expected.
        self.set_status("stopped", "stopped by the user")
        self._stop(self)

    # ----------------------------------------------------------------- used by the client

    def set_status(self, status: str, reason: str) -> None:
        self.status = status
        self.history.append((pd.Timestamp.now(tz="UTC"), status, reason))

    def deliver(self, event: Mapping[str, Any]) -> None:
        """Keep one event and hand its frame to the matching callback (on the callback thread)."""
        if self.status == "stopped":
            return
        kind = event_kind(event)
        frame = event_frame(event, exact=self._exact)
        with self._lock:
            self._frames.setdefault(kind, []).append(frame)
            self._lock.notify_all()
        callback = self._callbacks.get(kind)
        if callback is not None:
            self._executor.submit(self._run_callback, callback, frame)

    @staticmethod
    def _run_callback(callback: Callable[[pd.DataFrame], Any], frame: pd.DataFrame) -> None:
        try:
            callback(frame)
        except Exception:
            log.exception("a user data callback raised; the stream goes on")

    def _count(self, kind: str | None) -> int:
        if kind is not None:
            return len(self._frames.get(kind, ()))
        return sum(len(v) for v in self._frames.values())
