"""One language detector: questions and answers always get a language; pages may stay undecided."""

from __future__ import annotations

from corpus.language import detect_language


def test_questions_in_either_language():
    assert detect_language("Siapa yang melaporkan bahwa pasukan Korea Utara diterjunkan ke Kursk?") == "id"
    assert detect_language("Who reported that North Korean troops were deployed to Kursk?") == "en"
    assert detect_language("Berapa jumlah penduduk Rusia?") == "id"
    assert detect_language("Kunjungan menyampaikan perjanjian") == "id", "no function words: Indonesian derivations"
    assert detect_language("Putin Kim") == "en", "nothing to go on: English"


def test_pages_need_enough_evidence_or_keep_their_own_lang():
    short = "Putin dan Kim bertemu."
    assert detect_language(short, min_hits=5, otherwise="und") == "und"
    assert detect_language(short, min_hits=5, otherwise="id") == "id"
    long = "Presiden Rusia itu mengatakan bahwa kerja sama yang telah dibahas dengan Korea Utara akan terus diperluas " * 2
    assert detect_language(long, min_hits=5, otherwise="en") == "id"
