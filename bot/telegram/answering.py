"""Answering one queued question: typing, streamed draft, the core, the rendered reply."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from telegram import Bot

from bot.render import render_answer, split_html
from retrieval.settings import TelegramSettings
from retrieval.types import Answer, Turn

from .i18n import t
from .memory import AnswerMemory
from .queue import Job
from .sending import send_html
from .stats import BotStats
from .streaming import DraftView, EditView, ProgressView, Streamer, keep_typing

if TYPE_CHECKING:
    from retrieval.service import AnswerService

log = logging.getLogger(__name__)
HISTORY_TURNS = 3


class AnswerFlow:
    """Turns a :class:`Job` into a sent, remembered answer. Errors propagate to the caller."""

    def __init__(self, bot: Bot, service: AnswerService, config: TelegramSettings, stats: BotStats,
                 memory: AnswerMemory) -> None:
        self.bot, self.service, self.config, self.stats, self.memory = bot, service, config, stats, memory

    def view_for(self, job: Job) -> ProgressView:
        """Drafts in private chats (when the library has them), an edited placeholder elsewhere."""
        edit = EditView(self.bot, job.chat_id, t(job.ui_language, "thinking"), reply_to=job.message_id,
                        message_id=job.notice_id, thread_id=job.thread_id)
        job.notice_id = None  # the view owns (and deletes) the notice now
        if job.private and hasattr(self.bot, "send_message_draft"):
            return DraftView(self.bot, job.chat_id, draft_id=job.id, thread_id=job.thread_id, fallback=edit)
        return edit

    async def ask(self, job: Job, streamer: Streamer) -> Answer:
        """Run the blocking core in a worker thread, streaming drafts through ``streamer``."""
        return await asyncio.to_thread(
            self.service.ask, job.question, history=job.history, language=job.language, on_partial=streamer.push
        )

    async def process(self, job: Job) -> None:
        """Answer ``job``: the final reply is always a real message replying to the question."""
        view = self.view_for(job)
        typing = asyncio.create_task(keep_typing(self.bot, job.chat_id, job.thread_id))
        interval = self.config.edit_interval_s if job.private else self.config.group_edit_interval_s
        streamer = Streamer(asyncio.get_running_loop(), view, interval)
        try:
            await view.open()
            streamer.start()
            try:
                answer = await self.ask(job, streamer)
            finally:
                await streamer.stop()
                typing.cancel()
            lang = job.language or answer.language
            parts = split_html(render_answer(answer, lang))
            sent = await send_html(self.bot, job.chat_id, parts, reply_to=job.message_id,
                                   thread_id=job.thread_id, retries=self.config.send_retries)
            # before any other await: a reply to the answer, or /stats, may be handled next
            turns = job.history[-(HISTORY_TURNS - 1):] + [Turn(question=job.question, answer=answer)]
            saved = self.memory.remember(job.chat_id, [m.message_id for m in sent], turns)
            self.stats.record_answer(answer.refused, time.perf_counter() - job.received)
        finally:
            typing.cancel()
            await view.close()
        await saved
        log.info("answered chat=%s job=%s refused=%s parts=%d drafts=%d", job.chat_id, job.id,
                 answer.refused, len(parts), streamer.updates)
