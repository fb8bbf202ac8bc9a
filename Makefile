# msglab — developer commands. GNU make.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help setup run test lint bench mutate clean

help:  ## List the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changed since the last install.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# axe-core, for the accessibility tests; pinned by package-lock.json, never served to learners.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: install Node.js and npm (apt-get install nodejs npm), needed by the accessibility tests"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP)  ## Create the venv, install, migrate, collect static files
	$(BIN)/python manage.py migrate --noinput --verbosity 0
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup  ## Serve the app with Daphne on http://127.0.0.1:8000/
	@echo "msglab: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/daphne -b $(HOST) -p $(PORT) config.asgi:application

lint: $(STAMP)  ## ruff check, ruff format --check, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: setup lint $(NODE_STAMP)  ## Lint, type-check and run the test suite
	$(BIN)/pytest

bench: $(STAMP)  ## Benchmark the engine, the live stream (a real Daphne), the page (Chromium)
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/browser.py
	$(BIN)/python bench/pages.py

# Not part of `make test` or CI: about fifty minutes on two cores. docs/testing.md says when to run
# it and which mutants are excluded as equivalent. Incremental: a second run retests only what
# changed; `rm -rf mutants` starts afresh.
mutate: $(STAMP)  ## Mutation testing of the engine and the live layer against the fast tests
	$(BIN)/mutmut run
	$(BIN)/mutmut export-cicd-stats >/dev/null
	@$(BIN)/python -m tests.mutation
	@echo "surviving mutants (see one with: .venv/bin/mutmut show NAME):"
	@$(BIN)/mutmut results

clean:  ## Remove collected static files and tool caches (keeps .venv and the database)
	rm -rf staticfiles node_modules mutants .pytest_cache .mypy_cache .ruff_cache test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
