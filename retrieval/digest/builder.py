"""The daily digest: what is new in a time window, grouped by event, every line cited.

1. Articles published or ingested in the window (``since`` < t <= ``until``).
2. Reports of the same event become one item (:mod:`retrieval.digest.events`).
3. Each item gets a one-sentence summary: the lead sentence that the most reports support
   (checked with :func:`retrieval.answering.verify.check_sentence`, the same check answers pass); the
   model may phrase it in the subscriber's language, and its sentence is kept only if it is
   supported by every source it cites. Reports that do not support the summary are still
   listed as "also reported by", with their citations.
4. Items newest first; sources numbered across the whole digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from cachetools import LRUCache
from pydantic import BaseModel, Field

from prompts import message
from retrieval.answering.phrase import DIGEST_STOPS, evidence_block, phrase
from retrieval.answering.verify import MARKER, check_sentence, clean_generation
from retrieval.digest.events import ArticleProfile, Event, group_events, profiles
from retrieval.index.store import ChunkStore, article_meta
from retrieval.models.llm import Generator, LLMError
from retrieval.settings import Settings
from retrieval.text import detect_language
from retrieval.types import ArticleMeta, Citation, Language, Sentence

log = logging.getLogger(__name__)


class DigestItem(BaseModel):
    """One event: a cited summary and the numbers of its sources."""

    event_id: str
    summary: str = Field(description="One or two sentences with [n] markers (numbers of `Digest.citations`).")
    sources: list[int]
    latest: str = Field(description="ISO time of the item's most recent report (publication, else ingestion).")
    phrased: bool = Field(description="True when the model's phrasing passed verification; False: a quoted lead sentence.")


class Digest(BaseModel):
    """What `rnkbot digest --json` prints and the bot renders."""

    language: Language
    since: str
    until: str
    items: list[DigestItem] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    articles: int = Field(0, description="New articles in the window (before the item cap).")

    @property
    def empty(self) -> bool:
        return not self.items


@dataclass(frozen=True)
class NewArticle:
    meta: ArticleMeta
    seen_ts: float  # when it became news: publication time if known, else ingestion time
    content_hash: str


@dataclass(frozen=True)
class _Summary:
    """An item before numbering: text with local markers 1..k, and the articles they stand for."""

    text: str
    cited: tuple[ArticleProfile, ...]
    quotes: tuple[str, ...]
    others: tuple[ArticleProfile, ...]
    phrased: bool


def _ts(dt: datetime) -> float:
    return dt.timestamp() if dt.tzinfo else dt.replace(tzinfo=UTC).timestamp()


def new_articles(store: ChunkStore, since: datetime, until: datetime) -> list[NewArticle]:
    """Articles published or ingested in ``(since, until]``."""
    lo, hi = _ts(since), _ts(until)
    out = []
    for md in store.article_records(since_ts=lo):
        ingested = float(md.get("ingested_ts", 0))
        published = md.get("published_ts")
        in_window = lo < ingested <= hi or (published is not None and lo < float(published) <= hi)
        if in_window:
            seen = float(published) if published is not None and float(published) <= hi else ingested
            out.append(NewArticle(article_meta(md), seen, str(md.get("content_hash", ""))))
    return out


def _words(text: str) -> int:
    return len(MARKER.sub("", text).split())


class DigestBuilder:
    """Builds digests from the index. Not thread-safe by itself: the service serialises calls."""

    def __init__(self, settings: Settings, store: ChunkStore, generator: Generator | None) -> None:
        self.settings = settings
        self.store = store
        self.generator = generator
        self._cache: LRUCache[tuple, _Summary] = LRUCache(maxsize=settings.digest.cache_size)

    def build(self, since: datetime, until: datetime, language: Language) -> Digest:
        fresh = new_articles(self.store, since, until)
        seen = {a.meta.doc_id: a.seen_ts for a in fresh}
        hashes = {a.meta.doc_id: a.content_hash for a in fresh}
        rows = self.store.sentences_of(list(seen))
        rules = self.settings.digest
        events = group_events(profiles([a.meta for a in fresh], rows, rules), rules)
        events.sort(key=lambda e: (max(seen[d] for d in e.doc_ids), e.event_id), reverse=True)
        digest = Digest(language=language, since=since.isoformat(), until=until.isoformat(), articles=len(fresh))
        for event in events[: rules.max_items]:
            summary = self._summary(event, language, tuple(hashes[d] for d in event.doc_ids))
            digest.items.append(self._number(digest, event, summary, language, max(seen[d] for d in event.doc_ids)))
        return digest

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
            extra = [(p, cite(p, p.lead[0].text)) for p in s.others]
            names = ", ".join(f"{_label(p.meta, lang)} [{n}]" for p, n in extra)
            text += " " + message(lang, "digest_also", sources=names)
            numbers += [n for _, n in extra]
        when = datetime.fromtimestamp(latest, tz=UTC).isoformat()
        return DigestItem(event_id=event.event_id, summary=text, sources=numbers, latest=when, phrased=s.phrased)

    # --- the summary ----------------------------------------------------------------
    def _summary(self, event: Event, lang: Language, hashes: tuple[str, ...]) -> _Summary:
        key = (tuple(event.doc_ids), hashes, lang)
        summary = self._cache.get(key)  # a hit counts as a use: the least recently used is dropped first
        if summary is None:
            summary = self._cache[key] = self._summarise(event, lang)
        return summary

    def _summarise(self, event: Event, lang: Language) -> _Summary:
        lead, backers = self._best_lead(event)
        # For each backing article, the lead sentence of its own that is closest to the chosen one.
        quotes = tuple(lead.text if p.doc_id == lead.doc_id else _closest(p, lead).text for p in backers)
        others = tuple(p for p in event.articles if p not in backers)
        phrased = self._phrase(lang, quotes)
        if phrased is not None:
            text, keep = phrased
            cited = tuple(backers[k - 1] for k in keep)
            kept_quotes = tuple(quotes[k - 1] for k in keep)
            rest = others + tuple(p for p in backers if p not in cited)
            return _Summary(text, cited, kept_quotes, rest, True)
        markers = "".join(f"[{k}]" for k in range(1, len(backers) + 1))
        if detect_language(lead.text) == lang:
            text = f"{lead.text.rstrip(' .')} {markers}."
        else:
            text = message(lang, "digest_quote", source=_label(backers[0].meta, lang), quote=lead.text, markers=markers)
        return _Summary(text, backers, quotes, others, False)

    def _best_lead(self, event: Event) -> tuple[Sentence, tuple[ArticleProfile, ...]]:
        """The lead sentence supported by the most reports of the event (ties: earlier in its
        article, then closer in meaning to the other reports); with the reports that support it."""
        best: tuple[tuple, Sentence, tuple[ArticleProfile, ...]] | None = None
        rules = self.settings.digest
        for p in event.articles:
            for row in p.lead[: rules.summary_candidates]:
                if not rules.min_summary_words <= _words(row.text) <= rules.max_summary_words or row.text[:1] in "\"“‘'":
                    continue
                backers = tuple(q for q in event.articles if q is p or _supports(row.text, q))
                centrality = sum(max(float(row.vector @ r.vector) for r in q.lead) for q in event.articles if q is not p)
                rank = (len(backers), -row.index, centrality)
                if best is None or rank > best[0]:
                    best = (rank, row, backers)
        if best is None:  # no lead sentence of a usable length: take the first one there is
            p = event.articles[0]
            return p.lead[0], (p,)
        return best[1], best[2]

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
        keep = [k for k in checked.keys if check_sentence(f"{body} [{k}].", {k: evidence[k]}, "", lang).ok]
        if not keep:
            return None
        local = {k: i for i, k in enumerate(keep, start=1)}
        return f"{body} {''.join(f'[{local[k]}]' for k in keep)}.", keep


def _supports(sentence: str, report: ArticleProfile) -> bool:
    """Does this report's lead, read alone, support the sentence (names, numbers, content)?"""
    lead = " ".join(r.text for r in report.lead)
    return check_sentence(f"{sentence} [1]", {1: lead}, "", detect_language(sentence)).ok



def _closest(p: ArticleProfile, row: Sentence) -> Sentence:
    return max(p.lead, key=lambda r: float(r.vector @ row.vector))


def _label(meta: ArticleMeta, lang: str) -> str:
    if meta.outlet:
        return meta.outlet
    return message(lang, "unknown_outlet", title=meta.title)
