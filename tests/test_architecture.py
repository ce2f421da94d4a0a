"""The house keeps its layers: no import runs upwards, so no cycle can form between domains.

Every import of `governance/` is read from the source (module level and inside functions alike)
and checked against the direction written in docs/DEVELOPING.md:

    infrastructure (db, auditlog, web, cli, ...) → accounts → register → bodies → assemblies
        → proposals → tellers → ballots → minutes → audit → notify → the app (create_app, models, demo)

A lower layer never imports a higher one; where it must react to one, it sends a blinker signal
or asks a registered provider (`governance.hooks`). View modules import their domain's
`blueprint.py`, never each other.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "governance"

DOMAINS = (
    "accounts",
    "register",
    "bodies",
    "assemblies",
    "proposals",
    "tellers",
    "ballots",
    "minutes",
    "audit",
    "notify",
)
# The app's top: it assembles the domains (factory, metadata, demo data).
TOP = ("__init__", "__main__", "wsgi", "models", "demo")
SKIP = ("migrations",)


@dataclass(frozen=True)
class Edge:
    source: str  # module name, e.g. governance.assemblies.views
    target: str  # imported module (or module.name)
    where: str  # file:line

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[Edge]:
    """Every governance import in a file, with the full module path it names."""
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rsplit(".", 1)[0]
    edges = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names]
        where = f"{path.relative_to(PACKAGE.parent)}:{getattr(node, 'lineno', 0)}"
        edges += [Edge(source, t, where) for t in targets if t.startswith("governance.")]
    return edges


def layer(module: str) -> tuple[str, int]:
    """(kind, rank): infrastructure 0, domains 1.., the app's top last."""
    parts = module.split(".")
    if len(parts) == 1:
        return ("top", len(DOMAINS) + 1)
    name = parts[1]
    if not (PACKAGE / name).is_dir() and not (PACKAGE / f"{name}.py").is_file():
        return ("top", len(DOMAINS) + 1)  # a name defined in governance/__init__.py
    if name in DOMAINS:
        return (name, DOMAINS.index(name) + 1)
    if name in TOP:
        return ("top", len(DOMAINS) + 1)
    return ("infrastructure", 0)


def all_edges() -> list[Edge]:
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if not set(SKIP) & set(p.parts)]
    return [edge for path in files for edge in imports(path)]


def upward(edges: list[Edge]) -> list[Edge]:
    return [e for e in edges if layer(e.target)[1] > layer(e.source)[1]]


def test_the_walker_sees_function_level_and_relative_imports(tmp_path):
    """The check can fail: an import inside a function is an edge like any other."""
    path = PACKAGE / "accounts" / "services.py"
    edges = imports(path)
    assert any(e.target.startswith("governance.auditlog") for e in edges)
    fake = Edge("governance.register.status", "governance.ballots.models.Poll", "x.py:1")
    assert upward([fake]) == [fake]
    assert layer("governance.web") == ("infrastructure", 0)
    assert layer("governance.create_app")[0] == "top"
    assert layer("governance.audit.verify") == ("audit", DOMAINS.index("audit") + 1)


def test_no_import_runs_upwards():
    problems = upward(all_edges())
    assert not problems, "imports against the layers:\n" + "\n".join(map(str, problems))


def test_no_cycle_between_domain_packages():
    """Tarjan over the package graph (redundant with the layers, but names any cycle)."""
    graph: dict[str, set[str]] = {}
    for e in all_edges():
        a, b = layer(e.source)[0], layer(e.target)[0]
        if a != b:
            graph.setdefault(a, set()).add(b)
    cycles = _strongly_connected(graph)
    assert not cycles, f"cycles between packages: {cycles}"


def _module_of(target: str) -> str:
    """The module an import names: `governance.ballots.services.poll_event` → its module."""
    parts = target.split(".")
    while parts:
        path = PACKAGE.parent.joinpath(*parts)
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return target


def test_no_cycle_between_modules():
    """No two modules import each other, directly or round a loop, not even inside a function
    (within a domain too: a verb that uses several families lives above them, as
    ballots/publishing.py above services, paper and runoff)."""
    graph: dict[str, set[str]] = {}
    for e in all_edges():
        target = _module_of(e.target)
        if target != e.source:
            graph.setdefault(e.source, set()).add(target)
    cycles = _strongly_connected(graph)
    assert not cycles, f"cycles between modules: {cycles}"


def test_the_module_cycle_check_can_fail():
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [
        ["a", "b", "c"]
    ]
    assert _module_of("governance.ballots.services.poll_event") == "governance.ballots.services"
    assert _module_of("governance.ballots.tally") == "governance.ballots.tally"


def test_view_modules_never_import_each_other():
    problems = [
        e
        for e in all_edges()
        if e.source.rsplit(".", 1)[-1].startswith("views")
        and any(part.startswith("views") for part in e.target.split(".")[2:3])
        and e.target.split(".")[1] == e.source.split(".")[1]
    ]
    assert not problems, "views importing views:\n" + "\n".join(map(str, problems))


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found
