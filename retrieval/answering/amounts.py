"""Amounts read off a sentence: numbers with what they count or measure ("sekitar 10.000 pasukan",
"9 miliar rubel", "$1.5 billion", "40%"), in the asker's language and separators, and only those
measuring what the question asks (a length is no cost). Used for the answer a "how many / how
much" question opens with (:mod:`retrieval.answering.direct`) and to refuse one whose evidence
holds no such number (:func:`has_amount`)."""

from __future__ import annotations

import re
from functools import lru_cache

from corpus.language import detect_language
from retrieval.answering.features import _CLAUSE, CLOCK, NUMBER_WORDS, TIME_UNITS
from retrieval.answering.question import Question
from retrieval.answering.when import DATE
from retrieval.text import STOPWORDS, fold, tokens
from retrieval.text.lexicon import Concept, concepts, english_word, english_words, matcher_of

_NUMBER = re.compile(r"\b\d{1,3}(?:[.,]\d{3})+\b|\b\d+(?:[.,]\d+)?\b")
QUALIFIERS = {"sekitar": "about", "lebih dari": "more than", "setidaknya": "at least", "hampir": "almost",
               "kurang dari": "fewer than", "hingga": "up to", "sebanyak": "", "around": "about", "about": "about",
               "more than": "more than", "at least": "at least", "nearly": "nearly", "over": "more than"}
# The English qualifiers in Indonesian: "about 1,000 tons" -> "sekitar 1.000 ton" for an Indonesian reader.
QUALIFIERS_ID = {"about": "sekitar", "around": "sekitar", "over": "lebih dari", "more than": "lebih dari",
                  "at least": "setidaknya", "almost": "hampir", "nearly": "hampir", "fewer than": "kurang dari",
                  "up to": "hingga"}
_UNITS_ID = {"rubles": "rubel", "ruble": "rubel", "roubles": "rubel", "dollars": "dolar", "dollar": "dolar",
             "meters": "meter", "metres": "meter", "metre": "meter", "kilometers": "kilometer", "kilometres": "kilometer",
             "kilometre": "kilometer", "miles": "mil", "mile": "mil", "tons": "ton", "tonnes": "ton", "tonne": "ton",
             "hectares": "hektare", "hectare": "hektare", "kilograms": "kilogram", "euros": "euro"}


_SPAN_OF_TIME = re.compile(rf"\b(?:\d+(?:[.,]\d+)?|{'|'.join(sorted(NUMBER_WORDS, key=len, reverse=True))})\s+"
                           rf"(?:{'|'.join(TIME_UNITS)})\w*", re.IGNORECASE)


def counts_only(text: str) -> str:
    """``text`` with the numbers that name rather than count blanked out: dates (as :func:`dates`
    reads them: "30 April", "June 4"), clauses ("Pasal 4"), times of day, and spans of time ("5
    tahun": how long, not how many of the thing asked about; a question asking how long has the
    duration shape and reads durations instead)."""
    for pattern in (DATE, _CLAUSE, CLOCK, _SPAN_OF_TIME):
        text = pattern.sub(lambda m: " " * len(m.group(0)), text)
    return text


def indonesian_number(n: str) -> str:
    """English separators to Indonesian: "10,000" -> "10.000", "2.5" -> "2,5"."""
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", n):
        return n.replace(",", ".")
    if re.fullmatch(r"\d+\.\d{1,2}", n):
        return n.replace(".", ",")
    return n


def english_number(n: str) -> str:
    """Indonesian separators to English: "10.000" -> "10,000", "2,5" -> "2.5"; an English "1,000"
    (groups of three after the comma) stays as it is."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", n):
        return n.replace(".", ",")
    if re.fullmatch(r"\d+,\d{1,2}", n):
        return n.replace(",", ".")
    return n


# Units of measure by what they measure: "850 meter" is a length, no answer to "how much did it
# cost?", and "10.000 km" no count of passengers.
MEASURES: dict[str, frozenset[str]] = {
    "length": frozenset("km kilometer kilometers kilometre kilometres meter meters metre metres mil mile miles".split()),
    "speed": frozenset("km/jam km/h kph mph knot knots mach".split()),
    "area": frozenset("hektare hektar hectare hectares".split()),
    "weight": frozenset("ton tons tonne tonnes kg kilogram kilograms".split()),
    "money": frozenset("dolar dollar dollars usd rupiah rp rubel ruble rubles rouble roubles won yuan euro euros $ us$".split()),
    "share": frozenset("persen percent %".split()),
}
# a sign before the number: "Rp 5 triliun", "USD 563", "Mach 10"
_PREFIX_UNITS = {"rp": "money", "us$": "money", "$": "money", "usd": "money", "eur": "money", "mach": "speed"}
_MAGNITUDES = frozenset("ribu juta miliar triliun thousand million billion trillion".split())
_ASKED_MEASURE = [
    ("money", re.compile(r"\b(how much (is|was|are|were|does|did|do|will)|cost|costs|price|worth|value|budget|pay|paid|"
                         r"paying|salary|salaries|wage|wages|earn|earned|"
                         r"biaya|harga|nilai|anggaran|senilai|bayar|dibayar|bayaran|gaji|upah)\b")),
    ("share", re.compile(r"\b(percent|percentage|share|proportion|persen|persentase|proporsi)\b")),
    ("length", re.compile(r"\b(how far|how long is|length|range|distance|berapa jauh|berapa panjang|panjang|jangkauan|"
                          r"jarak)\b")),
    ("speed", re.compile(r"\b(how fast|speed|velocity|kecepatan|laju)\b")),
    ("weight", re.compile(r"\b(weigh|weight|berat)\b")),
]


def measure_of(unit: str, before: str = "") -> str | None:
    """What a number measures, from the word after it ("850 meter": a length; a magnitude such as
    "miliar" is read past by the caller) or a sign before it ("$", "Rp"); ``None`` for a count of
    things ("10.000 pasukan")."""
    if fold(before) in _PREFIX_UNITS:
        return _PREFIX_UNITS[fold(before)]
    return next((k for k, units in MEASURES.items() if fold(unit) in units), None)


def asked_measure(q: Question) -> str | None:
    """What a "how many / how much" question measures: a unit it names ("how many tons"), money for a
    cost, a share for a percentage, a length for how far; ``None`` for a count of things."""
    return _asked_measure(q.text)


@lru_cache(maxsize=1024)
def _asked_measure(question: str) -> str | None:  # read once per question, not per sentence checked
    text = fold(question)
    named = next((m for t in tokens(text) if t not in _VERBS_TOO if (m := measure_of(t)) is not None), None)
    return named or next((k for k, pattern in _ASKED_MEASURE if pattern.search(text)), None)


# Units that are also English words ("who won?"): a unit only after a number, never named by a question.
_VERBS_TOO = frozenset({"won"})
_MAGNITUDES_EN = {"ribu": "thousand", "juta": "million", "miliar": "billion", "triliun": "trillion"}
_MAGNITUDES_ID = {en: id_ for id_, en in _MAGNITUDES_EN.items()}
_STRIP = "(),.;:“”\"'"
# Indonesian counter words stand between a number and what it counts ("12 juta butir peluru", "tiga
# buah kapal"): the noun after them is what is counted.
CLASSIFIERS = frozenset("butir buah ekor unit lembar biji batang".split())
# English nouns that take no plural "s": uncountable ("ammunition", not "ammunitions") or plural
# already ("50,000 people", not "peoples")
_MASS_NOUNS = frozenset("ammunition equipment personnel aid information artillery weaponry staff machinery".split())
_NO_PLURAL_S = _MASS_NOUNS | frozenset("people police children men women".split())
# English words for a body of people, no count of them: "11.000 tentara" are soldiers, not an army
_COLLECTIVE = frozenset("army military navy force forces".split())
# Units of measure an English reader gets in English ("9 miliar rubel" -> "9 billion rubles"); others
# ("km", "yuan") read the same in both languages.
_UNITS_EN = {"rubel": "rubles", "dolar": "dollars", "meter": "metres", "kilometer": "kilometres", "mil": "miles",
             "hektare": "hectares", "hektar": "hectares", "ton": "tonnes"}
# Between two sums of money, what says the second is the first converted: "(hampir $580)", "atau sekitar USD 563"
_CONVERTED = re.compile(r"\(|\b(atau|or|setara|equivalent)\b", re.IGNORECASE)


def _counted_noun(word: str) -> str | None:
    """The glossary's English for what an Indonesian count counts, a word that can be counted."""
    return next((w for w in english_words(word) if w not in _COLLECTIVE), None) or english_word(word)


def qualifier_before(toks: list[str], i: int) -> str | None:
    """The qualifier the two words before ``toks[i]`` end with ("lebih dari", "about"), or None."""
    before = " ".join(toks[max(0, i - 2):i]).lower()
    return next((k for k in QUALIFIERS if before.endswith(k)), None)


def counted(text: str, q: Question, source_language: str | None = None) -> list[str]:
    """Numbers with the word they count ("sekitar 10.000 pasukan", "9 miliar rubel", "$1.5 billion",
    "40%"), that the question does not hold, leaving out those measuring something else than the
    question asks ("850 meter" is no cost, "10.000 km" no count of passengers)."""
    out: list[str] = []
    keys: list[str] = []  # what tells two values apart: each as the source's own words would state it
    last = 0  # where the last of them was read
    # its counted words need no translation; the article's language when known (a short sentence
    # has too few function words to tell: "Sebanyak 13.000 kontainer ... dikirim." read as English)
    english_source = (source_language or detect_language(text)) == "en"
    toks = counts_only(text).split()
    asked = asked_measure(q)
    for i, raw in enumerate(toks):
        n = raw.strip(_STRIP)
        sign = toks[i - 1].strip(_STRIP) if i > 0 else ""
        if n.endswith("%") or n.startswith(("$", "US$")):  # the sign is the unit: "40%", "$1.5"
            sign, n = ("%", n[:-1]) if n.endswith("%") else (n.split("$", 1)[0] + "$", n.split("$", 1)[1])
        elif re.match(r"Rp\d", n):  # "Rp9,2 juta"
            sign, n = "Rp", n[2:]
        if not _NUMBER.fullmatch(n) or n in q.numbers or re.fullmatch(r"(19|20)\d{2}", n):
            continue
        j = i + 1
        magnitude = toks[j].strip(_STRIP) if j < len(toks) and fold(toks[j].strip(_STRIP)) in _MAGNITUDES else ""
        j += bool(magnitude)
        unit = toks[j].strip(_STRIP) if j < len(toks) else ""
        if unit and (unit[0].isdigit() or fold(unit) in NUMBER_WORDS):
            continue  # part of a larger number written out ("dua ribu"), read from its last word
        counter = ""
        if fold(unit) in CLASSIFIERS and j + 1 < len(toks) and toks[j + 1].strip(_STRIP).isalpha():
            counter, unit = unit, toks[j + 1].strip(_STRIP)  # "12 juta butir peluru": shells are counted
        if fold(unit) in STOPWORDS:
            unit = ""  # "49 dari 50": no word says what is counted
        measured = "share" if sign == "%" else measure_of(unit, sign)
        if measured != asked:
            continue  # a length is no cost, and a count of troops no monthly pay
        qual = qualifier_before(toks, i)
        if q.language == "en":
            amount = english_number(n) + (f" {_MAGNITUDES_EN.get(fold(magnitude), magnitude)}" if magnitude else "")
            word = (unit if english_source else _counted_noun(unit) or _UNITS_EN.get(fold(unit), unit if measured else None)) \
                if unit.isalpha() else None
            if word and not english_source and measured is None and n != "1" and word[-1] not in "sy" \
                    and word not in _NO_PLURAL_S:
                word += "s"  # the glossary's English is singular: "12 juta butir peluru" -> "12 million shells"
            if word in _MASS_NOUNS and fold(counter) == "butir":
                word = f"rounds of {word}"  # "12 juta butir amunisi": 12 million rounds of ammunition
            what = f" {word}" if word else (f" ({unit})" if unit and unit.isalpha() else "")
            qualifier = QUALIFIERS[qual] if qual else ""
        else:
            amount = f"{n} {magnitude}".strip()
            what = " " + " ".join(w for w in (counter, unit) if w) if unit.isalpha() else ""
            qualifier = qual if qual in ("sekitar", "lebih dari", "setidaknya", "hampir", "kurang dari", "hingga") else ""
        # one value or two as the source's words say (``key``), each told in the reader's words
        phrase = key = _phrase(amount, what, qualifier, sign, measured)
        if what.startswith(" ("):  # "73 (gerbong)": a word the glossary has no English for, left out
            phrase = _phrase(amount, "", qualifier, sign, measured)
        elif q.language == "id":  # "about 1,000 containers" -> "sekitar 1.000"; Indonesian words stay
            # (what an English count counts is left out: its noun is not reliably the word after the
            # number, "11,000 North Korean soldiers")
            if measured and unit.isalpha():
                what = f" {_UNITS_ID.get(fold(unit), unit)}"
            elif english_source and english_word(unit) is None:
                what = ""  # an English count's word, not one of ours ("soldiers", "North")
            phrase = _phrase(f"{indonesian_number(n)} {_MAGNITUDES_ID.get(fold(magnitude), magnitude)}".strip(),
                             what, QUALIFIERS_ID.get(qual or "", qualifier), sign, measured)
        if asked == "money" and out and i - last <= 5 and _CONVERTED.search(" ".join(toks[last + 1:i])):
            out[-1], keys[-1] = f"{out[-1]} ({phrase})", f"{keys[-1]} ({key})"  # "45.000 rubel (hampir $580)"
            continue
        out.append(phrase)
        keys.append(key)
        last = i
    firsts: dict[str, str] = {}
    for k, shown in zip(keys, out, strict=True):
        firsts.setdefault(k, shown)
    return list(firsts.values())


def _phrase(amount: str, what: str, qualifier: str, sign: str, measured: str | None) -> str:
    """A number as an answer states it; a sign is the unit, written as the source writes it
    ("US$2.000" stays in US dollars)."""
    phrase = f"{amount}%" if sign == "%" else f"{sign}{amount}" if sign in ("$", "US$") else \
        f"{sign} {amount}" if measured == "money" and fold(sign) in _PREFIX_UNITS else amount + what
    return f"{qualifier} {phrase}" if qualifier else phrase


# "Berapa pasal ...?", "Ada berapa banyak tentara ...?", "How many troops ...?": the noun counted
_ASKED_NOUN = re.compile(r"\b(?:berapa|how many)\s+(?:banyak\s+|jumlah\s+)?([^\W\d_]{3,})", re.IGNORECASE)


@lru_cache(maxsize=1024)
def asked_noun(question: str) -> Concept | None:
    """What a "how many" question counts, when it names it right after its question word ("berapa
    *pasal*", "how many *troops*"), with its synonyms and translations; None when it names none
    ("Berapa yang sudah tiba?")."""
    m = _ASKED_NOUN.search(question)
    if m is None or fold(m.group(1)) in STOPWORDS:
        return None
    found = concepts(m.group(1))
    return found[0] if found else None


def has_amount(text: str, q: Question) -> bool:
    """Whether ``text`` holds a number of the kind the question asks for: one :func:`counted` reads, or
    one written in words ("delapan tentara", "setengah lusin peti mati", "ribuan pekerja"). A number
    written in words counts what the question counts when it names that ("Ada berapa pasal ...?"
    is not answered by "satu negara atau lebih": words such as "satu" say "one of" as often)."""
    if counted(text, q):
        return True
    asked = asked_measure(q)
    noun = asked_noun(q.text) if asked is None else None
    toks = list(tokens(counts_only(text)))
    for i, t in enumerate(toks):
        if fold(t) in NUMBER_WORDS or fold(t) in ("lusin", "dozens"):
            after = [w for w in toks[i + 1:i + 3] if fold(w) not in NUMBER_WORDS and fold(w) not in _MAGNITUDES]
            if after and fold(after[0]).startswith(TIME_UNITS) or measure_of(after[0] if after else "") != asked:
                continue
            if noun is None or matcher_of(" ".join(toks[i + 1:i + 4])).has(noun):
                return True
    return False
