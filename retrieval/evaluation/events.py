"""Event grouping measured and fit on labelled pages (``rnkbot eval-events``, ``rnkbot fit-events``).

The labels: a manifest (``manifest.jsonl``, as realdev's) gives each page the events it reports
(``events``, coarse labels such as ``treaty_ratification``) and ``on_topic``. Labels are read
here only; the digest never sees them.

**Split.** The pages carry no split of their own, so it is made here, deterministically:
:func:`page_split` puts a page in ``train`` when the first 8 hex digits of the SHA-256 of its
doc_id, read as a number, are below 2/3 of 16^8, else in ``val`` (on realdev: 76 train, 29 val
pages). Everything is chosen on ``train``; ``val`` is only reported.

**Measure.** Pairwise, over the on-topic pages of one split grouped together: a pair of pages
in one event is right when they share an event label. Precision = right pairs / pairs grouped;
recall = right pairs / pairs that share a label. The labels are coarser than single happenings
(most same-label pairs with known dates lie more than a week apart), so recall cannot reach 1.

**Fit** (:func:`fit_event_model`), on the train pages only:
1. The centre: the mean of the train pages' sentence vectors (subtracted before comparing).
2. How many lead sentences to read for a date: the number that dates most train pages whose
   publication date is known correctly (within the event window) minus those it dates wrongly,
   reading as if the date were unknown.
3. For each lead length and lead window (the lead: that many sentences, of the article's first
   ``window``, closest to its mean; window 0: its first sentences): the pair features of every
   train pair the date rule leaves (known dates at most ``max_gap_days`` apart); a logistic
   regression (scikit-learn) labelled "share an event label". Grouping is chosen on
   cross-validated probabilities (five folds of pages; a pair is scored by a model that saw
   neither of its pages): the lead length and window, linkage (complete or average) and
   threshold with the best recall among those whose precision reaches ``target_precision``
   both with the pages' dates and as *one day's news* (every date dropped, as in a daily
   digest, where dates cannot keep two events apart); ties: higher precision, complete
   linkage, higher threshold, shorter lead, narrower window.
4. The final regression is fit on all train pairs and written with what was chosen and why.

**One day's news.** :func:`evaluate` also scores the grouping with every page's date dropped:
the digest's own situation, where a day's reports of different events must be told apart by
what they say.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from corpus.jsonl import read_objects
from retrieval.digest.dating import article_date
from retrieval.digest.events import (
    PAIR_FEATURES,
    ArticleProfile,
    EventModel,
    days_apart,
    group_events,
    is_current,
    link_groups,
    pair_features,
    profiles,
)
from retrieval.index.records import article_meta, ingested_time
from retrieval.index.store import ChunkStore
from retrieval.models.linear import Fitted, fit_logistic, logistic
from retrieval.settings import Settings
from retrieval.types import ArticleMeta, Sentence

Split = Literal["train", "val"]
TRAIN_SHARE = 2 / 3
LEAD_GRID = (2, 3, 4, 5)
LEAD_WINDOW_GRID = (0, 6, 8, 10, 12, 16)  # 0: the first sentences are the lead
DATE_LEAD_GRID = (1, 2, 3, 4, 6, 8, 12)
LINKAGES = ("complete", "average")
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.05))
FOLDS = 5


SPLIT_RULE = "train when int(sha256(doc_id).hexdigest()[:8], 16) < 2/3 * 16**8, else val"


def page_split(doc_id: str) -> Split:
    """``train`` for about two thirds of pages, ``val`` for the rest; fixed by the doc_id alone."""
    return "train" if int(hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:8], 16) < TRAIN_SHARE * 16**8 else "val"


@dataclass(frozen=True)
class LabelledPage:
    doc_id: str
    events: frozenset[str]
    on_topic: bool
    published: str | None


def load_labels(manifest: Path) -> dict[str, LabelledPage]:
    """The manifest's labels by doc_id: ``events`` (a list of strings) and ``on_topic``."""
    out = {}
    for _, obj in read_objects(manifest, "manifest entry", ("doc_id", "events", "on_topic")):
        out[str(obj["doc_id"])] = LabelledPage(str(obj["doc_id"]), frozenset(map(str, obj["events"])),
                                               bool(obj["on_topic"]), obj.get("published"))
    return out


@dataclass(frozen=True)
class Pages:
    """Labelled pages as the index holds them: metadata, ingestion time and sentences."""

    metas: list[ArticleMeta]
    anchors: dict[str, datetime]
    rows: list[Sentence]

    @classmethod
    def read(cls, store: ChunkStore, doc_ids: Sequence[str]) -> Pages:
        wanted = set(doc_ids)
        records = [r for r in store.article_records() if r.get("doc_id") in wanted]
        metas = sorted((article_meta(r) for r in records), key=lambda m: m.doc_id)
        anchors = {str(r["doc_id"]): datetime.fromtimestamp(ingested_time(r), tz=UTC) for r in records}
        return cls(metas, anchors, store.sentences_of([m.doc_id for m in metas]))


@dataclass(frozen=True)
class PairScore:
    pages: int
    pairs: int
    same_label_pairs: int
    grouped_pairs: int
    right: int
    precision: float
    recall: float
    items: int
    largest: int
    widest_days: int


def pair_score(groups: Sequence[Sequence[str]], labels: dict[str, LabelledPage]) -> PairScore:
    """Pairwise same-event precision and recall of a grouping (see the module docstring)."""
    docs = [d for g in groups for d in g]
    positive = sum(bool(labels[a].events & labels[b].events) for a, b in itertools.combinations(docs, 2))
    grouped = right = 0
    for g in groups:
        for a, b in itertools.combinations(g, 2):
            grouped += 1
            right += bool(labels[a].events & labels[b].events)
    return PairScore(pages=len(docs), pairs=len(docs) * (len(docs) - 1) // 2, same_label_pairs=positive,
                     grouped_pairs=grouped, right=right, precision=right / grouped if grouped else 1.0,
                     recall=right / positive if positive else 1.0, items=len(groups),
                     largest=max((len(g) for g in groups), default=0), widest_days=0)


def _widest(events_dates: Sequence[Sequence[date]]) -> int:
    return max(((max(ds) - min(ds)).days for ds in events_dates if ds), default=0)


def split_pages(labels: dict[str, LabelledPage], split: Split | None) -> list[str]:
    """The on-topic pages of ``split`` (all on-topic pages for ``None``)."""
    return sorted(d for d, p in labels.items() if p.on_topic and (split is None or page_split(d) == split))


# --- dating ------------------------------------------------------------------------
@dataclass(frozen=True)
class DatingScore:
    lead_sentences: int
    right: int
    wrong: int
    none: int
    undated_dated: int
    undated: int


def dating_score(pages: Pages, lead_sentences: int, tolerance_days: float) -> DatingScore:
    """Pages with a publication date, dated from their text as if they had none: right when
    within ``tolerance_days`` of it; and how many pages without one get a date at all."""
    by_doc: dict[str, list[str]] = {}
    for r in sorted(pages.rows, key=lambda r: (r.doc_id, r.index)):
        if r.index >= 0:
            by_doc.setdefault(r.doc_id, []).append(r.text)
    right = wrong = none = got = undated = 0
    for m in pages.metas:
        found = article_date(m.title, by_doc.get(m.doc_id, []), pages.anchors[m.doc_id], current=is_current(m),
                             lead_sentences=lead_sentences)
        if m.published is None:
            undated += 1
            got += found is not None
        elif found is None:
            none += 1
        elif abs((found - m.published.date()).days) <= tolerance_days:
            right += 1
        else:
            wrong += 1
    return DatingScore(lead_sentences, right, wrong, none, got, undated)


# --- fitting -----------------------------------------------------------------------
def _placeholder(lead_sentences: int, date_lead_sentences: int, center: np.ndarray, lead_window: int = 0) -> EventModel:
    n = len(PAIR_FEATURES)
    return EventModel(PAIR_FEATURES, np.zeros(n), np.ones(n), np.zeros(n), 0.0, 0.5, lead_sentences,
                      date_lead_sentences, "complete", center, lead_window=lead_window)


def _pairs(ps: Sequence[ArticleProfile], max_gap_days: float) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(ps)) for j in range(i + 1, len(ps))
            if (gap := days_apart(ps[i].when, ps[j].when)) is None or gap <= max_gap_days]


def _fit_lr(x: np.ndarray, y: np.ndarray) -> Fitted:
    return fit_logistic(x, y, 1.0, max_iter=2000)


def _cross_validated(ps: Sequence[ArticleProfile], pairs: list[tuple[int, int]], x: np.ndarray, y: np.ndarray,
                     fit_on: np.ndarray) -> np.ndarray:
    """Each pair's probability from a regression fit on the ``fit_on`` pairs that share no page with
    the pair's folds."""
    fold = [int(hashlib.sha256(p.doc_id.encode()).hexdigest()[8:16], 16) % FOLDS for p in ps]
    pf = np.array([(fold[i], fold[j]) for i, j in pairs])
    out = np.zeros(len(pairs))
    for k, m in itertools.combinations_with_replacement(range(FOLDS), 2):
        test = ((pf[:, 0] == k) & (pf[:, 1] == m)) | ((pf[:, 0] == m) & (pf[:, 1] == k))
        if not test.any():
            continue
        held = {k, m}
        train = fit_on & np.array([a not in held and b not in held for a, b in pf])
        if len(set(y[train].tolist())) < 2:
            out[test] = y[train].mean() if train.any() else 0.0
            continue
        out[test] = logistic(x[test], *_fit_lr(x[train], y[train]))
    return out


def _grouping(ps: Sequence[ArticleProfile], pairs: list[tuple[int, int]], probs: np.ndarray, threshold: float,
              max_gap_days: float, linkage: str, *, one_day: bool = False) -> list[list[str]]:
    """Group as the digest does: pairs too far apart in time get no link (-1); ``one_day``: as if
    every page came in on one day (no dates: the content alone must keep events apart)."""
    matrix = np.full((len(ps), len(ps)), -1.0)
    days = [None if one_day else p.when for p in ps]
    for (i, j), p in zip(pairs, probs, strict=True):
        gap = days_apart(days[i], days[j])
        matrix[i, j] = matrix[j, i] = p if gap is None or gap <= max_gap_days else -1.0
    idx = link_groups(matrix, days, threshold, max_gap_days, linkage)
    return [[ps[i].doc_id for i in g] for g in idx]


def fit_event_model(pages: Pages, labels: dict[str, LabelledPage], *, max_gap_days: float,
                    target_precision: float = 0.9, progress: Callable[[str], None] = lambda s: None) -> tuple[EventModel, dict]:
    """Fit on ``pages`` (the train split's on-topic pages, read from the index); see the module docstring."""
    vectors = np.stack([r.vector for r in pages.rows if r.index >= 0]).astype(np.float32)
    center = vectors.mean(axis=0)
    dating = [dating_score(pages, k, max_gap_days) for k in DATE_LEAD_GRID]
    best_dating = max(dating, key=lambda s: (s.right - s.wrong, -s.lead_sentences))
    progress(f"dating: {best_dating.lead_sentences} lead sentences ({best_dating.right} right, {best_dating.wrong} wrong)")
    table: list[dict[str, Any]] = []
    best: tuple[tuple, tuple[int, int], float, str] | None = None
    data: dict[tuple[int, int], tuple[list[ArticleProfile], list[tuple[int, int]], np.ndarray, np.ndarray]] = {}
    for lead, window in itertools.product(LEAD_GRID, LEAD_WINDOW_GRID):
        if 0 < window <= lead:
            continue
        ps = profiles(pages.metas, pages.rows, _placeholder(lead, best_dating.lead_sentences, center, window),
                      pages.anchors)
        ps.sort(key=lambda p: p.doc_id)
        every = list(itertools.combinations(range(len(ps)), 2))
        near = set(_pairs(ps, max_gap_days))
        fit_on = np.array([pair in near for pair in every])
        x_all = np.asarray([pair_features(ps[i], ps[j]) for i, j in every], dtype=float)
        y_all = np.asarray([bool(labels[ps[i].doc_id].events & labels[ps[j].doc_id].events) for i, j in every],
                           dtype=int)
        pairs = [pair for pair in every if pair in near]
        x, y = x_all[fit_on], y_all[fit_on]
        data[lead, window] = (ps, pairs, x, y)
        cv = _cross_validated(ps, every, x_all, y_all, fit_on)
        for linkage, t in itertools.product(LINKAGES, THRESHOLD_GRID):
            s = pair_score(_grouping(ps, every, cv, t, max_gap_days, linkage), labels)
            one = pair_score(_grouping(ps, every, cv, t, max_gap_days, linkage, one_day=True), labels)
            table.append({"lead_sentences": lead, "lead_window": window, "linkage": linkage, "threshold": t,
                          "precision": round(s.precision, 4),
                          "recall": round(s.recall, 4), "grouped_pairs": s.grouped_pairs,
                          "one_day_precision": round(one.precision, 4), "one_day_recall": round(one.recall, 4)})
            worst = min(s.precision, one.precision)
            ok = worst >= target_precision
            key = (ok, s.recall if ok else worst, worst, linkage == "complete", t, -lead, -window)
            if best is None or key > best[0]:
                best = (key, (lead, window), t, linkage)
        progress(f"lead {lead} of the first {window or lead}: {len(pairs)} pairs, {int(y.sum())} share a label")
    assert best is not None
    _, (lead, window), threshold, linkage = best
    ps, pairs, x, y = data[lead, window]
    mean, scale, coef, intercept = _fit_lr(x, y)
    chosen = next(r for r in table if r["lead_sentences"] == lead and r["lead_window"] == window
                  and r["threshold"] == threshold and r["linkage"] == linkage)
    info: dict[str, Any] = {
        "fit_on": f"{len(ps)} on-topic train pages, {len(pairs)} pairs within {max_gap_days:g} days, "
                  f"{int(y.sum())} sharing an event label",
        "split": SPLIT_RULE,
        "date": date.today().isoformat(),
        "max_gap_days": max_gap_days,
        "target_precision": target_precision,
        "dating": asdict(best_dating),
        "chosen_cross_validated": chosen,
    }
    model = EventModel(PAIR_FEATURES, mean, scale, coef, intercept, threshold, lead, best_dating.lead_sentences, linkage,
                       center, info, lead_window=window)
    report = {"info": info, "dating_grid": [asdict(d) for d in dating], "grid": table}
    return model, report


# --- evaluating -----------------------------------------------------------------------
@dataclass(frozen=True)
class EventEval:
    split: str
    score: PairScore
    dated: dict[str, int]
    groups: list[list[str]]
    one_day: PairScore | None = None

    def line(self) -> str:
        s = self.score
        dated = ", ".join(f"{v} {k}" for k, v in self.dated.items())
        return (f"{self.split}: {s.pages} on-topic pages, {s.pairs} pairs ({s.same_label_pairs} share an event label); "
                f"pairwise precision {s.precision:.3f}, recall {s.recall:.3f} ({s.right} of {s.grouped_pairs} grouped pairs "
                f"right); {s.items} items, largest {s.largest}, widest {s.widest_days} days; dates: {dated}"
                + ("" if self.one_day is None else
                   f"\n{self.split} as one day's news (dates dropped): pairwise precision {self.one_day.precision:.3f}, "
                   f"recall {self.one_day.recall:.3f} ({self.one_day.right} of {self.one_day.grouped_pairs} grouped "
                   f"pairs right); {self.one_day.items} items, largest {self.one_day.largest}"))


def evaluate(pages: Pages, labels: dict[str, LabelledPage], model: EventModel, *, max_gap_days: float,
             split: str) -> EventEval:
    """Group the pages with ``model`` and score the grouping against the labels."""
    ps = profiles(pages.metas, pages.rows, model, pages.anchors)
    events = group_events(ps, model, max_gap_days)
    groups = [e.doc_ids for e in events]
    score = pair_score(groups, labels)
    score = PairScore(**(asdict(score) | {"widest_days": _widest([e.dates for e in events])}))
    dated = {"from publication": sum(p.dated_from == "published" for p in ps),
             "from text": sum(p.dated_from == "text" for p in ps), "none": sum(not p.dated_from for p in ps)}
    undated = [replace(p, when=None, dated_from="") for p in ps]
    one_day = pair_score([e.doc_ids for e in group_events(undated, model, max_gap_days)], labels)
    return EventEval(split, score, dated, groups, one_day)


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class TopicCheck:
    split: str
    on_kept: int
    on_total: int
    off_let_in: int
    off_total: int

    def line(self) -> str:
        return (f"topic filter on the {self.split} pages: {self.on_kept} of {self.on_total} on-topic pages kept, "
                f"{self.off_let_in} of {self.off_total} off-topic pages let in")


def topic_check(store: ChunkStore, labels: dict[str, LabelledPage], split: Split | None, settings: Settings) -> TopicCheck:
    """What the digest's topic filter (from the stored sentences, as the digest runs it) keeps of the split's pages."""
    from retrieval.digest.builder import decide_topic
    from retrieval.index.topic import TopicFilter

    docs = sorted(d for d in labels if split is None or page_split(d) == split)
    pages = Pages.read(store, docs)
    by_doc: dict[str, list[Sentence]] = {}
    for r in pages.rows:
        by_doc.setdefault(r.doc_id, []).append(r)
    topic = TopicFilter(store.embeddings, settings.topic)
    kept = {m.doc_id: decide_topic(topic, m, by_doc.get(m.doc_id, [])).on_topic for m in pages.metas}
    on = [d for d in kept if labels[d].on_topic]
    off = [d for d in kept if not labels[d].on_topic]
    return TopicCheck(split or "all", sum(kept[d] for d in on), len(on), sum(kept[d] for d in off), len(off))
