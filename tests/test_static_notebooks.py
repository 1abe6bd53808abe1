"""A notebook run as Jupyter and ``jupyter nbconvert --execute --to html`` run it (nbclient with the
widget state saved, then nbconvert's HTML exporter) shows the widgets' sentences and every figure
offline, at a sensible size, and keeps no secret.

The main job runs the notebooks without widget state (tests/test_report.py); this is the other way,
the one that gave a 20.9 MB ``04_dashboard.html`` whose widgets and figures needed the network.
tests/browser/test_static_pages.py runs the command itself on every notebook and opens the pages
in Chromium with the network blocked."""

from __future__ import annotations

import json
import re

import nbclient
import nbformat
import plotly.graph_objects as go
import pytest
from nbconvert import HTMLExporter

import toolkit as tk
from toolkit import demo_mode
from toolkit.report import NOTEBOOKS
from toolkit.widgets import STATIC_SENTENCE


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict[str, tuple[nbformat.NotebookNode, str]]:
    """name -> (the executed notebook, its HTML page), for the two notebooks with widgets."""
    done = {}
    for name in ("01_quickstart", "04_dashboard"):
        notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()  # fmt: skip
        page, _ = HTMLExporter().from_notebook_node(notebook)
        done[name] = notebook, page
    return done


def visible_text(page: str) -> str:
    """The page without its scripts and styles: what a reader sees."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)


def test_the_pages_show_the_widgets_sentences_and_figures_under_2_mb(converted):
    if tk.plots.static_svg(go.Figure()) is None:
        pytest.skip("no Chromium for kaleido here: figures would be saved as HTML with plotly.js (5 MB)")
    for name, (notebook, page) in converted.items():
        assert "widgets" in notebook.metadata  # the state was saved: the hard case
        assert len(page.encode()) < 2_000_000, f"{name}: {len(page.encode()):,} bytes"
        assert "plotly.js v" not in page  # no library inline: the figures are images
    quickstart = visible_text(converted["01_quickstart"][1])
    assert STATIC_SENTENCE.split(":")[0] in quickstart
    assert quickstart.count('src="data:image/svg+xml;base64,') == 1  # the fee-rate figure
    board = visible_text(converted["04_dashboard"][1])
    assert "Dashboard of binance, bitget, coinw, kucoin:" in board
    assert board.count('src="data:image/svg+xml;base64,') == 4  # its four figures, as they were drawn


def test_quickstart_notebook_connects_in_demo_mode_and_saves_no_secret(converted):
    notebook, page = converted["01_quickstart"]
    assert "tk.demo()" in notebook.cells[0].source
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    shown = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs)
    assert "[trade, readonly]" in shown and "127.0.0.1" in shown  # the key summary after Connect
    assert "<BitgetClient http://127.0.0.1:" in shown  # the demo's client talks to the local sandbox
    demo_keys = demo_mode.credentials("bitget")
    for saved in (json.dumps(notebook), page):
        assert not any(value in saved for value in (demo_keys.api_key, demo_keys.api_secret, demo_keys.passphrase))
