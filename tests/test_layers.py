"""The package graph: no cycle between domain packages, stats stays pure, services stay plain.

Each domain package is two nodes: its core (models, services, tasks: what it is and does)
and its web side (views, forms, commands: modules that import Flask's request machinery,
WTForms or click, or another module's blueprint). A package's web side may use any core;
no core may use a web side; and no two nodes may depend on each other, directly or round a
ring. So accounts' sign-up page may call the registrants' services, but the accounts'
services may never call the registrants' while those use accounts.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jgrad", "surveys", "stats")
# Composition roots wire the domains together and nothing imports them back: the app
# factory, the model list, and each package's ``__init__`` (its ``init_app``).
ROOTS = {"jgrad", "jgrad.models"}
# Shared plumbing every layer uses; it imports no domain.
PLUMBING = {"jgrad.extensions", "jgrad.db", "jgrad.bulk", "jgrad.enums", "jgrad.config",
            "jgrad.registry", "jgrad.exports", "jgrad.identifiers", "jgrad.kept"}
# Request plumbing: the web side by nature.
WEB_MODULES = {"jgrad.web", "jgrad.templating", "jgrad.access", "jgrad.i18n", "jgrad.formtools",
               "jgrad.redirects"}
WEB_IMPORTS = ("flask_wtf", "wtforms", "click", "flask.cli")
WEB_NAMES = {("flask", "Blueprint"), ("flask", "request"), ("flask", "session"),
             ("flask_login", "current_user")}
REQUEST_STATE = {("flask", "request"), ("flask", "session"), ("flask", "g"),
                 ("flask_login", "current_user")}


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            yield name, path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _is_root(name: str, path: Path) -> bool:
    return name in ROOTS or (name.startswith("jgrad.") and path.name == "__init__.py")


def _imports(tree: ast.AST):
    """Yield (module, name or None) for every import, at any depth (functions too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.module, alias.name


def domain_of(module: str) -> str:
    """The domain a module belongs to: jgrad.<package>, a top-level jgrad module, or a package."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "jgrad" else parts[0]


def is_web(name: str, tree: ast.AST) -> bool:
    """Tell whether a module belongs to the web side (requests, forms, commands, routes)."""
    if name in PLUMBING or name in WEB_MODULES:
        return name in WEB_MODULES
    for module, name in _imports(tree):
        if module.split(".")[0] in WEB_IMPORTS or module in WEB_IMPORTS:
            return True
        if (module, name) in WEB_NAMES or module.endswith("views"):
            return True
    return False


def import_graph(modules=None) -> dict[str, dict[str, set[str]]]:
    """Return {node: {imported node: {importing modules}}} over the project's packages."""
    modules = list(modules or _modules())
    web = {name for name, _, tree in modules if is_web(name, tree)}
    roots = {name for name, path, _ in modules if _is_root(name, path)}

    def node_of(module: str) -> str:
        # An imported name may be a module (a.b.c) or a name in one (a.b:c): try both.
        return domain_of(module) + (":web" if module in web else "")

    names = {name for name, _, _ in modules}
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, _, tree in modules:
        if name in roots:
            continue
        for module, imported in _imports(tree):
            if module.split(".")[0] not in PACKAGES:
                continue
            target = f"{module}.{imported}" if imported else module
            resolved = target if target in names else module
            source_node, target_node = node_of(name), node_of(resolved)
            if target_node != source_node and resolved not in roots:
                graph[source_node][target_node].add(name)
    return graph


def cycles(graph) -> list[list[str]]:
    """Return the strongly connected groups of more than one domain (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, {}):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in list(graph):
        if node not in index:
            visit(node)
    return groups


def _describe(graph, group) -> str:
    return "; ".join(f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})"
                     for a in group for b in group if b in graph.get(a, {}))


def test_no_cycle_between_domain_packages():
    graph = import_graph()
    assert len(graph) > 10
    found = cycles(graph)
    assert not found, "\n".join(_describe(graph, group) for group in found)


def test_no_core_module_uses_a_web_module():
    graph = import_graph()
    wrong = [(a, b, sorted(m)) for a, targets in graph.items() if not a.endswith(":web")
             for b, m in targets.items() if b.endswith(":web")]
    assert not wrong


def test_stats_imports_neither_flask_nor_jgrad():
    checked = 0
    for name, _, tree in _modules():
        if domain_of(name) != "stats":
            continue
        for module, _ in _imports(tree):
            checked += 1
            assert module.split(".")[0] not in ("flask", "jgrad", "flask_babel"), (name, module)
    assert checked > 10


def test_services_never_read_the_request():
    checked = 0
    for name, path, tree in _modules():
        if path.stem not in ("services", "tasks", "models"):
            continue
        checked += 1
        for module, imported in _imports(tree):
            assert (module, imported) not in REQUEST_STATE, f"{name} imports {imported}"
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in REQUEST_STATE, \
                    f"{name} reads {node.value.id}.{node.attr}"
    assert checked > 10


def test_the_layer_test_finds_a_planted_cycle_and_a_planted_request_read():
    planted = [
        ("jgrad.alpha.services", Path("alpha.py"), ast.parse("from jgrad.beta import x")),
        ("jgrad.beta.models", Path("beta.py"), ast.parse("import jgrad.alpha.services")),
        ("jgrad.gamma.models", Path("gamma.py"), ast.parse("from jgrad.beta import y")),
        # A web side using a core that uses that package's core is no ring.
        ("jgrad.gamma.views", Path("views.py"),
         ast.parse("from flask import request\nfrom jgrad.beta import y")),
    ]
    assert cycles(import_graph(planted)) == [["jgrad.alpha", "jgrad.beta"]]
    tree = ast.parse("from flask import g\ndef f():\n    return g.user")
    assert any((m, n) in REQUEST_STATE for m, n in _imports(tree))
