"""What the bot remembers of its answers, across restarts: follow-ups by reply, and /sources.

Each message of an answer maps to the conversation that led to it: the turns (oldest first,
ending with the turn that message answered) to pass as ``history`` when someone replies to
it. The map lives in the bot's SQLite file (WAL), next to the preferences, and is bounded:
the newest ``per_chat`` messages of each chat, none older than ``max_age_days``.
:class:`AnswerStore` is the blocking SQLite store; :class:`AnswerMemory` is its view from
the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from retrieval.types import Answer, Turn

from .db import SqliteStore

log = logging.getLogger(__name__)
_TURNS = TypeAdapter(list[Turn])
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answer_memory (
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    turns TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (chat_id, message_id)
)
"""
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS answer_memory_recent ON answer_memory (chat_id, created_at)",
    "CREATE INDEX IF NOT EXISTS answer_memory_age ON answer_memory (created_at)",  # pruning by age
)
_NEWEST_FIRST = "ORDER BY created_at DESC, message_id DESC"


class AnswerStore(SqliteStore):
    """``(chat id, bot message id) -> turns``. Calls are short and blocking; safe from any thread."""

    SCHEMA = (_SCHEMA, *_INDEXES)

    def __init__(self, path: Path, per_chat: int = 200, max_age_days: float = 30.0,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(path)
        self.per_chat, self.max_age_s, self._clock = per_chat, max_age_days * 86400.0, clock

    def remember(self, chat_id: int, message_ids: list[int], turns: list[Turn]) -> None:
        """Remember ``turns`` under every message of one answer (long answers span several), then prune."""
        blob, now = _TURNS.dump_json(turns).decode(), self._clock()
        with self._transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO answer_memory (chat_id, message_id, turns, created_at) VALUES (?, ?, ?, ?)",
                [(chat_id, mid, blob, now) for mid in message_ids],
            )
            conn.execute(
                "DELETE FROM answer_memory WHERE chat_id = ? AND message_id NOT IN "
                f"(SELECT message_id FROM answer_memory WHERE chat_id = ? {_NEWEST_FIRST} LIMIT ?)",
                (chat_id, chat_id, self.per_chat),
            )
            conn.execute("DELETE FROM answer_memory WHERE created_at < ?", (now - self.max_age_s,))

    def history_for(self, chat_id: int, message_id: int | None) -> list[Turn]:
        """The history for a reply to ``message_id`` (empty when it is not a remembered answer)."""
        if message_id is None:
            return []
        return self._turns("WHERE chat_id = ? AND message_id = ? AND created_at >= ?",
                           (chat_id, message_id, self._clock() - self.max_age_s))

    def answer_for(self, chat_id: int, message_id: int | None) -> Answer | None:
        """The answer that message ``message_id`` shows, or ``None``."""
        turns = self.history_for(chat_id, message_id)
        return turns[-1].answer if turns else None

    def last_answer(self, chat_id: int) -> Answer | None:
        """The newest answer remembered in the chat."""
        turns = self._turns(f"WHERE chat_id = ? AND created_at >= ? {_NEWEST_FIRST} LIMIT 1",
                            (chat_id, self._clock() - self.max_age_s))
        return turns[-1].answer if turns else None

    def answer_or_last(self, chat_id: int, message_id: int | None) -> Answer | None:
        """The answer ``message_id`` shows if it is one, else the chat's last answer (``/sources``)."""
        return self.answer_for(chat_id, message_id) or self.last_answer(chat_id)

    def count(self, chat_id: int) -> int:
        """Messages remembered in the chat."""
        row = self._one("SELECT COUNT(*) FROM answer_memory WHERE chat_id = ?", (chat_id,))
        return int(row[0]) if row else 0

    def _turns(self, where: str, params: tuple) -> list[Turn]:
        row = self._one(f"SELECT turns FROM answer_memory {where}", params)
        if row is None:
            return []
        try:
            return _TURNS.validate_json(row[0])
        except ValidationError as exc:  # written by an older, incompatible version: forget it
            log.warning("unreadable remembered answer dropped: %s", exc.errors()[:1])
            return []


class AnswerMemory:
    """An :class:`AnswerStore` for async code: calls run in worker threads, and a read waits
    for the writes started before it, so a reply that comes the instant an answer is sent
    still finds that answer."""

    def __init__(self, store: AnswerStore) -> None:
        self.store = store
        self._writes: set[asyncio.Future[None]] = set()

    def remember(self, chat_id: int, message_ids: list[int], turns: list[Turn]) -> asyncio.Future[None]:
        """Start storing an answer (see :meth:`AnswerStore.remember`); await the result for its errors."""
        write = asyncio.ensure_future(asyncio.to_thread(self.store.remember, chat_id, message_ids, turns))
        self._writes.add(write)
        write.add_done_callback(self._writes.discard)
        return write

    async def history_for(self, chat_id: int, message_id: int | None) -> list[Turn]:
        await self._settled()
        return await asyncio.to_thread(self.store.history_for, chat_id, message_id)

    async def answer_or_last(self, chat_id: int, message_id: int | None) -> Answer | None:
        await self._settled()
        return await asyncio.to_thread(self.store.answer_or_last, chat_id, message_id)

    def close(self) -> None:
        self.store.close()

    async def _settled(self) -> None:
        """Wait for pending writes (a failed write is reported to whoever awaits it, not here)."""
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)
