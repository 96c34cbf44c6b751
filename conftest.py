"""nbval hooks: every notebook that nbval executes without a failure is stored in the book's jupyter-cache.

They act in `pytest --nbval-lax notebooks` (make test-notebooks); in other pytest runs there is nothing to store.

`make test` runs nbval first and builds the book second. The book is configured with
`execute_notebooks: cache` (`_config.yml`), so the build finds each of these executions (jupyter-cache matches
a notebook by the hash of its code cells) and does not run the notebook again: one execution per change,
checked by nbval's asserts and shown in the HTML. A notebook that failed is not stored; the build then runs it
itself and fails the same way. Set `NBVAL_CACHE=0` to leave the cache alone.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent


def book_cache() -> Path:
    """The execution cache of the book that `make book` builds in this run's profile (see the Makefile's BOOK_OUT):
    jupyter-cache knows a notebook's code, not the profile it ran in, so each profile keeps its own."""
    if os.environ.get("TUTORIAL_PROFILE", "quick") == "full":
        return ROOT / "_build" / "full" / "_build" / ".jupyter_cache"
    return ROOT / "_build" / ".jupyter_cache"


_outcomes: dict[str, list[bool]] = {}  # notebook path -> passed?, one per executed cell
_seconds: dict[str, float] = {}


def pytest_collection_modifyitems(items) -> None:
    """nbval waits 5 s (hard-coded) for a cell's last output after the kernel replied; on 2 busy cores a long
    training cell's final messages can take longer, and nbval then fails a cell that ran fine. Wait up to 60 s."""
    for item in items:
        if hasattr(item, "output_timeout"):
            item.output_timeout = 60


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Name the chapter for runtime.claim's ledger rows (TUTORIAL_LEDGER): nbval starts a notebook's kernel when
    its first cell is set up, right after this hook, and the kernel inherits the environment."""
    path = item.nodeid.split("::")[0]
    if path.endswith(".ipynb"):
        os.environ["TUTORIAL_CHAPTER"] = Path(path).stem


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" and report.nodeid.split("::")[0].endswith(".ipynb"):
        path = report.nodeid.split("::")[0]
        _outcomes.setdefault(path, []).append(report.passed)
        _seconds[path] = _seconds.get(path, 0.0) + report.duration


def executed_notebook(cells) -> nbformat.NotebookNode | None:
    """The notebook of nbval's cell items with their outputs and consecutive execution counts, or None when a
    code cell did not run."""
    if not cells:
        return None
    nb = copy.deepcopy(cells[0].parent.nb)
    outputs = {item.cell_num: item.test_outputs for item in cells}  # cell_num counts code cells only
    count = 0
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        if outputs.get(count) is None:
            return None
        cell.outputs = [_as_output(out, count + 1) for out in outputs[count]]
        count += 1
        cell.execution_count = count
    nbformat.validate(nb)
    return nb


def _as_output(out, count: int) -> nbformat.NotebookNode:
    """nbval's record of one iopub message as a valid nbformat output."""
    kind = out["output_type"]
    if kind == "stream":
        return nbformat.v4.new_output("stream", name=out["name"], text=out["text"])
    if kind == "execute_result":
        return nbformat.v4.new_output(
            "execute_result",
            data=out["data"],
            metadata=out.get("metadata", {}),
            execution_count=count,
        )
    if kind == "display_data":
        return nbformat.v4.new_output("display_data", data=out["data"], metadata=out.get("metadata", {}))
    raise ValueError(f"unexpected output type {kind!r} in a passing cell")


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session) -> None:
    if os.environ.get("NBVAL_CACHE", "1") == "0":
        return
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    by_file: dict[str, list] = {}
    for item in session.items:
        if hasattr(item, "test_outputs") and hasattr(item, "cell_num"):
            by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    for path, cells in by_file.items():
        outcomes = _outcomes.get(path, [])
        if len(outcomes) != len(cells) or not all(outcomes):
            continue  # a failed or skipped cell: the book build executes (and reports) this notebook itself
        nb = executed_notebook(cells)
        if nb is None:
            continue
        cache = get_cache(str(book_cache()))
        bundle = CacheBundleIn(
            nb,
            str(Path(session.config.rootpath) / path),
            data={"execution_seconds": round(_seconds.get(path, 0.0), 2)},
        )
        cache.cache_notebook_bundle(bundle, check_validity=True, overwrite=True)
