"""Digest subscriptions that survive restarts: SQLite in WAL mode.

A delivery is *claimed* for its scheduled slot before it is sent (one UPDATE that succeeds
only if no delivery was claimed in the ``MIN_HOURS_BETWEEN`` hours before that slot), so a
scheduled run, a start-up catch-up and a second process can never send one day's digest
twice. A failed send gives the claim back so the next start-up (or the next day) tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from retrieval.types import Language

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
_COLUMNS = "chat_id, language, at_time, timezone, created_ts, last_slot_ts, last_delivered_ts"
# Two deliveries are at least this far apart, so moving the time from 08:00 to 20:00 does not
# bring a second digest the same day (a daylight-saving day is 23 hours: still one a day).
MIN_HOURS_BETWEEN = 20


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    language: Language
    at_time: str  # HH:MM, local to ``timezone``
    timezone: str  # IANA name
    created_ts: float
    last_slot_ts: float | None = None  # the scheduled time of the last claimed delivery
    last_delivered_ts: float | None = None  # the end of the window the last digest covered

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

    def claim(self, chat_id: int, slot: datetime) -> Subscription | None:
        """Claim the delivery for ``slot``; ``None`` if it was claimed already (or no subscription).
        Returns the subscription as it was before the claim (its window is still the old one)."""
        before = self.get(chat_id)
        if before is None:
            return None
        claimed = self._write(
            "UPDATE subscriptions SET last_slot_ts = ? WHERE chat_id = ? AND (last_slot_ts IS NULL OR last_slot_ts <= ?)",
            (slot.timestamp(), chat_id, slot.timestamp() - MIN_HOURS_BETWEEN * 3600),
        )
        return before if claimed else None

    def release(self, chat_id: int, slot: datetime, previous_slot_ts: float | None) -> None:
        """Give a claim back after a failed send (only if nobody claimed a later slot meanwhile)."""
        self._write(
            "UPDATE subscriptions SET last_slot_ts = ? WHERE chat_id = ? AND last_slot_ts = ?",
            (previous_slot_ts, chat_id, slot.timestamp()),
        )

    def delivered(self, chat_id: int, until: datetime) -> None:
        self._write("UPDATE subscriptions SET last_delivered_ts = ? WHERE chat_id = ?", (until.timestamp(), chat_id))
