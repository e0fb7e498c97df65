"""Events: reports of the same happening, by one or several outlets, linked as one.

Two articles report the same event when
- the lead of each (its first few sentences) names the same distinctive person or thing
  (a name that is not the topic itself: "Kozlov", not "Rusia", "Kim Jong Un" or "KCNA"), and
- their leads are close in meaning (multilingual sentence vectors), and
- where both publication dates are known, they lie within a few days of each other.

The numbers (lead length, least similarity, the window) are :class:`DigestSettings` fields.

Vector similarity alone does not separate events (every article on this topic scores about
0.92-0.96 against every other); shared names alone would chain every article that
mentions Putin. Groups are merged only when all known dates in the merged group stay
within the window, so a chain of links cannot stretch one event over months.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from corpus.dates import DAYS, MONTHS
from retrieval.settings import DigestSettings
from retrieval.text import STOPWORDS, fold, split_sentences, tokens
from retrieval.text.lexicon import glossary
from retrieval.types import ArticleMeta, Sentence

DEFAULTS = DigestSettings()

# Names that every article on Russia–North Korea relations carries: they say nothing about which event.
TOPIC_NAMES = frozenset(
    """rusia russia russian rusian korea korean utara north korut selatan south pyongyang moskow moscow
    moskwa kremlin putin vladimir kim jong un jong-un kcna reuters yonhap afp tass ria novosti
    associated press kantor berita ukraina ukraine amerika serikat seoul presiden president pemimpin
    leader menteri minister""".split()
)


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Ordinary Indonesian words (the glossary's translations): capitalised, they are still not names."""
    words: set[str] = set()
    for forms in glossary().values():
        for form in forms:
            for variants in form:
                words.update(variants)
    return frozenset(words)


@dataclass(frozen=True)
class ArticleProfile:
    """What event linking needs to know about one article."""

    meta: ArticleMeta
    lead: tuple[Sentence, ...]
    names: frozenset[str]
    vector: np.ndarray = field(repr=False)
    when: datetime | None

    @property
    def doc_id(self) -> str:
        return self.meta.doc_id


@dataclass(frozen=True)
class Event:
    """Articles reporting one happening; ``event_id`` is stable for the same set of articles."""

    event_id: str
    articles: tuple[ArticleProfile, ...]
    names: frozenset[str]

    @property
    def doc_ids(self) -> list[str]:
        return [a.doc_id for a in self.articles]


def lead_names(lead_texts: list[str], ordinary: frozenset[str]) -> frozenset[str]:
    """Distinctive names in a lead: capitalised words not opening a sentence, not ordinary
    words, not the topic's own names, days or months."""
    found: set[str] = set()
    for text in lead_texts:
        for sentence in split_sentences(text):
            for tok in tokens(sentence)[1:]:
                low = fold(tok)
                if (
                    tok[:1].isupper() and len(low) >= 4 and low not in STOPWORDS and low not in TOPIC_NAMES
                    and low not in DAYS and low not in MONTHS and low not in ordinary
                ):
                    found.add(low)
    return frozenset(found)


def profiles(metas: list[ArticleMeta], rows: list[Sentence], rules: DigestSettings = DEFAULTS) -> list[ArticleProfile]:
    """One profile per article that has sentences in ``rows`` (the store's sentence records);
    its lead is its first ``rules.event_lead_sentences`` sentences."""
    by_doc: dict[str, list[Sentence]] = {}
    for r in rows:
        if r.index >= 0:  # index -1 is the byline pseudo-sentence
            by_doc.setdefault(r.doc_id, []).append(r)
    ordinary = _vocabulary()
    out: list[ArticleProfile] = []
    for meta in metas:
        sents = sorted(by_doc.get(meta.doc_id, []), key=lambda r: r.index)[: rules.event_lead_sentences]
        if not sents:
            continue
        vec = np.mean([r.vector for r in sents], axis=0)
        vec = vec / (np.linalg.norm(vec) or 1.0)
        out.append(ArticleProfile(meta, tuple(sents), lead_names([r.text for r in sents], ordinary), vec,
                                  meta.published))
    return out


def _days_apart(a: datetime, b: datetime) -> float:
    if (a.tzinfo is None) != (b.tzinfo is None):
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    return abs((a - b).total_seconds()) / 86400.0


def same_event(a: ArticleProfile, b: ArticleProfile, rules: DigestSettings = DEFAULTS) -> bool:
    """Whether two reports are of the same event (see the module docstring)."""
    if a.when is not None and b.when is not None and _days_apart(a.when, b.when) > rules.event_max_gap_days:
        return False
    if not (a.names & b.names):
        return False
    return float(a.vector @ b.vector) >= rules.event_min_lead_similarity


def _dates_fit(group: list[ArticleProfile], max_gap_days: float) -> bool:
    dates = [p.when for p in group if p.when is not None]
    return all(_days_apart(x, y) <= max_gap_days for i, x in enumerate(dates) for y in dates[i + 1:])


def group_events(items: list[ArticleProfile], rules: DigestSettings = DEFAULTS) -> list[Event]:
    """Group articles into events: linked pairs are merged unless the merged group's known
    dates would span more than ``rules.event_max_gap_days``. Deterministic for the same input."""
    items = sorted(items, key=lambda p: p.doc_id)
    groups: list[list[ArticleProfile]] = [[p] for p in items]
    where = {p.doc_id: i for i, p in enumerate(items)}
    pairs = sorted(
        ((float(a.vector @ b.vector), a.doc_id, b.doc_id) for i, a in enumerate(items) for b in items[i + 1:]
         if same_event(a, b, rules)),
        reverse=True,
    )
    for _, x, y in pairs:  # strongest links first
        gx, gy = where[x], where[y]
        if gx == gy or not _dates_fit(groups[gx] + groups[gy], rules.event_max_gap_days):
            continue
        groups[gx].extend(groups[gy])
        for p in groups[gy]:
            where[p.doc_id] = gx
        groups[gy] = []
    events = []
    for g in groups:
        if not g:
            continue
        g.sort(key=lambda p: p.doc_id)
        shared = frozenset.intersection(*(p.names for p in g)) if len(g) > 1 else g[0].names
        key = hashlib.sha1("|".join(p.doc_id for p in g).encode()).hexdigest()[:12]
        events.append(Event(f"ev_{key}", tuple(g), shared))
    return events
