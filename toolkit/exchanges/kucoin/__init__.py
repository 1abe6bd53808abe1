"""KuCoin spot account REST (classic account, margin, wallet).

The seed names several endpoints KuCoin has deprecated; each method keeps the seed's name and
parameters and calls the current endpoint of KuCoin's OpenAPI spec (kucoin-universal-sdk):
v3 deposit addresses, v3 withdrawals, universal transfer, v3 margin accounts, v2 sub-users.
Docs: https://www.kucoin.com/docs-new/ (endpoint ids in each ``Endpoint.docs``).
"""

from __future__ import annotations

from toolkit.exchanges.kucoin.auth import sign
from toolkit.exchanges.kucoin.client import KucoinClient
from toolkit.exchanges.kucoin.endpoints import ERRORS

__all__ = ["ERRORS", "KucoinClient", "sign"]
