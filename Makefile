# Two commands for a fresh machine: `make demo` and `make test`. Both create .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: demo test lint typecheck bench docs clean voice

$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -e .
	touch $@

$(VENV)/.dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[dev]'
	touch $(VENV)/.base $@

demo: $(VENV)/.base
	$(PY) -m twilio_connector.demo

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests bench samples
	$(VENV)/bin/ruff format --check src tests bench samples

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy --strict src/twilio_connector

test: lint typecheck
	$(VENV)/bin/pytest -q

bench: $(VENV)/.dev
	$(PY) bench/client_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

docs: $(VENV)/.dev
	$(PIP) 'pdoc>=14.5'
	$(VENV)/bin/pdoc -o site twilio_connector
	@echo "API reference written to site/index.html"
