"""The vector store: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``).

Two collections: article chunks (what retrieval ranks) and their sentences (what answers
quote), both with vectors we compute ourselves. Chroma's default embedding function
downloads a model from the internet; a guard function that refuses to run is attached
instead, so that can never happen, even by mistake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import chromadb
import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, EmbeddingFunction, Embeddings, GetResult, Where
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from corpus.errors import RnkbotError
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings
from retrieval.types import ArticleMeta, Chunk, Sentence

Metadata = Mapping[str, Any]
SentenceRecord = tuple[str, str, int]  # (text, chunk_id of its first chunk, index in the article; -1: the byline)


class StoreError(RnkbotError, RuntimeError):
    """The index cannot be opened or used; the message says how to fix it."""


@register_embedding_function
class VectorsRequired(EmbeddingFunction[Embeddable]):
    """Attached to rnkbot's collections so Chroma never embeds text on its own."""

    def __init__(self) -> None:  # nothing to configure
        pass

    def __call__(self, input: Embeddable) -> Embeddings:
        raise StoreError("rnkbot passes vectors explicitly; Chroma's own embedding function must not run")

    @staticmethod
    def name() -> str:
        return "rnkbot-vectors-required"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> VectorsRequired:
        return VectorsRequired()

    def default_space(self) -> str:  # type: ignore[override]  # Chroma types it as a Literal of its spaces
        return "cosine"


def meta_record(meta: ArticleMeta) -> dict[str, Any]:
    """The metadata every chunk record of an article carries (Chroma metadata cannot hold None)."""
    d = meta.model_dump(mode="json")
    dt = meta.published
    if dt is not None:
        d["published_ts"] = int(dt.timestamp()) if dt.tzinfo else int(dt.replace(hour=12).timestamp())
    return {k: v for k, v in d.items() if v is not None}  # Chroma metadata cannot hold None


def article_meta(md: Metadata) -> ArticleMeta:
    return ArticleMeta(**{k: md.get(k) for k in ArticleMeta.model_fields if md.get(k) is not None})


def _metadatas(got: GetResult) -> list[Metadata]:
    return list(got["metadatas"] or [])


def _documents(got: GetResult) -> list[str]:
    return list(got["documents"] or [])


class ChunkStore:
    """Article chunks and sentences in Chroma, with article metadata on every record."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: VectorEmbeddings, name: str) -> None:
        self.client = client
        self.embeddings = embeddings
        guard = VectorsRequired()
        space = {"hnsw:space": "cosine"}
        self._chunks = client.get_or_create_collection(name, embedding_function=guard, metadata=space)
        self._sentences = client.get_or_create_collection(f"{name}_sentences", embedding_function=guard, metadata=space)

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        """Chunks in the index."""
        return self._chunks.count()

    def sentence_count(self) -> int:
        """Sentence records in the index (bylines included)."""
        return self._sentences.count()

    def doc_hash(self, doc_id: str) -> str | None:
        got = _metadatas(self._chunks.get(where={"doc_id": doc_id}, limit=1, include=["metadatas"]))
        value = got[0].get("content_hash") if got else None
        return None if value is None else str(value)

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        """Whether the article's last write finished: every chunk and sentence record carries
        ``content_hash`` and there are as many as that write made (no stale or missing ones)."""
        chunks = _metadatas(self._chunks.get(where={"doc_id": doc_id}, include=["metadatas"]))
        if not chunks or any(m.get("content_hash") != content_hash for m in chunks):
            return False
        if len(chunks) != chunks[0].get("n_chunks"):
            return False
        sents = _metadatas(self._sentences.get(where={"doc_id": doc_id}, include=["metadatas"]))
        return len(sents) == chunks[0].get("n_sentences") and all(m.get("content_hash") == content_hash for m in sents)

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        """Another stored article with the same canonical URL or the same normalized text:
        ``(its doc_id, "same URL" | "same text")``, else ``None``."""
        for key, value, why in (("url", url, "same URL"), ("text_hash", text_hash, "same text")):
            if not value:
                continue
            where: Where = {"$and": [{key: value}, {"index": 0}, {"doc_id": {"$ne": doc_id}}]}  # type: ignore[dict-item]  # chromadb's Where (a union of Literal-keyed dicts) defeats inference
            got = _metadatas(self._chunks.get(where=where, limit=1, include=["metadatas"]))
            if got:
                return str(got[0]["doc_id"]), why
        return None

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self) -> list[Metadata]:
        """Metadata of each article's first chunk (includes ``ingested_ts``, ``content_hash``,
        ``text_hash``, ``source`` and the record counts)."""
        return _metadatas(self._chunks.get(where={"index": 0}, include=["metadatas"]))

    def article_record(self, doc_id: str) -> Metadata | None:
        """The metadata of one article's first chunk, as :meth:`article_records` gives it."""
        where: Where = {"$and": [{"doc_id": doc_id}, {"index": 0}]}
        got = _metadatas(self._chunks.get(where=where, limit=1, include=["metadatas"]))
        return got[0] if got else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        """Ids of the stored chunks (of one article, or all), sorted."""
        return sorted(self._chunks.get(where={"doc_id": doc_id} if doc_id else None, include=[])["ids"])

    def chunk_texts(self, doc_id: str) -> list[str]:
        """The texts of an article's chunks, in order."""
        got = self._chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        pairs = zip(_metadatas(got), _documents(got), strict=True)
        return [text for _, text in sorted(pairs, key=lambda p: int(p[0]["index"]))]

    def all_chunks(self) -> list[tuple[Chunk, ArticleMeta]]:
        got = self._chunks.get(include=["documents", "metadatas"])
        rows = zip(got["ids"], _documents(got), _metadatas(got), strict=True)
        return [(self._chunk(i, d, m), article_meta(m)) for i, d, m in rows]

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        n = self.count()
        if n == 0:
            return []
        res = self._chunks.query(query_embeddings=[vector.tolist()], n_results=min(k, n), include=["distances"])
        distances = (res["distances"] or [[]])[0]
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(res["ids"][0], distances, strict=True)]

    def sentences_of(self, doc_ids: Sequence[str]) -> list[Sentence]:
        if not doc_ids:
            return []
        values: list[str | int | float | bool] = list(doc_ids)
        where: Where = {"doc_id": {"$in": values}}  # type: ignore[dict-item]  # as in find_other
        got = self._sentences.get(where=where, include=["documents", "metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        rows = [
            Sentence(i, str(m["doc_id"]), str(m["chunk_id"]), int(m["index"]), d, np.asarray(e, dtype=np.float32))
            for i, d, m, e in zip(got["ids"], _documents(got), _metadatas(got), vectors, strict=True)
        ]
        return sorted(rows, key=lambda r: (r.doc_id, r.index))

    @staticmethod
    def _chunk(chunk_id: str, text: str, md: Metadata) -> Chunk:
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
        sentences: list[SentenceRecord],
        sentence_vectors: np.ndarray,
        *,
        content_hash: str,
        ingested_ts: int,
        text_hash: str | None = None,
    ) -> None:
        """Drop the article's old chunks, write its sentences (:meth:`write_sentences`), then its
        chunks (:meth:`write_chunks`), then drop any stale records of it (:meth:`drop_stale`).

        Vectors are computed before this is called, so a failure while embedding leaves the
        previous version intact. Chunks (what retrieval reaches first) are written after the
        sentences, and every record carries ``content_hash`` and the record counts, so
        :meth:`is_complete` tells a finished write from an interrupted one and a re-run heals it.
        The three steps are public so that a test can cut a write short between them.
        """
        base = meta_record(meta) | {"content_hash": content_hash, "ingested_ts": ingested_ts,
                                   "n_chunks": len(chunks), "n_sentences": len(sentences)}
        if text_hash:
            base["text_hash"] = text_hash
        # An update: the old version leaves retrieval before its sentences are overwritten, so a
        # write cut short leaves the article unreachable until the next run, never half old, half new.
        self._chunks.delete(where={"doc_id": meta.doc_id})
        s_ids = self.write_sentences(meta.doc_id, sentences, sentence_vectors, content_hash)
        c_ids = self.write_chunks(chunks, chunk_vectors, base)
        self.drop_stale(meta.doc_id, keep=set(c_ids) | set(s_ids))

    def write_sentences(self, doc_id: str, sentences: list[SentenceRecord], vectors: np.ndarray,
                        content_hash: str) -> list[str]:
        ids = [f"{doc_id}:s{i:04d}" for _, _, i in sentences]
        self._sentences.upsert(
            ids=ids,
            documents=[t for t, _, _ in sentences],
            embeddings=vectors.tolist(),
            metadatas=[{"doc_id": doc_id, "chunk_id": cid, "index": i, "content_hash": content_hash}
                       for _, cid, i in sentences],
        )
        return ids

    def write_chunks(self, chunks: list[Chunk], vectors: np.ndarray, base: dict[str, Any]) -> list[str]:
        ids = [c.chunk_id for c in chunks]
        self._chunks.upsert(
            ids=ids,
            documents=[c.text for c in chunks],
            embeddings=vectors.tolist(),
            metadatas=[
                base | {"index": c.index, "start_char": c.start_char, "end_char": c.end_char,
                        "sentences_json": json.dumps(c.sentences, ensure_ascii=False)}
                for c in chunks
            ],
        )
        return ids

    def drop_stale(self, doc_id: str, keep: set[str]) -> None:
        """Delete the article's chunk and sentence records whose ids are not in ``keep``."""
        for collection in (self._chunks, self._sentences):
            _drop_stale(collection, doc_id, keep)

    def delete_article(self, doc_id: str) -> None:
        self._chunks.delete(where={"doc_id": doc_id})
        self._sentences.delete(where={"doc_id": doc_id})


def _drop_stale(collection: Collection, doc_id: str, keep: set[str]) -> None:
    old = collection.get(where={"doc_id": doc_id}, include=[])["ids"]
    stale = [i for i in old if i not in keep]
    if stale:
        collection.delete(ids=stale)


def open_store(settings: Settings, embeddings: VectorEmbeddings) -> ChunkStore:
    """The index, checked on opening: a damaged one raises a :class:`StoreError` naming the fix
    (``rnkbot ingest --rebuild``) here, not a Chroma traceback at the first question."""
    from retrieval.index import health  # it builds on this module

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    store = settings.store
    client: chromadb.ClientAPI
    open_failures: tuple[type[BaseException], ...] = (ValueError, OSError, *health.STORE_FAILURES)
    try:
        if store.chroma_host:
            client = chromadb.HttpClient(host=store.chroma_host, port=store.chroma_port, settings=chroma_settings)
        else:
            health.recover_interrupted_swap(store)
            store.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(store.chroma_dir), settings=chroma_settings)
    except open_failures as exc:
        if not store.chroma_host:
            health.forget_client(store.chroma_dir)
        if isinstance(exc, health.STORE_FAILURES):
            raise health.damaged_error(health.location(store), exc) from exc
        where = f"{store.chroma_host}:{store.chroma_port}" if store.chroma_host else str(store.chroma_dir)
        fix = "Check CHROMA_HOST/CHROMA_PORT" if store.chroma_host else f"Check RNKBOT_DATA_DIR, or `{health.REBUILD}`"
        raise StoreError(f"cannot open the Chroma index at {where}: {exc}. {fix}.") from exc
    try:
        with health.reading(store):
            chunk_store = ChunkStore(client, embeddings, store.collection)
            chunk_store.count(), chunk_store.sentence_count()  # damage in Chroma's log shows on the first read
    except StoreError:
        if not store.chroma_host:
            health.close_client(client)
            health.forget_client(store.chroma_dir)
        raise
    return chunk_store
