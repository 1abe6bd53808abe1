"""A notebook converted as a user converts it (``jupyter nbconvert --execute --to html``, which saves
the widget state) shows the widgets' sentences and every figure offline, at a sensible size.

The main job runs the notebooks without widget state (tests/test_report.py); this is the other way,
the one that gave a 20.9 MB ``04_dashboard.html`` whose widgets and figures needed the network.
tests/browser/test_static_pages.py opens such pages in Chromium with the network blocked."""

from __future__ import annotations

import re
import subprocess
import sys

import plotly.graph_objects as go
import pytest

import toolkit as tk
from toolkit.report import NOTEBOOKS
from toolkit.widgets import STATIC_SENTENCE


def visible_text(page: str) -> str:
    """The page without its scripts and styles: what a reader sees."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)


def test_plain_nbconvert_of_the_widget_notebooks_shows_their_sentences_and_figures(tmp_path):
    if tk.plots.static_svg(go.Figure()) is None:
        pytest.skip("no Chromium for kaleido here: figures would be saved as HTML with plotly.js (5 MB)")
    names = ["01_quickstart.ipynb", "04_dashboard.ipynb"]
    done = subprocess.run(
        [sys.executable, "-m", "nbconvert", "--execute", "--to", "html", "--output-dir", str(tmp_path),
         *(str(NOTEBOOKS / name) for name in names)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for name in names:
        page = (tmp_path / name).with_suffix(".html").read_text()
        assert len(page.encode()) < 2_000_000, f"{name}: {len(page.encode()):,} bytes"
        assert "application/vnd.jupyter.widget-state+json" in page  # the state was saved: the hard case
        assert "plotly.js v" not in page  # no library inline: the figures are images
    quickstart = visible_text((tmp_path / "01_quickstart.html").read_text())
    assert STATIC_SENTENCE.split(":")[0] in quickstart
    assert quickstart.count('src="data:image/svg+xml;base64,') == 1  # the fee-rate figure
    board = visible_text((tmp_path / "04_dashboard.html").read_text())
    assert "Dashboard of binance, bitget, coinw, kucoin:" in board
    assert board.count('src="data:image/svg+xml;base64,') == 4  # its four figures, as they were drawn
