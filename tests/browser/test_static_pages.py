"""Every notebook converted as a user converts it (``jupyter nbconvert --execute --to html``, widget
state saved), opened from disk in Chromium with the network cut off: each figure is drawn (an
image that decodes), the widgets' sentences are visible, and each page is under 2 MB."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import REPO, Deadline, block_network

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
# What the page shows where the widget would be, in the notebooks that have one.
SENTENCES = {
    "01_quickstart": "Credentials form (exchange, API key, secret, passphrase, Connect)",
    "04_dashboard": "Dashboard of binance, bitget, coinw, kucoin:",
}
# Figures each notebook draws (04: the dashboard's four, as they were when it was shown).
FIGURES = {"01_quickstart": 1, "02_ledger_and_balance_history": 4, "03_fees": 3, "04_dashboard": 4}

IMAGES_JS = """() => [...document.querySelectorAll('img[src^="data:image/svg+xml"]')]
    .map(img => ({width: img.naturalWidth, visible: img.getBoundingClientRect().height > 0}))"""


def test_plain_nbconvert_pages_draw_every_figure_and_sentence_offline(
    page: Page, deadline: Deadline, tmp_path: Path
) -> None:
    command = [sys.executable, "-m", "nbconvert", "--execute", "--to", "html", "--output-dir", str(tmp_path),
               *map(str, NOTEBOOKS)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=deadline.left())
    assert done.returncode == 0, done.stderr[-3000:]
    block_network(page, allowed=lambda url: url.startswith(("file://", "data:")))  # the CDN scripts fail
    for notebook in NOTEBOOKS:
        html = tmp_path / f"{notebook.stem}.html"
        assert html.stat().st_size < 2_000_000, f"{html.name}: {html.stat().st_size:,} bytes"
        page.goto(html.as_uri(), wait_until="load", timeout=deadline.ms())
        images = page.evaluate(IMAGES_JS)
        assert len(images) == FIGURES.get(notebook.stem, 0), f"{html.name}: {images}"
        assert all(image["width"] > 0 and image["visible"] for image in images), f"{html.name}: {images}"
        if notebook.stem in SENTENCES:
            assert page.get_by_text(SENTENCES[notebook.stem]).first.is_visible(), html.name
