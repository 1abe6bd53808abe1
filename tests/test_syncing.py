from __future__ import annotations

import pandas as pd
import pytest

from toolkit.store import Store
from toolkit.syncing import sync

DAY = pd.Timedelta(days=1)
T0 = pd.Timestamp("2025-03-01", tz="UTC")


class BitgetLike:
    """An account whose ledger grows between syncs; answers like BitgetClient (same columns)."""

    exchange = "bitget"

    def __init__(self) -> None:
        self.bills = [self._bill(1, T0 + DAY)]
        self.asked: list[tuple[pd.Timestamp, pd.Timestamp]] = []

    @staticmethod
    def _bill(n: int, when: pd.Timestamp) -> dict:
        return {
            "bill_id": str(n),
            "c_time": when,
            "coin": "usdt",
            "group_type": "deposit",
            "business_type": "DEPOSIT",
            "size": 10.0,
            "balance": 10.0 * n,
            "fees": 0.0,
        }

    def is_uta(self) -> bool:
        return False

    def get_bills(self, start_time=None, end_time=None, exact=False):
        start, end = pd.Timestamp(start_time or T0), pd.Timestamp(end_time)
        start = start if start.tzinfo else start.tz_localize("UTC")
        self.asked.append((start, end))
        rows = [b for b in self.bills if start <= b["c_time"] <= end]
        return pd.DataFrame(rows, columns=list(self._bill(0, T0)))

    def get_balances(self, exact=False):
        return pd.DataFrame(
            {"coin": ["usdt"], "available": [10.0 * len(self.bills)], "frozen": [0.0], "locked": [0.0], "u_time": [T0]}
        )


@pytest.fixture
def account():
    return BitgetLike()


def test_second_sync_adds_nothing_and_starts_where_the_store_ends(account, tmp_path):
    path = str(tmp_path / "accounts.db")
    first = sync(account, path, start=T0, end=T0 + 2 * DAY, streams=("ledger",), snapshot=False)
    assert first.to_dict("records") == [{"exchange": "bitget", "stream": "ledger", "fetched": 1, "new": 1,
                                         "complete": True, "missing": [], "error": ""}]  # fmt: skip
    same = sync(account, path, end=T0 + 2 * DAY, streams=("ledger",), snapshot=False)
    assert same["fetched"].tolist() == [0] and len(account.asked) == 1  # held already: nothing asked
    again = sync(account, path, end=T0 + 3 * DAY, streams=("ledger",), snapshot=False)
    assert again["new"].tolist() == [0]
    assert account.asked[1] == (T0 + 2 * DAY - pd.Timedelta(hours=1), T0 + 3 * DAY)  # the new part, with overlap
    with Store(path) as db:
        assert db.load("ledger")["id"].tolist() == ["1"]
        assert db.ranges("bitget:ledger") == [(T0, T0 + 3 * DAY)]


def test_new_entries_arrive_once_after_a_restart(account, tmp_path):
    path = str(tmp_path / "accounts.db")
    sync(account, path, start=T0, end=T0 + 2 * DAY, streams=("ledger",), snapshot=False)
    account.bills.append(account._bill(2, T0 + 3 * DAY))
    result = sync(account, path, end=T0 + 4 * DAY, streams=("ledger",))  # a fresh Store: survives restarts
    assert result.set_index("stream")["new"].to_dict() == {"ledger": 1, "snapshot": 1}
    with Store(path) as db:
        ledger = db.load("ledger")
        assert ledger["id"].tolist() == ["1", "2"] and ledger["amount"].tolist() == [10.0, 10.0]
        assert db.snapshots()["total"].tolist() == [20.0]
