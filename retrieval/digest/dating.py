"""When did it happen? A date for an article that states none, read from its own text.

Many pages carry no publication date (about 60% of the real pages we measured); their text
usually does: a dateline or a day in the lead ("Selasa (19/11)", "Kamis (19/12/2024)",
"pada 19 Juni", "on June 19", "Wednesday, June 19, 2024"). Event grouping needs a date to keep
an event within a few days, so an undated article gets the first date its lead states.

Relative to what? A date without a year is resolved against an **anchor**: the moment we first
knew the article — its feed entry's date when it came from a feed (ingestion puts that in
``published`` already), else when it was ingested. Three cases, most certain first:

1. The text gives the year ("19/12/2024", "19 Juni 2024", "June 19, 2024"): taken as it is.
2. A weekday comes with the day ("Selasa (19/11)", "Wednesday, June 19"): the latest year, not
   after the anchor, in which that day fell on that weekday. A weekday pins the year among the
   last few (19 November was a Tuesday in 2024, not in 2025 or 2026), so an article ingested long
   after it was written is still dated right.
3. Day and month alone ("pada 19 Juni"): in the anchor's year (one year earlier if that would
   put the day after the anchor) — but only when the anchor says when the article was current:
   a page fetched from the web or a feed is news when we read it. A file may be an archive of
   any age (the real pages we measured were ingested in 2026 and report 2023-2025), so for a
   file a day without its year or weekday stays unresolved. The years a text names do not help:
   on the training pages they were background ("since 2006", "the 1953 armistice") four times
   in five.

A weekday alone ("pada Kamis") is not used: without the week it belongs to it says nothing.
Dates are taken only from the title and the first sentences (``lead_sentences``): later ones are
often background ("the treaty signed on 19 June"). Nothing is invented: no date, ``None``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from corpus.dates import DAYPART, MONTH_NUMBERS

WEEKDAYS: dict[str, int] = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5, "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
_MONTH_WORDS = sorted({m for m in MONTH_NUMBERS if len(m) > 2} | {"sept"}, key=len, reverse=True)
_MONTH = "(?:" + "|".join(w.capitalize() for w in _MONTH_WORDS) + r")\.?"  # capitalised: "may" is a verb
_WD = "(?:" + "|".join(re.escape(w.capitalize()) for w in sorted(WEEKDAYS, key=len, reverse=True)) + ")"
_WD_LOWER_OK = "(?i:" + "|".join(re.escape(w) for w in sorted(WEEKDAYS, key=len, reverse=True)) + ")"
_YEAR = r"(?:19|20)\d{2}"

_PATTERNS = [
    # Indonesian datelines: "Selasa (19/11)", "(19/11/2024)", "Kamis (20/06)", "Jumat sore (18/10)"
    re.compile(rf"(?:(?P<wd>{_WD_LOWER_OK}){DAYPART},?\s*)?\(\s*(?P<d>\d{{1,2}})/(?P<m>\d{{1,2}})(?:/(?P<y>\d{{2}}|{_YEAR}))?\s*\)"),
    # a bare numeric date with its year: "19/11/2024", "19-11-2024"
    re.compile(rf"(?<![\d/.-])(?P<d>\d{{1,2}})[/-](?P<m>\d{{1,2}})[/-](?P<y>{_YEAR})(?![\d/])"),
    # ISO: "2024-11-19"
    re.compile(rf"(?<![\d-])(?P<y>{_YEAR})-(?P<m>\d{{2}})-(?P<d>\d{{2}})(?![\d-])"),
    # "Kamis, 19 Juni 2024", "19 Juni", "19 June 2024"
    re.compile(rf"(?:(?P<wd>{_WD_LOWER_OK}),?\s+(?:tanggal\s+)?)?(?<!\d)(?P<d>\d{{1,2}})\s+(?P<mon>{_MONTH})(?![\w])"
               rf"(?:,?\s+(?P<y>{_YEAR})(?!\d))?"),
    # "Wednesday, June 19, 2024", "on June 19", "Nov. 19"
    re.compile(rf"(?:(?P<wd>{_WD_LOWER_OK}),?\s+)?(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:.,]\d)"
               rf"(?:,?\s+(?P<y>{_YEAR})(?!\d))?"),
]
WEEKDAY_YEARS_BACK = 12  # how far back a weekday may pin a year (the same weekday recurs after 5, 6 or 11 years)


def _month(word: str) -> int | None:
    return MONTH_NUMBERS.get(word.rstrip(".").lower())


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve(day: int, month: int, year: int | None, weekday: int | None, anchor: date, *,
            current: bool = True) -> date | None:
    """A day and month, with what else the text says (its year, its weekday), as a date not after
    ``anchor`` (see the module docstring); ``None`` when nothing fits. ``current``: the anchor is
    when the article was news (a web page or feed entry), so a bare day and month is in its year."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        found = _safe_date(year, month, day)
        return found if found is not None and found <= anchor + timedelta(days=1) else None
    if weekday is not None:
        for y in range(anchor.year, anchor.year - WEEKDAY_YEARS_BACK - 1, -1):
            found = _safe_date(y, month, day)
            if found is not None and found <= anchor + timedelta(days=1) and found.weekday() == weekday:
                return found
        return None
    if not current:
        return None
    found = _safe_date(anchor.year, month, day)
    if found is not None and found > anchor + timedelta(days=1):
        found = _safe_date(anchor.year - 1, month, day)
    return found


def stated_dates(text: str, anchor: date, *, current: bool = True) -> list[date]:
    """Every full date the text states, in reading order, resolved against ``anchor``."""
    hits: list[tuple[int, date]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue  # the same words already read by an earlier (more specific) pattern
            g = m.groupdict()
            month = int(g["m"]) if g.get("m") else _month(g["mon"])
            if month is None:
                continue
            year = g.get("y")
            y = None if not year else int(year) + (2000 if len(year) == 2 else 0)
            wd = WEEKDAYS.get(g["wd"].lower()) if g.get("wd") else None
            found = resolve(int(g["d"]), month, y, wd, anchor, current=current)
            if found is not None:
                hits.append((m.start(), found))
                taken.append((m.start(), m.end()))
    return [d for _, d in sorted(hits, key=lambda h: h[0])]


def article_date(title: str, sentences: Sequence[str], anchor: datetime | date, *, current: bool,
                 lead_sentences: int = 4) -> date | None:
    """The date an undated article's lead states (title, then its first ``lead_sentences``
    sentences, in order), resolved against ``anchor``; ``None`` when it states none.
    ``current``: see :func:`resolve`."""
    day = anchor.date() if isinstance(anchor, datetime) else anchor
    for part in [title, *sentences[:lead_sentences]]:
        found = stated_dates(part, day, current=current)
        if found:
            return found[0]
    return None
