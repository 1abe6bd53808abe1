"""Fixtures of the browser check: Debian's Chromium driven by Playwright, a time budget, artifacts.

Run it with ``.ci/browser`` (it builds the separate ``.venv-browser`` environment). Playwright is
imported inside the fixtures only: the main suite collects this folder too, without Playwright.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.support import CHROMIUM, CHROMIUM_ARGS, REPO, Deadline

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Budget of one test, from JupyterLab's start to its stop; .ci/browser adds an outer `timeout` as a last resort.
TEST_BUDGET_S = 240.0
# Any single browser step (click, fill, load) that takes longer than this is stuck.
STEP_TIMEOUT_S = 30.0


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Screenshots for a person to look at: ``browser-artifacts/`` at the repo root, or $BROWSER_ARTIFACTS."""
    path = Path(os.environ.get("BROWSER_ARTIFACTS", REPO / "browser-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run .ci/browser (it installs Debian's chromium package)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=STEP_TIMEOUT_S * 1000)
        yield chromium
        chromium.close()


@pytest.fixture
def deadline() -> Deadline:
    return Deadline(TEST_BUDGET_S)


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest, artifacts_dir: Path) -> Iterator[Page]:
    """A fresh browser tab; when the test ends (passed or not) a full-page screenshot of it is saved."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(STEP_TIMEOUT_S * 1000)
    yield tab
    shot = artifacts_dir / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', request.node.name)}.png"
    try:
        tab.screenshot(path=str(shot), full_page=True, timeout=STEP_TIMEOUT_S * 1000)
        print(f"screenshot: {shot}")
    finally:
        context.close()


@pytest.fixture
def page_errors(page: Page) -> list[str]:
    """Uncaught JavaScript exceptions on the page, as they happen."""
    errors: list[str] = []

    def record(error: Any) -> None:
        errors.append(f"{error.name}: {error.message}")

    page.on("pageerror", record)
    return errors
