"""The history runner on the sandboxes: pages typed in batches as they arrive give the same history."""

from __future__ import annotations

import pandas as pd
import pytest


def yesterday() -> pd.Timestamp:
    return pd.Timestamp.now(tz="UTC").normalize() - pd.Timedelta(days=1)


@pytest.mark.parametrize("exchange", ["bitget", "kucoin"])  # the paged ledgers
def test_typing_pages_in_small_batches_gives_the_same_history(connect, monkeypatch, exchange):
    # The runner types pages a batch at a time as they arrive; however small the batches, the
    # history is the same rows in the same order as typed all at once.
    from toolkit import unified
    from toolkit.core import runner

    client = connect(exchange)
    start = yesterday() - pd.Timedelta(days=200)
    whole = unified.ledger(client, start, yesterday())
    monkeypatch.setattr(runner, "BATCH", 3)
    batched = unified.ledger(client, start, yesterday())
    assert len(whole) > 20
    pd.testing.assert_frame_equal(batched, whole)
