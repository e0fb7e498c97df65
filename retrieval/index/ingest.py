"""Ingestion: articles -> sentence-aware chunks -> vectors -> Chroma.

Ids are deterministic (``<doc_id>:c000``, ``<doc_id>:s0000``), so a second run changes
nothing, and a changed article replaces its old chunks.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.documents import DocumentError, iter_files, load_file

from retrieval.index.store import ChunkStore
from retrieval.text import split_sentences
from retrieval.types import Article, ArticleMeta, Chunk

log = logging.getLogger(__name__)

# Bump when chunking or the stored passages change: every article is then re-indexed once.
INDEX_FORMAT = 3
MAX_CHUNK_CHARS = 700
MAX_CHUNK_SENTENCES = 4


def sentence_spans(text: str) -> list[tuple[str, int, int]]:
    """Sentences of an article with their character offsets in ``text``."""
    spans: list[tuple[str, int, int]] = []
    cursor = 0
    for para in text.split("\n\n"):
        p_start = text.find(para, cursor)
        cursor = p_start + len(para)
        s_cursor = p_start
        for sent in split_sentences(para):
            first = sent.split(" ", 1)[0]
            start = text.find(first, s_cursor)
            start = start if start >= 0 else s_cursor
            spans.append((sent, start, start + len(sent)))
            s_cursor = start + len(first)
    return spans


def chunk_article(article: Article) -> tuple[list[Chunk], list[tuple[str, str, int]]]:
    """Group whole sentences into chunks (at most ~700 characters or 4 sentences), each
    chunk overlapping the previous by one sentence. Returns the chunks and, for every
    sentence, ``(text, chunk_id of its first chunk, sentence index)``."""
    spans = sentence_spans(article.text)
    chunks: list[Chunk] = []
    owner: dict[int, str] = {}
    i = 0
    while i < len(spans):
        j = i
        size = 0
        while j < len(spans) and (j == i or (j - i < MAX_CHUNK_SENTENCES and size + len(spans[j][0]) <= MAX_CHUNK_CHARS)):
            size += len(spans[j][0]) + 1
            j += 1
        chunk_id = f"{article.doc_id}:c{len(chunks):03d}"
        part = spans[i:j]
        chunks.append(Chunk(
            chunk_id=chunk_id, doc_id=article.doc_id, index=len(chunks), text=" ".join(s for s, _, _ in part),
            start_char=part[0][1], end_char=part[-1][2], sentences=[s for s, _, _ in part],
        ))
        for k in range(i, j):
            owner.setdefault(k, chunk_id)
        if j >= len(spans):
            break
        i = j - 1 if j - i > 1 else j  # one sentence of overlap
    sentences = [(s, owner[k], k) for k, (s, _, _) in enumerate(spans)]
    return chunks, sentences


def byline(meta: ArticleMeta) -> str | None:
    """The article's header facts as a passage ("who wrote it, where, when")."""
    if not (meta.author or meta.outlet):
        return None
    parts = [f"Judul berita: {meta.title}."]
    if meta.outlet:
        parts.append(f"Media: {meta.outlet}.")
    if meta.published:
        parts.append(f"Terbit: {meta.published_date}.")
    if meta.author:
        parts.append(f"Penulis: {meta.author}.")
    return " ".join(parts)


def content_hash(article: Article) -> str:
    payload = f"{INDEX_FORMAT}\n{article.model_dump_json()}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def text_fingerprint(text: str) -> str:
    """Hash of the text without case, punctuation or spacing: the same article copied by two
    sites (or re-wrapped) has the same fingerprint."""
    norm = " ".join(re.findall(r"\w+", text.lower()))
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (item, why: "same text as <doc_id>")
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
                 f"{len(self.duplicates)} duplicates", f"{len(self.skipped)} skipped"]
        lines = [", ".join(parts)]
        lines += [f"  duplicate {src}: {why}" for src, why in self.duplicates]
        lines += [f"  skipped {src}: {why}" for src, why in self.skipped]
        return "\n".join(lines)


class Ingester:
    """Writes articles into the store. ``write_lock`` is held only while an article is written
    (the answer service passes its own lock, so no question is answered from a half-written article);
    ``clock`` stamps ``ingested_ts`` (what the digest calls new)."""

    def __init__(self, store: ChunkStore, write_lock: threading.Lock | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self._write_lock = write_lock
        self.clock = clock

    def ingest_articles(self, articles: Iterable[Article], report: IngestReport | None = None) -> IngestReport:
        report = report or IngestReport()
        for article in articles:
            self.ingest_article(article, report)
        return report

    def ingest_article(self, article: Article, report: IngestReport, label: str | None = None) -> None:
        """Add, update, or leave ``article`` as it is; a copy of another stored article (same
        canonical URL or same text under another doc_id) is reported as a duplicate, not stored."""
        label = label or article.doc_id
        digest = content_hash(article)
        fingerprint = text_fingerprint(article.text)
        old = self.store.doc_hash(article.doc_id)
        if old == digest and self.store.is_complete(article.doc_id, digest):
            self.store.ensure_lexical(article.doc_id, digest)  # a write cut short after Chroma's part
            report.unchanged.append(article.doc_id)
            return
        other = self.store.find_other(article.doc_id, url=article.url, text_hash=fingerprint)
        if other is not None:
            report.duplicates.append((label, f"{other[1]} as {other[0]}"))
            return
        chunks, sentences = chunk_article(article)
        if not chunks:
            report.skipped.append((article.doc_id, "no sentences in the article text"))
            return
        emb = self.store.embeddings
        chunk_vecs = emb.embed_passages([f"{article.title}\n{c.text}" for c in chunks])
        head = byline(article)
        if head:  # the header facts (title, outlet, date, author) as a passage of their own
            sentences = [(head, chunks[0].chunk_id, -1)] + sentences
        sent_vecs = emb.embed_passages([s for s, _, _ in sentences])
        with self._write_lock or contextlib.nullcontext():
            self.store.replace_article(
                article, chunks, np.asarray(chunk_vecs), sentences, np.asarray(sent_vecs),
                content_hash=digest, ingested_ts=int(self.clock()), text_hash=fingerprint,
            )
        (report.updated if old else report.added).append(article.doc_id)

    def ingest_paths(self, paths: Iterable[Path], progress: bool = False) -> IngestReport:
        """Ingest files and folders (``.md`` with front matter, ``.txt`` scraped pages).

        A bad file is reported and skipped; the rest of the run goes on."""
        report = IngestReport()
        files: list[Path] = []
        for p in paths:
            try:
                files.extend(iter_files([Path(p)]))
            except DocumentError as exc:
                report.skipped.append((str(p), str(exc)))
        for path in tqdm(files, desc="ingest", unit="article", disable=not progress or len(files) < 2):
            try:
                article = load_file(path)
            except DocumentError as exc:
                report.skipped.append((str(path), str(exc)))
                continue
            self.ingest_article(article, report)
        return report
