"""Keeping the corpus current from Telegram: the admins' ``/ingest URL`` and the feeds job.

Both only call :meth:`retrieval.service.AnswerService.sources` in a worker thread; the work
(fetching, extraction, topic filter, de-duplication, writing) lives in ``retrieval.index.sources``.
Articles are written under the answer service's lock, so answering never sees half an article.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Message, Update
from telegram.ext import Application, ContextTypes

from corpus.errors import RnkbotError
from corpus.fetch import is_web_url
from retrieval.settings import Settings
from retrieval.types import Language

from .core import Core
from .i18n import t
from .services import incoming, services, ui_language

log = logging.getLogger(__name__)
FEEDS_JOB = "rnkbot-feeds"


async def ingest_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ingest URL... (admins only): read the pages now and say what was added or skipped."""
    svc = services(context)
    user, message = update.effective_user, incoming(update)
    lang = await ui_language(context, user)
    if user is None or not svc.settings.telegram.is_admin(user.id):
        await message.reply_text(t(lang, "admins_only"))
        return
    urls = [a for a in (context.args or []) if is_web_url(a)]
    if not urls:
        await message.reply_text(t(lang, "ingest_usage"), parse_mode="HTML")
        return
    # A task of its own (errors still reach the error handler): updates are handled one at a time,
    # and every user's would wait while the pages are fetched and embedded.
    context.application.create_task(_ingest(svc.service, urls, message, lang), update=update, name="rnkbot-ingest")


async def _ingest(service: Core, urls: list[str], message: Message, lang: Language) -> None:
    """Read the pages and tell the admin what was added or skipped."""
    try:
        report = await asyncio.to_thread(service.ingest, urls)
    except RnkbotError as exc:  # a full disk, an index that cannot be written: the admin gets the whole message
        log.error("%s", exc)
        await message.reply_text(t(lang, "ingest_failed", error=str(exc)), parse_mode="HTML")
        return
    summary = report.summary()
    summary = summary if len(summary) <= 3500 else summary[:3500] + "\n…"  # under Telegram's 4096 characters
    await message.reply_text(t(lang, "ingest_done", summary=summary), parse_mode="HTML")


async def read_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue job: re-read the feeds file and ingest what is new (logged, never raised)."""
    svc = services(context)
    try:
        report = await asyncio.to_thread(svc.service.ingest_feeds_file, svc.settings.fetch.feeds_file)
    except RnkbotError as exc:  # a bad feeds file, an index that cannot be written (a full disk...)
        log.warning("feeds not read: %s", exc)
        return
    log.info("feeds read: %s", report.summary().replace("\n", " |"))


def schedule_feeds(application: Application, settings: Settings) -> bool:
    """Run :func:`read_feeds` every ``RNKBOT_FEEDS_INTERVAL_MIN`` minutes when a feeds file is set."""
    fetch = settings.fetch
    if fetch.feeds_file is None or fetch.feeds_interval_min <= 0 or application.job_queue is None:
        return False
    interval = timedelta(minutes=fetch.feeds_interval_min)
    application.job_queue.run_repeating(read_feeds, interval=interval, first=timedelta(seconds=5), name=FEEDS_JOB)
    log.info("reading %s every %s", fetch.feeds_file, interval)
    return True
