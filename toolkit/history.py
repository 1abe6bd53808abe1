"""Balance history, the reconciliation residual, and fee history, from unified frames.

Balance history is rebuilt backwards from today's balances: the balance at the end of a day is
today's balance minus every ledger amount booked after that day. Where the exchange also
reports the running balance after each entry (Bitget bills, KuCoin ledgers), the two must agree;
the difference is the *residual*: what the ledger cannot explain (a missing page, an entry the
exchange left out, a manual adjustment). It is shown, never hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from toolkit.errors import ConfigurationError
from toolkit.unified import BALANCES, LEDGER_CORE, fees_paid

KEYS = ["exchange", "asset"]
# Running balances are kept per account (KuCoin's main and trade accounts are separate ledgers).
ACCOUNT_KEYS = ["exchange", "account", "asset"]
# The frequencies fee_history takes -> the pandas Period each one groups by.
# pandas users type "M" or "ME" for months too: every one labels a period by its start here.
FREQ_TO_PERIOD = {"D": "D", "W": "W", "MS": "M", "M": "M", "ME": "M", "QS": "Q", "YS": "Y"}


def _require(df: pd.DataFrame, schema: Iterable[str], what: str) -> None:
    missing = [c for c in schema if c not in df.columns]
    if missing:
        raise ConfigurationError(f"{what} lacks columns {missing}; build it with toolkit.unified.")


def _replayed(ledger: pd.DataFrame, balances: pd.DataFrame) -> pd.DataFrame:
    """Ledger rows with ``rebuilt``: the balance after each entry, anchored on today's balance."""
    now = balances.groupby(ACCOUNT_KEYS, as_index=False)["total"].sum()
    rows = ledger.sort_values("time", kind="stable").merge(now, on=ACCOUNT_KEYS, how="left")
    rows["total"] = rows["total"].fillna(0.0)
    # Balance after an entry = today's balance - everything booked after it.
    later = rows.groupby(ACCOUNT_KEYS)["amount"].transform(lambda s: s[::-1].cumsum()[::-1] - s)
    rows["rebuilt"] = rows["total"] - later
    return rows


def balance_history(
    ledger: pd.DataFrame, balances: pd.DataFrame, snapshots: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Daily end-of-day balance per exchange and asset: ``time, exchange, asset, balance``.

    ``ledger`` and ``balances`` are ``toolkit.unified`` frames; ``snapshots`` (stored balance
    snapshots, same columns as ``balances``) add the days of exchanges without a ledger.
    """
    _require(ledger, LEDGER_CORE, "ledger")
    _require(balances, BALANCES, "balances")
    today = pd.Timestamp.now(tz="UTC").normalize()
    frames = []
    if len(ledger):
        rows = _replayed(ledger, balances)
        rows["day"] = rows["time"].dt.normalize()
        daily = rows.groupby([*ACCOUNT_KEYS, "day"], as_index=False)["rebuilt"].last()
        for (exchange, _account, asset), group in daily.groupby(ACCOUNT_KEYS):
            days = pd.date_range(group["day"].min(), today, freq="D")
            series = group.set_index("day")["rebuilt"].reindex(days).ffill()
            frames.append(pd.DataFrame({"time": days, "exchange": exchange, "asset": asset, "balance": series.values}))
    if snapshots is not None and len(snapshots):
        _require(snapshots, BALANCES, "snapshots")
        # A stored snapshot's moment is when it was taken, not the exchange's last update time.
        taken = snapshots["taken_at"] if "taken_at" in snapshots else snapshots["time"]
        snap = snapshots.assign(time=taken.dt.normalize())
        snap = snap.groupby(["time", *KEYS], as_index=False)["total"].sum().rename(columns={"total": "balance"})
        with_ledger = set(map(tuple, ledger[KEYS].drop_duplicates().to_numpy())) if len(ledger) else set()
        keep = [tuple(k) not in with_ledger for k in snap[KEYS].to_numpy()]
        frames.append(snap[keep])
    if not frames:
        return pd.DataFrame(
            {"time": pd.Series([], dtype="datetime64[ns, UTC]"), "exchange": pd.Series([], dtype="str"),
             "asset": pd.Series([], dtype="str"), "balance": pd.Series([], dtype="float64")}
        )  # fmt: skip
    out = pd.concat(frames, ignore_index=True).groupby(["time", *KEYS], as_index=False)["balance"].sum()
    out["time"] = pd.to_datetime(out["time"], utc=True).astype("datetime64[ns, UTC]")
    out[["exchange", "asset"]] = out[["exchange", "asset"]].astype("str")
    return out.sort_values(["time", *KEYS], kind="stable").reset_index(drop=True)


def residual(ledger: pd.DataFrame, balances: pd.DataFrame, snapshots: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per exchange, asset and day: the balance the exchange reported minus the one rebuilt.

    The reported balance is the running ``balance`` of ledger entries that carry one (Bitget), and
    each balance in ``snapshots`` (``toolkit.unified.snapshots``: Binance's daily snapshots). Zero
    when the ledger is complete and consistent with today's balances.
    """
    _require(ledger, LEDGER_CORE, "ledger")
    _require(balances, BALANCES, "balances")
    rows = _replayed(ledger, balances)
    rows = rows[rows["balance"].notna()]
    rows["day"] = rows["time"].dt.normalize()
    rows["residual"] = rows["balance"] - rows["rebuilt"]
    out = rows.groupby([*KEYS, "day"], as_index=False)["residual"].last().rename(columns={"day": "time"})
    if snapshots is not None and len(snapshots):
        out = pd.concat([out, _snapshot_residual(ledger, balances, snapshots)], ignore_index=True)
    # Rounded where exchanges stop (10 decimals): beyond that it is float noise, not a residual.
    out["residual"] = out["residual"].astype("float64").round(10)
    out["time"] = pd.to_datetime(out["time"], utc=True).astype("datetime64[ns, UTC]")
    return out[["time", *KEYS, "residual"]].sort_values(["time", *KEYS]).reset_index(drop=True)


def _snapshot_residual(ledger: pd.DataFrame, balances: pd.DataFrame, snapshots: pd.DataFrame) -> pd.DataFrame:
    """Each snapshot's total minus today's balance less every ledger amount booked after it, in the
    account the snapshot is of (Binance's are of the spot account alone)."""
    now = balances.groupby(ACCOUNT_KEYS)["total"].sum()
    taken = snapshots["taken_at"] if "taken_at" in snapshots else snapshots["time"]
    snap = snapshots.assign(moment=taken).groupby([*ACCOUNT_KEYS, "moment"], as_index=False)["total"].sum()
    entries = ledger.sort_values("time", kind="stable")
    rows = []
    for (exchange, account, asset), group in snap.groupby(ACCOUNT_KEYS):
        booked = entries[(entries["exchange"] == exchange) & (entries["account"] == account)
                         & (entries["asset"] == asset)]  # fmt: skip
        later = booked["amount"][::-1].cumsum()[::-1].to_numpy()  # the sum of each entry and all after it
        times = booked["time"].dt.tz_convert(None).to_numpy()  # datetime64[ns] of UTC
        for moment, total in zip(group["moment"], group["total"], strict=True):
            first_after = times.searchsorted(moment.tz_convert(None).to_datetime64(), side="right")
            after = later[first_after] if first_after < len(later) else 0.0
            rebuilt = now.get((exchange, account, asset), 0.0) - after
            rows.append({"time": moment.normalize(), "exchange": exchange, "asset": asset, "residual": total - rebuilt})
    return pd.DataFrame(rows, columns=["time", *KEYS, "residual"])


def period_start(times: pd.Series, freq: str) -> pd.Series:
    """The start (UTC) of the period of ``freq`` (``"D"``, ``"W"`` from Monday, ``"MS"``, ``"QS"``,
    ``"YS"``) each time falls in."""
    if freq not in FREQ_TO_PERIOD:
        raise ConfigurationError(f"freq must be one of {', '.join(FREQ_TO_PERIOD)}, got {freq!r}.")
    start = times.dt.tz_convert(None).dt.to_period(FREQ_TO_PERIOD[freq]).dt.start_time
    return start.dt.tz_localize("UTC").astype("datetime64[ns, UTC]")


def fee_history(ledger: pd.DataFrame, withdrawals: pd.DataFrame | None = None, freq: str = "MS") -> pd.DataFrame:
    """Fees paid per period (``freq``: ``"D"``, ``"MS"`` month start, ...), exchange, asset and type.

    Trading fees come from ledger entries of type ``trade`` (and ``fee``); withdrawal fees from the
    ``withdrawals`` frame when given, else from ledger entries of type ``withdrawal``.
    """
    _require(ledger, LEDGER_CORE, "ledger")
    fees = fees_paid(ledger, withdrawals)
    fees = fees.assign(time=period_start(fees["time"], freq))
    out = fees.groupby(["time", "exchange", "asset", "type"], as_index=False)["fee"].sum()
    return out.astype({"exchange": "str", "asset": "str", "type": "str", "fee": "float64"})
