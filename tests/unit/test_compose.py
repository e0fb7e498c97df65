"""The answer's opening: a value read off the sentence the evidence model chose (never off the
sentences quoted around it for context), else a sentence the model phrases when the evidence is in
another language than the reader's."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pytest

from retrieval.answering.compose import compose
from retrieval.answering.when import dates, dates_answering, weekday_date
from retrieval.types import ArticleMeta, Evidence, Sentence
from tests.fakes.generator import FakeGenerator
from tests.unit.test_question import parse

META = ArticleMeta(doc_id="519_x", title="Perjanjian mulai berlaku", outlet="KBS World")


def sentence(i: int, text: str) -> Sentence:
    return Sentence(sentence_id=f"519_x:s{i:04d}", doc_id="519_x", chunk_id="519_x:c000", index=i, text=text,
                    vector=np.zeros(4, dtype=np.float32))


TREATY = sentence(0, "Perjanjian pertahanan itu mulai berlaku pada hari Rabu (04/12) dengan pertukaran instrumen ratifikasi.")
REPORTED = sentence(1, "KCNA mengatakan pada hari Kamis (05/12) bahwa kedua negara telah bertukar instrumen.")
RESTATES = sentence(2, "Perjanjian pertahanan itu kini mulai berlaku, menurut kantor berita negara.")


def evidence(focus: Sentence, *around: Sentence) -> Evidence:
    quoted = tuple(sorted([focus, *around], key=lambda s: s.index))
    return Evidence(key=1, article=META, focus=focus, sentences=quoted, probability=0.5)


def test_the_date_leads_when_the_chosen_sentence_holds_it():
    composed = compose(parse("Kapan perjanjian itu mulai berlaku?"), [evidence(TREATY, REPORTED)], None, max_tokens=64)
    assert composed.direct == ["Rabu, 4 Desember"]
    assert composed.text.startswith("Rabu, 4 Desember [1]. Menurut KBS World: “Perjanjian pertahanan")


def test_a_quoted_neighbours_date_is_not_stated_as_the_answer():
    """The chosen sentence says the treaty took effect but holds no date; the sentence quoted beside
    it holds one, the day the news agency *reported* it: stating that one first would be wrong."""
    composed = compose(parse("Kapan perjanjian itu mulai berlaku?"), [evidence(RESTATES, REPORTED)], None,
                       max_tokens=64)
    assert composed.direct == []
    assert composed.text.startswith("Menurut KBS World: “KCNA mengatakan pada hari Kamis (05/12)")
    assert [n for n, _ in composed.cited] == [1]


def test_the_model_phrases_only_what_the_reader_would_otherwise_read_in_another_language():
    """Indonesian evidence for an Indonesian asker is quoted as it is (the packaged model would
    copy a sentence of it); for an English asker the model is asked for a sentence in English,
    kept only when verified; ``always`` asks every time, ``never`` not at all."""
    ev = [evidence(RESTATES, REPORTED)]
    gen = FakeGenerator()
    composed = compose(parse("Apa yang dipertukarkan kedua negara itu?"), ev, gen, max_tokens=64)
    assert gen.prompts == [] and composed.text.startswith("Menurut KBS World: “")
    gen.enqueue("")
    composed = compose(parse("What did the two countries exchange?"), ev, gen, max_tokens=64)
    assert len(gen.prompts) == 1 and "KCNA mengatakan" in gen.prompts[0].text
    assert composed.text.startswith("According to KBS World, in Indonesian: “"), "nothing phrased: the quote alone"
    gen.enqueue("Kedua negara telah bertukar instrumen ratifikasi [1].")
    compose(parse("Apa yang dipertukarkan kedua negara itu?"), ev, gen, max_tokens=64, phrase="always")
    assert len(gen.prompts) == 2
    compose(parse("What did the two countries exchange?"), ev, gen, max_tokens=64, phrase="never")
    assert len(gen.prompts) == 2


def test_a_phrased_sentence_naming_only_what_the_question_names_carries_no_answer():
    """"Which official said ...?" over Indonesian evidence: a phrased sentence whose only name is
    "Rusia" (the question's "Russia") does not say who; one naming the official does."""
    said = sentence(0, "Rusia menyerang Ukraina dengan rudal dari Korea Utara, kata pejabat senior Mykola Petrenko.")
    q = parse("Which official said Russia struck Ukraine with missiles from North Korea?")
    gen = FakeGenerator()
    gen.enqueue("(Rusia) attacked Ukraine with missiles [1].")  # verified: every word is in the evidence
    composed = compose(q, [evidence(said)], gen, max_tokens=64)
    assert composed.text.startswith("According to KBS World, in Indonesian: “"), composed.text
    gen.enqueue("Mykola Petrenko said Russia struck Ukraine with missiles from North Korea [1].")
    composed = compose(q, [evidence(said)], gen, max_tokens=64)
    assert composed.text.startswith("Mykola Petrenko said Russia struck Ukraine"), composed.text


def test_a_weekday_told_alone_is_dated_from_the_reports_publication_day():
    """"pada Kamis" in a report published on Thursday 19 December 2024 is that day, and an English
    reader is told which day it was; without a publication date the weekday is all there is."""
    said = sentence(0, "Badan Intelijen Nasional mengungkapkan pada Kamis bahwa 100 tentara Korea Utara tewas.")
    dated = ArticleMeta(doc_id="519_x", title="Perjanjian mulai berlaku", outlet="KBS World", published="2024-12-19")
    ev = Evidence(key=1, article=dated, focus=said, sentences=(said,), probability=0.5)
    assert compose(parse("When did the NIS say that?"), [ev], None, max_tokens=64).direct == \
        ["Thursday (19 December 2024)"]
    assert compose(parse("Kapan NIS mengungkapkannya?"), [ev], None, max_tokens=64).direct == ["Kamis (19 Desember 2024)"]
    undated = Evidence(key=1, article=META, focus=said, sentences=(said,), probability=0.5)
    assert compose(parse("When did the NIS say that?"), [undated], None, max_tokens=64).direct == ["Thursday"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Pembicaraan dimulai pada Rabu di kosmodrom.", date(2024, 12, 18)),  # the latest Wednesday before
    ("Putin tiba pada Kamis.", date(2024, 12, 19)),  # the report's own day
    ("Delegasi bertemu pada Rabu lalu.", date(2024, 12, 18)),
    ("Kim akan berkunjung pada Rabu depan.", date(2024, 12, 25)),
    ("They will meet next Thursday.", date(2024, 12, 26)),
    ("They met last Thursday.", date(2024, 12, 12)),
])
def test_which_day_a_weekday_means(text, expected):
    published = date(2024, 12, 19)  # a Thursday
    assert compose_date(text, published) == expected


def compose_date(text: str, published: date) -> date | None:
    m = next(m for m in re.finditer(r"\w+", text) if weekday_date(m.group(0), "", "", published))
    return weekday_date(m.group(0), text[:m.start()], text[m.end():], published)


def test_a_part_of_the_day_between_a_weekday_and_its_date_keeps_both():
    """"Jumat sore (18/10)": the weekday belongs to the date after "sore" (afternoon), not told alone."""
    assert dates("NIS mengatakan pada Jumat sore (18/10) bahwa pasukan dikirim.", "en") == ["Friday, 18 October"]
    assert dates("Lavrov tiba Kamis malam waktu setempat (10/7/2025).", "id") == ["Kamis, 10 Juli 2025"]


@pytest.mark.parametrize(("question", "focus", "expected"), [
    ("Tahun berapa Jembatan Persahabatan dibangun?", "Jembatan itu dibangun pada 1959 pasca perang Korea.", ["1959"]),
    ("Since what year have sanctions been imposed?", "Sanksi telah berlaku sejak 2006.", ["2006"]),
    ("What year did the 1961 treaty lapse?", "The 1961 treaty lapsed in 1996.", ["1996"]),  # not the question's
    ("In which year was it built?", "Dibangun pada 1959 dan diperbaiki pada 2024.", ["1959", "2024"]),  # two: no lead
    ("Pada bulan apa saja Korea Utara gagal meluncurkan satelit sebelum berhasil pada November?",
     "Mereka telah mencoba dua kali dan gagal, yakni pada Mei dan Agustus lalu.", ["Mei dan Agustus"]),
    ("In what month did the launch fail?", "KCNA said on Monday (20/11/2023) that it would try again.", ["November"]),
    ("In what month did the launch succeed, after failing in November?", "KCNA said on (20/11/2023) it would.", []),
    ("Kapan pertemuan NATO dengan IP4 berlangsung?", "They are attending the July 10-11 meeting.", ["10–11 Juli"]),
    ("When was the NATO summit?", "KTT berlangsung 10-11 Juli 2024 di Washington.", ["10–11 July 2024"]),
])
def test_a_year_months_or_days_in_a_row_answer_as_asked(question, focus, expected):
    """A question for a year is answered with the year, for months with the months the question
    doesn't name, and a meeting of two days is not stated as its first."""
    q = parse(question)
    assert q.qtype == "time"
    assert dates_answering(q, focus, None) == expected


def test_a_week_is_no_sunday():
    """"minggu" is also "week": "dalam dua minggu terakhir" holds no day; "pada hari Minggu" does."""
    assert dates("Pasukan pindah ke Kursk dalam dua minggu terakhir.", "en", published=date(2024, 12, 19)) == []
    assert dates("Mereka tiba pada hari Minggu.", "en", published=date(2024, 12, 19)) == ["Sunday (15 December 2024)"]


def test_when_something_will_happen_is_not_answered_with_a_day_already_past():
    """"When is the bridge expected to be finished?" over a report of 2 May 2025 whose chosen
    sentence dates the start of building (30 April 2025): that day is no answer, so none leads; a
    day after the report does. Asked when it was *said* that something will happen, the day it was
    said answers."""
    began = sentence(0, "Pada hari Rabu (30 April 2025), Rusia dan Korea Utara resmi memulai pembangunan jembatan.")
    due = sentence(1, "Jembatan itu dijadwalkan selesai pada Juni 2026.")
    report = ArticleMeta(doc_id="519_x", title="Jembatan Tumen", outlet="BITV", published="2025-05-02")

    def lead(question: str, s: Sentence) -> list[str]:
        ev = Evidence(key=1, article=report, focus=s, sentences=(s,), probability=0.5)
        return compose(parse(question), [ev], None, max_tokens=64).direct

    assert lead("When is the bridge expected to be finished?", began) == []
    assert lead("Kapan jembatan itu akan selesai?", began) == []
    assert lead("When will the bridge be finished?", due) == ["June 2026"]
    assert lead("When did construction of the bridge begin?", began) == ["Wednesday, 30 April 2025"]
    assert lead("When did Russia announce it will build the bridge?", began) == ["Wednesday, 30 April 2025"]
