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

install: $(STAMP)

## Create the SQLite database, load the demo county and serve on http://127.0.0.1:5000 with the scheduler.
run: $(STAMP)
	$(BIN)/mediate demo
	$(BIN)/mediate serve

## Lint, then the whole suite on SQLite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

## The whole suite again on PostgreSQL (PG_TEST_URL; the database is recreated).
test-postgres: $(STAMP)
	MEDIATE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
