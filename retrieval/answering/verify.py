"""Check every sentence the model wrote against the evidence it cites.

A sentence survives only if
- it cites evidence that exists ([n] with n among the evidence given; others are stripped);
- every number in it appears in the cited evidence, in the sentence of the evidence that says most of
  what it says (a date taken from one sentence onto the event of another is a false claim made of
  true parts: "Pada 2018, Putin mengirimkan limosin Aurus" when 2018 is the year Putin first rode
  one and the limousine was sent in February);
- every name in it (a capitalised word) appears in the cited evidence, allowing
  transliteration (Moscow ~ Moskow) and the glossary (Thursday ~ Kamis);
- most of its content words are expressed by the evidence (through the glossary for English);
- it adds something the question did not already say, in the language of the reply (not the
  other-language evidence copied: a headline's words with no function word to tell).
What the model adds beyond the evidence (an invented place or date) is caught here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.text import detect_language, fold, numbers, split_sentences, tokens
from retrieval.text.lexicon import Matcher, concepts

MARKER = re.compile(r"\[(\d+)\]")
MIN_CONTENT_SUPPORT = 0.75
# What a base model tends to continue with after its answer: cut there.
_CUT = re.compile(r"\n|(?:Evidence|Bukti|Question|Pertanyaan|Answer|Jawaban)\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    text: str
    keys: tuple[int, ...]
    ok: bool
    reason: str = ""


def clean_generation(raw: str) -> str:
    return _CUT.split(raw.strip(), maxsplit=1)[0].strip()


def check_sentence(sentence: str, evidence: dict[int, str], question: str, language: str) -> Checked:
    keys = tuple(dict.fromkeys(int(k) for k in MARKER.findall(sentence)))
    valid = tuple(k for k in keys if k in evidence)
    body = MARKER.sub("", sentence).strip()
    body = re.sub(r"\s+([.,;:!?])", r"\1", body)
    if not valid and len(evidence) == 1:
        valid = (next(iter(evidence)),)  # a lone source: the model forgot the marker
    if not valid:
        return Checked(body, (), False, "cites no evidence that exists")
    cited = " ".join(evidence[k] for k in valid)
    text = body.rstrip(" .") + " " + " ".join(f"[{k}]" for k in valid) + "."
    if len(body.split()) < 3:
        return Checked(text, valid, False, "too short to be an answer")
    if detect_language(body) != language or _copied_across(body, cited, language):
        return Checked(text, valid, False, "not in the reply language")
    said = numbers(body)
    missing_numbers = said - numbers(cited)
    if missing_numbers:
        return Checked(text, valid, False, f"numbers not in the evidence: {sorted(missing_numbers)}")
    m = Matcher(cited)
    content = concepts(body)
    if said and content:
        # the evidence sentence saying most of it must hold its numbers
        parts = [t for k in valid for t in split_sentences(evidence[k])]
        closest = max(parts, key=lambda t: sum(Matcher(t).has(c) for c in content))
        spliced = said - numbers(closest)
        if spliced:
            return Checked(text, valid, False, f"numbers from another sentence than the one it restates: {sorted(spliced)}")
    names = [c for c in content if c.is_name]
    unsupported_names = [c.surface for c in names if not m.has(c)]
    if unsupported_names:
        return Checked(text, valid, False, f"names not in the evidence: {unsupported_names}")
    if content:
        supported = sum(m.has(c) for c in content) / len(content)
        if supported < MIN_CONTENT_SUPPORT:
            return Checked(text, valid, False, f"only {supported:.0%} of its content is in the evidence")
    q = Matcher(question)
    if content and all(q.has(c) for c in content):
        return Checked(text, valid, False, "only repeats the question")
    return Checked(text, valid, True)


def _copied_across(body: str, cited: str, language: str) -> bool:
    """Is ``body`` the other-language evidence copied rather than said in ``language``? Its function
    words don't decide (a headline has none: "Kim Jong-un akhirnya nikmati limosin mewah pemberian
    Putin") and most of its lower-case words are the evidence's own."""
    if detect_language(body, otherwise="und") != "und" or detect_language(cited) == language:
        return False
    own = {fold(t) for t in tokens(cited)}
    plain = [fold(t) for t in tokens(body) if t[:1].islower() and len(t) > 2]
    return bool(plain) and sum(t in own for t in plain) / len(plain) >= 0.5


def verify(generation: str, evidence: dict[int, str], question: str, language: str) -> list[Checked]:
    """All sentences of a generation, each checked; the caller keeps the ``ok`` ones."""
    text = clean_generation(generation)
    if not text:
        return []
    return [check_sentence(s, evidence, question, language) for s in split_sentences(text)]
