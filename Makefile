# Taxonomy Workbench: `make demo` runs a pilot round on the bundled demo, `make test` runs every test.
# Both create .venv and install what they need; only python3 is required beforehand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= demo-project
PYTEST_ARGS ?=

.PHONY: help install demo test test-core test-fast lint services browser clean lock

help:
	@echo "make demo   - set up .venv and run a whole pilot round on the bundled demo (SQLite)"
	@echo "make test   - set up .venv, the browser and PostgreSQL, and run the whole test suite"
	@echo "make test-fast - core tests only (no PostgreSQL, browser, notebooks or real datasets)"

$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[postgres,test]"
	@touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/workbench demo --dir $(DEMO_DIR)

# Prerequisites of the postgres and browser groups. Missing ones are said loudly; under CI
# (CI=true) the tests then fail instead of skipping.
services:
	@bash .ci/services.sh

lint: install
	$(BIN)/lint-imports

test: install services
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -m "not postgres and not browser and not notebook and not data and not slow" $(PYTEST_ARGS)

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements/lock.txt

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache
