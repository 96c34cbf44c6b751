"""The GitHub workflows run the README's commands: `make test` on every push; `make test-full` and a reduced
`make sweep` weekly and on demand.

(`make lint` validates both files against the workflow schema; these tests check what they run.) What `make test-full`
itself runs is checked by running it with a fake python that records its arguments and environment, and planted
Makefiles show that the check fails when the recipe keeps the cache, runs the quick profile or skips notebooks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
MAKE = shutil.which("make")


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as True
    return data


def run_steps(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_push_workflow_runs_make_test():
    book = load("book.yml")
    assert {"push", "pull_request"} <= set(book["on"])
    assert "make test" in run_steps(book)


def test_full_profile_runs_weekly_and_on_demand_within_githubs_limit():
    full = load("full-profile.yml")
    assert "workflow_dispatch" in full["on"]
    (cron,) = [entry["cron"] for entry in full["on"]["schedule"]]
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", cron), cron  # once a week
    assert run_steps({"jobs": {"test-full": full["jobs"]["test-full"]}}) == ["make test-full"]
    for job in full["jobs"].values():
        assert job["timeout-minutes"] <= 360  # a hosted job's limit is 6 hours
        assert job["env"]["TORCH_INDEX_URL"].endswith("/whl/cpu")  # 2 CPU cores, the small torch build


def test_weekly_reduced_sweep_runs_two_seeds_by_two_thread_counts_in_the_quick_profile():
    (step,) = run_steps({"jobs": {"sweep": load("full-profile.yml")["jobs"]["sweep-quick"]}})
    assert step.startswith("make sweep ") and "--profile" not in step, step  # make sweep's default: quick
    seeds = re.search(r"--seeds (\d+)-(\d+)", step)
    assert seeds and int(seeds[2]) - int(seeds[1]) + 1 == 2, step
    assert "--threads 1,2" in step, step
    assert "--ledger _build/" in step, step  # never the committed ledger


# --- what `make test-full` runs, checked by running it with a fake python ---------------------------------------

FAKE_PYTHON = """#!/bin/sh
{ echo "TUTORIAL_PROFILE=${TUTORIAL_PROFILE-<unset>}"; echo "NBVAL_CACHE=${NBVAL_CACHE-<unset>}"
  for arg in "$@"; do echo "arg=$arg"; done; } > "$FAKE_PYTHON_LOG"
"""


def run_recipe(tmp_path: Path, target: str, makefile: Path = ROOT / "Makefile", **env: str) -> dict:
    """Run ``make target`` in the repository with ``BIN`` holding a fake ``python`` that records its environment
    and arguments instead of running anything (``install`` is skipped): {"env": {...}, "args": [...]}."""
    fake = tmp_path / "bin"
    fake.mkdir(exist_ok=True)
    (fake / "python").write_text(FAKE_PYTHON)
    (fake / "python").chmod(0o755)
    log = tmp_path / "python.log"
    base = {k: v for k, v in os.environ.items() if k not in ("TUTORIAL_PROFILE", "NBVAL_CACHE", "MAKEFLAGS")}
    proc = subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), "-f", str(makefile), "-o", "install", f"BIN={fake}", target],
        env={**base, **env, "FAKE_PYTHON_LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = log.read_text().splitlines()
    return {
        "env": dict(line.split("=", 1) for line in lines if not line.startswith("arg=")),
        "args": [line.removeprefix("arg=") for line in lines if line.startswith("arg=")],
    }


def full_run_problems(call: dict) -> list[str]:
    """How a recorded ``python`` call departs from "every notebook, under nbval, in the full profile, without the
    book's execution cache" (empty when it does not)."""
    problems = []
    if call["env"]["TUTORIAL_PROFILE"] != "full":
        problems.append(f"profile {call['env']['TUTORIAL_PROFILE']}")
    if call["env"]["NBVAL_CACHE"] != "0":
        problems.append("the book's execution cache is used")
    args = call["args"]
    if args[:2] != ["-m", "pytest"] or "--nbval-lax" not in args:
        problems.append(f"not nbval: {args}")
    if [a for a in args if a.startswith("notebooks")] != ["notebooks"] or {"-k", "--deselect", "-x"} & set(args):
        problems.append(f"not every notebook: {args}")
    return problems


@pytest.mark.skipif(MAKE is None, reason="make not found")
def test_make_test_full_runs_every_notebook_in_the_full_profile_without_touching_the_cache(tmp_path):
    """Even when the environment asks for the quick profile, as make test's does."""
    assert full_run_problems(run_recipe(tmp_path, "test-full", TUTORIAL_PROFILE="quick")) == []


@pytest.mark.skipif(MAKE is None, reason="make not found")
@pytest.mark.parametrize(
    ("mutation", "problem"),
    [
        (("NBVAL_CACHE=0 ", ""), "the book's execution cache is used"),
        (("TUTORIAL_PROFILE=full ", ""), "profile quick"),
        ((" notebooks -q", " notebooks/01_convolution_as_matrix.ipynb -q"), "not every notebook"),
    ],
)
def test_the_check_fails_on_a_makefile_that_runs_the_wrong_thing(tmp_path, mutation, problem):
    """Planted failures: a Makefile whose test-full keeps the cache, runs the quick profile or one notebook."""
    text = (ROOT / "Makefile").read_text()
    recipe = text.split("\ntest-full:", 1)[1].split("\n\n", 1)[0]
    assert mutation[0] in recipe
    planted = tmp_path / "Makefile"
    planted.write_text(text.replace(recipe, recipe.replace(*mutation)))
    problems = full_run_problems(run_recipe(tmp_path, "test-full", planted, TUTORIAL_PROFILE="quick"))
    assert any(p.startswith(problem) for p in problems), problems
