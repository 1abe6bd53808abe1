"""Binance spot account over the WebSocket API: ``BinanceClient`` and its user data stream.

``auth`` signs requests, ``endpoints`` declares the methods, ``events`` turns stream events into
frames, ``client`` holds the client.
"""

from toolkit.core.exchange import Exchange, mappings
from toolkit.exchanges.binance import unified
from toolkit.exchanges.binance.client import PRODUCTION_URL, TESTNET_URL, BinanceClient, StreamWarning
from toolkit.exchanges.binance.events import UserDataSubscription

EXCHANGE = Exchange(
    id="binance",
    label="Binance",
    client=BinanceClient,
    unified=mappings(unified),
    exports=unified.EXPORTS,
)

__all__ = ["EXCHANGE", "PRODUCTION_URL", "TESTNET_URL", "BinanceClient", "StreamWarning", "UserDataSubscription"]
