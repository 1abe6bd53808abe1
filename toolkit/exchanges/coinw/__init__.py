"""CoinW spot account: ``POST /api/v1/private?command=<command>``, MD5-signed: ``CoinWClient``."""

from toolkit.core.exchange import Exchange, mappings
from toolkit.exchanges.coinw import unified
from toolkit.exchanges.coinw.auth import sign
from toolkit.exchanges.coinw.client import CoinWClient

EXCHANGE = Exchange(id="coinw", label="CoinW", client=CoinWClient, unified=mappings(unified))

__all__ = ["EXCHANGE", "CoinWClient", "sign"]
