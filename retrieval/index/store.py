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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import chromadb
import httpx
import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, EmbeddingFunction, Embeddings, GetResult, Where
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError
from chromadb.utils.embedding_functions import register_embedding_function

from corpus.errors import RnkbotError
from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.settings import Settings, StoreSettings
from retrieval.types import ArticleMeta, Chunk, Sentence

log = logging.getLogger(__name__)

Metadata = Mapping[str, Any]
SentenceRecord = tuple[str, str, int]  # (text, chunk_id of its first chunk, index in the article; -1: the byline)

# A change is looked for again for this long after the newest one applied: writers stamp log
# records with their own clock just before writing, so a record may land a little "in the past"
# (clocks of writing and reading machines must agree within this). A sync re-reads only what
# could have landed since this process's previous read, which started at ``T``: a record stamped
# before ``T - window`` had landed by then, so it was read or is older than the cursor's window.
# Only a process's first sync reads the whole window (after a bulk ingest: thousands of records);
# the next ones read what is new, usually nothing (measured: ~45 ms a question at 100k chunks
# under load, to ~1 ms).
LOG_WINDOW_NS = 60 * 10**9


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


def _any_of(key: str, values: Sequence[str]) -> Where:
    """``{key: {"$in": values}}`` as chromadb's ``Where`` type."""
    found: list[str | int | float | bool] = list(values)
    return cast(Where, {key: {"$in": found}})


def _log_vector(doc_id: str) -> list[float]:
    """The change log needs a vector per record (Chroma's rule); a point on the unit circle
    spread by the doc_id keeps its HNSW graph healthy (identical vectors are not)."""
    angle = (zlib.crc32(doc_id.encode("utf-8")) / 2**32) * 2 * math.pi
    return [math.cos(angle), math.sin(angle)]


@dataclass
class ArticleWrite:
    """One article as :meth:`ChunkStore.replace_articles` writes it (vectors computed already).

    ``sentence_chunks`` holds, for every sentence, the ids of the chunks that hold it (two where
    chunks overlap), so dense retrieval reaches both chunks from one sentence."""

    meta: ArticleMeta
    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[SentenceRecord]
    sentence_vectors: np.ndarray
    content_hash: str
    ingested_ts: int
    text_hash: str | None = None
    sentence_chunks: list[list[str]] | None = None

    def chunk_record(self) -> dict[str, Any]:
        """What every chunk record of the article carries besides its own position."""
        base = meta_record(self.meta) | {"content_hash": self.content_hash, "ingested_ts": self.ingested_ts,
                                         "n_chunks": len(self.chunks), "n_sentences": len(self.sentences)}
        if self.text_hash:
            base["text_hash"] = self.text_hash
        return base

    def sentence_records(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``(id, text, metadata)`` of each sentence record."""
        doc_id = self.meta.doc_id
        also_in = self.sentence_chunks or [[]] * len(self.sentences)
        return [
            (f"{doc_id}:s{i:04d}", text,
             {"doc_id": doc_id, "chunk_id": cid, "index": i, "content_hash": self.content_hash}
             | ({"chunk_id_2": also[1]} if len(also) > 1 else {}))
            for (text, cid, i), also in zip(self.sentences, also_in, strict=True)
        ]

    def lexical_chunks(self) -> list[LexicalChunk]:
        return [LexicalChunk(c.chunk_id, lexical_text(c, self.meta)) for c in self.chunks]


class WriteSteps(Protocol):
    """The steps of a store's write, which every store (Chroma, the tests' in-memory one) takes in
    the one order :func:`write_in_order` fixes."""

    lexical: LexicalIndex

    def retract_chunks(self, doc_ids: Sequence[str]) -> None: ...
    def write_sentences(self, writes: Sequence[ArticleWrite]) -> list[str]: ...
    def write_chunks(self, writes: Sequence[ArticleWrite]) -> list[str]: ...
    def drop_stale(self, doc_ids: Sequence[str], keep: set[str]) -> None: ...
    def write_log(self, hashes: Mapping[str, str]) -> None: ...


def write_in_order(store: WriteSteps, writes: Sequence[ArticleWrite]) -> None:
    """Write ``writes`` in the order that makes a write cut short harmless (see
    :meth:`ChunkStore.replace_articles`)."""
    if not writes:
        return
    doc_ids = [w.meta.doc_id for w in writes]
    # An update: the old version leaves retrieval before its sentences are overwritten (a
    # sentence points at its chunk, and retrieval reads only chunks that exist), so a write
    # cut short leaves the article unreachable until the next run, never half old, half new.
    store.retract_chunks(doc_ids)
    s_ids = store.write_sentences(writes)
    c_ids = store.write_chunks(writes)
    store.drop_stale(doc_ids, keep=set(c_ids) | set(s_ids))
    store.write_log({w.meta.doc_id: w.content_hash for w in writes})
    store.lexical.write_articles([(w.meta.doc_id, w.content_hash, w.lexical_chunks()) for w in writes])


def chunk_metadata(base: Mapping[str, Any], chunk: Chunk) -> dict[str, Any]:
    return dict(base) | {"index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char,
                         "sentences_json": json.dumps(chunk.sentences, ensure_ascii=False)}


def lexical_text(chunk: Chunk, meta: ArticleMeta) -> str:
    """What the lexical index holds for a chunk: the title with every chunk (the first one
    also with outlet and author), then the chunk's text."""
    head = f"{meta.title} {meta.outlet or ''} {meta.author or ''}" if chunk.index == 0 else meta.title
    return f"{head} {chunk.text}"


def chunk_from_record(chunk_id: str, text: str, md: Metadata) -> Chunk:
    return Chunk(
        chunk_id=chunk_id, doc_id=md["doc_id"], index=int(md["index"]), text=text,
        start_char=int(md.get("start_char", 0)), end_char=int(md.get("end_char", len(text))),
        sentences=json.loads(md.get("sentences_json", "[]")),
    )


def finished(chunks: Sequence[Metadata], sentences: Sequence[Metadata], content_hash: str) -> bool:
    """Whether an article's records are those of one finished write of ``content_hash``: every
    record carries it, and there are as many as that write made (no stale or missing ones)."""
    return (bool(chunks) and len(chunks) == chunks[0].get("n_chunks") and len(sentences) == chunks[0].get("n_sentences")
            and all(m.get("content_hash") == content_hash for m in [*chunks, *sentences]))


def best_sentence_per_chunk(hits: Sequence[tuple[Metadata, float]], k: int) -> list[tuple[str, float]]:
    """Sentence hits ``(metadata, similarity)`` nearest first -> the ``k`` best chunks, each
    scored by its best sentence (a sentence where two chunks overlap counts for both)."""
    best: dict[str, float] = {}
    for md, similarity in hits:
        for cid in filter(None, (md.get("chunk_id"), md.get("chunk_id_2"))):
            best.setdefault(str(cid), similarity)
    return sorted(best.items(), key=lambda kv: -kv[1])[:k]


class _Reachable:
    """A Chroma server collection whose transport errors (server stopped, unreachable, timed
    out) become :class:`StoreError` with what to check; every other attribute is the collection's."""

    def __init__(self, collection: Collection, where: str) -> None:
        self._collection = collection
        self._where = where

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._collection, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return value(*args, **kwargs)
            except httpx.TransportError as exc:
                raise StoreError(f"cannot reach the Chroma server at {self._where}: {exc}. Is it running? "
                                 "Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN).") from exc

        return call


class ChunkStore:
    """Article chunks and sentences in Chroma, with article metadata on every record, and the
    lexical index kept in step with them."""

    def __init__(self, client: chromadb.ClientAPI, embeddings: VectorEmbeddings, name: str,
                 lexical: LexicalIndex | None = None, server: str | None = None) -> None:
        self.client = client
        self.embeddings = embeddings
        guard = VectorsRequired()
        space = {"hnsw:space": "cosine"}
        collections = [client.get_or_create_collection(n, embedding_function=guard, metadata=space)
                       for n in (name, f"{name}_sentences", f"{name}_log")]
        if server:
            collections = [cast(Collection, _Reachable(c, server)) for c in collections]
        self._chunks, self._sentences, self._changes = collections
        self.lexical = lexical if lexical is not None else LexicalIndex(":memory:")
        self._sync_lock = threading.Lock()
        self._synced_from_ns: int | None = None  # when this process's last complete sync began (its clock)
        self._backfilled = False

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        """Chunks in the index."""
        return self._chunks.count()

    def sentence_count(self) -> int:
        """Sentence records in the index (bylines included)."""
        return self._sentences.count()

    def doc_hash(self, doc_id: str) -> str | None:
        return self.doc_hashes([doc_id]).get(doc_id)

    def doc_hashes(self, doc_ids: Sequence[str]) -> dict[str, str]:
        """``{doc_id: content hash}`` of the stored ones among ``doc_ids`` (one read)."""
        if not doc_ids:
            return {}
        where = cast(Where, {"$and": [_any_of("doc_id", doc_ids), {"index": 0}]})
        got = _metadatas(self._chunks.get(where=where, include=["metadatas"]))
        return {str(m["doc_id"]): str(m["content_hash"]) for m in got if m.get("content_hash") is not None}

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        """Whether the article's last write finished: every chunk and sentence record carries
        ``content_hash``, there are as many as that write made (no stale or missing ones), and
        the change log holds that hash (it is written last)."""
        return doc_id in self.complete({doc_id: content_hash})

    def complete(self, expected: Mapping[str, str], *, logged: bool = True) -> set[str]:
        """The articles among ``{doc_id: content hash}`` whose write of that version finished
        (see :meth:`is_complete`); three reads for all of them. With ``logged=False``, those whose
        chunk and sentence records are all of that version (what retrieval reads), logged or not:
        a write cut between the records and the change log is whole to a reader, and the next run
        logs and indexes it lexically."""
        if not expected:
            return set()
        ids = list(expected)
        chunks: dict[str, list[Metadata]] = {d: [] for d in ids}
        sents: dict[str, list[Metadata]] = {d: [] for d in ids}
        for m in _metadatas(self._chunks.get(where=_any_of("doc_id", ids), include=["metadatas"])):
            chunks[str(m["doc_id"])].append(m)
        for m in _metadatas(self._sentences.get(where=_any_of("doc_id", ids), include=["metadatas"])):
            sents[str(m["doc_id"])].append(m)
        whole = {d for d, h in expected.items() if finished(chunks[d], sents[d], h)}
        if not logged:
            return whole
        self._backfill_log()
        log_hashes = {m["doc_id"]: m.get("content_hash") for m in _metadatas(self._changes.get(ids=ids, include=["metadatas"]))}
        return {d for d in whole if log_hashes.get(d) == expected[d]}

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        """Another stored article with the same canonical URL or the same normalized text:
        ``(its doc_id, "same URL" | "same text")``, else ``None``."""
        return self.find_others([(doc_id, url, text_hash)]).get(doc_id)

    def find_others(self, items: Sequence[tuple[str, str | None, str | None]]) -> dict[str, tuple[str, str]]:
        """:meth:`find_other` for many ``(doc_id, url, text_hash)`` at once (two reads)."""
        out: dict[str, tuple[str, str]] = {}
        for key, pos, why in (("url", 1, "same URL"), ("text_hash", 2, "same text")):
            values = sorted({v for it in items if (v := it[pos])})
            if not values:
                continue
            where = cast(Where, {"$and": [_any_of(key, values), {"index": 0}]})
            owners: dict[str, set[str]] = {}
            for m in _metadatas(self._chunks.get(where=where, include=["metadatas"])):
                owners.setdefault(str(m[key]), set()).add(str(m["doc_id"]))
            for item in items:
                doc_id, value = item[0], item[pos]
                others = sorted(owners.get(value, set()) - {doc_id}) if value else []
                if others and doc_id not in out:
                    out[doc_id] = (others[0], why)
        return out

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self, since_ts: float | None = None) -> list[Metadata]:
        """Metadata of each article's first chunk (includes ``ingested_ts``, ``content_hash``,
        ``text_hash``, ``source`` and the record counts); with ``since_ts``, only articles
        ingested or published after it (read through Chroma's metadata index, not by reading
        every article)."""
        where: Where = {"index": 0}
        if since_ts is not None:
            lo = int(since_ts)  # Chroma compares ints with ints; the caller filters the exact bounds
            where = cast(Where, {"$and": [where, {"$or": [{"ingested_ts": {"$gte": lo}}, {"published_ts": {"$gte": lo}}]}]})
        return _metadatas(self._chunks.get(where=where, include=["metadatas"]))

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

    def chunk_vectors(self, doc_id: str) -> np.ndarray:
        """The stored vectors of an article's chunks, in order (pooled from its sentences')."""
        got = self._chunks.get(where={"doc_id": doc_id}, include=["embeddings", "metadatas"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        rows = sorted(zip(_metadatas(got), vectors, strict=True), key=lambda p: int(p[0]["index"]))
        return np.asarray([v for _, v in rows], dtype=np.float32)

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[Chunk, ArticleMeta]]:
        """The chunks with these ids that exist now (one read)."""
        if not chunk_ids:
            return {}
        got = self._chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["documents", "metadatas"])
        rows = zip(got["ids"], _documents(got), _metadatas(got), strict=True)
        return {i: (chunk_from_record(i, d, m), article_meta(m)) for i, d, m in rows}

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """The ``k`` chunks nearest to ``vector``, best first: a chunk scores the cosine
        similarity of its best sentence (the byline counts for the first chunk).

        Sentences are what is embedded (once each); a query reads ``4 * k`` of them (fewer when
        there are fewer: Chroma answers what it has, so nothing counts them first, which took
        ~0.15 s at 300k sentences)."""
        res = self._sentences.query(query_embeddings=[vector.tolist()], n_results=4 * k,
                                    include=["distances", "metadatas"])
        metadatas = (res["metadatas"] or [[]])[0]
        distances = (res["distances"] or [[]])[0]
        hits = [(md, 1.0 - float(dist)) for md, dist in zip(metadatas, distances, strict=True)]  # nearest first
        return best_sentence_per_chunk(hits, k)

    def sentences_of(self, doc_ids: Sequence[str]) -> list[Sentence]:
        if not doc_ids:
            return []
        got = self._sentences.get(where=_any_of("doc_id", doc_ids), include=["documents", "metadatas", "embeddings"])
        vectors = got["embeddings"] if got["embeddings"] is not None else []
        rows = [
            Sentence(i, str(m["doc_id"]), str(m["chunk_id"]), int(m["index"]), d, np.asarray(e, dtype=np.float32))
            for i, d, m, e in zip(got["ids"], _documents(got), _metadatas(got), vectors, strict=True)
        ]
        return sorted(rows, key=lambda r: (r.doc_id, r.index))

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
        sentence_chunks: list[list[str]] | None = None,
    ) -> None:
        """Write one article; see :meth:`replace_articles`."""
        self.replace_articles([ArticleWrite(meta, chunks, chunk_vectors, sentences, sentence_vectors, content_hash,
                                            ingested_ts, text_hash, sentence_chunks)])

    def replace_articles(self, writes: Sequence[ArticleWrite]) -> None:
        """Take the articles' old chunks out of retrieval (:meth:`retract_chunks`), write their
        sentences (:meth:`write_sentences`), then their chunks (:meth:`write_chunks`), then drop
        any stale records of them (:meth:`drop_stale`), then log the changes (:meth:`write_log`),
        then index them lexically: a few calls for the whole batch.

        Vectors are computed before this is called, so a failure while embedding leaves the
        previous versions intact. Chunks (what retrieval reaches first) are written after the
        sentences, every record carries its article's ``content_hash`` and record counts, and
        the change log is written after both: :meth:`is_complete` tells a finished write from
        an interrupted one, and a re-run heals it. The steps are public so that a test can cut
        a write short between them.
        """
        write_in_order(self, writes)

    def retract_chunks(self, doc_ids: Sequence[str]) -> None:
        """Delete the stored chunks of these articles (one read; a delete only for updates)."""
        old = self._chunks.get(where=_any_of("doc_id", doc_ids), include=[])["ids"]
        if old:
            self._chunks.delete(ids=old)

    def write_sentences(self, writes: Sequence[ArticleWrite]) -> list[str]:
        records = [r for w in writes for r in w.sentence_records()]
        vectors = np.concatenate([np.asarray(w.sentence_vectors, dtype=np.float32) for w in writes])
        ids = [i for i, _, _ in records]
        self._sentences.upsert(ids=ids, documents=[t for _, t, _ in records], embeddings=vectors,
                               metadatas=[m for _, _, m in records])
        return ids

    def write_chunks(self, writes: Sequence[ArticleWrite]) -> list[str]:
        chunks = [(c, w.chunk_record()) for w in writes for c in w.chunks]
        vectors = np.concatenate([np.asarray(w.chunk_vectors, dtype=np.float32) for w in writes])
        ids = [c.chunk_id for c, _ in chunks]
        self._chunks.upsert(ids=ids, documents=[c.text for c, _ in chunks], embeddings=vectors,
                            metadatas=[chunk_metadata(base, c) for c, base in chunks])
        return ids

    def drop_stale(self, doc_ids: Sequence[str], keep: set[str]) -> None:
        """Delete the articles' chunk and sentence records whose ids are not in ``keep``."""
        for collection in (self._chunks, self._sentences):
            old = collection.get(where=_any_of("doc_id", doc_ids), include=[])["ids"]
            stale = [i for i in old if i not in keep]
            if stale:
                collection.delete(ids=stale)

    def write_log(self, hashes: Mapping[str, str]) -> None:
        """Record that each ``doc_id`` now has its ``content_hash`` ("" = deleted): written last,
        so a logged hash also means that write finished."""
        seq = time.time_ns()
        ids = list(hashes)
        self._changes.upsert(ids=ids, embeddings=np.asarray([_log_vector(d) for d in ids], dtype=np.float32),
                             metadatas=[{"doc_id": d, "content_hash": hashes[d], "seq": seq} for d in ids])

    def delete_article(self, doc_id: str) -> None:
        self._chunks.delete(where={"doc_id": doc_id})
        self._sentences.delete(where={"doc_id": doc_id})
        self.write_log({doc_id: ""})
        self.lexical.delete_article(doc_id)

    # --- the lexical index, kept in step with Chroma ---------------------------------
    def ensure_lexical(self, doc_id: str, content_hash: str) -> bool:
        """Index ``doc_id`` lexically from its stored chunks unless the lexical index already
        has this version. Returns whether it had to (a write cut short after Chroma, or
        another machine's write)."""
        if self.lexical.doc_hash(doc_id) == content_hash:
            return False
        return self._index_from_chroma(doc_id, content_hash)

    def _index_from_chroma(self, doc_id: str, content_hash: str) -> bool:
        got = self._chunks.get(where={"doc_id": doc_id}, include=["documents", "metadatas"])
        rows = list(zip(got["ids"], _documents(got), _metadatas(got), strict=True))
        metas = [m for _, _, m in rows]
        if not rows or any(m.get("content_hash") != content_hash for m in metas) or len(rows) != metas[0].get("n_chunks"):
            return False  # being rewritten right now: its own log record will come
        items = sorted(((chunk_from_record(i, d, m), article_meta(m)) for i, d, m in rows), key=lambda r: r[0].index)
        self.lexical.write_article(doc_id, content_hash, [LexicalChunk(c.chunk_id, lexical_text(c, a)) for c, a in items])
        return True

    def sync_lexical(self) -> int:
        """Apply the changes logged in Chroma since this lexical index last looked (by any
        process sharing its file); returns how many articles changed. One small read when
        nothing did."""
        with self._sync_lock:
            self._backfill_log()
            cursor = self.lexical.log_cursor
            since = cursor - LOG_WINDOW_NS
            if self._synced_from_ns is not None:  # what was there when the last sync began has been applied
                since = max(since, self._synced_from_ns - LOG_WINDOW_NS)
            started = time.time_ns()
            where = cast(Where, {"seq": {"$gt": since}})
            records = sorted(_metadatas(self._changes.get(where=where, include=["metadatas"])), key=lambda m: int(m["seq"]))
            if not records:
                self._synced_from_ns = started
                return 0
            have = self.lexical.doc_hashes(str(m["doc_id"]) for m in records)
            changed = 0
            for md in records:
                doc_id, h = str(md["doc_id"]), str(md.get("content_hash", ""))
                if not h:
                    if doc_id in have:
                        self.lexical.delete_article(doc_id)
                        changed += 1
                elif have.get(doc_id) != h and self._index_from_chroma(doc_id, h):
                    changed += 1
            newest = int(records[-1]["seq"])
            if newest > cursor:
                self.lexical.advance_cursor(newest)
            self._synced_from_ns = started
            if changed:
                log.info("lexical index: %d article(s) updated from the change log", changed)
            return changed

    def _backfill_log(self) -> None:
        """An index written before the change log existed gets one record per article (once)."""
        if self._backfilled:
            return
        self._backfilled = True
        if self._changes.count() or not self._chunks.count():
            return
        records = self.article_records()
        for i in range(0, len(records), 1000):
            self.write_log({str(m["doc_id"]): str(m.get("content_hash", "")) for m in records[i : i + 1000]})


def _chroma_settings(store: StoreSettings) -> ChromaSettings:
    if store.chroma_host and store.chroma_auth_token:
        return ChromaSettings(
            anonymized_telemetry=False, allow_reset=False,
            chroma_client_auth_provider="chromadb.auth.token_authn.TokenAuthClientProvider",
            chroma_client_auth_credentials=store.chroma_auth_token.get_secret_value(),
            chroma_auth_token_transport_header=store.chroma_auth_header,
        )
    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_store(settings: Settings, embeddings: VectorEmbeddings) -> ChunkStore:
    """The index, checked on opening: a damaged one raises a :class:`StoreError` naming the fix
    (``rnkbot ingest --rebuild``) here, not a Chroma traceback at the first question. A damaged
    lexical file (derived data) is set aside and rebuilt from Chroma's change log."""
    from retrieval.index import health  # it builds on this module

    store = settings.store
    where = f"{store.chroma_host}:{store.chroma_port}" if store.chroma_host else str(store.chroma_dir)
    client: chromadb.ClientAPI
    open_failures: tuple[type[BaseException], ...] = (ValueError, OSError, *health.STORE_FAILURES)
    try:
        if store.chroma_host:
            client = chromadb.HttpClient(host=store.chroma_host, port=store.chroma_port, settings=_chroma_settings(store))
        else:
            health.recover_interrupted_swap(store)
            store.chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(store.chroma_dir), settings=_chroma_settings(store))
    except open_failures as exc:
        if not store.chroma_host:
            health.forget_client(store.chroma_dir)
        if isinstance(exc, health.STORE_FAILURES):
            raise health.damaged_error(health.location(store), exc) from exc
        fix = ("Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN)" if store.chroma_host
               else f"Check RNKBOT_DATA_DIR, or `{health.REBUILD}`")
        raise StoreError(f"cannot open the Chroma index at {where}: {exc}. {fix}.") from exc
    lexical = health.open_lexical(store)
    try:
        if not store.chroma_host:
            with health.reading(store):
                chunk_store = ChunkStore(client, embeddings, store.collection, lexical)
                chunk_store.count(), chunk_store.sentence_count()  # damage in Chroma's log shows on the first read
            return chunk_store
        try:
            return ChunkStore(client, embeddings, store.collection, lexical, server=where)
        except (httpx.HTTPError, ChromaError, ValueError) as exc:  # down, refused, or the token rejected
            raise StoreError(f"cannot reach the Chroma server at {where}: {exc}. "
                             "Is it running? Check CHROMA_HOST/CHROMA_PORT (and RNKBOT_CHROMA_AUTH_TOKEN).") from exc
    except StoreError:
        lexical.close()
        if not store.chroma_host:
            health.close_client(client)
            health.forget_client(store.chroma_dir)
        raise
