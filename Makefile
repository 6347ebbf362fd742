# newsqa: `make run` installs and serves the app on the bundled sample corpus; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install install-dev run lint test test-fast bench-retrieval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	bash scripts/ensure_chromium.sh

run: install
	$(BIN)/python app.py

# ruff's linter and formatter, configured in pyproject.toml (`ruff format .` fixes the format).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Lint, then the whole suite, slow tests included (CI runs exactly this).
test: lint
	$(BIN)/python -m pytest

# Everything but the slow-marked tests: the quick check before a commit.
test-fast: install-dev
	$(BIN)/python -m pytest -m "not slow"

# Retrieval benchmark on ../shared/eval/multihop-rag (indexes the corpus on first run).
bench-retrieval: install
	$(BIN)/python -m bench.retrieval --variants ladder --name ladder

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
