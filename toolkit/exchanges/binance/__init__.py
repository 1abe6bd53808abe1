"""Binance spot account over the WebSocket API: ``BinanceClient`` and its user data stream.

``auth`` signs requests, ``events`` turns stream events into frames, ``client`` holds the client,
``replay`` is the local transcript server used by the tests and by demo mode.
"""

from toolkit.exchanges.binance.client import PRODUCTION_URL, TESTNET_URL, BinanceClient, StreamWarning
from toolkit.exchanges.binance.events import UserDataSubscription

__all__ = ["PRODUCTION_URL", "TESTNET_URL", "BinanceClient", "StreamWarning", "UserDataSubscription"]
