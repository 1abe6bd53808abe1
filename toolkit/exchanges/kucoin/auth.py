"""KuCoin request signing (KU-OLD "Signing a Message", docs-new /authentication)."""

from __future__ import annotations

from toolkit.core.http import Call
from toolkit.core.signing import hmac_sha256_b64

# Versions 2 and 3 both send the passphrase as base64 HMAC-SHA256 of it, keyed with the secret.
KEY_VERSIONS = ("2", "3")


def sign(secret: str, timestamp: str, call: Call) -> str:
    """``KC-API-SIGN``: base64 HMAC-SHA256 of timestamp + method + path with query + body.

    KuCoin signs the query as written before URL-encoding (``a=b,c``), not as sent (``a=b%2Cc``).
    """
    path = call.path + ("?" + "&".join(f"{k}={v}" for k, v in call.params) if call.params else "")
    return hmac_sha256_b64(secret, timestamp + call.method + path + (call.body or ""))


def passphrase_header(secret: str, passphrase: str) -> str:
    """``KC-API-PASSPHRASE`` for key versions 2 and 3 (version 1 sent the passphrase in plain text)."""
    return hmac_sha256_b64(secret, passphrase)
