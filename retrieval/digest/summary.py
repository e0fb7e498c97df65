"""What a digest item says, so that it stands on its own: who, what, when.

- **Who and what**: the item's lead sentence must not start from something only the sentences
  before it explain ("He is scheduled…", "During the trip…", "Kunjungan tersebut…", "Ia…");
  such a sentence is joined with the sentence before it, or passed over for one that names its
  actors (:func:`starts_unresolved`, :func:`names_actor`).
- **When**: the event's date (publication, else the date its text states) leads the item,
  rendered in the subscriber's language (:func:`render_when`).
- **In the subscriber's language**: for an English subscriber and an Indonesian report, the
  actors' names with their roles in English (:func:`actors_en`: "Alexander Kozlov (Russian
  minister of natural resources)", from the small role and country tables below), then the
  original lead as the cited quote. No machine translation: the quote is the evidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from retrieval.answering.features import EN_MONTHS, ID_MONTHS
from retrieval.answering.naming import COUNTRIES
from retrieval.text import fold, tokens
from retrieval.text.lexicon import english_word

# A sentence that opens with a pronoun, a demonstrative or a reference back ("the trip", "kedua
# negara", "kunjungan delegasi tersebut"), possibly after a preposition ("During the trip, he…").
# Erring on the side of "unresolved" only costs a candidate: the next lead sentence is tried.
_BACK_NOUNS = (r"trip|visit|meeting|talks|treaty|pact|agreement|deal|summit|move|decision|report|statement|delegation|"
               r"ceremony|event|leaders?|ministers?|countries|sides|officials?|minister|president|leader|two")
UNRESOLVED_START = re.compile(
    r"^[\"“‘']?(?:(?:during|in|at|on|after|before|following|amid|since|dalam|selama|pada|usai|setelah|seusai|"
    r"sebelum|saat|ketika|di|dari|menurut)\s+)?"
    r"(?:he|she|it|they|his|her|its|their|him|them|this|that|these|those|there|"
    rf"the\s+(?:{_BACK_NOUNS})|"
    r"ia|dia|beliau|mereka|nya|ini|itu|tersebut|sana|begitu|hal\s+(?:ini|itu|tersebut)|keduanya|"
    r"kedua\s+(?:pemimpin|menteri|negara|pihak|belah\s+pihak|tokoh|delegasi|pejabat)|"
    r"(?:[\w-]+\s+){1,3}(?:ini|itu|tersebut))\b",
    re.IGNORECASE,
)

# Indonesian roles, longest first when matched, with their English.
ROLES: dict[str, str] = {
    "pemimpin tertinggi": "supreme leader", "pemimpin": "leader", "wakil presiden": "vice president",
    "presiden": "president", "perdana menteri": "prime minister",
    "wakil menteri luar negeri": "deputy foreign minister", "menteri luar negeri": "foreign minister",
    "menlu": "foreign minister", "wakil menteri pertahanan": "deputy defence minister",
    "menteri pertahanan": "defence minister", "menhan": "defence minister",
    "menteri sumber daya alam dan ekologi": "minister of natural resources and ecology",
    "menteri sumber daya alam": "minister of natural resources", "menteri sda": "minister of natural resources",
    "wakil menteri": "deputy minister", "menteri": "minister",
    "sekretaris dewan keamanan": "security council secretary",
    "wakil ketua dewan keamanan": "deputy chairman of the security council",
    "sekretaris jenderal": "secretary-general", "kepala staf": "chief of staff", "kepala intelijen": "intelligence chief",
    "juru bicara": "spokesperson", "duta besar": "ambassador", "dubes": "ambassador", "ketua": "chairman",
    "kepala": "head", "panglima": "commander", "jenderal": "general", "komandan": "commander",
}
_ROLE = "|".join(sorted((re.escape(r) for r in ROLES), key=len, reverse=True))
_COUNTRY = "|".join(sorted((re.escape(c) for c in COUNTRIES), key=len, reverse=True))
_NAME_WORD = r"(?:[A-Z][a-z'’]+(?:-[A-Za-z][a-z'’]+)?|[A-Z]\.)"
_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})"
_ABBR = r"(?:\s+\([A-Z][A-Za-z]{1,6}\))?"  # "(SDA)", "(Korut)"
# "Menteri Sumber Daya Alam (SDA) Rusia Alexander Kozlov", "Pemimpin Tertinggi Korea Utara, Kim Jong-un"
# (roles and countries in any case; names capitalised)
_ROLE_FIRST = re.compile(rf"\b(?P<role>(?i:{_ROLE})){_ABBR}(?:\s+(?P<country>(?i:{_COUNTRY})){_ABBR})?,?\s+{_NAME}")
# "Alexander Kozlov, Menteri Sumber Daya Alam Rusia"; not "di Oblast Kursk Rusia, Presiden Volodymyr
# Zelensky ...", where the role is the name's after it
_NAME_FIRST = re.compile(rf"{_NAME},\s+(?P<role>(?i:{_ROLE})){_ABBR}(?:\s+(?P<country>(?i:{_COUNTRY})))?\b"
                         rf"(?!{_ABBR}\s+{_NAME_WORD})")
_COUNTRY_RE = re.compile(rf"\b({_COUNTRY})\b", re.IGNORECASE)
_NOT_NAMES = frozenset(fold(w) for w in [*ROLES, *COUNTRIES, *EN_MONTHS, *ID_MONTHS]) | frozenset(
    "senin selasa rabu kamis jumat sabtu minggu kcna reuters".split())


# "SEOUL, iNews.id - ", "Jakarta, IDM – ", "Liputan6.com, Jakarta - ", "Moscow/Seoul : " before the lead's first word
_DATELINE = re.compile(r"^(?P<line>[^!?:\n]{2,50}?)\s*[-–—:]\s+(?=[\"“A-Z])")


def strip_dateline(text: str) -> str:
    """The sentence without a dateline the page left in front of it (a place, an outlet in capitals
    or as a domain; a place named alone before a dash: "Jakarta - "), when enough of a sentence remains."""
    m = _DATELINE.match(text)
    if m and len(text) - m.end() >= 40 and (re.search(r"\b[A-Z]{3,}\b|\w\.\w{2,}|/", m.group("line"))
                                            or re.fullmatch(r"[A-Z][a-z]+", m.group("line"))
                                            and text[m.end("line"):m.end()].strip() in "-–—"):
        return text[m.end():]
    return text


def starts_unresolved(text: str) -> bool:
    """Does the sentence open with a pronoun, a demonstrative or a reference back?"""
    return bool(UNRESOLVED_START.match(text.strip()))


def names_actor(text: str) -> bool:
    """Does the sentence name someone (a capitalised name after its first word) or a country?"""
    toks = tokens(text)
    return bool(_COUNTRY_RE.search(text)) or any(t[:1].isupper() and fold(t) not in _NOT_NAMES for t in toks[1:])


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and (fold(words[-1]) in _NOT_NAMES or english_word(words[-1]) is not None):
        words.pop()  # "Kim Jong Un Bertemu" -> "Kim Jong Un": a capitalised verb in a title-cased text
    while words and (fold(words[0]) in _NOT_NAMES or english_word(words[0]) is not None):
        words.pop(0)
    return " ".join(words) or None


def actors_en(text: str, limit: int = 3) -> list[str]:
    """The people an Indonesian sentence names with their roles, in English: "Kim Jong-un (North
    Korean leader)", "Alexander Kozlov (Russian minister of natural resources)"; when it names no
    one with a role, the countries it names ("North Korea", "Russia")."""
    found: list[tuple[int, str, str]] = []  # (position, name, English role)
    for pattern in (_ROLE_FIRST, _NAME_FIRST):
        for m in pattern.finditer(text):
            name = _clean_name(m.group("name"))
            if not name:
                continue
            role = ROLES[" ".join(fold(m.group("role")).split())]
            country = m.group("country")
            adjective = COUNTRIES[" ".join(fold(country).split())][1] if country else ""
            found.append((m.start(), name, f"{adjective} {role}".strip()))
    out: list[str] = []
    seen: set[str] = set()
    for _, name, role in sorted(found):
        key = fold(name.split()[-1])
        if key in seen:
            continue
        seen.add(key)
        out.append(f"{name} ({role})")
    if not out:
        countries = [COUNTRIES[" ".join(fold(m.group(1)).split())][0] for m in _COUNTRY_RE.finditer(text)]
        out = list(dict.fromkeys(countries))
    return out[:limit]


def join_names(names: Sequence[str], language: str) -> str:
    """``A``, ``A and B``, ``A, B and C`` (``dan`` in Indonesian)."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {'and' if language == 'en' else 'dan'} {names[-1]}"


def render_when(dates: Sequence[date], language: str) -> str | None:
    """The event's day or span of days in the subscriber's language: "19 November 2024",
    "18–19 November 2024", "30 November – 2 December 2024"; ``None`` when no date is known."""
    if not dates:
        return None
    months = EN_MONTHS if language == "en" else ID_MONTHS
    first, last = min(dates), max(dates)

    def day(d: date, *, month: bool = True, year: bool = True) -> str:
        return " ".join([str(d.day)] + ([months[d.month - 1]] if month else []) + ([str(d.year)] if year else []))

    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{day(first, month=False, year=False)}–{day(last)}"
    if first.year == last.year:
        return f"{day(first, year=False)} – {day(last)}"
    return f"{day(first)} – {day(last)}"
