"""Typed objects for the data that flows from an article to a cited answer."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from pydantic import BaseModel, Field

from corpus.article import Article, ArticleMeta, Language

__all__ = ["Article", "ArticleMeta", "Language"]


class ChunkRef(BaseModel):
    """A chunk as the index keeps it: a run of whole sentences of one article, and where it lies.
    Its text is its sentences' (the sentence records hold it, once)."""

    chunk_id: str
    doc_id: str
    index: int
    start_char: int
    end_char: int


class Chunk(ChunkRef):
    """A chunk as ingestion plans it, with its text: the unit retrieval ranks."""

    text: str


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article as stored in the index, with its vector.

    ``index`` is its position in the article; -1 is the byline passage (title, outlet, date,
    author) that ingestion adds so "who wrote it" questions have a sentence to quote."""

    sentence_id: str
    doc_id: str
    chunk_id: str
    index: int
    text: str
    vector: np.ndarray = field(repr=False)


class RetrievedChunk(BaseModel):
    """A chunk returned by the retriever, with its fused score and the article's metadata."""

    chunk: ChunkRef
    meta: ArticleMeta
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class Evidence:
    """A passage chosen to answer a question: the sentence that holds the answer (``focus``), quoted
    with the sentence before it when that one says who "he" or "the treaty" is (``sentences``).

    ``key`` is the opaque number the language model sees and cites, as ``[key]``; citations are
    resolved from the keys an answer actually cites."""

    key: int
    article: ArticleMeta
    focus: Sentence
    sentences: tuple[Sentence, ...]
    probability: float | None = field(metadata={
        "doc": "the evidence model's probability that this passage answers (None: quoted as asked, not scored: "
               "the opening of the article a refusal named, for \"what does it say?\")"})

    @property
    def text(self) -> str:
        """The quoted sentences; where the article has text between two of them, " … " stands for
        it, so the quote never shows two sentences as if one followed the other (the byline, -1,
        is not part of the article's text)."""
        parts: list[str] = []
        before: Sentence | None = None
        for s in self.sentences:
            if before is not None:
                parts.append(" " if before.index >= 0 and s.index == before.index + 1 else " … ")
            parts.append(s.text)
            before = s
        return "".join(parts)

    @property
    def doc_id(self) -> str:
        return self.article.doc_id


class Citation(BaseModel):
    """A reference shown to the user, resolved after generation from the evidence actually cited."""

    n: int
    doc_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    quote: str


class Closest(BaseModel):
    """The article nearest to a refused question: shown with the refusal ("the closest report I
    have is ..."), with the sentence of it most likely to answer ("that report says: ..."), so the
    reader can look for themselves. It answers nothing, so it is no citation of the answer."""

    doc_id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    language: str | None = Field(default=None, description="the article's language (`id`/`en`), named to a reader of the other")
    quote: str | None = Field(default=None, description=(
        "its sentence most likely to answer, verbatim, shown as what that report says: what the articles do "
        "report (a question whose premise they contradict is told the fact they state), never as the answer"))


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
    closest: Closest | None = Field(default=None, description=(
        "with a refusal, the article the evidence model found nearest to answering, when it is likely enough "
        "(the fitted pointer floor) to be worth reading; never with an answer"))
    reader: bool = Field(default=False, description=(
        "the language model chose the evidence among the likeliest passages (RNKBOT_READER) where the evidence "
        "model alone would have refused; in the JSON only when true"))
    read_as: str | None = Field(default=None, description=(
        "a follow-up as it was read: together with the question it follows (what a reply to it follows in "
        "turn); in the JSON only for a follow-up"))
    confidence: float | None = Field(default=None, description=(
        "the evidence model's probability that the best passage quoted answers the question (calibrated on the "
        "training questions); None where it scored none; for `rnkbot fit-replies`, not part of the JSON contract"))
    direct: list[str] = Field(default_factory=list, description=(
        "the values the answer leads with, read off the evidence by code (a date, a number, a name); "
        "for `rnkbot eval` and for a reply to the answer (kept with the conversation), not part of the "
        "JSON contract"))

    def contract(self) -> dict:
        """The JSON object other tools read: the documented keys, ``closest`` only on a refusal that
        names the closest article, ``reader`` only on an answer whose evidence the reader chose;
        never ``direct`` nor ``confidence``."""
        hidden = {"direct", "confidence"} | ({"closest"} if self.closest is None else set()) | \
            (set() if self.reader else {"reader"}) | ({"read_as"} if self.read_as is None else set())
        return self.model_dump(mode="json", exclude=hidden)


class Turn(BaseModel):
    """A previous question and answer, for follow-up questions ("and when was that?")."""

    question: str
    answer: Answer | None = None
