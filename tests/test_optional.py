"""Without the [notebook] extra, a feature that needs it says what to install."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

import toolkit as tk
from toolkit.__main__ import main
from toolkit.errors import ConfigurationError, MissingDependency

HINT = "pip install 'exchange-account-toolkit[notebook]'"


@pytest.mark.parametrize(
    ("missing", "call"),
    [
        ("plotly", lambda: tk.plots.net_worth(pd.DataFrame())),
        ("plotly", lambda: tk.plots.balance_history(pd.DataFrame())),
        ("ipywidgets", lambda: tk.widgets.credentials_form("kucoin")),
        ("ipywidgets", lambda: tk.widgets.dashboard([])),
    ],
)
def test_a_missing_optional_library_names_the_extra(monkeypatch, missing, call):
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed: find_spec finds nothing
    with pytest.raises(MissingDependency) as caught:
        call()
    assert HINT in str(caught.value) and missing in str(caught.value)
    assert isinstance(caught.value, ConfigurationError) and isinstance(caught.value, ImportError)


def test_the_demo_command_without_nbclient_says_what_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "nbclient", None)
    assert main(["demo", "--out", str(tmp_path / "r.html"), "--notebooks-out", str(tmp_path / "nb")]) == 2
    err = capsys.readouterr().err
    assert "running the notebooks needs nbclient" in err and HINT in err
    assert not (tmp_path / "r.html").exists()
