"""Per-user preferences that survive restarts: a small SQLite file (WAL mode) in the data dir."""

from __future__ import annotations

import threading
from pathlib import Path

from retrieval.types import Language

from .db import open_sqlite
from .i18n import LANGUAGES

_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_prefs (
    user_id INTEGER PRIMARY KEY,
    language TEXT NOT NULL CHECK (language IN ('id', 'en')),
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
)
"""


class PrefsStore:
    """User id -> preferred reply language. Calls are short and blocking; safe from any thread."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = open_sqlite(self.path)
        self._conn.execute(_SCHEMA)

    def get_language(self, user_id: int) -> Language | None:
        with self._lock:
            row = self._conn.execute("SELECT language FROM user_prefs WHERE user_id = ?", (user_id,)).fetchone()
        return row[0] if row and row[0] in LANGUAGES else None

    def set_language(self, user_id: int, language: Language) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        with self._lock:
            self._conn.execute(
                "INSERT INTO user_prefs (user_id, language) VALUES (?, ?) "
                "ON CONFLICT(user_id) DO UPDATE SET language = excluded.language, updated_at = CURRENT_TIMESTAMP",
                (user_id, language),
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()
