"""Every Python block of the README runs as it stands, in demo mode, and gives frames from one account."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import toolkit as tk

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks() -> list[str]:
    return BLOCK.findall(README.read_text())


def test_the_readme_has_python_blocks_to_run():
    assert len(blocks()) >= 5
    assert blocks()[0].count("tk.demo()") == 1


def test_every_readme_block_runs_in_demo_mode(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the tour writes ledger.parquet and accounts.db
    namespace: dict = {}
    try:
        for number, code in enumerate(blocks(), 1):
            try:
                exec(compile(code, f"README.md python block {number}", "exec"), namespace)
            except Exception as exc:
                pytest.fail(f"README python block {number} raised {type(exc).__name__}: {exc}\n{code}")
    finally:
        for client in namespace.get("clients", {}).values():
            getattr(client, "close", lambda: None)()
        tk.demo(False)
    # The tour's frames come from the sandboxes' one account per exchange.
    ledger, balances = namespace["ledger"], namespace["balances"]
    assert set(ledger["exchange"]) == set(balances["exchange"]) == set(tk.EXCHANGES)
    assert set(namespace["fees"]["exchange"]) == set(tk.EXCHANGES)  # every exchange's fees, CoinW's too
    assert isinstance(namespace["bills"], pd.DataFrame) and namespace["bills"].attrs["coverage"]["complete"]
    assert "'path': '/api/v2/spot/wallet/withdrawal'" in capsys.readouterr().out  # what the refused call showed
    assert (tmp_path / "ledger.parquet").exists() and (tmp_path / "accounts.db").exists()
    # The export merged with the API's history: each event once, the year reconciled to the digit.
    merged, year = namespace["merged"], namespace["year"]
    assert {"api", "api+export:Account History.csv"} <= set(merged["source"])
    kucoin = merged[merged["exchange"] == "kucoin"]
    assert len(kucoin) == len(kucoin[kucoin["source"] == "api+export:Account History.csv"])  # all in both
    assert len(year) and (year["residual"] == 0).all()
