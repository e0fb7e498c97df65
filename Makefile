# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# llama-cpp-python builds from source (~10 min on 2 cores); pip keeps the built wheel in its cache.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: run test test-fast lint install index eval chat serve env-example clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip wheel
	$(BIN)/python -m pip install -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The main job: builds the index when it is empty, then the Telegram bot when
# TELEGRAM_BOT_TOKEN is set (environment or .env), else the terminal chat.
run: $(STAMP)
	$(BIN)/rnkbot run

# All tiers: unit (fakes, seconds), contract (the store on embedded Chroma and `chroma run`),
# e2e (the real embedder, model, Chroma and a fake Telegram Bot API; minutes).
test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# .env.example is generated from retrieval/settings.py (a unit test checks that they agree).
env-example: $(STAMP)
	$(BIN)/rnkbot env-example > .env.example

index: $(STAMP)
	$(BIN)/rnkbot ingest

eval: $(STAMP)
	$(BIN)/rnkbot eval $(or $(FILE),../shared/eval/dev.jsonl)

chat: $(STAMP)
	$(BIN)/rnkbot chat

serve: $(STAMP)
	$(BIN)/rnkbot serve

clean:
	rm -rf $(VENV) data .pytest_cache
