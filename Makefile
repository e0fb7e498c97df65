# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# llama-cpp-python builds from source (~10 min on 2 cores); pip keeps the built wheel in its cache.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: run test install index eval chat serve clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip wheel
	$(BIN)/python -m pip install -e '.[test,bench]'
	touch $(STAMP)

install: $(STAMP)

# The main job: builds the index when it is empty, then the Telegram bot when
# TELEGRAM_BOT_TOKEN is set (environment or .env), else the terminal chat.
run: $(STAMP)
	$(BIN)/rnkbot run

test: $(STAMP)
	$(BIN)/python -m pytest

index: $(STAMP)
	$(BIN)/rnkbot ingest

eval: $(STAMP)
	$(BIN)/rnkbot eval $(or $(FILE),../shared/eval/dev.jsonl)

# Speed and scale, measured: a table printed, JSON and Markdown under results/bench/<time>/.
# ARGS="--sizes 1000,10000,100000,300000" for more; see `python -m bot.bench --help`.
bench: $(STAMP)
	$(BIN)/python -m bot.bench $(ARGS)

chat: $(STAMP)
	$(BIN)/rnkbot chat

serve: $(STAMP)
	$(BIN)/rnkbot serve

clean:
	rm -rf $(VENV) data .pytest_cache
