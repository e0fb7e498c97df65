"""The bot's plain logic: addressing, rate limit, memory, queue, preferences, config, strings."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time

import pytest
from telegram import Message

from bot.telegram.addressing import addressed_question, command_question, cut_question
from bot.telegram.i18n import guess_language, parse_language, t
from bot.telegram.memory import AnswerStore
from bot.telegram.prefs import PrefsStore
from bot.telegram.queue import AnswerQueue, Job, QueueFull
from bot.telegram.ratelimit import RateLimiter
from retrieval.settings import Settings, TelegramSettings
from retrieval.types import Answer, Turn
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.updates import group_person, private_person

BOT_ID, BOT_NAME = 123456, "rnk_test_bot"


def message(person, text: str, reply_to: dict | None = None) -> Message:
    data = person.compose(text, reply_to)
    return Message.de_json(data, None)


def bot_message(person) -> dict:
    return {"message_id": 999, "date": 0, "chat": person.chat, "text": "an answer",
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "RNK", "username": BOT_NAME}}


@pytest.fixture
def server() -> FakeBotAPI:
    return FakeBotAPI()


def test_private_text_is_always_a_question(server):
    alice = private_person(server, 1)
    got = addressed_question(message(alice, "  Siapa?  "), BOT_NAME, BOT_ID)
    assert got is not None and got.question == "Siapa?"


def test_group_needs_a_mention_or_a_reply(server):
    g = group_person(server, -5, 2)
    assert addressed_question(message(g, "just chatting"), BOT_NAME, BOT_ID) is None
    assert addressed_question(message(g, "@someone_else hi"), BOT_NAME, BOT_ID) is None
    got = addressed_question(message(g, "@RNK_test_bot who met Kim?"), BOT_NAME, BOT_ID)
    assert got is not None and got.question == "who met Kim?" and got.reply_to is None
    got = addressed_question(message(g, "and when?", reply_to=bot_message(g)), BOT_NAME, BOT_ID)
    assert got is not None and got.question == "and when?" and got.reply_to == 999


def test_ask_command_takes_the_rest_or_the_replied_text(server):
    g = group_person(server, -5, 2)
    assert command_question(message(g, "/ask@rnk_test_bot who met\nKim?"), BOT_ID).question == "who met\nKim?"
    other = {"message_id": 7, "date": 0, "chat": g.chat, "text": "Who is Kozlov?", "from": g.user}
    assert command_question(message(g, "/ask", reply_to=other), BOT_ID).question == "Who is Kozlov?"
    follow = command_question(message(g, "/ask and when?", reply_to=bot_message(g)), BOT_ID)
    assert follow.reply_to == 999


def test_cut_question_at_a_word():
    text = "word " * 300
    cut, was_cut = cut_question(text, 1000)
    assert was_cut and len(cut) <= 1000 and cut.endswith("word")
    assert cut_question("short", 1000) == ("short", False)


def test_rate_limit_sliding_window():
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert limiter.check(1) == 0 and limiter.check(1) == 0
    wait = limiter.check(1)
    assert 59 < wait <= 60 and RateLimiter.wait_seconds(wait) == 60
    assert limiter.check(2) == 0  # per user
    now[0] = 60.5
    assert limiter.check(1) == 0
    assert RateLimiter(0).check(1) == 0


def test_memory_persists_is_bounded_per_chat_and_maps_every_part(tmp_path):
    now = [1_000_000.0]
    path = tmp_path / "bot.sqlite3"
    mem = AnswerStore(path, per_chat=3, max_age_days=1, clock=lambda: now[0])
    ans = Answer(question="q1", language="en", answer="a [1]", refused=False)
    mem.remember(7, [10, 11], [Turn(question="q1", answer=ans)])
    mem.remember(8, [10], [Turn(question="other chat")])
    mem.close()
    mem = AnswerStore(path, per_chat=3, max_age_days=1, clock=lambda: now[0])  # a restart
    assert mem.history_for(7, 11)[0].question == "q1" and mem.answer_for(7, 10) == ans
    assert mem.last_answer(7) == ans and mem.history_for(7, None) == [] and mem.history_for(7, 99) == []
    assert mem.history_for(8, 10)[0].question == "other chat", "message ids are per chat"
    for mid in (20, 21, 22):
        now[0] += 1
        mem.remember(7, [mid], [Turn(question=str(mid))])
    assert mem.history_for(7, 10) == [] and mem.count(7) == 3, "only the newest per_chat messages are kept"
    assert mem.history_for(7, 22)[0].question == "22" and mem.last_answer(7) is None
    assert mem.answer_or_last(7, 99) is None and mem.count(8) == 1
    now[0] += 86400 + 10
    assert mem.history_for(7, 22) == [], "too old to follow up"
    mem.remember(9, [1], [Turn(question="new")])
    assert mem.count(7) == 0 and mem.count(8) == 0 and mem.count(9) == 1, "old answers are pruned"
    with contextlib.closing(sqlite3.connect(path)) as other:  # another process, or an older version of the bot
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with other:
            other.execute("UPDATE answer_memory SET turns = '[{\"nonsense\": 1}]'")
    assert mem.history_for(9, 1) == [], "an unreadable row is forgotten, not an error"
    mem.close()


def job(n: int, chat: int = 1) -> Job:
    return Job(update=None, chat_id=chat, private=True, message_id=n, question=f"q{n}", history=[],
               ui_language="en")


async def test_queue_answers_in_order_one_at_a_time():
    done, running = [], 0

    async def handle(j: Job) -> None:
        nonlocal running
        running += 1
        assert running == 1
        await asyncio.sleep(0.01)
        done.append(j.message_id)
        running -= 1

    q = AnswerQueue(handle, maxsize=3)
    q.start()
    ahead = [q.put(job(i)) for i in range(3)]
    assert ahead == [0, 1, 2]
    await asyncio.sleep(0)  # the worker takes the first one
    assert q.ahead() == 3 and q.waiting == 2
    assert q.put(job(3)) == 3 and q.full()
    with pytest.raises(QueueFull):
        q.put(job(4))
    await asyncio.wait_for(q.join(), 5)
    assert done == [0, 1, 2, 3]
    await q.stop()


def test_prefs_persist_across_instances(tmp_path):
    store = PrefsStore(tmp_path / "bot.sqlite3")
    assert store.get_language(1) is None
    store.set_language(1, "en")
    store.set_language(1, "id")
    store.close()
    again = PrefsStore(tmp_path / "bot.sqlite3")
    assert again.get_language(1) == "id"
    with contextlib.closing(sqlite3.connect(tmp_path / "bot.sqlite3")) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(ValueError):
        again.set_language(1, "fr")  # type: ignore[arg-type]  # the point: a language the bot does not speak


def test_config_reads_comma_separated_ids_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNKBOT_ADMINS", "1, 2")
    monkeypatch.setenv("RNKBOT_ALLOWED_CHATS", "-1001;5")
    monkeypatch.setenv("RNKBOT_RATE_LIMIT_PER_MIN", "4")
    cfg = Settings(_env_file=None).telegram
    assert cfg.admins == [1, 2] and cfg.allowed_chats == [-1001, 5] and cfg.rate_limit_per_min == 4
    assert cfg.chat_allowed(-1001) and not cfg.chat_allowed(7) and cfg.chat_allowed(2, user_id=2)
    assert all(f.description for f in TelegramSettings.model_fields.values())
    monkeypatch.setenv("RNKBOT_ALLOWED_CHATS", "")
    assert Settings(_env_file=None).telegram.chat_allowed(12345)


def test_a_bad_webhook_secret_is_refused_without_showing_it(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("RNKBOT_WEBHOOK_SECRET", "has spaces/and-slash")
    with pytest.raises(ValidationError, match="1-256 characters of A-Z") as err:
        Settings(_env_file=None)
    assert "has spaces" not in str(err.value)
    monkeypatch.setenv("RNKBOT_WEBHOOK_SECRET", "Ok_secret-1")
    secret = Settings(_env_file=None).telegram.webhook_secret
    assert secret is not None and secret.get_secret_value() == "Ok_secret-1"


def test_every_string_and_command_exists_in_both_languages():
    from bot.telegram.app import menu
    from prompts import catalog

    assert catalog()["id"].keys() == catalog()["en"].keys()
    assert [c.command for c in menu("id")] == [c.command for c in menu("en")]
    assert all(c.description for c in menu("id") + menu("en"))
    assert t("en", "queued", ahead=2).endswith("2 ahead of it.")
    assert "&lt;b&gt;" in t("en", "lang_usage", current="<b>")
    assert guess_language("id-ID") == "id" and guess_language("ru") == "en" and guess_language(None) == "en"
    assert parse_language("EN") == "en" and parse_language("indonesia") == "id" and parse_language("fr") is None


def test_base_urls_and_missing_token():
    from bot.telegram.app import build_application, file_url_for
    assert file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url_for("http://127.0.0.1:8081/bot{token}") == "http://127.0.0.1:8081/file/bot{token}"
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        build_application(Settings(_env_file=None))


def test_log_redaction():
    import logging

    from bot.logsetup import quiet_http_loggers, redact, redact_everywhere

    before = logging.getLogRecordFactory()
    try:
        redact_everywhere("123:SECRET")
        redact_everywhere("123:SECRET")  # idempotent
        record = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "POST %s/getMe",
                                                   ("http://h/bot123:SECRET",), None)
        assert record.getMessage() == "POST http://h/bot<TOKEN>/getMe"
        assert redact("a 123:SECRET b") == "a <TOKEN> b"
    finally:
        logging.setLogRecordFactory(before)
    quiet_http_loggers()
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


@pytest.mark.parametrize("webhook", [None, "https://bot.example.org/tg/hook-1"])
def test_run_bot_polls_or_serves_a_webhook(monkeypatch, webhook):
    """run_bot's choice and arguments (PTB's run_* are replaced: they would block and need the network)."""
    from telegram.ext import Application

    from bot.telegram.app import run_bot

    seen: dict = {}
    monkeypatch.setattr(Application, "run_polling", lambda self, **kw: seen.update(mode="polling", **kw))
    monkeypatch.setattr(Application, "run_webhook", lambda self, **kw: seen.update(mode="webhook", **kw))
    monkeypatch.setenv("RNKBOT_WEBHOOK_PORT", "")  # empty values in .env mean "default"
    settings = Settings(_env_file=None, telegram={"bot_token": "1:ABC", "base_url": "http://127.0.0.1:9/bot",
                                                  "webhook_url": webhook, "webhook_secret": "s3cret"})
    run_bot(settings)
    assert seen["allowed_updates"] == ["message", "edited_message"]
    if webhook is None:
        assert seen["mode"] == "polling"
    else:
        assert seen["mode"] == "webhook" and seen["webhook_url"] == webhook and seen["url_path"] == "tg/hook-1"
        assert seen["port"] == 8443 and seen["secret_token"] == "s3cret"


def test_draft_text_drops_model_loops_and_stays_short():
    from bot.telegram.streaming import DRAFT_LIMIT, draft_text

    assert draft_text("[1] Putin [1]\n[1] Putin [1]\n[1] Putin [1]\nKim") == "[1] Putin [1]\nKim"
    assert len(draft_text("x" * 10_000)) == DRAFT_LIMIT


async def test_streamer_takes_text_from_a_worker_thread_and_skips_repeats():
    from bot.telegram.streaming import Streamer

    class View:
        def __init__(self) -> None:
            self.shown: list[str] = []

        async def open(self): ...
        async def close(self): ...
        async def show(self, text: str) -> None:
            self.shown.append(text)

    view = View()
    streamer = Streamer(asyncio.get_running_loop(), view, interval_s=0.01)
    streamer.start()

    def produce() -> None:
        for text in ["Putin", "Putin", "Putin sent", "Putin sent\nPutin sent"]:
            streamer.push(text)
            time.sleep(0.05)

    await asyncio.to_thread(produce)
    await asyncio.sleep(0.05)
    await streamer.stop()
    assert view.shown == ["Putin", "Putin sent"]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_about_fits_one_message_however_many_outlets(lang):
    from bot.telegram.reports import about_text
    from retrieval.service import CorpusStats
    from tests.fakes.tg_html import parse_html

    outlets = [f"Outlet Number {i:03d} (Bahasa Indonesia) & Co" for i in range(400)]
    stats = CorpusStats(articles=1200, chunks=9000, outlets=outlets, first_published="2023-01-01",
                        last_published="2025-01-01")
    parsed = parse_html(about_text(stats, lang))
    assert parsed.length <= 4096, "one Telegram message (it failed with 'message is too long')"
    assert "400" in parsed.text and outlets[0] in parsed.text and outlets[-1] not in parsed.text
    more = {"en": "and {} more", "id": "dan {} lainnya"}[lang]
    shown = sum(name in parsed.text for name in outlets)
    assert 10 < shown < 400 and parsed.text.count(more.format(400 - shown)) == 1
    few = about_text(CorpusStats(articles=3, chunks=9, outlets=["Kontan", "Tempo"], first_published=None,
                                 last_published=None), lang)
    assert "Kontan, Tempo)" in few, "a short list is shown whole, without 'more'"
