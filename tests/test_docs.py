"""What the README and the book's pages tell a newcomer exists: no path outside the repository, no file, constant
or make target that is gone, and a link to the published book that the book's configuration agrees with."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = sorted(p for p in (ROOT / "book").rglob("*") if p.is_file() and p.suffix in (".md", ".bib", ".py"))
TEXTS = [README, *PAGES]
# An absolute path on someone's machine: /work/..., /home/..., /Users/..., but not a URL's path (github.com/home).
ABSOLUTE = re.compile(r"(?<![\w.:/~-])/(?:work|home|Users|root|tmp|opt|mnt|srv|var|usr|etc)/[^\s`)\"']*")
# A repository path the prose names, in backticks or as a link target: `tests/offline.sh`, (book/conventions.md).
REPO_PATH = re.compile(r"[`(]((?:\.?/)?(?:src|tests|book|notebooks|benchmarks|\.github|\.ci)/[\w./-]+)[`)]")
# A constant the prose names in backticks: `WORKERS`, `SLOWEST_FIRST`, `TORCH_INDEX_URL` (and `X=...` forms).
CONSTANT = re.compile(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})(?:=[^`]*)?`")
CODE = [
    *(ROOT / "src").rglob("*.py"),
    *(ROOT / "tests").rglob("*.py"),
    *(ROOT / "benchmarks").glob("*.py"),
    *(ROOT / "notebooks").glob("*.py"),
    *(ROOT / ".github" / "workflows").glob("*.yml"),
    ROOT / "conftest.py",
    ROOT / "Makefile",
    ROOT / "_config.yml",
]


def repo_url() -> str:
    """[project.urls] Repository of pyproject.toml (read with a regex: tomllib needs Python 3.11)."""
    match = re.search(r'^Repository = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), flags=re.M)
    assert match, "pyproject.toml has no [project.urls] Repository"
    return match.group(1)


def pages_url(repository: str) -> str:
    """Where GitHub Pages publishes a repository's site: https://github.com/OWNER/NAME -> https://OWNER.github.io/NAME/."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+?)/?", repository)
    assert match, f"not a GitHub repository address: {repository}"
    owner, name = match.groups()
    return f"https://{owner.lower()}.github.io/{name}/"


def test_pages_url():
    assert pages_url("https://github.com/checkerboard-book/checkerboard") == (
        "https://checkerboard-book.github.io/checkerboard/"
    )


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_path_outside_the_repository(path):
    found = ABSOLUTE.findall(path.read_text())
    assert not found, f"{path.relative_to(ROOT)} names paths a reader does not have: {found}"


def test_the_absolute_path_check_catches_one():
    text = "renders pages (`/work/shared/tools/screenshots`), see /home/me/x; but https://github.com/home/ is a URL"
    assert ABSOLUTE.findall(text) == ["/work/shared/tools/screenshots", "/home/me/x;"]


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_repository_paths_exist(path):
    missing = []
    for name in REPO_PATH.findall(path.read_text()):
        if re.search(r"NN|\*|<|\{", name):
            continue  # a pattern (notebooks/NN_topic.py, notebooks/*.py), not a file
        target = (path.parent if name.startswith("./") else ROOT) / name
        if not target.exists():
            missing.append(name)
    assert not missing, f"{path.relative_to(ROOT)} names files that do not exist: {missing}"


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_named_constants_exist(path):
    """A constant the prose names (a list of chapters, an environment variable) is defined or read in the code:
    the book's conventions once described `PHASE_2` lists that had been removed."""
    code = "\n".join(p.read_text() for p in CODE if p != Path(__file__).resolve())
    missing = sorted({c for c in CONSTANT.findall(path.read_text()) if not re.search(rf"\b{c}\b", code)})
    assert not missing, f"{path.relative_to(ROOT)} names constants the code does not have: {missing}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not found")
def test_named_make_targets_exist():
    targets = set()
    for path in TEXTS:
        targets.update(re.findall(r"`make ([a-z][\w-]*)", path.read_text()))
    assert {"book", "test"} <= targets
    for target in sorted(targets):
        proc = subprocess.run(["make", "-n", "-C", str(ROOT), target], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, f"`make {target}` is named in the docs but fails: {proc.stderr}"


def test_readme_links_to_the_published_book_and_the_config_agrees():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    url = pages_url(repo_url())
    assert config["html"]["baseurl"] == url
    assert f"]({url})" in README.read_text(), f"the README does not link to the published book, {url}"


def test_launch_buttons_open_jupyterlab_like_the_badge():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["launch_buttons"]["notebook_interface"] == "jupyterlab"
    (badge,) = re.findall(r"\(https://mybinder\.org/v2/gh/[^)]+\)", README.read_text())
    assert "labpath=" in badge or "urlpath=lab" in badge, f"the Binder badge does not open JupyterLab: {badge}"
