"""Binder's environment.yml and pyproject.toml describe the same environment, at versions compatible with CI's.

pyproject.toml is the source of truth for what the package needs; constraints.txt pins what CI installs;
environment.yml is what Binder and conda users get. This test fails when one of them drifts from the others.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"torch": "pytorch-cpu", "jupyter-book": "jupyter-book"}
CONDA_ONLY = {"python", "pip", "ipykernel"}  # the interpreter and tools every conda environment needs


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_requirements() -> dict[str, list[str]]:
    """Requirement names of the package's dependencies and of each extra (read with regexes: Python 3.10)."""
    text = (ROOT / "pyproject.toml").read_text()
    groups = {}
    for group, body in re.findall(r"^(dependencies|book|dev) = \[(.*?)\]\s*$", text, flags=re.M | re.S):
        names = re.findall(r'"([A-Za-z0-9_.\-]+)', body)
        groups[group] = [normalise(n) for n in names if not n.startswith("tutorial")]
    return groups


def ci_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[normalise(name)] = version
    return pins


def conda_specs() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(?:=(\S+))?", dep)
            assert match, f"environment.yml: cannot read {dep!r}"
            specs[normalise(match.group(1))] = match.group(2) or ""
        else:  # the pip: section, for packages conda-forge lacks, pinned exactly
            for line in dep["pip"]:
                name, version = line.split("==")
                specs[normalise(name)] = version.strip()
    return specs


def test_every_runtime_and_book_dependency_is_in_environment_yml():
    groups, specs = pyproject_requirements(), conda_specs()
    assert groups.get("dependencies") and groups.get("book"), groups
    for name in groups["dependencies"] + groups["book"]:
        assert normalise(CONDA_NAME.get(name, name)) in specs, f"environment.yml lacks {name} (pyproject.toml needs it)"


def test_environment_yml_lists_nothing_the_package_does_not_declare():
    declared = {normalise(CONDA_NAME.get(n, n)) for names in pyproject_requirements().values() for n in names}
    for name in conda_specs():
        assert name in declared or name in CONDA_ONLY, (
            f"environment.yml has {name}, which pyproject.toml does not declare"
        )


def test_binder_versions_are_the_ones_ci_tests():
    """Each conda pin (e.g. numpy=2.4, i.e. 2.4.*) admits the exact version in constraints.txt."""
    pins, specs = ci_pins(), conda_specs()
    to_pypi = {normalise(v): k for k, v in CONDA_NAME.items()}
    for name, spec in specs.items():
        if name in CONDA_ONLY and name != "python":
            continue
        assert spec, f"environment.yml: {name} has no version; pin it to CI's major.minor"
        if name == "python":
            assert spec == "3.11", "CI runs Python 3.11"
            continue
        version = pins[normalise(to_pypi.get(name, name))]
        assert version == spec or version.startswith(spec + "."), f"{name}: Binder {spec}, CI {version}"
