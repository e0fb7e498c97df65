"""The bot's SQLite stores: one base for the connection, its mode, the schema and closing.

Preferences and remembered answers share ``data_dir/bot.sqlite3``; digest subscriptions have
their own file. Each store keeps one connection (WAL mode lets several connections share a
file, and readers never block the writer) behind its own lock, so it is safe from any thread.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

Params = Sequence[Any]


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection in autocommit and WAL mode, usable from any thread (callers hold their own lock)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=5000")
    return conn


class SqliteStore:
    """A small store in one SQLite file. Subclasses list their ``SCHEMA`` statements (run on
    opening, so each must be idempotent: ``CREATE ... IF NOT EXISTS``) and use the helpers
    below; every call is short, blocking and serialised by the store's lock."""

    SCHEMA: ClassVar[tuple[str, ...]] = ()

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = open_sqlite(self.path)
        for statement in self.SCHEMA:
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        with self._lock:
            return self._conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _write(self, sql: str, params: Params = ()) -> int:
        """Run one statement (autocommit); returns the number of rows it changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one transaction: committed on success, rolled back on error."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN")
            yield self._conn
