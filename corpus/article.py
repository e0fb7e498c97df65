"""The article: what every later stage points back to.

``corpus`` owns it (reading, cleaning, fetching, extraction and feeds all produce it) and
imports nothing else of rnkbot's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer

from .language import Language

__all__ = ["Article", "ArticleMeta", "Language", "Published"]


def _parse_published(value: object) -> object:
    """ISO 8601 text as sources give it; text that is not a date becomes ``None`` (never invented)."""
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return value


def _iso(value: datetime) -> str:
    """A date without a time of day stays a date ("2024-11-19"), as the source gave it."""
    if value.tzinfo is None and value.hour == value.minute == value.second == value.microsecond == 0:
        return value.date().isoformat()
    return value.isoformat()


Published = Annotated[datetime | None, BeforeValidator(_parse_published),
                      PlainSerializer(lambda v: None if v is None else _iso(v), return_type=str | None)]


class ArticleMeta(BaseModel):
    """What we know about a source article. Unknown fields stay ``None``; nothing is invented."""

    doc_id: str
    title: str
    outlet: str | None = None
    published: Published = Field(None, description="When the source published it (a date, or a date and time); "
                                 "serialised as ISO 8601, a bare date as a date.")
    author: str | None = None
    language: str = "id"
    url: str | None = None
    source: str | None = Field(None, description="Where it came from: the feed URL, 'web' (a page URL given directly) or 'file'.")

    @property
    def published_date(self) -> str | None:
        """The publication day, ``YYYY-MM-DD`` (in the source's own time zone)."""
        return self.published.date().isoformat() if self.published else None

    @property
    def published_iso(self) -> str | None:
        """The publication time as the source gave it (ISO 8601; a bare date stays a date)."""
        return _iso(self.published) if self.published else None


class Article(ArticleMeta):
    """A cleaned article: metadata plus body paragraphs (site clutter removed)."""

    text: str
