"""Digest subscriptions that survive restarts: SQLite in WAL mode.

A delivery is *claimed* for its scheduled slot before it is sent (one UPDATE that succeeds
only if no delivery was claimed in the ``MIN_HOURS_BETWEEN`` hours before that slot), so a
scheduled run, a start-up catch-up and a second process can never send one day's digest
twice. A send that failed before any part went out gives the claim back, so the next start-up
(or the next day) tries again.

The claim also opens the delivery's *outbox*: its window's end, then its parts (each a message
of the digest, with the item it shows as a remembered turn, :class:`OutboxPart`), then how many
parts Telegram took and the message id of each. A delivery cut short (a ``kill -9``, Telegram
unreachable half-way) is finished from there: the parts not yet taken are sent, none twice, none
lost; the parts already out are remembered again under their message ids (so a reply to any item
is a follow-up about it even if the crash came before its memory was written); and the window
only moves on once the last part is out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from retrieval.types import Language, Turn

from .db import SqliteStore
from .i18n import LANGUAGES

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('id', 'en')),
    at_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    created_ts REAL NOT NULL,
    last_slot_ts REAL,
    last_delivered_ts REAL
)
"""
# The outbox, added after the first version (SqliteStore adds missing columns on opening).
_OUTBOX = [("pending_slot_ts", "REAL"), ("pending_until_ts", "REAL"), ("pending_parts", "TEXT"),
           ("pending_sent", "INTEGER NOT NULL DEFAULT 0"), ("pending_message_ids", "TEXT")]
_COLUMNS = ("chat_id, language, at_time, timezone, created_ts, last_slot_ts, last_delivered_ts, "
            "pending_slot_ts, pending_until_ts, pending_parts, pending_sent, pending_message_ids")
_CLOSED = "pending_slot_ts = NULL, pending_until_ts = NULL, pending_parts = NULL, pending_sent = 0, pending_message_ids = NULL"
# Two deliveries are at least this far apart, so moving the time from 08:00 to 20:00 does not
# bring a second digest the same day (a daylight-saving day is 23 hours: still one a day).
MIN_HOURS_BETWEEN = 20


@dataclass(frozen=True)
class OutboxPart:
    """One message of a pending digest: its HTML, and the item it shows as the turn to remember
    under its message id (``None``: no item, e.g. "no new articles")."""

    html: str
    turn: Turn | None = None

    def to_json(self) -> dict[str, Any]:
        return {"html": self.html, "turn": self.turn.model_dump(mode="json") if self.turn else None}

    @classmethod
    def from_json(cls, data: Any) -> OutboxPart:
        if isinstance(data, str):  # an outbox written before parts carried their items
            return cls(data)
        turn = data.get("turn")
        return cls(data["html"], Turn.model_validate(turn) if turn else None)


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    language: Language
    at_time: str  # HH:MM, local to ``timezone``
    timezone: str  # IANA name
    created_ts: float
    last_slot_ts: float | None = None  # the scheduled time of the last claimed delivery
    last_delivered_ts: float | None = None  # the end of the window the last digest covered
    pending_slot_ts: float | None = None  # a claimed delivery not finished yet: its slot,
    pending_until_ts: float | None = None  # the end of its window,
    pending_parts: str | None = None  # its parts (JSON, :class:`OutboxPart`), once built,
    pending_sent: int = 0  # how many of them Telegram took,
    pending_message_ids: str | None = None  # and their message ids (JSON; null where unconfirmed)

    @property
    def pending(self) -> bool:
        return self.pending_slot_ts is not None

    @property
    def parts(self) -> list[OutboxPart] | None:
        return [OutboxPart.from_json(p) for p in json.loads(self.pending_parts)] if self.pending_parts else None

    @property
    def message_ids(self) -> list[int | None]:
        """The message id of each part sent so far (``None`` where Telegram's answer was lost)."""
        return json.loads(self.pending_message_ids) if self.pending_message_ids else []

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def local_time(self) -> time:
        hh, mm = self.at_time.split(":")
        return time(int(hh), int(mm))

    def due_slot(self, now: datetime) -> datetime:
        """The latest scheduled delivery time at or before ``now``."""
        local_now = now.astimezone(self.tz)
        slot = datetime.combine(local_now.date(), self.local_time, tzinfo=self.tz)
        if slot > local_now:
            slot = datetime.combine(local_now.date() - timedelta(days=1), self.local_time, tzinfo=self.tz)
        return slot

    def next_slot(self, now: datetime) -> datetime:
        local_now = now.astimezone(self.tz)
        slot = datetime.combine(local_now.date(), self.local_time, tzinfo=self.tz)
        if slot > local_now:
            return slot
        return datetime.combine(local_now.date() + timedelta(days=1), self.local_time, tzinfo=self.tz)

    def missed(self, now: datetime) -> datetime | None:
        """The slot to deliver now after downtime: the last due one, if it came after the
        subscription began and no delivery was claimed for it (or the day before it); else ``None``."""
        slot = self.due_slot(now)
        if slot.timestamp() <= self.created_ts:
            return None
        if self.last_slot_ts is not None and self.last_slot_ts > slot.timestamp() - MIN_HOURS_BETWEEN * 3600:
            return None
        return slot

    def window_start(self, now: datetime) -> datetime:
        """Since the last digest; the first one covers the last 24 hours."""
        if self.last_delivered_ts is not None:
            return datetime.fromtimestamp(self.last_delivered_ts, tz=UTC)
        return now - timedelta(hours=24)


class SubscriptionStore(SqliteStore):
    """Blocking, short calls; safe from any thread (one connection behind a lock)."""

    SCHEMA = (_SCHEMA,)
    COLUMNS = {"subscriptions": _OUTBOX}
    WHAT = "digest subscriptions"

    def subscribe(self, chat_id: int, language: Language, at_time: str, tz: str, now: datetime) -> Subscription:
        """Add or change a subscription; a change keeps the window (no digest is repeated or lost)."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        ZoneInfo(tz)  # raises for an unknown zone
        self._write(
            "INSERT INTO subscriptions (chat_id, language, at_time, timezone, created_ts) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET language = excluded.language, at_time = excluded.at_time, "
            "timezone = excluded.timezone",
            (chat_id, language, at_time, tz, now.timestamp()),
        )
        sub = self.get(chat_id)
        assert sub is not None
        return sub

    def set_language(self, chat_id: int, language: Language) -> bool:
        """The digest follows the chat's /lang choice; ``False`` if the chat is not subscribed."""
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        return self._write("UPDATE subscriptions SET language = ? WHERE chat_id = ?", (language, chat_id)) > 0

    def unsubscribe(self, chat_id: int) -> bool:
        return self._write("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) > 0

    def get(self, chat_id: int) -> Subscription | None:
        row = self._one(f"SELECT {_COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return Subscription(*row) if row else None

    def all(self) -> list[Subscription]:
        return [Subscription(*r) for r in self._all(f"SELECT {_COLUMNS} FROM subscriptions ORDER BY chat_id")]

    def claim(self, chat_id: int, slot: datetime, until: datetime | None = None) -> Subscription | None:
        """Claim the delivery for ``slot`` (its window ending at ``until``, default ``slot``) and open
        its outbox; ``None`` if it was claimed already (or no subscription). Finish a pending delivery
        first (:meth:`pending`): a claim replaces its outbox. Returns the subscription as it was before
        the claim (its window is still the old one)."""
        before = self.get(chat_id)
        if before is None:
            return None
        end = (until or slot).timestamp()
        claimed = self._write(
            "UPDATE subscriptions SET last_slot_ts = ?, pending_slot_ts = ?, pending_until_ts = ?, pending_parts = NULL, "
            "pending_sent = 0, pending_message_ids = NULL WHERE chat_id = ? AND (last_slot_ts IS NULL OR last_slot_ts <= ?)",
            (slot.timestamp(), slot.timestamp(), end, chat_id, slot.timestamp() - MIN_HOURS_BETWEEN * 3600),
        )
        return before if claimed else None

    def release(self, chat_id: int, slot: datetime, previous_slot_ts: float | None) -> None:
        """Give a claim back after a send that failed before any part went out (only if nobody
        claimed a later slot meanwhile); its outbox is closed."""
        self._write(
            f"UPDATE subscriptions SET last_slot_ts = ?, {_CLOSED} WHERE chat_id = ? AND last_slot_ts = ?",
            (previous_slot_ts, chat_id, slot.timestamp()),
        )

    def set_parts(self, chat_id: int, parts: list[OutboxPart]) -> None:
        """The pending delivery's messages, before the first is sent."""
        blob = json.dumps([p.to_json() for p in parts], ensure_ascii=False)
        self._write("UPDATE subscriptions SET pending_parts = ?, pending_sent = 0, pending_message_ids = NULL "
                    "WHERE chat_id = ? AND pending_slot_ts IS NOT NULL", (blob, chat_id))

    def part_sent(self, chat_id: int, count: int, message_id: int | None = None) -> None:
        """``count`` parts of the pending delivery are out, the last as message ``message_id``
        (count and id in one transaction)."""
        with self._transaction() as conn:
            row = conn.execute("SELECT pending_message_ids FROM subscriptions WHERE chat_id = ?", (chat_id,)).fetchone()
            ids: list[int | None] = json.loads(row[0]) if row and row[0] else []
            ids = (ids + [None] * count)[:count]
            ids[count - 1] = message_id
            conn.execute("UPDATE subscriptions SET pending_sent = ?, pending_message_ids = ? WHERE chat_id = ?",
                         (count, json.dumps(ids), chat_id))

    def abandon(self, chat_id: int) -> None:
        """Close the pending delivery's outbox without moving the window (Telegram refused it)."""
        self._write(f"UPDATE subscriptions SET {_CLOSED} WHERE chat_id = ?", (chat_id,))

    def pending(self) -> list[Subscription]:
        """Subscriptions with a delivery claimed but not finished."""
        return [Subscription(*r) for r in self._all(
            f"SELECT {_COLUMNS} FROM subscriptions WHERE pending_slot_ts IS NOT NULL ORDER BY chat_id")]

    def delivered(self, chat_id: int, until: datetime) -> None:
        """The digest up to ``until`` is out: the window moves on and the outbox is closed."""
        self._write(f"UPDATE subscriptions SET last_delivered_ts = ?, {_CLOSED} WHERE chat_id = ?",
                    (until.timestamp(), chat_id))
