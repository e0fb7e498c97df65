"""The dates a "when" question's answer can open with, read off its sentence by code and rendered in
the asker's language: dates as written ("Kamis (21/11/2024)", "September 15, 2023"), a weekday told
alone dated from the report's publication day or its dateline, and none that cannot answer (the
report's own day, a day past for "when will ...?", a month the question already names).
"""

from __future__ import annotations

import datetime as dt
import re

from corpus.dates import DAYPART, MONTH_NUMBERS, MONTHS
from retrieval.answering.features import EN_MONTHS, ID_MONTHS
from retrieval.answering.question import Question
from retrieval.text import fold, tokens

DAY_EN = {"senin": "Monday", "selasa": "Tuesday", "rabu": "Wednesday", "kamis": "Thursday", "jumat": "Friday",
          "sabtu": "Saturday", "minggu": "Sunday"}
DAY_ID = {v.lower(): k.capitalize() for k, v in DAY_EN.items()}
_MONTH_NAMES = "|".join(sorted((m for m in MONTH_NUMBERS if len(m) > 2), key=len, reverse=True))
_DAY_NAMES = "|".join(list(DAY_EN) + [d.lower() for d in DAY_EN.values()])

# "Kamis (21/11/2024)", "21/11/2024", "(04/12)", "15 September 2023", "September 15, 2023", "Juni 2024",
# and days in a row: "10-11 Juli", "July 10-11" (the meeting's two days, not its first)
# (a day is one or two digits and no more: "Juni 2025" is no 20 June, "Mei 10.000 tentara" no 10 May;
# a month is a whole word: "12 desa" is no 12 December, "5 marinir" no 5 March)
DATE = re.compile(
    rf"\b(?:(?P<day>{_DAY_NAMES}){DAYPART},?\s*)?(?:\(\s*)?"
    rf"(?:(?P<d1>\d{{1,2}})/(?P<m1>\d{{1,2}})(?:/(?P<y1>\d{{2,4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:\s*[-–]\s*(?P<e2>\d{{1,2}}))?\s+(?P<mon2>{_MONTH_NAMES})\b\.?(?:\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<mon3>{_MONTH_NAMES})\.?\s+(?P<d3>\d{{1,2}})(?:\s*[-–]\s*(?P<e3>\d{{1,2}}))?(?![.,]?\d)"
    rf"(?:,?\s+(?P<y3>\d{{4}}))?"
    rf"|(?P<mon4>{_MONTH_NAMES})\s+(?P<y4>\d{{4}})"
    rf"|(?:bulan|in)\s+(?P<mon5>{_MONTH_NAMES})\b)\)?",
    re.IGNORECASE,
)


# "Which day of the week ...?", "Pada hari apa ...?": the weekday is asked for (and a date that holds
# its year says which one it was: 19/06/2024 was a Wednesday).
ASKS_WEEKDAY = re.compile(r"\b(day of the week|what day|which day|hari apa)\b", re.IGNORECASE)


# "When will ...?", "When is it expected to ...?", "Kapan ... akan/ditargetkan ...?": a time after
# the report is asked for; not when it was *said* that something will happen ("When did Putin
# say Kim will visit?": the day he said it).
_AHEAD = re.compile(r"\b(when\s+(will|shall)|(expected|scheduled|due|going|planned|set)\s+to|akan|bakal|dijadwalkan|"
                    r"ditargetkan|direncanakan|diperkirakan)\b", re.IGNORECASE)
_SAID = re.compile(r"\b(say|said|says|announce\w*|promise\w*|pledge\w*|mengatakan|menyatakan|mengumumkan|menyebut\w*|"
                   r"berjanji|menjanjikan|kata)\b", re.IGNORECASE)


def asks_ahead(text: str) -> bool:
    return bool(_AHEAD.search(text)) and not _SAID.search(text)


def _weekday(day: int, month: int, year: str) -> str | None:
    """The weekday of a date in the calendar, in Indonesian ("rabu"), or None for no such date."""
    try:
        return list(DAY_EN)[dt.date(int(year), month, day).weekday()]  # senin (Monday) first
    except ValueError:
        return None


def _parts(m: re.Match[str]) -> tuple[int | None, int, str | None]:
    """A matched date's day (None for a month alone), month and year (None when not said; "24" -> "2024")."""
    g = m.groupdict()
    if g.get("d1"):
        day, month, year = int(g["d1"]), int(g["m1"]), g.get("y1")
    elif g.get("d2"):
        day, month, year = int(g["d2"]), MONTH_NUMBERS[fold(g["mon2"])], g.get("y2")
    elif g.get("d3"):
        day, month, year = int(g["d3"]), MONTH_NUMBERS[fold(g["mon3"])], g.get("y3")
    elif g.get("mon4"):
        day, month, year = None, MONTH_NUMBERS[fold(g["mon4"])], g.get("y4")
    else:
        day, month, year = None, MONTH_NUMBERS[fold(g["mon5"])], None
    if year and len(year) == 2:
        year = "20" + year
    return day, month, year


def _end_day(m: re.Match[str]) -> int | None:
    """The last day of days in a row ("10-11 Juli" -> 11); None for one day."""
    end = m.group("e2") or m.group("e3")
    return int(end) if end else None


def _last_day(m: re.Match[str], default_year: int | None) -> dt.date | None:
    """The day a matched date names (the last of its month when it names a month alone, the last of
    days in a row), in ``default_year`` when it says no year; None when no year is known or it is no
    day of the calendar."""
    d, month, year = _parts(m)
    d = _end_day(m) or d
    y = int(year) if year else default_year
    if y is None:
        return None
    try:
        return dt.date(y, month, d) if d else dt.date(y + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    except ValueError:
        return None


def _ended_before(m: re.Match[str], day: dt.date) -> bool:
    """Whether a matched date was over before ``day`` (a month alone at its end; without a year, in
    ``day``'s year)."""
    last = _last_day(m, day.year)
    return last is not None and last < day


def _render_date(m: re.Match[str], language: str, weekday: bool = False) -> str | None:
    day_name = m.group("day")
    day, month, year = _parts(m)
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
        return None
    if day is not None and year:
        named = _weekday(day, month, year)
        if named is None:
            return None  # no such day ("31/02/2024"): a number that only looks like a date
        if weekday and not day_name:
            day_name = named
    end = _end_day(m)
    if end is not None and day is not None and not day < end <= 31:
        return None  # "5-3 Juni" is a score, not days in a row
    months = EN_MONTHS if language == "en" else ID_MONTHS
    days = f"{day}–{end}" if end else f"{day}"
    parts = [f"{days} {months[month - 1]}" if day else months[month - 1]]
    if year:
        parts.append(year)
    text = " ".join(parts)
    if day_name:
        name = DAY_EN.get(fold(day_name), day_name.capitalize()) if language == "en" else \
            DAY_ID.get(fold(day_name), day_name.capitalize())
        text = f"{name}, {text}"
    return text


def _render_day(word: str, language: str) -> str:
    w = fold(word)
    return DAY_EN.get(w, word.capitalize()) if language == "en" else DAY_ID.get(w, word.capitalize())


# A weekday told relative to the report: "Rabu depan", "next Wednesday" (after it); "Rabu lalu",
# "last Wednesday" (the one before the report's own day).
_AFTER_REPORT = re.compile(r"^\s*(depan|mendatang|nanti)\b", re.IGNORECASE)
_BEFORE_REPORT = re.compile(r"^\s*(lalu|kemarin)\b", re.IGNORECASE)
_NEXT_LAST = re.compile(r"\b(next|coming|last|this)\s*$", re.IGNORECASE)


# "minggu" is also "week": it is Sunday only told as a day ("pada Minggu", "hari Minggu").
_SUNDAY = re.compile(r"\b(pada|hari|on|sejak|setiap)\s+$", re.IGNORECASE)


def weekday_date(word: str, before: str, after: str, published: dt.date) -> dt.date | None:
    """The day a weekday told alone means, from the day the report was published: news says "on
    Wednesday" of the latest Wednesday up to its own day ("pada Rabu" in a Thursday report is the day
    before), "Rabu lalu"/"last Wednesday" of the one before its own day, "Rabu depan"/"next
    Wednesday" of the one after. ``before``/``after`` are the text around the word; None when the
    word is no weekday."""
    w = fold(word)
    name = w if w in DAY_EN else DAY_ID.get(w, "").lower()
    if name not in DAY_EN:
        return None
    target = list(DAY_EN).index(name)  # senin (Monday) = 0, as date.weekday()
    back = (published.weekday() - target) % 7
    qualifier = _NEXT_LAST.search(before)
    if _AFTER_REPORT.match(after) or (qualifier and fold(qualifier.group(1)) in ("next", "coming")):
        return published + dt.timedelta(days=(target - published.weekday()) % 7 or 7)
    if _BEFORE_REPORT.match(after) or (qualifier and fold(qualifier.group(1)) == "last"):
        return published - dt.timedelta(days=back or 7)
    return published - dt.timedelta(days=back)


def _day_with_date(word: str, day: dt.date, language: str) -> str:
    months = EN_MONTHS if language == "en" else ID_MONTHS
    return f"{_render_day(word, language)} ({day.day} {months[day.month - 1]} {day.year})"


def dates(text: str, language: str, weekday: bool = False, published: dt.date | None = None,
          ahead: bool = False) -> list[str]:
    """The dates of ``text`` rendered in ``language``; with ``weekday``, a date holding its year
    names its day of the week too when the text doesn't ("Wednesday, 19 June 2024"). A weekday told
    alone ("pada Kamis") is given with the day it means when the report's ``published`` day is
    known ("Thursday (19 December 2024)", :func:`weekday_date`), else as the weekday alone. With
    ``ahead`` (the question asks when something will happen), a date over before the report was
    published is no answer: it is when something else happened ("when will the bridge be
    finished?" in a report of 2 May 2025: not 30 April 2025, when building began)."""
    found = [m for m in DATE.finditer(text) if not (ahead and published and _ended_before(m, published))]
    out = [r for m in found if (r := _render_date(m, language, weekday))]
    if ahead and published and not found and DATE.search(text):
        return []  # every date there is past: no weekday alone stands in for them
    if not out:  # a weekday alone: "pada Kamis"
        for m in re.finditer(r"\w+", text):
            w = fold(m.group(0))
            if w not in DAY_EN and w not in DAY_ID:
                continue
            if w == "minggu" and not _SUNDAY.search(text[:m.start()]):
                continue  # "dua minggu terakhir", "minggu lalu": a week, not Sunday
            day = weekday_date(m.group(0), text[:m.start()], text[m.end():], published) if published else None
            out.append(_day_with_date(m.group(0), day, language) if day else _render_day(m.group(0), language))
    return list(dict.fromkeys(out))


def _month_asked_about(date: str, q: Question) -> bool:
    """A month (and year) alone that the question already names ("Juni" for "tanggal berapa ... pada
    Juni 2025?") says nothing new: the day asked for is not there."""
    words = date.split()
    if not words or fold(words[0]) not in MONTHS or not all(w.isdigit() and len(w) == 4 for w in words[1:]):
        return False
    asked = {MONTH_NUMBERS[fold(t)] for t in tokens(q.text) if fold(t) in MONTHS}
    return MONTH_NUMBERS[fold(words[0])] in asked


# A day told relative to the date beside it: that date is the reference (often the day it was
# reported), not the day asked about.
_DAY_BEFORE_OR_AFTER = re.compile(r"\b(hari sebelumnya|sehari sebelumnya|sehari kemudian|keesokan harinya|the day before|"
                                  r"a day (earlier|later|before)|the (previous|next|following) day)\b", re.IGNORECASE)


# A wire story's dateline: "SEOUL, Oct. 19 (Xinhua) --", "MOSCOW, June 4, 2024 (UPI) -". Its date is
# the day the story was filed, not the day of what it tells.
_DATELINE = re.compile(rf"^\W*[A-Z][A-Za-z .'-]{{1,40}},\s+(?P<date>(?:{_MONTH_NAMES})\.?\s+\d{{1,2}}(?:,\s+\d{{4}})?)"
                       rf"\s*(?:\([^)]{{1,40}}\))?\s*(?:--|—|–|-)\s*", re.IGNORECASE)


def _after_dateline(text: str, published: dt.date | None) -> tuple[str, dt.date | None]:
    """A sentence without its dateline, and the day to read its weekdays from: the dateline's ("Oct.
    19 ... arrived on Wednesday" is 18 October), in the year the report was published; else
    ``published``."""
    m = _DATELINE.match(text)
    if m is None:
        return text, published
    date = DATE.search(m.group("date"))
    filed = _last_day(date, published.year if published else None) if date else None
    return text[m.end():], filed or published


# "Tahun berapa ...?", "In which year ...?" asks for a year; "Bulan apa ...?", "In what month ...?" for months.
ASKS_YEAR = re.compile(r"\b(?:(?:which|what)\s+year|tahun\s+(?:berapa|apa|kapan))\b", re.IGNORECASE)
ASKS_MONTH = re.compile(r"\b(?:(?:which|what)\s+months?|bulan\s+(?:apa|berapa))\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,/])(?:19|20)\d{2}(?![\d.,]\d)")


def years_answering(q: Question, focus: str) -> list[str]:
    """The one year ``focus`` names that the question doesn't ("dibangun pada 1959" -> "1959"), alone
    or in a date: a year is what was asked, so the year is the answer."""
    return list(dict.fromkeys(y for y in _YEAR.findall(focus) if y not in q.numbers))


def months_answering(q: Question, focus: str) -> list[str]:
    """The months ``focus`` names that the question doesn't, together in one answer ("Mei dan
    Agustus" for "Pada bulan apa saja ... gagal ...?"); none when it names none of its own."""
    asked = {MONTH_NUMBERS[fold(t)] for t in tokens(q.text) if fold(t) in MONTHS}
    said = [_parts(m)[1] for m in DATE.finditer(focus)]
    said += [MONTH_NUMBERS[fold(t)] for t in tokens(focus) if fold(t) in MONTHS and t[:1].isupper()]
    months = EN_MONTHS if q.language == "en" else ID_MONTHS
    found = [months[n - 1] for n in dict.fromkeys(sorted(n for n in said if n not in asked))]
    if not found:
        return []
    joined = ", ".join(found[:-1]) + (f" {'and' if q.language == 'en' else 'dan'} " if len(found) > 1 else "") + found[-1]
    return [joined]


def dates_answering(q: Question, focus: str, published: dt.date | None) -> list[str]:
    """The dates in ``focus`` that can answer ``q`` (a "when" question), rendered in its language;
    ``published`` is the day the sentence's article appeared. A question for a year or for months
    is answered with those alone."""
    if _DAY_BEFORE_OR_AFTER.search(focus):
        return []  # "KCNA said on Thursday (05/12) that ... the day before": the date is the report's
    if ASKS_YEAR.search(q.text):
        return years_answering(q, focus)
    if ASKS_MONTH.search(q.text):
        return months_answering(q, focus)
    focus, published = _after_dateline(focus, published)
    said = dates(focus, q.language, weekday=bool(ASKS_WEEKDAY.search(q.text)), published=published,
                 ahead=asks_ahead(q.text))
    found = [d for d in said if not any(n in q.numbers for n in re.findall(r"\d+", d))] or said
    return [d for d in found if not _month_asked_about(d, q)]
