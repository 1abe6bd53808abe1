"""The README's main job: every notebook runs offline, and the report holds the figures."""

from __future__ import annotations

import re

import nbformat
import pytest

from toolkit import demo_mode
from toolkit.__main__ import main
from toolkit.report import NOTEBOOKS


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
    assert headings[0].startswith("Net worth in USDT") and headings[1].startswith("Fees paid in USDT by month")
    assert headings[-1] == "Notebooks"
    assert any(
        h.startswith("Balance history, rebuilt from the ledgers of binance, bitget, coinw, kucoin") for h in headings
    )
    # net worth, fees in USDT, asset shares, balance, fees, fee rates, residual
    assert len(re.findall(r'class="plotly-graph-div"', html)) == 7
    assert html.count("plotly.js v") == 1  # the library inline, once; nothing fetched
    assert not re.search(r"<script[^>]+src=", html)
    assert "Balance history by asset" in html and "Fees by month and type" in html
    assert "Net worth in USDT by exchange" in html and "Fees in USDT by month and type" in html
    assert "not priced" not in html  # every demo asset has a market
    assert "SYNTHETIC" in html
    assert "DEMO-" not in html and "SECRET" not in html


def test_every_notebook_ran_top_to_bottom(demo_run):
    _, folder = demo_run
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert sorted(p.name for p in (folder / "notebooks").glob("*.ipynb")) == names
    assert len(names) == 5
    for name in names:
        notebook = nbformat.read(folder / "notebooks" / name, as_version=4)
        cells = [c for c in notebook.cells if c.cell_type == "code"]
        assert all(c.execution_count for c in cells), f"{name}: a cell did not run"
        errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
        assert not errors, f"{name}: {errors[0].ename}: {errors[0].evalue}"
        assert "widgets" not in notebook.metadata  # no widget state saved


def test_ledger_notebook_finds_the_demo_ledger_consistent(demo_run):
    _, folder = demo_run
    notebook = nbformat.read(folder / "notebooks" / "02_ledger_and_balance_history.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    residual = float(re.search(r"largest residual: (\S+)", printed).group(1))
    assert residual < 1e-8
    assert re.search(r"\d{3,} entries from binance, bitget, coinw, kucoin", printed)
