"""The index: Chroma, embedded (``PersistentClient``) or a server (``HttpClient``), and the
lexical index (SQLite FTS5, :mod:`retrieval.index.lexical`) beside it.

Three collections: article chunks (what retrieval ranks), their sentences (what answers
quote), both with vectors we compute ourselves, and a change log (one record per article:
its content hash and when it was last written or deleted). Chroma's default embedding
function downloads a model from the internet; a guard function that refuses to run is
attached instead, so that can never happen, even by mistake.

The records of an article and the order they are written in are :mod:`retrieval.index.records`'s;
the change log, and the lexical index kept in step with Chroma by it, :mod:`retrieval.index.changelog`'s
(:class:`~retrieval.index.changelog.ChangeLog`, mixed into :class:`ChunkStore`); opening the index
(a Chroma client, the store over it, checked) :mod:`retrieval.index.opening`'s.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import chromadb
import httpx
import numpy as np
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, EmbeddingFunction, Embeddings, Where
from chromadb.utils.embedding_functions import register_embedding_function

from corpus.errors import RnkbotError
from retrieval.index.changelog import ChangeLog, placeholder_vector
from retrieval.index.lexical import LexicalIndex
from retrieval.index.records import (
    TEXT_KEY,
    ArticleWrite,
    Metadata,
    SentenceRecord,
    _any_of,
    _metadatas,
    article_meta,
    article_rows,
    best_sentence_per_chunk,
    chunk_from_record,
    chunk_id_of,
    chunk_metadata,
    finished,
    sentence_id_of,
    sentence_rows,
    write_in_order,
)
from retrieval.models.embeddings import VectorEmbeddings
from retrieval.types import ArticleMeta, Chunk, ChunkRef, Sentence


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


class ChunkStore(ChangeLog):
    """Article chunks and sentences in Chroma, with article metadata on each article's first chunk
    record, and the lexical index kept in step with them."""

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
        self._chunk_dim: int | None = None  # of the stored chunk vectors, once known

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
        """``{doc_id: content hash}`` of the stored ones among ``doc_ids`` (one read, of their first
        chunks by id: with a metadata filter it took 80 ms for 32 articles at 100k chunks)."""
        if not doc_ids:
            return {}
        got = _metadatas(self._chunks.get(ids=[chunk_id_of(d, 0) for d in dict.fromkeys(doc_ids)], include=["metadatas"]))
        return {str(m["doc_id"]): str(m["content_hash"]) for m in got if m.get("content_hash") is not None}

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        """Whether the article's last write finished: every chunk and sentence record carries
        ``content_hash``, there are as many as that write made (no stale or missing ones), and
        the change log holds that hash (it is written last)."""
        return doc_id in self.complete({doc_id: content_hash})

    def complete(self, expected: Mapping[str, str], *, logged: bool = True) -> set[str]:
        """The articles among ``{doc_id: content hash}`` whose write of that version finished
        (see :meth:`is_complete`); their records read by id (:meth:`_live`), a few reads for all of
        them. With ``logged=False``, those whose chunk and sentence records are all of that version
        (what retrieval reads), logged or not:
        a write cut between the records and the change log is whole to a reader, and the next run
        logs and indexes it lexically."""
        if not expected:
            return set()
        ids = list(expected)
        chunks: dict[str, list[Metadata]] = {d: [] for d in ids}
        sents: dict[str, list[Metadata]] = {d: [] for d in ids}
        for m in self._live(self._chunks, chunk_id_of, dict.fromkeys(ids, 0), metadatas=True)[1]:
            chunks[str(m["doc_id"])].append(m)
        for m in self._live(self._sentences, sentence_id_of, dict.fromkeys(ids, -1), metadatas=True)[1]:  # -1: byline
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
        got = _metadatas(self._chunks.get(ids=[chunk_id_of(doc_id, 0)], include=["metadatas"]))
        return got[0] if got else None

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        """Ids of the stored chunks (of one article, or all), sorted."""
        return sorted(self._chunks.get(where={"doc_id": doc_id} if doc_id else None, include=[])["ids"])

    def chunk_texts(self, doc_id: str) -> list[str]:
        """The texts of an article's stored chunks, in order: their sentences' (two reads)."""
        return [c.text for c, _ in self._stored_chunks(doc_id)]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, tuple[ChunkRef, ArticleMeta]]:
        """The chunks with these ids that exist now, with their articles' metadata (one read, two
        when the hits hold none of their articles' first chunks)."""
        if not chunk_ids:
            return {}
        got = self._chunks.get(ids=list(dict.fromkeys(chunk_ids)), include=["metadatas"])
        rows = list(zip(got["ids"], _metadatas(got), strict=True))
        articles = article_rows(m for _, m in rows)
        missing = sorted({str(m["doc_id"]) for _, m in rows} - set(articles))
        if missing:  # their first chunks carry the articles' metadata: read by id
            first = self._chunks.get(ids=[chunk_id_of(d, 0) for d in missing], include=["metadatas"])
            articles |= article_rows(_metadatas(first))
        return {i: (chunk_from_record(i, m), article_meta(articles[str(m["doc_id"])]))
                for i, m in rows if str(m["doc_id"]) in articles}

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
            Sentence(i, str(m["doc_id"]), str(m["chunk_id"]), int(m["index"]), t, np.asarray(e, dtype=np.float32))
            for (i, t, m), e in zip(sentence_rows(got), vectors, strict=True)
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
        ingested_ts: float,
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
        """Delete the stored chunks of these articles, and the sentences of those that had any
        (reads by id; deletes only for updates). The sentences are written anew, not over the old
        records: an upsert without a document would leave an older index's document in place."""
        old = set(self._live(self._chunks, chunk_id_of, dict.fromkeys(doc_ids, 0))[0])
        if not old:
            return
        self._chunks.delete(ids=sorted(old))
        updated = [d for d in dict.fromkeys(doc_ids) if chunk_id_of(d, 0) in old]  # numbered from 0, no gap
        sentences = self._live(self._sentences, sentence_id_of, dict.fromkeys(updated, -1))[0]  # -1: the byline
        if sentences:
            self._sentences.delete(ids=sentences)

    def _live(self, collection: Collection, id_of: Callable[[str, int], str], start: Mapping[str, int],
              *, metadatas: bool = False, window: int = 16) -> tuple[list[str], list[Metadata]]:
        """The records that exist among each article's ``id_of(doc_id, i)`` for ``i`` from
        ``start[doc_id]`` on, read by id ``window`` at a time until a window holds none: their ids,
        and their metadatas when asked for.

        An article's chunk and sentence records are numbered from 0 with no gap (a write upserts
        them all in one call, stale ones are deleted from the end; a sentence numbered -1, the
        byline, precedes them when there is one), so this finds all of them
        without a read by metadata filter, which costs more the larger the index: on the bench's
        synthetic corpus at 100k chunks, 11 ms (chunks) and 27 ms (sentences) for 32 articles,
        against about 1 ms for 512 ids."""
        found: list[str] = []
        metas: list[Metadata] = []
        at = dict(start)
        while at:
            wanted = {d: [id_of(d, i) for i in range(s, s + window)] for d, s in at.items()}
            got = collection.get(ids=[i for ids in wanted.values() for i in ids], include=["metadatas"] if metadatas else [])
            found += got["ids"]
            metas += _metadatas(got)
            present = set(got["ids"])
            at = {d: at[d] + window for d, ids in wanted.items() if present.intersection(ids)}
        return found, metas

    def write_sentences(self, writes: Sequence[ArticleWrite]) -> list[str]:
        records = [r for w in writes for r in w.sentence_records()]
        vectors = np.concatenate([np.asarray(w.sentence_vectors, dtype=np.float32) for w in writes])
        ids = [i for i, _, _ in records]
        self._sentences.upsert(ids=ids, embeddings=vectors, metadatas=[m | {TEXT_KEY: t} for _, t, m in records])
        return ids

    def write_chunks(self, writes: Sequence[ArticleWrite]) -> list[str]:
        chunks = [(c, w.chunk_record()) for w in writes for c in w.chunks]
        ids = [c.chunk_id for c, _ in chunks]
        if self._pooled_chunk_vectors():
            vectors = np.concatenate([np.asarray(w.chunk_vectors, dtype=np.float32) for w in writes])
        else:
            vectors = np.asarray([placeholder_vector(i) for i in ids], dtype=np.float32)
        # no documents: a chunk's text is its sentences', which their records hold (Chroma would
        # index it a second time; on the bench's synthetic corpus the chunk writes took twice as long)
        self._chunks.upsert(ids=ids, embeddings=vectors, metadatas=[chunk_metadata(base, c) for c, base in chunks])
        return ids

    def _pooled_chunk_vectors(self) -> bool:
        """Whether chunk records carry their pooled 384-d vectors (an index written before
        2026-11-23's fifth session: Chroma fixes a collection's dimension at its first record)
        rather than a two-float placeholder. Nothing searches chunks by vector (dense retrieval
        ranks sentences), but a process that reads a collection loads its vectors (0.2 GB for
        100k chunks read with Chroma alone; the bench's bot process at 100k: 1,432 -> 1,365 MB
        peak), and their HNSW inserts slowed ingestion."""
        if self._chunk_dim is None:
            got = self._chunks.get(limit=1, include=["embeddings"])
            vectors = got["embeddings"] if got["embeddings"] is not None else []
            if len(vectors) == 0:
                return False  # a new collection: placeholders from its first record on
            self._chunk_dim = len(vectors[0])
        return self._chunk_dim > 2

    def drop_stale(self, writes: Sequence[ArticleWrite]) -> None:
        """Delete the articles' chunk and sentence records that ``writes`` did not write: those
        numbered past the write's (an older, longer version's, or one cut short before its stale
        records went), and the byline's when this version has none."""
        keep = {i for w in writes for i in w.record_ids()}
        after = {w.meta.doc_id: len(w.chunks) for w in writes}
        stale = [i for i in self._live(self._chunks, chunk_id_of, after)[0] if i not in keep]
        if stale:
            self._chunks.delete(ids=stale)
        bylines = [sentence_id_of(w.meta.doc_id, -1) for w in writes]
        body = {w.meta.doc_id: sum(1 for _, _, i in w.sentences if i >= 0) for w in writes}
        stale = [i for i in self._sentences.get(ids=bylines, include=[])["ids"] if i not in keep]
        stale += [i for i in self._live(self._sentences, sentence_id_of, body)[0] if i not in keep]
        if stale:
            self._sentences.delete(ids=stale)

    def delete_article(self, doc_id: str) -> None:
        self._chunks.delete(where={"doc_id": doc_id})
        self._sentences.delete(where={"doc_id": doc_id})
        self.write_log({doc_id: ""})
        self.lexical.delete_article(doc_id)
