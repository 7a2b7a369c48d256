# Every target installs what it needs first: a fresh clone needs only Python 3.11+.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
BASE_PYTHON ?= $(shell scripts/find-python)
INSTALLED := $(VENV)/.installed

.PHONY: help install demo test lint types unit integration lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(INSTALLED): requirements/dev.txt pyproject.toml
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --python $(PY) requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

install: $(INSTALLED)  ## create .venv with the pinned dependencies

demo: $(INSTALLED)  ## publish examples/ through the whole pipeline into _site/
	$(VENV)/bin/pressroom publish examples --site _site --log _site.log

lint: $(INSTALLED)  ## ruff (lint and format) and cfn-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml infra/pipeline.yaml

types: $(INSTALLED)  ## mypy --strict on shared/ and functions/
	$(VENV)/bin/mypy

test: lint types  ## lint, types and the whole test suite
	$(VENV)/bin/pytest

unit: $(INSTALLED)  ## the unit tests only (no network, no moto)
	$(VENV)/bin/pytest tests/unit

integration: $(INSTALLED)  ## the pipeline on moto
	$(VENV)/bin/pytest tests/integration

lock:  ## re-resolve the pinned dependencies (layer first, then dev within it)
	$(UV) pip compile --quiet requirements/layer.in --python-version 3.13 \
		--python-platform aarch64-manylinux_2_28 --no-header -o shared/requirements.txt
	$(UV) pip compile --quiet pyproject.toml --extra dev -c shared/requirements.txt \
		--python-version 3.13 -o requirements/dev.txt

clean:  ## remove the virtual environment and outputs
	rm -rf $(VENV) _site _site.log .pytest_cache .mypy_cache .ruff_cache
