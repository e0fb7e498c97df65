"""Dating an article that states no publication date, from its own lead."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from retrieval.digest.dating import article_date, resolve, stated_dates

INGESTED = date(2026, 11, 20)


@pytest.mark.parametrize(("text", "expected"), [
    ("Kim bertemu Kozlov di Pyongyang, pada Selasa (19/11), menurut KCNA.", date(2024, 11, 19)),  # the weekday pins 2024
    ("Badan Intelijen Nasional, Kamis (19/12/2024), menyatakan…", date(2024, 12, 19)),
    ("Kim menyambut Lavrov pada Minggu (13/7/2025) di Wonsan.", date(2025, 7, 13)),
    ("The two leaders met on Wednesday, June 19, 2024, in Pyongyang.", date(2024, 6, 19)),
    ("KCNA reported on 28/4/2025 that the troops…", date(2025, 4, 28)),
    ("Putin signed the law on Saturday, November 9, in Moscow.", date(2024, 11, 9)),
    ("NIS mengatakan pada Jumat sore (18/10) bahwa…", date(2024, 10, 18)),  # a part of the day between them
    ("Lavrov tiba Kamis malam waktu setempat (10/7) di Pyongyang.", date(2025, 7, 10)),
])
def test_a_stated_day_with_its_year_or_weekday_is_dated_whatever_the_source(text, expected):
    assert stated_dates(text, INGESTED, current=False) == [expected]


def test_a_day_and_month_alone_count_only_for_news_read_when_it_was_current():
    assert stated_dates("Kereta berangkat pada 17 Juni.", INGESTED, current=True) == [date(2026, 6, 17)]
    assert stated_dates("Kereta berangkat pada 17 Juni.", INGESTED, current=False) == [], \
        "a file may be years old: 17 June of which year?"
    assert stated_dates("The talks began on December 2.", INGESTED, current=True) == [date(2025, 12, 2)], \
        "a day after the anchor is last year's"


def test_what_is_not_a_date_stays_undated():
    assert stated_dates("Kim bertemu Kozlov pada Kamis.", INGESTED, current=True) == [], "a weekday alone"
    assert stated_dates("Pasukan tiba pada Juni 2024.", INGESTED, current=True) == [], "a month alone"
    assert stated_dates("They may 10 times refuse.", INGESTED, current=True) == [], "'may' is a verb"
    assert stated_dates("Sekitar 30/40 persen dari 1.000 tentara.", INGESTED, current=True) == []
    assert resolve(19, 12, 2030, None, INGESTED) is None, "never after the anchor"
    assert resolve(31, 2, 2024, None, INGESTED) is None


def test_an_article_is_dated_by_the_first_date_of_its_lead():
    sentences = ["Pada Juni lalu, Putin dan Kim menandatangani perjanjian.",
                 "Kim bertemu Kozlov pada Selasa (19/11), menurut KCNA.",
                 "Perjanjian itu diteken pada Rabu (19/6/2024)."]
    anchor = datetime(2026, 11, 20, 3, 0)
    assert article_date("Delegasi Rusia Kunjungi Pyongyang", sentences, anchor, current=False) == date(2024, 11, 19)
    assert article_date("Delegasi Rusia Kunjungi Pyongyang", sentences, anchor, current=False, lead_sentences=1) is None
    assert article_date("Rusia dan Korut, Kamis (20/6/2024)", sentences, anchor, current=False) == date(2024, 6, 20), \
        "the title comes first"
