"""Where ``tk.connect`` finds credentials: explicit, session (the form), environment, keyring."""

from __future__ import annotations

from contextlib import contextmanager

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import NoKeyringError, PasswordDeleteError

import toolkit as tk
from toolkit import credentials as tc
from toolkit import demo_mode
from toolkit.errors import ConfigurationError

EXCHANGES = ("bitget", "kucoin", "binance", "coinw")


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch the machine's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class BrokenKeyring(MemoryKeyring):
    """What a headless machine or a locked Secret Service collection looks like."""

    def get_password(self, service: str, username: str) -> str | None:
        raise NoKeyringError("No recommended backend was available.")


class PlaintextLikeKeyring(MemoryKeyring):
    """keyring rates file-based backends below 1; the toolkit must refuse them."""

    priority = 0.5  # type: ignore[assignment]


@contextmanager
def keyring_backend(backend: KeyringBackend):
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


def clear_credential_sources(monkeypatch) -> None:
    """No environment keys, no session entry and no demo mode."""
    for exchange in EXCHANGES:
        for suffix in ("KEY", "SECRET", "PASSPHRASE"):
            monkeypatch.delenv(f"{exchange.upper()}_API_{suffix}", raising=False)
    tc.clear_session_credentials()
    tk.demo(False)


@pytest.fixture
def memory_keyring():
    with keyring_backend(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture(autouse=True)
def no_ambient_credentials(monkeypatch):
    clear_credential_sources(monkeypatch)
    yield
    tc.clear_session_credentials()
    tk.demo(False)


def creds(tag: str) -> tk.Credentials:
    return tk.Credentials(f"{tag}-key-000000", f"{tag}-secret-000000", f"{tag}-pass-000000")


def set_env(monkeypatch, exchange: str, tag: str) -> None:
    prefix = exchange.upper()
    monkeypatch.setenv(f"{prefix}_API_KEY", f"{tag}-key-000000")
    monkeypatch.setenv(f"{prefix}_API_SECRET", f"{tag}-secret-000000")
    monkeypatch.setenv(f"{prefix}_API_PASSPHRASE", f"{tag}-pass-000000")


def every_source(monkeypatch, exchange: str = "bitget") -> None:
    tc.set_session_credentials(exchange, creds("session"))
    set_env(monkeypatch, exchange, "env")
    tc.save_to_keyring(exchange, creds("keyring"))


# --------------------------------------------------------------------------- order


def test_explicit_credentials_win_over_every_other_source(monkeypatch, memory_keyring):
    every_source(monkeypatch)
    assert tc.resolve_credentials("bitget", creds("explicit")) == creds("explicit")
    assert tk.connect("bitget", creds("explicit"), sync_clock=False).credentials == creds("explicit")


def test_session_entry_comes_second(monkeypatch, memory_keyring):
    every_source(monkeypatch)
    assert tc.resolve_credentials("bitget") == creds("session")
    assert tk.connect("BitGet", sync_clock=False).credentials == creds("session")


def test_environment_comes_third(monkeypatch, memory_keyring):
    every_source(monkeypatch)
    tc.clear_session_credentials("bitget")
    assert tc.resolve_credentials("bitget") == creds("env")


def test_keyring_comes_last(monkeypatch, memory_keyring):
    every_source(monkeypatch)
    tc.clear_session_credentials("bitget")
    monkeypatch.delenv("BITGET_API_SECRET")  # a half-set environment is not a source
    assert tc.resolve_credentials("bitget") == creds("keyring")
    assert tk.connect("bitget", sync_clock=False).credentials == creds("keyring")


def test_sources_are_per_exchange(monkeypatch, memory_keyring):
    every_source(monkeypatch, "kucoin")
    with pytest.raises(ConfigurationError, match="No bitget credentials found"):
        tc.resolve_credentials("bitget")


def test_nothing_found_names_every_place_looked(memory_keyring):
    with pytest.raises(ConfigurationError) as caught:
        tk.connect("kucoin")
    text = str(caught.value)
    for place in (
        "credentials argument of tk.connect",
        "credentials form",
        "KUCOIN_API_KEY, KUCOIN_API_SECRET, KUCOIN_API_PASSPHRASE",
        "system keyring, service 'exchange-account-toolkit', entry 'kucoin' (no entry)",
    ):
        assert place in text
    assert text.index("argument") < text.index("form") < text.index("KUCOIN_API_KEY") < text.index("keyring")


def test_binance_has_no_passphrase_variable_to_suggest(memory_keyring):
    with pytest.raises(ConfigurationError) as caught:
        tc.resolve_credentials("binance")
    assert "BINANCE_API_KEY, BINANCE_API_SECRET (" in str(caught.value)
    assert "PASSPHRASE" not in str(caught.value)


def test_a_missing_keyring_backend_does_not_crash_resolution(monkeypatch):
    with keyring_backend(BrokenKeyring()):
        with pytest.raises(ConfigurationError, match=r"keyring.*not usable.*No recommended backend"):
            tc.resolve_credentials("bitget")
        set_env(monkeypatch, "bitget", "env")
        assert tc.resolve_credentials("bitget") == creds("env")


def test_headless_default_keyring_is_reported_not_raised():
    expected = r"no secure system keyring is available \(keyring\.backends\.fail"
    with keyring_backend(fail.Keyring()), pytest.raises(ConfigurationError, match=expected):
        tc.resolve_credentials("coinw")


# --------------------------------------------------------------------------- demo mode


def test_demo_mode_never_reads_real_keys(monkeypatch, memory_keyring):
    set_env(monkeypatch, "bitget", "env")
    tc.save_to_keyring("bitget", creds("keyring"))
    tk.demo()
    assert tk.connect("bitget").credentials == demo_mode.credentials("bitget")
    tc.set_session_credentials("bitget", creds("typed-in-form"))
    assert tk.connect("bitget").credentials == creds("typed-in-form")


# --------------------------------------------------------------------------- keyring


def test_keyring_round_trip_and_delete(memory_keyring):
    tc.save_to_keyring("KuCoin", creds("k"))
    assert list(memory_keyring.entries) == [("exchange-account-toolkit", "kucoin")]
    assert tc.load_from_keyring("kucoin") == creds("k")
    assert tc.delete_from_keyring("kucoin") is True
    assert tc.delete_from_keyring("kucoin") is False
    assert tc.load_from_keyring("kucoin") is None


def test_binance_pem_secret_survives_the_keyring(memory_keyring):
    pem = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIFakeFakeFake\n-----END PRIVATE KEY-----"
    tc.save_to_keyring("binance", tk.Credentials("binance-key-000000", pem))
    loaded = tc.load_from_keyring("binance")
    assert loaded is not None and loaded.api_secret == pem and loaded.passphrase is None


def test_insecure_keyring_backends_are_refused():
    with keyring_backend(PlaintextLikeKeyring()) as backend:
        with pytest.raises(ConfigurationError, match="never falls back to a plain file"):
            tc.save_to_keyring("bitget", creds("k"))
        assert backend.entries == {}


def test_foreign_keyring_entry_is_a_clear_error(memory_keyring):
    memory_keyring.set_password("exchange-account-toolkit", "bitget", "not json")
    with pytest.raises(ConfigurationError, match="not one the toolkit wrote"):
        tc.load_from_keyring("bitget")


# --------------------------------------------------------------------------- the Credentials object


def test_pasted_whitespace_is_removed_and_empty_passphrase_is_none():
    pasted = tk.Credentials("  pasted-key-123456\n", "pasted-secret-123456\n", "")
    assert pasted.api_key == "pasted-key-123456"
    assert pasted.api_secret == "pasted-secret-123456"
    assert pasted.passphrase is None


def test_control_characters_in_header_values_are_refused_without_echoing_them():
    with pytest.raises(ConfigurationError, match="api_key contains a line break") as caught:
        tk.Credentials("half-a-key\nother-half-zz", "some-secret-000000")
    assert "half-a-key" not in str(caught.value)


def test_session_only_accepts_credentials():
    with pytest.raises(ConfigurationError, match=r"must be a toolkit\.Credentials"):
        tc.set_session_credentials("bitget", ("key", "secret"))  # type: ignore[arg-type]
