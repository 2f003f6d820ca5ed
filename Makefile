# stationsim: the two commands of the README, and the ones developers use.
#   make run    create .venv, install, run the main job on the built-in default
#   make test   create .venv, install with test extras, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
OUT ?= out

.PHONY: run test lint bench clean fuzz load

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/stationsim where
	$(BIN)/stationsim data info
	$(BIN)/stationsim station --without ros --picture $(OUT)/iss-without-ros.png
	$(BIN)/stationsim decay --at 2022-03-27T13:08:21Z --days 30 --plot $(OUT)/iss-decay-2022.png
	$(BIN)/stationsim run farewell-2022 --out $(OUT)/farewell-2022

test: $(STAMP)
	@sh scripts/install_browser.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/reentry_ensemble.py
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

FUZZ_SECONDS ?= 120
# Every parser's fuzz target (fuzz/) for FUZZ_SECONDS each; FUZZ_ARGS passes more options
# to fuzz/run_all.py (e.g. FUZZ_ARGS="--targets tle,omm").
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[fuzz]'
	$(BIN)/python fuzz/run_all.py --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

LOAD_ARGS ?= --clients 50 --duration 60
# The web service under load (scripts/load_test.py): a real server on a loopback port, its own
# store; prints throughput and latency percentiles, audits the store (docs/reliability.md).
load: $(STAMP)
	@mkdir -p $(OUT)
	$(BIN)/python scripts/load_test.py --json $(OUT)/load.json $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
