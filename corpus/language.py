"""Which language a text is in: Indonesian or English, from function words.

The one language detector of rnkbot (page extraction, questions, answers and their
verification all use it), with the word lists it counts and the tokenizer they are matched
with. Imports nothing else of rnkbot's.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal, overload

Language = Literal["id", "en"]

_TOKEN = re.compile(r"[0-9]+(?:[.,/:][0-9]+)*|[^\W\d_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case and strip accents.

    ASCII text has nothing to decompose or strip (NFKD leaves it as it is), so it is only
    lower-cased: most words of the corpus take that path, and fold is called per word."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """Word and number tokens as written (hyphenated words split: "Jong-un" -> "Jong", "un")."""
    return _TOKEN.findall(text)


def words(text: str) -> list[str]:
    """Word and number tokens, folded."""
    return _TOKEN.findall(fold(text))


ID_STOP = frozenset(
    """yang dan di ke dari pada untuk dengan dalam atas oleh ini itu ia dia mereka kami kita saya
    anda adalah ialah akan telah sudah sedang masih juga pun lah kah tersebut bahwa karena sebagai
    serta atau tetapi namun agar supaya hingga sampai sejak saat ketika setelah sebelum antara
    para sang si tak tidak bukan belum apa siapa kapan mana dimana di mana bagaimana mengapa
    kenapa berapa apakah manakah bilamana seperti secara lebih paling sangat sebuah suatu seorang
    nya an se hal tentang menurut terhadap tanpa bagi kepada via ada bisa dapat harus perlu
    mau ingin lalu kemudian baru pernah sambil tiap setiap semua seluruh beberapa banyak
    yakni yaitu sementara sedangkan begitu demikian maka jika kalau bila apabila lain""".split()
)

EN_STOP = frozenset(
    """the a an of to in on at for from by with about as into over after before during since
    and or but if then than so not no is are was were be been being am do does did done has
    have had having will would shall should can could may might must this that these those
    it its it's they them their he him his she her hers we us our you your i me my what which
    who whom whose when where why how there here also just only very more most some any each
    all both such own same other another again further once up down out off per via according
    tell say said ever""".split()
)

STOPWORDS = ID_STOP | EN_STOP

# Function words of one language that are not words of the other: what the detector counts.
ID_MARKERS = ID_STOP - EN_STOP
EN_MARKERS = EN_STOP - ID_STOP
_ID_AFFIXED = re.compile(r"^(meng|mem|men|me|ber|ter|di|ke|pe)[a-z]{3,}(kan|an|i|nya)$")


@overload
def detect_language(text: str) -> Language: ...


@overload
def detect_language(text: str, *, min_hits: int = 1, otherwise: str) -> str: ...


def detect_language(text: str, *, min_hits: int = 1, otherwise: str | None = None) -> str:
    """``"id"`` or ``"en"``: the language with more of its function words in ``text``, when
    that language has at least ``min_hits`` of them.

    When the words do not decide (a tie, or too few), ``otherwise`` is the answer if given
    (page extraction passes the page's own ``lang``, or ``"und"``); else words shaped like
    Indonesian derivations (``menyampaikan``, ``kunjungan``) make it ``"id"``, and ``"en"`` is
    the last resort (questions and answers always get a language).
    """
    toks = words(text)
    id_hits = sum(t in ID_MARKERS for t in toks)
    en_hits = sum(t in EN_MARKERS for t in toks)
    if id_hits != en_hits and max(id_hits, en_hits) >= min_hits:
        return "id" if id_hits > en_hits else "en"
    if otherwise is not None:
        return otherwise
    affixed = sum(bool(_ID_AFFIXED.match(t)) for t in toks)
    return "id" if affixed >= max(1, len(toks) // 4) else "en"


LANGUAGE_SAMPLE_CHARS = 5000  # an article's language is read from the start of its text
MIN_LANGUAGE_HITS = 5  # fewer function words than this do not decide an article's language


def article_language(text: str, otherwise: str) -> str:
    """An article's language from its text (``"id"`` or ``"en"``), or ``otherwise`` when its first
    words hold too few function words to tell (a page's own ``lang``, a file's default)."""
    return detect_language(text[:LANGUAGE_SAMPLE_CHARS], min_hits=MIN_LANGUAGE_HITS, otherwise=otherwise)
