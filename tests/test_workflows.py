"""The GitHub workflows run the README's commands: `make test` on every push; on main, `make book PROFILE=full`, whose
book GitHub Pages publishes, with a cache of the chapters' executions; a reduced `make sweep` weekly.

(`make lint` validates the files against the workflow schema; these tests parse them and check what they run.)
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
# What an execution cached by jupyter-cache depends on besides a notebook's own code cells.
CACHE_INPUTS = {"src/**", "pyproject.toml", "constraints.txt", "_config.yml"}


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.get("on", data.get(True))  # YAML 1.1 reads the key `on` as True
    return data


def runs(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def step_using(job: dict, action: str) -> dict:
    (step,) = [s for s in job["steps"] if s.get("uses", "").startswith(action + "@")]
    return step


def hashed_files(key: str) -> set[str]:
    """The file patterns of the hashFiles(...) expressions in a cache key."""
    return {p for call in re.findall(r"hashFiles\(([^)]*)\)", key) for p in re.findall(r"'([^']+)'", call)}


def test_every_push_and_pull_request_runs_make_test():
    book = load("book.yml")
    assert {"push", "pull_request", "workflow_dispatch"} <= set(book["on"])
    test = book["jobs"]["test"]
    assert "if" not in test and runs(test) == ["make test"]
    assert book["env"]["TORCH_INDEX_URL"].endswith("/whl/cpu")


def test_the_published_book_is_built_in_the_full_profile_on_main_after_make_test():
    job = load("book.yml")["jobs"]["book-full"]
    assert job["needs"] == "test"
    assert "refs/heads/main" in job["if"] and "push" in job["if"] and "workflow_dispatch" in job["if"]
    assert [r for r in runs(job) if r.startswith("make")] == ["make book PROFILE=full"]
    assert step_using(job, "actions/upload-pages-artifact")["with"]["path"] == "_build/full/_build/html"
    assert job["timeout-minutes"] <= 360  # a hosted job's limit is 6 hours


def test_the_cache_key_covers_what_the_executions_depend_on():
    job = load("book.yml")["jobs"]["book-full"]
    restore, save = step_using(job, "actions/cache/restore"), step_using(job, "actions/cache/save")
    assert restore["with"]["path"] == save["with"]["path"] == "_build/full/_build/.jupyter_cache"
    key = restore["with"]["key"]
    assert key == save["with"]["key"]
    assert CACHE_INPUTS | {".github/workflows/book.yml"} <= hashed_files(key)
    # A cache is restored only from a build whose package, pins, config and workflow were the same: every restore
    # key carries the same hashFiles prefix, so a change to any of them re-executes every chapter.
    prefix = key.split("${{ github.sha }}")[0]
    assert prefix.endswith("-") and "hashFiles" in prefix
    assert [k for k in restore["with"]["restore-keys"].split("\n") if k] == [prefix]
    assert save["if"] == "always() && !cancelled()"  # the chapters that ran are kept even when one failed


def test_pages_deploys_only_from_a_green_full_build():
    book = load("book.yml")
    deploy = book["jobs"]["deploy"]
    assert deploy["needs"] == "book-full" and "if" not in deploy  # needs: skipped or failed book-full, no deploy
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    uploads = [job for name, job in book["jobs"].items() for s in job["steps"] if "upload-pages" in s.get("uses", "")]
    assert uploads == [book["jobs"]["book-full"]]  # the quick book of `make test` is never published
    failure = [s for s in book["jobs"]["book-full"]["steps"] if s.get("if") == "failure()"]
    assert failure and "::error" in failure[0]["run"]


def test_weekly_reduced_sweep_runs_two_seeds_by_two_thread_counts_in_the_quick_profile():
    sweep = load("sweep.yml")
    (cron,) = [entry["cron"] for entry in sweep["on"]["schedule"]]
    assert re.fullmatch(r"\d+ \d+ \* \* [0-6]", cron), cron  # once a week
    (step,) = runs(sweep["jobs"]["sweep-quick"])
    assert step.startswith("make sweep ") and "--profile" not in step, step  # make sweep's default: quick
    seeds = re.search(r"--seeds (\d+)-(\d+)", step)
    assert seeds and int(seeds[2]) - int(seeds[1]) + 1 == 2, step
    assert "--threads 1,2" in step and "--ledger _build/" in step, step  # never the committed ledger


def dry_run(*args: str) -> str:
    return subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def test_make_book_builds_each_profile_into_its_own_folder():
    """make -n prints what make book would run: the quick book in _build/html, the full one apart, with the
    profile exported to the notebooks' kernels."""
    assert "jupyter-book build . --path-output . " in dry_run("book")
    full = dry_run("book", "PROFILE=full")
    assert "jupyter-book build . --path-output _build/full " in full
    env = subprocess.run(
        ["make", "-s", "-f", "-", "show"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        input=(ROOT / "Makefile").read_text() + "\nshow:\n\t@echo $$TUTORIAL_PROFILE\n",
        env={"PATH": "/usr/bin:/bin", "PROFILE": "full"},
    ).stdout
    assert env.strip() == "full"
    bad = subprocess.run(["make", "-n", "book", "PROFILE=fast"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode != 0 and "PROFILE must be quick or full, got 'fast'" in bad.stderr
