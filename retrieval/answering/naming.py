"""What a "what is the name of X?" question needs of its evidence: a name given to X.

Articles about an event often say that a thing took part in it without naming it: "Kim visited the
embassy with his daughter", "ships entered Najin port 25 times". Such a sentence is about the
question's event, and the evidence model likes it, but it does not answer "what is the name of
the daughter / of the ship's captain?". So such a question is answered only by a sentence in which
a name stands next to the thing asked (its head noun, read from the question):

- right after it, or after a linking word: "Jembatan Persahabatan", "kapal bernama Angara",
  "the operation, dubbed Kursk"; after a comma only when the name is set off ("putrinya, Kim Ju
  Ae, ..."; not "pembangunan jembatan, Mishustin menyampaikan ...");
- right before it when the thing is part of the name ("the Friendship Bridge", "Nordwind
  Airlines"), or before a comma ("Kim Ju Ae, putri ...");
- after a naming phrase a few words on in the same clause ("satelit itu, yang diberi nama ...",
  "the operation, known as ...").

A name is a capitalised word that does not open a sentence and is none of the question's own
words, a day, a month, a country or a title ("Presiden", "Menteri"). Out of fold on the 400
training questions this refused 5 of the 8 such questions that the articles cannot answer (a
daughter's, a ship captain's, a regiment commander's name) and kept the one they can answer.
"""

from __future__ import annotations

import re

from corpus.dates import DAYS, MONTHS
from retrieval.answering.features import ROLE_WORDS
from retrieval.answering.question import Question
from retrieval.text import fold
from retrieval.text.lexicon import Concept, concepts, matcher_of

# Country names (folded) -> (the country in English, its adjective): not names of the thing asked
# ("tentara Rusia" names no soldier); the digest renders them in English.
COUNTRIES: dict[str, tuple[str, str]] = {
    "rusia": ("Russia", "Russian"), "korea utara": ("North Korea", "North Korean"), "korut": ("North Korea", "North Korean"),
    "korea selatan": ("South Korea", "South Korean"), "korsel": ("South Korea", "South Korean"),
    "amerika serikat": ("the United States", "US"), "as": ("the United States", "US"),
    "ukraina": ("Ukraine", "Ukrainian"), "china": ("China", "Chinese"), "tiongkok": ("China", "Chinese"),
    "jepang": ("Japan", "Japanese"),
}
_COUNTRY_WORDS = frozenset(fold(w) for k, v in COUNTRIES.items() for w in (k, *v) for w in w.split()) - {"the"}

_NAME_OF_EN = re.compile(r"\b(?:what|which)\s+(?:is|was|are|were)\s+the\s+names?\s+of\s+(?:(?:the|a|an|this|that)\s+)?"
                         r"(?P<rest>.+)", re.IGNORECASE)
_NAME_OF_ID = re.compile(r"\b(?:apa|siapa)(?:kah)?\s+nama\s+(?P<rest>\S+)", re.IGNORECASE)
# where an English noun phrase ends: a function word, a relative, or a participle ("the soldier *captured*")
_ENDS_PHRASE = frozenset("the a an who whom whose that which where when in on at of by for from with near to during "
                         "after before as and or than".split())
_IRREGULAR_PARTICIPLES = frozenset("held made sent built given taken led known seen found shot caught brought bought "
                                   "told said won lost flown run driven written chosen".split())
_LINKERS = frozenset("yakni yaitu adalah".split())  # "komandannya *yakni* X", right after the thing
# a phrase that gives a name, right after the thing or a few words on in the same clause: "kapal
# *bernama* X", "satelit itu, yang diberi *nama* X", "the operation, *known as* X"
_NAMING = frozenset("bernama dinamai dinamakan dijuluki berjudul named called dubbed titled nama".split())
_NAMING_AFTER = {"as": "known", "sebagai": "dikenal"}


def thing_named(text: str) -> str | None:
    """The head noun of the thing whose name a question asks for: "What was the name of the first
    North Korean soldier captured ...?" -> soldier; "Siapa nama komandan resimen ...?" -> komandan
    (Indonesian puts the head first). None for other questions."""
    if m := _NAME_OF_EN.search(text):
        head = None
        for raw in re.sub(r"[–—]", "-", m.group("rest")).split():
            word = re.sub(r"[^\w'-]", "", raw)
            low = word.lower()
            if not word or low in _ENDS_PHRASE or (head and (low.endswith("ed") or low in _IRREGULAR_PARTICIPLES)):
                break
            head = word
            if raw != word and not raw.endswith("'s"):  # punctuation ends the phrase
                break
        return head
    if m := _NAME_OF_ID.search(text):
        head = re.sub(r"[^\w-]", "", m.group("rest"))
        return head if head and fold(head) not in ("apa", "siapa") else None
    return None


def asked_thing(q: Question) -> tuple[Concept, ...]:
    """The concepts of the thing a "what is the name of X?" question asks to name (none for others)."""
    if q.shape != "name":
        return ()
    head = thing_named(q.text)
    return tuple(concepts(head)) if head else ()


def names_the_thing(q: Question, text: str, thing: tuple[Concept, ...]) -> bool:
    """Does a sentence give a name to the thing asked (see the module's docstring)?"""
    raw = text.split()
    bare = [re.sub(r"^[\W_]+|[\W_]+$", "", w) for w in raw]

    def new_name_word(j: int) -> bool:
        word = fold(bare[j])
        if word in DAYS or word in MONTHS or word in _COUNTRY_WORDS or ROLE_WORDS.fullmatch(bare[j]):
            return False
        m = matcher_of(bare[j])
        return not any(m.has(c) for c in q.concepts)

    def a_name(j: int) -> bool:
        """Capitalised words from ``j`` on, not opening a sentence, one of them new ("Kim Ju Ae"
        names a daughter though the question says "Kim")."""
        if not 0 < j < len(raw) or not bare[j][:1].isupper() or raw[j - 1].endswith((".", "!", "?")):
            return False
        run = [j]
        while run[-1] + 1 < len(raw) and bare[run[-1] + 1][:1].isupper() and not raw[run[-1]].endswith((",", ".")):
            run.append(run[-1] + 1)
        return any(new_name_word(i) for i in run)

    def set_off(j: int) -> bool:  # a name after a comma ends at a comma or the sentence's end
        while j < len(raw) and bare[j][:1].isupper():
            if raw[j].endswith((",", ".", ";")) or j == len(raw) - 1:
                return True
            j += 1
        return False

    def names_after(j: int) -> bool:  # a naming phrase ends at j and a name follows it
        word = fold(bare[j])
        named = word in _NAMING or (word in _NAMING_AFTER and fold(bare[j - 1]) == _NAMING_AFTER[word])
        return named and a_name(j + 1)

    for i, word in enumerate(bare):
        if not word or not any(matcher_of(word).has(c) for c in thing):
            continue
        after = i + 2 if i + 1 < len(bare) and fold(bare[i + 1]) in _LINKERS else i + 1
        if a_name(after) and (not raw[i].endswith(",") or set_off(after)):
            return True
        if a_name(i - 1) and (word[:1].isupper() or raw[i - 1].endswith(",")):
            return True
        clause_end = next((k for k in range(i, len(raw)) if raw[k].endswith((".", ";", ":"))), len(raw) - 1)
        if any(names_after(j) for j in range(i + 1, min(i + 7, clause_end + 1))):
            return True
    return False
