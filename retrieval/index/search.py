"""Hybrid retrieval: dense (e5, Chroma) and lexical (BM25, SQLite FTS5) rankings fused, with
diversity across articles.

A question reads the dense index's nearest chunks and the lexical index's posting lists of
its own terms; nothing scans the corpus, and nothing of it is held in memory here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

import numpy as np

from retrieval.index.lexical import LexicalIndex
from retrieval.index.store import ChunkStore
from retrieval.text.lexicon import expand_terms
from retrieval.types import ArticleMeta, Chunk, RetrievedChunk

RRF_K = 60


class HybridRetriever:
    """Ranks chunks by reciprocal-rank fusion of dense and BM25 rankings, then keeps at most
    ``per_doc`` chunks of one article in the first results so several sources are seen."""

    def __init__(self, store: ChunkStore, k: int = 8, per_doc: int = 2) -> None:
        self.store = store
        self.k = k
        self.per_doc = per_doc

    @property
    def stats(self) -> LexicalIndex:
        """Corpus statistics kept at ingest: ``n_docs()``, ``df(term)``, ``df_forms(forms)``, ``generation``."""
        return self.store.lexical

    @property
    def doc_stems(self) -> Mapping[str, frozenset[str]]:
        """Every article's root variants, read from the lexical index when iterated (its cost
        grows with the corpus: prefer :attr:`stats`)."""
        return self.store.lexical.doc_terms()

    def refresh(self) -> None:
        """Apply changes other processes logged (cheap when there are none)."""
        self.store.sync_lexical()

    def retrieve(self, query: str, query_vector: np.ndarray, k: int | None = None) -> list[RetrievedChunk]:
        k = k or self.k
        self.refresh()
        depth = max(4 * k, 20)
        dense = self.store.dense_chunks(query_vector, depth)
        lexical = self.store.lexical.search(expand_terms(query), depth)
        if not dense and not lexical:
            return []
        rows: dict[str, tuple[Chunk, ArticleMeta]] = {cid: row for cid, _, row in dense}
        dense_score = {cid: s for cid, s, _ in dense}
        lex_score = dict(lexical)

        fused: dict[str, float] = defaultdict(float)
        for rank, (cid, _, _) in enumerate(dense):
            fused[cid] += 1.0 / (RRF_K + rank + 1)
        for rank, (cid, _) in enumerate(lexical):
            fused[cid] += 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused.items(), key=lambda kv: -kv[1])  # stable: ties keep the dense order
        missing = [cid for cid, _ in ranked if cid not in rows]
        rows.update(self.store.chunks_by_id(missing))

        picked: list[RetrievedChunk] = []
        deferred: list[RetrievedChunk] = []
        per_doc: Counter[str] = Counter()
        for cid, score in ranked:
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
        return (picked + deferred)[:k]
