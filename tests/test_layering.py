"""The package's layers: imports go one way, no circles, private modules stay home.

The table below is the one written down in ``docs/architecture.rst``; a module may import
from its own layer or a lower one, never a higher one. Every ``import`` statement counts,
including those inside functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tinygan

PACKAGE = Path(tinygan.__file__).parent

# Lowest first. A module belongs to the entry with the longest matching name.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("foundation", ("tinygan._version", "tinygan._checks")),
    ("protocols", ("tinygan.protocols",)),
    ("parts", ("tinygan.data", "tinygan.nets", "tinygan.objectives")),
    ("measures", ("tinygan.metrics", "tinygan.checkpoint")),
    ("callbacks", ("tinygan.callbacks",)),
    ("figures", ("tinygan.plotting",)),
    ("engine", ("tinygan.engine",)),
    ("training", ("tinygan.training",)),
    ("ensemble", ("tinygan.ensemble",)),
    ("sweeps", ("tinygan.sweeps",)),
    ("recipes", ("tinygan.recipes",)),
    ("interface", ("tinygan", "tinygan.__main__", "tinygan.fused", "tinygan.cli")),
]
MAX_LINES = 500  # DESIGN.md: a module past about 500 lines is two ideas
MAX_TOP_LEVEL_MODULES = 10


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            exact_only = prefix == "tinygan"
            matches = module == prefix or (not exact_only and module.startswith(prefix + "."))
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    assert best is not None, f"{module} is in no layer: add it to LAYERS and the docs"
    return best


def imports_of(module: str) -> set[str]:
    """Every tinygan module ``module`` imports (``from a import b`` counts ``a.b`` if a module)."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names}
            found.update(submodules & MODULES.keys())
            if not submodules <= MODULES.keys():
                found.add(target)
    return {name for name in found if name == "tinygan" or name.startswith("tinygan.")}


GRAPH = {module: imports_of(module) for module in MODULES}


def upward_imports(graph: dict[str, set[str]], module: str) -> list[str]:
    """The modules ``module`` imports from a layer above its own, as messages."""
    own = layer_of(module)
    return [
        f"{module} (layer {LAYERS[own][0]!r}) imports {target} "
        f"(layer {LAYERS[layer_of(target)][0]!r}, above it)"
        for target in sorted(graph[module])
        if layer_of(target) > own
    ]


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph`` (its modules, first repeated last), or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph.get(module, ())):
            if target == module:
                continue
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (circle := visit(target)):
                return circle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (circle := visit(module)):
            return circle
    return None


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    for target in GRAPH[module]:
        assert target in MODULES, f"{module} imports {target}, which does not exist"
    assert upward_imports(GRAPH, module) == []


def test_no_import_circles():
    assert find_circle(GRAPH) is None


def test_the_checks_catch_what_they_forbid():
    """An upward import and a circle, planted in a copy of the graph, are both found."""
    bad = {module: set(targets) for module, targets in GRAPH.items()}
    bad["tinygan.data.noise"].add("tinygan.training.loop")
    assert upward_imports(bad, "tinygan.data.noise") == [
        "tinygan.data.noise (layer 'parts') imports tinygan.training.loop "
        "(layer 'training', above it)"
    ]
    assert find_circle(GRAPH) is None
    bad["tinygan.protocols"].add("tinygan.training.loop")  # the loop imports protocols
    circle = find_circle(bad)
    assert circle is not None and circle[0] == circle[-1]
    assert "tinygan.protocols" in circle and "tinygan.training.loop" in circle


def test_private_modules_are_imported_only_from_their_own_package():
    for module, targets in GRAPH.items():
        for target in targets:
            parent, _, leaf = target.rpartition(".")
            if not leaf.startswith("_") or leaf.startswith("__") or parent == "tinygan":
                continue  # public, or a top-level helper every layer shares
            assert module == parent or module.startswith(parent + "."), (
                f"{module} imports {target}, private to {parent}"
            )


def test_top_level_is_small_and_modules_are_short():
    top = [p.name for p in PACKAGE.glob("*.py")]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, sorted(top)
    for module, path in MODULES.items():
        lines = len(path.read_text().splitlines())
        assert lines <= MAX_LINES, f"{module} has {lines} lines: split it along its ideas"


def test_every_subpackage_says_what_it_holds():
    for module, path in MODULES.items():
        if path.name == "__init__.py" and module not in ("tinygan", "tinygan.cli"):
            doc = ast.get_docstring(ast.parse(path.read_text()))
            assert doc and "Layer" in doc, f"{module}'s docstring must name its layer"
