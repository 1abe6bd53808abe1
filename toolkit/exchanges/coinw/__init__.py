"""CoinW spot account: ``POST /api/v1/private?command=<command>``, MD5-signed: ``CoinWClient``."""

from toolkit.core.exchange import Exchange, mappings
from toolkit.exchanges.coinw import unified
from toolkit.exchanges.coinw.auth import sign
from toolkit.exchanges.coinw.client import CoinWClient

EXCHANGE = Exchange(
    id="coinw",
    label="CoinW",
    client=CoinWClient,
    unified=mappings(unified),
    sandbox="toolkit.exchanges.coinw.sandbox:CoinWApp",
    demo_profile={
        "funding": "spot",
        "trading": "spot",
        "trades_per_week": 1,
        "monthly_usdt": 200.0,
        "fees_in_quote": True,
    },
)

__all__ = ["EXCHANGE", "CoinWClient", "sign"]
