"""Bitget spot account, API v2: ``BitgetClient``."""

from toolkit.core.exchange import Exchange, mappings
from toolkit.exchanges.bitget import unified
from toolkit.exchanges.bitget.client import BitgetClient

EXCHANGE = Exchange(
    id="bitget",
    label="Bitget",
    client=BitgetClient,
    passphrase=True,
    unified=mappings(unified),
    exports=unified.EXPORTS,
)

__all__ = ["EXCHANGE", "BitgetClient"]
