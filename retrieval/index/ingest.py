"""Ingestion: articles -> sentence-aware chunks -> vectors -> Chroma.

Ids are deterministic (``<doc_id>:c000``, ``<doc_id>:s0000``), so a second run changes
nothing, and a changed article replaces its old chunks.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.documents import DocumentError, iter_files, load_file
from corpus.urls import hide_credentials
from retrieval.index.records import ArticleWrite, SentenceRecord, chunk_id_of
from retrieval.index.store import ChunkStore
from retrieval.settings import IndexSettings
from retrieval.text import split_sentences
from retrieval.types import Article, ArticleMeta, Chunk

log = logging.getLogger(__name__)

# Bump when the chunking code or the stored passages change: every article is then re-indexed once.
# (A change of the chunk sizes in the settings re-indexes by itself: they are part of the content hash.)
# 4: each sentence embedded once, chunks ranked by their best sentence, chunk vectors pooled.
INDEX_FORMAT = 4
DEFAULT_CHUNKING = IndexSettings()


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


@dataclass
class ArticlePlan:
    """An article cut for the index: chunks, sentences ``(text, chunk_id of its first chunk,
    sentence index)``, and for every sentence the ids of all chunks holding it (two where
    chunks overlap)."""

    chunks: list[Chunk]
    sentences: list[SentenceRecord]
    members: list[list[str]]


def chunk_article(
    article: Article, chunking: IndexSettings = DEFAULT_CHUNKING
) -> tuple[list[Chunk], list[SentenceRecord]]:
    """Group whole sentences into chunks (at most ``chunking.chunk_max_chars`` characters or
    ``chunk_max_sentences`` sentences; one long sentence is a chunk of its own), each chunk
    overlapping the previous by one sentence. Returns the chunks and, for every sentence,
    ``(text, chunk_id of its first chunk, sentence index)``."""
    plan = plan_article(article, chunking)
    return plan.chunks, plan.sentences


def plan_article(article: Article, chunking: IndexSettings = DEFAULT_CHUNKING) -> ArticlePlan:
    """:func:`chunk_article`, with which chunks hold each sentence."""
    max_chars, max_sentences = chunking.chunk_max_chars, chunking.chunk_max_sentences
    spans = sentence_spans(article.text)
    chunks: list[Chunk] = []
    owner: dict[int, list[str]] = {}
    i = 0
    while i < len(spans):
        j = i
        size = 0
        while j < len(spans) and (j == i or (j - i < max_sentences and size + len(spans[j][0]) <= max_chars)):
            size += len(spans[j][0]) + 1
            j += 1
        chunk_id = chunk_id_of(article.doc_id, len(chunks))
        part = spans[i:j]
        chunks.append(Chunk(
            chunk_id=chunk_id, doc_id=article.doc_id, index=len(chunks), text=" ".join(s for s, _, _ in part),
            start_char=part[0][1], end_char=part[-1][2],
        ))
        for k in range(i, j):
            owner.setdefault(k, []).append(chunk_id)
        if j >= len(spans):
            break
        i = j - 1 if j - i > 1 else j  # one sentence of overlap
    sentences = [(s, owner[k][0], k) for k, (s, _, _) in enumerate(spans)]
    return ArticlePlan(chunks, sentences, [owner[k] for k in range(len(spans))])


def pooled_chunk_vectors(chunks: list[Chunk], members: list[list[str]], sentence_vectors: np.ndarray) -> np.ndarray:
    """Each chunk's vector: the mean of its sentences' vectors, normalised (nothing embedded twice).

    Retrieval ranks a chunk by its best sentence (:meth:`ChunkStore.dense`); a new index stores
    a placeholder in the chunk records instead, and only an index first written with pooled
    vectors keeps storing them (see ``ChunkStore._pooled_chunk_vectors``)."""
    out = np.zeros((len(chunks), sentence_vectors.shape[1]), dtype=np.float32)
    counts = np.zeros(len(chunks), dtype=np.float32)
    row = {c.chunk_id: n for n, c in enumerate(chunks)}
    for vec, ids in zip(sentence_vectors, members, strict=True):
        for cid in ids:
            out[row[cid]] += vec
            counts[row[cid]] += 1
    out /= np.maximum(counts, 1)[:, None]
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


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


def content_hash(article: Article, chunking: IndexSettings = DEFAULT_CHUNKING) -> str:
    """What decides whether a stored article is current: the index format, the chunk sizes
    (left out at their defaults, so indexes built before they were settings stay current) and the article."""
    sizes = "" if chunking == DEFAULT_CHUNKING else f"chunks {chunking.chunk_max_chars}/{chunking.chunk_max_sentences}\n"
    payload = f"{INDEX_FORMAT}\n{sizes}{article.model_dump_json()}"
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
    sources: dict[str, str] = field(default_factory=dict)  # doc_id -> the path or URL that wrote it this run
    dropped: list[str] = field(default_factory=list)  # a rebuild: articles of the old index it was not given

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.unchanged)} unchanged",
                 f"{len(self.duplicates)} duplicates", f"{len(self.skipped)} skipped"]
        lines = [", ".join(parts)]
        # an article replaced is named with what replaced it: a file that only shares another's
        # name (its doc_id) would otherwise replace that article unseen
        lines += [f"  updated {d} from {self.sources[d]}" for d in self.updated if self.sources.get(d, d) != d]
        if self.dropped:
            shown = ", ".join(self.dropped[:10]) + (f" and {len(self.dropped) - 10} more" if len(self.dropped) > 10 else "")
            n = len(self.dropped)
            lines.append(f"  not rebuilt: {n} article{'s' * (n != 1)} of the old index that were not in the corpus "
                         f"folder nor given ({shown}); give their files, URLs or feeds to `rnkbot ingest` to add them again")
        lines += [f"  duplicate {src}: {why}" for src, why in self.duplicates]
        lines += [f"  skipped {src}: {why}" for src, why in self.skipped]
        return hide_credentials("\n".join(lines))  # items are page and feed URLs too, which may hold user:password@


@dataclass
class _Pending:
    """An article that will be written: its plan, and where it goes in the report."""

    article: Article
    digest: str
    fingerprint: str
    updated: bool
    plan: ArticlePlan
    sentences: list[SentenceRecord]
    members: list[list[str]]
    has_byline: bool


class Ingester:
    """Writes articles into the store, ``batch_size`` at a time: the store's reads and writes
    and the embedder's calls are made once per batch, not per article (each Chroma write costs
    tens of milliseconds however small it is).

    ``write_lock`` is held only while a batch is written (the answer service passes its own
    lock, so no question is answered from a half-written article); ``clock`` stamps
    ``ingested_ts`` (what the digest calls new), unless ``ingested_at`` gives an article its
    own time (a rebuild keeps the old index's); ``chunking`` sizes the chunks."""

    def __init__(self, store: ChunkStore, write_lock: contextlib.AbstractContextManager[object] | None = None,
                 clock: Callable[[], float] = time.time, chunking: IndexSettings = DEFAULT_CHUNKING,
                 batch_size: int = 32, ingested_at: Callable[[Article], float | None] | None = None) -> None:
        self.store = store
        self._write_lock = write_lock
        self.clock = clock
        self.chunking = chunking
        self.batch_size = batch_size
        self.ingested_at = ingested_at

    def ingest_articles(self, articles: Iterable[Article], report: IngestReport | None = None) -> IngestReport:
        report = report or IngestReport()
        batch: list[tuple[Article, str | None]] = []
        for article in articles:
            batch.append((article, None))
            if len(batch) >= self.batch_size:
                self._ingest_batch(batch, report)
                batch = []
        self._ingest_batch(batch, report)
        return report

    def ingest_article(self, article: Article, report: IngestReport, label: str | None = None) -> None:
        """Add, update, or leave ``article`` as it is; a copy of another stored article (same
        canonical URL or same text under another doc_id) is reported as a duplicate, not stored."""
        self._ingest_batch([(article, label)], report)

    def ingest_labelled(self, items: Sequence[tuple[Article, str | None]], report: IngestReport) -> None:
        """:meth:`ingest_article` for many, ``batch_size`` at a time (each with the label its
        report lines name: a path or a URL)."""
        for start in range(0, len(items), self.batch_size):
            self._ingest_batch(list(items[start:start + self.batch_size]), report)

    def _ingest_batch(self, items: list[tuple[Article, str | None]], report: IngestReport) -> None:
        if not items:
            return
        ids = [a.doc_id for a, _ in items]
        if len(set(ids)) < len(ids):  # one article twice: the second must see the first's write
            cut = next(i for i, d in enumerate(ids) if d in ids[:i])
            self._ingest_batch(items[:cut], report)
            self._ingest_batch(items[cut:], report)
            return
        stored = self.store.doc_hashes(ids)
        digests = {a.doc_id: content_hash(a, self.chunking) for a, _ in items}
        done = self.store.complete({d: h for d, h in digests.items() if stored.get(d) == h})
        prints = {a.doc_id: text_fingerprint(a.text) for a, _ in items}
        others = self.store.find_others([(a.doc_id, a.url, prints[a.doc_id]) for a, _ in items if a.doc_id not in done])
        pending: list[_Pending] = []
        batch_urls: dict[str, str] = {}
        batch_texts: dict[str, str] = {}
        for article, label in items:
            doc_id, digest = article.doc_id, digests[article.doc_id]
            first = report.sources.get(doc_id)
            if label is not None and first is not None and first != label:
                # two files of one name in one run ("a/same.txt", "b/same.txt"): the second would
                # replace the first unseen
                report.skipped.append((label, f"its doc_id {doc_id} is also {first}'s (a file's name is its doc_id): "
                                              "rename one of them"))
                continue
            if label is not None:
                report.sources[doc_id] = label
            if doc_id in done:
                self.store.ensure_lexical(doc_id, digest)  # a write cut short after Chroma's part
                report.unchanged.append(doc_id)
                continue
            fingerprint = prints[doc_id]
            other = others.get(doc_id)
            if other is None and article.url and article.url in batch_urls:
                other = (batch_urls[article.url], "same URL")
            if other is None and fingerprint in batch_texts:
                other = (batch_texts[fingerprint], "same text")
            if other is not None:
                report.duplicates.append((label or doc_id, f"{other[1]} as {other[0]}"))
                continue
            plan = plan_article(article, self.chunking)
            if not plan.chunks:
                report.skipped.append((doc_id, "no sentences in the article text"))
                continue
            sentences, members = plan.sentences, plan.members
            head = byline(article)
            if head:  # the header facts (title, outlet, date, author) as a passage of their own
                sentences = [(head, plan.chunks[0].chunk_id, -1)] + sentences
                members = [[plan.chunks[0].chunk_id]] + members
            pending.append(_Pending(article, digest, fingerprint, doc_id in stored, plan, sentences, members, bool(head)))
            if article.url:
                batch_urls[article.url] = doc_id
            batch_texts[fingerprint] = doc_id
        if not pending:
            return
        # Each text is embedded once, the whole batch in one call: the sentences (what answers
        # quote, and what dense retrieval ranks: a chunk by its best sentence); chunk vectors
        # are pooled from them (stored only by an index that already holds pooled ones).
        vectors = np.asarray(self.store.embeddings.embed_passages([s for p in pending for s, _, _ in p.sentences]),
                             dtype=np.float32)
        writes: list[ArticleWrite] = []
        at = 0
        now = self.clock()
        for p in pending:
            sent_vecs = vectors[at : at + len(p.sentences)]
            at += len(p.sentences)
            body = slice(1, None) if p.has_byline else slice(None)
            chunk_vecs = pooled_chunk_vectors(p.plan.chunks, p.members[body], sent_vecs[body])
            at_ts = self.ingested_at(p.article) if self.ingested_at else None
            writes.append(ArticleWrite(p.article, p.plan.chunks, chunk_vecs, p.sentences, sent_vecs, p.digest,
                                       now if at_ts is None else at_ts, p.fingerprint, p.members))
        with self._write_lock or contextlib.nullcontext():
            self.store.replace_articles(writes)
        for p in pending:
            (report.updated if p.updated else report.added).append(p.article.doc_id)

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

        def articles() -> Iterator[Article]:
            for path in tqdm(files, desc="ingest", unit="article", disable=not progress or len(files) < 2):
                try:
                    yield load_file(path)
                except DocumentError as exc:
                    report.skipped.append((str(path), str(exc)))

        return self.ingest_articles(articles(), report)
