"""The answer journal: every accepted question until its answer is out, so a restart loses none
and sends nothing twice.

A question is written here when it is queued (``queued``), counts an attempt when the model
starts on it, gets its rendered answer (``sending``: the HTML parts) before the first part is
sent, and counts each part once Telegram has taken it; then it is ``done``. After a crash or a
``kill -9`` the bot reads what was left (:meth:`AnswerJournal.unfinished`):

- an answer with its parts stored is *finished*: only the parts Telegram had not taken are sent;
- a question still ``queued`` (or cut off while the model wrote) is asked again, unless it was
  already tried ``MAX_ATTEMPTS`` times (a question that brings the bot down must not do it
  forever) or is older than ``RNKBOT_RESUME_MAX_AGE_MIN``: then the user is told to ask again.

A ``done`` row keeps only its ids (the text is dropped), for ``DONE_KEEP_S``: Telegram may
deliver an update again after a crash (the offset of the last ``getUpdates`` was not yet
confirmed) or retry a webhook, and a question already seen is not answered twice.

The one window left: a part that Telegram took in the last milliseconds before a ``kill -9``,
before this journal recorded it, is sent again after the restart.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.types import Language

from .db import SqliteStore

MAX_ATTEMPTS = 2
DONE_KEEP_S = 2 * 86400.0
_COLUMNS = ("id, chat_id, message_id, user_id, question, ui_language, language, private, thread_id, reply_to, "
            "notice_id, received_ts, attempts, state, parts, parts_sent, turns")


@dataclass(frozen=True)
class Entry:
    """One unfinished question, as the journal holds it."""

    id: int
    chat_id: int
    message_id: int
    user_id: int | None
    question: str
    ui_language: Language
    language: Language | None
    private: bool
    thread_id: int | None
    reply_to: int | None  # the bot's message it replied to (a follow-up), for its history
    notice_id: int | None  # the "queued" notice, to reuse as placeholder or delete
    received_ts: float
    attempts: int
    state: str
    parts: list[str] | None
    parts_sent: int
    turns: str | None  # the conversation to remember under the answer's messages (JSON), once answered

    @classmethod
    def from_row(cls, row: tuple) -> Entry:
        values = list(row)
        values[7] = bool(values[7])
        values[14] = json.loads(values[14]) if values[14] else None
        return cls(*values)


class AnswerJournal(SqliteStore):
    """Blocking, short calls; safe from any thread. Lives in ``bot.sqlite3``."""

    WHAT = "questions waiting for an answer"
    SCHEMA = ("""
CREATE TABLE IF NOT EXISTS answer_journal (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    user_id INTEGER,
    question TEXT NOT NULL,
    ui_language TEXT NOT NULL,
    language TEXT,
    private INTEGER NOT NULL,
    thread_id INTEGER,
    reply_to INTEGER,
    notice_id INTEGER,
    received_ts REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sending', 'done')),
    parts TEXT,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    turns TEXT,
    UNIQUE (chat_id, message_id)
)""", "CREATE INDEX IF NOT EXISTS answer_journal_state ON answer_journal (state, received_ts)")

    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        super().__init__(path)
        self._clock = clock

    def add(self, *, chat_id: int, message_id: int, user_id: int | None, question: str, ui_language: Language,
            language: Language | None, private: bool, thread_id: int | None, reply_to: int | None) -> int | None:
        """Record a new question; ``None`` if this message was seen before (a redelivered update)."""
        with self._transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO answer_journal (chat_id, message_id, user_id, question, ui_language, language, "
                "private, thread_id, reply_to, received_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_id, message_id, user_id, question, ui_language, language, int(private), thread_id, reply_to,
                 self._clock()),
            )
            conn.execute("DELETE FROM answer_journal WHERE state = 'done' AND received_ts < ?",
                         (self._clock() - DONE_KEEP_S,))
            return cur.lastrowid if cur.rowcount else None

    def set_notice(self, entry_id: int, notice_id: int) -> None:
        self._write("UPDATE answer_journal SET notice_id = ? WHERE id = ?", (notice_id, entry_id))

    def started(self, entry_id: int) -> None:
        """The model starts on it: one more attempt."""
        self._write("UPDATE answer_journal SET attempts = attempts + 1 WHERE id = ?", (entry_id,))

    def answered(self, entry_id: int, parts: list[str], turns: str | None = None) -> None:
        """The rendered answer (and the turns to remember with it), before its first part is sent."""
        self._write("UPDATE answer_journal SET state = 'sending', parts = ?, parts_sent = 0, turns = ? "
                    "WHERE id = ? AND state != 'done'", (json.dumps(parts, ensure_ascii=False), turns, entry_id))

    def part_sent(self, entry_id: int, count: int) -> None:
        """``count`` parts are out."""
        self._write("UPDATE answer_journal SET parts_sent = ? WHERE id = ?", (count, entry_id))

    def done(self, entry_id: int) -> None:
        """Finished (answered, or the user was told): only the ids are kept, to recognise a redelivery."""
        self._write("UPDATE answer_journal SET state = 'done', question = '', parts = NULL, turns = NULL WHERE id = ?",
                    (entry_id,))

    def get(self, entry_id: int) -> Entry | None:
        row = self._one(f"SELECT {_COLUMNS} FROM answer_journal WHERE id = ?", (entry_id,))
        return Entry.from_row(row) if row else None

    def unfinished(self) -> list[Entry]:
        """Everything not ``done``, oldest first."""
        rows = self._all(f"SELECT {_COLUMNS} FROM answer_journal WHERE state != 'done' ORDER BY received_ts, id")
        return [Entry.from_row(r) for r in rows]

    def forget_chat(self, chat_id: int) -> int:
        """Delete every record of the chat (``/forget``); returns how many."""
        return self._write("DELETE FROM answer_journal WHERE chat_id = ?", (chat_id,))
