"""The index: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``), and the
lexical index (SQLite FTS5, :mod:`retrieval.index.lexical`) beside it.

Three collections: article chunks (what retrieval ranks), their sentences (what answers
quote), both with vectors we compute ourselves, and a change log (one record per article:
its content hash and when it was last written or deleted). Chroma's default embedding
function downloads a model from the internet; a guard function that refuses to run is
attached instead, so that can never happen, even by mistake.

The log is what keeps a lexical index in step with Chroma: a process applies every logged
change it has not seen (:meth:`ChunkStore.sync_lexical`), so processes on other machines,
with a lexical file of their own, see what was written elsewhere, and a lost file is rebuilt.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings
from retrieval.types import ArticleMeta, Chunk, Sentence

log = logging.getLogger(__name__)

# A change is looked for again for this long after the newest one applied: writers stamp log
# records with their own clock just before writing, so a record may land a little "in the past".
LOG_WINDOW_NS = 300 * 10**9


class StoreError(RuntimeError):
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


def lexical_text(chunk: Chunk, meta: ArticleMeta) -> str:
    """What the lexical index holds for a chunk: the title with every chunk (the first one
    also with outlet and author), then the chunk's text."""
    head = f"{meta.title} {meta.outlet or ''} {meta.author or ''}" if chunk.index == 0 else meta.title
    return f"{head} {chunk.text}"


class ChunkStore:
    """Article chunks and sentences in Chroma, with article metadata on every record."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: VectorEmbeddings, name: str,
                 lexical: LexicalIndex | None = None) -> None:
        self.client = client
        self.embeddings = embeddings
        guard = VectorsRequired()
        space = {"hnsw:space": "cosine"}
        self.chunks = client.get_or_create_collection(name, embedding_function=guard, metadata=space)
        self.sentences = client.get_or_create_collection(f"{name}_sentences", embedding_function=guard, metadata=space)
        self.changes = client.get_or_create_collection(f"{name}_log", embedding_function=guard, metadata=space)
        self.lexical = lexical if lexical is not None else LexicalIndex(":memory:")
        self._sync_lock = threading.Lock()
        self._backfilled = False

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
        if len(sents) != chunks[0].get("n_sentences") or any(m.get("content_hash") != content_hash for m in sents):
            return False
        self._backfill_log()
        logged = self.changes.get(ids=[doc_id], include=["metadatas"])["metadatas"]
        return bool(logged) and logged[0].get("content_hash") == content_hash

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

    def chunks_by_id(self, chunk_ids: list[str]) -> dict[str, tuple[Chunk, ArticleMeta]]:
        """The chunks with these ids that exist now (one read)."""
        if not chunk_ids:
            return {}
        got = self.chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["documents", "metadatas"])
        return {i: (self._chunk(i, d, m), article_meta(m)) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(cid, score) for cid, score, _ in self.dense_chunks(vector, k)]

    def dense_chunks(self, vector: np.ndarray, k: int) -> list[tuple[str, float, tuple[Chunk, ArticleMeta]]]:
        """The ``k`` chunks nearest to ``vector`` (cosine similarity), with their text and article."""
        n = self.count()
        if n == 0:
            return []
        res = self.chunks.query(query_embeddings=[vector.tolist()], n_results=min(k, n),
                                include=["distances", "documents", "metadatas"])
        return [(cid, 1.0 - float(dist), (self._chunk(cid, doc, md), article_meta(md)))
                for cid, dist, doc, md in zip(res["ids"][0], res["distances"][0], res["documents"][0], res["metadatas"][0])]

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
        self._log(meta.doc_id, content_hash)
        self.lexical.write_article(meta.doc_id, content_hash,
                                   [LexicalChunk(c.chunk_id, lexical_text(c, meta)) for c in chunks])

    def delete_article(self, doc_id: str) -> None:
        self.chunks.delete(where={"doc_id": doc_id})
        self.sentences.delete(where={"doc_id": doc_id})
        self._log(doc_id, "")
        self.lexical.delete_article(doc_id)

    def _log(self, doc_id: str, content_hash: str) -> None:
        """Record that ``doc_id`` now has ``content_hash`` ("" = deleted): written last, so a
        logged hash also means that write finished."""
        self.changes.upsert(ids=[doc_id], embeddings=[[1.0]],
                            metadatas=[{"doc_id": doc_id, "content_hash": content_hash, "seq": time.time_ns()}])

    # --- the lexical index, kept in step with Chroma ---------------------------------
    def ensure_lexical(self, doc_id: str, content_hash: str) -> bool:
        """Index ``doc_id`` lexically from its stored chunks unless the lexical index already
        has this version. Returns whether it had to (a write cut short after Chroma, or
        another machine's write)."""
        if self.lexical.doc_hash(doc_id) == content_hash:
            return False
        return self._index_from_chroma(doc_id, content_hash)

    def _index_from_chroma(self, doc_id: str, content_hash: str) -> bool:
        got = self.chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        rows = list(zip(got["ids"], got["documents"], got["metadatas"]))
        if not rows or any(m.get("content_hash") != content_hash for _, _, m in rows) or len(rows) != rows[0][2].get("n_chunks"):
            return False  # being rewritten right now: its own log record will come
        items = sorted(((self._chunk(i, d, m), article_meta(m)) for i, d, m in rows), key=lambda r: r[0].index)
        self.lexical.write_article(doc_id, content_hash, [LexicalChunk(c.chunk_id, lexical_text(c, a)) for c, a in items])
        return True

    def sync_lexical(self) -> int:
        """Apply the changes logged in Chroma since this lexical index last looked (by any
        process sharing its file); returns how many articles changed. One small read when
        nothing did."""
        with self._sync_lock:
            self._backfill_log()
            cursor = self.lexical.log_cursor
            got = self.changes.get(where={"seq": {"$gt": cursor - LOG_WINDOW_NS}}, include=["metadatas"])
            records = sorted(got["metadatas"], key=lambda m: m["seq"])
            if not records:
                return 0
            have = self.lexical.doc_hashes(m["doc_id"] for m in records)
            changed = 0
            for md in records:
                doc_id, h = md["doc_id"], md.get("content_hash", "")
                if not h:
                    if doc_id in have:
                        self.lexical.delete_article(doc_id)
                        changed += 1
                elif have.get(doc_id) != h and self._index_from_chroma(doc_id, h):
                    changed += 1
            newest = records[-1]["seq"]
            if newest > cursor:
                self.lexical.advance_cursor(newest)
            if changed:
                log.info("lexical index: %d article(s) updated from the change log", changed)
            return changed

    def _backfill_log(self) -> None:
        """An index written before the change log existed gets one record per article (once)."""
        if self._backfilled:
            return
        self._backfilled = True
        if self.changes.count() or not self.chunks.count():
            return
        records = self.article_records()
        now = time.time_ns()
        for i in range(0, len(records), 1000):
            part = records[i : i + 1000]
            self.changes.upsert(
                ids=[m["doc_id"] for m in part], embeddings=[[1.0]] * len(part),
                metadatas=[{"doc_id": m["doc_id"], "content_hash": m.get("content_hash", ""), "seq": now} for m in part],
            )

    @staticmethod
    def _drop_stale(collection, doc_id: str, keep: set[str]) -> None:
        old = collection.get(where={"doc_id": doc_id}, include=[])["ids"]
        stale = [i for i in old if i not in keep]
        if stale:
            collection.delete(ids=stale)


def open_store(settings: Settings, embeddings: VectorEmbeddings) -> ChunkStore:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_host and settings.chroma_auth_token:
        chroma_settings = ChromaSettings(
            anonymized_telemetry=False, allow_reset=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=settings.chroma_auth_token.get_secret_value(),
            chroma_auth_token_transport_header=settings.chroma_auth_header,
        )
    try:
        if settings.chroma_host:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings)
        else:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except (ValueError, OSError) as exc:
        where = f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else str(settings.chroma_dir)
        raise StoreError(f"cannot open the Chroma index at {where}: {exc}. Check CHROMA_HOST/CHROMA_PORT or RNKBOT_DATA_DIR.") from exc
    try:
        lexical = LexicalIndex(settings.lexical_db_path)
    except Exception as exc:  # sqlite3 errors: a read-only or corrupt file
        raise StoreError(f"cannot open the lexical index {settings.lexical_db_path}: {exc}. "
                         "It is rebuilt from Chroma when deleted; check RNKBOT_LEXICAL_DB or RNKBOT_DATA_DIR.") from exc
    try:
        return ChunkStore(client, embeddings, settings.collection, lexical)
    except Exception as exc:
        if settings.chroma_host:
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}: {exc}. "
                             "Is it running? Check CHROMA_HOST/CHROMA_PORT (and CHROMA_AUTH_TOKEN).") from exc
        raise
