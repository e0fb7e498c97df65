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
import math
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any

import chromadb
import httpx
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
# records with their own clock just before writing, so a record may land a little "in the past"
# (clocks of writing machines must agree within this). Every sync re-reads the records of this
# window: right after a bulk ingest that is thousands (measured: ~0.17 s at 5 minutes' worth).
LOG_WINDOW_NS = 60 * 10**9


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


def _log_vector(doc_id: str) -> list[float]:
    """The change log needs a vector per record (Chroma's rule); a point on the unit circle
    spread by the doc_id keeps its HNSW graph healthy (identical vectors are not)."""
    angle = (zlib.crc32(doc_id.encode("utf-8")) / 2**32) * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


@dataclass
class ArticleWrite:
    """One article as :meth:`ChunkStore.replace_articles` writes it (vectors computed already)."""

    meta: ArticleMeta
    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[tuple[str, str, int]]
    sentence_vectors: np.ndarray
    content_hash: str
    ingested_ts: int
    text_hash: str | None = None
    sentence_chunks: list[list[str]] | None = None


def lexical_text(chunk: Chunk, meta: ArticleMeta) -> str:
    """What the lexical index holds for a chunk: the title with every chunk (the first one
    also with outlet and author), then the chunk's text."""
    head = f"{meta.title} {meta.outlet or ''} {meta.author or ''}" if chunk.index == 0 else meta.title
    return f"{head} {chunk.text}"


class _Reachable:
    """A Chroma server collection whose transport errors (server stopped, unreachable, timed
    out) become :class:`StoreError` with what to check; every other attribute is the collection's."""

    def __init__(self, collection, where: str) -> None:
        self._collection = collection
        self._where = where

    def __getattr__(self, name: str):
        value = getattr(self._collection, name)
        if not callable(value):
            return value

        def call(*args, **kwargs):
            try:
                return value(*args, **kwargs)
            except httpx.TransportError as exc:
                raise StoreError(f"cannot reach the Chroma server at {self._where}: {exc}. Is it running? "
                                 "Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN).") from exc

        return call


class ChunkStore:
    """Article chunks and sentences in Chroma, with article metadata on every record."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: VectorEmbeddings, name: str,
                 lexical: LexicalIndex | None = None, server: str | None = None) -> None:
        self.client = client
        self.embeddings = embeddings
        guard = VectorsRequired()
        space = {"hnsw:space": "cosine"}
        self.chunks = client.get_or_create_collection(name, embedding_function=guard, metadata=space)
        self.sentences = client.get_or_create_collection(f"{name}_sentences", embedding_function=guard, metadata=space)
        self.changes = client.get_or_create_collection(f"{name}_log", embedding_function=guard, metadata=space)
        if server:
            self.chunks, self.sentences, self.changes = (_Reachable(c, server) for c in (self.chunks, self.sentences, self.changes))
        self.lexical = lexical if lexical is not None else LexicalIndex(":memory:")
        self._sync_lock = threading.Lock()
        self._backfilled = False

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        return self.chunks.count()

    def doc_hash(self, doc_id: str) -> str | None:
        return self.doc_hashes([doc_id]).get(doc_id)

    def doc_hashes(self, doc_ids: list[str]) -> dict[str, str]:
        """``{doc_id: content hash}`` of the stored ones among ``doc_ids`` (one read)."""
        if not doc_ids:
            return {}
        got = self.chunks.get(where={"$and": [{"doc_id": {"$in": list(doc_ids)}}, {"index": 0}]}, include=["metadatas"])
        return {m["doc_id"]: m.get("content_hash") for m in got["metadatas"]}

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        """Whether the article's last write finished: every chunk and sentence record carries
        ``content_hash``, there are as many as that write made (no stale or missing ones), and
        the change log holds that hash (it is written last)."""
        return doc_id in self.complete({doc_id: content_hash})

    def complete(self, expected: dict[str, str]) -> set[str]:
        """The articles among ``{doc_id: content hash}`` whose write of that version finished
        (see :meth:`is_complete`); three reads for all of them."""
        if not expected:
            return set()
        ids = list(expected)
        chunks: dict[str, list[dict]] = {d: [] for d in ids}
        sents: dict[str, list[dict]] = {d: [] for d in ids}
        for m in self.chunks.get(where={"doc_id": {"$in": ids}}, include=["metadatas"])["metadatas"]:
            chunks[m["doc_id"]].append(m)
        for m in self.sentences.get(where={"doc_id": {"$in": ids}}, include=["metadatas"])["metadatas"]:
            sents[m["doc_id"]].append(m)
        self._backfill_log()
        logged = {m["doc_id"]: m.get("content_hash") for m in self.changes.get(ids=ids, include=["metadatas"])["metadatas"]}
        done = set()
        for d, h in expected.items():
            cs, ss = chunks[d], sents[d]
            if (cs and len(cs) == cs[0].get("n_chunks") and len(ss) == cs[0].get("n_sentences")
                    and all(m.get("content_hash") == h for m in cs + ss) and logged.get(d) == h):
                done.add(d)
        return done

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        """Another stored article with the same canonical URL or the same normalized text:
        ``(its doc_id, "same URL" | "same text")``, else ``None``."""
        return self.find_others([(doc_id, url, text_hash)]).get(doc_id)

    def find_others(self, items: list[tuple[str, str | None, str | None]]) -> dict[str, tuple[str, str]]:
        """:meth:`find_other` for many ``(doc_id, url, text_hash)`` at once (two reads)."""
        out: dict[str, tuple[str, str]] = {}
        for key, pos, why in (("url", 1, "same URL"), ("text_hash", 2, "same text")):
            values = list({it[pos] for it in items if it[pos]})
            if not values:
                continue
            got = self.chunks.get(where={"$and": [{key: {"$in": values}}, {"index": 0}]}, include=["metadatas"])
            owners: dict[str, set[str]] = {}
            for m in got["metadatas"]:
                owners.setdefault(m[key], set()).add(m["doc_id"])
            for doc_id, *rest in items:
                value = rest[pos - 1]
                others = sorted(owners.get(value, set()) - {doc_id}) if value else []
                if others and doc_id not in out:
                    out[doc_id] = (others[0], why)
        return out

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self, since_ts: float | None = None) -> list[dict[str, Any]]:
        """Metadata of each article's first chunk (includes ``ingested_ts`` and ``content_hash``);
        with ``since_ts``, only articles ingested or published after it (read through Chroma's
        metadata index, not by reading every article)."""
        where: dict[str, Any] = {"index": 0}
        if since_ts is not None:
            lo = int(since_ts)  # Chroma compares ints with ints; the caller filters the exact bounds
            where = {"$and": [where, {"$or": [{"ingested_ts": {"$gte": lo}}, {"published_ts": {"$gte": lo}}]}]}
        return self.chunks.get(where=where, include=["metadatas"])["metadatas"]

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
        """The ``k`` chunks nearest to ``vector``, best first: a chunk scores the cosine
        similarity of its best sentence (the byline counts for the first chunk).

        Sentences are what is embedded (once each); a query reads ``4 * k`` of them."""
        n = self.sentences.count()
        if n == 0:
            return []
        res = self.sentences.query(query_embeddings=[vector.tolist()], n_results=min(4 * k, n),
                                   include=["distances", "metadatas"])
        best: dict[str, float] = {}
        for md, dist in zip(res["metadatas"][0], res["distances"][0]):
            for cid in filter(None, (md.get("chunk_id"), md.get("chunk_id_2"))):
                best.setdefault(cid, 1.0 - float(dist))  # results come nearest first
        return sorted(best.items(), key=lambda kv: -kv[1])[:k]

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
        sentence_chunks: list[list[str]] | None = None,
    ) -> None:
        """Write one article; see :meth:`replace_articles`."""
        self.replace_articles([ArticleWrite(meta, chunks, chunk_vectors, sentences, sentence_vectors, content_hash,
                                            ingested_ts, text_hash, sentence_chunks)])

    def replace_articles(self, writes: list["ArticleWrite"]) -> None:
        """Write articles' sentences, then their chunks, then drop any stale records of them,
        then log the changes, then index them lexically: a few calls for the whole batch.

        Vectors are computed before this is called, so a failure while embedding leaves the
        previous versions intact. Chunks (what retrieval reaches first) are written after the
        sentences, every record carries its article's ``content_hash`` and record counts, and
        the change log is written after both: :meth:`is_complete` tells a finished write from
        an interrupted one, and a re-run heals it.
        """
        if not writes:
            return
        s_ids, s_docs, s_vecs, s_meta = [], [], [], []
        c_ids, c_docs, c_vecs, c_meta = [], [], [], []
        for w in writes:
            base = _meta_dict(w.meta) | {"content_hash": w.content_hash, "ingested_ts": w.ingested_ts,
                                         "n_chunks": len(w.chunks), "n_sentences": len(w.sentences)}
            if w.text_hash:
                base["text_hash"] = w.text_hash
            also_in = w.sentence_chunks or [[]] * len(w.sentences)
            for (text, cid, i), vec, also in zip(w.sentences, w.sentence_vectors, also_in):
                s_ids.append(f"{w.meta.doc_id}:s{i:04d}")
                s_docs.append(text)
                s_vecs.append(vec)
                s_meta.append({"doc_id": w.meta.doc_id, "chunk_id": cid, "index": i, "content_hash": w.content_hash}
                              | ({"chunk_id_2": also[1]} if len(also) > 1 else {}))
            for c, vec in zip(w.chunks, w.chunk_vectors):
                c_ids.append(c.chunk_id)
                c_docs.append(c.text)
                c_vecs.append(vec)
                c_meta.append(base | {"index": c.index, "start_char": c.start_char, "end_char": c.end_char,
                                      "sentences_json": json.dumps(c.sentences, ensure_ascii=False)})
        self.sentences.upsert(ids=s_ids, documents=s_docs, embeddings=np.asarray(s_vecs, dtype=np.float32), metadatas=s_meta)
        self.chunks.upsert(ids=c_ids, documents=c_docs, embeddings=np.asarray(c_vecs, dtype=np.float32), metadatas=c_meta)
        doc_ids = [w.meta.doc_id for w in writes]
        self._drop_stale(self.chunks, doc_ids, set(c_ids))
        self._drop_stale(self.sentences, doc_ids, set(s_ids))
        self._log({w.meta.doc_id: w.content_hash for w in writes})
        self.lexical.write_articles([
            (w.meta.doc_id, w.content_hash, [LexicalChunk(c.chunk_id, lexical_text(c, w.meta)) for c in w.chunks])
            for w in writes
        ])

    def delete_article(self, doc_id: str) -> None:
        self.chunks.delete(where={"doc_id": doc_id})
        self.sentences.delete(where={"doc_id": doc_id})
        self._log({doc_id: ""})
        self.lexical.delete_article(doc_id)

    def _log(self, hashes: dict[str, str]) -> None:
        """Record that each ``doc_id`` now has its ``content_hash`` ("" = deleted): written last,
        so a logged hash also means that write finished."""
        seq = time.time_ns()
        ids = list(hashes)
        self.changes.upsert(ids=ids, embeddings=[_log_vector(d) for d in ids],
                            metadatas=[{"doc_id": d, "content_hash": hashes[d], "seq": seq} for d in ids])

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
        for i in range(0, len(records), 1000):
            self._log({m["doc_id"]: m.get("content_hash", "") for m in records[i : i + 1000]})

    @staticmethod
    def _drop_stale(collection, doc_ids: list[str], keep: set[str]) -> None:
        old = collection.get(where={"doc_id": {"$in": list(doc_ids)}}, include=[])["ids"]
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
        return ChunkStore(client, embeddings, settings.collection, lexical,
                          server=f"{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else None)
    except Exception as exc:
        if settings.chroma_host:
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_host}:{settings.chroma_port}: {exc}. "
                             "Is it running? Check CHROMA_HOST/CHROMA_PORT (and CHROMA_AUTH_TOKEN).") from exc
        raise
