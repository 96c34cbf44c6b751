"""Checks at the door: every function or class that a chapter calls starts its body with the idea.

Argument handling (``as_*`` and ``check_*`` calls, ``if ...: raise``) may take at most ``DOOR_LINES`` lines at the top
of a body; more belongs in the ``@checked`` rules above the function or in one validator called in one line, so a
reader who follows a chapter's link meets the algorithm first.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "tutorial_utils"
DOOR_LINES = 3
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_"))
CHECK_CALL = re.compile(r"^(_?as_\w+|_?check\w*|_?require\w*)$")


def chapter_names(shown: bool = True) -> set[tuple[str, str]]:
    """(module, name) for every ``module.name`` that a chapter's code mentions; with ``shown=False``, only those it
    calls or uses, not the ones it only shows with ``inspect.getsource(...)``."""
    pattern = re.compile(r"(?<![\w.])(" + "|".join(MODULES) + r")\.([A-Za-z_]\w*)")
    names = set()
    for py in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")):
        code = "\n".join(line for line in py.read_text().splitlines() if not line.startswith("#"))
        if not shown:
            code = re.sub(r"inspect\.getsource\([\w.]+\)", "", code)
        names |= set(pattern.findall(code))
    return names


def bodies(module: str, name: str):
    """(label, function) for a chapter-called name: the function, or a class's own constructor and call methods."""
    obj = getattr(importlib.import_module(f"tutorial_utils.{module}"), name, None)
    if inspect.isclass(obj):
        for method in ("__init__", "__post_init__", "forward", "__call__"):
            function = vars(obj).get(method)
            # a dataclass's generated __init__ has no source to read: its __post_init__ is the door
            if inspect.isfunction(function) and not function.__code__.co_filename.startswith("<"):
                yield f"{module}.{name}.{method}", function
    elif inspect.isfunction(obj) and obj.__module__.startswith("tutorial_utils"):
        yield f"{module}.{name}", obj


def is_check_call(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Tuple):
        return bool(node.elts) and all(is_check_call(e) for e in node.elts)
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return bool(CHECK_CALL.match(name))


def is_check(statement: ast.stmt) -> bool:
    """Whether a statement only handles arguments: a check call, a raise, or an ``if`` whose branches only check."""
    if isinstance(statement, ast.Raise):
        return True
    if isinstance(statement, ast.If):
        return all(is_check(s) for s in statement.body + statement.orelse)
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)):
        return is_check_call(statement.value)
    return False


def door_lines(function) -> int:
    """Lines of argument handling before the first statement of the idea (the docstring not counted)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    body = tree.body[0].body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    lines = 0
    for statement in body:
        if not is_check(statement):
            break
        lines += statement.end_lineno - statement.lineno + 1
    return lines


SURFACE = sorted({label: fn for module, name in chapter_names() for label, fn in bodies(module, name)}.items())


def test_the_surface_is_what_the_chapters_call():
    labels = {label for label, _ in SURFACE}
    assert {"upsampling.fold_matrix", "metrics.checkerboard_score", "training.train_gan"} <= labels
    assert len(labels) > 60, len(labels)


@pytest.mark.parametrize("label, function", SURFACE, ids=[label for label, _ in SURFACE])
def test_a_chapter_called_body_starts_with_its_idea(label, function):
    n = door_lines(function)
    assert n <= DOOR_LINES, f"{label} opens with {n} lines of argument checks; move them to @checked or a validator"


def test_the_door_count_sees_checks():
    """Planted bodies: the count stops at the idea and counts nested if/raise blocks as checks."""

    def checks_first(x, n):
        """Doc."""
        n = as_int("n", n, 1)  # noqa: F821
        if n > 3:
            if x is None:
                raise ValueError("x")
        return x * n

    def idea_first(x):
        y = x + 1
        as_int("y", y)  # noqa: F821
        return y

    assert door_lines(checks_first) == 4
    assert door_lines(idea_first) == 0
