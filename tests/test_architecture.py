"""The shape of the code, checked: imports point down the layers, exchange knowledge stays in
``toolkit/exchanges/`` (each exchange's folder and the registry), modules stay readable."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from toolkit.exchanges import REGISTRY, descriptors

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"
MAX_LINES = 800

# Top-level modules by layer: a module imports only from lower layers (the design's diagram).
# errors 0, core 1, exchanges 2 and sandbox 3 are placed by their folders; an exchange's stand-in
# (``toolkit/exchanges/<id>/sandbox*.py``) sits with the sandbox framework it is built on, so no
# client module of its exchange may import it.
RANKS = {
    "credentials": 3,
    "imports": 3,
    "taxfiles": 3,
    "cassettes": 4,
    "unified": 4,
    "store": 4,
    "files": 4,
    "plots": 4,
    "history": 5,
    "reconciling": 5,
    "syncing": 6,
    "valuation": 6,
    "demo_mode": 6,
    "connecting": 7,
    "report": 8,
    "dashboard": 8,
    "widgets": 9,
    "__main__": 10,
    "__init__": 10,
}


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found.append((".".join(parts), path))
    return found


def rank(module: str) -> tuple[int, str]:
    """(layer, group): modules of one group (core, one exchange's folder) may import each other."""
    parts = module.split(".")
    if parts == ["toolkit"]:
        return RANKS["__init__"], "toolkit"
    if parts[1] == "errors":
        return 0, "errors"
    if parts[1] == "core":
        return 1, "core"
    if parts[1] == "exchanges" and is_stand_in(module):
        return 3, "sandbox"
    if parts[1] == "exchanges":
        return 2, ".".join(parts[:3])
    if parts[1] == "sandbox":
        return 3, "sandbox"
    return RANKS[parts[1]], parts[1]


def is_stand_in(module: str) -> bool:
    parts = module.split(".")
    return len(parts) > 3 and parts[1] == "exchanges" and parts[3].startswith("sandbox")


def imported(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    """Every toolkit module ``module`` imports (also inside functions and TYPE_CHECKING blocks)."""
    names = []
    package = module if module == "toolkit" or module.endswith("__init__") else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names if alias.name.startswith("toolkit")]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            if base.startswith("toolkit"):
                # ``from toolkit import unified`` imports the module toolkit.unified.
                subs = [f"{base}.{a.name}" for a in node.names if base == "toolkit" and a.name != "*"]
                names += [(node.lineno, name) for name in (subs or [base])]
    return names


def exchange_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "exchanges" and parts[2] != "__init__" else None


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_imports_point_down_the_layers(module, path):
    tree = ast.parse(path.read_text())
    if module.endswith(".__init__"):
        module = module.removesuffix(".__init__")
    layer, group = rank(module)
    for line, target in imported(tree, module):
        if target == "toolkit" and module != "toolkit":
            pytest.fail(f"{path.name}:{line} imports the toolkit package itself, which imports it")
        target_layer, target_group = rank(target)
        if target_group == group:
            continue
        if module == "toolkit.exchanges" and (target_layer == 1 or target.startswith("toolkit.exchanges.")):
            continue  # the registry reads descriptors defined in core, names the clients for type checkers
        allowed = target_layer < layer and not (layer == 2 and target_layer == 2)
        assert allowed, f"{module} (layer {layer}) imports {target} (layer {target_layer}) at line {line}"


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_no_private_name_is_used_across_modules(module, path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("toolkit"):
            private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
            assert not private, f"{module} imports private {private} from {node.module}"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


# Longest function allowed in toolkit/core: one screen, read without scrolling back.
MAX_CORE_FUNCTION_LINES = 60


def test_core_imports_form_no_cycle():
    """Inside core too, imports point one way (counting imports in functions and for type checking):
    a module that needs another's object is handed it (the runner and candles take a client, which
    they describe as a Protocol) rather than importing back up."""
    graph = {
        module: {name for _, name in imported(ast.parse(path.read_text()), module) if name.startswith("toolkit.core.")}
        for module, path in modules()
        if module.startswith("toolkit.core.")
    }
    cycles = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(graph.get(module, ())):
            if target in trail:
                cycles.append(" -> ".join([*trail[trail.index(target) :], target]))
            elif target in graph and len(trail) < len(graph):
                visit(target, [*trail, target])

    for module in sorted(graph):
        visit(module, [module])
    assert not cycles, "import cycles inside toolkit/core:\n" + "\n".join(sorted(set(cycles)))


def test_no_core_function_is_longer_than_a_screen():
    long = []
    for module, path in modules():
        if not module.startswith("toolkit.core."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_CORE_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.name}: {lines} lines")
    assert not long, f"functions over {MAX_CORE_FUNCTION_LINES} lines in core:\n" + "\n".join(long)


def _names_and_texts(tree: ast.AST) -> list[tuple[int, str]]:
    """Every identifier, imported module and string of the code (docstrings and comments are prose,
    where an exchange is an example: not counted)."""
    prose = _docstrings(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.Name):
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute):
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.ImportFrom):
            found += [(node.lineno, node.module or "")] + [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def test_no_exchange_is_named_outside_its_folder():
    """Outside ``toolkit/exchanges/`` (its folders and the registry) no code names an exchange: not
    its id, label or client class, in a string or a name, nor its credential headers. What differs
    between exchanges is read from their descriptors."""
    words = {w.lower() for d in descriptors() for w in (d.id, d.label, d.client.__name__)}
    headers = {h.lower() for d in descriptors() for h in d.redact_headers}
    found = []
    for module, path in modules():
        if module.startswith("toolkit.exchanges."):
            continue
        for line, text in _names_and_texts(ast.parse(path.read_text())):
            lowered = text.lower()
            if any(w in lowered for w in words) or any(h in lowered for h in headers):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: {text!r}")
    assert not found, "exchange knowledge outside toolkit/exchanges/:\n" + "\n".join(found)


def test_the_check_for_exchange_names_sees_strings_names_and_imports():
    code = (
        'from toolkit.exchanges.kucoin import KucoinClient\nx = "bitget"\ny = BinanceThing\n'
        'def f():\n    """KuCoin, prose."""'
    )
    texts = [text for _, text in _names_and_texts(ast.parse(code))]
    assert "toolkit.exchanges.kucoin" in texts and "KucoinClient" in texts
    assert "bitget" in texts and "BinanceThing" in texts
    assert not any("prose" in t for t in texts)


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_modules_stay_readable_in_one_sitting(module, path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines (at most {MAX_LINES})"


def test_every_exchange_folder_has_the_same_modules():
    expected = {"__init__.py", "auth.py", "client.py", "endpoints.py", "errors.py", "unified.py", "sandbox.py"}
    for exchange in REGISTRY:
        present = {p.name for p in (PACKAGE / "exchanges" / exchange).glob("*.py")}
        assert expected <= present, f"{exchange} lacks {sorted(expected - present)}"


def test_every_exchange_folder_imports_only_core_errors_and_itself():
    for module, path in modules():
        exchange = exchange_of(module)
        if exchange is None or is_stand_in(module):
            continue
        for line, target in imported(ast.parse(path.read_text()), module):
            ok = target.startswith(("toolkit.core", "toolkit.errors", f"toolkit.exchanges.{exchange}"))
            assert ok, f"{module}:{line} imports {target}"


def test_every_runtime_dependency_is_used():
    # A dependency declared and never imported only costs installs (nest-asyncio was one).
    import re
    import tomllib

    modules = {
        "pandas": "pandas",
        "numpy": "numpy",
        "requests": "requests",
        "msgspec": "msgspec",
        "tqdm": "tqdm",
        "cryptography": "cryptography",
        "vcrpy": "vcr",
        "websockets": "websockets",
        "pyarrow": None,
    }  # fmt: skip  (pyarrow: pandas' Parquet writer and string columns)
    declared = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["project"]["dependencies"]
    names = [re.split(r"[<>=\[ ]", spec, maxsplit=1)[0] for spec in declared]
    assert set(names) == set(modules), f"tell this test which module each new dependency is: {names}"
    source = "\n".join(path.read_text() for path in PACKAGE.rglob("*.py"))
    for name in (n for n in names if modules[n]):
        assert re.search(rf"^\s*(import|from) {modules[name]}\b", source, re.M), f"{name} is declared, never imported"


def test_importing_the_toolkit_changes_nothing_process_wide():
    # Installed when asked: the cassette transport's errors when a recorder is made, the log
    # redaction when a secret is first registered; importing changes neither.
    code = (
        "import logging; default = logging.getLogRecordFactory()\n"
        "import toolkit, toolkit.cassettes, toolkit.widgets, toolkit.report\n"
        "from toolkit.core.http import HttpTransport\n"
        "print(HttpTransport.replay_errors == (), logging.getLogRecordFactory() is default)\n"
        "toolkit.cassettes.make_vcr()\n"
        "print(HttpTransport.replay_errors != ())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True"]
