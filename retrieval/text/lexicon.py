"""Concepts: the content words of a question or sentence, each with its equivalent forms.

An English question is matched against Indonesian articles through a bilingual news
glossary (``data/glossary_en_id.tsv``): each English word stands for itself and its
Indonesian equivalents. Names and numbers match as they are (with transliteration
tolerance: Moscow ~ Moskow).
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from retrieval.text import STOPWORDS, fold, numbers, similar, stem_variants, tokens, words

GLOSSARY = Path(__file__).resolve().parent / "data" / "glossary_en_id.tsv"
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
QUESTION_WORDS = frozenset({"how", "what", "which", "when", "where", "who", "why"})


Form = tuple[frozenset[str], ...]  # a phrase: for each word, its root variants


def _form(phrase: str) -> Form:
    return tuple(stem_variants(w) for w in words(phrase))


@lru_cache(maxsize=1)
def glossary() -> dict[str, tuple[Form, ...]]:
    """English word (any of its root variants) -> Indonesian alternatives as phrases."""
    table: dict[str, list[Form]] = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, _, ids = line.partition("\t")
        alts = [_form(alt) for alt in ids.split("|") if alt.strip()]
        keys = [fold(en.strip())] if " " in en.strip() else stem_variants(en.strip())
        for key in keys:
            table.setdefault(key, []).extend(a for a in alts if a)
    return {k: tuple(dict.fromkeys(v)) for k, v in table.items()}


@lru_cache(maxsize=1)
def back_glossary() -> dict[str, tuple[Form, ...]]:
    """Indonesian word (exact, folded) -> its English equivalents and its Indonesian synonyms (the other
    words the glossary gives for the same English word), so an Indonesian question matches an English
    article, and "tentara" matches "pasukan". Only one-word Indonesian entries are keys (a phrase's
    words alone mean something else)."""
    table: dict[str, list[Form]] = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        en, _, ids = line.partition("\t")
        form = _form(en.strip())
        alts = [fold(a.strip()) for a in ids.split("|") if a.strip()]
        for alt in alts:
            if " " not in alt and form:
                # the English word, and the other Indonesian words for it: "tentara" ~ "troops" ~ "pasukan"
                table.setdefault(alt, []).append(form)
                table[alt].extend(_form(other) for other in alts if other != alt)
    return {k: tuple(dict.fromkeys(f for f in v if f)) for k, v in table.items()}


@lru_cache(maxsize=1)
def _english_words() -> dict[str, tuple[str, ...]]:
    """Each Indonesian word's English entries, those listing it first before the others (then in
    the glossary's order)."""
    found: dict[str, list[tuple[int, int, str]]] = {}
    for line_no, line in enumerate(GLOSSARY.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        en, _, ids = line.partition("\t")
        for rank, alt in enumerate(ids.split("|")):
            if key := fold(alt.strip()):
                found.setdefault(key, []).append((rank, line_no, en.strip()))
    return {k: tuple(dict.fromkeys(en for _, _, en in sorted(v))) for k, v in found.items()}


def english_word(word: str) -> str | None:
    """The glossary's English for an Indonesian word or phrase ("pasukan" -> "troops"), if it has one."""
    words = _english_words().get(fold(word))
    return words[0] if words else None


def english_words(word: str) -> tuple[str, ...]:
    """Every English entry of the glossary for an Indonesian word, the likeliest first ("tentara" ->
    army, soldier, military, troops)."""
    return _english_words().get(fold(word), ())


def translations(word: str) -> tuple[Form, ...]:
    """Indonesian equivalents of an English word, via any of its root variants."""
    table = glossary()
    low = fold(word)
    if low in table:
        return table[low]
    found: list[Form] = []
    for v in sorted(stem_variants(word), key=len, reverse=True):
        found.extend(table.get(v, ()))
    return tuple(dict.fromkeys(found))


@dataclass(frozen=True)
class Concept:
    """A content word: its surface form and every stem sequence that counts as a match."""

    surface: str
    forms: tuple[Form, ...]
    is_name: bool = False
    is_number: bool = False
    translated: bool = True  # False: an English word the glossary doesn't know (it can't match Indonesian text)

    @cached_property
    def name_parts(self) -> tuple[str, ...]:
        """The folded words of a name that a passage's names are compared with (4 letters or more)."""
        return tuple(fold(p) for p in self.surface.split() if len(p) >= 4)


def concepts(text: str, exclude: frozenset[str] = frozenset(), group_names: bool = False,
             question: bool = False) -> list[Concept]:
    """Content words of ``text`` (stop words and ``exclude``d words dropped), de-duplicated.

    With ``group_names``, a run of capitalised words ("Aleksey Krivoruchko", "Kim Jong Un")
    is one concept that any of its parts matches: articles name a person in full once,
    then by one name.

    With ``question``, a lone capitalised first word is not taken for a name: a question opens
    with a capital whatever its first word ("Besides defence...", "Roughly how many...", and
    Indonesian's head noun first: "Pesawat tempur apa...", "Negara mana..."). On the training
    questions 40 of 400 had such a "name", which the articles then "missed". A run of capitals
    ("North Korea ...", "Kim Jong Un ...") and an acronym ("NIS ...") still are names.
    """
    out: list[Concept] = []
    seen: set[str] = set()
    toks = tokens(text)
    i = 0
    while i < len(toks):
        tok = toks[i]
        low = fold(tok)
        if phrase := _phrase_at(toks, i):  # "entered into force": one meaning, not "into" + "force" (troops)
            key = " ".join(fold(t) for t in phrase)
            if key not in seen:
                seen.add(key)
                out.append(Concept(" ".join(phrase), tuple(dict.fromkeys([_form(key), *glossary()[key]]))))
            i += len(phrase)
            continue
        if low in ORDINAL_SUFFIXES and i > 0 and toks[i - 1][-1:].isdigit():
            i += 1  # "528th" is the number 528 ("ke-528"), not 528 and a word "th" no article holds
            continue
        if low in STOPWORDS or low in exclude or (len(low) < 2 and not low.isdigit()):
            i += 1
            continue
        if low[0].isdigit():
            if low not in seen:
                seen.add(low)
                out.append(Concept(tok, tuple((frozenset([n]),) for n in sorted(numbers(tok))), is_number=True))
            i += 1
            continue
        j = i + 1
        if group_names and tok[:1].isupper():
            while j < len(toks) and toks[j][:1].isupper() and fold(toks[j]) not in STOPWORDS and not toks[j][0].isdigit():
                j += 1
        parts, start = toks[i:j], i
        key = " ".join(fold(t) for t in parts)
        i = j
        if key in seen:
            continue
        seen.add(key)
        forms: list[Form] = [_form(fold(part)) for part in parts if fold(part) not in STOPWORDS]
        if len(parts) == 1:
            forms.extend(translations(fold(tok)))
            forms.extend(back_glossary().get(fold(tok), ()))
        else:  # a multi-word name translates as a whole ("United States" -> "Amerika Serikat")
            forms.extend(glossary().get(key, ()))
        opening = question and start == 0 and len(parts) == 1 and not parts[0].isupper()
        out.append(Concept(" ".join(parts), tuple(dict.fromkeys(forms)), is_name=parts[0][:1].isupper() and not opening,
                           translated=len(forms) > len(parts) or not parts[0][:1].islower()))
    return out


@lru_cache(maxsize=1)
def _phrases() -> frozenset[str]:
    """The glossary's English phrases that a question may write in lower case ("into force",
    "foreign minister"); not "how many", which says what kind of answer is asked for (read by the
    question's type, not matched in passages). Names ("North Korea") are grouped by their capitals."""
    return frozenset(k for k in glossary() if " " in k and k.split()[0] not in QUESTION_WORDS)


def _phrase_at(toks: list[str], i: int) -> list[str] | None:
    """The longest glossary phrase (two or three words, in lower case) starting at ``toks[i]``."""
    if not toks[i][:1].islower():
        return None
    for n in (3, 2):
        if i + n <= len(toks) and " ".join(fold(t) for t in toks[i:i + n]) in _phrases():
            return toks[i:i + n]
    return None


def expand_terms(text: str) -> list[str]:
    """Stems for lexical search: the text's own content stems plus glossary equivalents."""
    terms: list[str] = []
    for c in concepts(text):
        for form in c.forms:
            for variants in form:
                terms.extend(sorted(variants))
    return terms


class Matcher:
    """Answers "does this passage express that concept?" for one passage.

    A matcher is not changed once built (:meth:`union` makes a new one), so :func:`matcher_of`
    can hand out the same one for the same text."""

    def __init__(self, text: str, extra_numbers: Set[str] | None = None) -> None:
        toks = tokens(text)
        self.stems: frozenset[str] = frozenset().union(*(stem_variants(t) for t in toks))
        # distinct, in order of first appearance: has() asks whether any is close to a name
        self.names: tuple[str, ...] = tuple(dict.fromkeys(fold(t) for t in toks if t[:1].isupper() and len(t) >= 4))
        self.numbers: frozenset[str] = frozenset(numbers(text) | set(extra_numbers or ()))

    @classmethod
    def union(cls, *parts: Matcher) -> Matcher:
        """A matcher over several texts at once (a sentence with its neighbours), without re-reading them."""
        m = cls("")
        m.stems = frozenset().union(*(p.stems for p in parts))
        m.names = tuple(dict.fromkeys(n for p in parts for n in p.names))
        m.numbers = frozenset().union(*(p.numbers for p in parts))
        return m

    def has(self, concept: Concept) -> bool:
        if concept.is_number:
            return any(next(iter(f[0])) in self.numbers for f in concept.forms)
        for form in concept.forms:
            if all(not variants.isdisjoint(self.stems) for variants in form):
                return True
        if concept.is_name:
            return any(_close(p, n) for p in concept.name_parts for n in self.names)
        return False


@lru_cache(maxsize=65_536)
def _close(part: str, name: str) -> bool:
    """Is a passage's name a spelling of this part of a name (Moskow ~ Moscow)? The same pairs
    come back for a sentence, its neighbours' contexts and its article, question after question."""
    return similar(part, name) >= 0.8


@lru_cache(maxsize=8192)
def matcher_of(text: str, extra_numbers: frozenset[str] = frozenset()) -> Matcher:
    """``Matcher(text, extra_numbers)``, built once per text: the retrieved articles' sentences
    come back question after question, and reading a sentence is most of a matcher's cost.
    (Safe to share: a matcher depends on nothing but its text, and is not changed once built.)"""
    return Matcher(text, extra_numbers)
