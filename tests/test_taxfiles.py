"""Tax files (``tk.export(ledger, path, format=...)``): each ledger shape gives the rows a tax engine
computes right, in every format; moves between the user's own exchanges are found
(``tk.unified.transfer_pairs``); and a real engine, BittyTax, reads the demo year's file."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk
from toolkit import unified
from toolkit.core.pairing import pair_moves
from toolkit.errors import ConfigurationError
from toolkit.taxfiles import EVENTS, TAX_COLUMNS, TaxFileWarning, tax_rows

D = Decimal
FORMATS = list(TAX_COLUMNS)
# Each format's (came, came asset, gone, gone asset, fee, fee asset) columns, by position.
SIDES = {
    "koinly": (3, 4, 1, 2, 5, 6),
    "cointracking": (1, 2, 3, 4, 5, 6),
    "cointracking-export": (1, 2, 3, 4, 5, 6),
    "bittytax": (1, 2, 4, 5, 7, 8),
}


def entry(time, id, asset, amount, fee="0", type="trade", account="spot", trade_id=None, exchange="binance", **rest):
    return {"exchange": exchange, "account": account, "time": pd.Timestamp(time, tz="UTC"), "id": id, "asset": asset,
            "amount": D(amount), "balance": None, "fee": D(fee), "fee_asset": asset, "type": type,
            "raw_type": rest.get("raw_type", type.upper()), "trade_id": trade_id}  # fmt: skip


def ledger_of(*entries):
    return unified.conform(pd.DataFrame(list(entries)), unified.LEDGER, exact=True)


def rows(ledger, format, **options):
    out = tax_rows(ledger, format, **options)
    return [list(row) for row in out.itertuples(index=False, name=None)]


def picked(ledger, format, **options):
    """Each row as (type, came, came asset, gone, gone asset, fee, fee asset); Koinly's type is its tag."""
    c, ca, g, ga, f, fa = SIDES[format]
    kind = 9 if format == "koinly" else 0
    return [(r[kind], r[c], r[ca], r[g], r[ga], r[f], r[fa]) for r in rows(ledger, format, **options)]


def moved(ledger, format, **options):
    """What the file's rows do to each asset's balance, exactly (the formats' fee rules applied)."""
    c, ca, g, ga, f, fa = SIDES[format]
    total: dict[str, Decimal] = {}
    for r in rows(ledger, format, **options):
        for asset, amount, sign in ((r[ca], r[c], 1), (r[ga], r[g], -1), (r[fa], r[f], -1)):
            if amount and not (format == "cointracking" and sign == -1 and asset == r[fa] and amount == r[f]
                               and asset in (r[ca], r[ga])):  # fmt: skip
                total[asset] = total.get(asset, D(0)) + sign * D(amount)
    return total


def booked(ledger):
    return {a: sum(g, D(0)) for a, g in ledger.groupby("asset")["amount"]}


# --------------------------------------------------------------------------- the repro shapes


def test_a_fee_paid_in_a_third_asset_is_the_trades_fee():
    ledger = ledger_of(
        entry("2025-03-01 10:00", "trade:7:BTC", "BTC", "0.01", trade_id="7"),
        entry("2025-03-01 10:00", "trade:7:USDT", "USDT", "-500", trade_id="7"),
        entry("2025-03-01 10:00", "fee:7", "BNB", "-0.0005", fee="0.0005", type="fee", trade_id="7"),
    )
    for format in ("koinly", "cointracking-export", "bittytax"):
        assert picked(ledger, format) == [(EVENTS["trade"][format], "0.01", "BTC", "500", "USDT", "0.0005", "BNB")]
    assert picked(ledger, "cointracking") == [  # its fee is inside the amounts: a third-asset fee is a row
        ("Trade", "0.01", "BTC", "500", "USDT", "", ""),
        ("Other Fee", "", "", "0.0005", "BNB", "", ""),
    ]
    for format in FORMATS:
        assert moved(ledger, format) == booked(ledger), format


def test_two_fills_in_one_second_and_a_buy_and_a_sell_in_one_second_are_each_a_trade():
    ledger = ledger_of(
        entry("2025-03-01 10:00", "a1", "BTC", "0.01", trade_id="1"),
        entry("2025-03-01 10:00", "a2", "USDT", "-500", trade_id="1"),
        entry("2025-03-01 10:00", "b1", "ETH", "0.2", trade_id="2"),
        entry("2025-03-01 10:00", "b2", "USDT", "-600", trade_id="2"),
        entry("2025-03-02 10:00", "c1", "BTC", "0.1", trade_id="3"),
        entry("2025-03-02 10:00", "c2", "USDT", "-9000", trade_id="3"),
        entry("2025-03-02 10:00", "d1", "BTC", "-0.1", trade_id="4"),
        entry("2025-03-02 10:00", "d2", "USDT", "9010", trade_id="4"),
    )
    assert picked(ledger, "bittytax") == [
        ("Trade", "0.01", "BTC", "500", "USDT", "", ""),
        ("Trade", "0.2", "ETH", "600", "USDT", "", ""),
        ("Trade", "0.1", "BTC", "9000", "USDT", "", ""),
        ("Trade", "9010", "USDT", "0.1", "BTC", "", ""),
    ]
    for format in FORMATS:
        assert [r[0] for r in picked(ledger, format)] == [EVENTS["trade"][format]] * 4


def test_legs_without_a_trade_id_pair_only_when_one_given_and_one_received():
    one = ledger_of(entry("2025-03-01 10:00", "x1", "BTC", "0.01", exchange="bitget"),
                    entry("2025-03-01 10:00", "x2", "USDT", "-500", exchange="bitget"))  # fmt: skip
    assert picked(one, "bittytax") == [("Trade", "0.01", "BTC", "500", "USDT", "", "")]
    three = ledger_of(entry("2025-03-01 10:00", "x1", "BTC", "0.01", exchange="bitget"),
                      entry("2025-03-01 10:00", "x2", "ETH", "0.2", exchange="bitget"),
                      entry("2025-03-01 10:00", "x3", "USDT", "-1100", exchange="bitget"))  # fmt: skip
    with pytest.warns(TaxFileWarning, match=r"bitget spot .*1 assets given and 2 received in one second without"):
        written = picked(three, "bittytax")
    assert [r[0] for r in written] == ["Spend", "Gift-Received", "Gift-Received"]
    for format in FORMATS:
        with pytest.warns(TaxFileWarning):
            assert moved(three, format) == booked(three)


def test_rewards_airdrops_rebates_and_unclassified_entries_are_income_not_deposits():
    ledger = ledger_of(
        entry("2025-03-01", "r", "USDT", "0.5", type="reward", account="main", exchange="kucoin"),
        entry("2025-03-02", "a", "ETH", "0.002", type="airdrop", account="main", exchange="kucoin"),
        entry("2025-03-03", "b", "USDT", "0.1", type="rebate", account="trade", exchange="kucoin"),
        entry("2025-03-04", "f", "USDT", "0.2", type="fee", account="trade", exchange="kucoin"),  # a fee paid back
        entry("2025-03-05", "k", "KCS", "-0.01", type="fee", account="trade", exchange="kucoin"),
    )
    assert picked(ledger, "bittytax") == [
        ("Income", "0.5", "USDT", "", "", "", ""), ("Airdrop", "0.002", "ETH", "", "", "", ""),
        ("Fee-Rebate", "0.1", "USDT", "", "", "", ""), ("Fee-Rebate", "0.2", "USDT", "", "", "", ""),
        ("Spend", "", "", "0.01", "KCS", "", ""),
    ]  # fmt: skip
    assert [r[0] for r in picked(ledger, "koinly")] == ["Reward", "Airdrop", "Fee refund", "Fee refund", "Cost"]
    assert [r[0] for r in picked(ledger, "cointracking")] == ["Income", "Airdrop", "Reward / Bonus",
                                                              "Reward / Bonus", "Other Fee"]  # fmt: skip
    for format in FORMATS:
        assert moved(ledger, format) == booked(ledger), format


def test_a_transfer_whose_other_side_is_not_read_stays_in_the_file():
    ledger = ledger_of(
        entry("2025-03-01", "d", "USDT", "1000", type="deposit", account="main", exchange="kucoin"),
        entry("2025-03-02", "t1", "USDT", "-400", type="transfer", account="main", exchange="kucoin",
              raw_type="Sub-account transfer"),  # to a sub-account the ledger does not hold
        entry("2025-03-03", "t2", "USDT", "-100", type="transfer", account="main", exchange="kucoin"),
        entry("2025-03-03", "t3", "USDT", "100", type="transfer", account="trade", exchange="kucoin"),
    )  # fmt: skip
    bitty = rows(ledger, "bittytax")
    assert [(r[0], r[4] or r[1], r[10]) for r in bitty] == [
        ("Gift-Received", "1000", "KuCoin main"), ("Withdrawal", "400", "KuCoin main"),
        ("Withdrawal", "100", "KuCoin main"), ("Deposit", "100", "KuCoin trade")]  # fmt: skip
    assert "an account of kucoin the ledger does not hold (Sub-account transfer)" in bitty[1][12]
    for format in ("koinly", "cointracking", "cointracking-export"):  # the wallet is KuCoin: its own move left out
        written = picked(ledger, format)
        assert len(written) == 2 and written[1][3:5] == ("400", "USDT"), format
    for format in FORMATS:
        assert moved(ledger, format) == booked(ledger), format


def test_amounts_keep_every_digit_and_nothing_is_written_for_nothing():
    ledger = ledger_of(
        entry("2025-03-01", "d", "USDT", "67839.54926256", type="deposit"),
        entry("2025-03-02", "t1", "BTC", "0.0000000000004", trade_id="1"),
        entry("2025-03-02", "t2", "USDT", "-0.00000002", trade_id="1"),
        entry("2025-03-03", "z", "ETH", "0", type="deposit"),  # moves nothing
        entry("2025-03-04", "w", "USDT", "-18765.13210987", fee="1.00000001", type="withdrawal"),
    )
    for format in FORMATS:
        cells = [cell for row in rows(ledger, format) for cell in row]
        assert "67839.54926256" in cells and "0.0000000000004" in cells and "0.00000002" in cells, format
        assert not any(re.search(r"\de[-+]?\d", cell, re.I) for cell in cells if cell), format  # no exponent
        assert len(rows(ledger, format)) == 3, format
    assert picked(ledger, "bittytax")[-1] == ("Spend", "", "", "18764.13210986", "USDT", "1.00000001", "USDT")
    assert picked(ledger, "cointracking")[-1] == ("Withdrawal", "", "", "18765.13210987", "USDT", "1.00000001", "USDT")


def test_both_legs_paying_a_fee_keep_both_fees():
    ledger = ledger_of(
        entry("2025-03-01", "a", "BTC", "0.00999", fee="0.00001", trade_id="9"),
        entry("2025-03-01", "b", "USDT", "-500.5", fee="0.5", trade_id="9"),
    )
    assert picked(ledger, "bittytax") == [
        ("Trade", "0.01", "BTC", "500", "USDT", "0.00001", "BTC"),
        ("Spend", "", "", "0.5", "USDT", "", ""),
    ]
    for format in FORMATS:
        assert moved(ledger, format) == booked(ledger), format


def test_a_float_ledger_is_written_with_a_warning():
    floats = unified.conform(ledger_of(entry("2025-03-01", "d", "USDT", "1.5", type="deposit")), unified.LEDGER)
    with pytest.warns(TaxFileWarning, match=r"exact=True"):
        assert picked(floats, "bittytax") == [("Gift-Received", "1.5", "USDT", "", "", "", "")]


def test_a_tax_format_needs_a_ledger_a_known_name_and_a_csv(tmp_path):
    ledger = ledger_of(entry("2025-03-01", "d", "USDT", "1", type="deposit"))
    with pytest.raises(ConfigurationError, match="format must be one of koinly, cointracking, cointracking-export"):
        tax_rows(ledger, "turbotax")
    with pytest.raises(ConfigurationError, match=r"unified.ledger.*lacks \['account', 'id'"):
        tax_rows(ledger.drop(columns=["account", "id"]), "koinly")
    with pytest.raises(ConfigurationError, match="unmatched is one of outside, transfer"):
        tax_rows(ledger, "bittytax", unmatched="gift")
    with pytest.raises(ConfigurationError, match="is CSV"):
        tk.export(ledger, tmp_path / "k.xlsx", format="koinly")


# --------------------------------------------------------------------------- moves between own exchanges


def moves(*rows):
    columns = list(unified.TRANSACTIONS)
    frame = pd.DataFrame([dict(zip(columns, r, strict=True)) for r in rows], columns=columns)
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    return unified.conform(frame, unified.TRANSACTIONS, exact=True)


def tx(exchange, time, id, amount, fee="0", txid=None, asset="USDT", account="spot"):
    return (exchange, account, time, id, asset, D(amount), D(fee), asset, "trc20", "T...", txid, "success")


def test_pairs_by_txid_then_by_amount_and_time():
    out = moves(
        tx("kucoin", "2025-03-01 07:10", "w1", "200", "1", "abc", account="main"),  # txid
        tx("bitget", "2025-03-02 07:10", "w2", "150", "1", None),  # no txid: amount less its fee, 2 hours on
        tx("bitget", "2025-03-03 07:10", "w3", "90", "1", "one"),  # txids differ: not one move
        tx("bitget", "2025-03-04 07:10", "w4", "80", "1", None),  # arrives after 13 hours: not this one
        tx("binance", "2025-03-05 07:10", "w5", "70", "1", None),  # to outside
    )
    into = moves(
        tx("binance", "2025-03-01 07:30", "d1", "200", txid="abc"),
        tx("kucoin", "2025-03-02 09:10", "d2", "149", account="main"),
        tx("kucoin", "2025-03-03 07:20", "d3", "90", txid="two", account="main"),
        tx("kucoin", "2025-03-04 20:20", "d4", "80", account="main"),
        tx("binance", "2025-03-05 07:20", "d5", "70"),  # the same account: not a move between two
    )
    pairs = pair_moves(into, out, exact=True)
    matched = pairs[pairs["matched_by"] != ""]
    assert matched[["withdrawal_id", "deposit_id", "matched_by", "to_exchange"]].values.tolist() == [
        ["w1", "d1", "txid", "binance"], ["w2", "d2", "amount and time", "kucoin"]]  # fmt: skip
    assert matched["txid"].tolist() == ["abc", ""]
    assert sorted(pairs.loc[pairs["matched_by"] == "", "withdrawal_id"].dropna()) == ["w3", "w4", "w5"]
    assert sorted(pairs.loc[pairs["matched_by"] == "", "deposit_id"].dropna()) == ["d3", "d4", "d5"]
    assert list(pairs.columns) == list(unified.PAIRS) and pairs["sent_amount"].iloc[0] == D("200")


def test_paired_moves_are_transfers_in_the_files_and_the_rest_is_not():
    ledger = ledger_of(
        entry("2025-03-01 07:10", "kw", "USDT", "-201", fee="1", type="withdrawal", account="main", exchange="kucoin"),
        entry("2025-03-01 07:30", "bd", "USDT", "200", type="deposit", exchange="binance"),
        entry("2025-03-05 07:10", "bw", "USDT", "-71", fee="1", type="withdrawal", exchange="binance"),
    )  # fmt: skip
    pairs = pair_moves(
        moves(tx("binance", "2025-03-01 07:30", "d1", "200", txid="abc")),
        moves(
            tx("kucoin", "2025-03-01 07:10", "w1", "200", "1", "abc", account="main"),
            tx("binance", "2025-03-05 07:10", "w5", "70", "1", "def"),
        ),
        exact=True,
    )
    bitty = rows(ledger, "bittytax", transfers=pairs)
    assert [(r[0], r[4] or r[1], r[7]) for r in bitty] == [("Withdrawal", "200", "1"), ("Deposit", "200", ""),
                                                           ("Spend", "70", "1")]  # fmt: skip
    assert bitty[0][12].startswith("txid abc") and bitty[2][12].startswith("txid def")
    koinly = rows(ledger, "koinly", transfers=pairs)
    assert [r[11] for r in koinly] == ["abc", "abc", "def"]  # TxHash: the chain's
    assert koinly[0][0] == "2025-03-01 07:10:00 UTC"
    assert [r[11] for r in rows(ledger, "cointracking", transfers=pairs)] == ["abc", "abc", "def"]
    as_own = rows(ledger, "bittytax", transfers=pairs, unmatched="transfer")
    assert [r[0] for r in as_own] == ["Withdrawal", "Deposit", "Withdrawal"]
    assert [r[0] for r in rows(ledger, "bittytax")] == ["Spend", "Gift-Received", "Spend"]  # nothing paired


def test_koinly_gets_one_file_per_exchange(tmp_path):
    ledger = ledger_of(entry("2025-03-01", "a", "USDT", "1", type="deposit", exchange="kucoin"),
                       entry("2025-03-01", "b", "USDT", "2", type="deposit", exchange="binance"))  # fmt: skip
    paths = tk.export(ledger, tmp_path / "koinly.csv", format="koinly")
    assert [p.name for p in paths] == ["koinly-binance.csv", "koinly-kucoin.csv"]
    assert pd.read_csv(paths[0], dtype=str)["Received Amount"].tolist() == ["2"]
    one = tk.export(ledger[ledger["exchange"] == "kucoin"], tmp_path / "kucoin.csv", format="koinly")
    assert one == tmp_path / "kucoin.csv"


def read_as_rotki(text: str) -> list[dict[str, str]]:
    """CoinTracking's trade-list export as rotki's importer reads it (rotkehlchen/data_import/importers/
    cointracking.py, as docs/reference-additions.md records): the header on the first row, the three
    "Cur." columns taken by position, as many fields as the header, dates %d.%m.%Y %H:%M:%S, and only
    the types it handles."""
    reader = csv.reader(io.StringIO(text), delimiter=",", quotechar='"')
    header = next(reader)
    assert header == ["Type", "Buy", "Cur.", "Sell", "Cur.", "Fee", "Cur.", "Exchange", "Group", "Comment", "Date"]
    out = []
    for row in reader:
        assert len(row) == len(header)
        record = dict(zip(["type", "buy", "buy_asset", "sell", "sell_asset", "fee", "fee_asset", "exchange", "group",
                           "comment", "date"], row, strict=True))  # fmt: skip
        assert record["type"] in {"Trade", "Gift/Tip", "Income", "Deposit", "Withdrawal", "Staking"}
        datetime.strptime(record["date"], "%d.%m.%Y %H:%M:%S")
        if record["type"] == "Trade":
            assert D(record["buy"]) > 0 and record["sell_asset"]
        out.append(record)
    return out


def test_the_cointracking_export_layout_reads_as_rotki_reads_it(tmp_path):
    ledger = ledger_of(
        entry("2025-03-01 10:00", "d", "USDT", "1000", type="deposit", exchange="kucoin", account="main"),
        entry("2025-03-02 10:00", "a", "BTC", "0.01", trade_id="1", exchange="kucoin", account="main"),
        entry("2025-03-02 10:00", "b", "USDT", "-500.5", fee="0.5", trade_id="1", exchange="kucoin", account="main"),
        entry("2025-03-03 10:00", "r", "USDT", "0.5", type="reward", exchange="kucoin", account="main"),
        entry("2025-03-04 10:00", "k", "KCS", "-0.1", type="fee", exchange="kucoin", account="main"),
    )  # fmt: skip
    path = tk.export(ledger, tmp_path / "ct.csv", format="cointracking-export")
    text = path.read_text()
    assert text.splitlines()[1].startswith('"Deposit","1000","USDT"')  # every field quoted
    read = read_as_rotki(text)
    assert [(r["type"], r["buy"], r["sell"], r["fee"], r["exchange"], r["date"]) for r in read] == [
        ("Deposit", "1000", "", "", "KuCoin", "01.03.2025 10:00:00"),
        ("Trade", "0.01", "500", "0.5", "KuCoin", "02.03.2025 10:00:00"),
        ("Income", "0.5", "", "", "KuCoin", "03.03.2025 10:00:00"),
        ("Withdrawal", "", "0.1", "", "KuCoin", "04.03.2025 10:00:00"),
    ]


# --------------------------------------------------------------------------- the demo year, exact and paired


@pytest.fixture(scope="module")
def demo_year():
    tk.demo()
    try:
        clients = {name: tk.connect(name, progress=False) for name in tk.EXCHANGES}
        start = pd.Timestamp(tk.demo_mode.PERIOD[0], tz="UTC") - pd.Timedelta(days=1)
        yield {
            "clients": clients,
            "ledger": unified.ledger(clients, start, exact=True),
            "balances": unified.balances(clients, exact=True),
            "pairs": unified.transfer_pairs(clients, start, exact=True),
        }
    finally:
        tk.demo(False)


def test_the_exact_ledger_is_the_raw_frames_digits(demo_year):
    ledger = demo_year["ledger"]
    kucoin = demo_year["clients"]["kucoin"]
    start = ledger["time"].min()
    raw = kucoin.get_account_ledgers(start_time=start, exact=True)
    ours = ledger[ledger["exchange"] == "kucoin"].set_index("id")["amount"]
    for row in raw.itertuples():
        assert isinstance(ours[row.id], Decimal)
        assert ours[row.id] == (row.amount if row.direction == "in" else -row.amount)
    assert all(isinstance(v, Decimal) for v in ledger["amount"])


def test_the_demo_moves_between_exchanges_are_paired_by_txid(demo_year):
    pairs = demo_year["pairs"]
    matched = pairs[pairs["matched_by"] != ""]
    assert matched[["from_exchange", "to_exchange", "sent_amount", "matched_by"]].values.tolist() == [
        ["kucoin", "binance", D("200.0"), "txid"], ["bitget", "kucoin", D("150.0"), "txid"],
        ["binance", "coinw", D("100.0"), "txid"]]  # fmt: skip
    assert (matched["sent"] < matched["received"]).all() and matched["txid"].str.len().eq(64).all()


@pytest.mark.parametrize("format", FORMATS)
def test_every_file_of_the_demo_year_moves_each_balance_as_the_exact_ledger(demo_year, format):
    ledger = demo_year["ledger"]
    written = moved(ledger, format, transfers=demo_year["pairs"])
    assert {a: v for a, v in written.items() if v} == {a: v for a, v in booked(ledger).items() if v}


def bittytax() -> Path:
    found = Path(sys.executable).with_name("bittytax")
    if not found.exists():
        pytest.skip("bittytax is not installed (pip install -e '.[test]' installs it)")
    return found


def run_bittytax(*args: str, home: Path, cwd: Path) -> str:
    """BittyTax's output; it exits 0 even when it fails, so the caller reads what it printed."""
    done = subprocess.run([str(bittytax()), *args], cwd=cwd, env={**os.environ, "HOME": str(home), "NO_COLOR": "1"},
                          capture_output=True, text=True, timeout=120, check=False)  # fmt: skip
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


@pytest.mark.bittytax
def test_bittytax_audits_the_demo_year_to_the_balances_and_computes_its_tax(demo_year, tmp_path):
    path = tk.export(demo_year["ledger"], tmp_path / "records.csv", format="bittytax", transfers=demo_year["pairs"])
    home = tmp_path / "home"
    (home / ".bittytax").mkdir(parents=True)
    # No price source: this machine has no network, and BittyTax asks them at start-up otherwise.
    (home / ".bittytax" / "bittytax.conf").write_text("data_source_fiat: []\ndata_source_crypto: []\n")
    audit = run_bittytax(str(path), "--audit", "--nopdf", home=home, cwd=tmp_path)
    assert re.search(r"import successful \(success=\d+, failure=0\)", audit), audit[-2000:]
    assert "Transfers mismatch" not in audit and "is negative" not in audit
    held: dict[tuple[str, str], Decimal] = {}
    for wallet, asset, balance in re.findall(r"^(\S+) \S+\s+([A-Z]+)\s+(-?[\d,.]+)$", audit, re.M):
        held[(wallet.lower(), asset)] = held.get((wallet.lower(), asset), D(0)) + D(balance.replace(",", ""))
    balances = demo_year["balances"].groupby(["exchange", "asset"])["total"].sum()
    expected = {key: value for key, value in balances.items() if value}
    assert {key: value for key, value in held.items() if value} == expected
    report = run_bittytax(str(path), "--nopdf", home=home, cwd=tmp_path)
    assert "integrity check: passed" in report, report[-3000:]
    assert re.search(r"Capital Gains", report) and "Traceback" not in report
