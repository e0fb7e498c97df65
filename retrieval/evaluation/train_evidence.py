"""Fit the evidence model from labelled questions (``rnkbot train``).

1. Every question of the training set is asked of the index up to evidence choice: parsed,
   retrieved, every sentence of the retrieved articles described by its features.
2. A passage is labelled a positive when its article is one of the question's gold articles and
   the sentence holds the answer: every fact group that is not already in the question itself
   (those are anchors, such as "Kursk" for "how many died in Kursk?"). Unanswerable questions
   have no positives.
3. A logistic regression is fit (scikit-learn); its regularisation is chosen by cross-validation
   over questions (folds never split a question's passages).
4. The answer threshold is chosen on the cross-validated probabilities: the lowest threshold at
   which answered questions are right at least ``target_precision`` of the time; the companion
   threshold (a second article cited beside the best) likewise for extra citations.

Everything here is re-runnable: the same data give the same model.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from retrieval.answering.evidence import article_views
from retrieval.answering.features import FEATURES, Passage, matrix, passages
from retrieval.answering.model import EvidenceModel
from retrieval.answering.question import Question
from retrieval.evaluation.qa import EvalItem

log = logging.getLogger(__name__)


@dataclass
class QuestionData:
    item: EvalItem
    question: Question
    passages: list[Passage] = field(repr=False)
    labels: np.ndarray = field(repr=False)


def answer_groups(item: EvalItem) -> list[list[str]]:
    """The fact groups the answer must add: those none of whose strings the question already holds."""
    q = item.question.lower()
    groups = [g for g in item.facts if not any(alt.lower() in q for alt in g)]
    return groups or item.facts


def holds(text: str, groups: list[list[str]]) -> bool:
    low = text.lower()
    return all(any(alt.lower() in low for alt in g) for g in groups)


def label(item: EvalItem, p: Passage) -> int:
    if not item.answerable or p.article.meta.doc_id not in item.gold_docs:
        return 0
    return int(holds(p.sentence.text, answer_groups(item)))


def collect(service, items: list[EvalItem], *, depth: int = 12) -> list[QuestionData]:
    """Each question's candidate passages with features and labels, as the answerer would see them."""
    out = []
    for n, item in enumerate(items, start=1):
        q = service.answerer.parse(item.question, history=[], language=None)
        retrieved = service.answerer.retrieve(q, k=depth)
        views = article_views(retrieved, service.store.sentences_of([r.chunk.doc_id for r in retrieved]))
        ps = passages(q, views)
        out.append(QuestionData(item, q, ps, np.array([label(item, p) for p in ps], dtype=int)))
        if n % 25 == 0:
            log.info("collected %d/%d questions", n, len(items))
    return out


def _xy(data: list[QuestionData]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = [matrix(d.passages) for d in data]
    ys = [d.labels for d in data]
    gs = [np.full(len(d.passages), i) for i, d in enumerate(data)]
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(gs)


def _fit_lr(x: np.ndarray, y: np.ndarray, c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = LogisticRegression(C=c, class_weight="balanced", max_iter=5000).fit((x - scaler.mean_) / scale, y)
    return scaler.mean_, scale, lr.coef_[0], float(lr.intercept_[0])


def _oof(data: list[QuestionData], c: float, folds: int, seed: int) -> list[np.ndarray]:
    """Out-of-fold probabilities for every question's passages."""
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(len(data)) % folds
    probs: list[np.ndarray] = [np.zeros(0)] * len(data)
    for f in range(folds):
        train = [d for d, k in zip(data, fold_of, strict=True) if k != f]
        x, y, _ = _xy(train)
        mean, scale, coef, b = _fit_lr(x, y, c)
        for i, d in enumerate(data):
            if fold_of[i] == f and d.passages:
                z = ((matrix(d.passages) - mean) / scale) @ coef + b
                probs[i] = 1 / (1 + np.exp(-z))
    return probs


@dataclass
class Decisions:
    """What a threshold does to the training questions (cross-validated)."""

    threshold: float
    answered_right: int
    answered_wrong: int
    refused_answerable: int
    refused_unanswerable: int
    answered_unanswerable: int

    @property
    def precision(self) -> float:
        answered = self.answered_right + self.answered_wrong + self.answered_unanswerable
        return self.answered_right / answered if answered else 1.0


def decisions(data: list[QuestionData], probs: list[np.ndarray], threshold: float) -> Decisions:
    d = Decisions(threshold, 0, 0, 0, 0, 0)
    for qd, p in zip(data, probs, strict=True):
        best = int(np.argmax(p)) if p.size else -1
        answer = best >= 0 and p[best] >= threshold
        if qd.item.answerable:
            if not answer:
                d.refused_answerable += 1
            elif qd.labels[best]:
                d.answered_right += 1
            else:
                d.answered_wrong += 1
        elif answer:
            d.answered_unanswerable += 1
        else:
            d.refused_unanswerable += 1
    return d


def fit(data: list[QuestionData], *, target_precision: float = 0.9, folds: int = 5, seed: int = 0,
        grid: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)) -> tuple[EvidenceModel, dict]:
    """Choose the regularisation and thresholds by cross-validation over questions, then fit on all."""
    report: dict = {"questions": len(data), "passages": int(sum(len(d.passages) for d in data)),
                    "positives": int(sum(int(d.labels.sum()) for d in data)), "grid": {}}
    best_c, best_key, best_probs = grid[0], None, None
    for c in grid:
        probs = _oof(data, c, folds, seed)
        top1 = sum(1 for d, p in zip(data, probs, strict=True) if d.labels.any() and p.size and d.labels[int(np.argmax(p))])
        answerable = sum(1 for d in data if d.labels.any())
        ll = _log_loss(data, probs)
        report["grid"][str(c)] = {"top1": top1, "answerable_with_positive": answerable, "log_loss": round(ll, 4)}
        key = (top1, -ll)
        if best_key is None or key > best_key:
            best_c, best_key, best_probs = c, key, probs
    assert best_probs is not None
    threshold, table = _choose_threshold(data, best_probs, target_precision)
    companion = _choose_companion(data, best_probs, threshold, target_precision)
    x, y, _ = _xy(data)
    mean, scale, coef, b = _fit_lr(x, y, best_c)
    report |= {"C": best_c, "threshold": threshold, "companion": companion, "target_precision": target_precision,
               "cv_decisions": table}
    model = EvidenceModel(FEATURES, mean, scale, coef, b, threshold, companion,
                          info={k: v for k, v in report.items() if k != "cv_decisions"})
    return model, report


def _log_loss(data: list[QuestionData], probs: list[np.ndarray]) -> float:
    ys = np.concatenate([d.labels for d in data])
    ps = np.clip(np.concatenate(probs), 1e-6, 1 - 1e-6)
    return float(-np.mean(ys * np.log(ps) + (1 - ys) * np.log(1 - ps)))


def _choose_threshold(data: list[QuestionData], probs: list[np.ndarray], target: float) -> tuple[float, list[dict]]:
    """The lowest threshold whose answers (cross-validated) reach the target precision."""
    candidates = sorted({round(float(p.max()), 3) for p in probs if p.size})
    table = []
    chosen = None
    for t in candidates:
        d = decisions(data, probs, t)
        table.append(d.__dict__ | {"precision": round(d.precision, 4)})
        if chosen is None and d.precision >= target:
            chosen = t
    return (chosen if chosen is not None else 0.5), table


def _choose_companion(data: list[QuestionData], probs: list[np.ndarray], threshold: float, target: float) -> float:
    """Least probability of a passage from another article to be cited beside the best one: the
    lowest at which such extra citations point to gold articles ``target`` of the time."""
    extras: list[tuple[float, bool]] = []
    for d, p in zip(data, probs, strict=True):
        if not p.size or p.max() < threshold or not d.item.answerable:
            continue
        best = int(np.argmax(p))
        seen = {d.passages[best].article.meta.doc_id}
        for i in np.argsort(-p)[1:]:
            doc = d.passages[i].article.meta.doc_id
            if doc in seen:
                continue
            seen.add(doc)
            extras.append((float(p[i]), doc in d.item.gold_docs))
    extras.sort(reverse=True)
    good = 0
    chosen = 1.0
    for n, (prob, ok) in enumerate(extras, start=1):
        good += ok
        if good / n >= target:
            chosen = prob
    return max(chosen, threshold)


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
