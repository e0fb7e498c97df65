"""The composition root of the answering core: built once per process, shared by CLI and bot."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.fetch import is_web_url
from retrieval.answering.answerer import Answerer
from retrieval.answering.model import EvidenceModel
from retrieval.digest.builder import Digest, DigestBuilder
from retrieval.index import health
from retrieval.index.ingest import Ingester, IngestReport
from retrieval.index.opening import open_store
from retrieval.index.records import ingested_time
from retrieval.index.search import HybridRetriever
from retrieval.index.store import ChunkStore, StoreError
from retrieval.models.embeddings import VectorEmbeddings, build_embeddings
from retrieval.models.guard import time_limited
from retrieval.models.llm import Generator, build_generator
from retrieval.settings import Settings
from retrieval.types import Answer, Article, Language, Turn

if TYPE_CHECKING:
    from retrieval.index.sources import SourceIngester

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusStats:
    articles: int
    chunks: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None


class AnswerService:
    """Answers questions from the index. Thread-safe: one question at a time per process.

    Build with :meth:`build` (loads the embedder and the model once); call :meth:`ask`
    from worker threads (``asyncio.to_thread`` in async code). A store that fails (damaged,
    empty, a full disk) raises :class:`~retrieval.index.store.StoreError` naming the fix
    (:mod:`retrieval.index.health`), never a Chroma error.
    """

    def __init__(self, settings: Settings, store: ChunkStore, generator: Generator | None,
                 evidence_model: EvidenceModel | None = None) -> None:
        self.settings = settings
        self.store = store
        self.generator = generator
        # the answerer asks for as many chunks as its evidence model was fit with (or the setting)
        self.retriever = HybridRetriever(store, sync_every_s=settings.store.lexical_sync_s)
        self.answerer = Answerer(settings, self.retriever, store, generator, evidence_model)
        self.digests = DigestBuilder(settings, store, generator)
        self._lock = threading.Lock()
        self._sources_lock = threading.Lock()
        self._sources: SourceIngester | None = None

    @classmethod
    def build(cls, settings: Settings, *, with_llm: bool = True) -> AnswerService:
        embeddings = build_embeddings(settings)
        store = open_store(settings, embeddings)
        # A model that hangs or fails gives way to the evidence-quoting answer (retrieval.models.guard).
        generator = time_limited(build_generator(settings), settings.llm.call_timeout_s) if with_llm else None
        return cls(settings, store, generator)

    @classmethod
    def rebuild(cls, settings: Settings, targets: Sequence[str | Path] = (), feeds: Sequence[str] = (), *,
                progress: bool = False, embeddings: VectorEmbeddings | None = None) -> IngestReport:
        """Build a new index from the configured corpus plus ``targets`` and ``feeds`` and swap it in
        (:func:`retrieval.index.health.rebuilt_index`: a failed rebuild leaves the old index as it was).

        Articles keep the ingestion time the old index gave them, when it can still be read: the
        digest calls an article new by that time, and a rebuild must not make the corpus new again."""
        embeddings = embeddings or build_embeddings(settings)
        stamps = _ingest_times(settings, embeddings)

        def ingested_at(article: Article) -> float | None:
            return stamps.get(article.doc_id) or (article.published.timestamp() if article.published else None)

        files = [settings.store.corpus_dir, *(Path(t) for t in targets if not is_web_url(str(t)))]
        urls = [str(t) for t in targets if is_web_url(str(t))]
        with health.rebuilt_index(settings, embeddings) as store:
            service = cls(settings, store, None)
            ingester = Ingester(store, chunking=settings.index, ingested_at=ingested_at)
            report = ingester.ingest_paths(files, progress=progress)
            if urls or feeds:
                more = service.sources().run(urls, feeds, progress=progress)
                for name in ("added", "updated", "unchanged", "duplicates", "skipped"):
                    getattr(report, name).extend(getattr(more, name))
        # what the old index held and the rebuild was not given (files, pages or feeds added by
        # their own `ingest` runs) is gone: said, so that it can be given again
        kept = {*report.added, *report.updated, *report.unchanged}
        report.dropped = sorted(d for d in stamps if d not in kept)
        return report

    def ingester(self) -> Ingester:
        return Ingester(self.store, write_lock=self._lock, chunking=self.settings.index)

    def sources(self) -> SourceIngester:
        """The service that ingests files, web pages and feeds (built once, on first use)."""
        from retrieval.index.sources import SourceIngester  # imported here: fetching and extraction are not needed to answer
        from retrieval.index.topic import TopicFilter

        with self._sources_lock:
            if self._sources is None:
                topic = TopicFilter(self.store.embeddings, self.settings.topic)
                self._sources = SourceIngester(self.settings, self.ingester(), topic)
            return self._sources

    def ensure_index(self, progress: bool = False) -> IngestReport | None:
        """Ingest the default corpus when the index is empty (first run, or a deleted data dir)."""
        with health.writing(self.settings.store):
            if self.store.count() > 0:
                return None
            return self.ingester().ingest_paths([self.settings.store.corpus_dir], progress=progress)

    def ingest(self, targets: Sequence[str | Path] = (), feeds: Sequence[str] = (), *,
               filter_files: bool = False, progress: bool = False) -> IngestReport:
        """Ingest files, folders, page URLs and feeds (:meth:`SourceIngester.run`); a failed write
        (a full disk...) raises a :class:`StoreError` that says the index still answers."""
        with health.writing(self.settings.store):
            return self.sources().run(targets, feeds, filter_files=filter_files, progress=progress)

    def ingest_feeds_file(self, path: Path | None = None) -> IngestReport:
        """Ingest every feed of the feeds file (the bot's feeds job)."""
        with health.writing(self.settings.store):
            return self.sources().run_feeds_file(path)

    def check_index(self) -> int:
        """The number of chunks; raises :class:`StoreError` (naming the fix) when the index is
        empty or cannot be read."""
        with health.reading(self.settings.store):
            n = self.store.count()
        if n == 0:
            raise health.empty_error(health.location(self.settings.store))
        return n

    def ask(
        self,
        question: str,
        *,
        history: list[Turn] | None = None,
        language: Language | None = None,
        on_partial: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer one question. ``history`` holds earlier turns for follow-ups;
        ``language`` forces the reply language; ``on_partial`` receives the draft text while the model writes."""
        started = time.perf_counter()
        with self._lock:
            waited = time.perf_counter() - started
            if waited > 0.05:
                log.debug("waited %.2fs for the answering lock", waited)
            self.check_index()
            with health.reading(self.settings.store):
                return self.answerer.answer(question, history=history or [], language=language, on_partial=on_partial)

    def digest(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest:
        """What is new in ``(since, until]``, grouped by event, every line cited (blocking);
        ``everything``: all items, not only the ``RNKBOT_DIGEST_MAX_ITEMS`` biggest."""
        with self._lock, health.reading(self.settings.store):
            return self.digests.build(since, until, language, everything=everything)

    def stats(self) -> CorpusStats:
        with health.reading(self.settings.store):
            metas = self.store.articles()
            chunks = self.store.count()
        outlets = sorted({m.outlet for m in metas if m.outlet})
        dates = sorted(m.published_date for m in metas if m.published_date)
        return CorpusStats(
            articles=len(metas),
            chunks=chunks,
            outlets=outlets,
            first_published=dates[0] if dates else None,
            last_published=dates[-1] if dates else None,
        )


def _ingest_times(settings: Settings, embeddings: VectorEmbeddings) -> dict[str, float]:
    """``doc_id -> ingestion time`` (exact where recorded) of the current index, or ``{}`` if it
    cannot be read (damaged, missing)."""
    if not settings.store.chroma_host and not settings.store.chroma_dir.is_dir():
        return {}
    try:
        store = open_store(settings, embeddings)
    except StoreError as exc:
        log.warning("the old index cannot be read (%s): articles get new ingestion times", exc)
        return {}
    try:
        with health.reading(settings.store):
            return {str(r["doc_id"]): ingested_time(r) for r in store.article_records() if r.get("ingested_ts")}
    except StoreError as exc:
        log.warning("the old index cannot be read (%s): articles get new ingestion times", exc)
        return {}
    finally:
        health.close_client(store.client)
        store.lexical.close()
