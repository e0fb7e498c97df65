"""Evidence first: pick the passages that answer the question, or decide that none does.

1. The retrieved chunks name the candidate articles; every sentence of those articles is a
   candidate passage (:mod:`retrieval.answering.features` describes each with numbers).
2. The evidence model (:mod:`retrieval.answering.model`, fit on labelled questions) gives each a
   probability of answering the question.
3. The best passage answers when its probability reaches the model's threshold; passages from
   other articles that are nearly as likely (the companion threshold) are cited beside it, so
   reports that agree, or disagree, are all shown.
4. A question that tries to instruct the bot, or whose best passage comes from an article that
   is not about the topic, is refused. A "how many" question is answered only by passages holding
   a number of the kind asked, a "what is the name of X?" question only by passages naming X
   (:func:`that_can_answer`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.answering.amounts import has_amount
from retrieval.answering.features import ANAPHORA, ArticleView, Passage, matrix, passages
from retrieval.answering.model import EvidenceModel
from retrieval.answering.naming import asked_thing, names_the_thing
from retrieval.answering.question import Question, identity_name
from retrieval.answering.replies import referent_words
from retrieval.index.topic import TopicFilter
from retrieval.text import fold, tokens
from retrieval.text.lexicon import Concept, matcher_of
from retrieval.types import ArticleMeta, Evidence, RetrievedChunk, Sentence


def article_views(retrieved: list[RetrievedChunk], sentences: Iterable[Sentence], *,
                  first: list[str] | None = None, metas: dict[str, ArticleMeta] | None = None,
                  topic: TopicFilter | None = None) -> list[ArticleView]:
    """The retrieved articles, best first, each with all its sentences. ``first`` (the articles a
    follow-up's previous answer cited) go before them, with ``metas`` from the store when needed.
    With ``topic``, each article is judged on topic or not (from its lead's vector: no embedding)."""
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
    views = [ArticleView(metas[d], by_doc[d], order[d], dense[d]) for d in order if by_doc[d] and d in metas]
    if topic is not None:
        for v in views:
            vec = v.lead_vector()
            if vec.size:
                v.on_topic = topic.decide(v.meta.title, v.body, vec).on_topic
                v.topic_margin = topic.margin(v.meta.title, v.body, vec)
    return views


@dataclass(frozen=True)
class Pick:
    """A chosen passage: its article, the sentence the model liked best, and what is quoted."""

    passage: Passage
    probability: float
    quoted: tuple[Sentence, ...]

    @property
    def doc_id(self) -> str:
        return self.passage.article.meta.doc_id


# A sentence that goes on about the one before it: it opens with a pronoun, or with an Indonesian
# noun phrase that points back ("Dokumen tersebut ...", "Kunjungan itu ...").
POINTS_BACK = re.compile(r"^(\S+\s+){1,2}(tersebut|itu)\b", re.IGNORECASE)


def _context(p: Passage, *, following: bool = True) -> list[Sentence]:
    """The passage, with the sentence before it when the passage opens with a pronoun or a
    reference ("Ia menegaskan...", "The treaty...") that the one before explains, and (with
    ``following``) the sentence after it when that one goes on about it ("... a Russian military
    ID card." "Dokumen tersebut menunjukkan ... profesi sipilnya (penjahit)."). Replayed out of
    fold on the training questions, quoting the sentence after such a passage made 3 more of 285
    answerable ones right (0.544 -> 0.556 under nested cross-validation), refusals unchanged."""
    prev, nxt = p.previous, p.next
    quoted = [prev, p.sentence] if prev is not None and ANAPHORA.match(p.sentence.text) else [p.sentence]
    if following and nxt is not None and (ANAPHORA.match(nxt.text) or POINTS_BACK.match(nxt.text)):
        quoted.append(nxt)
    return quoted


def quoted_pick(p: Passage, probability: float) -> Pick:
    """One passage as evidence on its own: the sentence with what it needs around it (:func:`_context`)."""
    return Pick(p, probability, tuple(_context(p)))


def as_evidence(picks: list[Pick]) -> list[Evidence]:
    """Picks as numbered evidence for composing an answer (1 the best)."""
    return [Evidence(key=n, article=p.passage.article.meta, focus=p.passage.sentence, sentences=p.quoted,
                     probability=p.probability) for n, p in enumerate(picks, start=1)]


def pick(ps: list[Passage], probs: np.ndarray, *, threshold: float, companion: float, same_article: float = 0.5,
         same_article_max: int = 1, k: int = 3) -> list[Pick]:
    """The evidence an answer quotes, best first; empty when even the best passage is below ``threshold``.

    The best passage, with up to ``same_article_max`` more sentences of its article (the most likely
    first, quoted in the article's order) that are at least ``same_article`` times as likely: the
    sentence that restates the question and the ones near it that answer often share the
    probability, and a quote of a few sentences holds the answer far more often than the one the
    model liked best; then, from other articles, passages at least ``companion`` likely (reports
    that agree or disagree), up to ``k`` articles."""
    if not ps or probs.size == 0:
        return []
    order = np.argsort(-probs, kind="stable")
    best = int(order[0])
    if probs[best] < threshold:
        return []
    top = ps[best]
    quoted = _context(top)
    added = 0
    for i in order[1:12]:
        if added >= same_article_max:
            break
        other = ps[int(i)]
        if other.article is top.article and probs[i] >= same_article * probs[best]:
            merged = {s.sentence_id: s for s in [*quoted, *_context(other)]}
            quoted = sorted(merged.values(), key=lambda s: s.index)
            added += 1
    chosen = [Pick(top, float(probs[best]), tuple(quoted))]
    docs = {chosen[0].doc_id}
    for i in order[1:]:
        if len(chosen) >= k or probs[i] < companion:
            break
        other = ps[int(i)]
        if other.article.meta.doc_id in docs:
            continue
        chosen.append(quoted_pick(other, float(probs[i])))
        docs.add(other.article.meta.doc_id)
    return chosen


def can_answer(q: Question, chosen: Pick) -> bool:
    """Can this pick answer the question (:func:`answer_mask`'s test of its passage: an amount of
    the kind asked for "how many", a name of the thing for "what is the name of X?", X named in full
    for "who is X?")? For a pick made outside :func:`choose`, such as the reader's."""
    return bool(answer_mask(q, [chosen.passage])[0])


def asks_an_amount(q: Question) -> bool:
    """A "how many / how much" question (not a finer shape of number: a duration, a clause...)."""
    return q.qtype == "number" and q.shape is None


def that_can_answer(q: Question, ps: list[Passage], probs: np.ndarray,
                    mask: np.ndarray | None = None) -> tuple[list[Passage], np.ndarray]:
    """The candidates that can answer the question, with their probabilities (:func:`answer_mask`):
    the likeliest of them answers, rather than the question being refused because a likelier passage
    about the thing holds no answer of the kind asked ("Berapa pasal ...?": the sentence saying the
    treaty has 23 articles, below one about KCNA reporting the treaty). ``mask``: :func:`answer_mask`
    of these candidates, when already read (training replays it)."""
    keep = np.flatnonzero(answer_mask(q, ps) if mask is None else mask)
    return ([ps[i] for i in keep], probs[keep]) if len(keep) < len(ps) else (ps, probs)


def answer_mask(q: Question, ps: list[Passage]) -> np.ndarray:
    """Which candidates can answer, in the sentence or what is quoted with it: for a "how many / how
    much" question those holding a number of the kind asked (a count of things, in figures or words,
    or money for a cost, a length for how far...: :func:`~retrieval.answering.amounts.has_amount`;
    the bridge's length is no answer to its cost, nor the distance a train travels to how many rode
    it), for a "what is the name of X?" question those giving X a name
    (:func:`~retrieval.answering.naming.names_the_thing`), for a "who is X?" question those naming X
    in full (:func:`names_in_full`); every candidate for other questions."""
    if asks_an_amount(q):
        return np.array([any(has_amount(s.text, q) for s in _context(p)) for p in ps], dtype=bool)
    if thing := asked_thing(q):
        return np.array([any(names_the_thing(q, s.text, thing) for s in _context(p)) for p in ps], dtype=bool)
    if named := identity_name(q):
        return np.array([names_in_full(named, p) for p in ps], dtype=bool)
    return np.ones(len(ps), dtype=bool)


def names_in_full(named: frozenset[str], p: Passage) -> bool:
    """Does the passage (with what is quoted with it) name the person a "who is X?" question asks
    about in full? Articles name a person once, then by one name, and "Kim" or "Jong" alone is as
    much Kim Jong Un as Kim Yo Jong."""
    return named <= {fold(t) for s in _context(p) for t in tokens(s.text)}


def score(model: EvidenceModel, q: Question, articles: list[ArticleView]) -> tuple[list[Passage], np.ndarray]:
    """Every candidate passage with the model's probability that it answers the question."""
    ps = passages(q, articles)
    return ps, (model.probabilities(matrix(ps, model.features)) if ps else np.zeros(0))


def refusal_reason(q: Question, ps: list[Passage]) -> str:
    """Why a question gets no answer, as the message key of its refusal: it instructs the bot
    (``instruction``), no candidate article touches it (``off_topic``), or they touch it and none
    answers (``refusal``)."""
    if q.instruction:
        return "instruction"
    if not ps or not q.concepts:
        return "off_topic"
    return "refusal" if any(p.features.get("cov_doc", 0.0) > 0 for p in ps) else "off_topic"


def closest(ps: list[Passage], probs: np.ndarray, why: str, floor: float,
            mask: np.ndarray | None = None) -> Passage | None:
    """The passage whose article a refusal names as the closest report: the most likely one, when
    the question was refused for want of an answer (``why``, :func:`refusal_reason`: not an
    instruction to the bot, nor a question no article touches), that passage is at least ``floor``
    likely (the evidence model's fitted ``pointer``) and its article is about the subject (the
    topic filter's: a recipe in the index is no report to point a question about Kim's favourite
    food at). A quarter of the answerable training questions are refused, and for two in three of
    those the most likely article is one that answers: better read than a dead end.

    With ``mask`` (:func:`answer_mask`: those holding an amount for "how many", a name of the thing
    for "the name of X"...), the passage named and quoted is the likeliest of those when it is on the
    subject and clears ``floor`` itself: the sentence saying the treaty has 23 articles, not a
    likelier one about KCNA. Whether to name one at all is still the best passage's probability
    against ``floor``, as it was fit."""
    if why != "refusal" or probs.size == 0:
        return None
    best = int(np.argmax(probs))
    if probs[best] < floor:
        return None
    if mask is not None and mask.any() and not mask.all():
        kept = int(np.argmax(np.where(mask, probs, -1.0)))
        if probs[kept] >= floor and ps[kept].article.on_topic:
            return ps[kept]
    return ps[best] if ps[best].article.on_topic else None


def choose(model: EvidenceModel, q: Question, ps: list[Passage], probs: np.ndarray, *, k: int) -> tuple[list[Evidence], str]:
    """The evidence to answer from (best first), or ``([], reason)``: the message key of the refusal."""
    if q.instruction or not ps or not q.concepts:
        return [], refusal_reason(q, ps)

    def choice(candidates: list[Passage], p: np.ndarray) -> list[Pick]:
        return pick(candidates, p, threshold=model.threshold, companion=model.companion,
                    same_article=model.same_article, same_article_max=model.same_article_max, k=k)

    touched = ps  # what the articles say at all, for why a refusal refuses
    ps, probs = that_can_answer(q, ps, probs)
    picks: list[Pick] = []
    before = q.follows.answer.citations if q.follows and q.follows.answer else []
    if before:
        # a reply to an answer asks something new about the same thing, from the articles that answer
        # cited when they can say it; a sentence already quoted answers again only when it holds the
        # new kind of answer asked for ("and when was that?": the day in the same sentence)
        said = " ".join(c.quote for c in before)

        def holds_asked_kind(p: Passage) -> bool:
            return q.qtype in ("time", "number", "person", "place") and bool(p.features.get("type_ok"))

        def says_all(p: Passage, words: Iterable[Concept]) -> bool:
            context = matcher_of(" ".join(s.text for s in _context(p, following=False)))
            return all(context.has(c) for c in words)

        def says_own(p: Passage) -> bool:
            return says_all(p, q.own)

        # A day there is the day of what that sentence tells ("When did it enter into force?" is not
        # answered by the signing's June), so a "when" reply with words of its own needs them said;
        # a number or a name there is mostly about the same event ("How far is that city?": "about
        # 40 km from Vladivostok"): asking the same of those lost 3 of the 40 labelled replies
        # and a sentence quoted already that says every word the reply asks with answers it too
        # ("Which aircraft fires it?" after "... hypersonic Kinzhal, which is fired from MiG-31 fighter
        # jets"); the words naming what the reply points back to ask nothing ("Apa isi pasal tiga itu?")
        about = referent_words(q.text)
        asks = [c for c in q.own if not {fold(t) for t in tokens(c.surface)} <= about]
        fresh = [i for i, p in enumerate(ps)
                 if p.sentence.text not in said or (holds_asked_kind(p) and (q.qtype != "time" or says_own(p)))
                 or (q.qtype == "other" and asks and says_all(p, asks))]
        ps, probs = [ps[i] for i in fresh], probs[fresh]
        # the cited articles can say it when they hold the reply's own words somewhere, title
        # included: "kapan perjanjian itu mulai berlaku?" after an answer about a visit that
        # mentions the treaty is for the article that says when it entered into force
        followed = {c.doc_id for c in before}
        mine = [i for i, p in enumerate(ps)
                if p.article.meta.doc_id in followed and all(p.article.matcher.has(c) for c in q.own)]
        picks = choice([ps[i] for i in mine], probs[mine]) if mine else []
        typed = [i for i in mine if holds_asked_kind(ps[i])]
        if not picks and typed:
            # the earlier answer already found these articles to be about the thing asked; "kapan
            # itu?" has too few words of its own to clear the first question's threshold, so the
            # best of their sentences holding the asked kind of answer (a day, a number) answers
            # when it reaches the floor fit on labelled replies
            picks = pick([ps[i] for i in typed], probs[typed], threshold=model.reply_floor, companion=model.companion,
                         same_article=model.same_article, same_article_max=model.same_article_max, k=1)
        if not picks:
            # from any article: the reply's own words say what is new ("what does that treaty
            # *require*?"), so a passage expressing all of them answers before one that only shares
            # the earlier question's names and date
            full = [i for i, p in enumerate(ps) if says_own(p)] if q.own else []
            picks = choice([ps[i] for i in full], probs[full]) if full else []
    picks = picks or choice(ps, probs)
    if not picks:
        return [], refusal_reason(q, touched)
    return as_evidence(picks), ""
