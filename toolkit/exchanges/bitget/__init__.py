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
    sandbox="toolkit.exchanges.bitget.sandbox:BitgetApp",
    demo_profile={
        "funding": "spot",
        "trading": "spot",
        "trades_per_week": 3,
        "monthly_usdt": 500.0,
        "events": ("rebates", "airdrop"),
        "sends": ((200, "kucoin", "USDT", 150.0),),  # to the user's other exchanges (day, to, asset, amount)
    },
    newer_model="unified",
)

__all__ = ["EXCHANGE", "BitgetClient"]
