"""Signing for the Binance WebSocket API (BN-WS "Request security").

Payload: every parameter except ``signature``, sorted by name, ``name=value`` joined with ``&``,
UTF-8, no percent-encoding. HMAC keys sign with HMAC-SHA256 (hex); RSA (PKCS#1 v1.5, SHA-256) and
Ed25519 keys sign with their private key (base64). The key type follows from the credentials: a PEM
private key in ``api_secret`` is asymmetric, anything else is an HMAC secret.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from typing import Any

from toolkit.core.client import Signer
from toolkit.core.credentials import Credentials
from toolkit.core.http import Call, param_text
from toolkit.core.signing import hmac_sha256_hex, is_pem, pem_signature_b64


def payload(params: Mapping[str, Any]) -> str:
    """The text Binance signs: ``params`` without ``signature``, sorted, ``k=v`` joined by ``&``."""
    return "&".join(f"{name}={param_text(value)}" for name, value in sorted(params.items()) if name != "signature")


def signature(secret: str, text: str) -> str:
    """Hex HMAC-SHA256 for an HMAC secret; base64 RSA/Ed25519 signature for a PEM private key."""
    return pem_signature_b64(secret, text) if is_pem(secret) else hmac_sha256_hex(secret, text)


def verify(secret: str, text: str, sent: str) -> bool:
    """Whether ``sent`` is a valid signature of ``text`` for the key ``secret`` (the replay server's check)."""
    if not is_pem(secret):
        # Binance treats HMAC signatures case-insensitively.
        return hmac.compare_digest(hmac_sha256_hex(secret, text), sent.lower())
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    public = load_pem_private_key(secret.encode(), password=None).public_key()
    try:
        raw = base64.b64decode(sent, validate=True)
        if isinstance(public, ed25519.Ed25519PublicKey):
            public.verify(raw, text.encode())
        elif isinstance(public, rsa.RSAPublicKey):
            public.verify(raw, text.encode(), padding.PKCS1v15(), hashes.SHA256())
        else:
            return False
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


class BinanceWsAuth(Signer):
    """A signed WebSocket API request carries ``apiKey``, ``timestamp`` (and ``recvWindow``) and
    the ``signature`` of all its parameters among its parameters."""

    secret_params = ("apiKey", "signature")
    # The REST API's key header, registered here so that it is masked wherever it shows.
    secret_headers = ("X-MBX-APIKEY",)
    volatile_params = ("timestamp", "recvWindow")

    def __init__(self, credentials: Credentials, *, recv_window: int | None = None, **options: Any) -> None:
        super().__init__(credentials)
        self.recv_window = recv_window

    def sign(self, call: Call, timestamp_ms: int) -> None:
        params = dict(call.params)
        params["apiKey"] = self.credentials.api_key
        params["timestamp"] = timestamp_ms
        if self.recv_window is not None:
            params["recvWindow"] = self.recv_window
        params["signature"] = signature(self.credentials.api_secret, payload(params))
        call.params = list(params.items())


class BinanceRestAuth(Signer):
    """A signed REST request (BN-REST "SIGNED Endpoint security"): ``timestamp`` (and ``recvWindow``)
    among the parameters, then ``signature`` of the percent-encoded query string and body, last;
    the key in the ``X-MBX-APIKEY`` header."""

    secret_headers = ("X-MBX-APIKEY",)
    secret_params = ("signature",)
    volatile_params = ("timestamp", "recvWindow")

    def __init__(self, credentials: Credentials, *, recv_window: int | None = None, **options: Any) -> None:
        super().__init__(credentials)
        self.recv_window = recv_window

    def sign(self, call: Call, timestamp_ms: int) -> None:
        call.params = [(k, v) for k, v in call.params if k not in ("timestamp", "recvWindow", "signature")]
        if self.recv_window is not None:
            call.params.append(("recvWindow", self.recv_window))
        call.params.append(("timestamp", timestamp_ms))
        call.params.append(("signature", signature(self.credentials.api_secret, call.query + (call.body or ""))))
        call.headers["X-MBX-APIKEY"] = self.credentials.api_key
