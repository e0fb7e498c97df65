"""Evidence first: pick the passages that answer the question, or decide that none does.

1. The retrieved chunks name the candidate articles; every sentence of those articles is a
   candidate passage (:mod:`retrieval.answering.features` describes each with numbers).
2. The evidence model (:mod:`retrieval.answering.model`, fit on labelled questions) gives each a
   probability of answering the question.
3. The best passage answers when its probability reaches the model's threshold; passages from
   other articles that are nearly as likely (the companion threshold) are cited beside it, so
   reports that agree, or disagree, are all shown.
4. A question that tries to instruct the bot, or whose best passage comes from an article that
   is not about the topic, is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.answering.features import ANAPHORA, ArticleView, Passage, matrix, passages
from retrieval.answering.model import EvidenceModel
from retrieval.answering.question import Question
from retrieval.text.lexicon import Concept
from retrieval.types import ArticleMeta, Evidence, RetrievedChunk, Sentence


class StemDocumentFrequency:
    """Document frequencies from each article's set of word stems."""

    def __init__(self, doc_stems: dict[str, set[str]]) -> None:
        self._doc_stems = doc_stems

    def n_docs(self) -> int:
        return len(self._doc_stems)

    def doc_freq(self, concept: Concept) -> int:
        return sum(1 for st in self._doc_stems.values() if any(all(v & st for v in form) for form in concept.forms))


def article_views(retrieved: list[RetrievedChunk], sentences: Iterable[Sentence], *,
                  first: list[str] | None = None, metas: dict[str, ArticleMeta] | None = None) -> list[ArticleView]:
    """The retrieved articles, best first, each with all its sentences. ``first`` (the articles a
    follow-up's previous answer cited) go before them, with ``metas`` from the store when needed."""
    order: dict[str, int] = {}
    metas = dict(metas or {})
    dense: dict[str, float] = {}
    for doc_id in first or []:
        order.setdefault(doc_id, len(order))
        dense.setdefault(doc_id, 0.0)
    for r in retrieved:
        order.setdefault(r.chunk.doc_id, len(order))
        metas.setdefault(r.chunk.doc_id, r.meta)
        dense[r.chunk.doc_id] = max(dense.get(r.chunk.doc_id, 0.0), r.dense_score or 0.0)
    by_doc: dict[str, list[Sentence]] = {d: [] for d in order}
    for s in sentences:
        if s.doc_id in by_doc:
            by_doc[s.doc_id].append(s)
    return [ArticleView(metas[d], by_doc[d], order[d], dense[d]) for d in order if by_doc[d] and d in metas]


@dataclass(frozen=True)
class Scored:
    passage: Passage
    probability: float


def score(model: EvidenceModel, q: Question, articles: list[ArticleView]) -> list[Scored]:
    """Every candidate passage with its probability, most likely first."""
    ps = passages(q, articles)
    if not ps:
        return []
    probs = model.probabilities(matrix(ps, model.features))
    order = np.argsort(-probs, kind="stable")
    return [Scored(ps[i], float(probs[i])) for i in order]


def _context(p: Passage) -> tuple[Sentence, ...]:
    """The sentences to quote: the passage, with the one before it when the passage opens with a
    pronoun or a reference ("Ia menegaskan...", "The treaty...") that the one before explains."""
    prev = p.previous
    if prev is not None and ANAPHORA.match(p.sentence.text):
        return (prev, p.sentence)
    return (p.sentence,)


def choose(model: EvidenceModel, q: Question, scored: list[Scored], *, k: int) -> tuple[list[Evidence], str]:
    """The evidence to answer from (best first), or ``([], reason)``: the message key of the refusal."""
    if q.instruction:
        return [], "instruction"
    if not scored or not q.concepts:
        return [], "off_topic"
    best = scored[0]
    if best.probability < model.threshold:
        covered = any(s.passage.features.get("cov_doc", 0.0) > 0 for s in scored[:20])
        return [], "refusal" if covered else "off_topic"
    chosen = [best]
    docs = {best.passage.article.meta.doc_id}
    for s in scored[1:]:
        if len(chosen) >= k or s.probability < model.companion:
            break
        doc = s.passage.article.meta.doc_id
        if doc in docs:
            continue
        chosen.append(s)
        docs.add(doc)
    return [Evidence(key=n, article=s.passage.article.meta, focus=s.passage.sentence, sentences=_context(s.passage),
                     probability=s.probability) for n, s in enumerate(chosen, start=1)], ""
