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
    sandbox="toolkit.exchanges.binance.sandbox:BinanceSandbox",
    transport="websocket",
    demo_profile={
        "funding": "spot",
        "trading": "spot",
        "trades_per_week": 2,
        "monthly_usdt": 400.0,
        "events": ("convert", "dust", "earn", "funding", "bnb_fees"),
        "sends": ((300, "coinw", "USDT", 100.0),),  # to the user's other exchanges (day, to, asset, amount)
    },
)

__all__ = ["EXCHANGE", "PRODUCTION_URL", "TESTNET_URL", "BinanceClient", "StreamWarning", "UserDataSubscription"]
