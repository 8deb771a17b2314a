"""No import cycle among the production modules: each module's imports, read from its source,
form a graph without a cycle, so no module can find another half-initialised."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_PRODUCTION = {"tests", "bench", "sandboxes"}


def production_modules() -> dict[str, Path]:
    modules = {}
    for package in ROOT.iterdir():
        if not (package / "__init__.py").exists() or package.name in NOT_PRODUCTION:
            continue
        for path in package.rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(body: list[ast.stmt], *, in_functions: bool) -> Iterator[ast.stmt]:
    """The statements that run when the module is imported (and, if asked, those of its
    functions), leaving out `if TYPE_CHECKING:` blocks, which never run."""
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not in_functions:
            continue
        if isinstance(node, ast.If) and _is_type_checking(node):
            yield from _statements(node.orelse, in_functions=in_functions)
            continue
        yield node
        for block in ("body", "orelse", "finalbody"):
            yield from _statements(getattr(node, block, []), in_functions=in_functions)
        for handler in getattr(node, "handlers", []):
            yield from _statements(handler.body, in_functions=in_functions)


def _imported(name: str, path: Path, node: ast.stmt, modules: dict[str, Path]) -> Iterator[str]:
    """The production modules an import statement of module `name` loads: `from package import
    module` is that module, `from module import thing` the module itself."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in modules)
    elif isinstance(node, ast.ImportFrom):
        source = node.module or ""
        if node.level:
            package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
            source = ".".join(package[: len(package) - node.level + 1] + ([source] if source else []))
        for alias in node.names:
            if f"{source}.{alias.name}" in modules:
                yield f"{source}.{alias.name}"
            elif source in modules:
                yield source


def import_graph(*, in_functions: bool = False) -> dict[str, set[str]]:
    modules = production_modules()
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        statements = _statements(tree.body, in_functions=in_functions)
        graph[name] = {target for node in statements for target in _imported(name, path, node, modules)} - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = lowlink[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    lowlink[work[-1][0]] = min(lowlink[work[-1][0]], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif target not in index:
                index[target] = lowlink[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(graph[target]))))
            elif target in on_stack:
                lowlink[node] = min(lowlink[node], index[target])
    return found


def test_the_finder_sees_a_cycle_through_three_modules():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}

    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_holds_module_level_imports_and_not_type_checking_ones():
    graph = import_graph()

    assert "integrations.connectors" in graph["integrations.runner"]
    assert "integrations.models" in graph["integrations.banners"]
    assert "integrations.models" not in graph["integrations.connectors"]  # only under TYPE_CHECKING


def test_production_modules_import_each_other_without_a_cycle():
    assert cycles(import_graph()) == []


def test_no_import_inside_a_function_dodges_a_cycle_among_the_connectors():
    # A cycle broken by importing inside a function is still a cycle of the design.
    graph = import_graph(in_functions=True)
    integrations = {
        name: {target for target in targets if target.startswith("integrations")}
        for name, targets in graph.items()
        if name.startswith("integrations")
    }

    assert cycles(integrations) == []
