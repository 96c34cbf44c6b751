"""The package's layers, as ``src/tutorial_utils/__init__.py`` draws them, hold in its imports.

The docstring lists the layers from the top (``book``) to the ground (``runtime``, ``_checks``). A module may
import modules of its own layer and of the layers below it, never above, and the imports inside a layer form no
cycle. ``runtime`` sits at the bottom: it imports nothing of the package but ``_checks``, so seeds, profiles
and claims never depend on figures, layers or training.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tutorial_utils

PACKAGE = Path(tutorial_utils.__file__).resolve().parent
MODULES = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}


def layers_from_docstring(text: str, modules: set[str]) -> list[tuple[str, list[str]]]:
    """(layer, modules) for each ``- layer: ``module`` (...), ...`` bullet of ``text``, top layer first; names
    inside parentheses (descriptions) and names that are not modules are skipped."""
    bullets = re.findall(r"^- (.*?)(?=^- |^\S|\Z)", text, flags=re.M | re.S)
    layers = []
    for bullet in bullets:
        name, _, rest = " ".join(bullet.split()).partition(":")
        names = re.findall(r"``(\w+)``", re.sub(r"\([^()]*\)", "", rest))
        layers.append((name, [n for n in names if n in modules]))
    return layers


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """The package modules that the module at ``path`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from . import x, from .x import y
                base = node.module or ""
            elif (node.module or "").split(".")[0] == "tutorial_utils":
                base = node.module.removeprefix("tutorial_utils").lstrip(".")
            else:
                continue
            found |= {base.split(".")[0]} if base else {alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("tutorial_utils.")}
    return found & modules


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of ``graph`` (module -> modules it imports), each once, as a path back to its start."""
    found, done = [], set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            cycle = path[path.index(node) :]
            if set(cycle) not in [set(c) for c in found]:
                found.append(cycle + [node])
            return
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, path + [node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    return found


def layering_problems(layers: list[tuple[str, list[str]]], imports: dict[str, set[str]]) -> list[str]:
    """How ``imports`` (module -> modules it imports) break ``layers`` (top first): upward imports, cycles, and
    modules in no layer or in two."""
    rank = {}
    problems = []
    for depth, (_, names) in enumerate(layers):
        for name in names:
            if name in rank:
                problems.append(f"{name} is in two layers")
            rank[name] = depth
    problems += [f"{name} is in no layer" for name in sorted(set(imports) - set(rank))]
    for name, imported in sorted(imports.items()):
        for other in sorted(imported):
            if name in rank and other in rank and rank[other] < rank[name]:
                problems.append(
                    f"{name} ({layers[rank[name]][0]}) imports {other} ({layers[rank[other]][0]}), above it"
                )
    problems += [f"import cycle: {' -> '.join(cycle)}" for cycle in cycles(imports)]
    return problems


LAYERS = layers_from_docstring(tutorial_utils.__doc__, MODULES)
IMPORTS = {name: imports_of(PACKAGE / f"{name}.py", MODULES) - {name} for name in MODULES}


def test_the_docstring_draws_the_layers_from_book_down_to_the_ground():
    names = [name for name, _ in LAYERS]
    assert names[0] == "publishing" and names[-1] == "ground", names
    assert dict(LAYERS)["publishing"] == ["book"]
    assert {"runtime", "_checks", "data", "ledger"} <= set(dict(LAYERS)["ground"])
    assert {"plotting", "players", "overlap_figures", "audio"} <= set(dict(LAYERS)["pictures and sound"])


def test_every_module_imports_only_its_own_layer_and_the_layers_below():
    assert layering_problems(LAYERS, IMPORTS) == []


def test_runtime_sits_at_the_bottom():
    assert IMPORTS["runtime"] <= {"_checks"}, IMPORTS["runtime"]
    assert IMPORTS["_checks"] == set()
    assert not any("book" in imported for name, imported in IMPORTS.items() if name != "book")  # nothing uses book


def test_the_imports_are_read_from_the_code(tmp_path):
    """Every form of import is seen: relative, absolute, several names, and imports inside a function."""
    module = tmp_path / "m.py"
    module.write_text(
        "from . import plotting, runtime\n"
        "from ._checks import as_int\n"
        "import tutorial_utils.metrics\n"
        "from tutorial_utils.models import Generator\n"
        "import numpy\n"
        "def f():\n"
        "    from .overlap import overlap_counts\n"
    )
    assert imports_of(module, MODULES) == {"plotting", "runtime", "_checks", "metrics", "models", "overlap"}


def test_the_check_fails_on_an_upward_import_a_cycle_and_a_module_in_no_layer():
    """Planted import graphs: the layering test can fail."""
    layers = [("top", ["book"]), ("middle", ["plotting", "players"]), ("ground", ["runtime"])]
    fine = {"book": {"plotting", "runtime"}, "players": {"plotting"}, "plotting": set(), "runtime": set()}
    assert layering_problems(layers, fine) == []
    upward = fine | {"runtime": {"plotting"}}
    assert layering_problems(layers, upward) == ["runtime (ground) imports plotting (middle), above it"]
    cycle = fine | {"plotting": {"players"}}
    assert layering_problems(layers, cycle) == ["import cycle: plotting -> players -> plotting"]
    stray = fine | {"audio": set()}
    assert layering_problems(layers, stray) == ["audio is in no layer"]
