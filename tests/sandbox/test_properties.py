"""Property tests on each sandbox: a sub-range or a filtered view equals the full fetch filtered
(no row lost, none duplicated, none outside the range), and the ledger ends at the balances."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import HTTP_EXCHANGES, sandbox_client
from toolkit.sandbox.account import demo_year

START, END = (pd.Timestamp(t) for t in demo_year())
DAYS = (END - START).days
PROPERTY = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def ranges(max_days: int):
    """(start, end) inside the demo year, at most ``max_days`` apart, at any millisecond."""
    return st.tuples(st.integers(0, DAYS * 86_400_000 - 1), st.integers(1, max_days * 86_400_000)).map(
        lambda p: (START + pd.Timedelta(milliseconds=p[0]), min(END, START + pd.Timedelta(milliseconds=p[0] + p[1])))
    )


@pytest.fixture(scope="module")
def clients(boxes):
    """One client per sandbox for the module: each keeps within its exchange's limits, as one user does."""
    return {exchange: sandbox_client(boxes, exchange) for exchange in HTTP_EXCHANGES}


@pytest.fixture(scope="module")
def full(clients):
    """Every record of the demo year, fetched once per sandbox."""
    bitget, kucoin, coinw = clients["bitget"], clients["kucoin"], clients["coinw"]
    return {
        "bills": bitget.get_bills(start_time=START, end_time=END),
        "bitget_deposits": bitget.get_deposit_history(start_time=START, end_time=END),
        "bitget_withdrawals": bitget.get_withdrawal_history(start_time=START, end_time=END),
        "ledgers": kucoin.get_account_ledgers(start_time=START, end_time=END),
        "kucoin_withdrawals": kucoin.get_withdrawals(start_time=START, end_time=END),
        "coinw": coinw.get_deposit_withdrawal_history(["USDT", "BTC", "ETH"]),
    }


def within(frame: pd.DataFrame, column: str, start, end) -> pd.DataFrame:
    return frame[(frame[column] >= start) & (frame[column] <= end)].reset_index(drop=True)


def test_the_full_fetches_hold_the_whole_account(full, boxes):
    assert len(full["bills"]) == sum(1 for e in boxes.account("bitget").entries if e.time < END.value // 10**6)
    assert full["bills"]["bill_id"].is_unique and full["ledgers"]["id"].is_unique
    assert full["bills"]["c_time"].is_monotonic_increasing
    assert full["bills"].attrs["coverage"]["complete"] is True and full["bills"].attrs["coverage"]["windows"] == 5
    assert full["ledgers"].attrs["coverage"]["windows"] == DAYS


@PROPERTY
@given(span=ranges(120), coin=st.sampled_from([None, "USDT", "BTC", "ETH"]),
       group=st.sampled_from([None, "deposit", "transaction", "withdraw"]))  # fmt: skip
def test_bitget_bills_of_a_range_and_filter_are_the_full_bills_filtered(full, clients, span, coin, group):
    start, end = span
    got = clients["bitget"].get_bills(asset_id=coin, group_type=group, start_time=start, end_time=end)
    expected = within(full["bills"], "c_time", start, end)
    if coin:
        expected = expected[expected["coin"] == coin.lower()]
    if group:
        expected = expected[expected["group_type"] == group]
    assert got["bill_id"].tolist() == expected["bill_id"].tolist()
    assert got.attrs["coverage"]["complete"] is True


@PROPERTY
@given(span=ranges(200), coin=st.sampled_from([None, "USDT", "BTC"]))
def test_bitget_wallet_records_of_a_range_are_the_full_records_filtered(full, clients, span, coin):
    start, end = span
    client = clients["bitget"]
    for got, kind in (
        (client.get_deposit_history(coin, start_time=start, end_time=end), "bitget_deposits"),
        (client.get_withdrawal_history(coin, start_time=start, end_time=end), "bitget_withdrawals"),
    ):
        expected = within(full[kind], "c_time", start, end)
        if coin:
            expected = expected[expected["coin"] == coin]
        assert got["order_id"].tolist() == expected["order_id"].tolist()


@PROPERTY
@given(
    span=ranges(20),
    currencies=st.sampled_from([None, ["USDT"], ["BTC", "ETH"]]),
    direction=st.sampled_from([None, "in", "out"]),
    biz=st.sampled_from([None, "TRANSFER", "TRADE_EXCHANGE"]),
)
def test_kucoin_ledgers_of_a_range_and_filter_are_the_full_ledgers_filtered(
    full, clients, span, currencies, direction, biz
):
    start, end = span
    got = clients["kucoin"].get_account_ledgers(currencies, direction, biz, start_time=start, end_time=end)
    expected = within(full["ledgers"], "created_at", start, end)
    if currencies:
        expected = expected[expected["currency"].isin(currencies)]
    if direction:
        expected = expected[expected["direction"] == direction]
    if biz:
        expected = expected[expected["biz_type"] == {"TRANSFER": "Transfer", "TRADE_EXCHANGE": "Trade_Exchange"}[biz]]
    assert got["id"].tolist() == expected["id"].tolist()
    assert not got.duplicated("id").any()


@PROPERTY
@given(span=ranges(300), coin=st.sampled_from([None, "USDT", "BTC"]))
def test_kucoin_withdrawals_of_a_range_are_the_full_list_filtered(full, clients, span, coin):
    start, end = span
    got = clients["kucoin"].get_withdrawals(coin, start_time=start, end_time=end)
    expected = within(full["kucoin_withdrawals"], "created_at", start, end)
    if coin:
        expected = expected[expected["currency"] == coin]
    assert got["id"].tolist() == expected["id"].tolist()


@PROPERTY
@given(span=ranges(300), coin=st.sampled_from(["USDT", "BTC"]))
def test_coinw_history_of_a_coin_and_range_is_the_full_history_filtered(full, clients, span, coin):
    start, end = span
    got = clients["coinw"].get_deposit_withdrawal_history(coin, start_time=start, end_time=end)
    expected = within(full["coinw"], "time", start, end)
    expected = expected[expected["currency"] == coin]
    assert got["deposit_number"].tolist() == expected["deposit_number"].tolist()


def test_the_ledgers_end_at_the_reported_balances(full, clients):
    bills = full["bills"]
    last = bills.groupby("coin")["balance"].last()
    balances = clients["bitget"].get_balances(asset_type="all").set_index("coin")["available"]
    assert last.to_dict() == pytest.approx(balances[last.index].to_dict())
    # KuCoin's ledger reports no usable balance: its accounts opened empty, so the signed sum is the balance.
    ledgers = full["ledgers"]
    signed = ledgers["amount"].where(ledgers["direction"] == "in", -ledgers["amount"])
    summed = signed.groupby([ledgers["account_type"].str.lower(), ledgers["currency"]]).sum()
    accounts = clients["kucoin"].get_accounts().set_index(["type", "currency"])["balance"]
    assert summed.to_dict() == pytest.approx(accounts[summed.index].to_dict(), abs=1e-8)
