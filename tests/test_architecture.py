"""The shape of the code: layers/ is the domain (no Dash, Plotly or Flask), no cycles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_PACKAGES = {"dash", "plotly", "flask", "dash_bootstrap_components"}


def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules(package):
    return {_module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def _imports(path, known):
    """Names imported by a module (anywhere in it), resolved to known modules."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in out if n in known} | {n for n in out if n not in known}


def test_layers_import_no_ui_framework():
    """No module of layers/ imports dash, plotly or flask, even inside a function."""
    offenders = []
    for name, path in _modules("layers").items():
        for imported in _imports(path, {}):
            if imported.split(".")[0] in UI_PACKAGES:
                offenders.append((name, imported))
    assert offenders == []


def test_layers_import_no_components():
    """The domain never reaches up into the UI."""
    offenders = [
        (name, imported)
        for name, path in _modules("layers").items()
        for imported in _imports(path, {})
        if imported.split(".")[0] in ("components", "app")
    ]
    assert offenders == []


def _graph(package):
    mods = _modules(package)
    return {
        name: {i for i in _imports(path, mods) if i in mods and i != name}
        for name, path in mods.items()
    }


def _cycle(graph):
    """Return one import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_layers_have_no_import_cycle():
    """Imports between layers/ modules (top-level or inside functions) form no cycle."""
    assert _cycle(_graph("layers")) is None


def test_the_cycle_finder_finds_cycles():
    """The check above can fail: a two-module cycle is found."""
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _code_strings(path):
    """String constants of a module's code, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            if isinstance(body[0].value, ast.Constant):
                docs.add(id(body[0].value))
    return {
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and id(n) not in docs
    }


def test_the_store_knows_no_layer_by_name():
    """No layer name is written in the store's code (overlays come from schemas)."""
    from layers.schemas import SCHEMAS

    named = {
        (path.name, s)
        for path in sorted((ROOT / "layers" / "store").glob("*.py"))
        for s in _code_strings(path)
        if s in SCHEMAS
    }
    assert named == set()
