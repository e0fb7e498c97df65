"""Reading the times people type: delivery times, time zones, --since."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from corpus.errors import RnkbotError
from retrieval.text.times import TimeParseError, parse_since, parse_time_of_day, parse_timezone, zone_label

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
JAKARTA = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize("text, expected", [("08:00", time(8, 0)), ("8.30", time(8, 30)), (" 23:59 ", time(23, 59)),
                                            ("0:05", time(0, 5)), ("8pm", time(20, 0)), ("7:30am", time(7, 30)),
                                            ("7.30p.m.", time(19, 30)), ("12am", time(0, 0)), ("12PM", time(12, 0)),
                                            ("8 am", time(8, 0))])
def test_time_of_day(text, expected):
    assert parse_time_of_day(text) == expected


@pytest.mark.parametrize("text", ["24:00", "8", "08:60", "8 oclock", "", "13pm", "0am"])
def test_what_is_not_a_time_of_day_says_what_is(text):
    with pytest.raises(TimeParseError, match="use HH:MM"):
        parse_time_of_day(text)


@pytest.mark.parametrize("text, key", [("Asia/Jakarta", "Asia/Jakarta"), ("wib", "Asia/Jakarta"), ("WITA", "Asia/Makassar"),
                                       ("wit", "Asia/Jayapura"), ("europe/moscow", "Europe/Moscow"), ("MSK", "Europe/Moscow"),
                                       ("utc", "UTC"), ("KST", "Asia/Seoul"), ("jakarta", "Asia/Jakarta"),
                                       ("Moscow", "Europe/Moscow"), ("new_york", "America/New_York")])
def test_time_zones_by_name_abbreviation_or_city(text, key):
    assert parse_timezone(text).key == key


@pytest.mark.parametrize("text, key, label", [("UTC+7", "Etc/GMT-7", "UTC+7"), ("gmt-3", "Etc/GMT+3", "UTC-3"),
                                              ("utc+07:00", "Etc/GMT-7", "UTC+7"), ("UTC +9", "Etc/GMT-9", "UTC+9"),
                                              ("UTC+0", "UTC", "UTC"), ("UTC+14", "Etc/GMT-14", "UTC+14")])
def test_a_whole_hour_offset_from_utc_is_a_fixed_zone_told_as_typed(text, key, label):
    zone = parse_timezone(text)
    assert zone.key == key and zone_label(zone.key) == label
    assert datetime(2026, 1, 1, 12, tzinfo=UTC).astimezone(zone).utcoffset() == timedelta(
        hours=int(label[3:] or 0)), "the offset is the one typed, not its sign turned round"


@pytest.mark.parametrize("text", ["UTC+5:30", "UTC+15", "GMT-13"])
def test_an_offset_no_whole_hour_zone_has_says_what_to_use(text):
    with pytest.raises(TimeParseError, match="use a city"):
        parse_timezone(text)


def test_an_unknown_time_zone_is_a_user_error():
    with pytest.raises(TimeParseError, match="not a time zone") as err:
        parse_timezone("Mars/Olympus")
    assert isinstance(err.value, RnkbotError) and isinstance(err.value, ValueError)


def test_since_a_date_a_local_time_an_offset_or_a_span():
    assert parse_since("2026-11-20", JAKARTA, NOW) == datetime(2026, 11, 20, tzinfo=JAKARTA)
    assert parse_since("2026-11-20T08:00", JAKARTA, NOW) == datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    assert parse_since("2026-11-20T08:00+03:00", JAKARTA, NOW) == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert parse_since("36h", JAKARTA, NOW) == NOW - timedelta(hours=36)
    assert parse_since("7D", JAKARTA, NOW) == NOW - timedelta(days=7)
    with pytest.raises(TimeParseError, match="is not a date"):
        parse_since("yesterday-ish", JAKARTA, NOW)
