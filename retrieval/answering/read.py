"""A capable language model as a reader where the evidence model hesitates (opt-in: ``RNKBOT_READER``).

The evidence model (:mod:`retrieval.answering.evidence`) is fit on word coverage, e5 similarity
and the like: it cannot understand a sentence, so a quarter of the answerable training questions
are refused, and for two in three of those the passage it liked best, or one just below, answers.
A capable model can read those few passages. When no passage reaches the answer threshold but
the likeliest reaches the fitted pointer floor (the one that decides whether a refusal names the
closest report), the model is shown the likeliest passages, each with its article's title and
date, and names the one that answers, or none.

What it may do is bounded by code: it only chooses among passages the evidence model put
forward, on-topic ones above the floor; the chosen passage is quoted and cited as any evidence is
(the checks of "how many", "what is the name of X?" and "who is X?" questions included), and every sentence the
model then writes is verified against it. A reply that is no passage number keeps the refusal. Only chat-style models
read (an instruction-tuned GGUF or a server): a base model has no instructions to follow.
"""

from __future__ import annotations

import re

import numpy as np

from prompts import template
from retrieval.answering.evidence import Pick, can_answer, quoted_pick
from retrieval.answering.features import Passage
from retrieval.answering.question import Question
from retrieval.models.llm import Generator

READ_MAX_TOKENS = 8  # a passage number, and room for a model that says "Passage 2"
_NUMBER = re.compile(r"\d+")


def candidates(ps: list[Passage], probs: np.ndarray, *, floor: float, n: int) -> list[int]:
    """The passages the reader is shown: the likeliest first, at most ``n``, each at least ``floor``
    likely and from an article about the subject, one per sentence text (an article printed twice
    is one passage)."""
    shown: list[int] = []
    seen: set[str] = set()
    for i in np.argsort(-probs, kind="stable"):
        p = ps[int(i)]
        if len(shown) >= n or probs[i] < floor:
            break
        if p.article.on_topic and p.sentence.text not in seen:
            shown.append(int(i))
            seen.add(p.sentence.text)
    return shown


def passage_text(chosen: Pick) -> str:
    """A passage as the reader sees it: its article's title and date (a question's constraints are
    often met there), then exactly what the answer would quote."""
    meta = chosen.passage.article.meta
    header = meta.title + (f" ({meta.published_date})" if meta.published_date else "")
    return f"{header}: " + " ".join(s.text for s in chosen.quoted)


def parse_choice(reply: str, n: int) -> int | None:
    """The passage number a reply names (1..``n``), or None: "0", no number, or one out of range."""
    found = _NUMBER.search(reply)
    if found is None:
        return None
    number = int(found.group(0))
    return number if 1 <= number <= n else None


def read(generator: Generator, q: Question, ps: list[Passage], probs: np.ndarray, *, floor: float,
         n: int) -> Pick | None:
    """The passage the model reads as answering ``q``, quoted as evidence, or None (it names none,
    or what it names cannot answer: no amount of the kind a "how many" question asks for, no name of
    the thing a "what is the name of X?" question asks about, not X in full for "who is X?"). Raises
    :class:`~retrieval.models.llm.LLMError` when the model fails; the caller keeps the refusal."""
    shown = candidates(ps, probs, floor=floor, n=n)
    if not shown:
        return None
    picks = [quoted_pick(ps[i], float(probs[i])) for i in shown]
    listing = "\n".join(f"[{k}] {passage_text(p)}" for k, p in enumerate(picks, start=1))
    user = f"Question: {q.text}\n\nPassages:\n{listing}\n\nWhich passage states the answer? Reply with its number, or 0."
    choice = parse_choice(generator.chat(template("read.chat"), user, max_tokens=READ_MAX_TOKENS), len(shown))
    if choice is None:
        return None
    chosen = picks[choice - 1]
    return chosen if can_answer(q, chosen) else None
