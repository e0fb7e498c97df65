"""An article's records in the index, and the write that makes them.

How an article becomes Chroma records (:class:`ArticleWrite`: article metadata on its first chunk
record with the record counts, sentence records pointing at their chunks, the content hash on all),
the one order every store writes them in (:func:`write_in_order`), and the helpers that read
records back (chunks, article metadata, whether a write finished, a chunk's best sentence).
Shared by the Chroma store (:mod:`retrieval.index.store`) and the tests' in-memory one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import numpy as np
from chromadb.api.types import GetResult, Where

from retrieval.index.lexical import LexicalChunk, LexicalIndex
from retrieval.types import ArticleMeta, Chunk, ChunkRef

Metadata = Mapping[str, Any]
SentenceRecord = tuple[str, str, int]  # (text, chunk_id of its first chunk, index in the article; -1: the byline)


def chunk_id_of(doc_id: str, index: int) -> str:
    """The id of an article's ``index``-th chunk (so its first chunk, which carries the article's
    metadata, is read by id: a read by metadata filter took ~90 ms at 100k chunks, by id ~2 ms)."""
    return f"{doc_id}:c{index:03d}"


def sentence_id_of(doc_id: str, index: int) -> str:
    """The id of an article's ``index``-th sentence record (``-1``: the byline)."""
    return f"{doc_id}:s{index:04d}"


# A sentence record's text is a metadata value, not a Chroma document: Chroma builds a trigram
# full-text index of every document, which nothing here searches (the lexical index is
# :mod:`retrieval.index.lexical`'s). On the bench's synthetic corpus to 30k chunks, sentence
# writes took 7.4 -> 10.6 ms an article (first and last tenth) as documents, 4.3 -> 8.1 as metadata.
TEXT_KEY = "text"


def sentence_text(document: str | None, md: Metadata) -> str:
    """A sentence record's text: its metadata's (an index written before 2026-11-24: its document)."""
    return str(md[TEXT_KEY]) if TEXT_KEY in md else (document or "")


def ingested_time(md: Mapping[str, Any]) -> float:
    """When an article record was written, to the fraction of a second: ``ingested_exact_ts``, or
    ``ingested_ts`` (whole seconds, what Chroma's metadata filter compares) for an index written
    before the exact time was kept; 0 when neither is there."""
    exact = md.get("ingested_exact_ts")
    return float(exact) if exact is not None else float(md.get("ingested_ts", 0) or 0)


def meta_record(meta: ArticleMeta) -> dict[str, Any]:
    """The article's metadata as its first chunk record carries it (Chroma metadata cannot hold None):
    :class:`ArticleMeta`'s fields only. The ingester passes the whole :class:`~corpus.article.Article`,
    whose body must not ride along: the record would carry all of it, and
    Chroma indexes every metadata string (at 100k chunks the body alone was about a fifth of the
    store's SQLite file)."""
    d = meta.model_dump(mode="json", include=set(ArticleMeta.model_fields))
    dt = meta.published
    if dt is not None:
        d["published_ts"] = int(dt.timestamp()) if dt.tzinfo else int(dt.replace(hour=12).timestamp())
    return {k: v for k, v in d.items() if v is not None}  # Chroma metadata cannot hold None


def article_meta(md: Metadata) -> ArticleMeta:
    return ArticleMeta(**{k: md.get(k) for k in ArticleMeta.model_fields if md.get(k) is not None})


def _metadatas(got: GetResult) -> list[Metadata]:
    return list(got["metadatas"] or [])


def sentence_rows(got: GetResult) -> list[tuple[str, str, Metadata]]:
    """``(id, text, metadata)`` of the sentence records in ``got`` (read with documents and metadatas)."""
    documents: list[str | None] = [*got["documents"]] if got["documents"] is not None else [None] * len(got["ids"])
    return [(i, sentence_text(d, m), m) for i, d, m in zip(got["ids"], documents, _metadatas(got), strict=True)]


def _any_of(key: str, values: Sequence[str]) -> Where:
    """``{key: {"$in": values}}`` as chromadb's ``Where`` type."""
    found: list[str | int | float | bool] = list(values)
    return cast(Where, {key: {"$in": found}})



@dataclass
class ArticleWrite:
    """One article as :meth:`~retrieval.index.store.ChunkStore.replace_articles` writes it (vectors
    computed already).

    ``sentence_chunks`` holds, for every sentence, the ids of the chunks that hold it (two where
    chunks overlap), so dense retrieval reaches both chunks from one sentence."""

    meta: ArticleMeta
    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    sentences: list[SentenceRecord]
    sentence_vectors: np.ndarray
    content_hash: str
    ingested_ts: float  # when it was ingested, exactly (the record keeps whole seconds too: see chunk_record)
    text_hash: str | None = None
    sentence_chunks: list[list[str]] | None = None

    def chunk_record(self) -> dict[str, Any]:
        """What the article's first chunk record carries besides its own position (:func:`chunk_metadata`)."""
        # whole seconds for Chroma's metadata filter (it compares an int bound with int values only),
        # the exact time for the digest's windows: an article written in the second a digest's
        # window closed, after it closed, belongs to the next window, not to the one already sent
        base = meta_record(self.meta) | {"content_hash": self.content_hash, "ingested_ts": int(self.ingested_ts),
                                         "ingested_exact_ts": float(self.ingested_ts),
                                         "n_chunks": len(self.chunks), "n_sentences": len(self.sentences)}
        if self.text_hash:
            base["text_hash"] = self.text_hash
        return base

    def record_ids(self) -> set[str]:
        """The ids of every chunk and sentence record this write makes."""
        return {c.chunk_id for c in self.chunks} | {sentence_id_of(self.meta.doc_id, i) for _, _, i in self.sentences}

    def sentence_records(self) -> list[tuple[str, str, dict[str, Any]]]:
        """``(id, text, metadata)`` of each sentence record."""
        doc_id = self.meta.doc_id
        also_in = self.sentence_chunks or [[]] * len(self.sentences)
        return [
            (sentence_id_of(doc_id, i), text,
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
    def drop_stale(self, writes: Sequence[ArticleWrite]) -> None: ...
    def write_log(self, hashes: Mapping[str, str]) -> None: ...


def write_in_order(store: WriteSteps, writes: Sequence[ArticleWrite]) -> None:
    """Write ``writes`` in the order that makes a write cut short harmless (see
    :meth:`~retrieval.index.store.ChunkStore.replace_articles`)."""
    if not writes:
        return
    doc_ids = [w.meta.doc_id for w in writes]
    # An update: the old version leaves retrieval before its sentences are overwritten (a
    # sentence points at its chunk, and retrieval reads only chunks that exist), so a write
    # cut short leaves the article unreachable until the next run, never half old, half new.
    store.retract_chunks(doc_ids)
    store.write_sentences(writes)
    store.write_chunks(writes)
    store.drop_stale(writes)
    store.write_log({w.meta.doc_id: w.content_hash for w in writes})
    store.lexical.write_articles([(w.meta.doc_id, w.content_hash, w.lexical_chunks()) for w in writes])


def chunk_metadata(base: Mapping[str, Any], chunk: Chunk) -> dict[str, Any]:
    """A chunk record's metadata: its place in the article, and ``base`` (its article's metadata,
    the write's content hash and record counts) on the article's first chunk only. Later chunks
    carry the article's id and the write's hash (every record of a write does: :func:`finished`);
    readers take the rest from the first chunk (:func:`article_rows`). Chroma indexes every
    metadata value it is given, so each copy costs at every write: on the bench's synthetic
    corpus at 10k chunks, article metadata on every chunk (and the chunk's sentences again as
    JSON) made the chunk writes 14.0 s against 9.2 s, the whole build 46 s against 37 s."""
    own = {"index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char}
    if chunk.index == 0:
        return dict(base) | own
    return {"doc_id": base["doc_id"], "content_hash": base["content_hash"]} | own


def article_rows(metadatas: Iterable[Metadata]) -> dict[str, Metadata]:
    """``{doc_id: the metadata of its record that carries the article's}`` among chunk records:
    the first chunk's (an index written before 2026-11-24 carries it on every chunk)."""
    out: dict[str, Metadata] = {}
    for m in metadatas:
        if "title" in m and (m.get("index") == 0 or str(m["doc_id"]) not in out):
            out[str(m["doc_id"])] = m
    return out


def lexical_text(chunk: Chunk, meta: ArticleMeta) -> str:
    """What the lexical index holds for a chunk: the title with every chunk (the first one
    also with outlet and author), then the chunk's text."""
    head = f"{meta.title} {meta.outlet or ''} {meta.author or ''}" if chunk.index == 0 else meta.title
    return f"{head} {chunk.text}"


def chunk_from_record(chunk_id: str, md: Metadata) -> ChunkRef:
    return ChunkRef(chunk_id=chunk_id, doc_id=md["doc_id"], index=int(md["index"]),
                    start_char=int(md.get("start_char", 0)), end_char=int(md.get("end_char", 0)))


def chunk_with_text(chunk_id: str, md: Metadata, text: str) -> Chunk:
    """A chunk read back from its record, with its text (its sentences', :func:`texts_by_chunk`)."""
    return Chunk(**chunk_from_record(chunk_id, md).model_dump(), text=text)


def texts_by_chunk(sentences: Iterable[tuple[str, Metadata]]) -> dict[str, str]:
    """``{chunk_id: its text}`` from an article's sentence records ``(text, metadata)``: a chunk is
    its sentences, in order (a sentence where two chunks overlap belongs to both; the byline to none)."""
    held: dict[str, list[tuple[int, str]]] = {}
    for text, md in sentences:
        if int(md["index"]) < 0:
            continue
        for cid in filter(None, (md.get("chunk_id"), md.get("chunk_id_2"))):
            held.setdefault(str(cid), []).append((int(md["index"]), text))
    return {cid: " ".join(t for _, t in sorted(rows)) for cid, rows in held.items()}


def finished(chunks: Sequence[Metadata], sentences: Sequence[Metadata], content_hash: str) -> bool:
    """Whether an article's records are those of one finished write of ``content_hash``: every
    record carries it, and there are as many as that write made (no stale or missing ones: the
    counts are on its first chunk)."""
    first = next((m for m in chunks if m.get("index") == 0), None)
    return (first is not None and len(chunks) == first.get("n_chunks") and len(sentences) == first.get("n_sentences")
            and all(m.get("content_hash") == content_hash for m in [*chunks, *sentences]))


def best_sentence_per_chunk(hits: Sequence[tuple[Metadata, float]], k: int) -> list[tuple[str, float]]:
    """Sentence hits ``(metadata, similarity)`` nearest first -> the ``k`` best chunks, each
    scored by its best sentence (a sentence where two chunks overlap counts for both)."""
    best: dict[str, float] = {}
    for md, similarity in hits:
        for cid in filter(None, (md.get("chunk_id"), md.get("chunk_id_2"))):
            best.setdefault(str(cid), similarity)
    return sorted(best.items(), key=lambda kv: -kv[1])[:k]
