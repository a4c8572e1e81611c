# The two commands of the README. Each sets itself up on a fresh clone (creates .venv, installs).
PY ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "need Python 3.11 ($(PY)) on PATH"; exit 1; }
	@test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.14.1 torchvision==0.29.1
	$(VENV)/bin/pip install -q -e ".[dev,onnx,conformance]"
	@touch $(STAMP)

setup: $(STAMP)

DEMO := out/demo

## Main job: simulate demo parcels (DICOS scans + a manifest of declarations), inspect them with the shipped
## model and print the verdicts (a table here; JSON Lines in $(DEMO)/verdicts.jsonl; contact sheet in
## $(DEMO)/preview.png).
demo: $(STAMP)
	rm -rf $(DEMO)
	$(VENV)/bin/nii synth --parcels 8 --seed 20261128 --out $(DEMO) --preview --quiet
	$(VENV)/bin/nii inspect $(DEMO)/scans --declarations $(DEMO)/manifest.json --json > $(DEMO)/verdicts.jsonl
	$(VENV)/bin/nii inspect $(DEMO)/scans --declarations $(DEMO)/manifest.json
	@echo "verdicts: $(DEMO)/verdicts.jsonl  contact sheet: $(DEMO)/preview.png"

## Tests: lint, types, the test suite.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy nii models datasets training serve
	$(VENV)/bin/pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
