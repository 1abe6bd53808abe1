"""One vocabulary across exchanges: balances, ledger, deposits, withdrawals, transfers.

Each function takes one client or several and returns a single frame whose columns and dtypes
are the same whichever exchange the rows came from, so frames concatenate. Every frame has
``exchange`` and ``account``; assets are upper-case tickers.

Column sets (times ``datetime64[ns, UTC]``, text ``str``, amounts ``float64``):

=============  ==============================================================================
balances       exchange, account, asset, free, locked, total, time
ledger         exchange, account, time, id, asset, amount (signed), balance (after; NaN when
               the exchange does not say), fee (>= 0), fee_asset, type, raw_type
deposits       exchange, account, time, id, asset, amount, fee, fee_asset, network, address,
withdrawals    txid, status
transfers      exchange, account, time, id, asset, amount, from_account, to_account, status
snapshots      the balances columns, and taken_at
fees           exchange, account, time, id, asset, fee, type (trading, withdrawal, other)
fee_rates      exchange, account, symbol (``BASE/QUOTE``; missing for account-wide rates), maker,
               taker (fractions: 0.001 is 0.1 %), source (the call the rate came from)
=============  ==============================================================================

``type`` in the ledger is one of ``deposit``, ``withdrawal``, ``trade``, ``fee``, ``transfer``,
``other``; ``raw_type`` keeps the exchange's own label.

Where each column comes from: each exchange's own mappings, in
``toolkit/exchanges/<exchange>/unified.py`` (its docstring says which call and field each column
is read from). An exchange without a mapping for a kind is listed in ``attrs["not_available"]``.

Fees paid are the ledger's ``fee`` column (trading fees of ``trade`` entries and whatever else
carries one) plus each withdrawal's fee, so they exist where a ledger or withdrawal history does.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pandas as pd

from toolkit.core import covered
from toolkit.core.client import check_exact
from toolkit.core.pairing import PAIRS, pair_moves
from toolkit.core.timeutil import TimeLike
from toolkit.core.vocabulary import (
    BALANCES,
    FEE_RATES,
    FEES,
    LEDGER,
    LEDGER_CORE,
    LEDGER_TYPES,
    SNAPSHOTS,
    TRANSACTIONS,
    TRANSFERS,
    conform,
)
from toolkit.errors import ConfigurationError, ToolkitError
from toolkit.exchanges import descriptor

__all__ = [
    "BALANCES",
    "FEES",
    "FEE_RATES",
    "LEDGER",
    "LEDGER_CORE",
    "LEDGER_TYPES",
    "PAIRS",
    "SNAPSHOTS",
    "TRANSACTIONS",
    "TRANSFERS",
    "PartialResult",
    "UnknownAsset",
    "balances",
    "clients_of",
    "conform",
    "deposits",
    "fee_rates",
    "fees",
    "fees_paid",
    "ledger",
    "mapping",
    "snapshots",
    "transfer_pairs",
    "transfers",
    "withdrawals",
]  # fmt: skip

DEFAULT_SYMBOLS = ("BTC/USDT",)


def clients_of(clients: Any) -> list[Any]:
    """One client, a list of clients or a dict of them, as a list."""
    if isinstance(clients, Mapping):
        return list(clients.values())
    if isinstance(clients, Iterable) and not isinstance(clients, (str, bytes)):
        return list(clients)
    return [clients]


def mapping(client: Any, kind: str) -> Callable[..., pd.DataFrame] | None:
    """The client's exchange's mapping for ``kind`` (``"ledger"``, ...), or None when it has none."""
    found: Callable[..., pd.DataFrame] | None = descriptor(client.exchange).unified.get(kind)
    return found


class PartialResult(UserWarning):
    """A cross-exchange frame holds fewer exchanges than were asked: ``attrs["failures"]`` says
    which failed, with what error, and what is missing."""


ERRORS = ("collect", "raise")


def check_errors(errors: str) -> None:
    if errors not in ERRORS:
        raise ConfigurationError(f"errors is 'collect' or 'raise', got {errors!r}.")


def failure(exchange: str, what: str, err: ToolkitError) -> dict[str, str]:
    """How ``attrs["failures"]`` lists one exchange's failure: exchange, what is missing, the error."""
    return {"exchange": exchange, "missing": what, "error": type(err).__name__, "message": str(err)}


def failure_of_source(exchange: str, kind: str, report: Mapping[str, Any]) -> dict[str, str]:
    """How ``attrs["failures"]`` lists a source an exchange's frame could not read (``covered.attempt``)."""
    kind_of_error, _, message = str(report["error"]).partition(": ")
    return {"exchange": exchange, "missing": f"{kind}: {report['endpoint']}", "error": kind_of_error,
            "message": message}  # fmt: skip


def warn_failures(kind: str, failures: list[dict[str, str]]) -> None:
    for failed in failures:
        warnings.warn(
            f"tk.unified.{kind}: {failed['exchange']} failed ({failed['error']}: {failed['message']}); "
            f"the frame holds the other exchanges, and attrs['failures'] says what is missing",
            PartialResult,
            stacklevel=3,
        )


def _span(args: tuple[Any, ...]) -> str:
    times = [a for a in args[:2] if a is not None and not isinstance(a, list)]
    return f" from {args[0]} to {args[1]}" if len(args) >= 2 and times else ""


def _gather(
    kind: str, schema: Mapping[str, str], clients: Any, *args: Any, errors: str = "collect", exact: bool = False
) -> pd.DataFrame:
    """One frame of ``kind`` from every client's mapping; ``attrs`` say what each read covered
    (``coverage``, ``complete`` per exchange) and, with ``errors="collect"``, what failed: a whole
    exchange, or one of the sources an exchange's frame is built from."""
    check_errors(errors)
    check_exact(exact)
    frames = []
    skipped: list[str] = []
    failures: list[dict[str, str]] = []
    coverage: dict[str, list[dict[str, Any]]] = {}
    for client in clients_of(clients):
        mapped = mapping(client, kind)
        if mapped is None:
            skipped.append(client.exchange)
            continue
        try:
            with covered.listening(collect=errors == "collect") as heard:
                frame = mapped(client, *args, exact=exact)
        except ToolkitError as err:
            if errors == "raise":
                raise
            failures.append(failure(client.exchange, f"{kind}{_span(args)}", err))
            continue
        coverage[client.exchange] = heard
        failures += [failure_of_source(client.exchange, kind, r) for r in heard if r.get("error")]
        if frame.empty and kind in ("deposits", "withdrawals") and len(args) > 2 and isinstance(args[2], str):
            _hint_asset(client, kind, args[2])
        frame.insert(0, "exchange", client.exchange)
        frames.append(conform(frame, schema, exact=exact))
    result = pd.concat(frames, ignore_index=True) if frames else conform(pd.DataFrame(), schema, exact=exact)
    if "time" in result and len(result):
        result = result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)
    result.attrs["kind"] = kind
    result.attrs["exchanges"] = list(coverage)
    result.attrs["coverage"] = coverage
    result.attrs["complete"] = {exchange: covered.complete(heard) for exchange, heard in coverage.items()}
    if skipped:
        result.attrs["not_available"] = skipped
    if failures:
        result.attrs["failures"] = failures
        warn_failures(kind, failures)
    return result


class UnknownAsset(UserWarning):
    """An asset asked for that the account does not know: likely a typo, with the close matches."""


def _hint_asset(client: Any, kind: str, asset: str) -> None:
    """Warn when ``asset`` (asked for, nothing found) is not among the assets ``client``'s account
    holds, naming the close matches (``USTD`` -> ``USDT``)."""
    try:
        held = sorted(set(mapping(client, "balances")(client)["asset"].astype("str").str.upper()))  # type: ignore[misc]
    except ToolkitError:  # the hint is a courtesy: a failed look-up leaves the empty answer as it is
        return
    wanted = asset.strip().upper()
    if wanted in held:
        return
    close = difflib.get_close_matches(wanted, held, n=3, cutoff=0.5)
    known = f"did you mean {', '.join(close)}?" if close else f"it holds {', '.join(held[:20]) or 'nothing'}"
    warnings.warn(f"{client.exchange} {kind}: no {asset!r}, and the account holds no such asset; {known}",
                  UnknownAsset, stacklevel=4)  # fmt: skip


def balances(clients: Any, *, errors: str = "collect", exact: bool = False) -> pd.DataFrame:
    """Current balances of every client, one row per exchange, account and asset."""
    return _gather("balances", BALANCES, clients, errors=errors, exact=exact)


def ledger(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Every ledger entry in ``[start, end]``, oldest first. Binance's and CoinW's are built from
    their fills, deposits and withdrawals (they have no ledger API); exchanges without one are
    listed in ``attrs["not_available"]``.

    ``errors="collect"`` (the default): an exchange that fails is left out, with a
    ``PartialResult`` warning and its error in ``attrs["failures"]``; ``"raise"`` raises it.
    ``attrs["complete"]`` says, per exchange, whether every read proved its range complete.
    ``exact=True``: amounts are ``decimal.Decimal`` with every digit the exchanges sent (as in the
    raw frames' ``exact=True``), for every function of this module."""
    return _gather("ledger", LEDGER, clients, start, end, errors=errors, exact=exact)


def deposits(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    asset: str | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Every deposit in ``[start, end]`` (of ``asset`` only, when given), oldest first."""
    return _gather("deposits", TRANSACTIONS, clients, start, end, asset, errors=errors, exact=exact)


def withdrawals(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    asset: str | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Every withdrawal in ``[start, end]`` (of ``asset`` only, when given), oldest first; ``fee`` is
    the withdrawal fee where known."""
    return _gather("withdrawals", TRANSACTIONS, clients, start, end, asset, errors=errors, exact=exact)


def transfers(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Transfers between a user's own accounts in ``[start, end]``, oldest first."""
    return _gather("transfers", TRANSFERS, clients, start, end, errors=errors, exact=exact)


def transfer_pairs(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    deposits_frame: pd.DataFrame | None = None,
    withdrawals_frame: pd.DataFrame | None = None,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Each withdrawal on one of ``clients`` matched with the deposit it became on another (or on
    another account): ``asset``, ``txid``, ``matched_by`` (``"txid"``, ``"amount and time"``, or
    empty for a withdrawal to, or a deposit from, outside the user's accounts), ``from_exchange``,
    ``from_account``, ``withdrawal_id``, ``sent``, ``sent_amount``, ``fee``, ``to_exchange``,
    ``to_account``, ``deposit_id``, ``received``, ``received_amount``; the rules in
    ``toolkit.core.pairing``. Every deposit and withdrawal in ``[start, end]`` is one row.
    ``deposits_frame``/``withdrawals_frame``: the ``deposits``/``withdrawals`` you already read.
    ``tk.export(ledger, path, format=..., transfers=pairs)`` marks both legs of each pair in a tax
    file as a move between the user's own wallets."""
    paid_in = deposits_frame if deposits_frame is not None else deposits(clients, start, end, errors=errors, exact=True)
    paid_out = withdrawals_frame if withdrawals_frame is not None else withdrawals(
        clients, start, end, errors=errors, exact=True)  # fmt: skip
    out = pair_moves(
        conform(paid_in, TRANSACTIONS, exact=True), conform(paid_out, TRANSACTIONS, exact=True), exact=exact
    )
    out.attrs["failures"] = [*paid_in.attrs.get("failures", []), *paid_out.attrs.get("failures", [])]
    return out


def snapshots(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """The balances exchanges recorded themselves at the end of each day (Binance keeps a month), the
    ``balances`` columns and ``taken_at``: ``toolkit.history.residual`` checks the ledger against them."""
    return _gather("snapshots", SNAPSHOTS, clients, start, end, errors=errors, exact=exact)


def fees_paid(ledger: pd.DataFrame, withdrawals: pd.DataFrame | None = None, *, exact: bool = False) -> pd.DataFrame:
    """One row per fee paid, from unified ``ledger`` and (optionally) ``withdrawals`` frames.

    Trading fees are the ``fee`` of ledger entries; withdrawal fees come from ``withdrawals`` when
    given (the ledger's withdrawal entries are then left out, so nothing counts twice).
    """
    kinds = {"trade": "trading", "fee": "trading", "withdrawal": "withdrawal"}
    rows = ledger.assign(type=ledger["type"].map(kinds).fillna("other"), asset=ledger["fee_asset"])
    if withdrawals is not None:
        paid = withdrawals.assign(type="withdrawal", asset=withdrawals["fee_asset"])
        rows = pd.concat([rows[rows["type"] != "withdrawal"], paid], ignore_index=True)
    rows = rows[rows["fee"].fillna(0) > 0]
    result = conform(rows, FEES, exact=exact)
    return result.sort_values(["time", "exchange"], kind="stable").reset_index(drop=True)


def fees(
    clients: Any,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    errors: str = "collect",
    exact: bool = False,
) -> pd.DataFrame:
    """Every fee paid in ``[start, end]``: trading fees from the ledgers, withdrawal fees from the
    withdrawal histories, oldest first. ``attrs["not_available"]`` lists exchanges with neither."""
    check_errors(errors)
    with warnings.catch_warnings(category=PartialResult, action="ignore"):  # said once, below
        entries = ledger(clients, start, end, errors=errors, exact=exact)
        taken = withdrawals(clients, start, end, errors=errors, exact=exact)
    result = fees_paid(entries, taken, exact=exact)
    result.attrs["kind"] = "fees"
    failures = [*entries.attrs.get("failures", []), *taken.attrs.get("failures", [])]
    if failures:
        result.attrs["failures"] = failures
        warn_failures("fees", failures)
    covered = set(entries.attrs["exchanges"]) | set(taken.attrs["exchanges"])
    missing = [c.exchange for c in clients_of(clients) if c.exchange not in covered]
    if missing:
        result.attrs["not_available"] = missing
    return result


def fee_rates(
    clients: Any, symbols: Iterable[str] = DEFAULT_SYMBOLS, *, errors: str = "collect", exact: bool = False
) -> pd.DataFrame:
    """The maker and taker rates in force: account-wide where the exchange has them (KuCoin,
    Binance), and per symbol (``"BTC/USDT"``) where it gives them (Bitget, KuCoin)."""
    names = [symbols] if isinstance(symbols, str) else list(symbols)
    if not names or not all(isinstance(s, str) and s.count("/") == 1 for s in names):
        raise ConfigurationError(f"symbols are 'BASE/QUOTE' strings such as 'BTC/USDT', got {names!r}.")
    return _gather("fee_rates", FEE_RATES, clients, [s.upper() for s in names], errors=errors, exact=exact)
