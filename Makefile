# Taxonomy Workbench: `make demo` runs a pilot round on the bundled demo, `make test` runs every test.
# Both create .venv and install what they need; only python3 is required beforehand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
PEERS  := .venv-peers
PEERS_STAMP := $(PEERS)/.installed
LS     := .venv-ls
LS_STAMP := $(LS)/.installed
HUB_STAMP := $(VENV)/.installed-jupyterhub
HUB_NODE := $(VENV)/hub-node
MIN    := .venv-min
DEMO_DIR ?= demo-project
PYTEST_ARGS ?=

.PHONY: help install install-test peers label-studio jupyterhub test-min demo test test-core test-fast lint services browser clean lock

help:
	@echo "make demo   - set up .venv and run a whole pilot round on the bundled demo (SQLite)"
	@echo "make test   - set up .venv, the browser and PostgreSQL, and run the whole test suite"
	@echo "make test-fast - core tests only (no PostgreSQL, browser, notebooks or real datasets)"
	@echo "make test-min  - core tests on the lowest numpy / pandas / scipy / pyarrow pyproject declares"

# `make demo` installs only what the demo needs; `make test` adds the postgres and test extras.
$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e .
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -e ".[postgres,test]"
	@touch $(TEST_STAMP)

install: $(STAMP)

install-test: $(TEST_STAMP)

# Reference libraries that pin old stacks (irrCAC, modAL, small-text) get their own venv;
# tests/peer_oracles/worker.py answers the cross-checks from it.
$(PEERS_STAMP): requirements/peers-lock.txt
	@test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet -r requirements/peers-lock.txt
	@touch $(PEERS_STAMP)

peers: $(PEERS_STAMP)

# Label Studio pins Django, numpy and pandas that clash with ours: it gets its own venv too;
# tests/interop/label_studio_server.py runs it as a real server on 127.0.0.1.
$(LS_STAMP): requirements/label-studio.txt requirements/label-studio-lock.txt
	@test -x $(LS)/bin/python || $(PYTHON) -m venv $(LS)
	$(LS)/bin/python -m pip install --quiet -r requirements/label-studio.txt -c requirements/label-studio-lock.txt
	@touch $(LS_STAMP)

label-studio: $(LS_STAMP)

# The team deployment (deploy/jupyterhub/): JupyterHub goes into .venv itself, because its
# single-user servers must import workbench (its pins do not clash with lock.txt), and its
# proxy, configurable-http-proxy, comes from npm (deploy/jupyterhub/package-lock.json) into .venv/hub-node.
$(HUB_STAMP): $(STAMP) requirements/jupyterhub.txt requirements/jupyterhub-lock.txt \
              deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json
	@command -v npm >/dev/null || { echo "make jupyterhub: npm is missing (Node >= 20 and npm are needed for configurable-http-proxy)"; exit 1; }
	$(BIN)/python -m pip install --quiet -c requirements/lock.txt -c requirements/jupyterhub-lock.txt -r requirements/jupyterhub.txt
	@mkdir -p $(HUB_NODE)
	cp deploy/jupyterhub/package.json deploy/jupyterhub/package-lock.json $(HUB_NODE)/
	npm ci --prefix $(HUB_NODE) --no-audit --no-fund --loglevel=error
	@touch $(HUB_STAMP)

jupyterhub: $(HUB_STAMP)

demo: install
	$(BIN)/workbench demo --dir $(DEMO_DIR)

# Prerequisites of the postgres and browser groups. Missing ones are said loudly; under CI
# (CI=true) the tests then fail instead of skipping.
services:
	@bash .ci/services.sh

lint: install-test
	$(BIN)/lint-imports

test: install-test peers label-studio jupyterhub services
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: install-test
	$(BIN)/python -m pytest -m "not postgres and not browser and not notebook and not data and not slow and not label_studio" $(PYTEST_ARGS)

# The lowest versions pyproject.toml declares for the numeric stack, with the core tests.
test-min:
	@test -x $(MIN)/bin/python || $(PYTHON) -m venv $(MIN)
	$(MIN)/bin/python -m pip install --quiet --upgrade pip
	$(MIN)/bin/python -m pip install --quiet -c requirements/min.txt -e ".[postgres,test]"
	$(MIN)/bin/python -m pytest -m "not postgres and not browser and not notebook and not data and not slow and not label_studio" \
	  --deselect tests/agreement/test_peers.py $(PYTEST_ARGS)

# Re-resolve the current releases (no constraints) in a scratch venv and record them.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e ".[postgres,test]"
	.venv-lock/bin/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements/lock.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(PEERS) $(MIN) $(DEMO_DIR) .pytest_cache
