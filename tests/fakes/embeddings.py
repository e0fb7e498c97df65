"""A deterministic embedder for the unit tier: hashed bags of stems, normalised.

Texts that share words are close, texts that share none are orthogonal; no model is loaded.
Scores are not e5's (on-topic text scores 0.80-0.95 there), so tests that depend on dense
similarity values belong to the e2e tier.
"""

from __future__ import annotations

import hashlib

import numpy as np

from retrieval.text import STOPWORDS, stem, words

DIM = 384


def _slot(token: str) -> tuple[int, float]:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest[:4], "little") % DIM, 1.0 if digest[4] & 1 else -1.0


class FakeEmbeddings:
    """The interface of :class:`retrieval.models.embeddings.E5Embeddings` (numpy and LangChain)."""

    dim = DIM

    def __init__(self) -> None:
        self.calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(DIM, dtype=np.float32)
        for word in words(text):
            if word not in STOPWORDS:
                index, sign = _slot(stem(word))
                vec[index] += sign
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def query_vector(self, text: str) -> np.ndarray:
        self.calls += 1
        return self._vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()
