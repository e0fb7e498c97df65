"""The evidence model: a calibrated probability that a passage answers the question.

A logistic regression over :data:`retrieval.answering.features.FEATURES`, fit by
:mod:`retrieval.evaluation.train_evidence` on labelled questions and shipped as a small JSON
file (``data/evidence_model.json``: feature names, scaling, weights, the answer threshold and
how each number was chosen). Scoring needs only numpy; fitting uses scikit-learn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.errors import RnkbotError
from retrieval.models.linear import logistic, write_model

MODEL_PATH = Path(__file__).resolve().parent / "data" / "evidence_model.json"


class ModelFileError(RnkbotError):
    """The fitted evidence model is missing or unreadable; the message says how to rebuild it."""


@dataclass(frozen=True)
class EvidenceModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = field(metadata={"doc": "least probability of the best passage to answer at all"})
    companion: float = field(metadata={"doc": "least probability of a further passage cited beside the best"})
    same_article: float = field(default=0.5, metadata={
        "doc": "further sentences of the best article are quoted too when at least this likely relative to the best"})
    same_article_max: int = field(default=1, metadata={
        "doc": "how many further sentences of the best article may be quoted (the most likely first)"})
    corpus_docs: int = field(default=1, metadata={
        "doc": "articles in the corpus it was fit on: a smaller corpus's document frequencies are read as if from "
               "one this size (five articles say little about how rare a word is)"})
    retrieve_k: int = field(default=8, metadata={
        "doc": "chunks retrieved per question in training, chosen by cross-validation with the rest: answering "
               "retrieves as many unless RNKBOT_RETRIEVE_K says otherwise"})
    pointer: float = field(default=1.01, metadata={
        "doc": "least probability of the best passage for a refusal to name its article as the closest report "
               "(above 1: never)"})
    reply_floor: float = field(default=0.0, metadata={
        "doc": "least probability of the best sentence of the articles an answer cited, holding the kind of answer "
               "a reply asks for (a day, a number), for that reply to be answered from it when it clears no threshold "
               "of its own (\"kapan itu?\"); fit on labelled replies by `rnkbot fit-replies`"})
    info: dict = field(default_factory=dict, repr=False)

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return logistic(x, self.mean, self.scale, self.coef, self.intercept)

    def to_json(self) -> dict:
        return {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
            "companion": self.companion, "same_article": self.same_article,
            "same_article_max": self.same_article_max, "corpus_docs": self.corpus_docs,
            "retrieve_k": self.retrieve_k, "pointer": self.pointer, "reply_floor": self.reply_floor,
            "info": self.info,
        }

    @classmethod
    def from_json(cls, d: dict) -> EvidenceModel:
        return cls(tuple(d["features"]), np.asarray(d["mean"]), np.asarray(d["scale"]), np.asarray(d["coef"]),
                   float(d["intercept"]), float(d["threshold"]), float(d["companion"]),
                   float(d.get("same_article", 0.5)), int(d.get("same_article_max", 1)), int(d.get("corpus_docs", 1)),
                   int(d.get("retrieve_k", 8)), float(d.get("pointer", 1.01)), float(d.get("reply_floor", 0.0)),
                   d.get("info", {}))

    def save(self, path: Path = MODEL_PATH) -> None:
        write_model(path, self.to_json())


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> EvidenceModel:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return EvidenceModel.from_json(data)
    except FileNotFoundError as exc:
        raise ModelFileError(f"the evidence model {path} is missing; reinstall rnkbot or rebuild it with `rnkbot train`") from exc
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"the evidence model {path} is unreadable ({exc}); rebuild it with `rnkbot train`") from exc
