# Two commands for a fresh Debian or Ubuntu machine:
#   make run    set up and start the app on its embedded defaults
#   make test   set up everything the tests need, lint, and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_PACKAGES := git git-lfs python3-venv sqlite3
TEST_PACKAGES := $(RUN_PACKAGES) chromium iproute2 util-linux
# Real documentation corpora for the wiki benchmark (English and Japanese), and a
# Markdown documentation site from PyPI: PyMdown Extensions' sdist carries its docs, and
# pip's its MyST (Sphinx Markdown) docs.
# restic and borg are the peers bench/peers.py runs beside Kura.
BENCH_PACKAGES := $(TEST_PACKAGES) python3-doc debian-reference-ja nodejs-doc restic borgbackup
BENCH_SDISTS := pymdown-extensions==13.1.2 pip==24.0

.PHONY: run test lint bench soak system-run system-test system-bench

run: system-run $(VENV)/.runtime
	@$(BIN)/python -m config.password
	$(BIN)/python -m streamlit run app.py

test: system-test $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: system-bench $(VENV)/.bench bench/corpora/.done
	$(BIN)/python -m bench

# The multi-host stateful test with hundreds of examples (a step of `make bench` too).
soak: system-test $(VENV)/.dev
	$(BIN)/python -m bench.soak

bench/corpora/.done: Makefile | $(BIN)/python
	$(BIN)/python -m pip download -q --no-deps --no-binary :all: -d bench/corpora $(BENCH_SDISTS)
	@touch $@

system-run:
	@scripts/system-packages.sh $(RUN_PACKAGES)

system-test:
	@scripts/system-packages.sh $(TEST_PACKAGES)

system-bench:
	@scripts/system-packages.sh $(BENCH_PACKAGES)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.bench: requirements-bench.txt $(VENV)/.dev
	$(BIN)/python -m pip install -q -r requirements-bench.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime
