"""What a newcomer's first `make` does, checked without installing anything.

Two ways in, neither of which downloads: a probe makefile read after the real one prints a variable as the
recipes see it (`make -f Makefile -f probe.mk`), and `make install` runs for real on a scratch copy of the
Makefile with a fake Python that logs what it is asked to do, creates a venv of fakes, and installs nothing.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make not found")
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def probe(tmp_path: Path, expression: str, *args: str, env: dict | None = None) -> str:
    """``expression`` (make syntax, e.g. ``$(NPROC)`` or ``$$TUTORIAL_PROFILE`` for the recipes' environment) as the
    repository's Makefile makes it, with extra make ``args``; ``env`` replaces the environment."""
    mk = tmp_path / "probe.mk"
    mk.write_text(f'probe:\n\t@echo "[{expression}]"\n')
    run_env = {k: v for k, v in os.environ.items() if k not in ("TUTORIAL_PROFILE", "TORCH_INDEX_URL", "MAKEFLAGS")}
    if env is not None:
        run_env = env
    proc = subprocess.run(
        [MAKE, "-s", "-C", str(ROOT), "-f", "Makefile", "-f", str(mk), *args, "probe"],
        capture_output=True,
        text=True,
        env=run_env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.strip().splitlines()[-1]
    assert out.startswith("[") and out.endswith("]"), proc.stdout
    return out[1:-1]


# ---- the profile: `make book` and `make test` run the quick one unless TUTORIAL_PROFILE says otherwise


def test_make_runs_the_quick_profile_by_default(tmp_path):
    """Even on a CUDA machine, where runtime.profile() would pick "full" for a notebook run directly."""
    assert probe(tmp_path, "$$TUTORIAL_PROFILE") == "quick"


def test_the_profile_can_still_be_chosen(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "MAKEFLAGS"}
    assert probe(tmp_path, "$$TUTORIAL_PROFILE", env={**env, "TUTORIAL_PROFILE": "full"}) == "full"
    assert probe(tmp_path, "$$TUTORIAL_PROFILE", "TUTORIAL_PROFILE=full") == "full"


# ---- a core count without nproc (macOS has none)


def fake_bin(tmp_path: Path, name: str, script: str) -> Path:
    """A folder holding one executable ``name`` that runs the POSIX sh ``script``."""
    folder = tmp_path / f"bin-{name}"
    folder.mkdir(exist_ok=True)
    exe = folder / name
    exe.write_text(f"#!/bin/sh\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.mark.parametrize("shell", ["/bin/sh", "/bin/bash"])
def test_core_count_without_nproc(tmp_path, shell):
    """The Makefile's NPROC under a PATH without nproc: getconf where it exists (Linux, macOS), then macOS's
    sysctl, then 2. Run under a strict POSIX sh too (SHELL=/bin/sh, dash on Debian), not only bash."""
    assert Path(shell).exists()
    env = {"HOME": os.environ.get("HOME", "/")}
    getconf = shutil.which("getconf")
    if getconf:  # Linux's getconf alone, as on macOS, where getconf exists but nproc does not
        only_getconf = tmp_path / "only-getconf"
        only_getconf.mkdir()
        (only_getconf / "getconf").symlink_to(getconf)
        expected = subprocess.run([getconf, "_NPROCESSORS_ONLN"], capture_output=True, text=True).stdout.strip()
        assert probe(tmp_path, "$(NPROC)", f"SHELL={shell}", env={**env, "PATH": str(only_getconf)}) == expected
    mac = fake_bin(tmp_path, "sysctl", '[ "$1 $2" = "-n hw.ncpu" ] && echo 8')
    assert probe(tmp_path, "$(NPROC)", f"SHELL={shell}", env={**env, "PATH": str(mac)}) == "8"
    nothing = tmp_path / "empty"
    nothing.mkdir()
    assert probe(tmp_path, "$(NPROC)", f"SHELL={shell}", env={**env, "PATH": str(nothing)}) == "2"


def test_core_count_uses_nproc_where_it_exists(tmp_path):
    if shutil.which("nproc") is None:
        pytest.skip("no nproc here")
    expected = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    assert probe(tmp_path, "$(NPROC)") == expected


# ---- which torch: the CPU wheel on a Linux machine without an NVIDIA driver


def torch_env(**extra: str) -> dict:
    """The environment without TORCH_INDEX_URL, without pip's own index settings, and (as pip reads
    PIP_CONFIG_FILE=/dev/null) without its configuration files, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("TORCH_INDEX_URL", "MAKEFLAGS") and not k.startswith("PIP_")
    }
    return {**env, "PIP_CONFIG_FILE": os.devnull, **extra}


@pytest.mark.skipif(sys.platform != "linux", reason="the CPU-index default is for Linux")
def test_linux_without_nvidia_gets_the_cpu_torch(tmp_path):
    if Path("/proc/driver/nvidia/version").exists():
        pytest.skip("this machine has an NVIDIA driver")
    env = torch_env()
    env["PATH"] = ":".join(p for p in env["PATH"].split(":") if not (Path(p) / "nvidia-smi").exists())
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env=env) == CPU_INDEX


def test_an_nvidia_machine_gets_pypis_torch(tmp_path):
    gpu = fake_bin(tmp_path, "nvidia-smi", "exit 0")
    env = torch_env()
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env={**env, "PATH": f"{gpu}:{env['PATH']}"}) == ""


def test_pips_own_index_is_left_alone(tmp_path):
    """A mirror or an offline wheelhouse, set in the environment or in a pip.conf, is not bypassed."""
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://mirror.invalid/simple\n")
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env=torch_env(PIP_FIND_LINKS="/wheels")) == ""
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env=torch_env(PIP_INDEX_URL="https://mirror.invalid/")) == ""
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env=torch_env(PIP_CONFIG_FILE=str(conf))) == ""


def test_torch_index_can_be_chosen(tmp_path):
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", "TORCH_INDEX_URL=", env=torch_env()) == ""
    assert probe(tmp_path, "$(TORCH_INDEX_URL)", env=torch_env(TORCH_INDEX_URL="https://x.invalid/")) == (
        "https://x.invalid/"
    )


# ---- `make install` on a scratch copy, with a fake Python

FAKE_PYTHON = """#!{real}
# A stand-in for python3 that logs its arguments and installs nothing (tests/test_makefile.py).
import os, shutil, sys
from pathlib import Path

args = sys.argv[1:]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
if args[:1] == ["-c"]:  # the version check runs for real
    os.execv({real!r}, [{real!r}, *args])
here = Path(sys.argv[0]).parent
if args[:2] == ["-m", "venv"]:
    target = Path(args[-1])
    if "--clear" in args and target.exists():
        shutil.rmtree(target)
    (target / "bin").mkdir(parents=True, exist_ok=True)
    shutil.copy(__file__, target / "bin" / "python")
    if os.environ.get("FAKE_NO_ENSUREPIP"):  # Debian or Ubuntu without python3-venv: a venv without pip
        sys.exit("Error: ensurepip is not available")
    (target / "bin" / "pip").touch()  # what ensurepip leaves behind
    sys.exit(0)
if args[:2] == ["-m", "pip"]:
    if not (here / "pip").exists():
        sys.exit(f"{{sys.argv[0]}}: No module named pip")
    sys.exit(0)
sys.exit(0)
"""


@pytest.fixture
def scratch(tmp_path):
    """A scratch copy of what `make install` reads, and a fake python3 for it."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(ROOT / name, root / name)
    fake = tmp_path / "python3"
    fake.write_text(FAKE_PYTHON.format(real=sys.executable))
    fake.chmod(0o755)
    return root, fake


def install(scratch, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`make install` in the scratch copy: the process and the fake Pythons' log of what they were asked."""
    root, fake = scratch
    log = root.parent / "log.txt"
    log.write_text("")
    clean = {k: v for k, v in os.environ.items() if k not in ("TUTORIAL_PROFILE", "TORCH_INDEX_URL", "MAKEFLAGS")}
    proc = subprocess.run(
        [MAKE, "-C", str(root), "install", f"PYTHON={fake}", *args],
        capture_output=True,
        text=True,
        env={**clean, "FAKE_LOG": str(log), **env},
        timeout=120,
    )
    return proc, log.read_text().splitlines()


def pip_installs(calls: list[str]) -> list[str]:
    return [c for c in calls if c.startswith("-m pip install")]


def test_install_runs_once(scratch):
    proc, calls = install(scratch, "TORCH_INDEX_URL=")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(c.startswith("-m venv") for c in calls)
    assert any("-e .[dev]" in c and "--extra-index-url" not in c for c in pip_installs(calls)), calls
    proc, calls = install(scratch, "TORCH_INDEX_URL=")
    assert proc.returncode == 0 and pip_installs(calls) == [], calls  # up to date
    root, _ = scratch
    later = (root / ".venv").stat().st_mtime + 10
    os.utime(root / "pyproject.toml", (later, later))  # a changed dependency: install again, torch stays
    proc, calls = install(scratch, "TORCH_INDEX_URL=")
    assert proc.returncode == 0 and pip_installs(calls), calls
    assert not any(c.startswith(("-m venv", "-m pip uninstall")) for c in calls), calls


def test_changing_the_torch_index_reinstalls_torch(scratch):
    """Before: the stamp ignored TORCH_INDEX_URL, so naming the CPU index after a first install did nothing."""
    proc, _ = install(scratch, "TORCH_INDEX_URL=")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, calls = install(scratch, f"TORCH_INDEX_URL={CPU_INDEX}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "-m pip uninstall -y torch" in " ".join(calls), calls  # so pip picks torch again, from the new index
    assert any(f"--extra-index-url {CPU_INDEX}" in c for c in pip_installs(calls)), calls
    proc, calls = install(scratch, f"TORCH_INDEX_URL={CPU_INDEX}")
    assert proc.returncode == 0 and pip_installs(calls) == [], calls  # up to date for this index
    proc, calls = install(scratch, "TORCH_INDEX_URL=")  # and back
    assert "-m pip uninstall -y torch" in " ".join(calls) and pip_installs(calls), calls


def test_a_venv_without_pip_is_rebuilt(scratch):
    """Before: `test -x .venv/bin/python` kept a venv that python3 -m venv had left without pip."""
    root, fake = scratch
    (root / ".venv" / "bin").mkdir(parents=True)
    shutil.copy(fake, root / ".venv" / "bin" / "python")  # a python, but no pip
    proc, calls = install(scratch, "TORCH_INDEX_URL=")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(c.startswith("-m venv") for c in calls), calls
    assert (root / ".venv" / "bin" / "pip").exists()


def test_a_missing_python3_venv_is_named(scratch):
    """Where python3 -m venv cannot make pip (Debian or Ubuntu without python3-venv), make says what to install,
    on the first run and on every later one."""
    for _ in range(2):
        proc, calls = install(scratch, "TORCH_INDEX_URL=", FAKE_NO_ENSUREPIP="1")
        assert proc.returncode != 0
        assert "python3-venv" in proc.stderr, proc.stderr
        assert pip_installs(calls) == []
