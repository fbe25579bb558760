# The front door. `make run` and `make test` work on a fresh clone: each creates .venv if missing,
# installs (once; again only when pyproject.toml changes), then acts.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
# The ONNX int8 export of the packaged MiniLM that training reads lives with the models, not in a
# user cache; every bundle carries its own copy, so serving a bundle never needs it.
export TRIAGE_EMBEDDER_ONNX ?= $(CURDIR)/models/embedder-onnx

SAMPLE_DIR := data/sample
SAMPLE_TICKETS ?= 20000
SAMPLE_SEED ?= 42
CONFIG ?= training/configs/default.yaml
BUNDLE ?= models/default
DEV_KEY ?= .triage/dev-api-key
TRIAGE_PORT ?= 8000

.PHONY: run test lint bench sample model clean-venv help

help:
	@echo "make run   - set up, build the embedded default (sample data, model), serve"
	@echo "make test  - set up, run the default test suite"
	@echo "make lint  - ruff, import contracts, mypy"
	@echo "make bench - run the benchmarks under bench/ (slow)"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]' 2>&1 | grep -v "is ignored: it is neither" ; test $${PIPESTATUS[0]} -eq 0
	touch $(STAMP)

$(SAMPLE_DIR)/tickets.parquet: | $(STAMP)
	$(BIN)/triage data generate --tickets $(SAMPLE_TICKETS) --seed $(SAMPLE_SEED) --out $(SAMPLE_DIR)

sample: $(SAMPLE_DIR)/tickets.parquet

# Train (MLflow store in mlruns/), promote the first run to @champion, export it as a bundle.
# `promote` exits 1 when the gate refuses a challenger; the current champion is exported then.
# The export is made in the recipe, not as a prerequisite: a bundle holds its own embedder, so a
# missing export must not retrain an existing bundle.
$(BUNDLE)/manifest.json: $(SAMPLE_DIR)/tickets.parquet
	test -f $(TRIAGE_EMBEDDER_ONNX)/embedder.json || $(BIN)/triage embedder export --out $(TRIAGE_EMBEDDER_ONNX)
	$(BIN)/triage train --config $(CONFIG) --data $(SAMPLE_DIR)/tickets.parquet
	$(BIN)/triage promote --config $(CONFIG) || test $$? -eq 1
	$(BIN)/triage export --config $(CONFIG) --out $(BUNDLE)

model: $(BUNDLE)/manifest.json

run: $(STAMP) $(BUNDLE)/manifest.json
	TRIAGE_KB_PATH=$${TRIAGE_KB_PATH:-$(SAMPLE_DIR)/kb_articles.parquet} \
	  $(BIN)/triage serve --bundle $(BUNDLE) --dev-key-file $(DEV_KEY) --port $(TRIAGE_PORT)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check triage training api tests bench
	$(BIN)/ruff format --check triage training api tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check triage training api tests bench
	$(BIN)/ruff format --check triage training api tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	@for f in bench/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean-venv:
	rm -rf $(VENV)
