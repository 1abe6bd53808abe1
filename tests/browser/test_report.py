"""The README's main command writes report.html; Chromium opens it from disk with the network cut
off, and every Plotly figure in it draws its traces."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser.support import Deadline, block_network, unrendered, wait_for_figures

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

FIGURE_DIV = re.compile(r"""<div\b[^>]*\bclass=["'][^"']*\bplotly-graph-div\b""")


def write_demo_report(folder: Path, deadline: Deadline) -> Path:
    """``python -m toolkit demo --out <folder>/report.html``, exactly as the README runs it.

    Run in ``folder``, so the executed notebook copies it also writes (``out/notebooks``) stay there.
    """
    out = folder / "report.html"
    command = [sys.executable, "-m", "toolkit", "demo", "--out", str(out)]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=deadline.left())
    assert done.returncode == 0, f"{' '.join(command[1:])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return out


def test_demo_report_draws_every_figure_offline(
    page: Page, page_errors: list[str], deadline: Deadline, tmp_path: Path
) -> None:
    report = write_demo_report(tmp_path, deadline)
    expected = len(FIGURE_DIV.findall(report.read_text(encoding="utf-8")))
    assert expected >= 1, f"{report.name} contains no div.plotly-graph-div: the report has no Plotly figure"

    refused = block_network(page, allowed=lambda url: url.startswith("file://"))
    page.goto(report.as_uri(), wait_until="load", timeout=deadline.ms())
    figures = wait_for_figures(page, ".plotly-graph-div", expected, timeout_ms=deadline.ms(cap=20))

    assert refused == [], f"the report asked for network resources (all blocked): {refused}"
    assert page_errors == [], f"JavaScript errors while drawing the report: {page_errors}"
    assert len(figures) == expected, f"{expected} plotly-graph-div in the file, {len(figures)} on the page"
    assert unrendered(figures) == [], f"figures that did not draw their traces: {unrendered(figures)}"
