"""The layout stays true: imports run one way, errors -> data -> core -> job rooms -> commands
-> cli, a room never imports another room, a command never imports another command (but the
shared argument helpers in commands/common.py), and the package has no import cycle.

Every import counts, the ones inside functions too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "rnnlab"
ROOMS = ("forecast", "detect", "classify", "text", "lab")
LAYERS = {"errors": 0, "data": 1, "core": 2, **dict.fromkeys(ROOMS, 3), "commands": 4}
LAYERS |= {"cli": 5, "__init__": 5, "__main__": 6}  # __init__'s lazy exports name every room


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every rnnlab module `path` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "rnnlab"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "rnnlab":
                continue
            for alias in node.names:  # `from rnnlab.core import report` imports a module
                sub = f"{node.module}.{alias.name}"
                found.add(sub if _is_module(sub) else node.module)
    return found


def _is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def part(module: str) -> str:
    """The layer or room a module belongs to: rnnlab.forecast.backtest -> forecast."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Imports against the order, between rooms, or between commands; one line each."""
    found = []
    for module, targets in graph.items():
        here = part(module)
        for target in sorted(targets):
            there = part(target)
            if target == "rnnlab" and here != "__init__":
                found.append(f"{module} imports the package rnnlab itself (import its module)")
            elif here == there:
                if here == "commands" and target != "rnnlab.commands.common" and module != target:
                    if module != "rnnlab.commands":
                        found.append(f"{module} imports another command, {target}")
            elif LAYERS[there] > LAYERS[here]:
                found.append(f"{module} ({here}) imports {target} ({there}), a layer above it")
            elif LAYERS[there] == LAYERS[here]:
                found.append(f"{module} ({here}) imports another room: {target}")
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles among rnnlab's modules (each found once, as a path back to its start)."""
    found, state = [], {}  # state: 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if target not in graph:
                continue
            if state.get(target) == 1:
                found.append(path[path.index(target) :] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    return found


# ------------------------------------------------------------------------------------- tests


def test_every_module_sits_in_a_known_layer_or_room():
    assert {part(m) for m in import_graph()} <= set(LAYERS)


def test_imports_run_one_way():
    assert violations(import_graph()) == []


def test_no_import_cycle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    "edge, message",
    [
        (("rnnlab.data.series", "rnnlab.core.train"), "a layer above it"),
        (("rnnlab.core.train", "rnnlab.forecast.networks"), "a layer above it"),
        (("rnnlab.detect.detectors", "rnnlab.forecast.networks"), "another room"),
        (("rnnlab.forecast.backtest", "rnnlab.commands.forecast"), "a layer above it"),
        (("rnnlab.commands.lab", "rnnlab.commands.classify"), "another command"),
        (("rnnlab.core.report", "rnnlab"), "the package rnnlab itself"),
    ],
)
def test_a_back_edge_is_caught(edge, message):
    graph = import_graph()
    module, target = edge
    before = set(violations(graph))
    graph[module] = graph[module] | {target}
    found = set(violations(graph)) - before
    assert len(found) == 1 and message in (line := found.pop()) and module in line


def test_a_cycle_is_caught():
    graph = import_graph()
    graph["rnnlab.data.frames"] = graph["rnnlab.data.frames"] | {"rnnlab.data.csv_reader"}
    graph["rnnlab.data.csv_reader"] = graph["rnnlab.data.csv_reader"] | {"rnnlab.data.frames"}
    cycle = ["rnnlab.data.csv_reader", "rnnlab.data.frames", "rnnlab.data.csv_reader"]
    assert cycle in cycles(graph)


def test_lazy_imports_count():
    """An import inside a function is found too: hiding one there does not hide the edge."""
    graph = import_graph()
    assert "rnnlab.core.modelfile" in graph["rnnlab.commands.detect"]


def test_front_doors_are_exported_lazily():
    """`import rnnlab` and each room's package load no torch; every exported name resolves."""
    import subprocess
    import sys

    code = (
        "import sys, rnnlab, rnnlab.forecast, rnnlab.detect, rnnlab.classify, rnnlab.text, "
        "rnnlab.lab\nassert 'torch' not in sys.modules, 'torch imported'\n"
        "for name in rnnlab.__all__: getattr(rnnlab, name)\n"
        "for room in (rnnlab.forecast, rnnlab.detect, rnnlab.classify, rnnlab.text, rnnlab.lab):\n"
        "    [getattr(room, name) for name in room.__all__]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
