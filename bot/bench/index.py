"""The bench's **index** section: the seeds plus ``realdev``'s pages ingested with the real
embedder (articles and chunks a second, ingestion's time over the embedder's own).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from bot.bench.common import _realdev_articles, _settings, time_embedding


def section_index(work: Path, args: argparse.Namespace) -> dict:
    """The realistic index, built with the real embedder."""
    from retrieval.service import AnswerService

    svc = AnswerService.build(_settings(work / "realdev", llm={"model": args.model}), with_llm=False)
    spent = time_embedding(svc.store.embeddings)
    t0 = time.perf_counter()
    report = svc.ingester().ingest_paths(_realdev_articles(args.realdev))
    wall = time.perf_counter() - t0
    n = len(report.added) + len(report.updated)
    return {"articles": n, "chunks": svc.store.count(), "texts_embedded": int(spent["texts"]), "wall_s": round(wall, 2),
            "embedder_s": round(spent["s"], 2), "ratio_to_embedder": round(wall / max(spent["s"], 1e-9), 3),
            "articles_per_s": round(n / wall, 3), "chunks_per_s": round(svc.store.count() / wall, 2)}
