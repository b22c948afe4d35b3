# Workflow Orchestrator Prover: `make run` and `make test` work on a fresh clone with only
# Python 3.11+ installed; everything else is installed into .venv by `make setup`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
EXAMPLE ?= fixtures/examples/stripe_to_crm.md
# MYPYC=0: `make setup` leaves the package pure Python (the same results, about half the speed)
MYPYC ?= 1

.PHONY: setup compile run test eval lint bench load faults serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The hot modules compiled with mypyc, in place beside their sources (scripts/compile.py: a
# minute or two, skipped when the build matches the sources; any failure leaves pure Python)
setup: $(STAMP)
ifneq ($(MYPYC),0)
	@$(BIN)/python scripts/compile.py
endif

compile: $(STAMP)
	@$(BIN)/python scripts/compile.py --force

run: $(STAMP)
	@echo "$$ workflow-prover check $(EXAMPLE)"
	@$(BIN)/workflow-prover check $(EXAMPLE); status=$$?; \
	  echo "(exit code $$status: 0 = proven or not applicable, 1 = findings)"; \
	  [ $$status -le 1 ]

# the tests run on what `make setup` builds (compiled; `make test MYPYC=0` runs them pure)
test: setup
	$(BIN)/python -m pytest

# ASSIST_ANSWERS=FILE.jsonl: read each case with a model's recorded answers (README: assisted reading)
eval: $(STAMP)
	$(BIN)/python -m workflow_prover.evaluate $(if $(ASSIST_ANSWERS),--assist-answers $(ASSIST_ANSWERS))

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# The HTTP server under 32 concurrent clients and 5,000 calls (prints throughput and p50/p99;
# fails on any error or a p99 over its bound). A few minutes.
load: $(STAMP)
	$(BIN)/python benchmarks/load.py

# SIGKILL during session turns, a full disk and a read-only store (the last two need root to
# mount a tmpfs, and are skipped otherwise).
faults: $(STAMP)
	$(BIN)/python benchmarks/faults.py

serve: $(STAMP)
	$(BIN)/workflow-prover serve $(SERVE_ARGS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
	find src -name '*.so' -delete
	rm -f src/workflow_prover/compiled.json src/workflow_prover/compiled.json.tmp
