"""The account report: a self-contained HTML page of tables, written from any set of clients."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import demo_mode
from toolkit.errors import ToolkitError

Section = tuple[str, Callable[[Any], pd.DataFrame]]

# What the demo report shows for each exchange. The ranges match the documented-example cassettes.
DEMO_SECTIONS: dict[str, list[Section]] = {
    "bitget": [
        ("Balances", lambda c: c.get_balances()),
        ("Fee rates, BTCUSDT", lambda c: c.get_user_fee_ratio("BTCUSDT")),
        ("Ledger (bills), June 2021", lambda c: c.get_bills(start_time="2021-06-01", end_time="2021-06-30")),
        ("Deposits", lambda c: c.get_deposit_history(start_time="2022-05-20", end_time="2022-05-25")),
        ("Withdrawals", lambda c: c.get_withdrawal_history("USDT", start_time="2022-05-20", end_time="2022-05-25")),
    ],
    "kucoin": [
        ("Accounts", lambda c: c.get_accounts()),
        ("Ledger, 11 Oct 2024", lambda c: c.get_account_ledgers(start_time="2024-10-11", end_time="2024-10-12")),
        ("Deposits, July 2024", lambda c: c.get_deposits("USDT", start_time="2024-07-01", end_time="2024-07-31")),
        ("Withdrawals, Oct 2022", lambda c: c.get_withdrawals("XRP", start_time="2022-10-01", end_time="2022-10-31")),
        ("Cross margin", lambda c: c.get_margin_account()),
    ],
    "coinw": [
        ("Balances", lambda c: c.get_complete_balances()),
        ("Deposits and withdrawals, HC", lambda c: c.get_deposit_withdrawal_history("HC")),
    ],
    "binance": [
        ("Account", lambda c: c.get_account_info()),
        ("Order rate limits", lambda c: c.get_order_rate_limits()),
    ],
}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; border-bottom: 1px solid #ccc; } h3 { font-size: 1rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f4f4f4; } .note { color: #666; font-size: 0.85rem; } .error { color: #a00; }
"""


def render(title: str, blocks: Iterable[tuple[str, list[tuple[str, pd.DataFrame | ToolkitError]]]], note: str) -> str:
    """HTML for ``blocks``: (exchange, [(section title, frame or the error that stopped it)])."""
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p class='note'>{html.escape(note)}</p>"]
    for exchange, sections in blocks:
        parts.append(f"<h2>{html.escape(exchange.capitalize())}</h2>")
        for name, result in sections:
            parts.append(f"<h3>{html.escape(name)}</h3>")
            if isinstance(result, ToolkitError):
                parts.append(f"<p class='error'>{html.escape(str(result))}</p>")
            elif result.empty:
                parts.append("<p class='note'>(nothing)</p>")
            else:
                parts.append(result.to_html(index=False, border=0, na_rep=""))
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title><style>{_STYLE}</style>"
    return f"<!doctype html><html><head>{head}</head><body>{''.join(parts)}</body></html>"


def collect(client: Any, sections: list[Section]) -> list[tuple[str, pd.DataFrame | ToolkitError]]:
    """Run each section; an error is shown in its place rather than hiding the rest of the report."""
    results: list[tuple[str, pd.DataFrame | ToolkitError]] = []
    for name, query in sections:
        try:
            results.append((name, query(client)))
        except ToolkitError as err:
            results.append((name, err))
    return results


def write_demo_report(path: Path) -> Path:
    """Run the demo report offline on the shipped cassettes and write it to ``path``."""
    import toolkit as tk

    was_active = demo_mode.active()
    tk.demo()
    try:
        blocks = []
        for exchange, sections in DEMO_SECTIONS.items():
            client = tk.connect(exchange, progress=False)
            blocks.append((exchange, collect(client, sections)))
            if hasattr(client, "close"):  # websocket clients hold a connection and a loop thread
                client.close()
    finally:
        if not was_active:
            tk.demo(False)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    note = f"Demo mode: replayed from the shipped cassettes with fake keys, no network. Written {stamp}."
    path.write_text(render("Exchange account report (demo)", blocks, note))
    for exchange, results in blocks:
        print(f"{exchange}:")
        for name, result in results:
            shown = f"error: {result}" if isinstance(result, ToolkitError) else f"{len(result)} rows"
            print(f"  {name}: {shown}")
    return path
