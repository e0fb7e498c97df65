"""The bot's own SQLite file (``data_dir/bot.sqlite3``): one file, several small stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection in autocommit and WAL mode, usable from any thread (callers hold their own lock).

    WAL lets each store keep its own connection to the same file, and readers never block the writer.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn
