# Two commands for a newcomer: `make demo` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# the package alone (numpy is its only dependency)
$(VENV)/.base: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

# plus the test tools and PyTorch 2.13 (CPU), the oracle the tests compare against
$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.base

demo: $(VENV)/.base
	$(PY) examples/xor.py

test: $(VENV)/.test
	$(PY) -m ruff check luchina tests bench examples
	$(PY) -m pytest -n 2 -p no:cacheprovider tests

lint: $(VENV)/.test
	$(PY) -m ruff check luchina tests bench examples

bench: $(VENV)/.test
	$(PY) -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
