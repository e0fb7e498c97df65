"""The change log, and the lexical index kept in step with Chroma by it.

The log is the store's third collection: one record per article, its content hash and when it
was last written or deleted. It is what keeps a lexical index in step with Chroma: a process
applies every logged change it has not seen (:meth:`ChangeLog.sync_lexical`), so processes on
other machines, with a lexical file of their own, see what was written elsewhere, and a lost
file is rebuilt.

:class:`ChangeLog` is the part of :class:`~retrieval.index.store.ChunkStore` that writes the
log and applies it (a mixin: the collections and the lexical index are the store's).
"""

from __future__ import annotations

import logging
import math
import threading
import time
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, cast

import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Where

from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.index.records import (
    Metadata,
    _metadatas,
    article_meta,
    article_rows,
    chunk_with_text,
    lexical_text,
    sentence_rows,
    texts_by_chunk,
)
from retrieval.types import Chunk

log = logging.getLogger(__name__)

# A change is looked for again for this long after the newest one applied: writers stamp log
# records with their own clock just before writing, so a record may land a little "in the past"
# (clocks of writing and reading machines must agree within this). A sync re-reads only what
# could have landed since this process's previous read, which started at ``T``: a record stamped
# before ``T - window`` had landed by then, so it was read or is older than the cursor's window.
# Only a process's first sync reads the whole window (after a bulk ingest: thousands of records);
# the next ones read what is new, usually nothing (measured: ~45 ms a question at 100k chunks
# under load, to ~1 ms).
LOG_WINDOW_NS = 60 * 10**9


def placeholder_vector(key: str) -> list[float]:
    """For records nothing searches by vector (the change log, chunks): Chroma needs a vector per
    record; a point on the unit circle spread by the record's key keeps its HNSW graph healthy
    (identical vectors are not), and two floats cost nothing to store, insert or load."""
    angle = (zlib.crc32(key.encode("utf-8")) / 2**32) * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


class ChangeLog:
    """Writing the change log, and applying it to the lexical index (mixed into
    :class:`~retrieval.index.store.ChunkStore`, which holds what is declared here)."""

    _chunks: Collection
    _sentences: Collection
    _changes: Collection
    lexical: LexicalIndex
    _sync_lock: threading.Lock
    _synced_from_ns: int | None  # when this process's last complete sync began (its clock)
    _backfilled: bool

    if TYPE_CHECKING:
        def article_records(self, since_ts: float | None = None) -> list[Metadata]: ...

    def write_log(self, hashes: Mapping[str, str]) -> None:
        """Record that each ``doc_id`` now has its ``content_hash`` ("" = deleted): written last,
        so a logged hash also means that write finished."""
        seq = time.time_ns()
        ids = list(hashes)
        self._changes.upsert(ids=ids, embeddings=np.asarray([placeholder_vector(d) for d in ids], dtype=np.float32),
                             metadatas=[{"doc_id": d, "content_hash": hashes[d], "seq": seq} for d in ids])

    # --- the lexical index, kept in step with Chroma ---------------------------------
    def ensure_lexical(self, doc_id: str, content_hash: str) -> bool:
        """Index ``doc_id`` lexically from its stored chunks unless the lexical index already
        has this version. Returns whether it had to (a write cut short after Chroma, or
        another machine's write)."""
        if self.lexical.doc_hash(doc_id) == content_hash:
            return False
        return self._index_from_chroma(doc_id, content_hash)

    def _stored_chunks(self, doc_id: str, content_hash: str | None = None) -> list[tuple[Chunk, Metadata]]:
        """An article's chunk records with their texts, in order (two reads). A chunk record holds
        no text: its sentences' records do, once (an index written before 2026-11-24 holds it
        twice). With ``content_hash``, only sentences of that write count."""
        chunks = self._chunks.get(where={"doc_id": doc_id}, include=["metadatas"])
        got = self._sentences.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        sentences = [(t, m) for _, t, m in sentence_rows(got)
                     if content_hash is None or m.get("content_hash") == content_hash]
        texts = texts_by_chunk(sentences)
        rows = sorted(zip(chunks["ids"], _metadatas(chunks), strict=True), key=lambda r: int(r[1]["index"]))
        return [(chunk_with_text(cid, m, texts[cid]), m) for cid, m in rows if cid in texts]

    def _index_from_chroma(self, doc_id: str, content_hash: str) -> bool:
        rows = self._stored_chunks(doc_id, content_hash)
        metas = [m for _, m in rows]
        first = article_rows(metas).get(doc_id)
        if first is None or any(m.get("content_hash") != content_hash for m in metas) or len(rows) != first.get("n_chunks"):
            return False  # being rewritten right now: its own log record will come
        meta = article_meta(first)
        self.lexical.write_article(doc_id, content_hash, [LexicalChunk(c.chunk_id, lexical_text(c, meta)) for c, _ in rows])
        return True

    def sync_lexical(self) -> int:
        """Apply the changes logged in Chroma since this lexical index last looked (by any
        process sharing its file); returns how many articles changed. One small read when
        nothing did."""
        with self._sync_lock:
            self._backfill_log()
            cursor = self.lexical.log_cursor
            since = cursor - LOG_WINDOW_NS
            if self._synced_from_ns is not None:  # what was there when the last sync began has been applied
                since = max(since, self._synced_from_ns - LOG_WINDOW_NS)
            started = time.time_ns()
            where = cast(Where, {"seq": {"$gt": since}})
            records = sorted(_metadatas(self._changes.get(where=where, include=["metadatas"])), key=lambda m: int(m["seq"]))
            if not records:
                self._synced_from_ns = started
                return 0
            have = self.lexical.doc_hashes(str(m["doc_id"]) for m in records)
            changed = 0
            for md in records:
                doc_id, h = str(md["doc_id"]), str(md.get("content_hash", ""))
                if not h:
                    if doc_id in have:
                        self.lexical.delete_article(doc_id)
                        changed += 1
                elif have.get(doc_id) != h and self._index_from_chroma(doc_id, h):
                    changed += 1
            newest = int(records[-1]["seq"])
            if newest > cursor:
                self.lexical.advance_cursor(newest)
            self._synced_from_ns = started
            if changed:
                log.info("lexical index: %d article(s) updated from the change log", changed)
            return changed

    def _backfill_log(self) -> None:
        """An index written before the change log existed gets one record per article (once)."""
        if self._backfilled:
            return
        self._backfilled = True
        if self._changes.count() or not self._chunks.count():
            return
        records = self.article_records()
        for i in range(0, len(records), 1000):
            self.write_log({str(m["doc_id"]): str(m.get("content_hash", "")) for m in records[i : i + 1000]})

