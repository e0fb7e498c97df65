"""A synthetic corpus for scale measurements, made from the seed articles. Never written into
``corpus/``: its articles live only in the benchmark's own data directory, and every one is
marked (``doc_id`` ``syn-…``, outlet and source ``synthetic``).

Each synthetic article is a shuffle of seed sentences in which about one content word in
five is replaced by a made-up word drawn from a Zipf distribution over a large vocabulary,
and numbers are redrawn: the vocabulary and the posting-list lengths then look like a real
corpus's (a few very common words, a long tail), not like five articles repeated.

Embedding 100,000 chunks with the real embedder takes hours on two cores, so sizes beyond
what the bench embeds for real use :class:`DerivedEmbeddings`: a synthetic sentence's vector
is its seed sentence's real vector plus a little noise, renormalised. Ingestion throughput at
those sizes is then the store's own (reported apart from the embedder's).
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import numpy as np

from retrieval.text import STOPWORDS, split_sentences
from retrieval.types import Article

SYNTHETIC = "synthetic"
_WORD = re.compile(r"[^\W\d_]{4,}")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_SYLLABLES = ["ka", "ri", "mo", "tu", "se", "la", "po", "an", "de", "ni", "ku", "ra", "zo", "mi", "ve", "ol"]


def _pseudo_word(rank: int) -> str:
    """A pronounceable made-up word for vocabulary rank ``rank`` (distinct per rank)."""
    out, n = [], rank + 16
    while n:
        n, r = divmod(n, len(_SYLLABLES))
        out.append(_SYLLABLES[r])
    return "".join(out) + "x"


class SyntheticCorpus:
    """Articles ``syn-000000``, ``syn-000001``… made deterministically from ``seeds``."""

    def __init__(self, seeds: list[Article], *, vocabulary: int = 200_000, replace: float = 0.2,
                 sentences: tuple[int, int] = (9, 15), seed: int = 7) -> None:
        self.pool: list[str] = [s for a in seeds for s in split_sentences(a.text) if len(s) > 30]
        self.titles = [a.title for a in seeds]
        self.vocabulary = vocabulary
        self.replace = replace
        self.sentences = sentences
        self.seed = seed
        # sentence text -> index of the seed sentence it was made from (for DerivedEmbeddings)
        self.origin: dict[str, int] = {}

    def _zipf_word(self, rng: random.Random) -> str:
        rank = int(min(self.vocabulary - 1, (rng.paretovariate(1.1) - 1) * 20))
        return _pseudo_word(rank)

    def _perturb(self, sentence: str, rng: random.Random) -> str:
        def word(m: re.Match) -> str:
            w = m.group(0)
            if w.lower() in STOPWORDS or rng.random() > self.replace:
                return w
            new = self._zipf_word(rng)
            return new.capitalize() if w[:1].isupper() else new

        def number(m: re.Match) -> str:
            return str(rng.randint(2, 30000)) if rng.random() < 0.7 else m.group(0)

        return _NUMBER.sub(number, _WORD.sub(word, sentence))

    def article(self, i: int) -> Article:
        rng = random.Random(f"{self.seed}:{i}")
        n = rng.randint(*self.sentences)
        picks = [rng.randrange(len(self.pool)) for _ in range(n)]
        sents = []
        for k in picks:
            s = self._perturb(self.pool[k], rng)
            self.origin[s] = k
            sents.append(s)
        paras = [" ".join(sents[j : j + 3]) for j in range(0, len(sents), 3)]
        title = f"{self._perturb(rng.choice(self.titles), rng)} ({self._zipf_word(rng)} {i})"
        published = datetime(2023, 1, 1) + timedelta(days=rng.randrange(1000))
        return Article(doc_id=f"syn-{i:06d}", title=title, outlet=None, published=published, author=None,
                       language="id", url=None, source=SYNTHETIC, text="\n\n".join(paras))

    def articles(self, start: int, stop: int) -> Iterator[Article]:
        for i in range(start, stop):
            yield self.article(i)


class DerivedEmbeddings:
    """Vectors for synthetic sentences without running the embedder: the seed sentence's real
    vector (embedded once) plus deterministic noise, renormalised. Queries use the real
    embedder. A text the corpus did not make (re-split differently) borrows a seed sentence
    chosen by its hash; ``unknown`` counts them."""

    def __init__(self, real, corpus: SyntheticCorpus, noise: float = 0.35) -> None:
        self.real = real
        self.corpus = corpus
        self.noise = noise
        self.seed_vectors = np.asarray(real.embed_passages(corpus.pool), dtype=np.float32)
        self.dim = self.seed_vectors.shape[1]
        self.unknown = 0

    @staticmethod
    def _hash(text: str) -> int:
        return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            k = self.corpus.origin.pop(t, None)  # made just before: nothing accumulates
            h = self._hash(t)
            if k is None:
                self.unknown += 1
                k = h % len(self.seed_vectors)
            noise = np.asarray(np.random.default_rng(h).standard_normal(size=(self.dim,)), dtype=np.float32)
            v = self.seed_vectors[k] + self.noise * noise / np.linalg.norm(noise)
            out[i] = v / np.linalg.norm(v)
        return out

    def query_vector(self, text: str) -> np.ndarray:
        return self.real.query_vector(text)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()
