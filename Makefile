# Workflow Orchestrator Prover: `make run` and `make test` work on a fresh clone with only
# Python 3.11+ installed; everything else is installed into .venv by `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE ?= fixtures/examples/stripe_to_crm.md

.PHONY: setup run test eval lint bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	@echo "$$ workflow-prover check $(EXAMPLE)"
	@$(BIN)/workflow-prover check $(EXAMPLE); status=$$?; \
	  echo "(exit code $$status: 0 = proven or not applicable, 1 = findings)"; \
	  [ $$status -le 1 ]

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python -m workflow_prover.evaluate

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

serve: $(STAMP)
	$(BIN)/workflow-prover serve $(SERVE_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
