"""Signing primitives the exchanges combine in their own ways."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

from toolkit.errors import ConfigurationError


def hmac_sha256(secret: str, message: str) -> bytes:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()


def hmac_sha256_b64(secret: str, message: str) -> str:
    return base64.b64encode(hmac_sha256(secret, message)).decode()


def hmac_sha256_hex(secret: str, message: str) -> str:
    return hmac_sha256(secret, message).hex()


def md5_upper(message: str) -> str:
    return hashlib.md5(message.encode()).hexdigest().upper()


def is_pem(secret: str) -> bool:
    return secret.lstrip().startswith("-----BEGIN")


def _private_key(pem: str) -> Any:
    try:
        from cryptography.hazmat.primitives.serialization import load_pem_private_key
    except ImportError:  # pragma: no cover - cryptography is a declared dependency
        raise ConfigurationError("RSA and Ed25519 keys need the 'cryptography' package.") from None
    try:
        return load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        raise ConfigurationError(
            "api_secret looks like a PEM key but could not be loaded (wrong format or encrypted)."
        ) from None


def pem_signature_b64(pem: str, message: str) -> str:
    """Base64 signature of ``message`` with an RSA (SHA-256, PKCS#1 v1.5) or Ed25519 private key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

    key = _private_key(pem)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        signature = key.sign(message.encode())
    elif isinstance(key, rsa.RSAPrivateKey):
        signature = key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    else:
        raise ConfigurationError("Only RSA and Ed25519 private keys are supported.")
    return base64.b64encode(signature).decode()
