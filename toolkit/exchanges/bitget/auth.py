"""Bitget request signing (reference sheet 1.2): HMAC-SHA256 or RSA over timestamp + method + path + body."""

from __future__ import annotations

from toolkit.core.client import Signer
from toolkit.core.http import Call
from toolkit.core.signing import hmac_sha256_b64, is_pem, pem_signature_b64
from toolkit.errors import ConfigurationError


class BitgetAuth(Signer):
    """``ACCESS-SIGN``: base64 HMAC-SHA256 (or SHA256withRSA for a PEM key) of
    ``timestamp + METHOD + path?query + body``, with key, timestamp and passphrase headers."""

    secret_headers = ("ACCESS-KEY", "ACCESS-SIGN", "ACCESS-PASSPHRASE")
    volatile_headers = ("ACCESS-TIMESTAMP",)

    def sign(self, call: Call, timestamp_ms: int) -> None:
        creds = self.credentials
        if not creds.passphrase:
            raise ConfigurationError("Bitget credentials need the passphrase set when the key was created.")
        timestamp = str(timestamp_ms)
        prehash = timestamp + call.method + call.path_with_query + (call.body or "")
        secret = creds.api_secret
        signature = pem_signature_b64(secret, prehash) if is_pem(secret) else hmac_sha256_b64(secret, prehash)
        call.headers.update(
            {
                "ACCESS-KEY": creds.api_key,
                "ACCESS-SIGN": signature,
                "ACCESS-TIMESTAMP": timestamp,
                "ACCESS-PASSPHRASE": creds.passphrase,
                "Content-Type": "application/json",
                "locale": "en-US",
            }
        )
