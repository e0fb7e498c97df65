"""Per-user preferences that survive restarts: a small SQLite file (WAL mode) in the data dir."""

from __future__ import annotations

from retrieval.types import Language

from .db import SqliteStore
from .i18n import LANGUAGES


class PrefsStore(SqliteStore):
    """User id -> preferred reply language. Calls are short and blocking; safe from any thread."""

    SCHEMA = ("""
CREATE TABLE IF NOT EXISTS user_prefs (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('id', 'en')),
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
""",)

    def get_language(self, user_id: int) -> Language | None:
        row = self._one("SELECT language FROM user_prefs WHERE user_id = ?", (user_id,))
        return row[0] if row and row[0] in LANGUAGES else None

    def set_language(self, user_id: int, language: Language) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        self._write(
            "INSERT INTO user_prefs (user_id, language) VALUES (?, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET language = excluded.language, updated_at = CURRENT_TIMESTAMP",
            (user_id, language),
        )
