"""The index in memory: :class:`retrieval.index.store.ChunkStore`'s interface without Chroma.

Exact cosine search over the stored sentence vectors (a chunk scores its best sentence, as in
the Chroma store), records kept as the Chroma store keeps them (the article's metadata and the
record counts on its first chunk, the write's hash on every record, a chunk's text in its
sentences' records only), and the lexical index in SQLite's memory (FTS5,
the standard library, nothing on disk). Nothing is shared between processes, so there is no
change log to read: :meth:`sync_lexical` has nothing to do. The contract tests run it next to
embedded Chroma and a Chroma server, so the unit tier can trust it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.index.records import (
    ArticleWrite,
    Metadata,
    SentenceRecord,
    article_meta,
    article_rows,
    best_sentence_per_chunk,
    chunk_from_record,
    chunk_metadata,
    chunk_with_text,
    finished,
    lexical_text,
    texts_by_chunk,
    write_in_order,
)
from retrieval.types import ArticleMeta, Chunk, ChunkRef, Sentence

Record = tuple[str, dict[str, Any], np.ndarray]  # (text, metadata, vector); a chunk's text is ""


class InMemoryStore:
    def __init__(self, embeddings: Any) -> None:
        self.embeddings = embeddings
        self.lexical = LexicalIndex(":memory:")
        self._chunks: dict[str, Record] = {}
        self._sentences: dict[str, Record] = {}
        self._log: dict[str, str] = {}  # doc_id -> content hash of its last finished write ("" = deleted)

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        return len(self._chunks)

    def sentence_count(self) -> int:
        return len(self._sentences)

    def _metas(self, table: dict[str, Record], doc_id: str) -> list[dict[str, Any]]:
        return [m for _, m, _ in table.values() if m["doc_id"] == doc_id]

    def doc_hash(self, doc_id: str) -> str | None:
        return self.doc_hashes([doc_id]).get(doc_id)

    def doc_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        wanted = set(doc_ids)
        return {str(m["doc_id"]): str(m["content_hash"]) for m in self.article_records() if m["doc_id"] in wanted}

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        return doc_id in self.complete({doc_id: content_hash})

    def complete(self, expected: Mapping[str, str], *, logged: bool = True) -> set[str]:
        return {d for d, h in expected.items()
                if finished(self._metas(self._chunks, d), self._metas(self._sentences, d), h)
                and (not logged or self._log.get(d) == h)}

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        return self.find_others([(doc_id, url, text_hash)]).get(doc_id)

    def find_others(self, items: Sequence[tuple[str, str | None, str | None]]) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        records = sorted(self.article_records(), key=lambda m: m["doc_id"])
        for doc_id, url, text_hash in items:
            for key, value, why in (("url", url, "same URL"), ("text_hash", text_hash, "same text")):
                other = next((m["doc_id"] for m in records if value and m.get(key) == value and m["doc_id"] != doc_id), None)
                if other is not None and doc_id not in out:
                    out[doc_id] = (str(other), why)
        return out

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self, since_ts: float | None = None) -> list[Metadata]:
        records = [m for _, m, _ in self._chunks.values() if m["index"] == 0]
        if since_ts is None:
            return list(records)
        lo = int(since_ts)
        return [m for m in records if m["ingested_ts"] >= lo or m.get("published_ts", lo - 1) >= lo]

    def article_record(self, doc_id: str) -> Metadata | None:
        return next((m for m in self.article_records() if m["doc_id"] == doc_id), None)

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        return sorted(i for i, (_, m, _) in self._chunks.items() if doc_id is None or m["doc_id"] == doc_id)

    def _rows(self, doc_id: str) -> list[tuple[str, Record]]:
        return sorted(((i, r) for i, r in self._chunks.items() if r[1]["doc_id"] == doc_id), key=lambda p: p[1][1]["index"])

    def _texts(self, doc_id: str, content_hash: str | None = None) -> dict[str, str]:
        return texts_by_chunk((t, m) for t, m, _ in self._sentences.values()
                              if m["doc_id"] == doc_id and content_hash in (None, m["content_hash"]))

    def chunk_texts(self, doc_id: str) -> list[str]:
        texts = self._texts(doc_id)
        return [texts[i] for i, _ in self._rows(doc_id) if i in texts]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[ChunkRef, ArticleMeta]]:
        articles = article_rows(self.article_records())
        return {i: (chunk_from_record(i, m), article_meta(articles[m["doc_id"]]))
                for i in dict.fromkeys(chunk_ids) if i in self._chunks for _, m, _ in [self._chunks[i]]}

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        scored = sorted(((float(v @ vector), i) for i, (_, _, v) in self._sentences.items()), key=lambda p: (-p[0], p[1]))
        return best_sentence_per_chunk([(self._sentences[i][1], s) for s, i in scored[: 4 * k]], k)

    def sentences_of(self, doc_ids: Sequence[str]) -> list[Sentence]:
        wanted = set(doc_ids)
        rows = [Sentence(i, m["doc_id"], m["chunk_id"], m["index"], t, v)
                for i, (t, m, v) in self._sentences.items() if m["doc_id"] in wanted]
        return sorted(rows, key=lambda r: (r.doc_id, r.index))

    # --- writes ------------------------------------------------------------------
    def replace_article(self, meta: ArticleMeta, chunks: list[Chunk], chunk_vectors: np.ndarray,
                        sentences: list[SentenceRecord], sentence_vectors: np.ndarray, *, content_hash: str,
                        ingested_ts: float, text_hash: str | None = None,
                        sentence_chunks: list[list[str]] | None = None) -> None:
        self.replace_articles([ArticleWrite(meta, chunks, chunk_vectors, sentences, sentence_vectors, content_hash,
                                            ingested_ts, text_hash, sentence_chunks)])

    def replace_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """The Chroma store's steps, in its order, so a test can cut a write short here too."""
        write_in_order(self, writes)

    def retract_chunks(self, doc_ids: Sequence[str]) -> None:
        wanted = set(doc_ids)
        updated = {m["doc_id"] for _, m, _ in self._chunks.values() if m["doc_id"] in wanted}
        for table in (self._chunks, self._sentences):
            for key in [k for k, (_, m, _) in table.items() if m["doc_id"] in updated]:
                del table[key]

    def write_sentences(self, writes: Sequence[ArticleWrite]) -> list[str]:
        ids = []
        for w in writes:
            for (i, text, meta), vec in zip(w.sentence_records(), w.sentence_vectors, strict=True):
                self._sentences[i] = (text, meta, np.asarray(vec, dtype=np.float32))
                ids.append(i)
        return ids

    def write_chunks(self, writes: Sequence[ArticleWrite]) -> list[str]:
        ids = []
        for w in writes:
            base = w.chunk_record()
            for chunk, vec in zip(w.chunks, w.chunk_vectors, strict=True):
                self._chunks[chunk.chunk_id] = ("", chunk_metadata(base, chunk), np.asarray(vec, dtype=np.float32))
                ids.append(chunk.chunk_id)
        return ids

    def drop_stale(self, writes: Sequence[ArticleWrite]) -> None:
        self._drop([w.meta.doc_id for w in writes], keep={i for w in writes for i in w.record_ids()})

    def _drop(self, doc_ids: Sequence[str], keep: set[str]) -> None:
        wanted = set(doc_ids)
        for table in (self._chunks, self._sentences):
            for key in [k for k, (_, m, _) in table.items() if m["doc_id"] in wanted and k not in keep]:
                del table[key]

    def write_log(self, hashes: Mapping[str, str]) -> None:
        self._log.update(hashes)

    def delete_article(self, doc_id: str) -> None:
        self._drop([doc_id], keep=set())
        self.write_log({doc_id: ""})
        self.lexical.delete_article(doc_id)

    # --- the lexical index -----------------------------------------------------------
    def ensure_lexical(self, doc_id: str, content_hash: str) -> bool:
        if self.lexical.doc_hash(doc_id) == content_hash:
            return False
        rows = self._rows(doc_id)
        if not rows or any(m["content_hash"] != content_hash for _, (_, m, _) in rows):
            return False
        first = article_rows(m for _, (_, m, _) in rows).get(doc_id)
        if first is None:
            return False
        meta, texts = article_meta(first), self._texts(doc_id, content_hash)
        if any(i not in texts for i, _ in rows):
            return False
        chunks = [LexicalChunk(i, lexical_text(chunk_with_text(i, m, texts[i]), meta))
                  for i, (_, m, _) in rows]
        self.lexical.write_article(doc_id, content_hash, chunks)
        return True

    def sync_lexical(self) -> int:
        return 0  # one process, one lexical index: every write reached it already
