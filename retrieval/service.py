"""The composition root of the answering core: built once per process, shared by CLI and bot."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from retrieval.answering.answerer import Answerer
from retrieval.answering.model import EvidenceModel
from retrieval.digest.builder import Digest, DigestBuilder
from retrieval.index.ingest import Ingester, IngestReport
from retrieval.index.search import HybridRetriever
from retrieval.index.store import ChunkStore, open_store
from retrieval.models.embeddings import build_embeddings
from retrieval.models.llm import Generator, build_generator
from retrieval.settings import Settings
from retrieval.types import Answer, Language, Turn

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
    from worker threads (``asyncio.to_thread`` in async code).
    """

    def __init__(self, settings: Settings, store: ChunkStore, generator: Generator | None,
                 evidence_model: EvidenceModel | None = None) -> None:
        self.settings = settings
        self.store = store
        self.generator = generator
        self.retriever = HybridRetriever(store, k=settings.answering.retrieve_k,
                                         sync_every_s=settings.store.lexical_sync_s)
        self.answerer = Answerer(settings, self.retriever, store, generator, evidence_model)
        self.digests = DigestBuilder(settings, store, generator)
        self._lock = threading.Lock()
        self._sources_lock = threading.Lock()
        self._sources: SourceIngester | None = None

    @classmethod
    def build(cls, settings: Settings, *, with_llm: bool = True) -> AnswerService:
        embeddings = build_embeddings(settings)
        store = open_store(settings, embeddings)
        generator = build_generator(settings) if with_llm else None
        return cls(settings, store, generator)

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
        """Ingest the default corpus when the index is empty (first run)."""
        if self.store.count() > 0:
            return None
        return self.ingester().ingest_paths([self.settings.store.corpus_dir], progress=progress)

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
            return self.answerer.answer(question, history=history or [], language=language, on_partial=on_partial)

    def digest(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest:
        """What is new in ``(since, until]``, grouped by event, every line cited (blocking);
        ``everything``: all items, not only the ``RNKBOT_DIGEST_MAX_ITEMS`` biggest."""
        with self._lock:
            return self.digests.build(since, until, language, everything=everything)

    def stats(self) -> CorpusStats:
        metas = self.store.articles()
        outlets = sorted({m.outlet for m in metas if m.outlet})
        dates = sorted(m.published_date for m in metas if m.published_date)
        return CorpusStats(
            articles=len(metas),
            chunks=self.store.count(),
            outlets=outlets,
            first_published=dates[0] if dates else None,
            last_published=dates[-1] if dates else None,
        )
