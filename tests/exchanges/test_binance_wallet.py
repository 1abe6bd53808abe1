"""Binance wallet event sources over signed REST: convert trades, Simple Earn history, universal
transfers, the funding wallet and the dust log, against Binance's documented examples (cassettes);
windows and pages against a stub that answers any range."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pandas as pd
import pytest
import yaml

import toolkit as tk
from tests.conftest import Sent
from toolkit.cassettes import CASSETTES
from toolkit.core.http import Call, Reply
from toolkit.errors import ConfigurationError, MalformedResponse
from toolkit.exchanges.binance import endpoints as ep

DAY = 86_400_000
UTC = "datetime64[ns, UTC]"


@pytest.fixture
def wallet(fake_credentials):
    """A Binance client whose REST calls the cassettes answer, and the requests it sent."""
    client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
    sent = Sent()
    client.rest.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request))
    yield client, sent
    client.close()


class Stub:
    """Stands in for the REST transport: answers each request with ``answer(query)`` and keeps the
    queries asked (for ranges and pages no documented example covers)."""

    def __init__(self, answer):
        self.answer = answer
        self.asked: list[dict[str, str]] = []
        self.paths: list[str] = []

    def send(self, call: Call) -> Reply:
        query = {k: str(v) for k, v in call.params if k not in ("timestamp", "signature")}
        self.asked.append(query)
        self.paths.append(call.path)
        return Reply(200, {"Content-Type": "application/json"}, json.dumps(self.answer(query)).encode())


@pytest.fixture
def stubbed(fake_credentials):
    clients = []

    def build(answer):
        client = tk.connect("binance", fake_credentials, sync_clock=False, progress=False)
        client.rest = stub = Stub(answer)
        clients.append(client)
        return client, stub

    yield build
    for client in clients:
        client.close()


def sent_query(request: Any) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.url).query))


def signed(query: dict[str, str]) -> dict[str, str]:
    """The query without what signing adds, after checking it was added."""
    assert query.pop("timestamp").isdigit() and len(query.pop("signature")) == 64
    return query


def ms(day: str) -> str:
    return str(pd.Timestamp(day, tz="UTC").value // 1_000_000)


def windows(asked: list[dict[str, str]]) -> list[tuple[int, int]]:
    return list(dict.fromkeys((int(q["startTime"]), int(q["endTime"])) for q in asked))


def written(frame: pd.DataFrame, columns: list[str]) -> list[list[str]]:
    """Exact columns as the text of their Decimals (which must be Decimals)."""
    assert all(isinstance(v, Decimal) for c in columns for v in frame[c].dropna())
    return [[str(v) for v in frame[c]] for c in columns]


def is_text(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.StringDtype)


# --------------------------------------------------------------------------- convert

START = 1623824139000  # the window the documented example echoes: startTime, endTime = START + 30 days


def test_convert_history_reads_the_documented_example_to_the_digit(wallet, cassette):
    client, sent = wallet
    with cassette("binance/rest/get_convert_history"):
        df = client.get_convert_history(start_time=START, end_time=START + 30 * DAY, exact=True)
    assert list(df.columns) == [
        "quote_id", "order_id", "order_status", "from_asset", "from_amount", "to_asset", "to_amount", "ratio",
        "inverse_ratio", "create_time",
    ]  # fmt: skip
    row = df.iloc[0]
    assert is_text(df["order_id"]) and row["order_id"] == "940708407462087195"  # above 2**53: not a float's digits
    assert (row["quote_id"], row["order_status"], row["from_asset"], row["to_asset"]) == (
        "f3b91c525b2644c7bc1e1cd31b6e1aa6", "SUCCESS", "USDT", "BNB",
    )  # fmt: skip
    assert written(df, ["from_amount", "to_amount", "ratio", "inverse_ratio"]) == [
        ["20"], ["0.06154036"], ["0.00307702"], ["324.99"],
    ]  # fmt: skip
    assert row["to_amount"] == Decimal("0.06154036")
    assert str(df["create_time"].dtype) == UTC and row["create_time"] == pd.Timestamp(
        1624248872184, unit="ms", tz="UTC"
    )
    (request,) = sent
    assert (request.method, urlsplit(request.url).path) == ("GET", "/sapi/v1/convert/tradeFlow")
    assert signed(sent_query(request)) == {"startTime": str(START), "endTime": str(START + 30 * DAY), "limit": "1000"}
    assert df.attrs["coverage"]["windows"] == 1 and df.attrs["coverage"]["complete"] is True


def test_convert_order_ids_keep_their_digits_where_amounts_are_floats(wallet, cassette):
    client, _ = wallet
    with cassette("binance/rest/get_convert_history"):
        df = client.get_convert_history(start_time=START, end_time=START + 30 * DAY)
    assert df["order_id"].tolist() == ["940708407462087195"]
    assert df["from_amount"].tolist() == [20.0] and df["inverse_ratio"].tolist() == [324.99]


def test_convert_history_over_70_days_asks_three_windows_oldest_first(wallet, cassette):
    client, sent = wallet
    with cassette("binance/rest/get_convert_history--windows"):
        df = client.get_convert_history(start_time=START, end_time=START + 70 * DAY)
    asked = [sent_query(r) for r in sent]
    assert windows(asked) == [
        (START, START + 30 * DAY),
        (START + 30 * DAY, START + 60 * DAY),
        (START + 60 * DAY, START + 70 * DAY),
    ]
    assert len(asked) == 3 and {q["limit"] for q in asked} == {"1000"}
    assert df["order_id"].tolist() == ["940708407462087195"] and df.attrs["coverage"]["windows"] == 3


def test_convert_answers_as_long_as_the_limit_are_asked_again_in_halves(stubbed):
    # 1500 conversions in 10 days: no cursor, so a window answering 1000 (the limit) is split.
    trades = [
        {"orderId": 940708407462087195 + n, "createTime": START + n * 576_000, "fromAmount": "1", "toAmount": "2"}
        for n in range(1500)
    ]

    def answer(query):
        lo, hi = int(query["startTime"]), int(query["endTime"])
        return {"list": [t for t in trades if lo <= t["createTime"] <= hi][:1000], "moreData": False}

    client, stub = stubbed(answer)
    df = client.get_convert_history(start_time=START, end_time=START + 10 * DAY)
    assert df["order_id"].tolist() == [str(t["orderId"]) for t in trades]
    assert windows(stub.asked)[0] == (START, START + 10 * DAY) and len(stub.asked) == 3  # the whole, then halves


# --------------------------------------------------------------------------- Simple Earn

NOV = {"start_time": "2019-11-15", "end_time": "2019-12-01"}
DEC = {"start_time": "2019-12-20", "end_time": "2019-12-31"}
EARN = [
    # product, kind, arguments, columns, exact amounts as documented, other values as documented
    (
        "flexible", "subscription", {"asset": "USDT", **NOV},
        ["amount", "asset", "time", "purchase_id", "type", "source_account", "amt_from_spot", "amt_from_funding",
         "status", "product_id"],
        {"amount": ["100.00000000"], "amt_from_spot": ["30"], "amt_from_funding": ["70"]},
        {"purchase_id": "26055", "product_id": "USDT001", "type": "AUTO", "source_account": "SPOT",
         "status": "SUCCESS", "time": 1575018510000},
    ),
    (
        "flexible", "redemption", DEC,
        ["amount", "asset", "time", "project_id", "redeem_id", "dest_account", "status"],
        {"amount": ["10.54000000"]},
        {"redeem_id": "40607", "project_id": "USDT001", "dest_account": "SPOT", "status": "PAID",
         "time": 1577257222000},
    ),
    (
        "flexible", "rewards", DEC,
        ["asset", "rewards", "project_id", "type", "time"],
        {"rewards": ["0.00687654", "0.00006408"]},  # oldest first: 1577233562000, then 1577233578000
        {"asset": "USDT", "project_id": "USDT001", "type": "REALTIME", "time": 1577233562000},
    ),
    (
        "locked", "subscription", NOV,
        ["amount", "asset", "time", "purchase_id", "type", "source_account", "amt_from_spot", "amt_from_funding",
         "status", "position_id", "project_id", "lock_period"],
        {"amount": ["21312.23223"], "amt_from_spot": ["30"], "amt_from_funding": ["70"]},
        {"position_id": "123123", "purchase_id": "26055", "project_id": "Axs*90", "asset": "BNB", "lock_period": 30,
         "time": 1575018510000},
    ),
    (
        "locked", "redemption", NOV,
        ["position_id", "redeem_id", "time", "asset", "lock_period", "amount", "original_amount", "type",
         "deliver_date", "loss_amount", "is_complete", "reward_asset", "reward_amt", "extra_reward_asset",
         "est_extra_reward_amt", "status"],
        {"amount": ["21312.23223"], "original_amount": ["21312.23223"], "loss_amount": ["0.00001232"],
         "reward_amt": ["5.17181528"], "est_extra_reward_amt": ["5.17181528"]},
        {"position_id": "123123", "redeem_id": "40607", "type": "MATURE", "is_complete": True, "reward_asset": "AXS",
         "extra_reward_asset": "BNB", "status": "PAID", "time": 1575018510000, "deliver_date": 1575018510000},
    ),
    (
        "locked", "rewards", NOV,
        ["position_id", "time", "asset", "lock_period", "amount", "type"],
        {"amount": ["21312.23223"]},
        {"position_id": "123123", "asset": "BNB", "lock_period": 30, "type": "Locked Rewards", "time": 1575018510000},
    ),
]  # fmt: skip
TIMES = ("time", "deliver_date")


@pytest.mark.parametrize(("product", "kind", "args", "columns", "amounts", "values"), EARN,
                         ids=[f"{p}-{k}" for p, k, *_ in EARN])  # fmt: skip
def test_simple_earn_history_reads_each_documented_example_to_the_digit(
    wallet, cassette, product, kind, args, columns, amounts, values
):
    client, sent = wallet
    with cassette(f"binance/rest/get_simple_earn_history--{product}-{kind}"):
        df = client.get_simple_earn_history(kind, product, exact=True, **args)
    assert list(df.columns) == columns
    assert written(df, list(amounts)) == list(amounts.values())
    row = df.iloc[0]
    for name, value in values.items():
        expected = pd.Timestamp(value, unit="ms", tz="UTC") if name in TIMES else value
        assert row[name] == expected, name
    assert all(str(df[c].dtype) == UTC for c in TIMES if c in df)
    assert all(is_text(df[c]) for c in ("position_id", "purchase_id", "redeem_id") if c in df)
    (request,) = sent
    record = "rewardsRecord" if kind == "rewards" else f"{kind}Record"
    assert urlsplit(request.url).path == f"/sapi/v1/simple-earn/{product}/history/{record}"
    expected = {"current": "1", "size": "100", "startTime": ms(args["start_time"]), "endTime": ms(args["end_time"])}
    expected.update({"asset": args["asset"]} if "asset" in args else {})
    expected.update({"type": "ALL"} if (product, kind) == ("flexible", "rewards") else {})
    assert signed(sent_query(request)) == expected
    assert df.attrs["coverage"]["complete"] is True and df.attrs["coverage"]["pages"] == 1


def test_locked_rewards_docs_example_listing_more_rows_than_its_total_is_refused(wallet, cassette):
    client, _ = wallet
    refused = pytest.raises(MalformedResponse, match="2 records arrived where total=1")
    with cassette("binance/rest/get_simple_earn_history--locked-rewards-docs-total"), refused:
        client.get_simple_earn_history("rewards", "locked", **NOV)


def test_simple_earn_history_names_what_it_takes(stubbed):
    client, stub = stubbed(lambda query: {"rows": [], "total": 0})
    with pytest.raises(ConfigurationError, match="kind is 'subscription', 'redemption' or 'rewards'"):
        client.get_simple_earn_history("interest")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="product='staking'"):
        client.get_simple_earn_history("rewards", "staking")  # type: ignore[arg-type]
    assert stub.asked == []


@pytest.mark.parametrize(("product", "kind"), [(p, k) for p, k, *_ in EARN])
def test_simple_earn_history_over_70_days_asks_three_windows_of_30_days(stubbed, product, kind):
    client, stub = stubbed(lambda query: {"rows": [], "total": 0})
    df = client.get_simple_earn_history(kind, product, start_time=START, end_time=START + 70 * DAY)
    assert windows(stub.asked) == [(START, START + 30 * DAY), (START + 30 * DAY, START + 60 * DAY),
                                   (START + 60 * DAY, START + 70 * DAY)]  # fmt: skip
    assert len(stub.asked) == 3 and len(df) == 0 and df.attrs["coverage"]["windows"] == 3


def documented_row(name: str) -> dict[str, Any]:
    text = (Path(CASSETTES) / "binance" / "rest" / f"{name}.yaml").read_text()
    return json.loads(yaml.safe_load(text)["interactions"][0]["response"]["body"]["string"])["rows"][0]


@pytest.mark.parametrize(("product", "kind"), [(p, k) for p, k, *_ in EARN])
def test_simple_earn_history_pages_follow_current_until_the_total(stubbed, product, kind):
    # 150 records of the documented row's shape: pages of 100 and 50, at current=1 and 2.
    endpoint = ep.SIMPLE_EARN[(product, kind)]
    base = documented_row(f"get_simple_earn_history--{product}-{kind}")
    rows = [{**base, "time": START + n, **({endpoint.id_field: n} if endpoint.id_field else {})} for n in range(150)]

    def answer(query):
        page, size = int(query["current"]), int(query["size"])
        return {"rows": rows[(page - 1) * size : page * size], "total": len(rows)}

    client, stub = stubbed(answer)
    df = client.get_simple_earn_history(kind, product, start_time=START, end_time=START + DAY)
    assert [(q["current"], q["size"]) for q in stub.asked] == [("1", "100"), ("2", "100")]
    assert len(df) == 150 and df["time"].is_monotonic_increasing
    assert df.attrs["coverage"]["pages"] == 2 and df.attrs["coverage"]["complete"] is True


# --------------------------------------------------------------------------- universal transfer

WEEK = {"start_time": "2018-12-05", "end_time": "2018-12-12"}


def test_universal_transfer_history_reads_the_documented_example_to_the_digit(wallet, cassette):
    client, sent = wallet
    with cassette("binance/rest/get_universal_transfer_history"):
        df = client.get_universal_transfer_history("MAIN_UMFUTURE", exact=True, **WEEK)
    assert list(df.columns) == ["asset", "amount", "type", "status", "tran_id", "timestamp"]
    assert is_text(df["tran_id"]) and df["tran_id"].tolist() == ["11415955596", "11366865406"]
    assert written(df, ["amount"]) == [["1", "2"]]
    assert df[["asset", "type", "status"]].drop_duplicates().values.tolist() == [["USDT", "MAIN_UMFUTURE", "CONFIRMED"]]
    assert (
        str(df["timestamp"].dtype) == UTC
        and (df["timestamp"] == pd.Timestamp(1544433328000, unit="ms", tz="UTC")).all()
    )
    (request,) = sent
    assert urlsplit(request.url).path == "/sapi/v1/asset/transfer"
    window = {"startTime": ms(WEEK["start_time"]), "endTime": ms(WEEK["end_time"])}
    assert signed(sent_query(request)) == {"type": "MAIN_UMFUTURE", "current": "1", "size": "100", **window}
    assert df.attrs["coverage"]["complete"] is True


def test_universal_transfer_pages_follow_current(wallet, cassette, monkeypatch):
    one_a_page = replace(ep.UNIVERSAL_TRANSFER, paging=replace(ep.UNIVERSAL_TRANSFER.paging, size=1))
    monkeypatch.setattr(ep, "UNIVERSAL_TRANSFER", one_a_page)
    client, sent = wallet
    with cassette("binance/rest/get_universal_transfer_history--two-pages"):
        df = client.get_universal_transfer_history("MAIN_UMFUTURE", **WEEK)
    assert [(sent_query(r)["current"], sent_query(r)["size"]) for r in sent] == [("1", "1"), ("2", "1")]
    assert df["tran_id"].tolist() == ["11415955596", "11366865406"] and df["amount"].tolist() == [1.0, 2.0]
    assert df.attrs["coverage"]["pages"] == 2 and df.attrs["coverage"]["complete"] is True


def test_universal_transfer_history_over_20_days_asks_windows_of_7_days(stubbed):
    client, stub = stubbed(lambda query: {"rows": [], "total": 0})
    client.get_universal_transfer_history("FUNDING_MAIN", start_time=START, end_time=START + 20 * DAY)
    assert windows(stub.asked) == [(START, START + 7 * DAY), (START + 7 * DAY, START + 14 * DAY),
                                   (START + 14 * DAY, START + 20 * DAY)]  # fmt: skip
    assert {q["type"] for q in stub.asked} == {"FUNDING_MAIN"}


def test_universal_transfer_history_needs_its_type(stubbed):
    client, stub = stubbed(lambda query: {"rows": [], "total": 0})
    with pytest.raises(ConfigurationError, match="needs transfer_type"):
        client.get_universal_transfer_history(None)  # type: ignore[arg-type]
    assert stub.asked == []


# --------------------------------------------------------------------------- funding wallet, dust log


def test_funding_assets_are_a_post_that_only_reads(wallet, cassette):
    client, sent = wallet
    assert ep.FUNDING_ASSETS.changes_state is False  # no confirm=True needed, retried like any read
    with cassette("binance/rest/get_funding_assets"):
        df = client.get_funding_assets("USDT", exact=True)
    assert list(df.columns) == ["asset", "free", "locked", "freeze", "withdrawing", "btc_valuation"]
    assert df["asset"].tolist() == ["USDT"]
    assert written(df, ["free", "locked", "freeze", "withdrawing", "btc_valuation"]) == [
        ["1"], ["0"], ["0"], ["0"], ["0.00000091"],
    ]  # fmt: skip
    (request,) = sent
    assert (request.method, urlsplit(request.url).path, request.body) == ("POST", "/sapi/v1/asset/get-funding-asset",
                                                                          None)  # fmt: skip
    assert signed(sent_query(request)) == {"asset": "USDT", "needBtcValuation": "true"}


def test_dust_log_reads_the_documented_example_and_its_totals_as_amounts(wallet, cassette):
    client, sent = wallet
    with cassette("binance/rest/get_dust_log"):
        df = client.get_dust_log(start_time="2021-03-01", end_time="2021-03-31", exact=True)
    assert list(df.columns) == [
        "operate_time", "trans_id", "from_asset", "amount", "transfered_amount", "service_charge_amount",
        "target_asset", "total_transfered_amount", "total_service_charge_amount",
    ]  # fmt: skip
    assert written(df, ["amount", "transfered_amount", "service_charge_amount", "total_transfered_amount",
                        "total_service_charge_amount"]) == [
        ["0.0009"], ["0.000441"], ["0.000009"], ["0.00132256"], ["0.00002699"],
    ]  # fmt: skip
    row = df.iloc[0]
    assert (row["trans_id"], row["from_asset"], row["target_asset"]) == ("4359321", "USDT", "BNB")
    assert str(df["operate_time"].dtype) == UTC and row["operate_time"] == pd.Timestamp(
        1615985535000, unit="ms", tz="UTC"
    )
    (request,) = sent
    assert urlsplit(request.url).path == "/sapi/v1/asset/dribblet"
    # No window and no paging ("the last 100 records"): the range goes as given.
    assert signed(sent_query(request)) == {"startTime": "1614556800000", "endTime": "1617148800000"}


def test_simple_earn_positions_are_what_the_earn_account_holds(wallet, cassette):
    client, sent = wallet
    with cassette("binance/rest/get_simple_earn_positions"):
        df = client.get_simple_earn_positions(exact=True)
    row = df.iloc[0]
    assert (row["asset"], row["product_id"], row["total_amount"]) == ("USDT", "USDT001", Decimal("75.46000000"))
    assert row["cumulative_total_rewards"] == Decimal("0.45459183") and bool(row["can_redeem"]) is True
    assert row["tier_annual_percentage_rate"] == {"0-5BTC": Decimal("0.05"), "5-10BTC": Decimal("0.03")}  # exact JSON
    assert df.attrs["coverage"]["account_types"] == ["earn"]
    assert signed(sent_query(sent[0])) == {"current": "1", "size": "100"}
