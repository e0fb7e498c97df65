"""The direct answer a question asks for, read off the evidence by code: a date for "when", a
number with what it counts for "how many" (read by :mod:`retrieval.answering.amounts`), a
duration, a clause, a name.

It is rendered in the asker's language (English month and day names and number separators for
English askers; the glossary's English for the counted word), and only when the passage holds
exactly one candidate: with two dates in the sentence, code cannot tell which one is meant, so
the answer is the quote alone. Dates are read by :mod:`retrieval.answering.when`.
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.dates import MONTH_NUMBERS
from retrieval.answering.amounts import QUALIFIERS, QUALIFIERS_ID, counted, english_number, qualifier_before
from retrieval.answering.features import _CLAUSE, NUMBER_WORDS, ROLE_WORDS, TIME_UNITS, shape_tokens
from retrieval.answering.question import Question, asks_for_a_person
from retrieval.answering.when import DAY_EN, dates_answering
from retrieval.text import STOPWORDS, fold, stem_variants, tokens
from retrieval.text.lexicon import english_word, translations

# Indonesian number words an English reader gets in English ("tiga hari" -> "three days")
SMALL_NUMBERS_EN = dict(zip("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas".split(),
                            "one two three four five six seven eight nine ten eleven".split(), strict=True))


SMALL_NUMBERS_ID = {en: id_ for id_, en in SMALL_NUMBERS_EN.items()}
_TIME_UNITS_ID = {"hour": "jam", "day": "hari", "minute": "menit", "second": "detik", "week": "minggu", "month": "bulan",
                  "year": "tahun", "decade": "dekade"}
# "How many days ...?", "Berapa jam ...?": the unit a span of time is asked in (canonical, English).
_UNIT_OF = {"hour": "hour", "jam": "hour", "day": "day", "hari": "day", "week": "week", "minggu": "week", "pekan": "week",
            "month": "month", "bulan": "month", "year": "year", "tahun": "year", "minute": "minute", "menit": "minute"}
_ASKED_UNIT = re.compile(r"\b(?:how many|berapa)\s+(hours?|days?|weeks?|months?|years?|minutes?|jam|hari|minggu|pekan|"
                         r"bulan|tahun|menit)\b", re.IGNORECASE)


def _unit(word: str) -> str | None:
    w = fold(word)
    return next((u for stem, u in _UNIT_OF.items() if w.startswith(stem)), None)


def durations(text: str, q: Question) -> list[str]:
    """Spans of time ("lima jam", "12 hari") with what qualifies them ("more than", "sekitar"), in the
    reader's language: "more than five hours" for an English reader of "lebih dari lima jam", "lebih
    dari lima jam" for an Indonesian reader of "more than five hours"; in the unit asked for, when
    one is ("how many days ...?")."""
    toks = tokens(text)
    asked = _ASKED_UNIT.search(q.text)
    unit_asked = _unit(asked.group(1)) if asked else None
    out = []
    for i, (a, b) in enumerate(zip(toks, toks[1:], strict=False)):
        if not ((a[0].isdigit() or fold(a) in NUMBER_WORDS) and fold(b).startswith(TIME_UNITS)):
            continue
        if unit_asked and _unit(b) != unit_asked:
            continue  # "how many days did the tour last?": "three years" (how long a programme ran) is no answer
        qual = qualifier_before(toks, i)
        if q.language == "en":
            number = SMALL_NUMBERS_EN.get(fold(a), english_number(a))
            unit = english_word(b) or b
            if unit != b and number not in ("1", "one") and not unit.endswith("s"):
                unit += "s"
            qualifier = QUALIFIERS[qual] if qual else ""
        else:
            number = SMALL_NUMBERS_ID.get(fold(a), a)
            unit = _TIME_UNITS_ID.get(fold(b).removesuffix("s"), b)
            qualifier = QUALIFIERS_ID.get(qual, qual) if qual else ""
            qualifier = "" if qualifier == "sebanyak" else qualifier
        out.append(" ".join(w for w in (qualifier, number, unit) if w))
    return list(dict.fromkeys(out))


def _name_like(t: str, q: Question) -> bool:
    """A word that can be part of a name the question doesn't hold: capitalised (not an acronym), no
    word of the question, no day or month, no English word the glossary knows."""
    return t[:1].isupper() and not t.isupper() and not (stem_variants(t) & q.stems) and fold(t) not in DAY_EN \
        and fold(t) not in MONTH_NUMBERS and english_word(t) is None


# A name's part written with a hyphen is one part: "Thae-song", "Son-hui", "Yo-jong" (Korean given names).
_NAME_PART = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+(?=[^\w-]|$)|[0-9]+(?:[.,/:][0-9]+)*|[^\W\d_]+")


def _part_like(t: str, q: Question) -> bool:
    """:func:`_name_like` for a part that may hold a hyphen (a :data:`_NAME_PART` token): "Thae-song"
    is when "Thae" is."""
    return _name_like(t.partition("-")[0], q)


def names(text: str, q: Question) -> list[str]:
    """Personal names the question does not already hold: runs of two to four capitalised words that
    are not ordinary words capitalised as titles ("Presiden", "Menteri", "Defense Minister") or as an
    institution's name ("Russian Security Council"), and don't open the sentence. A part written with
    a hyphen stays whole ("Pak Thae-song", not "Pak Thae")."""
    toks = _NAME_PART.findall(text)
    # words of a title or of a phrase the glossary knows ("Juru Bicara", "Prime Minister", "Luar
    # Negeri") are no name
    in_phrase = {j for i in range(len(toks) - 1) for j in (i, i + 1)
                 if (pair := f"{toks[i]} {toks[i + 1]}") and (english_word(pair) or translations(pair)
                                                               or ROLE_WORDS.fullmatch(pair))}
    # the words of the names of several words the question holds ("Kim" of "Kim Jong Un"; not "Rusia",
    # after which "Alexander Matsegora" is another name)
    asked_parts = {fold(w) for c in q.concepts if c.is_name and " " in c.surface for w in c.surface.split()}
    runs: list[list[str]] = []
    cur: list[str] = []
    rest = False  # within the rest of a name the question holds
    for i, t in enumerate(toks):
        # not an English word the glossary knows ("Un", "Son", shorter, are name parts)
        fresh = i > 0 and i not in in_phrase and _part_like(t, q) and not (len(t) >= 4 and translations(t))
        # the rest of a name the question holds ("Jong Un" of "Kim Jong Un" when it asks about Kim)
        # is no other name
        rest = fresh and (rest or (not cur and fold(toks[i - 1]) in asked_parts))
        if rest:
            continue
        if fresh:
            cur.append(t)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    # A sentence's first word is capitalised whatever it is, so it starts no name by itself; but
    # one no dictionary knows, before a name, is that name's first part ("Kim Jong Un, general
    # secretary ..." is not "Jong Un").
    first = toks[0] if toks else ""
    if runs and len(toks) > 1 and runs[0][0] is toks[1] and _part_like(first, q) and fold(first) not in STOPWORDS \
            and not translations(first) \
            and re.match(rf"\W*{re.escape(first)}\s+{re.escape(toks[1])}", text):  # "Sebelumnya, Choe ...": no
        runs[0] = [first, *runs[0]]
    # a name follows its title: what a run holds up to its last title word is the title ("Council
    # Secretary Sergei Shoigu": Sergei Shoigu)
    runs = [r[max((i + 1 for i, t in enumerate(r) if ROLE_WORDS.fullmatch(t)), default=0):] for r in runs]
    # a run the glossary knows as a phrase is no name either ("Luar Negeri": foreign)
    return list(dict.fromkeys(" ".join(r) for r in runs if 2 <= len(r) <= 4 and english_word(" ".join(r)) is None))


def clock(found: str, language: str) -> str:
    """A time of day as the asker writes it: "pukul 10.30" -> "10:30" for English, as found otherwise."""
    if language != "en" or re.search(r"[ap]\.m\.", found):  # "a.m." keeps its dots
        return found
    return re.sub(r"(?i)^(pukul|jam)\s+", "", found).replace(".", ":", 1)



def direct_answer(q: Question, focus: str, published: dt.date | None = None,
                  source_language: str | None = None) -> str | None:
    """The one answer of the asked kind in ``focus`` (the sentence holding the answer), rendered in
    the asker's language; ``None`` when there is none or more than one. ``published``, the day its
    article was published, dates a weekday told alone; ``source_language``, its article's language
    (else read off ``focus``)."""
    found: list[str]
    if q.shape == "duration":
        found = durations(focus, q)
    elif q.shape == "clock":
        found = [clock(t, q.language) for t in shape_tokens(q, focus)]
    elif q.shape == "clause":
        found = [m.group(0) for m in _CLAUSE.finditer(focus)]
        if q.language == "en":
            found = [re.sub(r"(?i)^pasal", "Article", f) for f in found]
    elif q.shape == "model":  # "Su-35", "Hwasong-20": the same in both languages
        found = list(dict.fromkeys(t for t in shape_tokens(q, focus) if fold(t) not in fold(q.text)))
    elif q.qtype == "time":
        found = dates_answering(q, focus, published)
    elif q.qtype == "number" and q.shape is None:
        found = counted(focus, q, source_language)
    elif q.qtype == "person" and q.shape is None:
        found = names(focus, q) if asks_for_a_person(q) else []
    else:
        return None
    return found[0] if len(found) == 1 else None
