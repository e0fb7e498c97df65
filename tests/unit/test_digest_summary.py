"""What a digest item says: it stands on its own (who, what, when), in the subscriber's language."""

from __future__ import annotations

from datetime import date

import pytest

from retrieval.digest.summary import actors_en, names_actor, render_when, starts_unresolved, strip_dateline


@pytest.mark.parametrize("text", [
    "He is scheduled to meet North Korean leader Kim Jong Un.",
    "During the trip, he is scheduled to meet Kim Jong Un [2].",
    "The trip was the minister's second this year.",
    "They signed the treaty in Pyongyang.",
    "This is the first such visit since 2019.",
    "Kunjungan delegasi tersebut dilaporkan guna pertemuan komite bersama.",
    "Ia menekankan pentingnya memperluas kerja sama.",
    "Hal ini mencerminkan kedekatan kedua negara.",
    "Keduanya membahas kerja sama militer.",
    "Kedua pemimpin menandatangani perjanjian.",
    "Dalam pertemuan itu, Kim menyerukan kerja sama yang lebih luas.",
    "“Mereka datang untuk membantu,” kata Kim.",
])
def test_leads_that_lean_on_what_came_before(text):
    assert starts_unresolved(text)


@pytest.mark.parametrize("text", [
    "Pemimpin Korea Utara Kim Jong Un bertemu Menteri Sumber Daya Alam Rusia Alexander Kozlov.",
    "Russian Foreign Minister Sergei Lavrov met Kim Jong Un in Wonsan.",
    "Pada Juni lalu, Putin dan Kim menandatangani perjanjian kemitraan strategis.",
    "Thousands of North Korean workers were sent to Russia.",
    "Intelijen Korea Selatan mengungkap setidaknya 100 tentara Korea Utara tewas.",
])
def test_leads_that_stand_on_their_own(text):
    assert not starts_unresolved(text) and names_actor(text)


def test_a_sentence_that_names_no_one_names_no_actor():
    assert not names_actor("Kedua negara membahas kerja sama di berbagai bidang.")


def test_actors_and_their_roles_in_english():
    lead = ("Pemimpin Korea Utara Kim Jong-un bertemu dengan Alexander Kozlov, Menteri Sumber Daya Alam Rusia, yang "
            "tengah melakukan kunjungan resmi ke Pyongyang.")
    assert actors_en(lead) == ["Kim Jong-un (North Korean leader)", "Alexander Kozlov (Russian minister of natural resources)"]
    assert actors_en("Pemimpin Korea Utara Kim Jong Un menerima kunjungan Wakil Menteri Pertahanan Rusia Aleksey "
                     "Krivoruchko di negaranya.") == \
        ["Kim Jong Un (North Korean leader)", "Aleksey Krivoruchko (Russian deputy defence minister)"]
    assert actors_en("Menteri Sumber Daya Alam (SDA) Rusia Alexander Kozlov tiba.") == \
        ["Alexander Kozlov (Russian minister of natural resources)"]
    assert actors_en("Korea Utara dan Rusia sepakat saling membantu.") == ["North Korea", "Russia"], "no one named: the countries"
    assert actors_en("Dua prajurit ditangkap di Oblast Kursk Rusia, Presiden Volodymyr Zelensky mengatakan pada hari "
                     "Sabtu.") == ["Volodymyr Zelensky (president)"], "a place before the comma has no role"


def test_the_date_in_the_subscribers_language():
    assert render_when([date(2024, 11, 19)], "en") == "19 November 2024"
    assert render_when([date(2024, 11, 19)], "id") == "19 November 2024"
    assert render_when([date(2025, 7, 13), date(2025, 7, 12)], "en") == "12–13 July 2025"
    assert render_when([date(2025, 7, 12), date(2025, 7, 13)], "id") == "12–13 Juli 2025"
    assert render_when([date(2024, 11, 30), date(2024, 12, 2)], "en") == "30 November – 2 December 2024"
    assert render_when([], "en") is None


def test_a_dateline_left_in_front_of_the_lead_is_dropped():
    assert strip_dateline("SEOUL, iNews.id - Intelijen Korea Selatan mengungkap 100 tentara Korea Utara tewas.") \
        .startswith("Intelijen Korea Selatan")
    assert strip_dateline("PYONGYANG – Presiden Rusia Vladimir Putin telah memberi sebuah mobil mewah.") \
        .startswith("Presiden Rusia")
    kept = "Korea Utara - Rusia menandatangani perjanjian kemitraan strategis yang baru."
    assert strip_dateline(kept) == kept
    assert strip_dateline("Jakarta - Korea Utara bersiap menerima wisatawan Rusia pertama sejak pandemi.") \
        .startswith("Korea Utara bersiap"), "a place alone before a dash"
    aside = "Putin - yang tiba kemarin - bertemu Kim Jong Un di Pyongyang untuk membahas kerja sama."
    assert strip_dateline(aside) == aside
