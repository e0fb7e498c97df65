"""Events: reports of the same happening, by one or several outlets, grouped as one item.

Each pair of articles gets a probability of reporting the same event from a small logistic
regression (:class:`EventModel`, fit on labelled real pages by
:mod:`retrieval.evaluation.events`, ``rnkbot fit-events``, shipped as ``data/event_model.json``)
over four things the two articles share (:data:`PAIR_FEATURES`):

- ``lead_sim``, ``doc_sim``: how close their leads, and their whole texts, are in meaning (mean
  e5 sentence vectors, **centred**: the training pages' mean sentence vector is subtracted first,
  since every article on this topic scores 0.90-0.96 against every other raw). The *lead* is the
  ``lead_sentences`` of the article's first ``lead_window`` that are closest to the whole article's
  (centred) mean, in text order (:func:`lead_of`): what the article is about, even where it opens
  with a photo caption or a paragraph of background ("Pada Juni lalu, Putin dan Kim
  menandatangani…") and states its news in the fourth sentence. A window no wider than the lead
  is the plain first sentences; the fit chooses;
- ``shared_names``: distinctive names both carry ("Kozlov", "Wonsan"; not the topic's own names —
  Russia, Kim Jong Un, KCNA…);
- ``coverage``: how much of each one's title and lead the other expresses (through the EN→ID
  glossary, so an English and an Indonesian report can match).

Dates are not a feature, only a limit: a daily digest's articles all come from one or two days,
so "same day" says nothing there, though on pages spread over two years it looked like the best
sign of one event (a model that used it merged every same-day report into one item).

Grouping links the closest groups first while the link reaches the model's threshold: the
model names the linkage it was fit with, ``complete`` (an article joins only when its probability
with *every* member reaches the threshold) or ``average`` (with the event as a whole), so nothing
chains through one member (A like B, B like C, A unlike C stays apart). A merge never makes an
event's known dates span more than ``RNKBOT_EVENT_MAX_GAP_DAYS``. An article without a
publication date is dated from its own text first (:mod:`retrieval.digest.dating`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.dates import DAYS, MONTHS
from corpus.errors import RnkbotError
from retrieval.digest.dating import article_date
from retrieval.models.linear import logistic, write_model
from retrieval.text import STOPWORDS, fold, split_sentences, tokens
from retrieval.text.lexicon import Concept, Matcher, concepts, glossary
from retrieval.types import ArticleMeta, Sentence

log = logging.getLogger(__name__)
EVENT_MODEL_PATH = Path(__file__).resolve().parent / "data" / "event_model.json"

# Names that every article on Russia–North Korea relations carries: they say nothing about which event.
TOPIC_NAMES = frozenset(
    """rusia russia russian rusian korea korean utara north korut selatan south pyongyang moskow moscow
    moskwa kremlin putin vladimir kim jong un jong-un kcna reuters yonhap afp tass ria novosti
    associated press kantor berita ukraina ukraine amerika serikat seoul presiden president pemimpin
    leader menteri minister dprk democratic republic people's rakyat demokratik republik""".split()
)
PAIR_FEATURES: tuple[str, ...] = ("lead_sim", "doc_sim", "shared_names", "coverage")


class EventModelError(RnkbotError):
    """The fitted event model is missing or unreadable; the message says how to rebuild it."""


@dataclass(frozen=True)
class EventModel:
    """Which articles report one event: pair probabilities and the threshold every pair in an event meets."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = field(metadata={"doc": "least same-event probability of every pair of articles in one event"})
    lead_sentences: int = field(metadata={"doc": "sentences of an article's lead compared"})
    date_lead_sentences: int = field(metadata={"doc": "sentences read for a date when an article has none"})
    linkage: str = field(metadata={"doc": "complete (every member close) or average (close to the event as a whole)"})
    center: np.ndarray = field(repr=False, metadata={"doc": "subtracted from sentence vectors before comparing them"})
    info: dict = field(default_factory=dict, repr=False)
    lead_window: int = field(default=0, metadata={"doc": "the first sentences the lead is chosen from (0 or at most "
                                                          "lead_sentences: the first lead_sentences)"})

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return logistic(x, self.mean, self.scale, self.coef, self.intercept)

    def to_json(self) -> dict:
        return {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
            "lead_sentences": self.lead_sentences, "date_lead_sentences": self.date_lead_sentences,
            "linkage": self.linkage, "lead_window": self.lead_window,
            "info": self.info, "center": [round(float(v), 6) for v in self.center],
        }

    @classmethod
    def from_json(cls, d: dict) -> EventModel:
        return cls(tuple(d["features"]), np.asarray(d["mean"], dtype=float), np.asarray(d["scale"], dtype=float),
                   np.asarray(d["coef"], dtype=float), float(d["intercept"]), float(d["threshold"]),
                   int(d["lead_sentences"]), int(d["date_lead_sentences"]), str(d["linkage"]),
                   np.asarray(d["center"], dtype=np.float32), d.get("info", {}), int(d.get("lead_window", 0)))

    def save(self, path: Path = EVENT_MODEL_PATH) -> None:
        write_model(path, self.to_json())


@lru_cache(maxsize=4)
def load_event_model(path: Path = EVENT_MODEL_PATH) -> EventModel:
    try:
        model = EventModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise EventModelError(f"the event model {path} is missing; reinstall rnkbot or rebuild it with "
                              "`rnkbot fit-events`") from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise EventModelError(f"the event model {path} is unreadable ({exc}); rebuild it with `rnkbot fit-events`") from exc
    if model.features != PAIR_FEATURES or model.linkage not in ("complete", "average"):
        raise EventModelError(f"the event model {path} was fit on other features or a linkage this version lacks; "
                              "rebuild it with `rnkbot fit-events`")
    return model


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Ordinary Indonesian words (the glossary's translations): capitalised, they are still not names."""
    words: set[str] = set()
    for forms in glossary().values():
        for form in forms:
            for variants in form:
                words.update(variants)
    return frozenset(words)


def lead_names(lead_texts: Sequence[str], ordinary: frozenset[str] | None = None) -> frozenset[str]:
    """Distinctive names in a lead: capitalised words not opening a sentence, not ordinary
    words, not the topic's own names, days or months."""
    ordinary = _vocabulary() if ordinary is None else ordinary
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


@dataclass(frozen=True)
class ArticleProfile:
    """What event grouping (and the item's summary) needs to know about one article."""

    meta: ArticleMeta
    sentences: tuple[Sentence, ...] = field(repr=False)  # its body sentences, in order (no byline)
    lead: tuple[Sentence, ...] = field(repr=False)  # what it is about (lead_of), as many as the event model compares
    names: frozenset[str]  # the distinctive names the article carries
    vector: np.ndarray = field(repr=False)  # the lead's centred mean vector, normalised
    doc_vector: np.ndarray = field(repr=False)  # the whole article's centred mean vector, normalised
    when: date | None
    dated_from: str  # "published", "text" or "" (no date)
    matcher: Matcher = field(repr=False)  # over its title and lead
    concepts: tuple[Concept, ...] = field(repr=False)  # of its title and lead

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

    @property
    def dates(self) -> list[date]:
        return sorted(a.when for a in self.articles if a.when is not None)

    @property
    def outlets(self) -> int:
        """How many outlets reported it (an article without a known outlet counts as one of its own)."""
        return len({a.meta.outlet or f"?{a.doc_id}" for a in self.articles})


def _unit(v: np.ndarray) -> np.ndarray:
    return v / (np.linalg.norm(v, axis=-1, keepdims=True) + 1e-12)


def is_current(meta: ArticleMeta) -> bool:
    """Was the article news when we read it? A web page or a feed entry was; a file may be an archive."""
    return meta.source not in (None, "file")


def lead_of(centred: np.ndarray, lead_sentences: int, window: int) -> list[int]:
    """Which body sentences (row indices of ``centred``, their centred vectors in text order) are
    the article's lead: the ``lead_sentences`` of its first ``window`` that are closest to the
    whole article's mean — centroid-based extractive summarising,
    kept near the top. A window no wider than the lead gives the first sentences."""
    n = min(max(window, lead_sentences), len(centred))
    if n <= lead_sentences:
        return list(range(n))
    mean = _unit(centred.mean(axis=0))
    closeness = _unit(centred[:n]) @ mean
    return sorted(int(i) for i in np.argsort(-closeness, kind="stable")[:lead_sentences])


def profile(meta: ArticleMeta, sentences: Sequence[Sentence], model: EventModel,
            anchor: datetime | None) -> ArticleProfile | None:
    """The profile of one article from its stored sentences (``None`` when it has none). ``anchor``:
    when we first had it (ingestion), for dating text that states no year."""
    body = sorted((s for s in sentences if s.index >= 0), key=lambda s: s.index)
    if not body:
        return None
    if meta.published is not None:
        when: date | None = meta.published.date()
        dated_from = "published"
    else:
        when = article_date(meta.title, [s.text for s in body], anchor, current=is_current(meta),
                            lead_sentences=model.date_lead_sentences) if anchor is not None else None
        dated_from = "text" if when is not None else ""
    vecs = np.stack([s.vector for s in body]).astype(np.float32)
    centred = vecs - model.center if model.center.shape[-1] == vecs.shape[-1] else vecs
    chosen = lead_of(centred, model.lead_sentences, model.lead_window)
    lead = tuple(body[i] for i in chosen)
    text = f"{meta.title}. " + " ".join(s.text for s in lead)
    return ArticleProfile(
        meta=meta, sentences=tuple(body), lead=lead, names=lead_names([s.text for s in body]),
        vector=_unit(centred[chosen].mean(axis=0)), doc_vector=_unit(centred.mean(axis=0)), when=when,
        dated_from=dated_from, matcher=Matcher(text), concepts=tuple(c for c in concepts(text) if not c.is_number),
    )


def profiles(metas: Sequence[ArticleMeta], rows: Sequence[Sentence], model: EventModel,
             anchors: Mapping[str, datetime] | None = None) -> list[ArticleProfile]:
    """One profile per article that has sentences in ``rows`` (the store's sentence records)."""
    by_doc: dict[str, list[Sentence]] = {}
    for r in rows:
        by_doc.setdefault(r.doc_id, []).append(r)
    out = []
    for meta in metas:
        p = profile(meta, by_doc.get(meta.doc_id, []), model, (anchors or {}).get(meta.doc_id))
        if p is not None:
            out.append(p)
    return out


def days_apart(a: date | None, b: date | None) -> int | None:
    return None if a is None or b is None else abs((a - b).days)


def _coverage(concepts_of: Sequence[Concept], other: Matcher) -> float:
    return sum(other.has(c) for c in concepts_of) / len(concepts_of) if concepts_of else 0.0


def pair_features(a: ArticleProfile, b: ArticleProfile) -> list[float]:
    """The numbers :data:`PAIR_FEATURES` names, for one pair of articles."""
    cov_ab, cov_ba = _coverage(a.concepts, b.matcher), _coverage(b.concepts, a.matcher)
    return [
        float(a.vector @ b.vector),  # lead_sim: their leads, centred
        float(a.doc_vector @ b.doc_vector),  # doc_sim: the whole articles, centred
        float(min(len(a.names & b.names), 5)),  # shared_names: distinctive names both name
        (cov_ab + cov_ba) / 2,  # coverage: how much of each one's title and lead the other expresses
    ]


def pair_probabilities(items: Sequence[ArticleProfile], model: EventModel, max_gap_days: float) -> np.ndarray:
    """Same-event probability of every pair (a symmetric matrix); -1 where their dates are too far apart."""
    n = len(items)
    probs = np.full((n, n), -1.0)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)
             if (gap := days_apart(items[i].when, items[j].when)) is None or gap <= max_gap_days]
    if pairs:
        x = np.asarray([pair_features(items[i], items[j]) for i, j in pairs], dtype=float)
        for (i, j), p in zip(pairs, model.probabilities(x), strict=True):
            probs[i, j] = probs[j, i] = p
    return probs


def link_groups(probs: np.ndarray, days: Sequence[date | None], threshold: float, max_gap_days: float,
                linkage: str = "complete") -> list[list[int]]:
    """Groups of indices, merged best first while the link between two groups reaches ``threshold``
    and the merged group's known dates span at most ``max_gap_days``. The link of two groups is
    their *least* pair probability (``complete``: every member close) or their mean one
    (``average``: close to the group as a whole)."""
    n = len(days)
    groups: dict[int, list[int]] = {i: [i] for i in range(n)}
    link = probs.astype(float).copy()
    np.fill_diagonal(link, -1.0)
    size = np.ones(n)
    ordinal = np.array([d.toordinal() if d is not None else np.nan for d in days], dtype=float)
    lo, hi = ordinal.copy(), ordinal.copy()
    while len(groups) > 1:
        with np.errstate(invalid="ignore"):
            span = np.fmax.outer(hi, hi) - np.fmin.outer(lo, lo)
        ok = np.triu((link >= threshold) & ~(span > max_gap_days), 1)
        if not ok.any():
            break
        score = np.where(ok, link, -np.inf)
        i, j = (int(k) for k in np.unravel_index(int(np.argmax(score)), score.shape))
        groups[i] += groups.pop(j)
        if linkage == "complete":
            merged = np.minimum(link[i, :], link[j, :])
        else:
            merged = (size[i] * link[i, :] + size[j] * link[j, :]) / (size[i] + size[j])
        link[i, :] = link[:, i] = merged
        link[i, i] = -1.0
        link[j, :] = link[:, j] = -np.inf
        size[i] += size[j]
        lo[i], hi[i] = np.fmin(lo[i], lo[j]), np.fmax(hi[i], hi[j])
    return [sorted(g) for g in groups.values()]


def group_events(items: Sequence[ArticleProfile], model: EventModel, max_gap_days: float) -> list[Event]:
    """Group articles into events (see the module docstring). Deterministic for the same articles."""
    ordered = sorted(items, key=lambda p: p.doc_id)
    probs = pair_probabilities(ordered, model, max_gap_days)
    events = []
    for idx in link_groups(probs, [p.when for p in ordered], model.threshold, max_gap_days, model.linkage):
        g = [ordered[i] for i in idx]
        shared = frozenset.intersection(*(p.names for p in g)) if len(g) > 1 else g[0].names
        key = hashlib.sha1("|".join(p.doc_id for p in g).encode()).hexdigest()[:12]
        events.append(Event(f"ev_{key}", tuple(g), shared))
    return events
