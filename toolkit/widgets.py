"""Notebook widgets: the credentials form and the dashboard (``toolkit.dashboard``).

>>> from toolkit import widgets
>>> form = widgets.credentials_form()   # doctest: +SKIP
>>> form                                # doctest: +SKIP

ipywidgets is imported only when a widget is built, so ``import toolkit`` never needs it.

Why the form clears itself: ipywidgets keeps a Password widget's value in the widget state that
Jupyter saves into the notebook file. The form copies what was typed, empties every Password field
before it does anything else, and keeps the credentials only in this Python session's memory (and,
when asked, in the system keyring).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import pandas as pd

from toolkit import demo_mode, plots
from toolkit.connecting import connect
from toolkit.core.optional import needs
from toolkit.core.redact import redact_exception
from toolkit.credentials import Credentials, save_to_keyring, set_session_credentials
from toolkit.errors import ConfigurationError, ToolkitError
from toolkit.exchanges import REGISTRY, descriptor

if TYPE_CHECKING:
    from toolkit.core.timeutil import TimeLike
    from toolkit.dashboard import Dashboard

__all__ = ["CredentialsForm", "available_exchanges", "credentials_form", "dashboard"]

# A browser's single-line input drops the line breaks of a pasted PEM key (Binance Ed25519/RSA).
_FLATTENED_PEM = re.compile(r"^(-----BEGIN [A-Z0-9 ]+-----)\s*(.+?)\s*(-----END [A-Z0-9 ]+-----)$", re.S)


def available_exchanges() -> list[str]:
    """The exchanges whose client module is installed and can describe its key."""
    found = []
    for exchange in sorted(REGISTRY):
        try:
            cls = descriptor(exchange).client
        except (ImportError, AttributeError):
            continue
        if hasattr(cls, "describe_key"):
            found.append(exchange)
    return found


def label(exchange: str) -> str:
    """The exchange's display name (``"KuCoin"``)."""
    return descriptor(exchange).label


def needs_passphrase(exchange: str) -> bool:
    return descriptor(exchange).passphrase


@needs("ipywidgets", purpose="the credentials form")
def credentials_form(exchange: str | None = None, **connect_options: Any) -> CredentialsForm:
    """A form to enter an exchange API key, check it with one cheap call, and use it this session.

    ``exchange`` preselects one; ``connect_options`` go to ``tk.connect`` (``base_url`` for a
    testnet, ``timeout``, ...). After Connect, ``tk.connect(exchange)`` uses the entered key.
    """
    return CredentialsForm(exchange, **connect_options)


@needs("ipywidgets", "plotly", purpose="the dashboard")
def dashboard(
    clients: Any = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    *,
    ledger: pd.DataFrame | None = None,
    balances: pd.DataFrame | None = None,
    withdrawals: pd.DataFrame | None = None,
    snapshots: pd.DataFrame | None = None,
    prices: pd.DataFrame | None = None,
    quote: str = "USDT",
    freq: str = "MS",
) -> Dashboard:
    """Net worth, balance history, fees and the ledger of chosen exchanges, assets and dates, in one view.

    ``clients`` is one client, a list or a dict (as ``tk.unified`` takes them); without clients
    and frames, every exchange that ``tk.connect`` can open is used. Balances, the ledger and
    withdrawals in ``[start, end]`` are fetched once; the controls then only filter them. Frames
    given (``toolkit.unified`` schemas, e.g. from ``tk.store``) are used as they are; ``snapshots``
    (stored balance snapshots) add the history of exchanges without a ledger. Net worth and fees
    are valued in ``quote`` with ``prices`` (a ``toolkit.valuation.prices`` frame) or, when not
    given, prices fetched from the clients' candles. ``freq`` is the first fee period: ``"D"``,
    ``"W"`` or ``"MS"`` (month).

    The Export button writes the selected ledger entries (``Dashboard.current_table``) to the file
    named, as CSV or Parquet; an existing file is replaced only when "overwrite" is ticked.

    >>> from toolkit.demo_mode import PERIOD   # the demo accounts' year     # doctest: +SKIP
    >>> tk.demo()                                                           # doctest: +SKIP
    >>> board = tk.widgets.dashboard(start=PERIOD[0], end=PERIOD[1])        # doctest: +SKIP
    >>> board                            # shows it in the notebook         # doctest: +SKIP
    >>> board.assets.value = ("BTC",)    # what picking BTC does            # doctest: +SKIP
    >>> board.current_table.head()       # the selected ledger entries      # doctest: +SKIP
    """
    from toolkit.dashboard import Dashboard

    return Dashboard(
        clients, start, end, ledger=ledger, balances=balances, withdrawals=withdrawals, snapshots=snapshots,
        prices=prices, quote=quote, freq=freq,
    )  # fmt: skip


def _restore_pem(secret: str) -> str:
    match = _FLATTENED_PEM.match(secret.strip())
    if not match:
        return secret
    head, body, foot = match.groups()
    return f"{head}\n{''.join(body.split())}\n{foot}"


# What a copy of the notebook without a kernel says in the form's place.
STATIC_SENTENCE = "Credentials form (exchange, API key, secret, passphrase, Connect): run the notebook to use it."
MODEL_NAMES = {
    "classic": "classic accounts",
    "hf": "classic accounts with a high-frequency trade account",
    "unified": "a unified trading account",
}


def _yes_no(value: Any) -> str:
    if pd.isna(value):
        return "not said by the exchange"
    return "yes" if value else "no"


def summary_html(summary: pd.DataFrame) -> str:
    """The outcome of a successful Connect: account, what the key may do, IP whitelist."""
    row = summary.iloc[0]
    exchange = label(str(row["exchange"]))
    account = row["account"] if not pd.isna(row["account"]) else "(not said by the exchange)"
    whitelist = row["ip_whitelist"]
    # None means either "no whitelist" or "the exchange does not say": the summary cannot tell them apart.
    whitelist_text = "none reported by the exchange" if pd.isna(whitelist) or not whitelist else whitelist
    model = MODEL_NAMES.get(str(row.get("account_model", "classic")), "classic accounts")
    parts = [
        f"<b>✅ Connected to {html.escape(exchange)}</b>, account <code>{html.escape(str(account))}</code> "
        f"({html.escape(model)}).",
        "<br>This key may read: {}, trade: {}, withdraw: {}. IP whitelist: {}.".format(
            *(html.escape(_yes_no(row[c])) for c in ("can_read", "can_trade", "can_withdraw")),
            html.escape(str(whitelist_text)),
        ),
    ]
    if not pd.isna(row["can_withdraw"]) and bool(row["can_withdraw"]):
        parts.append(
            '<div style="color:#b00020;font-weight:bold">⚠️ This key can WITHDRAW funds. For analysis a '
            "read-only key is enough and much safer: create one without withdrawal permission.</div>"
        )
    elif pd.isna(row["can_withdraw"]):
        parts.append(
            f'<div style="color:#8a5a00">⚠️ {html.escape(exchange)} does not tell whether this key can withdraw. '
            "For analysis a read-only key is enough: check on the exchange's API page that withdrawal is off.</div>"
        )
    return "".join(parts)


def _error_html(text: str) -> str:
    return f'<span style="color:#b00020">❌ {html.escape(text)}</span>'


class CredentialsForm:
    """The widgets of the credentials form; display it, or drive it from code.

    Attributes: ``exchange`` (Dropdown), ``api_key``, ``api_secret``, ``passphrase`` (Password),
    ``remember`` (Checkbox), ``button`` (Connect), ``status`` (HTML), ``widget`` (the whole form),
    and after a successful Connect ``client`` and ``summary`` (``client.describe_key()``).
    """

    def __init__(self, exchange: str | None = None, **connect_options: Any) -> None:
        import ipywidgets as w

        choices = available_exchanges()
        if not choices:
            raise ConfigurationError("no exchange client module could be imported.")
        if exchange is not None and exchange.lower() not in choices:
            raise ConfigurationError(f"{exchange!r} is not available here; choose one of {', '.join(choices)}.")
        self.connect_options = connect_options
        self.client: Any = None
        self.summary: pd.DataFrame | None = None
        wide = w.Layout(width="28em")
        style = {"description_width": "8em"}
        self.exchange = w.Dropdown(
            options=[(label(e), e) for e in choices],
            value=exchange.lower() if exchange else choices[0],
            description="Exchange",
            layout=wide,
            style=style,
        )
        self.api_key = w.Password(description="API key", layout=wide, style=style)
        self.api_secret = w.Password(
            description="API secret",
            placeholder="(Ed25519 or RSA key: its PEM private key)",
            layout=wide,
            style=style,
        )
        self.passphrase = w.Password(description="Passphrase", layout=wide, style=style)
        self.remember = w.Checkbox(
            value=False,
            description="Remember on this computer (system keyring)",
            indent=False,
            layout=w.Layout(width="auto"),
        )  # its label whole, not cut at the default width
        self.button = w.Button(description="Connect", button_style="primary", icon="plug")
        self.status = w.HTML()
        self.widget = w.VBox(
            [self.exchange, self.api_key, self.api_secret, self.passphrase, self.remember, self.button, self.status]
        )
        self.button.on_click(lambda _button: self.connect())
        self.exchange.observe(lambda _change: self._exchange_changed(), names="value")
        self._exchange_changed()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = "Credentials form (interactive; its static copy follows)"
        return bundle

    def _ipython_display_(self) -> None:
        # The live form, then what a saved or converted copy shows where no kernel runs it
        # (hidden beside the live one). It never holds what was typed: the fields are emptied.
        from IPython.display import display

        display(self._repr_mimebundle_(), raw=True)
        display({"text/html": plots.static_copy(STATIC_SENTENCE), "text/plain": STATIC_SENTENCE}, raw=True)

    def _exchange_changed(self) -> None:
        wanted = needs_passphrase(self.exchange.value)
        self.passphrase.layout.display = None if wanted else "none"
        if demo_mode.active():
            # The demo cassettes accept any key; fill in obviously fake ones so Connect just works.
            fake = demo_mode.credentials(self.exchange.value)
            self.api_key.value, self.api_secret.value = fake.api_key, fake.api_secret
            self.passphrase.value = (fake.passphrase or "") if wanted else ""
            self.status.value = "<i>Demo mode: filled in with obviously fake keys; press Connect.</i>"

    def _take_entry(self) -> tuple[str, str, str]:
        """What was typed, with every Password field emptied so no saved notebook keeps it."""
        entered = (self.api_key.value, self.api_secret.value, self.passphrase.value)
        for field in (self.api_key, self.api_secret, self.passphrase):
            field.value = ""
        return entered

    def connect(self) -> pd.DataFrame | None:
        """What the Connect button does; returns the key summary, or None when it failed."""
        exchange = self.exchange.value
        key, secret, passphrase = self._take_entry()
        self.client = self.summary = None
        passphrase_wanted = needs_passphrase(exchange)
        if not key.strip() or not secret.strip() or (passphrase_wanted and not passphrase.strip()):
            wanted = "API key, secret and passphrase" if passphrase_wanted else "API key and secret"
            self.status.value = _error_html(f"Enter the {wanted}, then press Connect.")
            return None
        self.status.value = f"<i>Connecting to {html.escape(label(exchange))}…</i>"
        try:
            credentials = Credentials(key, _restore_pem(secret), passphrase if passphrase_wanted else None)
            client = connect(exchange, credentials, **self.connect_options)
            summary = client.describe_key()
        except ToolkitError as err:
            self.status.value = _error_html(str(err))
            return None
        except Exception as exc:  # shown in the form: ipywidgets would print it unredacted in the log
            redact_exception(exc)
            self.status.value = _error_html(f"{type(exc).__name__}: {exc}")
            return None
        set_session_credentials(exchange, credentials)
        self.client, self.summary = client, summary
        status = summary_html(summary)
        if self.remember.value:
            try:
                save_to_keyring(exchange, credentials)
            except ConfigurationError as err:
                status += "<br>" + _error_html(f"Not remembered: {err}")
            else:
                status += "<br>🔑 Remembered in this computer's keyring; <code>tk.connect</code> finds it next time."
        self.status.value = status
        return summary
