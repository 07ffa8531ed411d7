# The two commands: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: demo test lint bench services venv clean

# constraints.txt pins every package, direct and indirect, to what `make test` last passed with.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

venv: $(STAMP)

## make demo: 龙潭街道's stewards patrol a simulated year on the embedded default (SQLite + amqtt).
# `@`: make echoes no recipe, so `make demo ARGS=--json` prints only JSON on stdout.
demo: $(STAMP)
	@$(BIN)/stewards demo $(ARGS)

## make services: install mosquitto and PostgreSQL 15 + TimescaleDB when missing (needs root).
services:
	bash scripts/install-services.sh

## make lint: ruff, mypy and the import contracts of the design notes (pyproject.toml configures all three).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: lint, then the whole suite, on SQLite and on a TimescaleDB server + mosquitto started by the tests.
# The prerequisites run in this order, so a lint finding fails `make test` before the services start.
test: $(STAMP) lint services
	$(BIN)/pytest $(ARGS)

## make bench: throughput and latency against same-run baselines → bench/results.{json,md}.
bench: $(STAMP) services
	$(BIN)/stewards bench $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
