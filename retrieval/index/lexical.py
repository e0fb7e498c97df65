"""The lexical index and corpus statistics: SQLite FTS5 (standard library), on disk, updated
per article at ingest.

Two full-text tables over the same stemmed text (``retrieval.text.stems``, so English
questions still reach Indonesian text through the glossary's expansion):

- ``chunk_terms``: one row per chunk, ranked with FTS5's built-in ``bm25()``;
- ``doc_terms``: one row per article holding the set of its words' root variants, for
  document frequencies ("in how many articles does this word occur?") without a scan.

Nothing of the corpus is held in Python memory: a question reads posting lists of its own
terms. Every write bumps ``generation`` (a counter: a cheap "did anything change?").

One SQLite file (WAL) serves every process of one machine; SQLite's locking makes the
writes safe. It is derived data: :meth:`retrieval.index.store.ChunkStore.sync_lexical` fills
it from Chroma's change log, so a process on another machine (its own file) catches up
with writes made elsewhere, and a deleted file is rebuilt.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from retrieval.index.fts_query import any_of, coordinated, quote
from retrieval.index.snapshot import LexicalSnapshot, SnapshotKeeper
from retrieval.text import stem_variants, stems, tokens
from retrieval.text.lexicon import Concept, Form

SCHEMA_VERSION = 2  # 2: chunk rowids never reused (AUTOINCREMENT), the file's ``uid`` (snapshots rely on both)
# Our own tokens are joined with spaces; numbers keep their separators ("10.000", "19/11").
_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '.,/:'"


@dataclass(frozen=True)
class LexicalChunk:
    """What the lexical index needs of a chunk: its id and the text to index (title included)."""

    chunk_id: str
    text: str


def _doc_terms(texts: Iterable[str]) -> str:
    """The article's root variants, each once (what ``analyze`` matches question words against)."""
    out: set[str] = set()
    for text in texts:
        for t in tokens(text):
            out |= stem_variants(t)
    return " ".join(sorted(out))


class LexicalIndex:
    """BM25 over chunks and document frequencies over articles, in one SQLite file.

    Thread-safe (one connection behind a lock); several processes may open the same file.
    """

    def __init__(self, path: Path | str, snapshot_min_chunks: int | None = None) -> None:
        """``snapshot_min_chunks``: from this many chunks on, a BM25 snapshot is built
        (:meth:`refresh_snapshot`) and questions are ranked with it; ``None``: never (an
        in-memory index never has one)."""
        self.path = Path(path) if str(path) != ":memory:" else path
        self._snapshots = (SnapshotKeeper(self.path, snapshot_min_chunks)
                           if isinstance(self.path, Path) and snapshot_min_chunks is not None else None)
        if isinstance(self.path, Path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=60, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=60000")
            with self._tx():
                self._create()

    def _create(self) -> None:
        db = self._db
        db.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value)")
        version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if version is not None and int(version[0]) != SCHEMA_VERSION:
            for name in ("chunk_vocab", "doc_vocab", "chunk_terms", "doc_terms", "chunks", "docs"):
                db.execute(f"DROP TABLE IF EXISTS {name}")
            db.execute("DELETE FROM meta")
        for statement in f"""
            CREATE TABLE IF NOT EXISTS docs(
                id INTEGER PRIMARY KEY, doc_id TEXT UNIQUE NOT NULL, content_hash TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS chunks(
                id INTEGER PRIMARY KEY AUTOINCREMENT, chunk_id TEXT UNIQUE NOT NULL, doc INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc);
            CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5(terms, tokenize="{_TOKENIZE}");
            CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vocab USING fts5vocab(chunk_terms, 'row');
            CREATE VIRTUAL TABLE IF NOT EXISTS doc_terms USING fts5(terms, detail=none, tokenize="{_TOKENIZE}");
            CREATE VIRTUAL TABLE IF NOT EXISTS doc_vocab USING fts5vocab(doc_terms, 'row');
        """.split(";"):
            if statement.strip():
                db.execute(statement)
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('generation', 0)")
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('log_cursor', 0)")
        db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('uid', ?)", (uuid.uuid4().hex,))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- writes (one transaction each) --------------------------------------------------
    def write_article(self, doc_id: str, content_hash: str, chunks: list[LexicalChunk]) -> None:
        """Replace everything indexed for ``doc_id`` by ``chunks``."""
        self.write_articles([(doc_id, content_hash, chunks)])

    def write_articles(self, articles: list[tuple[str, str, list[LexicalChunk]]]) -> None:
        """:meth:`write_article` for several articles, in one transaction."""
        prepared = [(doc_id, h, _doc_terms(c.text for c in chunks), [(c.chunk_id, " ".join(stems(c.text))) for c in chunks])
                    for doc_id, h, chunks in articles]  # the text work outside the write lock
        with self._tx() as db:
            for doc_id, content_hash, doc_terms, chunk_terms in prepared:
                self._delete(db, doc_id)
                doc = db.execute("INSERT INTO docs(doc_id, content_hash) VALUES (?, ?)", (doc_id, content_hash)).lastrowid
                db.execute("INSERT INTO doc_terms(rowid, terms) VALUES (?, ?)", (doc, doc_terms))
                for chunk_id, terms in chunk_terms:
                    cid = db.execute("INSERT INTO chunks(chunk_id, doc) VALUES (?, ?)", (chunk_id, doc)).lastrowid
                    db.execute("INSERT INTO chunk_terms(rowid, terms) VALUES (?, ?)", (cid, terms))
            self._bump(db)

    def delete_article(self, doc_id: str) -> None:
        with self._tx() as db:
            if self._delete(db, doc_id):
                self._bump(db)

    @staticmethod
    def _delete(db: sqlite3.Connection, doc_id: str) -> bool:
        row = db.execute("SELECT id FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return False
        doc = row[0]
        db.execute("DELETE FROM chunk_terms WHERE rowid IN (SELECT id FROM chunks WHERE doc = ?)", (doc,))
        db.execute("DELETE FROM chunks WHERE doc = ?", (doc,))
        db.execute("DELETE FROM doc_terms WHERE rowid = ?", (doc,))
        db.execute("DELETE FROM docs WHERE id = ?", (doc,))
        return True

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")

    # --- change tracking ----------------------------------------------------------------
    @property
    def generation(self) -> int:
        """Bumped by every write, by any process: equal values mean nothing changed."""
        return int(self._meta("generation"))

    def _meta(self, key: str):
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    @property
    def log_cursor(self) -> int:
        """The newest change-log sequence number this file has applied (see ``ChunkStore.sync_lexical``)."""
        return int(self._meta("log_cursor") or 0)

    def advance_cursor(self, seq: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE meta SET value = max(value, ?) WHERE key = 'log_cursor'", (int(seq),))

    def doc_hash(self, doc_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT content_hash FROM docs WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def doc_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        return self._pairs("SELECT doc_id, content_hash FROM docs WHERE doc_id", list(doc_ids))

    def chunk_count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    # --- search -------------------------------------------------------------------------
    def search(self, terms: Iterable[str], k: int, *, concepts: Sequence[Concept] = ()) -> list[tuple[str, float]]:
        """The ``k`` best chunks for these stems by BM25 (FTS5's ``bm25()``, k1=1.2, b=0.75),
        best first, as ``(chunk_id, score)`` with higher scores better.

        Terms in half the chunks or more are left out: FTS5 gives them no weight
        (its IDF is clamped to ~0 there) and they would only make the query read long
        posting lists.

        With the question's ``concepts`` (``terms`` being the variants of their forms' words),
        the chunks looked at are those that have the question's concepts together (see
        :func:`coordinated`), not every chunk that has one of its words: a chunk's score is
        the same (every term still counts), but FTS5 scores each chunk its query matches, and
        at 100k chunks a question's words are in tens of thousands of them."""
        distinct = sorted({t for t in terms if t})
        if not distinct:
            return []
        with self._lock:
            snapshot = self.snapshot()
            if snapshot is not None:
                return self._ranked_with(snapshot, distinct, k)
            n = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            if n == 0:
                return []
            dfs = self._vocab("chunk_vocab", distinct)  # fts5vocab counts each term's postings: fine while small
            weighted = {t: d for t, d in dfs.items() if 0 < d < n / 2 or (n < 4 and d > 0)}
            if not weighted:
                return []
            candidates = coordinated(concepts, dfs, weighted, k, self._has_k) if concepts else None
            return self._ranked(any_of(weighted), k, among=candidates)

    def _ranked(self, match: str, k: int, among: str | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks for the FTS5 query ``match`` by ``bm25()``; with ``among`` (another
        FTS5 query), only the chunks that match it too are scored, each as ``match`` scores it
        (``+rowid``: a filter on FTS5's output; a bare ``rowid IN`` makes SQLite start FTS5's
        query once per id)."""
        among_sql = " AND +rowid IN (SELECT rowid FROM chunk_terms WHERE chunk_terms MATCH ?)" if among else ""
        rows = self._db.execute(
            "SELECT c.chunk_id, r.score FROM ("
            f"  SELECT rowid, bm25(chunk_terms) AS score FROM chunk_terms WHERE chunk_terms MATCH ?{among_sql}"
            "  ORDER BY score LIMIT ?) AS r JOIN chunks c ON c.id = r.rowid ORDER BY r.score",
            (match, among, k) if among else (match, k),
        ).fetchall()
        return [(cid, -float(s)) for cid, s in rows]

    def _ranked_with(self, snapshot: LexicalSnapshot, distinct: list[str], k: int) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``distinct`` terms: those the snapshot holds, ranked by it
        (dropping chunks deleted since), and those written after it, ranked by FTS5 over the
        rowids above the snapshot's (a range FTS5 seeks to: it reads only that part of each
        posting list). Both score BM25 on one scale; the snapshot's document frequencies
        decide which terms weigh (those in half its chunks or more do not, as in FTS5)."""
        dfs = snapshot.doc_freqs(distinct)
        n = snapshot.info.n_chunks
        terms = sorted(t for t, d in dfs.items() if d < n / 2 or n < 4)
        newer: list[tuple[int, float]] = []
        last = self._db.execute("SELECT max(id) FROM chunks").fetchone()[0]
        if last is not None and last > snapshot.info.max_rowid:
            unseen = [t for t in distinct if t not in dfs]  # words only newer chunks may hold
            if terms or unseen:
                newer = self._db.execute(
                    "SELECT rowid, bm25(chunk_terms) AS score FROM chunk_terms WHERE chunk_terms MATCH ? AND rowid > ? "
                    "ORDER BY score LIMIT ?", (any_of(terms + unseen), snapshot.info.max_rowid, k)).fetchall()
        want = k
        while True:
            top = snapshot.top(terms, want)
            live = self._chunk_ids([rowid for rowid, _ in top])
            kept = [(live[rowid], score) for rowid, score in top if rowid in live]
            if len(kept) >= k or len(top) < want:
                break
            want *= 4  # some of the best were deleted since the snapshot: look deeper
        newer_ids = self._chunk_ids([rowid for rowid, _ in newer])
        kept += [(newer_ids[rowid], -float(score)) for rowid, score in newer if rowid in newer_ids]
        kept.sort(key=lambda item: -item[1])
        return kept[:k]

    def _chunk_ids(self, rowids: list[int]) -> dict[int, str]:
        return self._pairs("SELECT id, chunk_id FROM chunks WHERE id", rowids)

    def _pairs(self, select: str, keys: list) -> dict:
        """``select`` (two columns, ending at the key column) for every key, 500 at a time."""
        out: dict = {}
        with self._lock:
            for i in range(0, len(keys), 500):
                part = keys[i : i + 500]
                out.update(self._db.execute(f"{select} IN ({','.join('?' * len(part))})", part))
        return out

    # --- the BM25 snapshot (retrieval.index.snapshot) -------------------------------------
    @property
    def uid(self) -> str:
        """This file's identity (a new file, e.g. a rebuilt index, has another)."""
        return str(self._meta("uid"))

    def snapshot(self) -> LexicalSnapshot | None:
        """The published snapshot of this file (see :meth:`SnapshotKeeper.current`); ``None``
        when there is none or snapshots are off."""
        return self._snapshots.current(lambda: self.uid) if self._snapshots else None

    def snapshot_wanted(self) -> bool:
        """Whether a new snapshot is worth building (see :meth:`SnapshotKeeper.wanted`)."""
        if self._snapshots is None:
            return False
        with self._lock:
            n = self._db.execute("SELECT count(*) FROM chunks").fetchone()[0]
            return self._snapshots.wanted(n, self.uid, lambda rowid: self._db.execute(
                "SELECT count(*) FROM chunks WHERE id > ?", (rowid,)).fetchone()[0])

    def refresh_snapshot(self, wait: bool = False) -> bool:
        """Build a new snapshot when one is wanted, in a separate process (see
        :meth:`SnapshotKeeper.refresh`). Returns whether a build was started."""
        return self._snapshots.refresh(self.snapshot_wanted, wait) if self._snapshots else False

    def _has_k(self, match: str, k: int) -> bool:
        """Whether ``k`` chunks match (rowid order, nothing scored: stops at the ``k``-th)."""
        return len(self._db.execute("SELECT rowid FROM chunk_terms WHERE chunk_terms MATCH ? LIMIT ?",
                                    (match, k)).fetchall()) >= k

    def _vocab(self, table: str, terms: list[str]) -> dict[str, int]:
        out: dict[str, int] = {}
        for t in terms:  # one seek per term (fts5vocab answers `term = ?` without a scan)
            row = self._db.execute(f"SELECT doc FROM {table} WHERE term = ?", (t,)).fetchone()
            if row:
                out[t] = int(row[0])
        return out

    # --- corpus statistics (the answerer's document frequencies) --------------------------
    def n_docs(self) -> int:
        """Articles in the index."""
        with self._lock:
            return self._db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def df(self, term: str) -> int:
        """Articles with ``term`` among their words' root variants."""
        with self._lock:
            return self._vocab("doc_vocab", [term]).get(term, 0)

    def df_forms(self, forms: Iterable[Form]) -> int:
        """Articles where some form matches: every word of the form by one of its variants.

        The same count as ``sum(1 for st in doc_stems.values() if any(all(v & st for v in f) for f in forms))``,
        answered from the posting lists of the forms' words."""
        clauses = []
        for form in forms:
            words = [" OR ".join(quote(v) for v in sorted(variants)) for variants in form if variants]
            if words and len(words) == len(form):
                clauses.append("(" + " AND ".join(f"({w})" for w in words) + ")")
        if not clauses:
            return 0
        with self._lock:
            return self._db.execute("SELECT count(*) FROM doc_terms WHERE doc_terms MATCH ?",
                                    (" OR ".join(clauses),)).fetchone()[0]

    def doc_freq(self, concept: Concept) -> int:
        """Articles that express ``concept`` by any of its forms (what
        :class:`retrieval.answering.question.DocumentFrequency` asks)."""
        return self.df_forms(concept.forms)

    def terms_of(self, doc_id: str) -> frozenset[str] | None:
        """The root variants of an article's words, as :meth:`df_forms` matches them."""
        with self._lock:
            row = self._db.execute(
                "SELECT t.terms FROM docs d JOIN doc_terms t ON t.rowid = d.id WHERE d.doc_id = ?", (doc_id,)
            ).fetchone()
        return None if row is None else frozenset(row[0].split())
