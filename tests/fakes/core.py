"""A fast answering core for the bot's fault, load and restart tests, where the model is not the point.

:class:`FastCore` has the methods the bot calls (:class:`bot.telegram.core.Core`). Its answer
to a question is instant and deterministic: one sentence citing one source, in the question's
language, streamed to ``on_partial`` word by word as a model would. Hooks (set by a test, or
through ``TESTHOOK_*`` environment variables in a child process, see ``bot_child.py``):

- ``delay_s``: seconds each answer takes (a slow model);
- ``long_chars``: answers at least this long (several Telegram messages);
- ``digest_items``: items in every digest (0: a quiet day);
- ``hang_marker``: a file; the first ``ask`` (or ``digest``) after which the file does not
  exist yet creates it and then blocks for good, a core stuck mid-answer for a ``kill -9``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from corpus.language import detect_language
from retrieval.digest.builder import Digest, DigestItem
from retrieval.index.ingest import IngestReport
from retrieval.service import CorpusStats
from retrieval.settings import Settings
from retrieval.types import Answer, Citation, Language, Timings, Turn

SOURCE = Citation(n=1, doc_id="004_b44b09399d88959f", title="Kim Jong Un Bakal Membahas Kerja Sama Militer dengan Pejabat Rusia",
                  outlet="Kontan", published="2024-11-19T17:31:00+07:00", url="https://news.example/004?a=1&b=2",
                  quote="Krivoruchko menyampaikan salam dari Presiden Rusia Vladimir Putin kepada Kim Jong Un.")


def held_back(fn: Callable) -> tuple[Callable, threading.Event]:
    """``fn`` made slow: each call waits (up to 30 s) until the returned event is set. For a
    digest or an ingest that must still be running while other updates come in."""
    gate = threading.Event()

    def slow(*args, **kwargs):
        gate.wait(30)
        return fn(*args, **kwargs)

    return slow, gate


class FastCore:
    def __init__(self, settings: Settings, *, delay_s: float = 0.0, long_chars: int = 0, digest_items: int = 3,
                 hang_marker: Path | None = None, digest_hang_marker: Path | None = None) -> None:
        self.settings = settings
        self.delay_s, self.long_chars, self.digest_items = delay_s, long_chars, digest_items
        self.hang_marker, self.digest_hang_marker = hang_marker, digest_hang_marker
        self.asked: list[str] = []
        self.digests = 0
        self._lock = threading.Lock()

    @staticmethod
    def _hang(marker: Path | None) -> None:
        if marker is not None and not marker.exists():
            marker.write_text("stuck", encoding="utf-8")
            while True:  # until the process is killed
                time.sleep(60)

    def ask(self, question: str, *, history: list[Turn] | None = None, language: Language | None = None,
            on_partial: Callable[[str], None] | None = None) -> Answer:
        with self._lock:  # one question at a time, like the real service
            self.asked.append(question)
            self._hang(self.hang_marker)
            lang: Language = language or detect_language(question)
            text = ("Putin sent greetings to Kim Jong Un through Krivoruchko [1]." if lang == "en"
                    else "Putin menyampaikan salam kepada Kim Jong Un melalui Krivoruchko [1].")
            while len(text) < self.long_chars:
                text += f"\n\nParagraph {len(text) // 500}: " + " ".join(["Russia and North Korea met again [1]."] * 12)
            if on_partial is not None:
                words = text.split(" ")
                for n in range(1, min(len(words), 12) + 1):
                    on_partial(" ".join(words[:n]))
            if self.delay_s:
                time.sleep(self.delay_s)
            return Answer(question=question, language=lang, answer=text, refused=False, citations=[SOURCE],
                          timings=Timings(total_s=self.delay_s))

    def digest(self, since: datetime, until: datetime, language: Language, *, everything: bool = False) -> Digest:
        with self._lock:
            self.digests += 1
            self._hang(self.digest_hang_marker)
            items = [DigestItem(event_id=f"e{i}", summary=f"Event {i}: " + "Russia and North Korea talked. " * 40 + "[1]",
                                sources=[1], latest=until.isoformat(), phrased=False) for i in range(self.digest_items)]
            return Digest(language=language, since=since.isoformat(), until=until.isoformat(), items=items,
                          citations=[SOURCE] if items else [], articles=len(items))

    def stats(self) -> CorpusStats:
        return CorpusStats(articles=5, chunks=27, outlets=["Kontan"], first_published="2023-09-22",
                           last_published="2024-11-19")

    def ingest(self, targets=(), feeds=(), *, filter_files: bool = False, progress: bool = False) -> IngestReport:
        return IngestReport()

    def ingest_feeds_file(self, path: Path | None = None) -> IngestReport:
        return IngestReport()
