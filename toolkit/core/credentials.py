"""API credentials that never show their secrets."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from toolkit.core.redact import register_secret
from toolkit.errors import ConfigurationError


@dataclass(frozen=True)
class Credentials:
    """An exchange API key with its secret and, where the exchange uses one, its passphrase.

    ``repr`` and ``str`` show only the last four characters of the key and never the secret or
    passphrase. For Binance Ed25519 or RSA keys, ``api_secret`` holds the PEM private key.
    Surrounding whitespace (a pasted newline) is removed; an empty passphrase means none.
    """

    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    passphrase: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("api_key", "api_secret", "passphrase"):
            value = getattr(self, name)
            if value is None and name == "passphrase":
                continue
            if not isinstance(value, str):
                raise ConfigurationError(f"Credentials.{name} must be a string.")
            # A pasted value often ends in a newline; sent in a header, requests would refuse it
            # with an error message that quotes the value.
            object.__setattr__(self, name, value.strip())
        for name in ("api_key", "api_secret"):
            if not getattr(self, name):
                raise ConfigurationError(f"Credentials need a non-empty {name}.")
        if not self.passphrase:
            object.__setattr__(self, "passphrase", None)
        for name in ("api_key", "passphrase"):
            value = getattr(self, name)
            if value is not None and not value.isprintable():
                raise ConfigurationError(
                    f"Credentials.{name} contains a line break or control character; copy it again from the exchange."
                )
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
