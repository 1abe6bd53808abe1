"""The optional libraries some features need (the ``[notebook]`` extra): a clear error that names
what to install, instead of a bare ``ModuleNotFoundError`` from deep inside a call."""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from typing import Any, TypeVar

from toolkit.errors import MissingDependency

Function = TypeVar("Function", bound=Callable[..., Any])
# The distribution each importable name comes from, where they differ.
DISTRIBUTIONS = {"nbconvert": "nbconvert", "IPython": "ipython"}


def require(*modules: str, purpose: str, extra: str = "notebook") -> None:
    """Raise ``MissingDependency`` unless every one of ``modules`` can be imported."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        names = ", ".join(DISTRIBUTIONS.get(name, name) for name in missing)
        raise MissingDependency(
            f"{purpose} needs {names}, not installed here: pip install 'exchange-account-toolkit[{extra}]' "
            f"(or pip install {' '.join(DISTRIBUTIONS.get(name, name) for name in missing)})"
        )


def needs(*modules: str, purpose: str, extra: str = "notebook") -> Callable[[Function], Function]:
    """A function that first checks ``require(*modules)``."""

    def wrap(function: Function) -> Function:
        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            require(*modules, purpose=purpose, extra=extra)
            return function(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return wrap
