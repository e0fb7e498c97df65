"""Verification: what the model adds beyond the evidence never survives."""

from retrieval.answering.verify import verify

EV = {1: "Krivoruchko menyampaikan salam dari Presiden Rusia Vladimir Putin kepada Kim, yang mengucapkan terima kasih "
         "sebesar-besarnya dalam pertemuan yang digelar pada Kamis tersebut."}
Q = "Whose greetings did Krivoruchko pass on to Kim Jong Un?"


def ok(text, ev=EV, q=Q, lang="en"):
    return [c for c in verify(text, ev, q, lang) if c.ok]


def test_supported_translation_survives_with_its_marker():
    kept = ok("Krivoruchko passed on greetings from Russian President Vladimir Putin [1].")
    assert len(kept) == 1 and kept[0].keys == (1,) and kept[0].text.endswith("[1].")


def test_invented_place_and_date_are_dropped():
    assert not ok("Krivoruchko passed on greetings from Putin in Vladivostok [1].")
    assert not ok("Krivoruchko passed on greetings from Putin on 12 March 2021 [1].")


def test_citation_to_evidence_that_does_not_exist_is_stripped():
    multi = {1: EV[1], 2: "Korea Utara dilaporkan telah mengirim sekitar 10.000 pasukan."}
    kept = ok("Krivoruchko passed on greetings from Putin [7].", ev=multi)
    assert kept == []  # [7] was never given, and with two sources no marker is assumed
    kept = ok("Krivoruchko passed on greetings from Putin [1][7].", ev=multi)
    assert kept and kept[0].keys == (1,) and "[7]" not in kept[0].text


def test_wrong_number_is_dropped_even_when_cited():
    ev = {1: "Korea Utara dilaporkan telah mengirim sekitar 10.000 pasukan untuk membantu Rusia."}
    assert ok("North Korea reportedly sent about 10,000 troops to help Russia [1].", ev=ev, q="How many troops?")
    assert not ok("North Korea reportedly sent about 12,000 troops to help Russia [1].", ev=ev, q="How many troops?")


def test_wrong_language_and_echo_and_prompt_text_are_dropped():
    assert not ok("Krivoruchko menyampaikan salam dari Putin [1].")  # Indonesian reply to an English question
    assert not ok("Whose greetings did Krivoruchko pass on to Kim Jong Un [1]?")
    kept = ok("Krivoruchko passed on greetings from Putin [1].\nQuestion: Who is Putin?\nAnswer: Putin is a spy [1].")
    assert len(kept) == 1 and "spy" not in kept[0].text
