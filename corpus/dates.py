"""The one table of month and weekday names (Indonesian and English) that dates are read with."""

from __future__ import annotations

MONTH_NUMBERS: dict[str, int] = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "february": 2, "feb": 2, "maret": 3, "march": 3,
    "mar": 3, "april": 4, "apr": 4, "mei": 5, "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7,
    "july": 7, "jul": 7, "agustus": 8, "august": 8, "agu": 8, "aug": 8, "september": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nov": 11, "desember": 12,
    "december": 12, "des": 12, "dec": 12,
}
# Full month names only (abbreviations like "mar" or "jan" are too ambiguous to mark a word as a date).
MONTHS = frozenset(name for name in MONTH_NUMBERS if len(name) > 3) | {"mei", "may"}
# A part of the day told between a weekday and its date: "Jumat sore (18/10)", "Kamis malam waktu
# setempat (20/6)". Optional, with the space before it; the weekday still dates the day.
DAYPART = r"(?:\s+(?i:dini\s+hari|pagi|siang|sore|petang|malam)(?:\s+(?i:waktu\s+setempat))?)?"
DAYS = frozenset("senin selasa rabu kamis jumat sabtu minggu monday tuesday wednesday thursday friday saturday sunday".split())
