"""A question, read once: its language, the kind of answer it asks for, its content words
weighted by rarity, the numbers and names that constrain it, and its vector.

Every later step (evidence, composition, verification) receives this object instead of
re-reading the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from retrieval.answering.replies import (
    COURTESY,
    MORE_WORDS,
    SAME_QUESTION_ABOUT,
    is_follow_up,
    points_back,
    read_as,
    stands_for,
    with_subject,
    without_thanks,
)
from retrieval.text import STOPWORDS, detect_language, fold, numbers, stem_variants, tokens
from retrieval.text.lexicon import Concept, concepts, english_word
from retrieval.types import Language, Turn

QType = Literal["time", "number", "person", "place", "reason", "other"]

QTYPE_PATTERNS: list[tuple[QType, str]] = [
    ("time", r"\b(when|what (day|date|time|year|month)|which (day|date|year|month)|since when|kapan|hari apa|"
             r"tanggal (berapa|apa)|tahun (berapa|apa)|bulan apa|pukul berapa|sejak kapan|sejak hari|"
             r"on what date|in what year|in which year)\b"),
    ("number", r"\b(how many|how much|how long|how far|how old|berapa)\b"),
    # "which (Russian foreign ministry) official", "lembaga (Ukraina) mana": a few words may stand between
    # (not a verb of the question: "what did the minister say" asks for what was said)
    ("person", r"\b(who|whom|whose|siapa|pihak mana|(which|what) (?:(?!(?:did|does|do|is|was|were|are|has|have|had|will|would)\b)"
               r"[\w-]+ ){0,3}(outlet|media|newspaper|news agency|agency|organi[sz]ation|company|official|minister|leader|"
               r"person|country|countries)|(media|kantor berita|negara|pejabat|menteri|lembaga|organisasi)(?: [\w-]+){0,2} "
               r"(apa|mana))\b"),
    ("place", r"\b(where|which (city|country|place|region|port|station)|di ?mana|ke ?mana|kota (mana|apa)|"
              r"negara mana|wilayah (mana|apa)|pelabuhan (mana|apa)|dari mana)\b"),
    ("reason", r"\b(why|for what reason|mengapa|kenapa|apa alasan|alasan apa)\b"),
    # any other question word: what comes first decides ("Which article ... when ...?" is not a time)
    ("other", r"\b(what|which|how|apa|apakah|bagaimana|seperti apa|mana)\b"),
]
# Finer shapes of the answer asked for, beyond its kind (a duration is a number with a unit of time,
# a clause is "Article 4", a model is "Su-35"): the answer sentence must hold one.
Shape = Literal["identity", "clock", "duration", "frequency", "clause", "ordinal", "model", "name", "say"]
SHAPE_PATTERNS: list[tuple[Shape, str]] = [
    ("clock", r"\b(pukul berapa|jam berapa|(at )?what time of (the )?day|(at )?what time (did|does|do|was|were|is|will)|"
              r"what hour)\b"),
    # "how long is the bridge?" asks for a length, as the amount check reads it too (direct.py)
    ("duration", r"\b(how long(?! is\b)|how many (hours|days|weeks|months|years|minutes|decades)|berapa lama|"
                 r"berapa (jam|hari|pekan|minggu|tahun|bulan|menit|dekade))\b"),
    ("frequency", r"\b(how often|how frequently|seberapa sering|berapa kali|how many times)\b"),
    ("clause", r"\b(which|what|under which) (article|clause|section|paragraph)s?\b|\b(pasal|ayat|bab) (berapa|apa|mana)\b"),
    ("ordinal", r"\b(ke ?berapa|which anniversary|what anniversary)\b"),
    ("model", r"\b(what|which) (type|kind|model|make|brand|jet|aircraft|plane|missile|rocket|car|ship|vessel|train)s?\b"
              r"|\b(jenis|tipe|model|merek|pesawat|rudal|roket|mobil|kapal|kereta)( \w+)? apa\b"),
    ("name", r"\b(what (is|was) the name|what name|under what name|nama apa|apa nama|siapa nama|sebutan apa|julukan apa)\b"),
    ("say", r"\b(say|said|says|tell|told|describe|described|call|called|pledge|pledged|promise|promised|katakan|"
            r"mengatakan|dikatakan|menyatakan|sebut|menyebut|disebut|menjuluki|dijuluki|janji|berjanji|menjanjikan)\b"),
]
# A question about the article itself (who wrote it, which outlet, when it was published): the byline answers.
ABOUT_ARTICLE = re.compile(r"\b(penulis|menulis|ditulis|wrote|written|writer|author|reporter|wartawan|jurnalis|"
                           r"outlet|media|kantor berita|news agency|newspaper|surat kabar|published|diterbitkan|terbit)\b",
                           re.IGNORECASE)
# Words that only shape the question ("which day of the week", "hari apa"): not content to match.
FORM_WORDS = frozenset(
    "day days week date time year month hari tanggal pukul waktu minggu pekan jumlah many much kind sort "
    "happen happened terjadi isi contain contains content contents why reason alasan mengapa kenapa "
    # courtesy around the question ("Please tell me: ...", "Tolong jelaskan: ..."): not content either
    "please kindly tolong mohon jelaskan explain beritahu sebutkan hi hello hey halo hai "
    # "Berapa *di antaranya* ...?" (of them), "*Dalam rangka* apa ...?" (on what occasion): the
    # question's frame, never a word of the sentence that answers
    "antaranya diantaranya rangka".split()
)
# "Di kota mana ...?", "Which country ...?", "Tahun berapa ...?": the word says what kind of place or
# time is asked for; the sentence that answers names it ("di Moskow", "pada 2000"), not the word
# (English "year" and "month" are form words already)
_KIND_HEAD = re.compile(r"\b(kota|negara|city|country|town)\s+(?:mana|apa)\b|\b(?:which|what)\s+(city|country|town)\b"
                         r"|\b(tahun|bulan)\s+(?:berapa|apa)\b", re.IGNORECASE)


def _asked_concepts(text: str) -> list[Concept]:
    """What a question (or the one a reply follows) asks about: its concepts, without the words that
    only say what kind of answer is asked for (form words, "kota" of "di kota mana")."""
    heads = frozenset(fold(w) for m in _KIND_HEAD.finditer(text) for w in m.groups() if w)
    return concepts(text, exclude=FORM_WORDS | heads, group_names=True, question=True)


# A question that tries to change how the bot answers rather than ask about the articles.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override|abaikan|lupakan|acuhkan)\b.{0,40}\b(instruction|instructions|rules|prompt|"
    r"instruksi|perintah|aturan|sebelumnya|previous)\b"
    r"|\b(system prompt|prompt sistem|system override|new instruction|instruksi baru|developer mode)\b"
    r"|\b(you (no longer|don'?t) need|without (citing|any )?(sources?|citations?)|do not cite|don'?t cite|no sources)\b"
    r"|\b(tanpa (menyebut(kan)? )?(sumber|kutipan|rujukan)|jangan (sebut|cantumkan|kutip)\w* sumber)\b"
    r"|\b(make up|invent|fabricate|karang(lah)?( sendiri)?|mengarang|anggap saja)\b"
    r"|\b(pretend|act as|roleplay|berpura-pura|jawab hanya dengan)\b"
    r"|</?(context|system|evidence|instructions?)>",
    re.IGNORECASE,
)


class DocumentFrequency(Protocol):
    """Corpus statistics the question's weights need: how many articles there are, and how many
    express a concept (any of its forms)."""

    def n_docs(self) -> int: ...

    def doc_freq(self, concept: Concept) -> int: ...


def _question_word(text: str) -> tuple[QType, int, int] | None:
    q = fold(text)
    found = [(m.start(), i, name, m.end()) for i, (name, pattern) in enumerate(QTYPE_PATTERNS)
             if (m := re.search(pattern, q))]
    if not found:
        return None
    start, _, name, end = min(found)
    return name, start, end


# "Who is Alexander Kozlov?", "Siapa Kozlov itu?": the answer is what the person is (a role), not a name.
IDENTITY = re.compile(r"^(?i:who|siapa)(?i:kah)?\s+(?i:is\s+|was\s+|sebenarnya\s+)?(?P<name>(?:[A-Z][\w.'-]*\s*){1,4})"
                      r"(?i:\s+(?:itu|tersebut|ini))?\s*\??$")
# "Who is Vedant Patel, who confirmed ...?", "Siapa Andrey Rudenko yang berbicara ...?": a name, then what
# they did; the answer is what the person is, as for "Who is X?" (out of fold on the training questions:
# the best sentence right for 2 more of them). A title opening the name is no name: "Siapa Menteri
# Pertahanan yang ..." asks for one.
_WHO_IS_NAME_THEN = re.compile(
    r"^(?i:who|siapa)(?:kah)?\s+(?i:is\s+|was\s+|sebenarnya\s+)?"
    r"(?P<name>[A-Z][\w.'-]*(?:\s+(?:(?:de|van|von|der|bin|al|da)\s+)?[A-Z][\w.'-]*){0,3})\s*(?:,|\byang\b|\bwho\b)")
_TITLES = frozenset("presiden president menteri minister wakil deputy kepala head juru spokesman perdana prime "
                    "jenderal general duta ambassador ketua chairman sekretaris secretary direktur director".split())


def identity_name(q: Question) -> frozenset[str]:
    """The words of the name a "who is X?" question asks about ("Kim Yo Jong" -> kim, yo, jong), or
    none for any other question."""
    if q.shape != "identity":
        return frozenset()
    named = IDENTITY.match(q.text.strip()) or _WHO_IS_NAME_THEN.match(q.text.strip())
    return frozenset(fold(t) for t in tokens(named.group("name"))) if named else frozenset()


def answer_shape(text: str) -> Shape | None:
    named = IDENTITY.match(text.strip()) or _WHO_IS_NAME_THEN.match(text.strip())
    if named and not any(fold(w) in _TITLES for w in named.group("name").split()):
        return "identity"
    q = fold(text)
    for name, pattern in SHAPE_PATTERNS:
        if re.search(pattern, q):
            return name
    return None


# What a "person" question asks for when it is no person: "which agency", "negara mana", "lembaga apa".
_NOT_A_PERSON = re.compile(r"\b(outlet|media|newspaper|news agency|agency|organi[sz]ation|company|country|countries|"
                           r"kantor berita|negara|lembaga|organisasi|pihak)\b")


def asks_for_a_person(q: Question) -> bool:
    """Does a "person" question ask for a person ("who", "siapa", "which official") rather than an
    agency, a country or an outlet ("which agency", "negara mana")? Read from the question its kind
    came from: a follow-up without a question word of its own asks what the one it follows asked."""
    text = q.asked_by or q.text
    found = _question_word(text)
    if not found or found[0] != "person":
        return False
    _, start, end = found
    return not _NOT_A_PERSON.search(fold(text)[start:end])


def question_type(text: str) -> QType:
    """The kind of answer asked for, read from the question word that comes first ("Which article
    ... when one side is attacked?" asks for an article, not a time)."""
    found = _question_word(text)
    return found[0] if found else "other"


def focus_words(text: str) -> tuple[str, ...]:
    """The thing asked about, next to the question word: "how many *troops*", "which *article*",
    "berapa *tentara*", "*pasal* berapa", "siapa *menteri*…"."""
    found = _question_word(text)
    if not found:
        return ()
    _, start, end = found
    q = fold(text)

    def content(ws: list[str]) -> list[str]:
        return [w for w in ws if w.isalpha() and w not in FORM_WORDS and w not in STOPWORDS and w not in _PREPOSITIONS
                and len(w) > 2]

    after: list[str] = []
    for w in q[end:].split()[:4]:  # the noun phrase right after: "how many troops", "which two russian ships"
        if content([w]):
            after.append(w)
        elif after:
            break
    before_words = q[:start].split()[-3:]
    before: list[str] = []
    for w in reversed(before_words):  # the noun phrase right before: "pesawat tempur apa", "pelabuhan rusia mana"
        if not content([w]):
            break
        before.insert(0, w)
    return tuple(before or after)  # Indonesian puts it before the question word: "pasal berapa", "model apa"


@dataclass(frozen=True)
class Question:
    """A question as every later step sees it."""

    text: str = field(metadata={"doc": "the question as asked (whitespace normalised, cut to the limit)"})
    search_text: str = field(metadata={"doc": "what retrieval searches: a follow-up with the question it follows"})
    language: Language
    qtype: QType
    concepts: tuple[Concept, ...] = field(metadata={
        "doc": "what the text asks about and, for a follow-up, the names of the question it follows"})
    own: tuple[Concept, ...] = field(metadata={"doc": "the concepts of the text itself (a follow-up's own words)"})
    weights: tuple[float, ...]
    stems: frozenset[str]
    numbers: frozenset[str]
    focus: tuple[Concept, ...]
    shape: Shape | None
    about_article: bool
    vector: np.ndarray = field(repr=False)
    instruction: bool = False
    truncated: bool = False
    follows: Turn | None = field(default=None, repr=False)
    asked_by: str = field(default="", metadata={
        "doc": "the text whose question word says what is asked, when not ``text``: for a reply without one "
               "(\"And the deputy?\"), the question it follows"})
    points_back: bool = field(default=False, metadata={
        "doc": "a follow-up that says so (\"itu\", \"that\", \"and ...\"), not one read as such for saying little"})

    @property
    def names(self) -> tuple[Concept, ...]:
        return tuple(c for c in self.concepts if c.is_name)

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def courtesy(self) -> tuple[str, Language] | None:
        """A message that is only a greeting, a thank-you or "what's new?" ("hi", "Halo!", "terima
        kasih", "berita terbaru?"): the message key of the reply and the language the words are in
        (the reader's, unless set)."""
        for key, pattern in COURTESY:
            if found := pattern.fullmatch(self.text):
                said: Language = "en" if found.group("en") else "id"
                return key, said
        return None

    @property
    def asks_what_it_says(self) -> bool:
        """A reply that asks for nothing but more of what was said ("What does it say?", "Tell me
        more", "Apa isinya?"): no kind of answer of its own ("when?", "who said it?") and its own
        words, if any, only of that kind."""
        return (self.follows is not None and question_type(self.text) == "other"
                and all(fold(w) in MORE_WORDS for c in self.own for w in c.surface.split()))


_PREPOSITIONS = frozenset("under over between among across against toward towards upon within without one two three four "
                          "five six seven eight nine ten satu dua tiga empat lima".split())

def normalise(text: str, max_chars: int) -> tuple[str, bool]:
    """Whitespace collapsed, control and zero-width characters dropped, cut at a word boundary."""
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = " ".join(text.split())
    if len(text) <= max_chars:
        return text, False
    return text[:max_chars].rsplit(" ", 1)[0], True


def weights_for(cs: list[Concept], stats: DocumentFrequency, language: Language, min_docs: int = 1) -> list[float]:
    """Rarity (inverse document frequency) of each concept; a number counts a little more.

    A corpus of fewer than ``min_docs`` articles counts as that many, the others lacking every
    concept: in five articles a word in all five is no common word, just one the five share
    (the evidence model was fit on a corpus of ``min_docs`` articles; see ``EvidenceModel.corpus_docs``).

    An English word the glossary doesn't know can't be matched in Indonesian text: it still
    counts, but no more than a typical known word (else one unknown adverb vetoes a good answer)."""
    n = max(stats.n_docs(), min_docs, 1)
    weights = [math.log((n + 1) / (stats.doc_freq(c) + 0.5)) + (0.5 if c.is_number else 0.0) for c in cs]
    known = sorted(w for c, w in zip(cs, weights, strict=True) if c.translated or c.is_name or c.is_number)
    if known and language == "en":
        cap = known[len(known) // 2]
        weights = [w if (c.translated or c.is_name or c.is_number) else min(w, cap)
                   for c, w in zip(cs, weights, strict=True)]
    return [max(w, 0.05) for w in weights]


def parse_question(
    raw: str,
    *,
    stats: DocumentFrequency,
    embed: EmbedQuery,
    max_chars: int,
    history: list[Turn] | None = None,
    language: Language | None = None,
    min_docs: int = 1,
) -> Question:
    """Read a question once. A short or pronoun-led question after an earlier turn is a follow-up:
    it is searched together with the question it follows, and keeps its own asked type."""
    text, truncated = normalise(raw, max_chars)
    lang: Language = language or detect_language(text)
    previous = history[-1] if history else None
    said = without_thanks(text)  # what is asked, without thanks around it
    own = _asked_concepts(said)
    follows = previous if previous is not None and text and is_follow_up(text, own) else None
    prior = read_as(follows) if follows is not None else ""
    if len(prior) > max_chars:  # a long chain of replies: its opening question says what it is about
        prior = prior[:max_chars].rsplit(" ", 1)[0]
    search_text = f"{prior} {text}" if follows is not None else text
    qtype, asked_by = question_type(text), ""
    if follows is not None and (_question_word(text) is None or SAME_QUESTION_ABOUT.search(text)):
        # "And the deputy?", "what about Shoigu?": the question it follows, about something else; a
        # reply with a question word of its own asks that ("apa yang ditandatangani?" after "kapan
        # ...?" asks what, not when). A reply that had none itself asked what its own question asked.
        asked_by = follows.question if _question_word(follows.question) else prior
        qtype = question_type(asked_by)
    if follows is not None:
        earlier = _asked_concepts(prior)
        answer = follows.answer
        if (answer is not None and answer.citations and question_type(follows.question) == "other"
                and (word := stands_for(text, earlier, answer.citations[0].quote))):
            # "What does it require?" asks about the thing the earlier answer named, as "what does that
            # treaty require?" would (in the reply's language where the glossary knows the word)
            said = with_subject(said, (english_word(word) or word) if lang == "en" else word)
            own = _asked_concepts(said)
            search_text = f"{prior} {said}"
    cs = list(own)
    if follows is not None:
        # "and what does that treaty require?": what it asks, about whom the earlier question was;
        # a reply with no words of its own ("kapan?", "who said so?") is about all the earlier one was
        seen = {c.surface.lower() for c in cs}
        cs += [c for c in earlier if (c.is_name or not own) and c.surface.lower() not in seen]
    weights = weights_for(cs, stats, lang, min_docs)
    # a reply with words of its own asks something new about what the answer it follows gave: "Who
    # invited him?" after an answer led by "Sergei Lavrov" is not answered by Lavrov again (the value
    # is as if asked); "kapan itu?", with none, may hear the day it was told again
    given = " ".join(follows.answer.direct) if follows is not None and follows.answer is not None and own else ""
    stems = frozenset().union(*(stem_variants(c.surface.split()[0]) for c in cs),
                              *(stem_variants(t) for t in tokens(f"{text} {given}")))
    vector = embed(search_text) if search_text else np.zeros(0, dtype=np.float32)
    return Question(
        text=text, search_text=search_text, language=lang, qtype=qtype, concepts=tuple(cs), own=tuple(own),
        weights=tuple(weights),
        stems=stems, numbers=frozenset(numbers(f"{text} {given}")), vector=vector,
        focus=tuple(concepts(" ".join(focus_words(said)))), shape=answer_shape(text),
        about_article=bool(ABOUT_ARTICLE.search(text)),
        instruction=bool(_INSTRUCTION.search(text)), truncated=truncated, follows=follows,
        points_back=follows is not None and points_back(text), asked_by=asked_by,
    )


class EmbedQuery(Protocol):
    def __call__(self, text: str) -> np.ndarray: ...
