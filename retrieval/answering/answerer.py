"""From a question to a cited answer (or an honest refusal), evidence first.

1. Retrieve chunks (hybrid), take their articles' sentences.
2. Pick the evidence passage(s) that answer the question (:mod:`retrieval.answering.evidence`);
   refuse when none does.
3. The model phrases an answer from the numbered evidence; it cites opaque numbers.
4. Every sentence is verified against the evidence it cites (:mod:`retrieval.answering.verify`);
   unsupported sentences and unknown citations are dropped.
5. When nothing survives, the answer quotes the evidence, with outlet and date, in a
   frame in the user's language. Citations are resolved from what the answer cites.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prompts import message, template
from retrieval.answering.evidence import Analysis, Candidate, EvidenceSelector, analyze, answer_tokens
from retrieval.answering.verify import MARKER, verify
from retrieval.index.search import HybridRetriever
from retrieval.index.store import ChunkStore
from retrieval.models.llm import Generator, LLMError
from retrieval.settings import Settings
from retrieval.text import detect_language, tokens
from retrieval.text.lexicon import Matcher, concepts
from retrieval.types import Answer, Citation, Language, RetrievedRef, Timings, Turn

log = logging.getLogger(__name__)

FOLLOW_UP_WORDS = frozenset("that it this those these then there itu ini tersebut sana begitu dia ia mereka".split())


def _source_label(c: Candidate, language: str) -> str:
    meta = c.meta
    if not meta.outlet:
        return message(language, "unknown_outlet", title=meta.title)
    if meta.published:
        return message(language, "source_with_date", outlet=meta.outlet, date=meta.published_date)
    return meta.outlet


class Answerer:
    def __init__(self, settings: Settings, retriever: HybridRetriever, store: ChunkStore, generator: Generator | None) -> None:
        self.settings = settings
        self.retriever = retriever
        self.store = store
        self.generator = generator
        self.selector = EvidenceSelector()

    # --- the pipeline --------------------------------------------------------------
    def answer(
        self,
        question: str,
        *,
        history: list[Turn],
        language: Language | None = None,
        on_partial: Callable[[str], None] | None = None,
    ) -> Answer:
        t0 = time.perf_counter()
        question = " ".join(question.split())
        lang: Language = language or detect_language(question)
        if not question:
            return Answer(question=question, language=lang, answer=message(lang, "empty"), refused=True)
        if len(question) > self.settings.answering.max_question_chars:
            question = question[: self.settings.answering.max_question_chars].rsplit(" ", 1)[0]

        search_text = self._with_context(question, history)
        qvec = self.store.embeddings.query_vector(search_text)
        retrieved = self.retriever.retrieve(search_text, qvec)
        doc_ids = list(dict.fromkeys(r.chunk.doc_id for r in retrieved))
        sentences = self.store.sentences_of(doc_ids)
        # retrieve() has just refreshed the retriever's corpus view; its per-article stems are current
        analysis = analyze(search_text, self.retriever.doc_stems, asked=question)
        ranked = self.selector.candidates(analysis, qvec, retrieved, sentences)
        chosen = self.selector.select(analysis, ranked, self.settings.answering.evidence_k)
        t1 = time.perf_counter()
        refs = [RetrievedRef(doc_id=r.chunk.doc_id, chunk_id=r.chunk.chunk_id, score=r.score) for r in retrieved]
        if ranked:
            best = ranked[0]
            log.debug("best passage %s cov=%.2f type=%s dense=%.3f",
                      best.rows[0].sentence_id, best.coverage, best.type_ok, best.dense)

        if not chosen:
            key = "off_topic" if not analysis.concepts or not ranked or ranked[0].coverage == 0 else "refusal"
            return Answer(
                question=question, language=lang, answer=message(lang, key), refused=True, retrieved=refs,
                timings=Timings(retrieve_s=round(t1 - t0, 4), total_s=round(time.perf_counter() - t0, 4)),
            )

        text, cited = self._phrase(question, lang, analysis, chosen, on_partial)
        t2 = time.perf_counter()
        citations = [
            Citation(n=n, doc_id=c.meta.doc_id, title=c.meta.title, outlet=c.meta.outlet, published=c.meta.published_iso,
                     url=c.meta.url, quote=c.text)
            for n, c in cited
        ]
        return Answer(
            question=question, language=lang, answer=text, refused=False, citations=citations, retrieved=refs,
            timings=Timings(retrieve_s=round(t1 - t0, 4), generate_s=round(t2 - t1, 4), total_s=round(t2 - t0, 4)),
        )

    # --- steps ---------------------------------------------------------------------
    def _with_context(self, question: str, history: list[Turn]) -> str:
        """A follow-up ("and when was that?") is searched together with the question it follows."""
        if not history:
            return question
        words = {w.lower() for w in tokens(question)}
        if len(words) <= 8 or words & FOLLOW_UP_WORDS:
            return f"{history[-1].question} {question}"
        return question

    def _phrase(
        self, question: str, lang: str, analysis: Analysis, chosen: list[Candidate], on_partial: Callable[[str], None] | None
    ) -> tuple[str, list[tuple[int, Candidate]]]:
        numbered = list(enumerate(chosen, start=1))
        evidence = {n: c.text for n, c in numbered}
        if self.generator is not None:
            try:
                raw = self._generate(question, lang, numbered, on_partial)
            except LLMError as exc:
                log.warning("model failed, quoting the evidence instead: %s", exc)
                raw = ""
            kept = [c for c in verify(raw, evidence, question, lang) if c.ok]
            kept = [c for c in kept if self._answers(analysis, c.text, [chosen[k - 1] for k in c.keys])]
            if kept:
                text = " ".join(c.text for c in kept)
                used = sorted({k for c in kept for k in c.keys})
                return self._renumber(text, [(n, c) for n, c in numbered if n in used])
            log.debug("no generated sentence survived verification: %r", raw)
        # Compose from the evidence itself.
        parts = [
            message(lang, "quote_frame", source=_source_label(c, lang), quote=c.text, n=n) for n, c in numbered
        ]
        return " ".join(parts), numbered

    @staticmethod
    def _answers(analysis: Analysis, text: str, cited: list[Candidate]) -> bool:
        """The phrased sentence must carry the answer the evidence holds (the author's name for
        "who wrote", the day for "which day"), in either language, not just restate the topic."""
        found = [t for c in cited for t in answer_tokens(analysis.qtype, c.text, analysis, c.meta.title)]
        if not found:
            return False
        m = Matcher(" ".join(found))
        return any(m.has(c) for c in concepts(MARKER.sub("", text)))

    @staticmethod
    def _renumber(text: str, used: list[tuple[int, Candidate]]) -> tuple[str, list[tuple[int, Candidate]]]:
        mapping = {old: new for new, (old, _) in enumerate(used, start=1)}
        text = MARKER.sub(lambda m: f"[{mapping[int(m.group(1))]}]", text)
        return text, [(mapping[old], c) for old, c in used]

    def _generate(self, question: str, lang: str, numbered: list[tuple[int, Candidate]], on_partial) -> str:
        gen = self.generator
        assert gen is not None, "_phrase calls _generate only when there is a model"
        evidence_block = "\n".join(f"[{n}] {c.text}" for n, c in numbered)
        max_tokens = self.settings.llm.max_tokens
        if gen.style == "chat":
            system = template("answer.chat").format(
                language_name=message(lang, "language_name"), not_found=message(lang, "not_found"),
                evidence=evidence_block,
            )
            return gen.chat(system, question, max_tokens=max_tokens, on_text=on_partial)
        prompt = template(f"answer.{lang}").replace("{evidence}", evidence_block).replace("{question}", question)
        return gen.complete(prompt, stop=["\n\n", "\nBukti", "\nEvidence", "\nPertanyaan", "\nQuestion"],
                            max_tokens=max_tokens, on_text=on_partial)

