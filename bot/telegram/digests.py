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
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from telegram import Bot, Message
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes, JobQueue

from bot.digest_view import digest_messages
from bot.logsetup import kv
from corpus.errors import RnkbotError
from retrieval.digest.builder import Digest
from retrieval.settings import Settings
from retrieval.types import Language

from .core import Core
from .db import DatabaseError
from .memory import AnswerMemory
from .sending import send_html
from .subscriptions import OutboxPart, Subscription, SubscriptionStore

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
    PENDING = "not delivered yet: retried every RNKBOT_REDELIVER_INTERVAL_S and at the next start-up"
    FAILED = "rejected by Telegram: given up for this slot"


class DigestDelivery:
    """Builds, sends and records digests. One per application, kept in ``BotServices``.

    Each delivery goes claim → outbox → build → parts stored → each part sent and counted →
    delivered (:mod:`.subscriptions`), so a delivery interrupted anywhere (a crash, a
    ``kill -9``, Telegram unreachable) is finished by :meth:`finish_pending` (at start-up, on a
    timer, and before the chat's next delivery) without a part sent twice or lost."""

    def __init__(
        self, bot: Bot, service: Core, store: SubscriptionStore, settings: Settings,
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
        self._busy: set[int] = set()  # chats whose delivery runs right now
        self._on_demand: set[int] = set()  # chats whose /digest is being built or sent

    # --- building ---------------------------------------------------------------------
    @staticmethod
    def parts_of(digest: Digest, tz: ZoneInfo) -> list[OutboxPart]:
        """The digest's messages (the title with the first item, then one per item, long items
        split), each with its item as the turn to remember under the message."""
        return [OutboxPart(m.html, digest.turn(m.item) if m.item is not None else None)
                for m in digest_messages(digest, tz)]

    def claim_on_demand(self, chat_id: int) -> bool:
        """Whether a ``/digest`` may start in this chat now (``False`` while one is built or sent);
        if so the chat is claimed until :meth:`on_demand` returns."""
        if chat_id in self._on_demand:
            return False
        self._on_demand.add(chat_id)
        return True

    async def on_demand(self, chat_id: int, language: Language, tz: ZoneInfo, *, everything: bool = False,
                        reply_to: int | None = None, thread_id: int | None = None) -> list[Message]:
        """``/digest``: what is new since this chat's last digest (or 24 hours), sent now. It does not
        count as a delivery: the next scheduled digest still covers its whole window. ``/digest all``
        (``everything``): every item, over at least the last 24 hours (so it shows what the last daily
        digest left out). Releases the chat's :meth:`claim_on_demand` when done. Run it as a task of
        its own: building a digest takes the model as long as several answers."""
        try:
            await self.bot.send_chat_action(chat_id, ChatAction.TYPING, message_thread_id=thread_id)
            now = self.clock()
            sub = await asyncio.to_thread(self.store.get, chat_id)
            since = sub.window_start(now) if sub else now - timedelta(hours=24)
            if everything:
                since = min(since, now - timedelta(hours=24))
            digest = await asyncio.to_thread(self.service.digest, since, now, language, everything=everything)
            return await self.send(chat_id, self.parts_of(digest, sub.tz if sub else tz), reply_to=reply_to,
                                   thread_id=thread_id)
        finally:
            self._on_demand.discard(chat_id)

    async def send(self, chat_id: int, parts: list[OutboxPart], *, first: int = 0, reply_to: int | None = None,
                   thread_id: int | None = None,
                   on_sent: Callable[[int, Message | None], Awaitable[None]] | None = None) -> list[Message]:
        """Send ``parts[first:]``, one message each (the first replying to ``reply_to``). Each item's
        message is remembered as its answer the moment Telegram confirms it, before any other await (so
        a reply that comes at once finds it); then ``on_sent`` counts it. Returns once the memory writes
        are done; Telegram errors propagate (after the retries) to the caller."""
        saved: list[asyncio.Future[None]] = []

        async def sent(count: int, message: Message | None) -> None:
            turn = parts[count - 1].turn
            if turn is not None and message is not None and self.memory is not None:
                saved.append(self.memory.remember(chat_id, [message.message_id], [turn]))
            if on_sent is not None:
                await on_sent(count, message)

        try:
            return await send_html(self.bot, chat_id, [p.html for p in parts], reply_to=reply_to, thread_id=thread_id,
                                   retries=self.retries, first=first, on_sent=sent)
        finally:
            await self._remembered(chat_id, saved)

    async def _remembered(self, chat_id: int, saved: list[asyncio.Future[None]]) -> None:
        for write in saved:
            try:
                await write
            except DatabaseError as exc:  # the item is out; only a reply to it misses its context
                log.warning(kv("digest_not_remembered", chat=chat_id, error=str(exc)))
                return

    async def _remember_sent(self, sub: Subscription, parts: list[OutboxPart]) -> None:
        """Remember again the parts a previous process sent (idempotent): it may have been killed
        after counting a part and before its memory write was committed."""
        if self.memory is None:
            return
        saved = [self.memory.remember(sub.chat_id, [mid], [part.turn])
                 for part, mid in zip(parts, sub.message_ids, strict=False) if mid is not None and part.turn is not None]
        await self._remembered(sub.chat_id, saved)

    # --- delivering ---------------------------------------------------------------------
    async def deliver(self, chat_id: int, slot: datetime) -> Outcome:
        """Send the digest for ``slot`` once: claim, build, send, record."""
        if chat_id in self._busy:
            return Outcome.ALREADY_SENT
        self._busy.add(chat_id)
        try:
            left = await asyncio.to_thread(self.store.get, chat_id)
            if left is not None and left.pending:  # an earlier delivery is unfinished: it goes first
                await self._send_pending(left)
            now = self.clock()
            before = await asyncio.to_thread(self.store.claim, chat_id, slot, now)
            if before is None:
                gone = await asyncio.to_thread(self.store.get, chat_id) is None
                return Outcome.NOT_SUBSCRIBED if gone else Outcome.ALREADY_SENT
            sub = await asyncio.to_thread(self.store.get, chat_id)
            if sub is None:
                return Outcome.NOT_SUBSCRIBED
            return await self._send_pending(sub)
        finally:
            self._busy.discard(chat_id)

    async def _send_pending(self, sub: Subscription) -> Outcome:
        """Build the pending delivery's digest if it is not built yet, then send the parts not sent yet."""
        chat_id = sub.chat_id
        assert sub.pending_until_ts is not None, "only a claimed delivery is pending"
        until = datetime.fromtimestamp(sub.pending_until_ts, UTC)
        started = time.perf_counter()
        parts = sub.parts
        items = None
        if parts is not None and sub.pending_sent:
            await self._remember_sent(sub, parts)
        if parts is None:
            try:
                digest = await asyncio.to_thread(self.service.digest, sub.window_start(until), until, sub.language)
            except RnkbotError as exc:  # the index cannot be read: the outbox waits for it
                log.warning(kv("digest", chat=chat_id, outcome="pending", error=str(exc)))
                return Outcome.PENDING
            if digest.empty and not self.settings.digest.send_empty:
                await asyncio.to_thread(self.store.delivered, chat_id, until)
                return Outcome.NOTHING_NEW
            parts, items = self.parts_of(digest, sub.tz), len(digest.items)
            await asyncio.to_thread(self.store.set_parts, chat_id, parts)

        async def sent(count: int, message: Message | None) -> None:
            await asyncio.to_thread(self.store.part_sent, chat_id, count, message.message_id if message else None)

        try:
            await self.send(chat_id, parts, first=sub.pending_sent, on_sent=sent)
        except Forbidden as exc:
            return await self._blocked(chat_id, exc)
        except BadRequest as exc:
            if "chat not found" in str(exc).lower():
                return await self._blocked(chat_id, exc)
            await asyncio.to_thread(self.store.abandon, chat_id)  # the same parts would be refused again
            log.error(kv("digest", chat=chat_id, outcome="rejected", error=str(exc)))
            return Outcome.FAILED
        except TelegramError as exc:  # network errors, time-outs and 5xx after the retries
            log.warning(kv("digest", chat=chat_id, outcome="pending", error=type(exc).__name__))
            return Outcome.PENDING
        await asyncio.to_thread(self.store.delivered, chat_id, until)
        log.info(kv("digest", chat=chat_id, outcome="sent", items=items, parts=len(parts),
                    resumed_from=sub.pending_sent or None, latency_s=time.perf_counter() - started))
        return Outcome.SENT

    async def _blocked(self, chat_id: int, exc: TelegramError) -> Outcome:
        await asyncio.to_thread(self.store.unsubscribe, chat_id)
        self.on_unsubscribed(chat_id)
        log.info(kv("digest", chat=chat_id, outcome="blocked", error=str(exc)))
        return Outcome.BLOCKED

    async def finish_pending(self) -> dict[int, Outcome]:
        """Finish every delivery left unfinished (by a crash, or Telegram being unreachable)."""
        outcomes: dict[int, Outcome] = {}
        for sub in await asyncio.to_thread(self.store.pending):
            if sub.chat_id in self._busy:
                continue
            self._busy.add(sub.chat_id)
            try:
                outcomes[sub.chat_id] = await self._send_pending(sub)
            finally:
                self._busy.discard(sub.chat_id)
        return outcomes

    async def catch_up(self) -> dict[int, Outcome]:
        """After downtime: unfinished deliveries are finished, then each subscriber whose last
        slot passed undelivered gets it now, once."""
        outcomes = await self.finish_pending()
        now = self.clock()
        for sub in await asyncio.to_thread(self.store.all):
            slot = sub.missed(now)
            if slot is not None and sub.chat_id not in outcomes:
                outcomes[sub.chat_id] = await self.deliver(sub.chat_id, slot)
        return outcomes


class DigestScheduler:
    """Keeps one ``run_daily`` job per subscription in PTB's JobQueue."""

    def __init__(self, job_queue: JobQueue, delivery: DigestDelivery) -> None:
        self.job_queue = job_queue
        self.delivery = delivery
        self.caught_up = asyncio.Event()  # set once the start-up catch-up has finished
        self.scheduled = False  # whether start() could read the subscriptions
        delivery.on_unsubscribed = self.unschedule

    def schedule(self, sub: Subscription) -> None:
        self.unschedule(sub.chat_id)
        at = sub.local_time.replace(tzinfo=sub.tz)
        self.job_queue.run_daily(self._run, time=at, chat_id=sub.chat_id, name=f"{JOB_PREFIX}{sub.chat_id}")

    def unschedule(self, chat_id: int) -> None:
        for job in self.job_queue.get_jobs_by_name(f"{JOB_PREFIX}{chat_id}"):
            job.schedule_removal()

    def start(self) -> int:
        """Schedule every stored subscription and queue the catch-up; returns how many. With the
        database unavailable, nothing is scheduled yet: :meth:`tick` tries again."""
        try:
            subs = self.delivery.store.all()
        except DatabaseError as exc:
            log.error("digest subscriptions unavailable, none scheduled for now: %s", exc)
            self.scheduled = False
            return 0
        for sub in subs:
            self.schedule(sub)
        self.scheduled = True
        self.job_queue.run_once(self._catch_up, when=0, name=f"{JOB_PREFIX}catch-up")
        return len(subs)

    async def tick(self) -> None:
        """On a timer: finish deliveries that Telegram did not take earlier; schedule the
        subscriptions if the database was unavailable at start-up."""
        if not self.scheduled:
            self.start()
            return
        outcomes = await self.delivery.finish_pending()
        if outcomes:
            log.info(kv("digest_redelivery", **{str(k): v.name.lower() for k, v in outcomes.items()}))

    async def _run(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A subscriber's daily job."""
        chat_id = context.job.chat_id if context.job else None
        if chat_id is None:  # schedule() always gives the job its chat
            raise ValueError("a digest job without a chat id: it was not scheduled by DigestScheduler.schedule")
        try:
            sub = await asyncio.to_thread(self.delivery.store.get, chat_id)
            if sub is None:
                self.unschedule(chat_id)
                return
            outcome = await self.delivery.deliver(chat_id, sub.due_slot(self.delivery.clock()))
        except DatabaseError as exc:  # the catch-up at the next start-up delivers it
            log.error(kv("digest", chat=chat_id, outcome="database_unavailable", error=str(exc)))
            return
        log.info(kv("digest_scheduled", chat=chat_id, outcome=outcome.name.lower()))

    async def _catch_up(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Once at start-up: deliveries left unfinished, and digests missed while the bot was down."""
        try:
            outcomes = await self.delivery.catch_up()
        except DatabaseError as exc:
            log.error("digest catch-up skipped: %s", exc)
            outcomes = {}
        finally:
            self.caught_up.set()
        if outcomes:
            log.info(kv("digest_catch_up", **{str(k): v.name.lower() for k, v in outcomes.items()}))
