"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``).

Two collections: article chunks (what retrieval ranks) and their sentences (what answers
quote), both with vectors we compute ourselves. Chroma's default embedding function
downloads a model from the internet; a guard function that refuses to run is attached
instead, so that can never happen, even by mistake.
"""

from __future__ import annotations

import json
from typing import Any

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from corpus.errors import RnkbotError
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings
from retrieval.types import ArticleMeta, Chunk, Sentence


class StoreError(RnkbotError, RuntimeError):
    """The index cannot be opened or used; the message says how to fix it."""


@register_embedding_function
class VectorsRequired(EmbeddingFunction[Documents]):
    """Attached to rnkbot's collections so Chroma never embeds text on its own."""

    def __init__(self) -> None:  # noqa: D107 - nothing to configure
        pass

    def __call__(self, input: Documents):  # noqa: A002 - Chroma's signature
        raise StoreError("rnkbot passes vectors explicitly; Chroma's own embedding function must not run")

    @staticmethod
    def name() -> str:
        return "rnkbot-vectors-required"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "VectorsRequired":
        return VectorsRequired()

    def default_space(self):
        return "cosine"


def _meta_dict(meta: ArticleMeta) -> dict[str, Any]:
    d = meta.model_dump(mode="json")
    dt = meta.published
    if dt is not None:
        d["published_ts"] = int(dt.timestamp()) if dt.tzinfo else int(dt.replace(hour=12).timestamp())
    return {k: v for k, v in d.items() if v is not None}  # Chroma metadata cannot hold None


def article_meta(md: dict[str, Any]) -> ArticleMeta:
    return ArticleMeta(**{k: md.get(k) for k in ArticleMeta.model_fields if md.get(k) is not None})


class ChunkStore:
    """Article chunks and sentences in Chroma, with article metadata on every record."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: VectorEmbeddings, name: str) -> None:
        self.client = client
        self.embeddings = embeddings
        guard = VectorsRequired()
        space = {"hnsw:space": "cosine"}
        self.chunks = client.get_or_create_collection(name, embedding_function=guard, metadata=space)
        self.sentences = client.get_or_create_collection(f"{name}_sentences", embedding_function=guard, metadata=space)

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        return self.chunks.count()

    def doc_hash(self, doc_id: str) -> str | None:
        got = self.chunks.get(where={"doc_id": doc_id}, limit=1, include=["metadatas"])
        return got["metadatas"][0].get("content_hash") if got["ids"] else None

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        """Whether the article's last write finished: every chunk and sentence record carries
        ``content_hash`` and there are as many as that write made (no stale or missing ones)."""
        chunks = self.chunks.get(where={"doc_id": doc_id}, include=["metadatas"])["metadatas"]
        if not chunks or any(m.get("content_hash") != content_hash for m in chunks):
            return False
        if len(chunks) != chunks[0].get("n_chunks"):
            return False
        sents = self.sentences.get(where={"doc_id": doc_id}, include=["metadatas"])["metadatas"]
        return len(sents) == chunks[0].get("n_sentences") and all(m.get("content_hash") == content_hash for m in sents)

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        """Another stored article with the same canonical URL or the same normalized text:
        ``(its doc_id, "same URL" | "same text")``, else ``None``."""
        for key, value, why in (("url", url, "same URL"), ("text_hash", text_hash, "same text")):
            if not value:
                continue
            got = self.chunks.get(where={"$and": [{key: value}, {"index": 0}, {"doc_id": {"$ne": doc_id}}]},
                                  limit=1, include=["metadatas"])
            if got["ids"]:
                return got["metadatas"][0]["doc_id"], why
        return None

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self) -> list[dict[str, Any]]:
        """Metadata of each article's first chunk (includes ``ingested_ts`` and ``content_hash``)."""
        return self.chunks.get(where={"index": 0}, include=["metadatas"])["metadatas"]

    def all_chunks(self) -> list[tuple[Chunk, ArticleMeta]]:
        got = self.chunks.get(include=["documents", "metadatas"])
        return [(self._chunk(i, d, m), article_meta(m)) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])]

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = self.count()
        if n == 0:
            return []
        res = self.chunks.query(query_embeddings=[vector.tolist()], n_results=min(k, n), include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], res["distances"][0])]

    def sentences_of(self, doc_ids: list[str]) -> list[Sentence]:
        if not doc_ids:
            return []
        got = self.sentences.get(
            where={"doc_id": {"$in": list(doc_ids)}}, include=["documents", "metadatas", "embeddings"]
        )
        rows = [
            Sentence(i, m["doc_id"], m["chunk_id"], int(m["index"]), d, np.asarray(e, dtype=np.float32))
            for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"])
        ]
        return sorted(rows, key=lambda r: (r.doc_id, r.index))

    @staticmethod
    def _chunk(chunk_id: str, text: str, md: dict[str, Any]) -> Chunk:
        return Chunk(
            chunk_id=chunk_id, doc_id=md["doc_id"], index=int(md["index"]), text=text,
            start_char=int(md.get("start_char", 0)), end_char=int(md.get("end_char", len(text))),
            sentences=json.loads(md.get("sentences_json", "[]")),
        )

    # --- writes ------------------------------------------------------------------
    def replace_article(
        self,
        meta: ArticleMeta,
        chunks: list[Chunk],
        chunk_vectors: np.ndarray,
        sentences: list[tuple[str, str, int]],
        sentence_vectors: np.ndarray,
        *,
        content_hash: str,
        ingested_ts: int,
        text_hash: str | None = None,
    ) -> None:
        """Write an article's sentences, then its chunks, then drop any stale records of it.

        Vectors are computed before this is called, so a failure while embedding leaves the
        previous version intact. Chunks (what retrieval reaches first) are written after the
        sentences, and every record carries ``content_hash`` and the record counts, so
        :meth:`is_complete` tells a finished write from an interrupted one and a re-run heals it.
        """
        base = _meta_dict(meta) | {"content_hash": content_hash, "ingested_ts": ingested_ts,
                                   "n_chunks": len(chunks), "n_sentences": len(sentences)}
        if text_hash:
            base["text_hash"] = text_hash
        c_ids = [c.chunk_id for c in chunks]
        s_ids = [f"{meta.doc_id}:s{i:04d}" for _, _, i in sentences]
        self.sentences.upsert(
            ids=s_ids,
            documents=[t for t, _, _ in sentences],
            embeddings=sentence_vectors.tolist(),
            metadatas=[{"doc_id": meta.doc_id, "chunk_id": cid, "index": i, "content_hash": content_hash}
                       for _, cid, i in sentences],
        )
        self.chunks.upsert(
            ids=c_ids,
            documents=[c.text for c in chunks],
            embeddings=chunk_vectors.tolist(),
            metadatas=[
                base | {"index": c.index, "start_char": c.start_char, "end_char": c.end_char,
                        "sentences_json": json.dumps(c.sentences, ensure_ascii=False)}
                for c in chunks
            ],
        )
        self._drop_stale(self.chunks, meta.doc_id, set(c_ids))
        self._drop_stale(self.sentences, meta.doc_id, set(s_ids))

    def delete_article(self, doc_id: str) -> None:
        self.chunks.delete(where={"doc_id": doc_id})
        self.sentences.delete(where={"doc_id": doc_id})

    @staticmethod
    def _drop_stale(collection, doc_id: str, keep: set[str]) -> None:
        old = collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        stale = [i for i in old if i not in keep]
        if stale:
            collection.delete(ids=stale)


def open_store(settings: Settings, embeddings: VectorEmbeddings) -> ChunkStore:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    store = settings.store
    try:
        if store.chroma_host:
            client = chromadb.HttpClient(host=store.chroma_host, port=store.chroma_port, settings=chroma_settings)
        else:
            store.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(store.chroma_dir), settings=chroma_settings)
    except (ValueError, OSError) as exc:
        where = f"{store.chroma_host}:{store.chroma_port}" if store.chroma_host else str(store.chroma_dir)
        raise StoreError(f"cannot open the Chroma index at {where}: {exc}. Check CHROMA_HOST/CHROMA_PORT or RNKBOT_DATA_DIR.") from exc
    return ChunkStore(client, embeddings, store.collection)
