"""Keeping the corpus current: files, web pages and RSS/Atom feeds -> the index.

:class:`SourceIngester` is the one service behind ``rnkbot ingest``, the bot's feed job and the
admin's ``/ingest URL``. Each item (a file, a page, a feed entry) is fetched, extracted,
checked against the topic, de-duplicated and written on its own: a bad item is reported
with its reason and skipped, and the run goes on. Runs never overlap (one lock per service).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from corpus.documents import DocumentError, iter_files, load_file
from corpus.extract import ExtractionError, canonical_url, decode_html, extract_article
from corpus.feeds import FeedEntry, FeedsFileError, load_feeds_file, read_feed
from corpus.fetch import Fetcher, FetchError, is_web_url
from retrieval.index.ingest import Ingester, IngestReport
from retrieval.index.topic import TopicFilter
from retrieval.settings import Settings
from retrieval.types import Article

log = logging.getLogger(__name__)
MAX_SEEN_ENTRIES = 20_000  # feed entries remembered between runs of one process (a few MB at most)


@dataclass(frozen=True)
class _Page:
    url: str
    source: str  # the feed's URL, or "web" for a URL given directly
    stamp: str = ""  # the feed entry's updated/published value
    published: str | None = None  # the feed entry's date, used when the page gives none


class SourceIngester:
    """Ingests files, URLs and feeds into the index through an :class:`Ingester`.

    Articles from the web must pass the topic filter; files given by path are trusted (the
    operator chose them) unless ``filter_files=True``."""

    def __init__(self, settings: Settings, ingester: Ingester, topic: TopicFilter) -> None:
        self.settings = settings
        self.ingester = ingester
        self.topic = topic
        self._run_lock = threading.Lock()
        self._seen_entries: dict[str, str] = {}  # feed entry URL -> its stamp, once handled in this process

    def run(
        self,
        targets: Sequence[str | Path] = (),
        feeds: Sequence[str] = (),
        *,
        filter_files: bool = False,
        progress: bool = False,
    ) -> IngestReport:
        """Ingest ``targets`` (paths of files or folders, or page URLs) and every entry of ``feeds``."""
        report = IngestReport()
        with self._run_lock, Fetcher(self.settings.fetch.policy()) as fetcher:
            files, pages = self._plan(targets, feeds, fetcher, report)
            bar = tqdm(total=len(files) + len(pages), desc="ingest", unit="item", disable=not progress)
            with bar:
                batch: list[tuple[Article, str | None]] = []
                for path in files:
                    article = self._load_file(path, filter_files, report)
                    if article is not None:
                        batch.append((article, str(path)))
                    if len(batch) >= self.ingester.batch_size:
                        self.ingester.ingest_labelled(batch, report)
                        batch = []
                    bar.update()
                self.ingester.ingest_labelled(batch, report)
                for page in pages:
                    self._ingest_page(page, fetcher, report)
                    bar.update()
        return report

    def run_feeds_file(self, path: Path | None = None, *, progress: bool = False) -> IngestReport:
        """Ingest every feed listed in the feeds file (``RNKBOT_FEEDS_FILE`` by default)."""
        path = path or self.settings.fetch.feeds_file
        if path is None:
            raise FeedsFileError("no feeds file: set RNKBOT_FEEDS_FILE or pass --feeds FILE")
        return self.run(feeds=[f.url for f in load_feeds_file(path)], progress=progress)

    # --- planning ----------------------------------------------------------------
    def _plan(self, targets, feeds, fetcher: Fetcher, report: IngestReport) -> tuple[list[Path], list[_Page]]:
        paths = [Path(t) for t in targets if not is_web_url(str(t))]
        pages = [_Page(str(t), "web") for t in targets if is_web_url(str(t))]
        files: list[Path] = []
        for p in paths:
            try:
                files.extend(iter_files([p]))
            except DocumentError as exc:
                report.skipped.append((str(p), str(exc)))
        for feed in feeds:
            try:
                entries = read_feed(fetcher, feed)
            except FetchError as exc:
                report.skipped.append((feed, str(exc)))
                continue
            pages.extend(self._fresh(entries, report))
        unique: dict[str, _Page] = {}
        for page in pages:  # the same link in two feeds is read once
            unique.setdefault(canonical_url(page.url), page)
        once: dict[Path, Path] = {}
        for f in files:  # a file named twice ("a a/x.txt") is read once
            once.setdefault(f.resolve(), f)
        return list(once.values()), list(unique.values())

    def _fresh(self, entries: list[FeedEntry], report: IngestReport) -> list[_Page]:
        """Entries not handled before in this process with the same updated/published stamp
        (the bot's schedule then re-reads only what changed)."""
        out = []
        for e in entries:
            if e.stamp and self._seen_entries.get(e.url) == e.stamp:
                report.unchanged.append(e.url)
            else:
                out.append(_Page(e.url, e.feed, e.stamp, e.published))
        return out

    # --- one item ----------------------------------------------------------------
    def _load_file(self, path: Path, filter_files: bool, report: IngestReport) -> Article | None:
        """The file's article, or ``None`` (reported) when it can't be read or the topic filter leaves it out.
        Files are written ``batch_size`` at a time: one embedder call and one index write per batch."""
        try:
            article = load_file(path)
        except DocumentError as exc:
            report.skipped.append((str(path), str(exc)))
            return None
        if filter_files and not self._on_topic(article, str(path), report):
            return None
        return article

    def _ingest_page(self, page: _Page, fetcher: Fetcher, report: IngestReport) -> None:
        try:
            got = fetcher.fetch(page.url)
            html = decode_html(got.body, got.charset, page.url)
            article = extract_article(html, got.url, source=page.source)
        except (FetchError, ExtractionError) as exc:
            report.skipped.append((page.url, str(exc)))
            log.info("skipped %s", exc)
            return
        if article.published is None and page.published:
            article = Article.model_validate(article.model_dump() | {"published": page.published})
        if self._on_topic(article, page.url, report):
            self.ingester.ingest_article(article, report, label=page.url)
        if page.stamp:
            if len(self._seen_entries) >= MAX_SEEN_ENTRIES:
                self._seen_entries.clear()  # forget, and read every page once more
            self._seen_entries[page.url] = page.stamp

    def _on_topic(self, article: Article, label: str, report: IngestReport) -> bool:
        decision = self.topic.decide(article.title, article.text)
        if not decision.on_topic:
            report.skipped.append((label, decision.reason))
        return decision.on_topic
