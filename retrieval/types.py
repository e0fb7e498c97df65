"""Typed objects for the data that flows from an article to a cited answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Language = Literal["id", "en"]


class ArticleMeta(BaseModel):
    """What we know about a source article. Unknown fields stay ``None``; nothing is invented."""

    doc_id: str
    title: str
    outlet: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or date-time, as given by the source.")
    author: str | None = None
    language: str = "id"
    url: str | None = None
    source: str | None = Field(None, description="Where it came from: the feed URL, 'web' (a page URL given directly) or 'file'.")

    def published_datetime(self) -> datetime | None:
        if not self.published:
            return None
        try:
            return datetime.fromisoformat(self.published)
        except ValueError:
            return None


class Article(ArticleMeta):
    """A cleaned article: metadata plus body paragraphs (site clutter removed)."""

    text: str


class Chunk(BaseModel):
    """A run of whole sentences from one article, the unit stored in the vector index."""

    chunk_id: str
    doc_id: str
    index: int
    text: str
    start_char: int
    end_char: int
    sentences: list[str]


class RetrievedChunk(BaseModel):
    """A chunk returned by the retriever, with its fused score and the article's metadata."""

    chunk: Chunk
    meta: ArticleMeta
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


class Evidence(BaseModel):
    """A passage (one sentence, with its left neighbour when needed) chosen to answer a question.

    ``key`` is the opaque number the language model sees and cites, as ``[key]``.
    """

    key: int
    doc_id: str
    chunk_id: str
    text: str
    focus: str = Field(description="The sentence within `text` that carries the answer.")
    meta: ArticleMeta
    score: float


class Citation(BaseModel):
    """A reference shown to the user, resolved after generation from the evidence actually cited."""

    n: int
    doc_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    quote: str


class Timings(BaseModel):
    retrieve_s: float = 0.0
    generate_s: float = 0.0
    total_s: float = 0.0


class RetrievedRef(BaseModel):
    doc_id: str
    chunk_id: str
    score: float


class Answer(BaseModel):
    """The answer contract (`rnkbot ask --json`). Keep it stable: other tools depend on it."""

    question: str
    language: Language
    answer: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    retrieved: list[RetrievedRef] = Field(default_factory=list)
    timings: Timings = Field(default_factory=Timings)

    def contract(self) -> dict:
        """The JSON object other tools read (exactly the documented keys)."""
        return self.model_dump(mode="json")


class Turn(BaseModel):
    """A previous question and answer, for follow-up questions ("and when was that?")."""

    question: str
    answer: Answer | None = None
