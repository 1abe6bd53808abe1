"""KuCoin spot account REST (classic account, margin, wallet): ``KucoinClient``.

The seed names several endpoints KuCoin has deprecated; each method keeps the seed's name and
parameters and calls the current endpoint of KuCoin's OpenAPI spec (kucoin-universal-sdk):
v3 deposit addresses, v3 withdrawals, universal transfer, v3 margin accounts, v2 sub-users.
Docs: https://www.kucoin.com/docs-new/ (endpoint ids in each ``Endpoint.docs``).
"""

from toolkit.core.exchange import Exchange, mappings
from toolkit.exchanges.kucoin import unified
from toolkit.exchanges.kucoin.auth import sign
from toolkit.exchanges.kucoin.client import KucoinClient
from toolkit.exchanges.kucoin.errors import ERRORS

EXCHANGE = Exchange(
    id="kucoin",
    label="KuCoin",
    client=KucoinClient,
    passphrase=True,
    unified=mappings(unified),
    exports=unified.EXPORTS,
    sandbox="toolkit.exchanges.kucoin.sandbox:KucoinApp",
    demo_profile={
        "funding": "main",
        "trading": "trade",
        "trades_per_week": 2,
        "monthly_usdt": 300.0,
        "events": ("rewards", "rebates", "airdrop"),
        # The accounts of its other models: the unified trading account (a funding account beside
        # the unified one) and the high-frequency (HF) trade account (trades there, beside main).
        "models": {
            "unified": {"funding": "funding", "trading": "unified"},
            "hf": {"funding": "main", "trading": "trade_hf"},
        },
        "sends": ((120, "binance", "USDT", 200.0),),  # to the user's other exchanges (day, to, asset, amount)
    },
    newer_model="unified",
)

__all__ = ["ERRORS", "EXCHANGE", "KucoinClient", "sign"]
