"""API credentials that never show their secrets, and where ``tk.connect`` finds them.

``resolve_credentials(exchange)`` looks, in order, at:

1. credentials passed explicitly (``tk.connect("bitget", creds)``);
2. this session's entry: what the credentials form connected with (``toolkit.widgets``);
3. environment variables ``<EXCHANGE>_API_KEY``, ``<EXCHANGE>_API_SECRET``, ``<EXCHANGE>_API_PASSPHRASE``;
4. the system keyring (macOS Keychain, Windows Credential Locker, Secret Service), where the
   form's "remember on this computer" or ``save_to_keyring`` put them.

Nothing here ever writes a secret to a plain file.
"""

from __future__ import annotations

import json
import os
from typing import Any

from toolkit.core.credentials import Credentials
from toolkit.errors import ConfigurationError
from toolkit.exchanges import descriptor

__all__ = [
    "Credentials",
    "clear_session_credentials",
    "delete_from_keyring",
    "load_from_keyring",
    "resolve_credentials",
    "save_to_keyring",
    "session_credentials",
    "set_session_credentials",
]
# The keyring entry: one per exchange, holding key, secret and passphrase together as JSON, so
# that a half-written or half-deleted set cannot be read back.
KEYRING_SERVICE = "exchange-account-toolkit"


# ----------------------------------------------------------------------------- session

_session: dict[str, Credentials] = {}


def set_session_credentials(exchange: str, credentials: Credentials) -> None:
    """Use ``credentials`` for ``exchange`` for the rest of this Python session (in memory only)."""
    if not isinstance(credentials, Credentials):
        raise ConfigurationError("credentials must be a toolkit.Credentials.")
    _session[exchange.lower()] = credentials


def session_credentials(exchange: str) -> Credentials | None:
    """The credentials this session's form connected ``exchange`` with, if any."""
    return _session.get(exchange.lower())


def clear_session_credentials(exchange: str | None = None) -> None:
    """Forget this session's credentials for ``exchange``, or for every exchange."""
    if exchange is None:
        _session.clear()
    else:
        _session.pop(exchange.lower(), None)


# ----------------------------------------------------------------------------- keyring


def _keyring() -> Any:
    """The ``keyring`` module, refusing backends that would keep secrets in a readable file."""
    try:
        import keyring
    except ImportError:
        raise ConfigurationError(
            "the keyring library is not installed (pip install keyring, or the toolkit's [notebook] extra)."
        ) from None
    backend = keyring.get_keyring()
    parts = getattr(backend, "backends", None) or [backend]
    for part in parts:
        # keyrings.alt's file backends keep base64 plaintext or a weakly protected file;
        # keyring rates every backend it does not recommend below 1.
        if type(part).__module__.startswith("keyrings.alt") or part.priority < 1:
            raise ConfigurationError(
                f"no secure system keyring is available ({type(part).__module__}.{type(part).__name__}); "
                "the toolkit never falls back to a plain file."
            )
    return keyring


def save_to_keyring(exchange: str, credentials: Credentials) -> None:
    """Store ``credentials`` for ``exchange`` in the system keyring ("remember on this computer")."""
    keyring = _keyring()
    value = json.dumps(
        {"api_key": credentials.api_key, "api_secret": credentials.api_secret, "passphrase": credentials.passphrase}
    )
    try:
        keyring.set_password(KEYRING_SERVICE, exchange.lower(), value)
    except Exception as exc:  # backends raise their own types (D-Bus, a locked collection)
        raise ConfigurationError(f"the system keyring refused to store the {exchange} key: {exc}") from None


def load_from_keyring(exchange: str) -> Credentials | None:
    """The credentials stored for ``exchange`` in the system keyring, or None."""
    keyring = _keyring()
    try:
        stored = keyring.get_password(KEYRING_SERVICE, exchange.lower())
    except Exception as exc:  # NoKeyringError, D-Bus errors, a locked collection, ...
        raise ConfigurationError(f"the system keyring could not be read: {exc}") from None
    if stored is None:
        return None
    try:
        fields = json.loads(stored)
        return Credentials(fields["api_key"], fields["api_secret"], fields.get("passphrase"))
    except (ValueError, KeyError, TypeError):
        raise ConfigurationError(
            f"the keyring entry {KEYRING_SERVICE!r}/{exchange.lower()!r} is not one the toolkit wrote; "
            "delete it with toolkit.credentials.delete_from_keyring."
        ) from None


def delete_from_keyring(exchange: str) -> bool:
    """Remove ``exchange``'s entry from the system keyring; True when there was one."""
    keyring = _keyring()
    try:
        keyring.delete_password(KEYRING_SERVICE, exchange.lower())
    except keyring.errors.PasswordDeleteError:
        return False
    except Exception as exc:  # as in load_from_keyring
        raise ConfigurationError(f"the system keyring could not be changed: {exc}") from None
    return True


# ----------------------------------------------------------------------------- resolution


def resolve_credentials(exchange: str, explicit: Credentials | None = None) -> Credentials:
    """The credentials ``tk.connect(exchange)`` uses: explicit, session, environment, keyring.

    Raises ``ConfigurationError`` naming every place it looked when none has them. A keyring
    that cannot be used (none installed, none available headless) counts as "not found there".
    """
    if explicit is not None:
        return explicit
    name = exchange.lower()
    entered = session_credentials(name)
    if entered is not None:
        return entered
    prefix = name.upper()
    if os.environ.get(f"{prefix}_API_KEY") and os.environ.get(f"{prefix}_API_SECRET"):
        return Credentials.from_env(name)
    try:
        stored = load_from_keyring(name)
    except ConfigurationError as err:
        keyring_note = f"not usable: {err}"
    else:
        if stored is not None:
            return stored
        keyring_note = "no entry"
    passphrase = f", {prefix}_API_PASSPHRASE" if descriptor(name).passphrase else ""
    raise ConfigurationError(
        f"No {exchange} credentials found. Looked at, in order: "
        f"1) the credentials argument of tk.connect (none given); "
        f"2) this session's credentials form (toolkit.widgets.credentials_form(), not connected); "
        f"3) environment variables {prefix}_API_KEY, {prefix}_API_SECRET{passphrase} (not set, or only one of them); "
        f"4) the system keyring, service {KEYRING_SERVICE!r}, entry {name!r} ({keyring_note})."
    )
