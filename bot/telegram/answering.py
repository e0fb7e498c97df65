"""Answering one queued question: typing, streamed draft, the core, the rendered reply, the journal.

Every step that matters after a crash is written to the answer journal (:mod:`.journal`)
before the next one starts: the attempt, the rendered parts, each part Telegram took, the
end. :meth:`AnswerFlow.resume` finishes what a previous process left.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot, Message
from telegram.error import TelegramError

from bot.logsetup import kv
from bot.render import render_answer, split_html
from retrieval.index.store import StoreError
from retrieval.settings import TelegramSettings
from retrieval.types import Answer, Turn

from .core import Core
from .db import DatabaseError
from .i18n import t
from .journal import MAX_ATTEMPTS, AnswerJournal, Entry
from .memory import AnswerMemory, decode_turns, encode_turns
from .queue import Job
from .sending import send_html, transient
from .stats import BotStats
from .streaming import DraftView, EditView, ProgressView, Streamer, keep_typing

log = logging.getLogger(__name__)
HISTORY_TURNS = 3


class AnswerFlow:
    """Turns a :class:`Job` into a sent, remembered answer. Errors propagate to the caller,
    except a send that may still succeed later: its answer stays in the journal and is sent by
    :meth:`redeliver` (or at the next start-up)."""

    def __init__(self, bot: Bot, service: Core, config: TelegramSettings, stats: BotStats,
                 memory: AnswerMemory, journal: AnswerJournal) -> None:
        self.bot, self.service, self.config, self.stats, self.memory = bot, service, config, stats, memory
        self.journal = journal
        self.in_flight: set[int] = set()  # journal ids being answered or sent right now

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

    async def note(self, call: Callable[..., Any], *args: Any) -> Any:
        """A journal call in a worker thread. The journal makes restarts safe, but the answer
        matters more: if its database fails, the answer goes on without it (and says so in the log)."""
        try:
            return await asyncio.to_thread(call, *args)
        except DatabaseError as exc:
            log.warning("answer journal unavailable (a restart now could lose or repeat this answer): %s", exc)
            return None

    async def process(self, job: Job) -> None:
        """Answer ``job``: the final reply is always a real message replying to the question."""
        if job.journal_id is not None:
            self.in_flight.add(job.journal_id)
            await self.note(self.journal.started, job.journal_id)
        view = self.view_for(job)
        typing = asyncio.create_task(keep_typing(self.bot, job.chat_id, job.thread_id))
        interval = self.config.edit_interval_s if job.private else self.config.group_edit_interval_s
        streamer = Streamer(asyncio.get_running_loop(), view, interval)
        answer: Answer | None = None
        parts: list[str] = []
        saved = None
        try:
            await view.open()
            streamer.start()
            try:
                answer = await self.ask(job, streamer)
            except StoreError as exc:  # the index cannot be read: say so, and how it gets fixed
                log.error("%s", exc)
            finally:
                await streamer.stop()
                typing.cancel()
            if answer is None:
                parts, outcome = [t(job.ui_language, "index_unavailable")], "index_unavailable"
                turns: list[Turn] = []
            else:
                parts = split_html(render_answer(answer, job.language or answer.language))
                outcome = "refused" if answer.refused else "answered"
                turns = job.history[-(HISTORY_TURNS - 1):] + [Turn(question=job.question, answer=answer)]
            if job.journal_id is not None:
                await self.note(self.journal.answered, job.journal_id, parts, encode_turns(turns) if turns else None)
            saved = await self._send(job.journal_id, job.chat_id, parts, job.message_id, job.thread_id, turns=turns)
            if answer is not None:
                self.stats.record_answer(answer.refused, time.perf_counter() - job.received)
            else:
                self.stats.record_error()
        except TelegramError as exc:
            if job.journal_id is not None and transient(exc):
                log.warning(kv("answer_pending", chat=job.chat_id, job=job.id, error=type(exc).__name__))
                return  # the journal keeps the parts: redeliver() sends them once Telegram answers again
            await self._finish(job.journal_id)
            raise
        except asyncio.CancelledError:  # the bot is stopping: the journal keeps the question for the next start
            raise
        except BaseException:  # a bug: the error handler apologises, so the question is settled
            await self._finish(job.journal_id)
            raise
        finally:
            typing.cancel()
            await view.close()
            if job.journal_id is not None:
                self.in_flight.discard(job.journal_id)
        await self._remembered(saved)
        await self._finish(job.journal_id)
        log.info(kv("answered", chat=job.chat_id, job=job.id, latency_s=time.perf_counter() - job.received,
                    outcome=outcome, parts=len(parts), drafts=streamer.updates))

    async def _send(self, journal_id: int | None, chat_id: int, parts: list[str], reply_to: int | None,
                    thread_id: int | None, first: int = 0, turns: list[Turn] | None = None) -> list[asyncio.Future[None]]:
        """Send ``parts[first:]``; each message is remembered (for follow-ups and /sources) the moment
        Telegram confirms it, before any other await, so a reply to it that comes at once finds it;
        then the journal counts it. Returns the pending memory writes."""
        saved: list[asyncio.Future[None]] = []

        async def sent(count: int, message: Message | None) -> None:
            if turns and message is not None:
                saved.append(self.memory.remember(chat_id, [message.message_id], turns))
            if journal_id is not None:
                await self.note(self.journal.part_sent, journal_id, count)

        await send_html(self.bot, chat_id, parts, reply_to=reply_to, thread_id=thread_id,
                        retries=self.config.send_retries, first=first, on_sent=sent)
        return saved

    async def _remembered(self, saved: list[asyncio.Future[None]] | None) -> None:
        for write in saved or []:
            try:
                await write
            except DatabaseError as exc:  # the answer is out; only follow-ups by reply and /sources miss it
                log.warning("answer sent but not remembered: %s", exc)
                return

    async def _finish(self, journal_id: int | None) -> None:
        if journal_id is not None:
            await self.note(self.journal.done, journal_id)

    # --- after a restart --------------------------------------------------------------
    def job_for(self, entry: Entry, history: list[Turn]) -> Job:
        """A queued question left by a previous process, as a job to answer now."""
        return Job(update=None, chat_id=entry.chat_id, private=entry.private, message_id=entry.message_id,
                   question=entry.question, history=history, ui_language=entry.ui_language, language=entry.language,
                   thread_id=entry.thread_id, notice_id=entry.notice_id, journal_id=entry.id, user_id=entry.user_id,
                   reply_to=entry.reply_to)

    def should_retry(self, entry: Entry, now: float) -> bool:
        """Ask a left-over question again (else the user is told to ask again)?"""
        fresh = now - entry.received_ts <= self.config.resume_max_age_min * 60
        return fresh and entry.attempts < MAX_ATTEMPTS

    async def resume(self, entry: Entry) -> str:
        """Finish an entry that is not to be asked again: send the parts Telegram did not take, or
        tell the user to ask again. Returns what was done (for the log)."""
        if entry.id in self.in_flight:
            return "in flight"
        self.in_flight.add(entry.id)
        try:
            if entry.parts is not None:
                turns = decode_turns(entry.turns) if entry.turns else None
                await self._remembered(await self._send(entry.id, entry.chat_id, entry.parts, entry.message_id,
                                                        entry.thread_id, first=entry.parts_sent, turns=turns))
                outcome = "resent"
            else:
                await send_html(self.bot, entry.chat_id, [t(entry.ui_language, "ask_again")], reply_to=entry.message_id,
                                thread_id=entry.thread_id, retries=self.config.send_retries)
                outcome = "ask_again"
            if entry.notice_id is not None:
                await EditView(self.bot, entry.chat_id, "", message_id=entry.notice_id).close()
        except TelegramError as exc:
            if transient(exc):
                log.warning(kv("answer_pending", chat=entry.chat_id, entry=entry.id, error=type(exc).__name__))
                return "pending"
            log.warning(kv("answer_dropped", chat=entry.chat_id, entry=entry.id, error=type(exc).__name__))
            outcome = "dropped"
        finally:
            self.in_flight.discard(entry.id)
        await self._finish(entry.id)
        log.info(kv("resumed", chat=entry.chat_id, entry=entry.id, outcome=outcome))
        return outcome

    async def redeliver(self) -> int:
        """Send the answers whose sending failed earlier (Telegram was unreachable); returns how many were tried."""
        entries = await self.note(self.journal.unfinished) or []
        waiting = [e for e in entries if e.state == "sending" and e.id not in self.in_flight]
        for entry in waiting:
            await self.resume(entry)
        return len(waiting)
