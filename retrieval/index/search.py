"""Hybrid retrieval: dense (e5, Chroma) and lexical (BM25, SQLite FTS5) rankings fused, with
diversity across articles.

A question reads the dense index's nearest chunks and the lexical index's posting lists of
its own terms; nothing scans the corpus, and nothing of it is held in memory here.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

import numpy as np

from retrieval.index.lexical import LexicalIndex
from retrieval.index.store import ChunkStore
from retrieval.text.lexicon import concepts, expand_terms
from retrieval.types import ArticleMeta, ChunkRef, RetrievedChunk

# Reciprocal-rank fusion's constant, and how deep each ranking (dense, lexical) is read before
# fusion however many chunks are picked from the fused one (reading deeper changes the fusion
# itself: reciprocal ranks favour chunks found by both, however far down). Both checked on
# realdev's train questions, cross-validated accuracy + refusal at 16 chunks a question (as
# `rnkbot train` scores its choices): depth 24 / 32 / 48 / 64 -> 1.352 / 1.370 / 1.341 / 1.348;
# RRF_K 30 / 60 / 120 -> 1.370 / 1.370 / 1.366.
RRF_K = 60
FUSION_DEPTH = 32
# How often a process checks whether the lexical index wants a new BM25 snapshot (two counts
# in SQLite; the build itself runs in a separate process, see retrieval.index.snapshot).
SNAPSHOT_CHECK_S = 30.0


class HybridRetriever:
    """Ranks chunks by reciprocal-rank fusion of dense and BM25 rankings and picks ``k``, at most
    ``per_doc`` of one article while other articles' chunks remain, so several sources are seen."""

    def __init__(self, store: ChunkStore, k: int = 8, per_doc: int = 2, sync_every_s: float = 0.0) -> None:
        self.store = store
        self.k = k
        self.per_doc = per_doc
        self.sync_every_s = sync_every_s
        self._synced_at = float("-inf")
        self._snapshot_checked_at = float("-inf")

    @property
    def stats(self) -> LexicalIndex:
        """Corpus statistics kept at ingest: ``n_docs()``, ``doc_freq(concept)``, ``df_forms(forms)``,
        ``df(term)``, ``generation`` (what the answerer's question analysis reads, see
        :class:`retrieval.answering.question.DocumentFrequency`)."""
        return self.store.lexical

    def refresh(self, force: bool = False) -> None:
        """Apply changes that processes with another lexical file logged (one small read when
        there are none; at most every ``sync_every_s`` seconds unless ``force``). Writes by
        this machine's processes are in the shared file already."""
        now = time.monotonic()
        if force or now - self._synced_at >= self.sync_every_s:
            self._synced_at = now
            self.store.sync_lexical()
        if force or now - self._snapshot_checked_at >= SNAPSHOT_CHECK_S:
            self._snapshot_checked_at = now
            self.store.lexical.refresh_snapshot()  # in the background: FTS5 ranks until it is published

    def retrieve(self, query: str, query_vector: np.ndarray, k: int | None = None) -> list[RetrievedChunk]:
        k = k or self.k
        self.refresh()
        depth = max(k, FUSION_DEPTH)
        dense = self.store.dense(query_vector, depth)
        lexical = self.store.lexical.search(expand_terms(query), depth, concepts=concepts(query))
        if not dense and not lexical:
            return []
        dense_score, lex_score = dict(dense), dict(lexical)

        fused: dict[str, float] = defaultdict(float)
        for ranking in (dense, lexical):
            for rank, (cid, _) in enumerate(ranking):
                fused[cid] += 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])  # stable: ties keep the dense order

        picked: list[RetrievedChunk] = []
        deferred: list[RetrievedChunk] = []
        per_doc: Counter[str] = Counter()
        # The chunks are read from the store a few at a time, best first, until k are picked: what
        # comes after can only land behind them. (A read of all 40-60 candidates took 40 ms, of 16 3 ms.)
        batch = 2 * k
        for start in range(0, len(ranked), batch):
            if len(picked) >= k:
                break
            part = ranked[start : start + batch]
            rows: dict[str, tuple[ChunkRef, ArticleMeta]] = self.store.chunks_by_id([cid for cid, _ in part])
            for cid, score in part:
                row = rows.get(cid)
                if row is None:  # deleted since the lexical index was read
                    continue
                chunk, meta = row
                item = RetrievedChunk(chunk=chunk, meta=meta, score=round(score, 6),
                                      dense_score=dense_score.get(cid), lexical_score=lex_score.get(cid, 0.0))
                if per_doc[chunk.doc_id] < self.per_doc:
                    per_doc[chunk.doc_id] += 1
                    picked.append(item)
                else:
                    deferred.append(item)
        # best first, as the answer contract promises: the chunks beyond ``per_doc`` of one article
        # that made the k move up among the others, the articles' order (by their best chunk) unchanged
        return sorted((picked + deferred)[:k], key=lambda r: -r.score)
