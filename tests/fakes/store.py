"""The index in memory: :class:`retrieval.index.store.ChunkStore`'s interface without Chroma.

Exact cosine search over the stored vectors, records kept as the Chroma store keeps them
(metadata on every chunk, counts and hashes for :meth:`is_complete`). The contract tests run
it next to embedded Chroma and a Chroma server, so the unit tier can trust it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from retrieval.index.store import Metadata, SentenceRecord, article_meta, meta_record
from retrieval.types import ArticleMeta, Chunk, Sentence


class InMemoryStore:
    def __init__(self, embeddings: Any) -> None:
        self.embeddings = embeddings
        # id -> (text, metadata, vector)
        self._chunks: dict[str, tuple[str, dict[str, Any], np.ndarray]] = {}
        self._sentences: dict[str, tuple[str, dict[str, Any], np.ndarray]] = {}

    # --- reads -------------------------------------------------------------------
    def count(self) -> int:
        return len(self._chunks)

    def sentence_count(self) -> int:
        return len(self._sentences)

    def _chunk_metas(self, doc_id: str) -> list[dict[str, Any]]:
        return [m for _, m, _ in self._chunks.values() if m["doc_id"] == doc_id]

    def doc_hash(self, doc_id: str) -> str | None:
        metas = self._chunk_metas(doc_id)
        return str(metas[0]["content_hash"]) if metas else None

    def is_complete(self, doc_id: str, content_hash: str) -> bool:
        chunks = self._chunk_metas(doc_id)
        if not chunks or any(m.get("content_hash") != content_hash for m in chunks) or len(chunks) != chunks[0]["n_chunks"]:
            return False
        sents = [m for _, m, _ in self._sentences.values() if m["doc_id"] == doc_id]
        return len(sents) == chunks[0]["n_sentences"] and all(m.get("content_hash") == content_hash for m in sents)

    def find_other(self, doc_id: str, *, url: str | None, text_hash: str | None) -> tuple[str, str] | None:
        for key, value, why in (("url", url, "same URL"), ("text_hash", text_hash, "same text")):
            for m in self.article_records():
                if value and m.get(key) == value and m["doc_id"] != doc_id:
                    return str(m["doc_id"]), why
        return None

    def articles(self) -> list[ArticleMeta]:
        return sorted((article_meta(m) for m in self.article_records()), key=lambda m: m.doc_id)

    def article_records(self) -> list[Metadata]:
        return [m for _, m, _ in self._chunks.values() if m["index"] == 0]

    def article_record(self, doc_id: str) -> Metadata | None:
        return next((m for m in self.article_records() if m["doc_id"] == doc_id), None)

    def chunk_ids(self, doc_id: str | None = None) -> list[str]:
        return sorted(i for i, (_, m, _) in self._chunks.items() if doc_id is None or m["doc_id"] == doc_id)

    def chunk_texts(self, doc_id: str) -> list[str]:
        rows = sorted((m["index"], t) for t, m, _ in self._chunks.values() if m["doc_id"] == doc_id)
        return [t for _, t in rows]

    def all_chunks(self) -> list[tuple[Chunk, ArticleMeta]]:
        return [(self._chunk(i, t, m), article_meta(m)) for i, (t, m, _) in self._chunks.items()]

    def dense(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        scored = sorted(((float(v @ vector), i) for i, (_, _, v) in self._chunks.items()), key=lambda p: (-p[0], p[1]))
        return [(i, score) for score, i in scored[:k]]

    def sentences_of(self, doc_ids: Sequence[str]) -> list[Sentence]:
        wanted = set(doc_ids)
        rows = [Sentence(i, m["doc_id"], m["chunk_id"], m["index"], t, v)
                for i, (t, m, v) in self._sentences.items() if m["doc_id"] in wanted]
        return sorted(rows, key=lambda r: (r.doc_id, r.index))

    @staticmethod
    def _chunk(chunk_id: str, text: str, md: dict[str, Any]) -> Chunk:
        return Chunk(chunk_id=chunk_id, doc_id=md["doc_id"], index=md["index"], text=text, start_char=md["start_char"],
                     end_char=md["end_char"], sentences=json.loads(md["sentences_json"]))

    # --- writes ------------------------------------------------------------------
    def replace_article(self, meta: ArticleMeta, chunks: list[Chunk], chunk_vectors: np.ndarray,
                        sentences: list[SentenceRecord], sentence_vectors: np.ndarray, *, content_hash: str,
                        ingested_ts: int, text_hash: str | None = None) -> None:
        base = meta_record(meta) | {"content_hash": content_hash, "ingested_ts": ingested_ts,
                                   "n_chunks": len(chunks), "n_sentences": len(sentences)}
        if text_hash:
            base["text_hash"] = text_hash
        self.delete_article(meta.doc_id)
        for (text, chunk_id, index), vec in zip(sentences, sentence_vectors, strict=True):
            meta_s = {"doc_id": meta.doc_id, "chunk_id": chunk_id, "index": index, "content_hash": content_hash}
            self._sentences[f"{meta.doc_id}:s{index:04d}"] = (text, meta_s, np.asarray(vec, dtype=np.float32))
        for chunk, vec in zip(chunks, chunk_vectors, strict=True):
            meta_c = base | {"index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char,
                             "sentences_json": json.dumps(chunk.sentences, ensure_ascii=False)}
            self._chunks[chunk.chunk_id] = (chunk.text, meta_c, np.asarray(vec, dtype=np.float32))

    def delete_article(self, doc_id: str) -> None:
        for table in (self._chunks, self._sentences):
            for key in [k for k, (_, m, _) in table.items() if m["doc_id"] == doc_id]:
                del table[key]
