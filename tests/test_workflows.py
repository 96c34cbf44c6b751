"""The GitHub workflows run the README's commands: `make test` on every push; `make test-full` and a reduced
`make sweep` weekly and on demand.

(`make lint` validates both files against the workflow schema; these tests check what they run.)
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"


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


def test_make_test_full_runs_every_notebook_in_the_full_profile_without_touching_the_cache():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest-full:", 1)[1].split("\n\n", 1)[0]
    assert "TUTORIAL_PROFILE=full" in recipe and "NBVAL_CACHE=0" in recipe
    assert "--nbval-lax" in recipe and " notebooks " in recipe.replace("\\\n", " ")
