"""The credentials form, driven from Python: values in, click, status out, nothing left behind."""

from __future__ import annotations

import json
import subprocess
import sys

import ipywidgets
import pandas as pd
import pytest
import requests

import toolkit as tk
from tests.conftest import FAKE_KEY, FAKE_PASSPHRASE, FAKE_SECRET, FAKE_VALUES

# The keyring and credential-source fixtures are shared with the credentials tests.
from tests.test_credentials import MemoryKeyring, keyring_backend, memory_keyring, no_ambient_credentials  # noqa: F401
from tests.test_secrets import EXCHANGES, echo_session
from toolkit import credentials as tc
from toolkit import demo_mode, widgets
from toolkit.core.vocabulary import key_summary
from toolkit.errors import ConfigurationError
from toolkit.exchanges import descriptors

PASSPHRASE_EXCHANGES = frozenset(d.id for d in descriptors() if d.passphrase)
LABELS = {d.id: d.label for d in descriptors()}


def fill(form: widgets.CredentialsForm, key=FAKE_KEY, secret=FAKE_SECRET, passphrase=FAKE_PASSPHRASE) -> None:
    form.api_key.value, form.api_secret.value, form.passphrase.value = key, secret, passphrase


def expected(exchange: str) -> tk.Credentials:
    return tk.Credentials(FAKE_KEY, FAKE_SECRET, FAKE_PASSPHRASE if exchange in PASSPHRASE_EXCHANGES else None)


def password_values(form: widgets.CredentialsForm) -> list[str]:
    return [form.api_key.value, form.api_secret.value, form.passphrase.value]


def saved_widget_state() -> str:
    """What Jupyter would write into the notebook: every live widget's synced state."""
    return json.dumps(ipywidgets.Widget.get_manager_state(drop_defaults=False))


def test_importing_the_toolkit_needs_neither_ipywidgets_nor_keyring():
    code = "import sys, toolkit.widgets; print(sorted(m for m in ('ipywidgets', 'keyring') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("exchange", EXCHANGES)
def test_connect_in_demo_mode_clears_the_fields_and_hands_the_key_to_connect(exchange, memory_keyring):
    tk.demo()
    form = widgets.credentials_form(exchange)
    demo_keys = demo_mode.credentials(exchange)
    assert password_values(form)[:2] == [demo_keys.api_key, demo_keys.api_secret]
    fill(form)
    form.remember.value = True
    form.button.click()

    assert password_values(form) == ["", "", ""]
    assert f"Connected to {LABELS[exchange]}" in form.status.value
    assert "This key may read:" in form.status.value and "IP whitelist:" in form.status.value
    assert form.summary is not None and form.summary.loc[0, "exchange"] == exchange
    assert not any(value in saved_widget_state() for value in FAKE_VALUES)
    assert tc.load_from_keyring(exchange) == expected(exchange)
    assert "Remembered in this computer" in form.status.value
    for client in (form.client, tk.connect(exchange)):
        assert client.credentials == expected(exchange)
        getattr(client, "close", lambda: None)()  # Binance's demo runs a local replay server
    tk.demo(False)
    assert tk.connect(exchange, sync_clock=False).credentials == expected(exchange)


def test_connect_against_bitget_shows_what_the_key_may_do(cassette, memory_keyring):
    form = widgets.credentials_form("bitget", sync_clock=False, progress=False)
    fill(form, key=f"  {FAKE_KEY}\n")  # pasted with a stray newline
    with cassette("bitget/describe_key--classic"):
        form.button.click()
    status = form.status.value
    assert "✅ Connected to Bitget</b>, account <code>**********</code>" in status
    assert "read: yes, trade: yes, withdraw: no. IP whitelist: 127.0.0.1." in status
    assert "WITHDRAW" not in status
    assert password_values(form) == ["", "", ""]
    assert memory_keyring.entries == {}  # "remember" was not ticked
    assert tk.connect("bitget", sync_clock=False).credentials == expected("bitget")


def test_a_rejected_key_shows_the_exchanges_message_and_is_not_kept(memory_keyring):
    form = widgets.credentials_form("bitget", sync_clock=False, progress=False, max_retries=0, session=echo_session())
    fill(form)
    form.remember.value = True
    assert form.connect() is None
    status = form.status.value
    assert status.startswith('<span style="color:#b00020">❌ bitget')
    assert "code 40009: Invalid signature for" in status
    assert not any(value in status for value in FAKE_VALUES)
    assert password_values(form) == ["", "", ""]
    assert form.client is None and memory_keyring.entries == {}
    with pytest.raises(ConfigurationError, match="No bitget credentials found"):
        tk.connect("bitget")


class ExplodingAdapter(requests.adapters.BaseAdapter):
    """A failure from inside requests whose message quotes a credential."""

    def send(self, request, **kwargs):
        raise requests.exceptions.InvalidHeader(f"Invalid header value {FAKE_PASSPHRASE!r}")

    def close(self):
        pass


def test_an_unexpected_error_is_shown_masked_instead_of_escaping_the_callback():
    session = requests.Session()
    session.mount("https://", ExplodingAdapter())
    form = widgets.credentials_form("bitget", sync_clock=False, progress=False, session=session)
    fill(form)
    form.button.click()
    # requests' own message quotes the header; the toolkit names the failure without it.
    assert "request failed: InvalidHeader" in form.status.value
    assert FAKE_PASSPHRASE not in form.status.value
    assert password_values(form) == ["", "", ""]


def test_missing_fields_are_asked_for_and_nothing_is_sent(no_network):
    form = widgets.credentials_form("kucoin")
    fill(form, passphrase="")
    form.button.click()
    assert "Enter the API key, secret and passphrase" in form.status.value
    assert password_values(form) == ["", "", ""]
    assert tc.session_credentials("kucoin") is None


def test_the_passphrase_field_shows_only_for_exchanges_that_have_one():
    form = widgets.credentials_form("bitget")
    for exchange in form.exchange.options:
        form.exchange.value = exchange[1]
        shown = form.passphrase.layout.display != "none"
        assert shown == (exchange[1] in PASSPHRASE_EXCHANGES)


class PlaintextKeyringStandIn(MemoryKeyring):
    priority = 0.5  # type: ignore[assignment]


def test_no_secure_keyring_still_connects_and_says_why_nothing_was_remembered(cassette):
    with keyring_backend(PlaintextKeyringStandIn()):
        form = widgets.credentials_form("bitget", sync_clock=False, progress=False)
        fill(form)
        form.remember.value = True
        with cassette("bitget/describe_key--classic"):
            form.button.click()
    assert "Connected to Bitget" in form.status.value
    assert "Not remembered: no secure system keyring is available" in form.status.value


@pytest.mark.parametrize(
    ("can_withdraw", "warned", "shown"),
    [(True, True, "withdraw: yes"), (False, False, "withdraw: no"), (None, False, "withdraw: not said by the")],
)
def test_a_key_that_can_withdraw_gets_a_visible_warning(can_withdraw, warned, shown):
    summary = key_summary("kucoin", account="u1", permissions=["General"], can_trade=True,
                          can_withdraw=can_withdraw, ip_whitelist=None)  # fmt: skip
    text = widgets.summary_html(summary)
    assert ("⚠️ This key can WITHDRAW funds" in text) is warned
    assert shown in text and "Connected to KuCoin" in text
    unknown = "KuCoin does not tell whether this key can withdraw" in text
    assert unknown is (can_withdraw is None)  # unknown is said in words, with what to check


def test_coinw_keys_permissions_are_unknown_and_the_form_says_so(make_client, cassette):
    client, _ = make_client("coinw")
    with cassette("coinw/get_balances"):
        summary = client.describe_key()
    text = widgets.summary_html(summary)
    assert "trade: not said by the exchange, withdraw: not said by the exchange" in text
    assert "CoinW does not tell whether this key can withdraw" in text


def test_values_from_the_exchange_are_escaped():
    summary = key_summary("bitget", account="<script>x</script>", permissions=[], can_trade=False,
                          can_withdraw=False, ip_whitelist="1.2.3.4")  # fmt: skip
    assert "<script>" not in widgets.summary_html(summary)


def test_a_pem_key_flattened_by_the_browser_gets_its_line_breaks_back():
    flattened = "-----BEGIN PRIVATE KEY----- MC4CAQAwBQYDK2Vw BCIEIGZha2Uta2V5 -----END PRIVATE KEY-----"
    assert widgets._restore_pem(flattened) == (
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGZha2Uta2V5\n-----END PRIVATE KEY-----"
    )
    assert widgets._restore_pem("plain-hmac-secret") == "plain-hmac-secret"


def test_the_form_displays_as_a_widget_and_rejects_unknown_exchanges():
    form = widgets.credentials_form()
    assert "application/vnd.jupyter.widget-view+json" in form._repr_mimebundle_()
    assert isinstance(form.widget, ipywidgets.VBox)
    with pytest.raises(ConfigurationError, match="'mtgox' is not available here"):
        widgets.credentials_form("mtgox")


def test_summary_frame_is_returned_by_connect(cassette):
    form = widgets.credentials_form("bitget", sync_clock=False, progress=False)
    fill(form)
    with cassette("bitget/describe_key--classic"):
        summary = form.connect()
    assert isinstance(summary, pd.DataFrame) and summary.loc[0, "ip_whitelist"] == "127.0.0.1"


def test_the_remember_label_is_shown_whole_and_a_copy_without_kernel_says_what_the_form_is():
    form = widgets.credentials_form("kucoin")
    assert form.remember.layout.width == "auto"  # the default width cut it to "... (system ke..."
    bundle = form._repr_mimebundle_()
    assert bundle["text/plain"] == "Credentials form (interactive; its static copy follows)"  # not "VBox(..."
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert widgets.STATIC_SENTENCE.startswith("Credentials form (exchange, API key, secret, passphrase, Connect)")
