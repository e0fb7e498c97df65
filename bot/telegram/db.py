"""The bot's SQLite stores: one base for the connection, its mode, the schema and closing.

Preferences, remembered answers and the answer journal share ``data_dir/bot.sqlite3``; digest
subscriptions have their own file. Each store keeps one connection (WAL mode lets several
connections share a file, and readers never block the writer) behind its own lock, so it is
safe from any thread.

A database that is locked by another process for longer than ``BUSY_TIMEOUT_S``, damaged
(overwritten, truncated) or unwritable raises :class:`DatabaseError`, whose message names the
file and the fix; never a bare ``sqlite3`` error. A store that could not be opened does not
stop the bot: it tries again at its next use (so a lock that is released, or a damaged file
that an admin moved aside, heals without a restart), and until then every call raises
:class:`DatabaseError`; the bot answers what it can without it and says what it cannot do.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from corpus.errors import RnkbotError

Params = Sequence[Any]
BUSY_TIMEOUT_S = 5.0
log = logging.getLogger(__name__)


class DatabaseError(RnkbotError):
    """A bot database is busy (locked), damaged or cannot be written; the message names the fix."""

    def __init__(self, path: Path, what: str, exc: BaseException) -> None:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        self.busy = "locked" in reason or "busy" in reason
        if self.busy:
            text = (f"the database {path} is locked by another process ({reason}): is a second rnkbot running on "
                    "this data dir? Stop it; the bot retries by itself.")
        else:
            text = (f"the database {path} cannot be used ({reason}). If it is damaged, stop the bot and move the file "
                    f"aside: it is recreated empty at the next start ({what} are lost), or recover them with "
                    f"`sqlite3 {path} .recover`. If the disk is full, free some space.")
        super().__init__(text)
        self.path = path


def open_sqlite(path: Path) -> sqlite3.Connection:
    """A connection in autocommit and WAL mode, usable from any thread (callers hold their own lock)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


class SqliteStore:
    """A small store in one SQLite file. Subclasses list their ``SCHEMA`` statements (run on
    opening, so each must be idempotent: ``CREATE ... IF NOT EXISTS``), the ``COLUMNS`` added
    to a table after its first version (``{table: [(column, type), ...]}``, added when missing),
    say ``WHAT`` they hold (for error messages), and use the helpers below; every call is short,
    blocking and serialised by the store's lock."""

    SCHEMA: ClassVar[tuple[str, ...]] = ()
    COLUMNS: ClassVar[dict[str, list[tuple[str, str]]]] = {}
    WHAT: ClassVar[str] = "its records"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.error: DatabaseError | None = None  # why the last attempt to open failed
        try:
            with self._lock:
                self._open()
        except DatabaseError as exc:
            log.error("%s", exc)

    def _open(self) -> sqlite3.Connection:
        """The connection, opened (and the schema made current) if it is not yet. Caller holds the lock."""
        if self._conn is not None:
            return self._conn
        conn = None
        try:
            conn = open_sqlite(self.path)
            for statement in self.SCHEMA:
                conn.execute(statement)
            for table, columns in self.COLUMNS.items():
                have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns:
                    if name not in have:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            self.error = DatabaseError(self.path, self.WHAT, exc)
            raise self.error from exc
        if self.error is not None:
            log.warning("the database %s works again", self.path)
        self._conn, self.error = conn, None
        return conn

    @property
    def available(self) -> bool:
        """Whether the last attempt to open or use the file worked."""
        return self.error is None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @contextlib.contextmanager
    def _using(self) -> Iterator[sqlite3.Connection]:
        """The connection under the lock; SQLite errors become :class:`DatabaseError`. A damaged
        file's connection is dropped, so the next call opens the file afresh."""
        with self._lock:
            conn = self._open()
            try:
                yield conn
            except sqlite3.Error as exc:
                error = DatabaseError(self.path, self.WHAT, exc)
                if not error.busy:
                    conn.close()
                    self._conn = None
                    self.error = error
                raise error from exc

    def _one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        with self._using() as conn:
            return conn.execute(sql, params).fetchone()

    def _all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        with self._using() as conn:
            return conn.execute(sql, params).fetchall()

    def _write(self, sql: str, params: Params = ()) -> int:
        """Run one statement (autocommit); returns the number of rows it changed."""
        with self._using() as conn:
            return conn.execute(sql, params).rowcount

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one transaction: committed on success, rolled back on error."""
        with self._using() as conn, conn:
            conn.execute("BEGIN")
            yield conn
