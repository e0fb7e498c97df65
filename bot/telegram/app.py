"""Building and running the Telegram application.

``build_application`` wires PTB (token, base URL, rate limiter, handlers); ``post_init``
builds the heavy services once (in a worker thread) and keeps them in ``bot_data``.
``run_bot`` runs long polling, or a webhook server when ``RNKBOT_WEBHOOK_URL`` is set.
Everything comes from the one :class:`Settings` (its ``telegram`` section for the bot itself).

Start-up survives what it can: an index that cannot be opened gives a stand-in core that says
so to every question (:mod:`.core`); a database that cannot be opened is retried at each use
(:mod:`.db`). Then the answer journal is read: questions a previous process left unanswered are
queued first, unfinished answers and digests are finished (:mod:`.journal`, :mod:`.digests`),
and a timer retries whatever Telegram could not take.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlparse

from telegram import BotCommand, Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.logsetup import add_secret, quiet_http_loggers
from corpus.errors import ConfigError, RnkbotError
from prompts import message
from retrieval.settings import Settings, TelegramSettings
from retrieval.types import Language

from . import handlers
from .answering import AnswerFlow
from .core import Core, RecoveringCore
from .db import DatabaseError
from .digests import Clock, DigestDelivery, DigestScheduler, utc_now
from .ingesting import schedule_feeds
from .journal import AnswerJournal
from .memory import AnswerMemory, AnswerStore
from .prefs import PrefsStore
from .queue import AnswerQueue, Job
from .ratelimit import RateLimiter
from .services import SERVICES_KEY, BotServices
from .stats import BotStats
from .subscriptions import SubscriptionStore

if TYPE_CHECKING:
    from retrieval.service import AnswerService

log = logging.getLogger(__name__)
SETUP_KEY = "rnkbot.setup"
ServiceFactory = Callable[[Settings], Core]  # AnswerService.build in production; tests pass fakes
# Edits are asked for only to say that an edit is not answered again (handlers.edited).
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE]
# The command menu, in order; each description is the catalog's ``command_<name>``.
MENU = ("start", "help", "ask", "sources", "about", "lang", "subscribe", "unsubscribe", "digest", "forget")
BOT_DB = "bot.sqlite3"  # preferences, remembered answers and the answer journal, in the data dir
REDELIVER_JOB = "rnkbot-redeliver"


def build_answer_service(settings: Settings) -> AnswerService:
    """The default factory: load the embedder and model, index the corpus on first run (blocking)."""
    from retrieval.service import AnswerService

    service = AnswerService.build(settings)
    service.ensure_index()
    return service


def file_url_for(base_url: str) -> str:
    """``https://api.telegram.org/bot`` -> ``https://api.telegram.org/file/bot`` (also with ``{token}``)."""
    head, sep, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if sep else base_url


def build_application(
    settings: Settings, service_factory: ServiceFactory = build_answer_service, clock: Clock = utc_now,
) -> Application:
    """A configured PTB application; the answer service is built by ``service_factory`` in ``post_init``.

    Tests pass ``service_factory=lambda _settings: already_built_service`` and a frozen ``clock``
    (the digest's notion of "now").
    """
    telegram = settings.telegram
    if telegram.bot_token is None or not telegram.bot_token.get_secret_value():
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env")
    quiet_http_loggers()
    add_secret(telegram.bot_token.get_secret_value())
    add_secret(telegram.webhook_secret.get_secret_value() if telegram.webhook_secret else None)
    application = (
        ApplicationBuilder()
        .token(telegram.bot_token.get_secret_value())
        .base_url(telegram.base_url)
        .base_file_url(file_url_for(telegram.base_url))
        .rate_limiter(AIORateLimiter(max_retries=telegram.send_retries))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    application.bot_data[SETUP_KEY] = (settings, service_factory, clock)
    handlers.register(application)
    return application


async def set_commands(application: Application) -> None:
    """Register the command menu: English by default, Indonesian for ``id`` users."""
    bot = application.bot
    await bot.set_my_commands(menu("en"))
    await bot.set_my_commands(menu("id"), language_code="id")


def menu(lang: Language) -> list[BotCommand]:
    return [BotCommand(name, message(lang, f"command_{name}")) for name in MENU]


def core_or_stand_in(settings: Settings, factory: ServiceFactory) -> Core:
    """The answer service, or (when it cannot be built: a damaged index...) a stand-in that says so."""
    try:
        return factory(settings)
    except RnkbotError as exc:
        log.error("answers unavailable until this is fixed (the bot runs on without them): %s", exc)
        return RecoveringCore(settings, factory, exc)


async def post_init(application: Application) -> None:
    """Build the services once (the answer service in a worker thread) and start the answer queue."""
    settings, factory, clock = application.bot_data[SETUP_KEY]
    config = settings.telegram
    service = await asyncio.to_thread(core_or_stand_in, settings, factory)
    bot_db = settings.store.data_dir / BOT_DB
    prefs = await asyncio.to_thread(PrefsStore, bot_db)
    memory = AnswerMemory(await asyncio.to_thread(AnswerStore, bot_db, config.history_size, config.history_days))
    journal = await asyncio.to_thread(AnswerJournal, bot_db)
    subscriptions = await asyncio.to_thread(SubscriptionStore, settings.digest_db_path)
    digests = DigestDelivery(application.bot, service, subscriptions, settings, clock=clock, retries=config.send_retries,
                             memory=memory)
    if application.job_queue is None:
        raise ConfigError("the digest needs PTB's job queue: install python-telegram-bot[job-queue] (make install)")
    scheduler = DigestScheduler(application.job_queue, digests)
    stats = BotStats()
    flow = AnswerFlow(application.bot, service, config, stats, memory, journal)

    async def spawn(coro, job: Job) -> None:  # errors go to the central error handler
        await application.create_task(coro, update=job.update, name=f"rnkbot-answer-{job.id}")

    queue = AnswerQueue(flow.process, maxsize=config.max_queue, spawn=spawn, running=lambda: application.running)
    application.bot_data[SERVICES_KEY] = BotServices(
        settings=settings, service=service, prefs=prefs, memory=memory, journal=journal, queue=queue, stats=stats,
        limiter=RateLimiter(config.rate_limit_per_min), flow=flow, digests=digests, scheduler=scheduler,
    )
    await set_commands(application)
    schedule_feeds(application, settings)
    queue.start()
    resumed = await resume_unfinished(application, flow, queue, journal, memory)
    subscribers = scheduler.start()  # jobs run once the application (and its JobQueue) starts

    async def redeliver(context) -> None:
        await flow.redeliver()
        await scheduler.tick()

    application.job_queue.run_repeating(redeliver, interval=config.redeliver_interval_s, first=config.redeliver_interval_s,
                                        name=REDELIVER_JOB)
    log.info("bot @%s ready; %d digest subscriptions; %d questions left by the last run", application.bot.username,
             subscribers, resumed)


async def resume_unfinished(application: Application, flow: AnswerFlow, queue: AnswerQueue, journal: AnswerJournal,
                            memory: AnswerMemory) -> int:
    """What the previous process left (a crash, ``kill -9``): recent questions are queued again
    before any new one; unfinished answers are finished and the rest told to ask again, once the
    application runs. Returns how many entries were found."""
    try:
        entries = await asyncio.to_thread(journal.unfinished)
    except DatabaseError as exc:
        log.error("unanswered questions of the last run cannot be read: %s", exc)
        return 0
    now, later = time.time(), []
    for entry in entries:
        if entry.parts is None and flow.should_retry(entry, now) and not queue.full():
            queue.put(flow.job_for(entry, await memory.history_for(entry.chat_id, entry.reply_to)))
        else:
            later.append(entry)

    async def finish(context) -> None:
        for entry in later:
            await flow.resume(entry)

    if later and application.job_queue is not None:
        application.job_queue.run_once(finish, when=0, name="rnkbot-resume")
    return len(entries)


async def post_stop(application: Application) -> None:
    """No more answers once the application has stopped."""
    svc: BotServices | None = application.bot_data.get(SERVICES_KEY)
    if svc is not None:
        await svc.queue.stop()


async def post_shutdown(application: Application) -> None:
    """Close what ``post_init`` opened."""
    svc: BotServices | None = application.bot_data.pop(SERVICES_KEY, None)
    if svc is not None:
        await svc.queue.stop()
        svc.prefs.close()
        svc.digests.store.close()
        svc.memory.close()
        svc.journal.close()


class WebhookOptions(TypedDict):
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str | None
    allowed_updates: Sequence[str]


def webhook_options(config: TelegramSettings) -> WebhookOptions:
    """Arguments of ``run_webhook`` / ``Updater.start_webhook`` (the same names) for ``config``.

    The server listens on ``webhook_listen:webhook_port`` at the path of ``webhook_url`` and
    registers ``webhook_url`` with ``setWebhook``; requests without the secret get a 403.
    """
    if not config.webhook_url:
        raise ConfigError("RNKBOT_WEBHOOK_URL is not set: webhook mode needs the public URL Telegram posts to")
    secret = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
    return {
        "listen": config.webhook_listen,
        "port": config.webhook_port,
        "url_path": urlparse(config.webhook_url).path.lstrip("/"),
        "webhook_url": config.webhook_url,
        "secret_token": secret or None,
        "allowed_updates": ALLOWED_UPDATES,
    }


def run_bot(settings: Settings) -> None:
    """Run the bot until interrupted: long polling, or a webhook when RNKBOT_WEBHOOK_URL is set."""
    config = settings.telegram
    application = build_application(settings)  # logging is the caller's (bot.cli configures it)
    if config.webhook_url:
        application.run_webhook(**webhook_options(config))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
