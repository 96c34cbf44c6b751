"""Checks at the door, not in loops: package code that calls a checked package function over and over (in a loop, a
comprehension or a per-frame lambda) calls its unchecked body, ``fn.__wrapped__``, with arguments it has checked."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "tutorial_utils"


def _is_checked(node: ast.AST) -> bool:
    return any(
        isinstance(d, ast.Call) and getattr(d.func, "id", getattr(d.func, "attr", None)) == "checked"
        for d in getattr(node, "decorator_list", ())
    )


def checked_functions() -> dict[str, set[str]]:
    """Module name -> the names of its module-level functions decorated with ``@checked``."""
    found = {}
    for path in sorted(SRC.glob("*.py")):
        tree = ast.parse(path.read_text())
        found[path.stem] = {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and _is_checked(n)}
    return found


def _target(call: ast.Call, module: str, imported: dict[str, str], checked: dict[str, set[str]]) -> str | None:
    """'module.name' when ``call`` calls a checked package function by its plain or module-qualified name."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in checked[module]:
        return f"{module}.{func.id}"
    if isinstance(func, ast.Name) and func.id in imported:  # from .plotting import ink_for
        owner = imported[func.id]
        return f"{owner}.{func.id}" if func.id in checked.get(owner, ()) else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):  # plotting.ink_for(...)
        owner = func.value.id
        return f"{owner}.{func.attr}" if func.attr in checked.get(owner, ()) else None
    return None


def checked_calls_in_loops(path: Path, checked: dict[str, set[str]]) -> list[str]:
    """'file:line module.name' for each checked package function called inside a loop of ``path``."""
    tree = ast.parse(path.read_text())
    imported = {
        alias.asname or alias.name: node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        for alias in node.names
    }
    found = set()
    for loop in ast.walk(tree):
        for part in _repeated_parts(loop):
            for call in ast.walk(part):
                if isinstance(call, ast.Call) and (name := _target(call, path.stem, imported, checked)):
                    found.add(f"{path.name}:{call.lineno} {name}")
    return sorted(found)


def _repeated_parts(node: ast.AST) -> list[ast.AST]:
    """The parts of a loop that run once per turn (not the iterable, which runs once)."""
    if isinstance(node, ast.For):
        return [*node.body, *node.orelse]
    if isinstance(node, ast.While):
        return [node.test, *node.body]
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return [node.elt, *_later_generators(node)]
    if isinstance(node, ast.DictComp):
        return [node.key, node.value, *_later_generators(node)]
    if isinstance(node, ast.Lambda):  # a callback: a player draws each frame with it
        return [node.body]
    return []


def _later_generators(node) -> list[ast.AST]:
    first, *rest = node.generators
    return [*first.ifs, *(part for g in rest for part in (g.iter, *g.ifs))]


def test_no_checked_call_inside_a_loop():
    checked = checked_functions()
    offenders = [hit for path in sorted(SRC.glob("*.py")) for hit in checked_calls_in_loops(path, checked)]
    assert not offenders, "checked functions called in a loop (call fn.__wrapped__ there):\n" + "\n".join(offenders)


PLANTED = """
from . import plotting
from .plotting import ink_for

@checked(n=int)
def count(n):
    return n

def uses(xs):
    for x in xs:
        plotting.ink_for(x)
    [ink_for(x) for x in xs]
    draw = lambda k: count(k)
    return [count.__wrapped__(x) for x in xs]
"""


def test_the_lint_finds_planted_calls(tmp_path):
    path = tmp_path / "planted.py"
    path.write_text(PLANTED)
    checked = {"planted": {"count"}, "plotting": {"ink_for"}}
    hits = checked_calls_in_loops(path, checked)
    assert hits == ["planted.py:11 plotting.ink_for", "planted.py:12 plotting.ink_for", "planted.py:13 planted.count"]


@pytest.mark.parametrize("module", ["audio", "plotting", "overlap_figures"])
def test_the_modules_that_loop_have_checked_functions(module):
    assert checked_functions()[module], f"{module} has no @checked function: the lint would see nothing there"
