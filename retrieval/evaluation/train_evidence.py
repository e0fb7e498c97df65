"""Fit the evidence model from labelled questions (``rnkbot train``, ``make train``).

1. Every training question is asked of the index up to evidence choice: parsed, retrieved, every
   sentence of the retrieved articles described by its features (:mod:`retrieval.answering.features`).
2. A passage is a positive when its article is one of the question's gold articles and the sentence
   holds the answer: every fact group that the question does not already contain (those are
   anchors, such as "Kursk" in "how many died in Kursk?"). Unanswerable questions have no positives.
3. A logistic regression is fit (scikit-learn); its regularisation is chosen by cross-validation
   over questions (a question's passages never sit in two folds), by how often the best passage
   holds the answer.
4. The thresholds are chosen on the cross-validated probabilities by replaying the answerer's own
   choice (:func:`retrieval.answering.evidence.pick`) on every training question and scoring the
   result as ``rnkbot eval`` does: the answer threshold is the one with the best sum of answer
   accuracy (answerable questions) and refusal accuracy (unanswerable ones), the two targets the
   product is held to, and with it how many further sentences of the best article are quoted (the
   fewest within one question of the best); the companion threshold (a second article cited beside
   the best) the one with the best answer accuracy among those that keep citations on gold articles
   at least ``target_precision`` of the time. The replay keeps only the candidates the answerer
   keeps for a "how many" or a "what is the name of X?" question
   (:func:`retrieval.answering.evidence.answer_mask`), so the thresholds are fit with those rules.

The same data give the same model: folds are seeded, and nothing is sampled at random otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from retrieval.answering.evidence import Pick, answer_mask, article_views, closest, pick, refusal_reason, that_can_answer
from retrieval.answering.features import FEATURES, Passage, matrix, passages
from retrieval.answering.model import EvidenceModel
from retrieval.answering.question import Question
from retrieval.evaluation.qa import APART, EvalItem, answer_groups, facts_match
from retrieval.models.linear import Fitted, fit_logistic

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class QuestionData:
    item: EvalItem
    question: Question
    passages: list[Passage] = field(repr=False)
    labels: np.ndarray = field(repr=False)

    @cached_property
    def can_answer(self) -> np.ndarray:
        """The candidates the answerer keeps (:func:`~retrieval.answering.evidence.answer_mask`),
        read once: the replay asks for them at every setting tried."""
        return answer_mask(self.question, self.passages)


def label(item: EvalItem, p: Passage) -> int:
    if not item.answerable or p.article.meta.doc_id not in item.gold_docs:
        return 0
    return int(facts_match(p.sentence.text, answer_groups(item)))


def collect(service: Any, items: list[EvalItem], *, min_docs: int = 1, k: int | None = None) -> list[QuestionData]:
    """Each question's candidate passages with features and labels, as the answerer sees them.
    ``min_docs``: the corpus size document frequencies are read at (1: the index's own); ``k``:
    the chunks retrieved per question (default: the answerer's)."""
    out = []
    for n, item in enumerate(items, start=1):
        q = service.answerer.parse(item.question, history=[], language=None, min_docs=min_docs)
        retrieved = service.answerer.retrieve(q, k)
        views = article_views(retrieved, service.store.sentences_of([r.chunk.doc_id for r in retrieved]),
                              topic=service.answerer.topic)
        ps = passages(q, views)
        out.append(QuestionData(item, q, ps, np.array([label(item, p) for p in ps], dtype=int)))
        if n % 25 == 0:
            log.info("collected %d/%d questions", n, len(items))
    return out


# --- fitting ----------------------------------------------------------------------------------
def _xy(data: list[QuestionData]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([matrix(d.passages) for d in data]), np.concatenate([d.labels for d in data])


def _fit(x: np.ndarray, y: np.ndarray, c: float) -> Fitted:
    return fit_logistic(x, y, c, max_iter=5000)


def _model(params: Fitted, threshold: float = 0.5, companion: float = 1.0, same_article: float = 0.5,
           same_article_max: int = 1, corpus_docs: int = 1, info: dict | None = None, retrieve_k: int = 8,
           pointer: float = 1.01) -> EvidenceModel:
    mean, scale, coef, b = params
    return EvidenceModel(FEATURES, mean, scale, coef, b, threshold, companion, same_article, same_article_max,
                         corpus_docs, retrieve_k, pointer=pointer, info=info or {})


def out_of_fold(data: list[QuestionData], c: float, folds: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Every question's passage probabilities from a model fit without that question."""
    fold_of = np.random.default_rng(seed).permutation(len(data)) % folds
    probs: list[np.ndarray] = [np.zeros(0)] * len(data)
    for f in range(folds):
        model = _model(_fit(*_xy([d for d, k in zip(data, fold_of, strict=True) if k != f]), c))
        for i, d in enumerate(data):
            if fold_of[i] == f and d.passages:
                probs[i] = model.probabilities(matrix(d.passages))
    return probs


@dataclass
class Outcome:
    """What the answerer would do with every training question at one setting (as ``rnkbot eval`` scores)."""

    threshold: float
    companion: float
    same_article: float
    same_article_max: int
    answer_accuracy: float
    refusal_accuracy: float
    precision_of_answers: float
    citation_precision: float


def _answered(d: QuestionData, p: np.ndarray, threshold: float, companion: float, same_article: float,
              same_article_max: int) -> list[Pick]:
    """What the answerer would quote for this question at this setting (none: it refuses): the
    evidence it picks among the candidates that can answer (for "how many", those with an amount;
    for "the name of X", those naming X)."""
    ps, p = that_can_answer(d.question, d.passages, p, mask=d.can_answer)
    return pick(ps, p, threshold=threshold, companion=companion, same_article=same_article,
                same_article_max=same_article_max)


def replay(data: list[QuestionData], probs: list[np.ndarray], threshold: float, companion: float,
           same_article: float = 0.5, same_article_max: int = 1) -> Outcome:
    right = answered = answerable = refused_ok = unanswerable = cited = cited_gold = 0
    for d, p in zip(data, probs, strict=True):
        if d.item.kind in APART:
            continue
        chosen = _answered(d, p, threshold, companion, same_article, same_article_max)
        text = " ".join(" ".join(s.text for s in c.quoted) for c in chosen)
        ok = bool(chosen) and d.item.answerable and facts_match(text, d.item.facts)
        answered += bool(chosen)
        right += ok
        if d.item.answerable:
            answerable += 1
            docs = {c.doc_id for c in chosen}
            cited += len(docs)
            cited_gold += len(docs & set(d.item.gold_docs))
        else:
            unanswerable += 1
            refused_ok += not chosen
    return Outcome(threshold, companion, same_article, same_article_max, right / max(answerable, 1),
                   refused_ok / max(unanswerable, 1), right / answered if answered else 1.0, cited_gold / cited if cited else 1.0)


# Ratios tried for quoting further sentences of the best article (1.01: never), and how many at most.
SAME_ARTICLE_GRID = (1.01, 0.7, 0.5, 0.3, 0.2, 0.1)
SAME_ARTICLE_MAX_GRID = (1, 2, 3)
# Scores are compared rounded to four decimals: exactly one question's difference must still count as within one.
ROUNDING = 1e-4


def fewest_within_one_question(choices: Sequence[T], score: Callable[[T], float], size: Callable[[T], int],
                               one_question: float) -> int:
    """The smallest ``size`` among the choices scoring within one question of the best: fewer chunks
    are faster, a shorter quote easier to read, and less than one answer's difference is none."""
    top = max(score(c) for c in choices)
    return min(size(c) for c in choices if score(c) >= top - one_question - ROUNDING)


def _within_one_question(outcomes: list[Outcome], n_answerable: int) -> Outcome:
    """The best answer accuracy + refusal accuracy among the fewest quoted sentences within one
    answerable question of the best."""
    def score(o: Outcome) -> float:
        return round(o.answer_accuracy + o.refusal_accuracy, 4)

    fewest = fewest_within_one_question(outcomes, score, lambda o: o.same_article_max, 1 / max(n_answerable, 1))
    return max((o for o in outcomes if o.same_article_max == fewest), key=lambda o: (score(o), o.same_article, o.threshold))


# A question about something else altogether (kind ``off_topic``: a recipe, a phone) must not be pointed
# at an article: the pointer floor is the least probability at which at most this share of the
# training ones would be.
POINTER_OFF_TOPIC_SHARE = 0.05


def fit_pointer(data: list[QuestionData], probs: list[np.ndarray], chosen: Outcome, *,
                off_topic_share: float = POINTER_OFF_TOPIC_SHARE) -> tuple[float, dict]:
    """The least probability of the best passage at which a refusal names its article as the closest
    report (:func:`retrieval.answering.evidence.closest`), replayed on the out-of-fold probabilities
    at the chosen answering setting: the lowest floor that points at most ``off_topic_share`` of the
    training questions about other subjects at an article. Instructions to the bot, questions no
    article touches, and those whose best passage is in an article off the subject are refused with
    no pointer at all, as the answerer does."""
    refused: list[tuple[float, QuestionData, np.ndarray]] = []
    for d, p in zip(data, probs, strict=True):
        if _answered(d, p, chosen.threshold, 1.0, chosen.same_article, chosen.same_article_max):
            continue
        if closest(d.passages, p, refusal_reason(d.question, d.passages), floor=0.0) is not None:
            refused.append((float(p.max()), d, p))  # a refusal that may name an article: the floor's to say
    off = [r[0] for r in refused if r[1].item.kind == "off_topic"]
    allowed = int(off_topic_share * len(off))
    floor = next(f for f in [*sorted({round(r[0], 3) for r in refused}), 1.01] if sum(q >= f for q in off) <= allowed)
    pointed = [r for r in refused if r[0] >= floor]

    def to_gold(d: QuestionData, p: np.ndarray) -> bool:  # the article named at that floor, as answering names it
        near = closest(d.passages, p, "refusal", floor, mask=d.can_answer)
        return near is not None and near.article.meta.doc_id in d.item.gold_docs

    answerable = [r for r in pointed if r[1].item.answerable]
    return floor, {
        "floor": floor, "off_topic_share": off_topic_share, "refused": len(refused),
        "refused_answerable": sum(r[1].item.answerable for r in refused), "refused_off_topic": len(off),
        "pointed": len(pointed), "pointed_off_topic": sum(q >= floor for q in off),
        "pointed_answerable": len(answerable), "pointed_answerable_to_gold": sum(to_gold(d, p) for _, d, p in answerable),
    }


def fit(data: list[QuestionData], *, target_precision: float = 0.9, folds: int = 5, seed: int = 0,
        grid: tuple[float, ...] = (0.01, 0.03, 0.1, 0.3, 1.0), corpus_docs: int = 1,
        retrieve_k: int = 8) -> tuple[EvidenceModel, dict]:
    """Choose the regularisation and thresholds by cross-validation over questions, then fit on all.
    ``corpus_docs``: the articles in the corpus the questions were asked of; ``retrieve_k``: the
    chunks retrieved per question when ``data`` was collected (both recorded in the model)."""
    report: dict[str, Any] = {"questions": len(data), "passages": int(sum(len(d.passages) for d in data)),
                              "positives": int(sum(int(d.labels.sum()) for d in data)),
                              "with_a_positive": int(sum(bool(d.labels.any()) for d in data)), "grid": {}}
    best: tuple[tuple[int, float], float, list[np.ndarray]] | None = None
    for c in grid:
        probs = out_of_fold(data, c, folds, seed)
        top1 = sum(int(d.labels[int(np.argmax(p))]) for d, p in zip(data, probs, strict=True) if d.labels.any())
        report["grid"][str(c)] = {"best_passage_holds_answer": top1}
        key = (top1, -c)
        if best is None or key > best[0]:
            best = (key, c, probs)
    assert best is not None
    _, c, probs = best
    candidates = sorted({round(float(p.max()), 3) for p in probs if p.size})
    table = [replay(data, probs, t, 1.0, r, m) for m in SAME_ARTICLE_MAX_GRID for r in SAME_ARTICLE_GRID
             for t in candidates]
    n_answerable = sum(d.item.answerable and d.item.kind not in APART for d in data)
    chosen = _within_one_question(table, n_answerable)
    companions = [replay(data, probs, chosen.threshold, k, chosen.same_article, chosen.same_article_max)
                  for k in sorted({max(chosen.threshold, k) for k in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)})]
    good = [o for o in companions if o.citation_precision >= target_precision]
    companion = max(good, key=lambda o: (o.answer_accuracy, -o.companion)) if good else companions[-1]
    pointer, pointing = fit_pointer(data, probs, companion)
    report |= {"C": c, "target_precision": target_precision, "chosen": asdict(companion), "pointer": pointing,
               "thresholds": [asdict(o) for o in table]}
    info = {k: v for k, v in report.items() if k != "thresholds"}
    model = _model(_fit(*_xy(data), c), companion.threshold, companion.companion, companion.same_article,
                   companion.same_article_max, corpus_docs, info, retrieve_k, pointer)
    return model, report


def cross_validated_score(report: dict) -> float:
    """What :func:`fit` maximises when it chooses thresholds, for comparing fits on other data
    (more chunks retrieved per question): answer accuracy + refusal accuracy, out of fold."""
    chosen = report["chosen"]
    return round(chosen["answer_accuracy"] + chosen["refusal_accuracy"], 4)


def fit_retrieve_k(collect_at: Callable[[int], list[QuestionData]], ks: Sequence[int], *,
                   progress: Callable[[str], None] = lambda line: None, **fit_args: Any) -> tuple[EvidenceModel, dict]:
    """Fit once per number of chunks retrieved per question (``collect_at(k)``: the training
    questions' candidates at ``k``) and keep the fewest chunks whose cross-validated score is within
    one question of the best: fewer are faster, and less than one answer's difference is none."""
    fits: list[tuple[int, float, EvidenceModel, dict]] = []
    one_question = 1.0
    for k in sorted(set(ks)):
        data = collect_at(k)
        model, report = fit(data, retrieve_k=k, **fit_args)
        fits.append((k, cross_validated_score(report), model, report))
        one_question = min(one_question, 1 / max(1, sum(d.item.answerable for d in data)))
        progress(f"retrieve_k {k}: cross-validated accuracy + refusal {fits[-1][1]}")
    if not fits:
        raise ValueError("no number of chunks to try")
    fewest = fewest_within_one_question(fits, lambda f: f[1], lambda f: f[0], one_question)
    _, _, model, report = next(f for f in fits if f[0] == fewest)
    grid = {str(k): {"cv_answer_plus_refusal": score, "with_a_positive": r["with_a_positive"]} for k, score, _, r in fits}
    model.info["retrieve_k_grid"] = grid
    return model, report | {"retrieve_k": model.retrieve_k, "retrieve_k_grid": grid}


def write_report(report: dict, path: Path) -> None:
    path.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
