"""Hybrid retrieval: dense (e5) and lexical (BM25) rankings fused, with diversity across articles."""

from __future__ import annotations

import math
import threading
from collections import Counter, defaultdict

import numpy as np

from retrieval.index.store import ChunkStore
from retrieval.text import stem_variants, stems, tokens
from retrieval.text.lexicon import expand_terms
from retrieval.types import ArticleMeta, Chunk, RetrievedChunk

RRF_K = 60


class BM25:
    """Okapi BM25 over stemmed tokens (stop words removed)."""

    def __init__(self, docs: list[list[str]], k1: float = 1.4, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.len = np.array([len(d) for d in docs], dtype=np.float32)
        self.avg = float(self.len.mean()) if docs else 0.0
        df = Counter(t for d in self.tf for t in d)
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(len(self.tf), dtype=np.float32)
        for i, tf in enumerate(self.tf):
            norm = self.k1 * (1 - self.b + self.b * self.len[i] / (self.avg or 1))
            for t in set(query):
                f = tf.get(t)
                if f:
                    out[i] += self.idf[t] * f * (self.k1 + 1) / (f + norm)
        return out


class HybridRetriever:
    """Ranks chunks by reciprocal-rank fusion of dense and BM25 rankings, then keeps at most
    ``per_doc`` chunks of one article in the first results so several sources are seen."""

    def __init__(self, store: ChunkStore, k: int = 8, per_doc: int = 2) -> None:
        self.store = store
        self.k = k
        self.per_doc = per_doc
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._rows: list[tuple[Chunk, ArticleMeta]] = []
        self._by_id: dict[str, int] = {}
        self._bm25: BM25 | None = None
        self.doc_stems: dict[str, set[str]] = {}

    def refresh(self) -> None:
        """(Re)build the lexical index when the collection changed (count or newest ingest)."""
        records = self.store.article_records()
        stamp = (self.store.count(), tuple(sorted((r["doc_id"], r.get("content_hash")) for r in records)))
        with self._lock:
            if stamp == self._stamp:
                return
            rows = self.store.all_chunks()
            self._rows = rows
            self._by_id = {c.chunk_id: i for i, (c, _) in enumerate(rows)}
            self._bm25 = BM25([stems(self._lexical_text(c, m)) for c, m in rows])
            doc_stems: dict[str, set[str]] = defaultdict(set)
            for c, m in rows:
                for t in tokens(self._lexical_text(c, m)):
                    doc_stems[c.doc_id] |= stem_variants(t)
            self.doc_stems = dict(doc_stems)
            self._stamp = stamp

    @staticmethod
    def _lexical_text(chunk: Chunk, meta: ArticleMeta) -> str:
        head = f"{meta.title} {meta.outlet or ''} {meta.author or ''}" if chunk.index == 0 else meta.title
        return f"{head} {chunk.text}"

    def retrieve(self, query: str, query_vector: np.ndarray, k: int | None = None) -> list[RetrievedChunk]:
        k = k or self.k
        self.refresh()
        if not self._rows:
            return []
        depth = max(4 * k, 20)
        dense = self.store.dense(query_vector, depth)
        dense_score = dict(dense)
        terms = expand_terms(query)
        lex = self._bm25.scores(terms) if self._bm25 else np.zeros(0)
        lex_order = [int(i) for i in np.argsort(-lex)[:depth] if lex[i] > 0]

        fused: dict[str, float] = defaultdict(float)
        for rank, (cid, _) in enumerate(dense):
            fused[cid] += 1.0 / (RRF_K + rank + 1)
        for rank, i in enumerate(lex_order):
            fused[self._rows[i][0].chunk_id] += 1.0 / (RRF_K + rank + 1)

        ranked = sorted(fused.items(), key=lambda kv: -kv[1])
        picked: list[RetrievedChunk] = []
        deferred: list[RetrievedChunk] = []
        per_doc: Counter[str] = Counter()
        for cid, score in ranked:
            idx = self._by_id.get(cid)
            if idx is None:  # written by another process after our refresh
                continue
            chunk, meta = self._rows[idx]
            item = RetrievedChunk(
                chunk=chunk, meta=meta, score=round(score, 6),
                dense_score=dense_score.get(cid), lexical_score=float(lex[idx]) if len(lex) else None,
            )
            if per_doc[chunk.doc_id] < self.per_doc:
                per_doc[chunk.doc_id] += 1
                picked.append(item)
            else:
                deferred.append(item)
        return (picked + deferred)[:k]
