"""API credentials that never show their secrets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from toolkit.core.redact import register_secret
from toolkit.errors import ConfigurationError


@dataclass(frozen=True)
class Credentials:
    """An exchange API key with its secret and, for Bitget and KuCoin, its passphrase.

    ``repr`` and ``str`` show only the last four characters of the key and never the secret or
    passphrase. For Binance Ed25519 or RSA keys, ``api_secret`` holds the PEM private key.
    """

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("api_key", "api_secret"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"Credentials need a non-empty {name}.")
        if self.passphrase is not None and not isinstance(self.passphrase, str):
            raise ConfigurationError("Credentials.passphrase must be a string.")
        for value in (self.api_key, self.api_secret, self.passphrase):
            register_secret(value)

    def __repr__(self) -> str:
        passphrase = ", passphrase=***" if self.passphrase else ""
        return f"Credentials(api_key='…{self.api_key[-4:]}', api_secret=***{passphrase})"

    __str__ = __repr__

    @classmethod
    def from_env(cls, exchange: str) -> Credentials:
        """Read ``<EXCHANGE>_API_KEY``, ``<EXCHANGE>_API_SECRET`` and ``<EXCHANGE>_API_PASSPHRASE``."""
        prefix = exchange.upper()
        key = os.environ.get(f"{prefix}_API_KEY")
        secret = os.environ.get(f"{prefix}_API_SECRET")
        if not key or not secret:
            raise ConfigurationError(
                f"Set {prefix}_API_KEY and {prefix}_API_SECRET (and {prefix}_API_PASSPHRASE where "
                f"the exchange uses one) to read {exchange} credentials from the environment."
            )
        return cls(key, secret, os.environ.get(f"{prefix}_API_PASSPHRASE") or None)
