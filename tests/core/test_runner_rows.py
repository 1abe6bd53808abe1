"""The history runner's last step: each record once, in time order, within the range, taken a
column at a time. Checked against plain pandas on frames of many chunks (a long history's pages)."""

from __future__ import annotations

import random
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from toolkit.core import frames
from toolkit.core.runner import dedupe_and_sort
from toolkit.exchanges.kucoin.endpoints import LEDGERS

T0 = 1_700_000_000_000


def pages(count: int, size: int, *, exact: bool, seed: int = 3) -> pd.DataFrame:
    """``count`` typed pages of KuCoin ledger rows joined as the runner joins them, with ids seen
    twice across pages, times out of order and equal times."""
    rng = random.Random(seed)
    typed = []
    for _ in range(count):
        records = [
            {"id": f"id-{rng.randrange(count * size * 3 // 4)}", "currency": rng.choice(["BTC", "USDT"]),
             "amount": f"{rng.uniform(-5, 5):.8f}", "fee": "0.00000000", "balance": f"{rng.uniform(0, 9):.8f}",
             "accountType": "MAIN", "bizType": "Transfer", "direction": rng.choice(["in", "out"]),
             "createdAt": T0 + rng.randrange(50) * 60_000, "context": rng.choice(["", '{"orderId": "1"}'])}
            for _ in range(size)
        ]  # fmt: skip
        typed.append(frames.to_frame(records, LEDGERS.columns, exact=exact))
    return pd.concat(typed, ignore_index=True)


@pytest.mark.parametrize("exact", [False, True])
def test_each_id_once_first_seen_kept_in_stable_time_order(exact):
    frame = pages(40, 25, exact=exact)
    assert pa.array(frame["id"]).num_chunks == 40  # one chunk a page, as in a long history
    expected = frame.drop_duplicates("id", keep="first").sort_values("created_at", kind="stable")
    expected = expected.reset_index(drop=True)
    got = dedupe_and_sort(LEDGERS, frame.copy())
    assert 0 < len(got) < len(frame)
    pd.testing.assert_frame_equal(got, expected)
    assert list(got.dtypes) == list(frame.dtypes)
    if exact:
        assert isinstance(got["amount"].iloc[0], Decimal) and str(got["fee"].iloc[0]) == "0.00000000"


def test_a_range_keeps_only_its_records():
    frame = pages(10, 30, exact=False)
    start, end = T0 + 10 * 60_000, T0 + 20 * 60_000
    got = dedupe_and_sort(LEDGERS, frame.copy(), between=(start, end))
    inside = frame[(frame["created_at"] >= pd.Timestamp(start, unit="ms", tz="UTC"))
                   & (frame["created_at"] <= pd.Timestamp(end, unit="ms", tz="UTC"))]  # fmt: skip
    expected = inside.drop_duplicates("id").sort_values("created_at", kind="stable").reset_index(drop=True)
    assert 0 < len(got) < len(frame.drop_duplicates("id"))
    pd.testing.assert_frame_equal(got, expected)


def test_nothing_to_drop_or_move_gives_the_frame_back_unchanged():
    frame = pages(1, 10, exact=False).drop_duplicates("id").sort_values("created_at", kind="stable")
    frame = frame.reset_index(drop=True)
    assert dedupe_and_sort(LEDGERS, frame) is frame
    assert dedupe_and_sort(LEDGERS, frame.iloc[:1]).equals(frame.iloc[:1])
    assert dedupe_and_sort(LEDGERS, frame.iloc[:0]).empty
