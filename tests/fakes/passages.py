"""Articles and questions for the evidence step without an index: sentences that all share one
vector (so word features, not meaning, tell them apart) and corpus statistics where every word is
equally rare."""

from __future__ import annotations

import numpy as np

from retrieval.answering.features import ArticleView
from retrieval.answering.question import Question, parse_question
from retrieval.types import ArticleMeta, Sentence, Turn

FLAT = np.ones(4, dtype=np.float32) / 2  # the one vector of every sentence and question here


class FlatStats:
    """Document frequencies of a four-article corpus in which every word occurs once."""

    def n_docs(self) -> int:
        return 4

    def doc_freq(self, concept) -> int:
        return 1


def article_view(doc_id: str, texts: list[str], title: str | None = None, outlet: str | None = None) -> ArticleView:
    """A retrieved article of these sentences, in order, each with the same vector."""
    sents = [Sentence(f"{doc_id}:s{i}", doc_id, f"{doc_id}:c0", i, t, FLAT) for i, t in enumerate(texts)]
    return ArticleView(ArticleMeta(doc_id=doc_id, title=title or f"title {doc_id}", outlet=outlet), sents, rank=0,
                       dense=0.5)


def flat_question(text: str, history: list[Turn] | None = None) -> Question:
    """A question read against :class:`FlatStats`, with the same vector as the sentences."""
    return parse_question(text, stats=FlatStats(), embed=lambda t: FLAT, max_chars=200, history=history)
