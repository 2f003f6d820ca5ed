# stationsim: the two commands of the README, and the ones developers use.
#   make run    create .venv, install, run the main job on the built-in default
#   make test   create .venv, install with test extras, run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
OUT ?= out

.PHONY: run test lint bench clean

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

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
