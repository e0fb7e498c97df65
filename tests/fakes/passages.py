"""Articles and questions for the evidence step without an index: sentences that all share one
vector (so word features, not meaning, tell them apart) and corpus statistics where every word is
equally rare."""

from __future__ import annotations

import numpy as np

from retrieval.answering.features import ArticleView
from retrieval.types import ArticleMeta, Sentence


class FlatStats:
    """Document frequencies of a four-article corpus in which every word occurs once."""

    def n_docs(self) -> int:
        return 4

    def doc_freq(self, concept) -> int:
        return 1


def article_view(doc_id: str, texts: list[str], title: str | None = None, outlet: str | None = None) -> ArticleView:
    """A retrieved article of these sentences, in order, each with the same vector."""
    sents = [Sentence(f"{doc_id}:s{i}", doc_id, f"{doc_id}:c0", i, t, np.ones(4, dtype=np.float32) / 2)
             for i, t in enumerate(texts)]
    return ArticleView(ArticleMeta(doc_id=doc_id, title=title or f"title {doc_id}", outlet=outlet), sents, rank=0,
                       dense=0.5)
