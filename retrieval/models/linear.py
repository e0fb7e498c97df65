"""The fitted linear scorers' one runtime and one fit: a logistic regression over standardised
features, as the evidence model (answers) and the event model (digests) both use it.

Fitting needs scikit-learn (the ``train`` extra) and imports it only when called; scoring needs numpy.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

Fitted = tuple[np.ndarray, np.ndarray, np.ndarray, float]  # mean, scale, coefficients, intercept


def logistic(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    """The probability of each row of ``x`` (features standardised with ``mean`` and ``scale``)."""
    if x.size == 0:
        return np.zeros(0)
    z = ((x - mean) / scale) @ coef + intercept
    return 1.0 / (1.0 + np.exp(-z))


def fit_logistic(x: np.ndarray, y: np.ndarray, c: float, max_iter: int) -> Fitted:
    """Standardise the features (a constant one keeps scale 1), then fit scikit-learn's
    ``LogisticRegression`` with regularisation ``c``."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    lr = LogisticRegression(C=c, max_iter=max_iter).fit((x - mean) / scale, y)
    return mean, scale, lr.coef_[0], float(lr.intercept_[0])


def write_model(path: Path, data: dict) -> None:
    """Write a fitted model's JSON (the packaged files are read back with ``json``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
