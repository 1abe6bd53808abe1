"""The main job: run every notebook offline and write the account report (figures and tables).

``python -m toolkit demo`` calls :func:`run_demo`. The report is one self-contained HTML file:
plotly.js is embedded once, so it opens from disk with no network.
"""

from __future__ import annotations

import html
import os
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import demo_mode, history, plots, reconciling, unified, valuation
from toolkit.connecting import connect
from toolkit.core.optional import needs, require
from toolkit.exchanges import REGISTRY

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f4f4f4; } .note { color: #666; font-size: 0.85rem; }
"""


@dataclass
class NotebookRun:
    name: str
    seconds: float
    output: Path
    error: str | None = None


def run_notebooks(folder: Path, out: Path, *, timeout: int = 300, workers: int | None = None) -> list[NotebookRun]:
    """Execute every ``*.ipynb`` of ``folder`` top to bottom and save the executed copies in ``out``.

    A notebook that fails does not stop the others; its error is returned (and its partly run copy
    saved, so the failing cell can be seen). Widget state is saved with the outputs, as Jupyter
    and ``jupyter nbconvert --execute`` save it, so each copy is what a user's own run gives. Each copy
    is also written as HTML (``NAME.html``), which opens in a browser without Jupyter. ``workers``
    notebooks run at once (default: one per core, at most 4), each in its own kernel: a kernel
    spends much of its time starting and waiting, so two on two cores finish well before one
    after the other. Returned in name order.
    """
    require("nbclient", "nbformat", "nbconvert", "ipykernel", purpose="running the notebooks")
    out.mkdir(parents=True, exist_ok=True)
    paths = sorted(folder.glob("*.ipynb"))
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="notebook") as pool:
        return list(pool.map(lambda path: _run_notebook(path, out, timeout), paths))


def _run_notebook(path: Path, out: Path, timeout: int) -> NotebookRun:
    import nbclient
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(path, as_version=4)
    started = time.monotonic()
    error = None
    try:
        nbclient.NotebookClient(
            notebook, timeout=timeout, kernel_name="python3",
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # not its warnings about local TCP
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()  # fmt: skip
    except Exception as err:  # a cell's error, a timeout, a dead kernel: all are reported
        # A cell's error carries its name and value; str(err) would be the coloured traceback.
        error = f"{getattr(err, 'ename', type(err).__name__)}: {getattr(err, 'evalue', err)}"
    run = NotebookRun(path.name, time.monotonic() - started, out / path.name, error)
    nbformat.write(notebook, run.output)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    run.output.with_suffix(".html").write_text(body, encoding="utf-8")
    # One whole line per notebook, as each finishes (they run side by side).
    print(f"  {path.name} ... {'FAILED: ' + error if error else 'ok'} ({run.seconds:.1f} s)", flush=True)
    return run


def demo_sections(clients: dict[str, Any]) -> list[tuple[str, Any]]:
    """The report's sections over the demo accounts' year: first what it is worth in USDT, then
    the native-unit views."""
    start, end = demo_mode.PERIOD
    # Read once, exact (for the proof); the figures take floats.
    exact_balances = unified.balances(clients, exact=True)
    exact_ledger = unified.ledger(clients, start, end, exact=True)
    balances, ledger = (_floats(f, schema) for f, schema in ((exact_balances, unified.BALANCES),
                                                              (exact_ledger, unified.LEDGER)))  # fmt: skip
    proof = reconciling.reconcile(clients, start, end, balances=exact_balances, ledger=exact_ledger)
    withdrawals = unified.withdrawals(clients, start, end)
    rates = unified.fee_rates(clients, demo_mode.SYMBOLS)
    fees = history.fee_history(ledger, withdrawals, freq="MS")
    worth = valuation.portfolio_value(clients, start, end, ledger=ledger, balances=balances)
    paid = unified.fees_paid(ledger, withdrawals)
    fee_prices = valuation.prices(clients, paid["asset"].unique(), start, end)
    fees_in_usdt = valuation.fees_value(ledger, withdrawals, fee_prices)
    last_day = valuation.totals(worth, by="exchange")
    last_day = last_day[last_day["date"] == last_day["date"].max()]
    pairs = unified.transfer_pairs(clients, start, end)
    between = pairs[pairs["matched_by"] != ""][["sent", "from_exchange", "from_account", "to_exchange", "to_account",
                                                "asset", "sent_amount", "fee", "received_amount", "matched_by",
                                                "txid"]]  # fmt: skip
    keys = pd.concat([client.describe_key() for client in clients.values()], ignore_index=True)
    accounts = keys[["exchange", "account", "account_model", "can_trade", "can_withdraw"]]
    rebuilt = f"Balance history, rebuilt from the ledgers of {', '.join(ledger.attrs['exchanges'])}"
    if ledger.attrs.get("not_available"):
        rebuilt += f" (none from {', '.join(ledger.attrs['not_available'])}: see tk.sync)"
    return [
        ("Complete? Each exchange's history, and whether every balance follows from it", completeness(proof)),
        ("Net worth in USDT (each day's balances at that day's close on the exchanges' own markets)",
         plots.net_worth(worth)),
        ("Fees paid in USDT by month (each fee at the close of the day it was paid)", plots.fees_value(fees_in_usdt)),
        ("Net worth in USDT on the last day, by exchange", last_day.round({"value": 2})),
        ("Asset shares", plots.asset_shares(worth)),
        ("Accounts and keys (account_model: classic, hf or unified)", accounts),
        (f"Moves between your exchanges (tk.unified.transfer_pairs): each withdrawal that arrived as a deposit "
         f"on another, a transfer in the tax files; {int((pairs['matched_by'] == '').sum())} other deposits and "
         "withdrawals came from or went to outside", between),
        ("Balances now", balances),
        (rebuilt, plots.balance_history(history.balance_history(ledger, balances), by="exchange")),
        ("Fees paid by month, in each fee's own asset", plots.fee_history(fees)),
        ("Fees paid, totals", fees.groupby(["exchange", "asset", "type"], as_index=False)["fee"].sum()),
        ("Fee rates in force", plots.fee_rates(rates)),
        ("Fee rates, table", rates),
        ("What the ledgers cannot explain (residual: against the running balances a ledger reports and the "
         "daily snapshots an exchange keeps, where it has either)",
         plots.residual(history.residual(ledger, balances, unified.snapshots(clients)), tolerance=1e-8)),
        ("Ledger entries by type", ledger.pivot_table(
            index="exchange", columns="type", values="id", aggfunc="count", fill_value=0
        ).rename_axis(columns=None).reset_index()),
        ("Where the prices come from", pd.DataFrame(
            sorted(worth.attrs["sources"].items()), columns=["asset", "source"])),
        ("Reconciliation: every balance against the events read (exact; tk.reconcile)", proof),
    ]  # fmt: skip


def _floats(frame: pd.DataFrame, schema: dict[str, str]) -> pd.DataFrame:
    out = unified.conform(frame, schema)
    out.attrs = dict(frame.attrs)
    return out


def completeness(proof: pd.DataFrame) -> pd.DataFrame:
    """One row per exchange: whether its history was read complete, whether every balance follows
    from it, and why not where either is no."""
    rows = []
    complete = proof.attrs.get("complete", {})
    failed = {f["exchange"]: f"{f['missing']}: {f['error']}" for f in proof.attrs.get("failures", [])}
    for exchange, group in proof.groupby("exchange"):
        causes = sorted({c for c in group["cause"] if c})
        whole = bool(complete.get(exchange, False)) and exchange not in failed
        why = "; ".join([*([failed[exchange]] if exchange in failed else []), *causes])
        rows.append({"exchange": exchange, "history complete": "yes" if whole else "no",
                     "balances explained": "yes" if not causes else "no", "why not": why})  # fmt: skip
    return pd.DataFrame(rows, columns=["exchange", "history complete", "balances explained", "why not"])


def render(title: str, note: str, sections: Iterable[tuple[str, Any]]) -> str:
    """One HTML page of (heading, table or plotly figure) sections.

    The first figure carries plotly.js inline and the others reuse it, so the page needs no network.
    """
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p class='note'>{html.escape(note)}</p>"]
    plotly_included = False
    for name, content in sections:
        parts.append(f"<h2>{html.escape(name)}</h2>")
        if isinstance(content, pd.DataFrame):
            shown = content.to_html(index=False, border=0, na_rep="") if len(content) else "(nothing)"
            parts.append(shown)
        else:
            parts.append(content.to_html(full_html=False, include_plotlyjs=not plotly_included))
            plotly_included = True
    head = f"<meta charset='utf-8'><title>{html.escape(title)}</title><style>{_STYLE}</style>"
    return f"<!doctype html><html><head>{head}</head><body>{''.join(parts)}</body></html>"


def _notebook_table(runs: list[NotebookRun]) -> pd.DataFrame:
    return pd.DataFrame(
        {"notebook": [r.name for r in runs], "result": [r.error or "ran top to bottom" for r in runs],
         "seconds": [round(r.seconds, 1) for r in runs], "executed copy": [str(r.output) for r in runs]}
    )  # fmt: skip


@needs("plotly", purpose="the demo report")
def run_demo(report: Path, notebooks_out: Path | None, *, newer_accounts: bool = False) -> bool:
    """Run the notebooks (unless ``notebooks_out`` is None) and write the demo report to ``report``;
    ``newer_accounts``: the report's accounts are Bitget's and KuCoin's unified trading accounts.

    Returns whether every notebook ran; the report is written either way and lists them.
    """
    runs: list[NotebookRun] = []
    if notebooks_out is not None:
        print(f"Running the notebooks in {NOTEBOOKS} (executed copies in {notebooks_out}):")
        runs = run_notebooks(NOTEBOOKS, notebooks_out)
    print("Writing the report ...", flush=True)
    was_active = demo_mode.active()
    demo_mode.demo(newer_accounts=newer_accounts)
    clients = {name: connect(name, progress=False) for name in sorted(REGISTRY)}
    try:
        sections = demo_sections(clients)
    finally:
        for client in clients.values():
            if hasattr(client, "close"):  # websocket clients hold a connection and a loop thread
                client.close()
        if not was_active:
            demo_mode.demo(False)
    if runs:
        sections.append(("Notebooks", _notebook_table(runs)))
    start, end = demo_mode.PERIOD
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    note = (
        f"Demo mode: SYNTHETIC accounts ({start} to {end}) served by local sandboxes of the exchanges, fake keys, "
        f"no network. Written {stamp}."
    )
    report.write_text(render("Exchange account report (demo)", note, sections), encoding="utf-8")
    return not any(r.error for r in runs)
