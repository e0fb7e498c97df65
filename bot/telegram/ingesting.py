"""Keeping the corpus current from Telegram: the admins' ``/ingest URL`` and the feeds job.

Both only call :meth:`retrieval.service.AnswerService.sources` in a worker thread; the work
(fetching, extraction, topic filter, de-duplication, writing) lives in ``retrieval.index.sources``.
Articles are written under the answer service's lock, so answering never sees half an article.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Update
from telegram.ext import Application, ContextTypes

from corpus.feeds import FeedsFileError
from corpus.fetch import is_web_url
from retrieval.settings import Settings

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
    report = await asyncio.to_thread(svc.service.sources().run, urls)
    summary = report.summary()
    summary = summary if len(summary) <= 3500 else summary[:3500] + "\n…"  # under Telegram's 4096 characters
    await message.reply_text(t(lang, "ingest_done", summary=summary), parse_mode="HTML")


async def read_feeds(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The JobQueue job: re-read the feeds file and ingest what is new (logged, never raised)."""
    svc = services(context)
    try:
        report = await asyncio.to_thread(svc.service.sources().run_feeds_file, svc.settings.fetch.feeds_file)
    except FeedsFileError as exc:
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
