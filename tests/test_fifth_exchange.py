"""Adding an exchange is one folder and one registry line (the README's walkthrough), checked: a
copy of CoinW's folder under a new id, registered with one line and nothing else, is connected
to, served by its own stand-in (over its own fictional account: the demo accounts are seeded by
exchange id), read through the unified view and reconciled to the digit, as CoinW itself is.
Anything outside the folder that knew CoinW by name would make the copy fail or differ."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import toolkit as tk
from toolkit import sandbox
from toolkit.core.ratelimit import SkippingClock
from toolkit.exchanges import REGISTRY, descriptor

FOLDER = Path(__file__).resolve().parents[1] / "toolkit" / "exchanges" / "coinw"
NEW = "fifthex"


@pytest.fixture
def fifth(tmp_path, monkeypatch):
    """CoinW's folder copied as the package ``fifthex``: its own imports, id and label renamed."""
    package = tmp_path / NEW
    package.mkdir()
    for path in FOLDER.glob("*.py"):
        text = path.read_text().replace("toolkit.exchanges.coinw", NEW).replace('"coinw"', f'"{NEW}"')
        (package / path.name).write_text(text.replace('label="CoinW"', 'label="FifthEx"'))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(REGISTRY, NEW, NEW)  # the one registry line
    yield NEW
    for name in [m for m in sys.modules if m == NEW or m.startswith(f"{NEW}.")]:
        del sys.modules[name]


def _read(exchange: str) -> dict:
    clock = SkippingClock()
    boxes = sandbox.start([exchange], lifetime=120, clock=clock)
    try:
        client = tk.connect(exchange, **boxes.connect_options(exchange), sync_clock=False)
        client.wait_on(clock.monotonic, clock.sleep)
        start, end = boxes.account(exchange).entries[0].time, boxes.account(exchange).entries[-1].time
        ledger = tk.unified.ledger([client], start, end)
        balances = tk.unified.balances([client])
        residual = tk.reconcile([client], start, end)
        held = {asset: boxes.account(exchange).balance("spot", asset) for asset in balances["asset"]}
        return {"ledger": ledger, "balances": balances, "residual": residual, "held": held,
                "client": type(client).__name__}  # fmt: skip
    finally:
        boxes.stop()


def test_a_fifth_exchange_is_one_folder_and_one_registry_line(fifth):
    assert descriptor(fifth).label == "FifthEx"
    copy, original = _read(fifth), _read("coinw")
    assert copy["client"] == original["client"] == "CoinWClient"
    assert set(copy["ledger"]["exchange"]) == {fifth}
    assert len(copy["ledger"]) > 50
    assert copy["ledger"].dtypes.drop("exchange").equals(original["ledger"].dtypes.drop("exchange"))
    assert set(copy["ledger"]["type"]) == set(original["ledger"]["type"])
    for read in (copy, original):
        assert read["balances"].set_index("asset")["total"].to_dict() == pytest.approx(read["held"], abs=1e-12)
        assert len(read["residual"]) and (read["residual"]["residual"] == 0).all(), read["residual"]
    assert set(copy["residual"]["exchange"]) == {fifth}
