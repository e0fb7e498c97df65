"""A BM25 snapshot of the lexical index for large corpora: ``bm25s``'s sparse matrix of
precomputed scores, saved next to the SQLite file and memory-mapped by every process.

Why: FTS5 computes ``bm25()`` for every chunk its query matches, and at 100k chunks a
question's words are in tens of thousands of them (measured: ~100 ms a question, the whole
retrieval budget twice over). A snapshot answers the same question in ~2 ms: a question sums
the score rows of its own terms.

A snapshot is a picture of the index at one moment, so it is never trusted alone:

- chunks written after it (rowids above its ``max_rowid``: the index's rowids only grow) are
  scored by FTS5 with a rowid range, which reads only the new part of each posting list;
- chunks deleted since it are dropped when its rowids are joined with the live ``chunks`` table;
- a snapshot of another file (the index rebuilt, ``uid`` differs) is ignored.

Its document frequencies age with it; a new one is built when a share of the index changed
(:meth:`SnapshotKeeper.wanted`), by a separate process
(``python -m retrieval.index.snapshot LEXICAL_DB``) so that the memory of the build (~0.5 GB
at 100k chunks) is never the bot's. Builds are serialised by a lock file; a finished build is
published by replacing one small pointer file, so readers never see half of one.

Layout: ``<lexical file>.bm25s/current.json`` (the pointer: version, uid, max_rowid, n_chunks)
and ``<lexical file>.bm25s/<version>/`` (bm25s's arrays and ``rowids.npy``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import bm25s  # imported where used: it brings scipy (0.6 s), which a small index never needs

log = logging.getLogger(__name__)

FORMAT = 1
K1, B = 1.2, 0.75  # FTS5's bm25() defaults, so both rank alike
# bm25s's "robertson" scores lack BM25's (k1 + 1) factor, which FTS5's have: scores from the
# snapshot are multiplied by it so that they and FTS5's (for chunks newer than the snapshot)
# are on one scale.
_FTS5_SCALE = K1 + 1
POINTER = "current.json"


def snapshot_dir(lexical_path: Path | str) -> Path:
    path = Path(lexical_path)
    return path.with_name(path.name + ".bm25s")


@dataclass(frozen=True)
class SnapshotInfo:
    """What a snapshot covers: the lexical file it was read from (``uid``), every chunk with a
    rowid up to ``max_rowid`` as it was then (``n_chunks`` of them), and where it lies."""

    version: str
    uid: str
    max_rowid: int
    n_chunks: int
    built_at: float
    format: int = FORMAT


class LexicalSnapshot:
    """A loaded snapshot: ``top(terms, k)`` ranks every chunk it holds by BM25."""

    def __init__(self, model: bm25s.BM25, rowids: np.ndarray, info: SnapshotInfo) -> None:
        self.model = model
        self.rowids = rowids
        self.info = info

    @classmethod
    def load(cls, folder: Path, uid: str) -> LexicalSnapshot | None:
        """The published snapshot in ``folder`` if it is one of the lexical file ``uid``; ``None``
        when there is none, it is of another file or format, or it cannot be read (a
        snapshot is an accelerator: the caller goes on with FTS5)."""
        info = read_pointer(folder)
        if info is None or info.uid != uid or info.format != FORMAT:
            return None
        where = folder / info.version
        import bm25s

        try:
            model = bm25s.BM25.load(str(where), mmap=True, load_vocab=True, show_progress=False)
            rowids = np.load(where / "rowids.npy", mmap_mode="r")
        except (OSError, ValueError, KeyError) as exc:
            log.warning("the lexical snapshot %s cannot be read (%s): using the SQLite index alone", where, exc)
            return None
        return cls(model, rowids, info)

    def doc_freqs(self, terms: Iterable[str]) -> dict[str, int]:
        """Chunks holding each term (those it holds no chunk with left out): its column's
        length in the score matrix, read without touching the postings."""
        indptr = self.model.scores["indptr"]
        vocab = self.model.vocab_dict
        out: dict[str, int] = {}
        for term in terms:
            col = vocab.get(term)
            if col is not None and (df := int(indptr[col + 1] - indptr[col])) > 0:
                out[term] = df
        return out

    def top(self, terms: Iterable[str], k: int) -> list[tuple[int, float]]:
        """The ``k`` best ``(rowid, score)`` for ``terms`` (each counted once), best first,
        scores on FTS5's scale; chunks without any of the terms are left out."""
        ids = self.model.get_tokens_ids(sorted(set(terms)))
        if not ids or k <= 0:
            return []
        scores = self.model.get_scores_from_ids(ids)
        k = min(k, int(np.count_nonzero(scores)))
        if k == 0:
            return []
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((best, -scores[best]))]  # by score, ties in rowid order
        return [(int(self.rowids[i]), float(scores[i]) * _FTS5_SCALE) for i in best]


# A new snapshot is built once more than this share of the chunks were written or deleted after
# the last one (FTS5 ranks the newer ones meanwhile, reading only their part of each posting list).
STALE_SHARE = 0.05


class SnapshotKeeper:
    """One process's side of a lexical file's snapshots: the published one, loaded again when a
    newer one is published; whether a new one is wanted; the process that builds it."""

    def __init__(self, db_path: Path, min_chunks: int) -> None:
        self.db_path = db_path
        self.folder = snapshot_dir(db_path)
        self.min_chunks = min_chunks
        self._snapshot: LexicalSnapshot | None = None
        self._mark: tuple[int, int] | None = None  # the pointer file's (mtime, inode) when loaded
        self._builder: subprocess.Popen[bytes] | None = None

    def current(self, uid: Callable[[], str]) -> LexicalSnapshot | None:
        """The published snapshot of the file ``uid()`` names, loaded again when a newer one is
        published (one ``stat`` a question; ``uid`` is asked only then)."""
        try:
            st = (self.folder / POINTER).stat()
        except OSError:
            self._snapshot, self._mark = None, None
            return None
        mark = (st.st_mtime_ns, st.st_ino)
        if mark != self._mark:
            self._mark = mark
            self._snapshot = LexicalSnapshot.load(self.folder, uid())
        return self._snapshot

    def wanted(self, n_chunks: int, uid: str, newer_than: Callable[[int], int]) -> bool:
        """Whether a new snapshot is worth building for an index of ``n_chunks`` (``newer_than(rowid)``:
        its chunks above that rowid): it has at least ``min_chunks`` and no snapshot of it, or
        more than :data:`STALE_SHARE` of its chunks were written or deleted since the snapshot
        (its document frequencies have aged, and FTS5 ranks the newer ones)."""
        if n_chunks < max(self.min_chunks, 1):
            return False
        info = read_pointer(self.folder)
        if info is None or info.uid != uid:
            return True
        newer = newer_than(info.max_rowid)
        gone = info.n_chunks - (n_chunks - newer)
        return newer + gone > STALE_SHARE * n_chunks

    def refresh(self, wanted: Callable[[], bool], wait: bool = False) -> bool:
        """Build a new snapshot when ``wanted()``, in a separate process (``python -m
        retrieval.index.snapshot``: the build's memory is never this process's); with ``wait``,
        until it is published. Returns whether a build was started."""
        if self._builder is not None and self._builder.poll() is None:
            if wait:
                self._builder.wait()
            return False
        if not wanted():
            return False
        command = [sys.executable, "-m", "retrieval.index.snapshot", str(self.db_path)]
        root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        started = time.monotonic()
        self._builder = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        if wait:
            rc = self._builder.wait()
            if rc != 0:
                log.warning("building the lexical snapshot failed (exit %s): questions go on with FTS5 alone", rc)
            else:
                log.info("lexical snapshot built in %.1f s", time.monotonic() - started)
        return True


def read_pointer(folder: Path) -> SnapshotInfo | None:
    try:
        data = json.loads((folder / POINTER).read_text(encoding="utf-8"))
        return SnapshotInfo(**data)
    except (OSError, ValueError, TypeError):
        return None


def build(db_path: Path | str) -> SnapshotInfo | None:
    """Build a snapshot of the lexical file ``db_path`` and publish it; ``None`` when another
    process is building one now (it will publish) or the index is empty. When the published
    one already holds the index as it is (several processes asked at once), it is returned
    as it is."""
    folder = snapshot_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        started = time.monotonic()
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=60)
        try:
            db.execute("BEGIN")  # one read transaction: max_rowid and the rows agree
            uid = db.execute("SELECT value FROM meta WHERE key = 'uid'").fetchone()[0]
            published = read_pointer(folder)
            if published is not None and published.uid == uid and published.format == FORMAT and (
                    published.max_rowid, published.n_chunks) == db.execute("SELECT max(id), count(*) FROM chunks").fetchone():
                db.execute("COMMIT")
                return published  # another process published this very state while we waited to start
            vocab: dict[str, int] = {}
            rowids: list[int] = []
            docs: list[np.ndarray] = []
            for rowid, terms in db.execute("SELECT rowid, terms FROM chunk_terms ORDER BY rowid"):
                rowids.append(rowid)
                docs.append(np.fromiter((vocab.setdefault(w, len(vocab)) for w in terms.split()), dtype=np.int32))
            db.execute("COMMIT")
        finally:
            db.close()
        if not rowids:
            return None
        import bm25s
        from bm25s.tokenization import Tokenized

        model = bm25s.BM25(k1=K1, b=B, method="robertson")
        model.index(Tokenized(ids=docs, vocab=vocab), show_progress=False)
        version = f"v{time.time_ns()}"
        where = folder / version
        model.save(str(where), show_progress=False)
        np.save(where / "rowids.npy", np.asarray(rowids, dtype=np.int64))
        info = SnapshotInfo(version=version, uid=str(uid), max_rowid=rowids[-1], n_chunks=len(rowids),
                            built_at=time.time())
        staged = folder / f"{POINTER}.{os.getpid()}"
        staged.write_text(json.dumps(asdict(info)), encoding="utf-8")
        staged.replace(folder / POINTER)  # published: readers see the old snapshot or this one, whole
        for old in folder.iterdir():  # processes that mapped an old one keep their open files
            if old.is_dir() and old.name != version:
                shutil.rmtree(old, ignore_errors=True)
        log.info("lexical snapshot of %d chunks built in %.1f s (%s)", len(rowids), time.monotonic() - started, where)
        return info


def main(argv: list[str] | None = None) -> int:
    """``python -m retrieval.index.snapshot LEXICAL_DB``: build and publish a snapshot."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m retrieval.index.snapshot LEXICAL_DB", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    path = Path(args[0])
    if not path.is_file():
        print(f"no lexical index at {path}", file=sys.stderr)
        return 1
    try:
        build(path)
    except (sqlite3.Error, OSError) as exc:
        print(f"cannot build the lexical snapshot of {path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
