# The two commands: `make demo` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ARGS   ?=

.PHONY: demo test bench services venv clean

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

## make test: the whole suite, on SQLite and on a TimescaleDB server + mosquitto started by the tests.
test: $(STAMP) services
	$(BIN)/pytest $(ARGS)

## make bench: throughput and latency against same-run baselines → bench/results.{json,md}.
bench: $(STAMP) services
	$(BIN)/stewards bench $(ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
