# Two commands a new user needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgresql://postgres:postgres@127.0.0.1:5432/mediate_test

.PHONY: run test test-postgres lint bench install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

NODE_STAMP := node_modules/.package-lock.json

# Front-end packages from npm (the pages' htmx and Bootstrap, the modelers' parsers; pinned by package-lock.json).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# The pages' gettext catalogs: compiled from the committed .po files, never committed themselves.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard web/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(NODE_STAMP) $(CATALOGS)

## Create the SQLite database, load the demo county and serve on http://127.0.0.1:5000 with the scheduler.
run: $(STAMP) $(NODE_STAMP) $(CATALOGS)
	$(BIN)/mediate demo
	$(BIN)/mediate serve

## Lint, then the whole suite on SQLite (the browser tests drive /usr/bin/chromium).
test: $(STAMP) $(NODE_STAMP) $(CATALOGS)
	$(BIN)/ruff check .
	$(BIN)/pytest

## The whole suite again on PostgreSQL (PG_TEST_URL; the database is recreated).
test-postgres: $(STAMP) $(NODE_STAMP) $(CATALOGS)
	MEDIATE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache .ruff_cache test-artifacts $(CATALOGS)
