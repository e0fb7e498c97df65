"""The daily digest: what is new in a time window, grouped by event, every line cited.

1. Articles published or ingested in the window (``since`` < t <= ``until``) that the topic
   filter passes — files added by path included: they stay searchable for questions, but an
   off-topic page is never a digest item.
2. Reports of the same event become one item (:mod:`retrieval.digest.events`).
3. Each item gets a summary that stands on its own (:mod:`retrieval.digest.summary`): the
   event's date, then the lead sentence that the most reports support and that names its
   actors (checked with :func:`retrieval.answering.verify.check_sentence`, the same check
   answers pass). The model may phrase it in the subscriber's language, kept only if supported
   by every source it cites; otherwise an English subscriber gets the actors and their roles in
   English and the original lead as the cited quote. Reports that do not support the summary
   are still listed ("also reported by"), and each item says how many outlets reported it.
4. The biggest events first (most outlets, then most reports, then the newest); at most
   ``RNKBOT_DIGEST_MAX_ITEMS`` items, the rest counted ("and K more reports: /digest all").
   Sources are numbered across the whole digest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from cachetools import LRUCache
from pydantic import BaseModel, Field

from prompts import message, outlet_name, quotable
from retrieval.answering.phrase import DIGEST_STOPS, evidence_block, phrase
from retrieval.answering.verify import MARKER, check_sentence, clean_generation
from retrieval.digest.events import ArticleProfile, Event, EventModel, group_events, load_event_model, profiles
from retrieval.digest.summary import actors_en, join_names, names_actor, render_when, starts_unresolved, strip_dateline
from retrieval.index.records import article_meta, ingested_time
from retrieval.index.store import ChunkStore
from retrieval.index.topic import TopicDecision, TopicFilter
from retrieval.models.llm import Generator, LLMError
from retrieval.settings import Settings
from retrieval.text import detect_language
from retrieval.types import Answer, ArticleMeta, Citation, Language, Sentence, Turn

log = logging.getLogger(__name__)
TOPIC_LEAD_SENTENCES = 5  # the lead whose vector the topic filter reads, as answering does (ArticleView.lead_vector)


class DigestItem(BaseModel):
    """One event: a cited summary and the numbers of its sources."""

    event_id: str
    summary: str = Field(description="The item's text with [n] markers (numbers of `Digest.citations`).")
    sources: list[int]
    latest: str = Field(description="ISO time of the item's most recent report (publication, else ingestion).")
    phrased: bool = Field(description="True when the model's phrasing passed verification; False: a quoted lead sentence.")
    outlets: int = Field(1, description="How many outlets reported the event.")
    reports: int = Field(1, description="How many articles reported it.")
    when: str | None = Field(None, description="The event's date (or first/last dates), ISO; null when none is known.")
    lead: str = Field("", description="The lead sentence the summary rests on, as the report wrote it; when not "
                      "`phrased`, the quote of the item's first source, the report it is taken from.")


class Digest(BaseModel):
    """What `rnkbot digest --json` prints and the bot renders."""

    language: Language
    since: str
    until: str
    items: list[DigestItem] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    articles: int = Field(0, description="New on-topic articles in the window (before the item cap).")
    more_items: int = Field(0, description="Events left out by the item cap (`/digest all`, `--all` shows them).")
    more_reports: int = Field(0, description="Articles of the events left out.")

    @property
    def empty(self) -> bool:
        return not self.items

    def turn(self, item: DigestItem) -> Turn:
        """The item as a remembered answer, so that a reply to it is a follow-up about the event:
        answered from its articles first, without repeating the sentences it quotes."""
        by_n = {c.n: c for c in self.citations}
        cites = [by_n[n].model_copy(update={"n": k}) for k, n in enumerate(item.sources, start=1) if n in by_n]
        local = {n: k for k, n in enumerate(item.sources, start=1)}
        text = MARKER.sub(lambda m: f"[{local.get(int(m.group(1)), m.group(1))}]", item.summary)
        answer = Answer(question=item.lead or text, language=self.language, answer=text, refused=False, citations=cites)
        return Turn(question=item.lead or MARKER.sub("", text), answer=answer)


@dataclass(frozen=True)
class NewArticle:
    meta: ArticleMeta
    seen_ts: float  # when it became news: publication time if known, else ingestion time
    ingested_ts: float
    content_hash: str


@dataclass(frozen=True)
class _Lead:
    """A candidate summary: one lead sentence, or two when the second opens with "he" or "the trip"."""

    text: str
    doc_id: str
    index: int
    vector: np.ndarray


@dataclass(frozen=True)
class _Summary:
    """An item before numbering: text with local markers 1..k, and the articles they stand for."""

    text: str
    cited: tuple[ArticleProfile, ...]
    quotes: tuple[str, ...]
    others: tuple[ArticleProfile, ...]
    phrased: bool
    lead: str


def _ts(dt: datetime) -> float:
    return dt.timestamp() if dt.tzinfo else dt.replace(tzinfo=UTC).timestamp()


def new_articles(store: ChunkStore, since: datetime, until: datetime) -> list[NewArticle]:
    """Articles published or ingested in ``(since, until]``."""
    lo, hi = _ts(since), _ts(until)
    out = []
    for md in store.article_records(since_ts=lo):
        ingested = ingested_time(md)
        published = md.get("published_ts")
        in_window = lo < ingested <= hi or (published is not None and lo < float(published) <= hi)
        if in_window:
            seen = float(published) if published is not None and float(published) <= hi else ingested
            out.append(NewArticle(article_meta(md), seen, ingested, str(md.get("content_hash", ""))))
    return out


def decide_topic(topic: TopicFilter, meta: ArticleMeta, sentences: Sequence[Sentence]) -> TopicDecision:
    """The topic filter's decision on a stored article, from its sentences and their vectors (no embedding)."""
    body = sorted((s for s in sentences if s.index >= 0), key=lambda s: s.index)
    if not body:
        return TopicDecision(False, 0.0, 0, 0, "no text")
    vec = np.mean([s.vector for s in body[:TOPIC_LEAD_SENTENCES]], axis=0)
    vec = vec / (np.linalg.norm(vec) or 1.0)
    return topic.decide(meta.title, " ".join(s.text for s in body), vec)


def _words(text: str) -> int:
    return len(MARKER.sub("", text).split())


def _size(event: Event, seen: dict[str, float]) -> tuple:
    return (event.outlets, len(event.articles), max(seen[d] for d in event.doc_ids), event.event_id)


class DigestBuilder:
    """Builds digests from the index. Not thread-safe by itself: the service serialises calls."""

    def __init__(self, settings: Settings, store: ChunkStore, generator: Generator | None,
                 event_model: EventModel | None = None) -> None:
        self.settings = settings
        self.store = store
        self.generator = generator
        self._event_model = event_model
        self.topic = TopicFilter(store.embeddings, settings.topic)
        self._cache: LRUCache[tuple, _Summary] = LRUCache(maxsize=settings.digest.cache_size)

    @property
    def event_model(self) -> EventModel:
        if self._event_model is None:
            self._event_model = load_event_model()
        return self._event_model

    def build(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest:
        """The digest of ``(since, until]``; ``everything``: no item cap."""
        fresh = new_articles(self.store, since, until)
        rows = self.store.sentences_of([a.meta.doc_id for a in fresh])
        by_doc: dict[str, list[Sentence]] = {}
        for r in rows:
            by_doc.setdefault(r.doc_id, []).append(r)
        fresh = [a for a in fresh if self._on_topic(a, by_doc.get(a.meta.doc_id, []))]
        seen = {a.meta.doc_id: a.seen_ts for a in fresh}
        hashes = {a.meta.doc_id: a.content_hash for a in fresh}
        anchors = {a.meta.doc_id: datetime.fromtimestamp(a.ingested_ts, tz=UTC) for a in fresh}
        rules = self.settings.digest
        model = self.event_model
        events = group_events(profiles([a.meta for a in fresh], rows, model, anchors), model, rules.event_max_gap_days)
        events.sort(key=lambda e: _size(e, seen), reverse=True)
        shown = events if everything else events[: rules.max_items]
        left = events[len(shown):]
        digest = Digest(language=language, since=since.isoformat(), until=until.isoformat(), articles=len(fresh),
                        more_items=len(left), more_reports=sum(len(e.articles) for e in left))
        for event in shown:
            summary = self._summary(event, language, tuple(hashes[d] for d in event.doc_ids))
            digest.items.append(self._number(digest, event, summary, language, max(seen[d] for d in event.doc_ids)))
        return digest

    def _on_topic(self, article: NewArticle, sentences: list[Sentence]) -> bool:
        decision = decide_topic(self.topic, article.meta, sentences)
        if not decision.on_topic:
            log.info("not in the digest: %s (%s)", article.meta.doc_id, decision.reason)
        return decision.on_topic

    # --- numbering and the "also reported by" line ------------------------------------
    def _number(self, digest: Digest, event: Event, s: _Summary, lang: Language, latest: float) -> DigestItem:
        def cite(p: ArticleProfile, quote: str) -> int:
            n = len(digest.citations) + 1
            m = p.meta
            digest.citations.append(Citation(n=n, doc_id=m.doc_id, title=m.title, outlet=m.outlet,
                                             published=m.published_iso, url=m.url, quote=quote))
            return n

        local = {k: cite(p, q) for k, (p, q) in enumerate(zip(s.cited, s.quotes, strict=True), start=1)}
        text = MARKER.sub(lambda mt: f"[{local[int(mt.group(1))]}]", s.text)
        numbers = list(local.values())
        if s.others:
            extra = [(p, cite(p, p.sentences[0].text)) for p in s.others]
            names = ", ".join(f"{_label(p.meta, lang)} [{n}]" for p, n in extra)
            text += " " + message(lang, "digest_also", sources=names)
            numbers += [n for _, n in extra]
        text += " " + message(lang, "digest_outlets" if event.outlets > 1 else "digest_outlet", n=event.outlets)
        when = datetime.fromtimestamp(latest, tz=UTC).isoformat()
        dates = event.dates
        span = None if not dates else dates[0].isoformat() if dates[0] == dates[-1] else \
            f"{dates[0].isoformat()}/{dates[-1].isoformat()}"
        return DigestItem(event_id=event.event_id, summary=text, sources=numbers, latest=when, phrased=s.phrased,
                          outlets=event.outlets, reports=len(event.articles), when=span, lead=s.lead)

    # --- the summary ----------------------------------------------------------------
    def _summary(self, event: Event, lang: Language, hashes: tuple[str, ...]) -> _Summary:
        key = (tuple(event.doc_ids), hashes, lang)
        summary = self._cache.get(key)  # a hit counts as a use: the least recently used is dropped first
        if summary is None:
            summary = self._cache[key] = self._summarise(event, lang)
        return summary

    def _summarise(self, event: Event, lang: Language) -> _Summary:
        lead, backers = self._best_lead(event)
        # The report the lead is quoted from comes first: the quote names its outlet and language, and
        # its number is the first marker after it. Any other order (the event's) would put another
        # outlet's name on this report's words, and another report's number first.
        source = next(p for p in backers if p.doc_id == lead.doc_id)
        backers = (source, *(p for p in backers if p is not source))
        # For each backing article, the lead sentence of its own that is closest to the chosen one.
        quotes = tuple(lead.text if p.doc_id == lead.doc_id else _closest(self._lead(p), lead).text for p in backers)
        others = tuple(p for p in event.articles if p not in backers)
        when = render_when(event.dates, lang)
        head = f"{when} — " if when else ""
        phrased = self._phrase(lang, quotes)
        if phrased is not None:
            text, keep = phrased
            cited = tuple(backers[k - 1] for k in keep)
            kept_quotes = tuple(quotes[k - 1] for k in keep)
            rest = others + tuple(p for p in backers if p not in cited)
            return _Summary(head + text, cited, kept_quotes, rest, True, lead.text)
        markers = "".join(f"[{k}]" for k in range(1, len(backers) + 1))
        source_lang = detect_language(lead.text)
        if source_lang == lang:
            text = f"{lead.text.rstrip(' .')} {markers}."
        else:
            # The actors and their roles in the subscriber's language, in the same cited sentence as the quote.
            actors = actors_en(lead.text) if lang == "en" else []
            who = f"{join_names(actors, lang)}; " if actors else ""
            text = who + message(lang, "digest_quote", source=_label(source.meta, lang), quote=quotable(lead.text),
                                 markers=markers, quote_language=message(lang, f"language_{source_lang}"))
        return _Summary(head + text, backers, quotes, others, False, lead.text)

    def _candidates(self, p: ArticleProfile) -> list[_Lead]:
        """The article's first lead sentences usable as a summary; one that opens with "he" or "the
        trip" is joined with the sentence before it (or dropped when there is none)."""
        rules = self.settings.digest
        out = []
        for k, row in enumerate(p.sentences[: rules.summary_candidates]):
            if row.text[:1] in "\"“‘'":
                continue
            text = strip_dateline(row.text)
            if starts_unresolved(text):
                before = strip_dateline(p.sentences[k - 1].text) if k else ""
                if not before or starts_unresolved(before):
                    continue
                text = f"{before} {text}"
            if rules.min_summary_words <= _words(text) <= rules.max_summary_words:
                out.append(_Lead(text, p.doc_id, row.index, row.vector))
        return out

    def _best_lead(self, event: Event) -> tuple[_Lead, tuple[ArticleProfile, ...]]:
        """The lead sentence that names its actors and is supported by the most reports of the event
        (ties: earlier in its article, then closer in meaning to the other reports); with the reports
        that support it."""
        best: tuple[tuple, _Lead, tuple[ArticleProfile, ...]] | None = None
        for p in event.articles:
            for cand in self._candidates(p):
                backers = tuple(q for q in event.articles if q is p or _supports(cand.text, self._lead(q)))
                centrality = sum(max(float(cand.vector @ r.vector) for r in self._lead(q)) for q in event.articles
                                 if q is not p)
                rank = (names_actor(cand.text), len(backers), -cand.index, centrality)
                if best is None or rank > best[0]:
                    best = (rank, cand, backers)
        if best is None:  # no lead sentence of a usable length: take the first one there is
            p = event.articles[0]
            first = p.sentences[0]
            return _Lead(first.text, p.doc_id, first.index, first.vector), (p,)
        return best[1], best[2]

    def _lead(self, p: ArticleProfile) -> tuple[Sentence, ...]:
        return p.sentences[: self.settings.digest.summary_lead_sentences]

    def _phrase(self, lang: Language, quotes: tuple[str, ...]) -> tuple[str, list[int]] | None:
        """The model's one-sentence summary, kept with the citations that each support it alone."""
        if self.generator is None:
            return None
        evidence = dict(enumerate(quotes, start=1))
        block = evidence_block(list(evidence.items()))
        try:
            raw = phrase(self.generator, "digest", lang, block, stops=DIGEST_STOPS,
                         max_tokens=self.settings.llm.max_tokens)
        except LLMError as exc:
            log.warning("model failed, quoting the lead sentence instead: %s", exc)
            return None
        text = clean_generation(raw)
        checked = check_sentence(text, evidence, "", lang) if text else None
        if checked is None or not checked.ok or _words(checked.text) > self.settings.digest.max_summary_words:
            log.debug("digest phrasing rejected (%s): %r", checked.reason if checked else "empty", raw)
            return None
        body = MARKER.sub("", checked.text).strip().rstrip(" .")
        if starts_unresolved(body) or not names_actor(body):
            log.debug("digest phrasing rejected (does not stand on its own): %r", body)
            return None
        keep = [k for k in checked.keys if check_sentence(f"{body} [{k}].", {k: evidence[k]}, "", lang).ok]
        if not keep:
            return None
        local = {k: i for i, k in enumerate(keep, start=1)}
        return f"{body} {''.join(f'[{local[k]}]' for k in keep)}.", keep


def _supports(sentence: str, lead: Sequence[Sentence]) -> bool:
    """Does this report's lead, read alone, support the sentence (names, numbers, content)?"""
    return check_sentence(f"{sentence} [1]", {1: " ".join(r.text for r in lead)}, "", detect_language(sentence)).ok


def _closest(lead: Sequence[Sentence], chosen: _Lead) -> Sentence:
    return max(lead, key=lambda r: float(r.vector @ chosen.vector))


def _label(meta: ArticleMeta, lang: str) -> str:
    """The outlet as a reader of ``lang`` is told it ("KBS World (in Indonesian): ..." to an English
    reader, the frame naming the language), or the title when it is unknown."""
    if meta.outlet:
        return outlet_name(meta.outlet, lang, meta.language)
    return message(lang, "unknown_outlet", title=meta.title)
