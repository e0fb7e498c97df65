"""From a question to a cited answer (or an honest refusal), evidence first.

1. The question is read once (:mod:`retrieval.answering.question`).
2. Retrieve chunks (hybrid); their articles' sentences are the candidate passages.
3. The evidence model picks the passage(s) that answer, or decides that none does
   (:mod:`retrieval.answering.evidence`); where it hesitates, a capable model may read the
   likeliest few and name the one that answers (opt-in, :mod:`retrieval.answering.read`).
4. The answer is composed from the evidence (:mod:`retrieval.answering.compose`): a direct
   answer when the question asks for a date, number or name, then the quote with its citation;
   the model may phrase it, and every sentence it writes is verified against the evidence it
   cites (:mod:`retrieval.answering.verify`). Citations are resolved from what the answer cites.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from prompts import closest_report, inner_quotes, message, quotable
from retrieval.answering.compose import article_language, compose, source_label
from retrieval.answering.evidence import answer_mask, article_views, as_evidence, choose, closest, quoted_pick, score
from retrieval.answering.features import Passage
from retrieval.answering.model import EvidenceModel, load_model
from retrieval.answering.question import Question, parse_question
from retrieval.answering.read import read
from retrieval.answering.replies import language_asked
from retrieval.index.records import article_meta
from retrieval.index.search import HybridRetriever
from retrieval.index.store import ChunkStore
from retrieval.index.topic import TopicFilter
from retrieval.models.llm import Generator, LLMError
from retrieval.settings import Settings
from retrieval.types import (
    Answer,
    ArticleMeta,
    Citation,
    Closest,
    Evidence,
    Language,
    RetrievedChunk,
    RetrievedRef,
    Timings,
    Turn,
)

log = logging.getLogger(__name__)
# How much of an article a reply asking what it says is shown: its opening, as a news lead tells it.
LEAD_SENTENCES = 2


class Answerer:
    def __init__(self, settings: Settings, retriever: HybridRetriever, store: ChunkStore, generator: Generator | None,
                 model: EvidenceModel | None = None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.store = store
        self.generator = generator
        self._model = model
        self.topic = TopicFilter(store.embeddings, settings.topic)
        if settings.answering.reader and (generator is None or generator.style != "chat"):
            log.warning("RNKBOT_READER is set but the model %s: the reader stays off (it needs an instruction-tuned "
                        "model with RNKBOT_LLM_PROMPT_STYLE=chat, or a server)",
                        "is off" if generator is None else "takes completion prompts")

    @property
    def model(self) -> EvidenceModel:
        """The fitted evidence model (read on first use: parsing and retrieval don't need it)."""
        if self._model is None:
            self._model = load_model()
        return self._model

    # --- steps ---------------------------------------------------------------------
    def parse(self, text: str, *, history: list[Turn], language: Language | None,
              min_docs: int | None = None) -> Question:
        """``min_docs``: the corpus size document frequencies are read at (default: the evidence
        model's ``corpus_docs``; training passes 1, the corpus as it is)."""
        self.retriever.refresh()
        return parse_question(
            text, stats=self.retriever.stats, embed=self.store.embeddings.query_vector,
            max_chars=self.settings.answering.max_question_chars, history=history, language=language,
            min_docs=self.model.corpus_docs if min_docs is None else min_docs,
        )

    def retrieve(self, q: Question, k: int | None = None) -> list[RetrievedChunk]:
        """The question's best chunks: ``k``, else the setting, else as many as the evidence model was fit with."""
        return self.retriever.retrieve(q.search_text, q.vector, k or self.settings.answering.retrieve_k or self.model.retrieve_k)

    # --- the pipeline --------------------------------------------------------------
    def answer(
        self,
        question: str,
        *,
        history: list[Turn],
        language: Language | None = None,
        on_partial: Callable[[str], None] | None = None,
    ) -> Answer:
        if history and (asked := language_asked(question)) is not None:
            # "and in English?": the question just answered, again, in that language
            return self.answer(history[-1].question, history=history[:-1], language=asked, on_partial=on_partial)
        t0 = time.perf_counter()
        q = self.parse(question, history=history, language=language)
        answer = self._answer(q, t0, language, on_partial)
        if answer.refused and q.follows is not None and not q.points_back and answer.retrieved:
            # Read as a follow-up only for saying little ("Berapa tentara Korea Utara yang dikirim ke
            # Rusia?" after an answer about a bridge), and nothing there answers it: it is asked
            # again as a question of its own, and that reading stands if it finds an answer.
            alone = self._answer(self.parse(question, history=[], language=language), t0, language, on_partial)
            if not alone.refused:
                return alone
        if q.follows is not None:
            answer = answer.model_copy(update={"read_as": q.search_text})
        return answer

    def _answer(self, q: Question, t0: float, language: Language | None,
                on_partial: Callable[[str], None] | None) -> Answer:
        if q.empty:
            return Answer(question=q.text, language=q.language, answer=message(q.language, "empty"), refused=True)
        if (courtesy := q.courtesy) is not None:  # "hi", "terima kasih": said back, in the reader's language
            key, said = courtesy
            reply = language or said
            return Answer(question=q.text, language=reply, answer=message(reply, key), refused=True)
        replied_to = q.follows.answer if q.follows is not None else None
        if replied_to is not None and replied_to.refused and q.asks_what_it_says:
            return self._after_refusal(q, replied_to, t0, on_partial)
        retrieved = self.retrieve(q)
        refs = [RetrievedRef(doc_id=r.chunk.doc_id, chunk_id=r.chunk.chunk_id, score=r.score) for r in retrieved]
        doc_ids = list(dict.fromkeys(r.chunk.doc_id for r in retrieved))
        before = replied_to.citations if replied_to is not None else []
        followed = list(dict.fromkeys(c.doc_id for c in before))
        metas = {c.doc_id: self._article(c) for c in before}
        views = article_views(retrieved, self.store.sentences_of(list(dict.fromkeys(followed + doc_ids))),
                              first=followed, metas=metas, topic=self.topic)
        ps, probs = score(self.model, q, views)
        chosen, why = choose(self.model, q, ps, probs, k=self.settings.answering.evidence_k)
        t1 = time.perf_counter()
        if probs.size:
            top = int(probs.argmax())
            log.debug("best passage %s p=%.3f (threshold %.3f)", ps[top].sentence.sentence_id, probs[top],
                      self.model.threshold)
        if not chosen and why == "refusal" and (chosen := self._read(q, ps, probs)):
            answer = self._composed(q, chosen, refs, t0, t1, on_partial)
            return answer.model_copy(update={"reader": True})
        if not chosen:
            near = closest(ps, probs, why, self.model.pointer, mask=answer_mask(q, ps) if ps else None)
            text, pointer = message(q.language, why), None
            if near is not None:  # the article nearest to an answer, for the reader to look into
                meta = near.article.meta
                pointer = _closest(meta).model_copy(update={"quote": " ".join(s.text for s in quoted_pick(near, 0).quoted)})
                text += " " + closest_report(q.language, pointer.language, title=inner_quotes(meta.title),
                                             source=f" — {source_label(meta, q.language)}" if meta.outlet else "")
                text += " " + message(q.language, "closest_says", quote=quotable(pointer.quote or ""))
            return Answer(
                question=q.text, language=q.language, answer=text, refused=True, retrieved=refs, closest=pointer,
                timings=Timings(retrieve_s=round(t1 - t0, 4), total_s=round(time.perf_counter() - t0, 4)),
            )
        return self._composed(q, chosen, refs, t0, t1, on_partial)

    def _read(self, q: Question, ps: list[Passage], probs: np.ndarray) -> list[Evidence]:
        """The evidence a capable model reads as answering where the evidence model refused
        (:mod:`retrieval.answering.read`; only with ``RNKBOT_READER`` and a chat-style model): the
        refusal stands when it names none, or fails."""
        if not self.settings.answering.reader or self.generator is None or self.generator.style != "chat":
            return []
        try:
            found = read(self.generator, q, ps, probs, floor=self.model.pointer, n=self.settings.answering.reader_passages)
        except LLMError as exc:
            log.warning("the reader could not read (%s); refusing as the evidence model decided", exc)
            return []
        return as_evidence([found]) if found is not None else []

    def _composed(self, q: Question, chosen: list[Evidence], refs: list[RetrievedRef], t0: float, t1: float,
                  on_partial: Callable[[str], None] | None) -> Answer:
        composed = compose(q, chosen, self.generator, max_tokens=self.settings.llm.max_tokens, on_partial=on_partial,
                           phrase=self.settings.answering.phrase)
        t2 = time.perf_counter()
        citations = [
            Citation(n=n, doc_id=e.article.doc_id, title=e.article.title, outlet=e.article.outlet,
                     published=e.article.published_iso, url=e.article.url, quote=e.text)
            for n, e in composed.cited
        ]
        return Answer(
            question=q.text, language=q.language, answer=composed.text, refused=False, citations=citations,
            retrieved=refs, direct=composed.direct,
            confidence=chosen[0].probability,
            timings=Timings(retrieve_s=round(t1 - t0, 4), generate_s=round(t2 - t1, 4), total_s=round(t2 - t0, 4)),
        )

    def _after_refusal(self, q: Question, before: Answer, t0: float,
                       on_partial: Callable[[str], None] | None) -> Answer:
        """A reply to a refusal asking only "what does it say?": the opening of the article the
        refusal named as the closest report, quoted and cited (it answers what was asked now:
        what that report says). With no report named there is nothing more to say, and the
        refusal stands, rather than the reply's few words finding an answer the question didn't."""
        near = before.closest
        lead = [s for s in self.store.sentences_of([near.doc_id]) if s.index >= 0][:LEAD_SENTENCES] if near else []
        t1 = time.perf_counter()
        if near is None or not lead:
            return Answer(question=q.text, language=q.language, answer=message(q.language, "refusal"), refused=True,
                          timings=Timings(retrieve_s=round(t1 - t0, 4), total_s=round(t1 - t0, 4)))
        evidence = Evidence(key=1, article=self._article(near), focus=lead[0], sentences=tuple(lead), probability=None)
        return self._composed(q, [evidence], [], t0, t1, on_partial)  # nothing was searched for

    def _article(self, c: Citation | Closest) -> ArticleMeta:
        """The article an earlier answer cited, or a refusal named, as the index holds it (its
        language included: an answer quoting it says so when it is not the reader's); what the
        citation says of it when the index no longer does."""
        record = self.store.article_record(c.doc_id)
        if record is not None:
            return article_meta(record)
        return ArticleMeta(doc_id=c.doc_id, title=c.title, outlet=c.outlet, published=c.published, url=c.url)


def _closest(meta: ArticleMeta) -> Closest:
    return Closest(doc_id=meta.doc_id, title=meta.title, outlet=meta.outlet, published=meta.published_iso, url=meta.url,
                   language=article_language(meta, meta.title))
