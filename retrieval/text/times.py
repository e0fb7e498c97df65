"""Parsing the times people type: a delivery time, a time zone, a ``--since`` date.

Errors are :class:`TimeParseError` (a ``ValueError``) whose message says what is accepted;
the CLI and the bot show them as they are.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from corpus.errors import RnkbotError

_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_12_HOUR = re.compile(r"^(1[0-2]|0?[1-9])(?:[:.]([0-5]\d))?\s*([ap])\.?m\.?$", re.IGNORECASE)  # "8pm", "7:30am"
_RELATIVE = re.compile(r"^(\d{1,4})\s*([hd])$", re.IGNORECASE)
_ALIASES = {"wib": "Asia/Jakarta", "wita": "Asia/Makassar", "wit": "Asia/Jayapura", "utc": "UTC", "gmt": "UTC",
            "msk": "Europe/Moscow", "kst": "Asia/Seoul"}


# "UTC+7", "GMT-3", "utc+07:00": a whole-hour offset, kept as the IANA zone of that fixed offset
# (whose name has the sign turned round: UTC+7 is Etc/GMT-7).
_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ETC = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


class TimeParseError(RnkbotError, ValueError):
    """A time, time zone or date that cannot be read; the message says what is accepted."""


def parse_time_of_day(text: str) -> time:
    """``08:00`` / ``8.30`` -> ``time(8, 0)``; ``8pm`` / ``7:30 a.m.`` on the 12-hour clock."""
    typed = text.strip()
    twelve = _12_HOUR.match(typed)
    if twelve:
        hour = int(twelve.group(1)) % 12 + (12 if twelve.group(3).lower() == "p" else 0)
        return time(hour, int(twelve.group(2) or 0))
    m = _HHMM.match(typed)
    if not m:
        raise TimeParseError(f"{text!r} is not a time of day: use HH:MM, for example 08:00 or 19:30 (or 7:30pm)")
    return time(int(m.group(1)), int(m.group(2)))


def parse_timezone(text: str) -> ZoneInfo:
    """An IANA zone (``Asia/Jakarta``, case-insensitive), a common abbreviation (WIB, WITA, WIT, UTC,
    MSK, KST), a zone's city alone when only one zone has it (``jakarta``, ``moscow``), or a
    whole-hour offset from UTC (``UTC+7``, ``GMT-3``)."""
    name = text.strip()
    name = _ALIASES.get(name.lower(), name)
    if offset := _OFFSET.match(name):
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if minutes or not (hours <= 12 if sign == "-" else hours <= 14):
            raise TimeParseError(f"{text!r} has no zone of whole hours: use a city (Kolkata) or a name like "
                                 "Asia/Kolkata")
        return ZoneInfo("UTC" if hours == 0 else f"Etc/GMT{'-' if sign == '+' else '+'}{hours}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    lowered = {z.lower(): z for z in available_timezones()}
    if name.lower() in lowered:
        return ZoneInfo(lowered[name.lower()])
    city = name.lower().replace(" ", "_")
    by_city = [z for low, z in lowered.items() if "/" in low and low.rsplit("/", 1)[1] == city]
    if len(by_city) == 1:
        return ZoneInfo(by_city[0])
    raise TimeParseError(f"{text!r} is not a time zone: use a name like Asia/Jakarta, Europe/Moscow or UTC, "
                         "a city (Jakarta), an offset (UTC+7), or WIB, WITA, WIT")


def zone_label(key: str) -> str:
    """A zone's name as people write it: "UTC+7" for the fixed-offset ``Etc/GMT-7``, else the name."""
    etc = _ETC.match(key)
    return f"UTC{'-' if etc.group(1) == '+' else '+'}{etc.group(2)}" if etc else key


def parse_since(text: str, tz: tzinfo, now: datetime) -> datetime:
    """``2026-11-20`` (midnight in ``tz``), ``2026-11-20T08:00`` (in ``tz`` unless it has an offset),
    or a span back from ``now``: ``36h``, ``7d``."""
    text = text.strip()
    rel = _RELATIVE.match(text)
    if rel:
        amount = int(rel.group(1))
        return now - (timedelta(hours=amount) if rel.group(2).lower() == "h" else timedelta(days=amount))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TimeParseError(f"{text!r} is not a date: use YYYY-MM-DD, YYYY-MM-DDTHH:MM, or a span like 36h or 7d") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
