# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# llama-cpp-python builds from source (~10 min on 2 cores); pip keeps the built wheel in its cache.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: run test test-fast lint install index eval eval-realdev eval-followups train fit-events eval-events bench chat serve env-example clean

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

# All tiers: unit (fakes, seconds), contract (the store on embedded Chroma and `chroma run`),
# e2e (the real embedder, model, Chroma and a fake Telegram Bot API; minutes).
test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest tests/unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

# .env.example is generated from retrieval/settings/ (a unit test checks that they agree).
env-example: $(STAMP)
	$(BIN)/rnkbot env-example > .env.example

index: $(STAMP)
	$(BIN)/rnkbot ingest

eval: $(STAMP)
	$(BIN)/rnkbot eval $(or $(FILE),../shared/eval/dev.jsonl)

# The realistic evaluation: the seeds plus realdev's news pages (third-party text, read from ../shared,
# never copied here) in an index of their own. SPLIT=val to report; choose and tune on train only.
REALDEV ?= ../shared/eval/realdev
REALDEV_DATA ?= data/realdev
SPLIT ?= train
eval-realdev: $(STAMP)
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot eval $(REALDEV)/questions.jsonl --split $(SPLIT) --corpus $(REALDEV)/articles

# Replies in a conversation ("Kapan itu terjadi?" after an answer), written by us over realdev's pages:
# each item's earlier questions are asked first. All train: for choosing how replies are read.
eval-followups: $(STAMP)
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot eval corpus/eval/realdev_followups.jsonl --corpus $(REALDEV)/articles

# Refit the evidence model (retrieval/answering/data/evidence_model.json) from the labelled training
# questions: realdev's train split and our own questions over the same pages (asked of the seeds plus
# realdev's pages), and the seed set (asked of the seeds alone, the corpus it was written for); then its
# reply floor on our labelled replies (rnkbot fit-replies).
train: $(STAMP)
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot train $(REALDEV)/questions.jsonl corpus/eval/realdev_extra.jsonl \
		--seed-questions ../shared/eval/dev.jsonl --corpus $(REALDEV)/articles \
		--report retrieval/answering/data/evidence_model.report.json
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot fit-replies corpus/eval/realdev_followups.jsonl

# The digest's event grouping: fit on realdev's train pages (retrieval/digest/data/event_model.json), scored
# pairwise against the pages' event labels. The split is by a hash of doc_id (retrieval/evaluation/events.py).
fit-events: $(STAMP)
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot fit-events $(REALDEV)/manifest.jsonl --corpus $(REALDEV)/articles

eval-events: $(STAMP)
	RNKBOT_DATA_DIR=$(REALDEV_DATA) $(BIN)/rnkbot eval-events $(REALDEV)/manifest.jsonl --split $(SPLIT) --corpus $(REALDEV)/articles

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
