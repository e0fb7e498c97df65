"""What the bot needs of the answering core, and a stand-in while the core cannot be built.

:class:`Core` is the part of :class:`retrieval.service.AnswerService` the bot calls (tests pass
fakes with the same methods). When the index is damaged or unreadable at start-up, building the
service raises a :class:`~retrieval.index.store.StoreError`; the bot does not stop for that.
:class:`RecoveringCore` takes the service's place: every call raises that error (the bot then
tells the user the articles cannot be searched right now and that ``rnkbot ingest --rebuild``
fixes it, and goes on with everything that needs no index), and at most every
``RETRY_S`` seconds a call tries to build the service again, so a rebuilt index is picked up
without a restart.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from corpus.errors import RnkbotError
from retrieval.settings import Settings
from retrieval.types import Answer, Language, Turn

if TYPE_CHECKING:
    from retrieval.digest.builder import Digest
    from retrieval.index.ingest import IngestReport
    from retrieval.service import CorpusStats

log = logging.getLogger(__name__)
RETRY_S = 300.0  # between two attempts to build the real service


class Core(Protocol):
    settings: Settings

    def ask(self, question: str, *, history: list[Turn] | None = None, language: Language | None = None,
            on_partial: Callable[[str], None] | None = None) -> Answer: ...

    def digest(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest: ...

    def stats(self) -> CorpusStats: ...

    def ingest(self, targets: Sequence[str | Path] = (), feeds: Sequence[str] = (), *,
               filter_files: bool = False, progress: bool = False) -> IngestReport: ...

    def ingest_feeds_file(self, path: Path | None = None) -> IngestReport: ...


class RecoveringCore:
    """Stands in for an answer service that could not be built (see the module docstring)."""

    def __init__(self, settings: Settings, factory: Callable[[Settings], Core], error: RnkbotError,
                 retry_s: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._factory = factory
        self.error = error
        self._retry_s = retry_s
        self._clock = clock
        self._last_try = clock()
        self._inner: Core | None = None
        self._lock = threading.Lock()

    def _core(self) -> Core:
        """The real service if it can be built by now; else raises the error that stopped it."""
        with self._lock:
            if self._inner is not None:
                return self._inner
            if self._clock() - self._last_try >= (RETRY_S if self._retry_s is None else self._retry_s):
                self._last_try = self._clock()
                try:
                    self._inner = self._factory(self.settings)
                    log.warning("the answer service works again")
                    return self._inner
                except RnkbotError as exc:
                    self.error = exc
            raise self.error

    def ask(self, question: str, *, history: list[Turn] | None = None, language: Language | None = None,
            on_partial: Callable[[str], None] | None = None) -> Answer:
        return self._core().ask(question, history=history, language=language, on_partial=on_partial)

    def digest(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest:
        return self._core().digest(since, until, language, everything=everything)

    def stats(self) -> CorpusStats:
        return self._core().stats()

    def ingest(self, targets: Sequence[str | Path] = (), feeds: Sequence[str] = (), *,
               filter_files: bool = False, progress: bool = False) -> IngestReport:
        return self._core().ingest(targets, feeds, filter_files=filter_files, progress=progress)

    def ingest_feeds_file(self, path: Path | None = None) -> IngestReport:
        return self._core().ingest_feeds_file(path)
