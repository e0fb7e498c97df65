"""A message in a conversation: whether it replies to the last answer (and what it then means),
whether it is only courtesy ("hi", "terima kasih", "what's new?"), and whether it asks for the last
answer again in another language ("and in English?")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.text import STOPWORDS, fold, stem_variants, tokens
from retrieval.text.lexicon import Concept
from retrieval.types import Language, Turn

# Messages that are only a greeting or a thank-you (a name, "bot", emoji and punctuation around it):
# no question to answer from the articles, nor one to refuse as off the subject.
_AROUND = r"(?:\s+(?:bot|rnkbot|there|semua|kak|min|admin))?[\s!.,~🙂😊🙏👋]*"
COURTESY: list[tuple[str, re.Pattern[str]]] = [
    ("greeting", re.compile(r"\W*(?:(?P<en>hi|hello|hey|good (?:morning|afternoon|evening))|halo|hallo|hai|"
                            r"selamat (?:pagi|siang|sore|malam)|assalamu'?alaikum)" + _AROUND, re.IGNORECASE)),
    # "what's new?" has no subject to look up: the digest lists what is new
    ("whats_new", re.compile(r"\W*(?:(?P<en>(?:(?:tell|give|show) me |what(?:'s| is| are) )?(?:the |any )?"
                             r"(?:latest|newest|recent|today's) (?:news|updates?)|any news|what(?:'s| is) new|news today)|"
                             r"(?:ada )?(?:berita|kabar) (?:terbaru|terkini|hari ini|baru)(?: apa)?|apa (?:berita|kabar) "
                             r"(?:terbaru|terkini|hari ini)|ada berita apa(?: hari ini)?)" + _AROUND + r"\??", re.IGNORECASE)),
    ("thanks", re.compile(r"\W*(?:(?P<en>thanks?(?: you)?(?: so much| very much| a lot)?|thx|ty)|terima ?kasih(?: banyak)?|"
                          r"makasih(?: banyak)?|trims)" + _AROUND, re.IGNORECASE)),
]


# Thanks said before or after the question ("...? Terima kasih", "Thanks! When ...?"): no words to
# look up ("terima kasih" inside a question, "Zelensky thanked ...", is).
_THANKS = (r"(?:thanks?(?: you)?(?: so much| very much| a lot| in advance)?|thx|ty|"
           r"terima ?kasih(?: banyak)?|makasih(?: banyak)?|trims)")
_THANKS_AROUND = re.compile(rf"^\W*{_THANKS}\s*[,.!:;🙏]+\s*|(?<=[?.!,])\s*{_THANKS}\W*$", re.IGNORECASE)


def without_thanks(text: str) -> str:
    return _THANKS_AROUND.sub("", text).strip() or text


# A reply that asks the question it follows again about something else: its "what" or "how" is no
# question word of its own.
SAME_QUESTION_ABOUT = re.compile(r"^\W*(?:(?:and|but|dan|lalu|terus)\s+)?(?:(?:what|how)\s+about|bagaimana\s+dengan)\b",
                                 re.IGNORECASE)


# The words of a reply asking only to hear more about what was said, or what the article named says.
MORE_WORDS = frozenset("say says said tell more else detail details article report story summarise summarize summary "
                       "isi isinya kata katanya bilang artikel laporan berita cerita ceritakan lanjut lebih lagi "
                       "ringkas ringkasan rincian".split())
FOLLOW_UP_WORDS = frozenset("that it this those these then there he she they him her them his its their "
                            "itu ini tersebut sana begitu dia ia mereka beliau".split())
# A reply opening with "and ..."/"dan ..." carries on from what was said.
_CARRIES_ON = re.compile(r"^\W*(and|but|also|dan|lalu|terus|kalau|juga|serta)\b", re.IGNORECASE)
# A message with this many content words of its own says what it is about by itself; the two
# countries every article is about don't count ("Siapa yang memimpin delegasi Rusia?" after an
# answer about a ceremony asks about that ceremony).
STANDS_ALONE = 3
SUBJECT_WORDS = frozenset({"russia", "russian", "russians", "rusia", "north korea", "north korean", "north koreans",
                           "korea utara", "korut", "dprk"})


def points_back(text: str) -> bool:
    """Whether a message says it is about what was said before: "kapan itu?", "and what does that
    treaty require?", "dan tahun 2023?", "what about Shoigu?"."""
    return bool({fold(w) for w in tokens(text)} & FOLLOW_UP_WORDS or _CARRIES_ON.search(text)
                or SAME_QUESTION_ABOUT.search(text))


def is_follow_up(text: str, own: Sequence[Concept]) -> bool:
    """Whether a message after an answer is about that answer: it points back (:func:`points_back`),
    or it is short and says too little to be about anything by itself ("berapa lama?", "who said
    so?", "Where was the ceremony held?"). A short question that names its own subject ("How many
    North Korean soldiers died in Kursk?": three content words besides the two countries) is a new
    question, whatever came before."""
    if points_back(text):
        return True
    return len(set(tokens(text))) <= 8 and sum(fold(c.surface) not in SUBJECT_WORDS for c in own) < STANDS_ALONE



# The English pronouns that stand for a thing the earlier answer named ("What does it require?",
# "When did they take effect?"); a person ("he", "she") is the earlier question's name already, and
# "that"/"itu" mostly come with their noun ("that treaty", "kunjungan itu").
_THING_PRONOUNS = frozenset({"it", "its", "they", "them", "their"})
# Longer messages with "it" ask about more than the thing ("Is it true that ...?").
_SHORT_REPLY = 8


def stands_for(text: str, asked: Sequence[Concept], quote: str) -> str | None:
    """The word an English reply's pronoun stands for, read off the earlier answer's quote: what
    follows the earlier question's own verb there ("What did Russia and North Korea sign ...?"
    answered "... menandatangani perjanjian kerja sama ...": "What does it require?" asks about the
    "perjanjian"). None when the reply has no such pronoun, or the quote doesn't hold the verb."""
    words = tokens(text)
    if not {fold(w) for w in words} & _THING_PRONOUNS or len(words) > _SHORT_REPLY:
        return None
    verbs = [v for c in asked if not (c.is_name or c.is_number) for form in c.forms if len(form) == 1 for v in form]
    quoted = tokens(quote)
    for i, w in enumerate(quoted[:-1]):
        if any(not v.isdisjoint(stem_variants(w)) for v in verbs):
            after = next((t for t in quoted[i + 1:i + 4] if fold(t) not in STOPWORDS), None)
            if after is not None and after.isalpha() and len(after) > 3 and not after[:1].isupper():
                return after
    return None


def with_subject(text: str, word: str) -> str:
    """The reply with its pronoun replaced by the word it stands for ("What does it require?" ->
    "What does treaty require?"), as the question is read and searched."""
    return re.sub(rf"\b(?:{'|'.join(_THING_PRONOUNS)})\b", word, text, count=1, flags=re.IGNORECASE)


# "and in English?", "dalam bahasa Indonesia dong": the answer just given, in that language.
_IN_LANGUAGE = re.compile(
    r"^\W*(?:(?:and|but|now|dan|sekarang|lalu)\s+)?(?:(?:please|pls|tolong|could you|can you|bisa)\s+)?"
    r"(?:(?:answer|say|tell|write|repeat|jawab|ulangi|tulis|jelaskan)\w*\s+)?(?:(?:it|that|me|again|lagi)\s+)*"
    r"(?:(?:in|dalam|pakai|dengan|pake)\s+(?:bahasa\s+)?|bahasa\s+)(?P<lang>english|inggris|indonesian|indonesia)"
    r"(?:\s+(?:please|pls|dong|ya|saja|aja|juga|too))*\W*$", re.IGNORECASE)


def language_asked(text: str) -> Language | None:
    """The language a message asks the last answer again in ("and in English?" -> "en"), or None."""
    m = _IN_LANGUAGE.match(text)
    if m is None:
        return None
    return "en" if fold(m.group("lang")) in ("english", "inggris") else "id"


def read_as(turn: Turn) -> str:
    """An earlier turn's question as it was read: a reply together with the question it followed
    (so a third "kapan?" after "who said so?" is still about the first question), else as asked."""
    return turn.answer.read_as if turn.answer is not None and turn.answer.read_as else turn.question


# "pasal tiga *itu*", "kunjungan *tersebut*", "*that* treaty": the words naming what a reply refers
# back to, before an Indonesian demonstrative or after an English one.
_ID_DEMONSTRATIVE = frozenset({"itu", "ini", "tersebut"})
_EN_DEMONSTRATIVE = frozenset({"that", "this", "these", "those"})
_REFERENT_SPAN = 2


def referent_words(text: str) -> frozenset[str]:
    """The content words of a reply that name the thing it points back to ("Apa isi *pasal tiga*
    itu?", "Which aircraft does *that plant* build?"): what it is about, not what it asks."""
    words = [fold(w) for w in tokens(text)]
    out: set[str] = set()
    for i, w in enumerate(words):
        if w in _ID_DEMONSTRATIVE:
            span = words[max(0, i - _REFERENT_SPAN):i]
        elif w in _EN_DEMONSTRATIVE:
            span = words[i + 1:i + 1 + _REFERENT_SPAN]
        else:
            continue
        out |= {t for t in span if t not in STOPWORDS}
    return frozenset(out)
