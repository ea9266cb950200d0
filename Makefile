# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint setup browser bench bench-peers clean

setup: $(STAMP)

# Reinstall when the dependency list or the torch pin changes.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rnnlab demo

lint: $(STAMP)
	$(BIN)/ruff check rnnlab tests benchmarks
	$(BIN)/ruff format --check rnnlab tests benchmarks

test: lint browser
	$(BIN)/python -m pytest

# Headless Chromium for tests/commands/test_browser.py, which opens every kind of report.html: Debian's
# package, installed as root or through sudo when missing; nothing to do when it is there.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then as_root=; else as_root="sudo -n"; fi; \
	  $$as_root apt-get update -qq && $$as_root env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	} || echo "chromium could not be installed: tests/commands/test_browser.py will be skipped"

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_demo.py

# rnnlab's LSTM against neuralforecast's on M3 monthly, in a venv of its own: neuralforecast is
# no dependency of rnnlab. The default run takes about 5 minutes on 2 cores;
# PEERS_FLAGS="--series 100 --steps 200" is a quick check, "--nf-rows defaults,matched" adds
# neuralforecast on 1024-window batches (20 minutes more).
PEERS := .venv-peers
PEERS_STAMP := $(PEERS)/.installed
PEERS_FLAGS ?=

$(PEERS_STAMP): pyproject.toml constraints.txt benchmarks/peers-requirements.txt
	test -x $(PEERS)/bin/python || $(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet -c constraints.txt -r benchmarks/peers-requirements.txt -e .
	touch $(PEERS_STAMP)

bench-peers: $(PEERS_STAMP)
	$(PEERS)/bin/python benchmarks/peers.py $(PEERS_FLAGS)

clean:
	rm -rf $(VENV) runs .pytest_cache .ruff_cache
