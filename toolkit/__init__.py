"""Exchange Account Toolkit: your crypto-exchange accounts as pandas DataFrames.

>>> import toolkit as tk
>>> client = tk.connect("bitget", tk.Credentials.from_env("bitget"))   # doctest: +SKIP
>>> client.get_balances()                                             # doctest: +SKIP
"""

from __future__ import annotations

# plots and widgets import plotly / ipywidgets only when a function is called.
from toolkit import demo_mode as _demo
from toolkit import errors, history, imports, plots, store, unified, valuation, widgets
from toolkit.connecting import connect
from toolkit.core.credentials import Credentials
from toolkit.exchanges import REGISTRY
from toolkit.files import export
from toolkit.reconciling import coverage, reconcile
from toolkit.syncing import sync

__all__ = [
    "EXCHANGES",
    "Credentials",
    "connect",
    "coverage",
    "demo",
    "errors",
    "export",
    "history",
    "imports",
    "plots",
    "reconcile",
    "store",
    "sync",
    "unified",
    "valuation",
    "widgets",
]
__version__ = "0.1.0"

EXCHANGES = tuple(sorted(REGISTRY))
demo = _demo.demo
