# Two commands for a fresh machine: `make demo` and `make test`. Both create .venv.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check

.PHONY: demo test lint typecheck browser postgres node speech bench docs clean voice screenshot

# `make demo` and `make voice` run the emulator, the listener and rich: the [cli] extra brings
# them all (pyproject.toml). `make test` needs every extra and the test tools: [dev].
$(VENV)/.base: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[cli]'
	touch $@

$(VENV)/.dev: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) -e '.[dev]'
	touch $(VENV)/.base $@

demo: $(VENV)/.base speech
	$(PY) -m twilio_connector.demo

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check src tests bench samples
	$(VENV)/bin/ruff format --check src tests bench samples

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy --strict src/twilio_connector

test: lint typecheck browser postgres node speech
	$(VENV)/bin/pytest -q

# The web-inbox test drives Debian's Chromium (never a downloaded browser). Installed here
# when missing and we are root; otherwise that one test skips and says why.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for the browser test"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; } \
	    || echo "could not install chromium: the browser test will be skipped"; \
	  else echo "chromium missing and not root: the browser test will be skipped"; fi; }

# The PostgreSQL inbox tests start a throwaway server from Debian's postgresql binaries (never
# a downloaded build). Installed here when missing and we are root; otherwise those tests skip
# and say why (with CI=true they fail instead).
postgres:
	@{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian postgresql for the PostgreSQL tests"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } \
	    || echo "could not install postgresql: the PostgreSQL tests will be skipped"; \
	  else echo "postgresql missing and not root: the PostgreSQL tests will be skipped"; fi; }

# The caller's speech on realtime calls (Media Streams, ConversationRelay) is Debian's
# espeak-ng. Installed here when missing and we are root; otherwise the emulator falls back to a
# synthetic voice (a buzz a word) and the tests that need real speech skip and say why.
speech:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian espeak-ng for the caller's speech"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends espeak-ng >/dev/null; } \
	    || echo "could not install espeak-ng: the emulator falls back to a synthetic voice"; \
	  else echo "espeak-ng missing and not root: the emulator falls back to a synthetic voice"; fi; }

# The twilio-node tests (tests/node) run Twilio's official Node SDK, pinned by
# tests/node/package-lock.json, installed with `npm ci` into tests/node/node_modules once (again
# only when the lock changes). Without node and npm, or when the install fails, those tests skip
# and say why (with CI=true a missing twilio-node fails them instead).
NODE_DEPS := tests/node/node_modules/.installed

node:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
	  $(MAKE) -s --no-print-directory $(NODE_DEPS) \
	  || echo "could not install twilio-node: the Node SDK tests will be skipped"; \
	else echo "node or npm missing: the Node SDK tests will be skipped"; fi

$(NODE_DEPS): tests/node/package.json tests/node/package-lock.json tests/node/.npmrc
	cd tests/node && npm ci --loglevel=error
	@touch $@

screenshot: $(VENV)/.dev browser
	UPDATE_SCREENSHOT=1 $(VENV)/bin/pytest -q tests/emulator_ui/test_ui_browser.py

voice: $(VENV)/.base
	$(PY) samples/voice_call_transcript.py

bench: $(VENV)/.dev
	$(PY) bench/client_bench.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

docs: $(VENV)/.dev
	$(PIP) 'pdoc>=14.5'
	$(VENV)/bin/pdoc -o site twilio_connector twilio_connector.config twilio_connector.errors \
	  twilio_connector.models twilio_connector.inputs twilio_connector.resources \
	  twilio_connector.signature twilio_connector.twiml twilio_connector.listener \
	  twilio_connector.emulator twilio_connector.bulk twilio_connector.cli
	@echo "API reference written to site/index.html"
