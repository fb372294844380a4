# Lanterne — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.lanterne-installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup run test bench lint clean

setup: $(STAMP)

# Re-installs only when the dependency list changed; otherwise `make setup` returns at once.
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	# torch first and pinned: the CPU wheel. Anything unpinned would pull gigabytes of CUDA wheels.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: setup
	QT_QPA_PLATFORM= $(BIN)/lanterne

test: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/lanterne bench index --pages 400
	$(BIN)/lanterne bench search --chunks 100000
	test ! -f ../shared/corpus/piaf/piaf-dev.json || $(BIN)/lanterne bench retrieval ../shared/corpus/piaf/piaf-dev.json

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
