"""The quickstart notebook in a real JupyterLab in headless Chromium: it runs, the credentials form
connects with typed keys and empties its password fields, a save with widget state keeps no secret,
and the outputs show a DataFrame table and a drawn Plotly figure.

The notebook runs in demo mode (its first cell calls ``tk.demo()``): the shipped cassettes answer
any key, so the obviously fake keys typed here work and nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.support import (
    REPO,
    Deadline,
    block_network,
    die_with_parent,
    evaluate_within,
    free_port,
    stop_process_tree,
    unrendered,
    wait_for_figures,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

NOTEBOOK = REPO / "notebooks" / "01_quickstart.ipynb"
# What is typed into the form, by its field label; obviously fake, and distinctive so the file can be searched.
TYPED = {
    "API key": "FAKE-BROWSER-KEY-123",
    "API secret": "FAKE-BROWSER-SECRET-456",
    "Passphrase": "FAKE-BROWSER-PASS-789",
}
# KuCoin, not the notebook's preselected Bitget: choosing it resets the status line, so the
# "Connected to KuCoin" seen afterwards can only come from the keys typed here.
EXCHANGE, EXCHANGE_LABEL = "kucoin", "KuCoin"
CONNECTED = f"Connected to {EXCHANGE_LABEL}"  # what widgets.summary_html shows after a successful Connect
DEMO_FILLED = "Demo mode: filled in with obviously fake keys"  # the status after choosing an exchange
# Time kept back from the budget when waiting for Jupyter to start, so that the test itself can still run.
TEST_MARGIN_S = 120.0

# Lab settings for this run only: widget state saved into the notebook (what this test checks),
# every cell attached to the page (JupyterLab otherwise skips drawing cells out of view), no news.
LAB_OVERRIDES = {
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}

# The current notebook panel of the JupyterLab exposed by --LabApp.expose_app_in_browser.
_PANEL = "window.jupyterapp?.shell.currentWidget"
KERNEL_IDLE_JS = f"() => {_PANEL}?.sessionContext?.session?.kernel?.status === 'idle'"
# Per code cell: its execution count and the errors among its outputs (from the model, not the DOM).
CELLS_JS = f"""() => {_PANEL}.content.widgets.filter((c) => c.model.type === 'code').map((c) => ({{
    count: c.model.executionCount,
    errors: c.model.outputs.toJSON().filter((o) => o.output_type === 'error').map((o) => o.ename + ': ' + o.evalue),
}}))"""
# A run is over when the kernel is idle again and every code cell has a count, or one raised (that stops the rest).
RUN_DONE_JS = f"""() => ({KERNEL_IDLE_JS})() && (
    ({CELLS_JS})().every((c) => c.count !== null) || ({CELLS_JS})().some((c) => c.errors.length))"""
# Evaluates a Python expression in the notebook's kernel without a cell: nothing lands in the notebook.
KERNEL_EXPRESSION_JS = f"""async (expression) => {{
    const kernel = {_PANEL}.sessionContext.session.kernel;
    const reply = await kernel.requestExecute(
        {{code: '', silent: true, store_history: false, user_expressions: {{value: expression}}}}).done;
    const value = reply.content.user_expressions.value;
    return value.status === 'ok' ? value.data['text/plain'] : value.ename + ': ' + value.evalue;
}}"""
PASSWORDS_JS = "() => Array.from(document.querySelectorAll('.jupyter-widgets input[type=password]'), (e) => e.value)"


@dataclass
class Jupyter:
    url: str
    token: str
    root: Path  # the folder it serves


def jupyter_env(state: Path) -> dict[str, str]:
    """The environment with every Jupyter/IPython state folder (and HOME) in ``state``."""
    env = dict(os.environ)
    for name, sub in [
        ("HOME", "home"),
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ]:
        env[name] = str(state / sub)
        (state / sub).mkdir()
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"  # never a developer's real keyring
    return env


def wait_until_up(proc: subprocess.Popen[Any], status_url: str, log: Path, deadline: Deadline) -> None:
    """Poll /api/status until Jupyter answers; fail with its log if it exits or takes too long."""
    while True:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(status_url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if deadline.left() < TEST_MARGIN_S:
            pytest.fail(f"jupyter lab did not answer {status_url.split('?')[0]} in time:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


@pytest.fixture
def jupyter(tmp_path: Path, deadline: Deadline) -> Iterator[Jupyter]:
    """JupyterLab on 127.0.0.1 with a random token and throwaway state, stopped (with its kernels) afterwards."""
    state, root, settings = tmp_path / "state", tmp_path / "root", tmp_path / "lab-settings"
    for folder in (state, root, settings):
        folder.mkdir()
    (settings / "overrides.json").write_text(json.dumps(LAB_OVERRIDES))
    port, token = free_port(), secrets.token_hex(16)
    command = [
        *(sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}"),
        *(f"--IdentityProvider.token={token}", "--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True"),
        *(f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0", f"--LabApp.app_settings_dir={settings}"),
    ]
    log = tmp_path / "jupyter.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            env=jupyter_env(state),
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
            preexec_fn=die_with_parent,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(proc, f"{url}/api/status?token={token}", log, deadline)
        yield Jupyter(url, token, root)
    finally:
        stop_process_tree(proc)


def run_all_cells(page: Page, deadline: Deadline) -> list[dict[str, Any]]:
    """Run every cell once the kernel is idle; returns each code cell's execution count and errors."""
    page.wait_for_function(KERNEL_IDLE_JS, timeout=deadline.ms(cap=90))
    # Not awaited: the command's promise lasts as long as the run, and page.evaluate has no timeout.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(RUN_DONE_JS, timeout=deadline.ms(cap=120))
    return list(page.evaluate(CELLS_JS))


def connect_with_typed_keys(page: Page) -> str:
    """Choose the exchange, type the fake keys, press Connect; returns the form's status text."""
    form = page.locator(".jupyter-widgets.widget-vbox", has=page.get_by_role("button", name="Connect"))
    status = form.locator(".widget-html-content")
    form.locator("select").select_option(label=EXCHANGE_LABEL)
    status.filter(has_text=DEMO_FILLED).wait_for()
    for label, value in TYPED.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Connect").click()
    status.filter(has_text=CONNECTED).or_(status.filter(has_text="❌")).wait_for()
    return status.inner_text()


def save_notebook(page: Page, path: Path) -> str:
    """Save through JupyterLab (widget state included, per LAB_OVERRIDES); the file's text as written to disk."""
    before = path.stat().st_mtime_ns
    evaluate_within(page, "() => window.jupyterapp.commands.execute('docmanager:save')")
    assert path.stat().st_mtime_ns != before, "docmanager:save did not write the notebook"
    return path.read_text(encoding="utf-8")


def fit_viewport_to_notebook(page: Page) -> None:
    """JupyterLab scrolls inside its own panel: make the window as tall as the notebook, for the screenshot."""
    page.evaluate("() => window.jupyterapp.shell.collapseLeft()")  # the file browser only takes width
    scroller = page.locator(".jp-NotebookPanel .jp-WindowedPanel-outer").first
    height = scroller.evaluate("(node) => { node.scrollTop = 0; return node.scrollHeight - node.clientHeight; }")
    size = page.viewport_size or {"width": 1280, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": min(size["height"] + int(height) + 100, 12000)})


def test_quickstart_notebook_in_jupyterlab(jupyter: Jupyter, page: Page, deadline: Deadline) -> None:
    notebook = jupyter.root / NOTEBOOK.name
    shutil.copy(NOTEBOOK, notebook)  # the current file, every run
    refused = block_network(page, allowed=lambda url: url.startswith(jupyter.url + "/"))
    page.goto(f"{jupyter.url}/lab/tree/{notebook.name}?token={jupyter.token}", timeout=deadline.ms(cap=60))

    cells = run_all_cells(page, deadline)
    errors = [e for c in cells for e in c["errors"]]
    assert errors == [], f"cells raised: {errors}"
    assert all(c["count"] is not None for c in cells), f"cells left unexecuted: {cells}"

    figures = wait_for_figures(page, ".js-plotly-plot", 1, timeout_ms=deadline.ms(cap=30))
    assert figures, "no Plotly figure (.js-plotly-plot) among the outputs"
    assert unrendered(figures) == [], f"figures that did not draw their traces: {unrendered(figures)}"
    tables = page.locator(".jp-OutputArea-output table.dataframe")
    assert tables.count() >= 1, "no DataFrame table (table.dataframe) among the outputs"
    assert tables.filter(has_text="bitget").count() >= 1, "no output table mentions the bitget account"

    status = connect_with_typed_keys(page)
    assert CONNECTED in status, f"the form did not report a connection after Connect: {status!r}"
    passwords = page.evaluate(PASSWORDS_JS)
    assert len(passwords) == 3, f"expected the form's 3 password fields, found {len(passwords)}"
    still_filled = sum(map(bool, passwords))
    assert still_filled == 0, f"{still_filled} of the password fields still hold text after Connect"
    same = f"tk.credentials.session_credentials({EXCHANGE!r}) == tk.Credentials(*{list(TYPED.values())!r})"
    reached = evaluate_within(page, KERNEL_EXPRESSION_JS, same)
    assert reached == "True", f"the keys typed in the browser are not the session's {EXCHANGE} credentials: {reached}"

    text = save_notebook(page, notebook)
    widget_state = json.dumps(json.loads(text)["metadata"].get("widgets", {}))
    assert CONNECTED in widget_state, "the saved notebook holds no widget state after Connect (saveState off?)"
    leaked = [label for label, value in TYPED.items() if value in text]
    assert leaked == [], f"the saved notebook contains what was typed as: {', '.join(leaked)}"
    assert refused == [], f"JupyterLab asked for resources off 127.0.0.1 (all blocked): {refused}"
    fit_viewport_to_notebook(page)
