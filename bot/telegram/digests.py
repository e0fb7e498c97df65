"""Daily digest delivery: one JobQueue job per subscriber at their local time, a catch-up
after downtime, retries, and unsubscribing chats that blocked the bot.

The digest itself is built by the answering core (``AnswerService.digest``, in a worker
thread); this module decides *when* and *to whom*, and records what was delivered. Each item
is sent as a message of its own and remembered as an answer (its sources as citations), so a
reply to an item is a follow-up question about that event (:mod:`bot.telegram.memory`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.digest_view import digest_messages
from retrieval.digest.builder import Digest
from retrieval.settings import Settings
from retrieval.types import Language

from .memory import AnswerMemory
from .sending import send_html
from .subscriptions import Subscription, SubscriptionStore

if TYPE_CHECKING:
    from retrieval.service import AnswerService

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
JOB_PREFIX = "digest:"


def utc_now() -> datetime:
    return datetime.now(UTC)


class Outcome(StrEnum):
    SENT = "sent"
    NOTHING_NEW = "nothing new (not sent)"
    ALREADY_SENT = "already sent for this slot"
    NOT_SUBSCRIBED = "not subscribed"
    BLOCKED = "chat blocked the bot: unsubscribed"
    FAILED = "failed: will retry at the next start-up or slot"


class DigestDelivery:
    """Builds, sends and records digests. One per application, kept in ``BotServices``."""

    def __init__(
        self, bot: Bot, service: AnswerService, store: SubscriptionStore, settings: Settings,
        *, clock: Clock = utc_now, retries: int = 3, memory: AnswerMemory | None = None,
    ) -> None:
        self.bot = bot
        self.service = service
        self.store = store
        self.settings = settings
        self.clock = clock
        self.retries = retries
        self.memory = memory
        self.on_unsubscribed: Callable[[int], None] = lambda chat_id: None  # the scheduler drops the job

    # --- building ---------------------------------------------------------------------
    async def digest_for(self, sub: Subscription, now: datetime) -> Digest:
        return await asyncio.to_thread(self.service.digest, sub.window_start(now), now, sub.language)

    async def on_demand(self, chat_id: int, language: Language, tz: ZoneInfo, *, everything: bool = False,
                        reply_to: int | None = None, thread_id: int | None = None) -> list[Message]:
        """``/digest``: what is new since this chat's last digest (or 24 hours), sent now. It does not
        count as a delivery: the next scheduled digest still covers its whole window. ``/digest all``
        (``everything``): every item, over at least the last 24 hours (so it shows what the last daily
        digest left out)."""
        now = self.clock()
        sub = self.store.get(chat_id)
        since = sub.window_start(now) if sub else now - timedelta(hours=24)
        if everything:
            since = min(since, now - timedelta(hours=24))
        digest = await asyncio.to_thread(self.service.digest, since, now, language, everything=everything)
        return await self.send(chat_id, digest, sub.tz if sub else tz, reply_to=reply_to, thread_id=thread_id)

    async def send(self, chat_id: int, digest: Digest, tz: ZoneInfo, *, reply_to: int | None = None,
                   thread_id: int | None = None) -> list[Message]:
        """Send the digest, one message per item, and remember each item's messages as its answer.
        Telegram errors propagate (after the retries) to the caller."""
        sent: list[Message] = []
        saved = []
        for k, part in enumerate(digest_messages(digest, tz)):
            [msg] = await send_html(self.bot, chat_id, [part.html], reply_to=reply_to if k == 0 else None,
                                    thread_id=thread_id, retries=self.retries)
            sent.append(msg)
            if part.item is not None and self.memory is not None:
                saved.append(self.memory.remember(chat_id, [msg.message_id], [digest.turn(part.item)]))
        for write in saved:
            await write
        return sent

    # --- delivering ---------------------------------------------------------------------
    async def deliver(self, chat_id: int, slot: datetime) -> Outcome:
        """Send the digest for ``slot`` once: claim, build, send, record (or give the claim back)."""
        sub = self.store.claim(chat_id, slot)
        if sub is None:
            return Outcome.NOT_SUBSCRIBED if self.store.get(chat_id) is None else Outcome.ALREADY_SENT
        now = self.clock()
        digest = await self.digest_for(sub, now)
        if digest.empty and not self.settings.digest.send_empty:
            self.store.delivered(chat_id, now)
            return Outcome.NOTHING_NEW
        try:
            await self.send(chat_id, digest, sub.tz)
        except Forbidden as exc:
            return self._blocked(chat_id, exc)
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                return self._blocked(chat_id, exc)
            self.store.release(chat_id, slot, sub.last_slot_ts)
            log.error("digest for chat %s rejected by Telegram: %s", chat_id, exc)
            return Outcome.FAILED
        except TelegramError as exc:  # network errors and 5xx after the retries
            self.store.release(chat_id, slot, sub.last_slot_ts)
            log.warning("digest for chat %s not delivered: %s", chat_id, exc)
            return Outcome.FAILED
        self.store.delivered(chat_id, now)
        log.info("digest delivered to chat %s: %d items", chat_id, len(digest.items))
        return Outcome.SENT

    def _blocked(self, chat_id: int, exc: TelegramError) -> Outcome:
        self.store.unsubscribe(chat_id)
        self.on_unsubscribed(chat_id)
        log.info("chat %s cannot be reached (%s): unsubscribed", chat_id, exc)
        return Outcome.BLOCKED

    async def catch_up(self) -> dict[int, Outcome]:
        """After downtime: each subscriber whose last slot passed undelivered gets it now, once."""
        now = self.clock()
        outcomes: dict[int, Outcome] = {}
        for sub in self.store.all():
            slot = sub.missed(now)
            if slot is not None:
                outcomes[sub.chat_id] = await self.deliver(sub.chat_id, slot)
        return outcomes


class DigestScheduler:
    """Keeps one ``run_daily`` job per subscription in PTB's JobQueue."""

    def __init__(self, job_queue: JobQueue, delivery: DigestDelivery) -> None:
        self.job_queue = job_queue
        self.delivery = delivery
        self.caught_up = asyncio.Event()  # set once the start-up catch-up has finished
        delivery.on_unsubscribed = self.unschedule

    def schedule(self, sub: Subscription) -> None:
        self.unschedule(sub.chat_id)
        at = sub.local_time.replace(tzinfo=sub.tz)
        self.job_queue.run_daily(self._run, time=at, chat_id=sub.chat_id, name=f"{JOB_PREFIX}{sub.chat_id}")

    def unschedule(self, chat_id: int) -> None:
        for job in self.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{chat_id}"):
            job.schedule_removal()

    def start(self) -> int:
        """Schedule every stored subscription and queue the catch-up; returns how many."""
        subs = self.delivery.store.all()
        for sub in subs:
            self.schedule(sub)
        self.job_queue.run_once(self._catch_up, when=0, name=f"{JOB_PREFIX}catch-up")
        return len(subs)

    async def _run(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A subscriber's daily job."""
        chat_id = context.job.chat_id if context.job else None
        if chat_id is None:  # schedule() always gives the job its chat
            raise ValueError("a digest job without a chat id: it was not scheduled by DigestScheduler.schedule")
        sub = self.delivery.store.get(chat_id)
        if sub is None:
            self.unschedule(chat_id)
            return
        outcome = await self.delivery.deliver(chat_id, sub.due_slot(self.delivery.clock()))
        log.info("scheduled digest for chat %s: %s", chat_id, outcome)

    async def _catch_up(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Once at start-up: digests missed while the bot was down."""
        try:
            outcomes = await self.delivery.catch_up()
        finally:
            self.caught_up.set()
        if outcomes:
            log.info("digest catch-up: %s", {k: str(v) for k, v in outcomes.items()})
