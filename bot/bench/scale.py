"""The bench's **scale** section: a synthetic corpus grown to each size (the store's own ingestion
throughput), then, in a fresh process per size, retrieval latency and peak RSS.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.bench.common import _child, _llm, _rss_mb, _settings, _stats, time_embedding

if TYPE_CHECKING:  # the sections import what they need themselves: each runs in a process of its own
    from retrieval.models.embeddings import VectorEmbeddings

SCALE_QUESTIONS = [
    "Siapa yang menyampaikan salam dari Putin kepada Kim Jong Un?", "Berapa tentara Korea Utara yang dikirim ke Rusia?",
    "Kapan Kozlov bertemu Kim Jong Un di Pyongyang?", "What did Kim and Putin agree on in 2023?",
    "Who is Alexander Kozlov?", "Apa isi perjanjian kemitraan strategis Rusia dan Korea Utara?",
    "Di mana Kim Jong Un bertemu Putin?", "What military cooperation did North Korea discuss with Russia?",
    "Siapa penulis berita Kompas TV tentang kunjungan Menteri SDA Rusia?", "Bagaimana Korea Selatan menanggapi kunjungan itu?",
    "When did the Russian delegation visit Pyongyang?", "Apa yang dibahas Politbiro Partai Pekerja Korea?",
]


def section_scale_build(work: Path, args: argparse.Namespace) -> dict:
    """Grow the synthetic index to each size; throughput of each step (the store's own)."""
    from corpus import ARTICLES_DIR
    from corpus.documents import load_file
    from retrieval.evaluation.synthetic import DerivedEmbeddings, SyntheticCorpus
    from retrieval.index.ingest import Ingester, IngestReport
    from retrieval.index.opening import open_store
    from retrieval.models.embeddings import build_embeddings

    settings = _settings(work / "scale")
    corpus = SyntheticCorpus([load_file(p) for p in sorted(ARTICLES_DIR.glob("*.md"))])
    real_emb = build_embeddings(settings)
    emb = DerivedEmbeddings(real_emb, corpus)
    real_spent = time_embedding(real_emb)  # read as a difference around each real-embedder batch
    store = open_store(settings, cast("VectorEmbeddings", emb))  # vectors derived from the seeds' real ones
    ing = Ingester(store)
    steps: list[dict[str, Any]] = []
    next_id = 0
    for size in args.sizes:
        t0, chunks0, art0 = time.perf_counter(), store.count(), next_id
        per_batch: list[float] = []
        while store.count() < size:
            tb = time.perf_counter()
            ing.ingest_articles(corpus.articles(next_id, next_id + 64), IngestReport())
            next_id += 64
            per_batch.append((time.perf_counter() - tb) / 64)
        wall = time.perf_counter() - t0
        n_art, n_chunks = next_id - art0, store.count() - chunks0
        # then one batch with the real embedder (not in the step's throughput; in its index)
        real = _real_embedder_batch(store, ing, list(corpus.articles(next_id, next_id + REAL_BATCH)), real_emb,
                                    real_spent)
        next_id += REAL_BATCH
        ts = time.perf_counter()
        snapshot_built = store.lexical.refresh_snapshot(wait=True)  # as `rnkbot ingest` does after a run
        snapshot_s = time.perf_counter() - ts
        k = max(1, len(per_batch) // 10)
        steps.append({"size": size, "chunks": store.count(), "articles": next_id, "new_articles": n_art,
                      "wall_s": round(wall, 2), "articles_per_s": round(n_art / wall, 2) if wall else None,
                      "chunks_per_s": round(n_chunks / wall, 1) if wall else None,
                      "s_per_article_first_10pct": round(statistics.mean(per_batch[:k]), 4) if per_batch else None,
                      "s_per_article_last_10pct": round(statistics.mean(per_batch[-k:]), 4) if per_batch else None,
                      "build_peak_rss_mb": round(_rss_mb()),
                      "lexical_snapshot_s": round(snapshot_s, 2) if snapshot_built else None,
                      "real_embedder": real})
        probe = _child("scale_probe", work, args, extra=["--probe-size", str(size)])
        steps[-1].update(probe)
        print(f"  scale {size}: {steps[-1]}", file=sys.stderr, flush=True)
    return {"steps": steps, "synthetic": True}


REAL_BATCH = 32  # articles ingested with the real embedder after each step


def _real_embedder_batch(store: Any, ing: Any, articles: list, real: VectorEmbeddings,
                         spent: dict[str, float]) -> dict[str, Any]:
    """One batch of articles ingested with the real embedder (whose time ``spent`` adds up:
    :func:`~bot.bench.common.time_embedding`) into the index as it now is: the issue's "no slower
    per article at 10k articles than at 100" measured directly, the store's part being what the
    embedder's own time leaves."""
    from retrieval.index.ingest import IngestReport

    derived, store.embeddings = store.embeddings, real
    before = spent["s"]
    try:
        t0 = time.perf_counter()
        ing.ingest_articles(articles, IngestReport())
        wall = time.perf_counter() - t0
    finally:
        store.embeddings = derived
    n, embed_s = len(articles), spent["s"] - before
    return {"articles": n, "s_per_article": round(wall / n, 4), "embed_s_per_article": round(embed_s / n, 4),
            "store_s_per_article": round((wall - embed_s) / n, 4)}


def section_scale_probe(work: Path, args: argparse.Namespace) -> dict:
    """A fresh process holding the whole service (embedder, model, index) at this size."""
    from retrieval.answering.question import FORM_WORDS
    from retrieval.service import AnswerService
    from retrieval.text.lexicon import concepts

    svc = AnswerService.build(_settings(work / "scale", llm=_llm(args)))
    r = svc.retriever
    vecs = [svc.store.embeddings.query_vector(q) for q in SCALE_QUESTIONS]
    r.retrieve(SCALE_QUESTIONS[0], vecs[0])  # first use opens the segments
    lat: list[float] = []
    reads: list[float] = []
    n = 0
    for q, v in zip(SCALE_QUESTIONS, vecs, strict=True):
        t0 = time.perf_counter()
        hits = r.retrieve(q, v)
        t1 = time.perf_counter()
        svc.store.sentences_of(list(dict.fromkeys(h.chunk.doc_id for h in hits)))
        n = r.stats.n_docs()
        for c in concepts(q, exclude=FORM_WORDS, group_names=True):
            r.stats.doc_freq(c)
        reads.append(time.perf_counter() - t1 + (t1 - t0))
        lat.append(t1 - t0)
    return {"retrieve_s": _stats(lat), "retrieve_and_reads_s": _stats(reads), "n_docs": n, "probe_peak_rss_mb": round(_rss_mb())}
