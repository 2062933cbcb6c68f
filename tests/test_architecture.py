"""The package's layers, read from its imports: no import circle, no import pointing up, no module
over 500 lines.

Every import of ours counts, wherever it stands: at module level, inside a function, or under
``TYPE_CHECKING``. From the top down the layers are: the switch (and the package's entry points),
``server/``, ``integrations/`` and ``interception/``, ``wire/``, ``backend/``, ``runtime/``, and the
leaf modules every layer may use (``arns``, ``errors``). Inside the backend the data model is at the
bottom and the operation families (one module per resource family) never import each other.
"""

from __future__ import annotations

import ast
import pathlib
from typing import Optional

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "mock_lambda_alias"
MAX_LINES = 500

#: The top of the package: the switch and the entry points, one part.
TOP = ("__init__", "__main__", "switch", "decorating", "pytest_plugin")
#: Layer of each part of the package (a folder, a leaf module, or the top); higher may import lower.
LAYERS = {
    "top": 6,
    "server": 5,
    "integrations": 4,
    "interception": 4,
    "wire": 3,
    "backend": 2,
    "runtime": 1,
    "arns": 0,
    "errors": 0,
    "_version": 0,
    "zips": 0,
}

#: Inside the backend, bottom up; a module may import only modules of a lower level.
FAMILIES = (
    "aliases",
    "capacity_providers",
    "code_signing",
    "concurrency",
    "event_invoke",
    "event_sources",
    "function_settings",
    "functions",
    "invoke",
    "layers",
    "policies",
    "tags",
    "urls",
    "versions",
)
BACKEND_LEVELS = {
    **dict.fromkeys(
        (
            "__init__",
            "ids",
            "rendered",
            "identity",
            "paging",
            "runtimes",
            "clock",
            "lineage",
            "payloads",
            "event_filters",
        ),
        0,
    ),
    "model": 1,
    **dict.fromkeys(("invocations", "evaluation", "lookup"), 2),
    "store": 3,
    **dict.fromkeys(("call", "timing", "telemetry"), 4),
    "access": 5,
    **dict.fromkeys(
        ("addressing", "cascades", "deployment", "roles", "function_config", "async_events", "invoke_target"), 6
    ),
    **dict.fromkeys(FAMILIES, 7),
    "async_controls": 7,
    # Durable executions: the model, what changes it, what runs it, then the operations and controls.
    "durable": 0,  # the package: its docstring only
    **{"durable.executions": 4, "durable.updates": 5, "durable.lifecycle": 5, "durable.run": 6},
    "durable.outputs": 5,
    **dict.fromkeys(("durable.operations", "durable.controls"), 7),
    **dict.fromkeys(("registry", "controls"), 8),
}


def _module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> Optional[str]:
    """The module of ours that an imported dotted name lands in (``a.b.c`` may be a name in ``a.b``)."""
    if not name.startswith("mock_lambda_alias"):
        return None
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str) -> set[str]:
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [_resolve(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # ``from . import arns`` imports the module arns, not the package's own code.
            targets = [_resolve(f"{prefix}.{alias.name}") for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t is not None and t != module)
    return found


GRAPH = {module: _imports(module) for module in MODULES}


def _part(module: str) -> str:
    parts = module.split(".")
    part = parts[1] if len(parts) > 1 else "__init__"
    return "top" if part in TOP else part


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            visit(node)
    return found


def _backend_key(module: str) -> str:
    """A backend module's name inside the backend (``durable.run``), ``__init__`` for the backend."""
    return ".".join(module.split(".")[2:]) or "__init__"


def test_every_part_has_a_layer():
    assert {_part(m) for m in MODULES} <= set(LAYERS)
    backend = {_backend_key(m) for m in MODULES if _part(m) == "backend"}
    assert backend == set(BACKEND_LEVELS)


def test_no_import_circle():
    assert _cycles() == []


def test_imports_only_point_down():
    upward = [
        f"{module} -> {target}"
        for module, targets in GRAPH.items()
        for target in targets
        if _part(module) != _part(target) and LAYERS[_part(target)] >= LAYERS[_part(module)]
    ]
    assert upward == []


def test_inside_the_backend_imports_point_down_and_families_stand_alone():
    def level(module: str) -> int:
        return BACKEND_LEVELS[_backend_key(module)]

    backend = [m for m in MODULES if _part(m) == "backend"]
    upward = [
        f"{module} -> {target}"
        for module in backend
        for target in GRAPH[module]
        if _part(target) == "backend" and level(target) >= level(module) and target != "mock_lambda_alias.backend"
    ]
    assert upward == []


def test_the_interception_knows_no_switch_and_no_wire():
    interception = [m for m in MODULES if _part(m) == "interception"]
    assert [f"{m} -> {t}" for m in interception for t in GRAPH[m] if _part(t) != "interception"] == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = MODULES[module].read_text().count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_the_analysis_sees_imports_inside_functions_and_type_checking():
    """The checks above would pass vacuously if imports were missed: spot-check known ones."""
    assert "mock_lambda_alias.backend.registry" in GRAPH["mock_lambda_alias.wire.dispatch"]
    assert "mock_lambda_alias.backend.identity" in GRAPH["mock_lambda_alias.backend.invocations"]  # TYPE_CHECKING
    assert "mock_lambda_alias.integrations.function_urls" in GRAPH["mock_lambda_alias.switch"]  # inside a function
