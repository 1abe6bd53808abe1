"""The README's main job: every notebook runs offline, and the report holds the figures."""

from __future__ import annotations

import json
import re
import shutil

import nbformat
import pytest

import toolkit as tk
from toolkit import demo_mode
from toolkit.__main__ import main
from toolkit.report import NOTEBOOKS
from toolkit.widgets import STATIC_SENTENCE

# kaleido draws the static figures in the system's Chromium (see .ci/chromium).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    code = main(["demo", "--out", str(folder / "report.html"), "--notebooks-out", str(folder / "notebooks")])
    return code, folder


def test_the_main_job_succeeds_and_leaves_demo_mode_off(demo_run):
    code, _ = demo_run
    assert code == 0
    assert not demo_mode.active()


def test_report_embeds_plotly_once_and_every_figure(demo_run):
    _, folder = demo_run
    html = (folder / "report.html").read_text()
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings[0].startswith("Complete? Each exchange") and headings[1].startswith("Net worth in USDT")
    complete = html[html.index("Complete? Each exchange") : html.index("Net worth in USDT (each")]
    rows = re.findall(r"<tr>\s*<td>(\w+)</td>\s*<td>(\w+)</td>\s*<td>(\w+)</td>", complete)
    assert rows == [(e, "yes", "yes") for e in sorted(tk.EXCHANGES)]
    assert headings[-2].startswith("Reconciliation: every balance against the events read")
    assert headings[2].startswith("Fees paid in USDT by month")
    assert headings[-1] == "Notebooks"
    assert any(
        h.startswith("Balance history, rebuilt from the ledgers of binance, bitget, coinw, kucoin") for h in headings
    )
    # net worth, fees in USDT, asset shares, balance, fees, fee rates, residual
    assert len(re.findall(r'class="plotly-graph-div"', html)) == 7
    assert html.count("plotly.js v") == 1  # the library inline, once; nothing fetched
    assert not re.search(r"<script[^>]+src=", html)
    assert "Balance history by exchange" in html and "Fees by month and type" in html  # who holds what
    assert "Net worth in USDT by exchange" in html and "Fees in USDT by month and type" in html
    assert "not priced" not in html  # every demo asset has a market
    assert "SYNTHETIC" in html
    assert "DEMO-" not in html and "SECRET" not in html
    by_type = html[html.index("<h2>Ledger entries by type</h2>") :]
    assert re.search(r"<thead>\s*<tr[^>]*>\s*<th>exchange</th>", by_type)  # no empty first column
    moves = html[html.index("<h2>Moves between your exchanges") :]
    assert moves.index("<td>kucoin</td>") < moves.index("</table>")  # the demo's own moves, paired
    assert len(re.findall(r"<td>txid</td>", moves[: moves.index("</table>")])) == 3


def test_every_notebook_ran_top_to_bottom(demo_run):
    _, folder = demo_run
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(p.name for p in (folder / "notebooks").glob("*.ipynb")) == names
    assert len(names) == 6
    for name in names:
        notebook = nbformat.read(folder / "notebooks" / name, as_version=4)
        cells = [c for c in notebook.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in cells), f"{name}: a cell did not run"
        errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
        assert ("widgets" in notebook.metadata) == (name in ("01_quickstart.ipynb", "04_dashboard.ipynb"))


def test_ledger_notebook_finds_the_demo_ledger_consistent(demo_run):
    _, folder = demo_run
    notebook = nbformat.read(folder / "notebooks" / "02_ledger_and_balance_history.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    residual = float(re.search(r"largest residual: (\S+)", printed).group(1))
    assert residual < 1e-8
    assert re.search(r"\d{3,} entries from binance, bitget, coinw, kucoin", printed)


def test_the_stream_notebook_ends_stopped_and_tells_the_ocos_orders_apart(demo_run):
    _, folder = demo_run
    committed = nbformat.read(NOTEBOOKS / "05_binance_live_stream.ipynb", as_version=4)
    assert all(not cell.get("outputs") for cell in committed.cells if cell.cell_type == "code")  # stripped
    notebook = nbformat.read(folder / "notebooks" / "05_binance_live_stream.ipynb", as_version=4)
    assert notebook.cells[-2].outputs[0]["data"]["text/plain"] == "('stopped', ['active', 'stopped'])"
    lists = next(c for c in notebook.cells if c.cell_type == "code" and 'events["list_status"]' in c.source)
    table = lists.outputs[0]["data"]["text/html"]
    rows = table.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 2  # two orders of one OCO, told apart by their order ids
    assert "1000002" in rows[0] and "1000003" in rows[1] and "order_client_order_id" in table


def test_every_executed_notebook_renders_without_a_kernel(demo_run):
    # What GitHub, nbviewer and nbconvert show: each figure also as an SVG image (or, on a machine
    # that cannot draw one, as HTML with the plotly.js the notebook then carries once), each widget
    # as a sentence rather than "VBox(children=(...".
    _, folder = demo_run
    drawn = CHROMIUM is not None
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "data" in o]
        figures = [o for o in outputs if "application/vnd.plotly.v1+json" in o.data]
        static = "image/svg+xml" if drawn else "text/html"
        assert all(static in o.data for o in figures), path.name
        widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.data]
        assert not any(o.data.get("text/plain", "").startswith(("VBox(", "HBox(")) for o in widgets), path.name
        page = path.with_suffix(".html")
        if drawn:
            assert page.stat().st_size < 2_000_000, f"{path.name}: {page.stat().st_size:,} bytes"
            assert page.read_text().count('src="data:image/svg+xml;base64,') >= len(figures), path.name
        elif figures:
            assert "plotly.js v" in page.read_text(), f"{path.name}: no plotly.js to draw its figures"
    quickstart = nbformat.read(folder / "notebooks" / "01_quickstart.ipynb", as_version=4)
    texts = [o.data.get("text/plain", "") for c in quickstart.cells for o in c.get("outputs", []) if "data" in o]
    assert STATIC_SENTENCE in texts
    board = nbformat.read(folder / "notebooks" / "04_dashboard.ipynb", as_version=4)
    texts = [o.data.get("text/plain", "") for c in board.cells for o in c.get("outputs", []) if "data" in o]
    assert any(t.startswith("Dashboard of binance, bitget, coinw, kucoin:") for t in texts)


def visible_text(page: str) -> str:
    """A page without its scripts and styles: what a reader sees."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)


def test_the_widget_notebooks_pages_show_their_sentences_and_figures_under_2_mb(demo_run):
    # The copies are what `jupyter nbconvert --execute --to html` writes (nbclient with the widget
    # state saved, then nbconvert's HTML exporter): that gave a 20.9 MB 04_dashboard.html whose
    # widgets and figures needed the network. tests/browser/test_static_pages.py runs the command
    # itself on every notebook and opens the pages in Chromium with the network blocked.
    _, folder = demo_run
    if not CHROMIUM:
        pytest.skip("no Chromium for kaleido here: figures are saved as HTML with plotly.js (5 MB)")
    pages = {name: (folder / "notebooks" / f"{name}.html").read_text() for name in ("01_quickstart", "04_dashboard")}
    for name, page in pages.items():
        assert "application/vnd.jupyter.widget-state+json" in page, name  # the state was saved: the hard case
        assert len(page.encode()) < 2_000_000, f"{name}: {len(page.encode()):,} bytes"
        assert "plotly.js v" not in page, name  # no library inline: the figures are images
    quickstart, board = (visible_text(page) for page in pages.values())
    assert STATIC_SENTENCE.split(":")[0] in quickstart
    assert quickstart.count('src="data:image/svg+xml;base64,') == 1  # the fee-rate figure
    assert "Dashboard of binance, bitget, coinw, kucoin:" in board
    assert board.count('src="data:image/svg+xml;base64,') == 4  # its four figures, as they were drawn


def test_quickstart_notebook_connects_in_demo_mode_and_saves_no_secret(demo_run):
    _, folder = demo_run
    notebook = nbformat.read(folder / "notebooks" / "01_quickstart.ipynb", as_version=4)
    assert "tk.demo()" in notebook.cells[0].source
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    shown = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "[trade, readonly]" in shown and "127.0.0.1" in shown  # the key summary after Connect
    assert "<BitgetClient http://127.0.0.1:" in shown  # the demo's client talks to the local sandbox
    demo_keys = demo_mode.credentials("bitget")
    for saved in (json.dumps(notebook), (folder / "notebooks" / "01_quickstart.html").read_text()):
        assert not any(value in saved for value in (demo_keys.api_key, demo_keys.api_secret, demo_keys.passphrase))


def test_the_report_of_the_newer_accounts_shows_all_four_and_which_are_unified(tmp_path):
    out = tmp_path / "newer.html"
    assert main(["demo", "--out", str(out), "--skip-notebooks", "--newer-accounts"]) == 0
    html = out.read_text()
    accounts = html[html.index("Accounts and keys") :]
    rows = re.findall(
        r"<tr>\s*<td>(\w+)</td>\s*<td>[^<]*</td>\s*<td>(\w+)</td>", accounts[: accounts.index("</table>")]
    )
    assert rows == [("binance", "classic"), ("bitget", "unified"), ("coinw", "classic"), ("kucoin", "unified")]
    assert "Balance history, rebuilt from the ledgers of binance, bitget, coinw, kucoin" in html
    assert not demo_mode.active()
