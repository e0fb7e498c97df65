"""The value an answer opens with, read off the chosen sentence by code: which day a wire story's
weekday is, spans of time in the reader's language with what qualifies them, and which name a
"who" answer opens with."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.answering.direct import direct_answer
from retrieval.answering.features import answer_tokens
from retrieval.types import Turn
from tests.unit.test_question import parse

LAVROV = "SEOUL, Oct. 19 (Xinhua) -- Russian Foreign Minister Sergei Lavrov arrived in Pyongyang on Wednesday for a visit."


def test_a_datelines_date_is_the_filing_day_not_the_answer():
    """"SEOUL, Oct. 19 (Xinhua) -- ... arrived on Wednesday": 19 October is when the story was filed;
    the Wednesday before it (18 October 2023) is when Lavrov arrived."""
    assert direct_answer(parse("When did Lavrov arrive in Pyongyang?"), LAVROV, dt.date(2023, 10, 20)) == \
        "Wednesday (18 October 2023)"
    assert direct_answer(parse("Kapan Lavrov tiba di Pyongyang?"), LAVROV, None) == "Rabu", \
        "no year known: the weekday alone"
    assert direct_answer(parse("When did Lavrov arrive?"), "Lavrov arrived in Pyongyang on Oct. 18, said Xinhua.",
                         dt.date(2023, 10, 20)) == "18 October", "a date in the sentence itself is no dateline"


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How long did the talks last?", "Putin and Kim ended their talks that lasted more than five hours.",
     "more than five hours"),
    ("Berapa lama pembicaraan itu berlangsung?", "Putin and Kim ended their talks that lasted more than five hours.",
     "lebih dari lima jam"),
    ("Berapa lama pembicaraan itu berlangsung?", "The talks lasted about two hours.", "sekitar dua jam"),
    ("How long did the talks last?", "Pembicaraan itu berlangsung sekitar tiga jam.", "about three hours"),
    ("Berapa lama tur itu?", "Tur selama empat hari itu dimulai di Pyongyang.", "empat hari"),
    # asked in a unit: a span in another is how long something else lasted
    ("How many days did the tourist tour last?", "The programme has run for three years; the tour lasted four days.",
     "four days"),
    ("How many days did the tourist tour last?", "Program wisata itu sudah berjalan tiga tahun.", None),
    ("Berapa jam pembicaraan itu?", "Pembicaraan itu, tiga hari setelah kunjungan, berlangsung dua jam.", "dua jam"),
])
def test_a_span_of_time_is_given_in_the_readers_language_with_its_qualifier(question, sentence, expected):
    assert direct_answer(parse(question), sentence) == expected


def test_the_day_of_a_month_the_question_names_is_an_answer_of_its_kind():
    """"When did Kim arrive ... in September 2023?": "on September 12, 2023" holds the answer though
    its month and year are the question's own; the evidence model's "asked type present" reads the
    day (it read nothing there, and the answering sentence fell from 0.76 to 0.08 for the year)."""
    q = parse("When did Kim Jong Un arrive in Russia aboard his train in September 2023?")
    assert answer_tokens(q, "The North Korean leader arrived in Russia aboard his train on September 12, 2023.") == ["12"]
    assert answer_tokens(q, "Kim tiba di Rusia pada 12 September 2023.") == ["12"]
    assert answer_tokens(q, "Kim arrived in Russia in September 2023 aboard his train.") == []


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Kim Jong Un, the general secretary, received the delegation.", "Kim Jong Un"),
    ("Choe Son Hui met Lavrov at the reception.", "Choe Son Hui"),
    ("Sebelumnya, Choe Son Hui bertemu Lavrov di Pyongyang.", "Choe Son Hui"),
    ("Menurut KCNA, Choe Son Hui bertemu Lavrov.", "Choe Son Hui"),
])
def test_a_name_opening_the_sentence_is_given_whole(sentence, expected):
    """A sentence's first word is capitalised whatever it is; a name opening it was led without its
    first part ("Son Hui", "Jong Un")."""
    assert direct_answer(parse("Who met Lavrov?"), sentence) == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Mishustin berbicara dengan rekan sejawatnya dari Korea Utara, Pak Thae-song, melalui video link.",
     "Pak Thae-song"),
    ("Menteri Luar Negeri Korea Utara Choe Son-hui menyambut tamunya.", "Choe Son-hui"),
    ("Kim Yo-jong, adik pemimpin Korea Utara, mengatakan hal itu.", "Kim Yo-jong"),
])
def test_a_name_written_with_a_hyphen_is_given_whole(sentence, expected):
    """Korean given names are often hyphenated ("Thae-song"); the part after the hyphen is lower
    case and was dropped ("Pak Thae")."""
    assert direct_answer(parse("Who was Mishustin's North Korean counterpart?"), sentence) == expected


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("How many North Koreans will be sent to work in Russia?",
     "BBC memahami lebih dari 50.000 warga Korea Utara pada akhirnya akan dikirim untuk bekerja.",
     "more than 50,000 people"),
    ("How much artillery ammunition has North Korea supplied to Russia?",
     "Korea Utara sudah mengirim sekitar 12 juta butir amunisi.", "about 12 million rounds of ammunition"),
    ("How much artillery ammunition has North Korea supplied to Russia?",
     "Korea Utara sudah mengirim sekitar 12 juta butir peluru.", "about 12 million shells"),
])
def test_what_is_counted_reads_as_english(question, sentence, expected):
    """A plural stays one ("people", not "peoples"); rounds of ammunition are counted as rounds."""
    assert direct_answer(parse(question), sentence) == expected


@pytest.mark.parametrize(("question", "sentence", "expected"), [
    ("Berapa kontainer yang dikirim Korea Utara ke Rusia?",
     "North Korea has shipped about 2,000 containers of shells to Russia, an official said.", "sekitar 2.000"),
    ("Berapa tentara Korea Utara yang dikirim ke garis depan?",
     "More than 3,000 North Korean soldiers were moved to the front.", "lebih dari 3.000"),
    ("Berapa ton bahan peledak yang dikirim?", "Pyongyang sent nearly 12,500 tonnes of explosives.", "hampir 12.500 ton"),
    ("Berapa biaya pembangunan rel itu?", "The railway will cost $2.5 billion.", "$2,5 miliar"),
    ("Berapa jarak gudang itu dari perbatasan?", "The depot lies about 180 km from the border.", "sekitar 180 km"),
    ("Berapa tentara yang dikirim?", "Korea Utara mengirim sekitar 3.000 tentara ke Rusia bulan lalu.",
     "sekitar 3.000 tentara"),
    ("How many freight wagons did the images show?", "Citra itu menunjukkan 41 gerbong barang di stasiun.", "41"),
    ("How many troops were sent?", "Korea Utara mengirim sekitar 3.000 tentara ke Rusia bulan lalu.",
     "about 3,000 soldiers"),
])
def test_a_number_is_told_in_the_readers_words(question, sentence, expected):
    """An English report's number told to an Indonesian reader reads as Indonesian: its separators
    ("2.000", "2,5"), qualifier ("sekitar", not dropped) and unit ("ton", "miliar"); what an English
    count counts is left out ("3,000 North Korean soldiers": the word after the number is no noun to
    trust), as is an Indonesian word the glossary has no English for ("41 (gerbong)" was led)."""
    assert direct_answer(parse(question), sentence) == expected


def test_values_are_told_apart_as_their_source_words_say():
    """Two counts that read alike once their words are left out ("3,000 North ..." and "3,000
    Russian ...") are still two, and no lead is given for them, as before."""
    sentence = "About 3,000 North Korean soldiers and 3,000 Russian soldiers took part in the drill."
    assert direct_answer(parse("Berapa tentara yang ikut latihan itu?"), sentence) is None


def test_a_short_indonesian_sentence_is_read_in_its_articles_language():
    """"Sebanyak 13.000 kontainer berisi 74 ribu ton amunisi dikirim." has no function word to tell
    its language and read as English: its Indonesian count word went untranslated to an English
    reader. The article's language decides when it is known."""
    q = parse("How many containers did North Korea send?")
    sentence = "Sebanyak 13.000 kontainer berisi amunisi dikirim."
    assert direct_answer(q, sentence, None, "id") == "13,000 containers"


def test_a_who_answer_leads_with_a_person_not_an_institution_or_a_title():
    """"Who did Shoigu meet?" is not answered "Russian Security Council"; the name after a title
    written in English ("Defense Minister No Kwang Chol") or in Indonesian is the person."""
    who = parse("Who did Shoigu meet?")
    assert direct_answer(who, "Tass quoted the Russian Security Council as saying that Shoigu met Kim.") is None
    assert direct_answer(who, "Shoigu walked with North Korean Defense Minister No Kwang Chol.") == "No Kwang Chol"
    assert direct_answer(who, "Ia bertemu Menteri Luar Negeri Korea Utara Choe Son Hui di Moskow.") == "Choe Son Hui"
    assert direct_answer(who, "He met Kim Jong Un in Pyongyang.") == "Kim Jong Un"
    by_whom = parse("menurut siapa?")
    assert direct_answer(by_whom, "Hal itu dikatakan oleh Juru Bicara Dewan Keamanan Nasional AS John Kirby pada "
                                  "hari Jumat.") == "John Kirby"


def test_a_who_answer_is_not_the_rest_of_a_name_asked_about_nor_a_title_before_a_name():
    """"Who went with him?" after a question about Kim Jong Un is not answered "Jong Un" (the
    rest of the name after "Kim", which the question holds); "Council Secretary Sergei Shoigu" is
    Sergei Shoigu."""
    went = parse("Who went with him?", history=[Turn(question="Which embassy did Kim Jong Un visit on 9 May 2025?")])
    assert went.follows is not None
    assert direct_answer(went, "Pemimpin Korea Utara Kim Jong Un mengunjungi kedutaan Rusia di Pyongyang.") is None
    assert direct_answer(went, "Pemimpin Korea Utara Kim Jong Un mengunjungi kedutaan bersama Choe Son Hui.") == \
        "Choe Son Hui"
    announced = parse("Who made that announcement?")
    assert direct_answer(announced, "It was made during Russian Security Council Secretary Sergei Shoigu's visit.") == \
        "Sergei Shoigu"
    # a title word the question holds is no part of a name: the name after it still answers
    minister = parse("Which Russian minister visited Pyongyang in October 2023?")
    assert direct_answer(minister, "Russian Foreign Minister Sergei Lavrov arrived in Pyongyang.") == "Sergei Lavrov"
    # nor is a name after a one-word name the question holds: two names, no one answer
    envoy = parse("Siapa duta besar Rusia yang menyambut Shoigu?")
    assert direct_answer(envoy, "Shoigu disambut menteri Kang Sun Nam dan duta besar Rusia Alexander Matsegora.") is None
