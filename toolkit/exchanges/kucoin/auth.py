"""KuCoin request signing (KU-OLD "Signing a Message", docs-new /authentication)."""

from __future__ import annotations

from typing import Any

from toolkit.core.client import Signer
from toolkit.core.credentials import Credentials
from toolkit.core.http import Call, param_text
from toolkit.core.redact import register_secret
from toolkit.core.signing import hmac_sha256_b64
from toolkit.errors import ConfigurationError

# Versions 2 and 3 both send the passphrase as base64 HMAC-SHA256 of it, keyed with the secret.
KEY_VERSIONS = ("2", "3")


def sign(secret: str, timestamp: str, call: Call) -> str:
    """``KC-API-SIGN``: base64 HMAC-SHA256 of timestamp + method + path with query + body.

    KuCoin signs the query as written before URL-encoding (``a=b,c``), not as sent (``a=b%2Cc``).
    """
    query = "&".join(f"{k}={param_text(v)}" for k, v in call.params)
    path = call.path + ("?" + query if call.params else "")
    return hmac_sha256_b64(secret, timestamp + call.method + path + (call.body or ""))


def passphrase_header(secret: str, passphrase: str) -> str:
    """``KC-API-PASSPHRASE`` for key versions 2 and 3 (version 1 sent the passphrase in plain text)."""
    return hmac_sha256_b64(secret, passphrase)


class KucoinAuth(Signer):
    """KuCoin's five headers: key, signature, timestamp, signed passphrase, key version."""

    secret_headers = ("KC-API-KEY", "KC-API-SIGN", "KC-API-PASSPHRASE", "KC-API-PARTNER-SIGN")
    volatile_headers = ("KC-API-TIMESTAMP",)

    def __init__(self, credentials: Credentials, *, key_version: str = "3", **options: Any) -> None:
        super().__init__(credentials)
        self.key_version = key_version
        # The signed passphrase is the same on every request: as secret as the passphrase itself.
        self.passphrase_header = passphrase_header(credentials.api_secret, credentials.passphrase or "")
        register_secret(self.passphrase_header)

    def sign(self, call: Call, timestamp_ms: int) -> None:
        creds = self.credentials
        if not creds.passphrase:
            raise ConfigurationError("KuCoin credentials need the passphrase set when the key was created.")
        timestamp = str(timestamp_ms)
        call.headers.update(
            {
                "KC-API-KEY": creds.api_key,
                "KC-API-SIGN": sign(creds.api_secret, timestamp, call),
                "KC-API-TIMESTAMP": timestamp,
                "KC-API-PASSPHRASE": self.passphrase_header,
                "KC-API-KEY-VERSION": self.key_version,
                "Content-Type": "application/json",
            }
        )
