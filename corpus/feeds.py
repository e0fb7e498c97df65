"""RSS/Atom feeds: the feeds file (TOML) and the entries of one feed (feedparser)."""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import RnkbotError
from .fetch import FEED_TYPES, Fetcher, FetchError, is_web_url
from .urls import shown_url


class FeedsFileError(RnkbotError, ValueError):
    """The feeds file cannot be read; the message says where and how to fix it."""


@dataclass(frozen=True)
class FeedSource:
    url: str
    name: str


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    feed: str
    stamp: str = ""  # the entry's updated (else published) value, as the feed gives it
    published: str | None = None  # ISO 8601 (UTC), for pages that do not state their date


def load_feeds_file(path: Path) -> list[FeedSource]:
    """``[[feed]]`` tables with ``url`` (and an optional ``name``); ``enabled = false`` skips one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FeedsFileError(f"{path}: no such feeds file (check RNKBOT_FEEDS_FILE)") from exc
    except OSError as exc:
        raise FeedsFileError(f"{path}: cannot read the feeds file ({exc.strerror}; check RNKBOT_FEEDS_FILE)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FeedsFileError(f"{path}: not valid TOML ({exc})") from exc
    tables = data.get("feed", [])
    if not isinstance(tables, list):
        raise FeedsFileError(f"{path}: feeds are [[feed]] tables, each with a url")
    feeds: list[FeedSource] = []
    for no, table in enumerate(tables, start=1):
        url = table.get("url") if isinstance(table, dict) else None
        if not isinstance(url, str) or not is_web_url(url):
            got = shown_url(url) if isinstance(url, str) else url
            raise FeedsFileError(f"{path}: feed #{no} needs url = \"https://...\" (got {got!r})")
        if table.get("enabled", True):
            feeds.append(FeedSource(url=url, name=str(table.get("name") or url)))
    return feeds


def read_feed(fetcher: Fetcher, url: str) -> list[FeedEntry]:
    """The entries of the feed at ``url`` that link to a web page, newest first as the feed gives them."""
    import feedparser  # imported here: only feeds need it

    got = fetcher.fetch(url, accept=FEED_TYPES)
    parsed = feedparser.parse(got.body, response_headers={"content-type": f"{got.media_type}; charset={got.charset or 'utf-8'}"})
    if not parsed.entries and parsed.bozo:
        raise FetchError(f"{url}: not a readable RSS/Atom feed ({parsed.get('bozo_exception', 'no entries')})")
    entries: list[FeedEntry] = []
    for e in parsed.entries:
        link = e.get("link")
        if isinstance(link, str) and is_web_url(link):
            stamp = str(e.get("updated") or e.get("published") or "")
            when = e.get("published_parsed") or e.get("updated_parsed")
            published = datetime.fromtimestamp(calendar.timegm(when), tz=UTC).isoformat() if when else None
            entries.append(FeedEntry(url=link, title=str(e.get("title", "")), feed=url, stamp=stamp, published=published))
    return entries
