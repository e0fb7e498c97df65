"""One model serves everyone: questions wait in one first-in-first-out queue.

A single worker takes them in arrival order, so each chat's questions are answered in the
order they were asked. The worker runs each job through ``spawn`` (the application's
``create_task`` with the update), so an unexpected error reaches the central error handler.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Update

from retrieval.types import Language, Turn

log = logging.getLogger(__name__)
_ids = itertools.count(1)


@dataclass
class Job:
    """A question waiting for the model, with everything needed to answer it later."""

    update: Update | None
    chat_id: int
    private: bool
    message_id: int
    question: str
    history: list[Turn]
    ui_language: Language
    language: Language | None = None  # the user's /lang choice: forces the reply language
    thread_id: int | None = None
    notice_id: int | None = None  # the "queued" message, reused as placeholder or deleted
    received: float = field(default_factory=time.perf_counter)
    id: int = field(default_factory=lambda: next(_ids))


class QueueFull(Exception):
    """More questions are waiting than ``maxsize``."""


class AnswerQueue:
    """FIFO of :class:`Job` handled one at a time by :meth:`run`."""

    def __init__(
        self,
        handle: Callable[[Job], Awaitable[None]],
        *,
        maxsize: int = 50,
        spawn: Callable[[Awaitable[None], Job], Awaitable[None]] | None = None,
        running: Callable[[], bool] = lambda: True,
    ) -> None:
        self._handle = handle
        self._spawn = spawn or (lambda coro, job: coro)
        self._running = running
        self._queue: asyncio.Queue[Job] = asyncio.Queue()
        self.maxsize = maxsize
        self.busy = False
        self._task: asyncio.Task | None = None

    @property
    def waiting(self) -> int:
        return self._queue.qsize()

    def ahead(self) -> int:
        """Questions a new one would wait behind (including the one being answered)."""
        return self.waiting + int(self.busy)

    def full(self) -> bool:
        return self.waiting >= self.maxsize

    def put(self, job: Job) -> int:
        """Queue ``job``; returns how many questions are ahead of it. Raises :class:`QueueFull`."""
        ahead = self.ahead()
        if self.full():
            raise QueueFull
        self._queue.put_nowait(job)
        return ahead

    async def run(self) -> None:
        """Answer jobs in order until cancelled or the application stops running."""
        while True:
            job = await self._queue.get()
            if not self._running():
                log.info("application stopping: %d queued question(s) dropped", self.waiting + 1)
                return
            self.busy = True
            try:
                await self._spawn(self._handle(job), job)
            finally:
                self.busy = False
                self._queue.task_done()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="rnkbot-answer-queue")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def join(self) -> None:
        """Wait until every queued job is done (tests, graceful drains)."""
        await self._queue.join()
