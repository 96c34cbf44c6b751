# The only entry points people need: make book, make test (and make install, make bench, make clean).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
# Exact versions CI installs (torch is the CPU build). Pass CONSTRAINTS= to install unpinned, e.g. on a
# Python other than 3.11 where a pinned wheel may not exist.
CONSTRAINTS ?= constraints.txt
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export PATH := $(BIN):$(PATH)
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: install book test test-unit test-notebooks test-book browser bench sync clean

install: $(STAMP)

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e ".[dev]"
	@touch $@
	@echo "Installed into $(VENV) (python: $(BIN)/python)"

book: install
	$(BIN)/jupyter-book build . --all -W --keep-going
	@echo "Book: $(CURDIR)/_build/html/index.html"

test: install browser test-unit test-notebooks test-book

test-unit: install
	$(BIN)/python -m pytest tests --ignore=tests/book -q

test-notebooks: install
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env -p no:cacheprovider notebooks -q

test-book: install
	$(BIN)/python -m pytest tests/book -v

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
	$(BIN)/jupytext --sync notebooks/*.py

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
