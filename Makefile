# Every target installs what it needs first: a fresh clone needs only Python 3.11+.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
BASE_PYTHON ?= $(shell scripts/find-python)
INSTALLED := $(VENV)/.installed
# Tools that pin their own boto3 get their own environments, each from its lock.
TOOL_VENVS := .venv-sam/.installed .venv-checkov/.installed .venv-bench/.installed .venv-bandit/.installed

.PHONY: help install demo site test browser-test e2e-aws lint types unit integration infra-check lock aws-models clean bench reliability

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

$(INSTALLED): requirements/dev.txt pyproject.toml
	@test -x $(PY) || $(BASE_PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip sync --quiet --python $(PY) requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@# Installs from before local/ wrote their metadata into shared/, which sam build ships.
	@rm -rf shared/*.egg-info
	@touch $@

install: $(INSTALLED)  ## create .venv with the pinned dependencies

.venv-%/.installed: requirements/%.txt | $(INSTALLED)
	@test -x .venv-$*/bin/python || $(UV) venv --quiet --python $(BASE_PYTHON) .venv-$*
	$(UV) pip sync --quiet --python .venv-$*/bin/python $<
	@touch $@

demo: $(INSTALLED)  ## the whole stack on this machine (pressroom local): examples at http://127.0.0.1:8000/
	$(VENV)/bin/pressroom local

site: $(INSTALLED)  ## publish examples/ through the whole pipeline into _site/ (no server)
	$(VENV)/bin/pressroom publish examples --site _site --log _site.log

lint: $(INSTALLED)  ## ruff (lint and format) and cfn-lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml infra/pipeline.yaml

types: $(INSTALLED)  ## mypy --strict on shared/, local/ and functions/
	$(VENV)/bin/mypy

infra-check: $(INSTALLED) $(TOOL_VENVS)  ## template and pipeline: sam validate, sam build, checkov, cfn-lint, layer, IAM, environment
	$(VENV)/bin/pytest -n 4 tests/infra

# A pytest -m expression over the suite: the pipeline's arm64 build, which has no Chromium,
# passes "not browser" and runs `make browser-test` on an image that has one.
TEST_MARKERS ?=

test: lint types infra-check  ## lint, types, the infrastructure checks and the whole test suite
	$(VENV)/bin/pytest -n auto -m "$(TEST_MARKERS)" --ignore=tests/infra --ignore=tests/reliability
	$(VENV)/bin/pytest -n auto -m "$(TEST_MARKERS)" --dist loadfile tests/reliability

browser-test: $(INSTALLED)  ## only the tests that drive Chromium
	$(VENV)/bin/pytest -n auto -m browser --ignore=tests/infra

# Real AWS, the caller's credentials; what it uploads goes under e2e/<run>/ and is removed.
e2e-aws: $(INSTALLED)  ## a deployed stack end to end: PRESSROOM_STACK=<stack name> (skips without)
	$(VENV)/bin/pytest -p no:cacheprovider tests/e2e_aws

unit: $(INSTALLED)  ## the unit tests only (no network, no moto)
	$(VENV)/bin/pytest tests/unit

integration: $(INSTALLED)  ## the pipeline on moto
	$(VENV)/bin/pytest tests/integration

# Hugo, Pelican and the profilers live in .venv-bench (requirements/bench.txt), never in the dev lock.
bench: $(INSTALLED) .venv-bench/.installed  ## benchmarks: publish cost vs site size, Hugo, Pelican, cold start, cost; writes bench/results.md
	$(PY) -m bench

# The tests (poison messages, XSS, bandit; faults and reordering at 60 posts, as in `make test`),
# then full size: 1,000 posts under faults and reordered, 10,000 posts of load (about 30 min).
reliability: $(INSTALLED) .venv-bandit/.installed  ## faults, poison messages, reordering, load, XSS, bandit: prints the figures
	$(VENV)/bin/pytest -n auto --dist loadfile tests/reliability
	HYPOTHESIS_PROFILE=reliability $(VENV)/bin/pytest -n auto tests/unit/test_render_properties.py \
		tests/integration/test_index_histories.py::test_delivery_on_the_concurrent_runtime_ends_like_delivery_in_order \
		tests/integration/test_listing_interleavings.py
	.venv-bandit/bin/bandit -r shared local functions --severity-level medium
	$(PY) -m reliability.run --posts 1000 --load 10000 --step 1000

lock:  ## re-resolve the pinned dependencies (layer first, then dev within it)
	$(UV) pip compile --quiet requirements/layer.in --python-version 3.13 \
		--python-platform aarch64-manylinux_2_28 --no-header -o shared/requirements.txt
	$(UV) pip compile --quiet pyproject.toml --extra dev -c shared/requirements.txt \
		--python-version 3.13 -o requirements/dev.txt
	$(UV) pip compile --quiet requirements/sam.in --universal --python-version 3.11 -o requirements/sam.txt
	$(UV) pip compile --quiet requirements/checkov.in --universal --python-version 3.11 -o requirements/checkov.txt
	$(UV) pip compile --quiet requirements/bandit.in --universal --python-version 3.11 -o requirements/bandit.txt

aws-models: $(INSTALLED)  ## cut botocore's models to the calls the adapters make (after `make lock`, or a new call)
	$(PY) -m pressroom_local.aws_models

clean:  ## remove the virtual environment and outputs
	rm -rf $(VENV) .venv-sam .venv-checkov .venv-bench .venv-bandit .aws-sam _site _site.log .pytest_cache .mypy_cache .ruff_cache
