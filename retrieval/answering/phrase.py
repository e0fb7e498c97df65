"""The model's one job: phrase numbered evidence as a sentence, for answers and for digests.

Instruction-tuned models (and servers) get a chat prompt; base models a few-shot completion.
What comes back is only a draft: callers verify it against the evidence.
"""

from __future__ import annotations

from collections.abc import Callable

from prompts import message, template
from retrieval.answering.question import Question
from retrieval.models.llm import Generator
from retrieval.types import Evidence

ANSWER_STOPS = ["\n\n", "\nBukti", "\nEvidence", "\nPertanyaan", "\nQuestion"]
DIGEST_STOPS = ["\n\n", "\nBukti", "\nReports", "\nLaporan"]


def evidence_block(passages: list[tuple[int, str]]) -> str:
    return "\n".join(f"[{n}] {text}" for n, text in passages)


def phrase(
    generator: Generator, task: str, language: str, block: str, *, question: str = "", stops: list[str],
    max_tokens: int, on_partial: Callable[[str], None] | None = None,
) -> str:
    """Ask the model for the ``task`` (``answer`` or ``digest``) in ``language`` from ``block``."""
    if generator.style == "chat":
        system = template(f"{task}.chat").format(
            language_name=message(language, "language_name"), not_found=message(language, "not_found"), evidence=block,
        )
        return generator.chat(system, question or block, max_tokens=max_tokens, on_text=on_partial)
    prompt = template(f"{task}.{language}").replace("{evidence}", block).replace("{question}", question)
    return generator.complete(prompt, stop=stops, max_tokens=max_tokens, on_text=on_partial)


def phrase_answer(generator: Generator, q: Question, evidence: list[Evidence], *, max_tokens: int,
                  on_partial: Callable[[str], None] | None = None) -> str:
    block = evidence_block([(e.key, e.text) for e in evidence])
    return phrase(generator, "answer", q.language, block, question=q.text, stops=ANSWER_STOPS,
                  max_tokens=max_tokens, on_partial=on_partial)
